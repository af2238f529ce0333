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
//! MedChain's own pallets keep their weights in `pallets/<name>/src/weights.rs`. Every file
//! here is generated; regenerate them rather than editing.

#![allow(missing_docs)]

pub mod block_weights;
pub mod extrinsic_weights;
pub mod frame_system;
pub mod frame_system_extensions;
pub mod pallet_balances;
pub mod pallet_timestamp;
pub mod pallet_transaction_payment;

pub use block_weights::BlockExecutionWeight;
pub use extrinsic_weights::ExtrinsicBaseWeight;
