//! # medchain-node
//!
//! The MedChain node: runs the MedChain runtime with Aura block production and GRANDPA
//! finality, stores the chain in ParityDB and serves JSON-RPC to dApps (polkadot.js, subxt).
//!
//! Start a throw-away development chain with `medchain-node --dev`; see `--help` for the
//! sub-commands (`build-spec`, `export-chain-spec`, `purge-chain`, `key`, `benchmark`, ...).

mod benchmarking;
mod chain_spec;
mod cli;
mod command;
mod rpc;
mod service;

fn main() -> sc_cli::Result<()> {
	command::run()
}
