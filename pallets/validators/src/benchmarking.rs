//! Benchmarks (frame-benchmarking v2): each call against a set of `v` validators.

use super::*;
use alloc::vec::Vec;
use frame_benchmarking::v2::*;
use frame_support::{
	traits::{EnsureOrigin, Get},
	BoundedVec,
};

/// Replaces the set with `count` benchmark accounts and returns them.
fn fill<T: Config>(count: u32) -> Vec<T::AccountId> {
	let mut accounts: Vec<T::AccountId> = (0..count).map(|i| account("validator", i, 0)).collect();
	accounts.sort();
	let bounded: BoundedVec<_, T::MaxValidators> = accounts
		.clone()
		.try_into()
		.expect("count is within MaxValidators");
	Validators::<T>::put(bounded);
	accounts
}

#[benchmarks]
mod benchmarks {
	use super::*;

	/// Adding to a set of `v` validators (the insert shifts up to `v` entries).
	#[benchmark]
	fn add_validator(
		v: Linear<{ T::MinValidators::get() }, { T::MaxValidators::get() - 1 }>,
	) -> Result<(), BenchmarkError> {
		let origin =
			T::ManageOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
		fill::<T>(v);
		let newcomer: T::AccountId = account("newcomer", 0, 0);

		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, newcomer.clone());

		assert!(Validators::<T>::get().contains(&newcomer));
		Ok(())
	}

	/// Removing from a set of `v` validators.
	#[benchmark]
	fn remove_validator(
		v: Linear<{ T::MinValidators::get() + 1 }, { T::MaxValidators::get() }>,
	) -> Result<(), BenchmarkError> {
		let origin =
			T::ManageOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;
		let accounts = fill::<T>(v);
		let leaving = accounts
			.first()
			.cloned()
			.ok_or(BenchmarkError::Weightless)?;

		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, leaving.clone());

		assert!(!Validators::<T>::get().contains(&leaving));
		Ok(())
	}

	impl_benchmark_test_suite!(Pallet, crate::mock::new_bench_ext(), crate::mock::Test);
}
