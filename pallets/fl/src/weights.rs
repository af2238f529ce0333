//! Weights for `pallet_fl`.
//!
//! PROVISIONAL: these numbers are NOT measured. The benchmarks exist (`benchmarking.rs`) but
//! need the pallet in the runtime to run; it is wired only once `scripts/benchmark.sh fl` has
//! generated this file.

#![allow(unused_parens, unused_imports, missing_docs)]

use core::marker::PhantomData;
use frame_support::{
	traits::Get,
	weights::{constants::ParityDbWeight, Weight},
};

/// Weight functions needed for `pallet_fl`.
pub trait WeightInfo {
	fn create_task() -> Weight;
	fn join_task() -> Weight;
	fn submit_update() -> Weight;
	fn publish_aggregate(u: u32) -> Weight;
	fn dispute_aggregate() -> Weight;
	fn resolve_dispute() -> Weight;
	fn finalize_round(p: u32) -> Weight;
	fn cancel_task(p: u32) -> Weight;
}

impl WeightInfo for () {
	fn create_task() -> Weight {
		Weight::from_parts(60_000_000, 6_000)
			.saturating_add(ParityDbWeight::get().reads_writes(5, 5))
	}
	fn join_task() -> Weight {
		Weight::from_parts(60_000_000, 6_000)
			.saturating_add(ParityDbWeight::get().reads_writes(5, 5))
	}
	fn submit_update() -> Weight {
		Weight::from_parts(60_000_000, 6_000)
			.saturating_add(ParityDbWeight::get().reads_writes(5, 5))
	}
	fn publish_aggregate(u: u32) -> Weight {
		Weight::from_parts(60_000_000, 6_000)
			.saturating_add(Weight::from_parts(5_000_000, 0).saturating_mul(u.into()))
			.saturating_add(ParityDbWeight::get().reads_writes(5, 5))
	}
	fn dispute_aggregate() -> Weight {
		Weight::from_parts(60_000_000, 6_000)
			.saturating_add(ParityDbWeight::get().reads_writes(5, 5))
	}
	fn resolve_dispute() -> Weight {
		Weight::from_parts(60_000_000, 6_000)
			.saturating_add(ParityDbWeight::get().reads_writes(5, 5))
	}
	fn finalize_round(p: u32) -> Weight {
		Weight::from_parts(60_000_000, 6_000)
			.saturating_add(Weight::from_parts(5_000_000, 0).saturating_mul(p.into()))
			.saturating_add(ParityDbWeight::get().reads_writes(5, 5))
	}
	fn cancel_task(p: u32) -> Weight {
		Weight::from_parts(60_000_000, 6_000)
			.saturating_add(Weight::from_parts(5_000_000, 0).saturating_mul(p.into()))
			.saturating_add(ParityDbWeight::get().reads_writes(5, 5))
	}
}
