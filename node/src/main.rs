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

mod benchmarking;
mod chain_spec;
mod cli;
mod command;
mod rpc;
mod service;

fn main() -> sc_cli::Result<()> {
	command::run()
}
