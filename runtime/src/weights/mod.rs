//! The runtime's own weights, measured on MedChain's reference machine (the project's 2-core,
//! 24 GiB build machine) by `scripts/benchmark.sh machine`, replacing polkadot-sdk's defaults
//! (measured on Parity's reference hardware, and for RocksDB):
//!
//! - [`block_weights`] and [`extrinsic_weights`]: what an empty block and a no-op extrinsic
//!   cost (`benchmark overhead`);
//! - the FRAME pallets MedChain uses unchanged (`benchmark pallet`): [`frame_system`], its
//!   transaction extensions ([`frame_system_extensions`]), [`pallet_balances`],
//!   [`pallet_timestamp`] and the fee extension ([`pallet_transaction_payment`]).
//!
//! - [`paritydb_weights`]: what reading and writing one storage item costs in ParityDB
//!   (`benchmark storage` on a dev chain loaded by `scripts/load.sh --base-path`, 377,447 keys;
//!   writes timed in blocks' worth of 10,000 keys), replacing the generic `ParityDbWeight`
//!   constants (8 us a read, 50 us a write).
//!
//! MedChain's own pallets keep their weights in `pallets/<name>/src/weights.rs`. Every file
//! here is generated; regenerate them rather than editing.

#![allow(missing_docs)]
// `benchmark storage`'s template documents the fields of a struct expression.
#![allow(unused_doc_comments)]

pub mod block_weights;
pub mod extrinsic_weights;
pub mod frame_system;
pub mod frame_system_extensions;
pub mod pallet_balances;
pub mod pallet_timestamp;
pub mod pallet_transaction_payment;
pub mod paritydb_weights;

pub use block_weights::BlockExecutionWeight;
pub use extrinsic_weights::ExtrinsicBaseWeight;
pub use paritydb_weights::constants::ParityDbWeight;
