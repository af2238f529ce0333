//! # medchain-node
//!
//! The MedChain node: runs the MedChain runtime with Aura block production and GRANDPA
//! finality, stores the chain in ParityDB and serves JSON-RPC to dApps (polkadot.js, subxt).
//!
//! Start a throw-away development chain with `medchain-node --dev`; see `--help` for the
//! sub-commands (`build-spec`, `export-chain-spec`, `purge-chain`, `key`, `benchmark`, ...).

// `sc_cli::Error` and `sc_service::Error` are large, and sc-cli's runner API requires them in
// every closure and command result; boxing them here would only add conversions.
#![allow(clippy::result_large_err)]

#[cfg(feature = "runtime-benchmarks")]
mod benchmarking;
mod chain_spec;
mod cli;
mod command;
mod rpc;
mod service;

/// Runs the command line; a failure is printed as a sentence (not Rust's debug form of the
/// error) and exits with status 1.
fn main() {
	if let Err(error) = command::run() {
		eprintln!("Error: {error}");
		std::process::exit(1);
	}
}
