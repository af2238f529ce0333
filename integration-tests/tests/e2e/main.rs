//! MedChain's end-to-end tests: real `medchain-node` processes (and the `medchain` CLI and
//! gateway where a scenario needs them), driven over RPC with subxt. One module per area.
//!
//! They are one test binary, not one per file: each binary links the node client, subxt and
//! tokio at `opt-level = 3`, so twelve binaries spent minutes of every fresh build compiling
//! and linking the same code twelve times. cargo-nextest still runs every test in its own
//! process, side by side (`.config/nextest.toml`). Run one area with a filter, e.g.
//! `cargo nextest run -p medchain-integration-tests -E 'test(/^records::/)'`.

mod attacks;
mod consent;
mod cp_abe_policies;
mod fast_reads;
mod fl;
mod foundation;
mod governance;
mod key_grants;
mod local_network;
mod network_faults;
mod record_sharing;
mod records;
mod reorg;
