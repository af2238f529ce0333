//! Test runtime: Root stands in for the council; the session pallet is not needed to test what
//! this pallet hands it.

use crate as pallet_validators;
use frame_support::{derive_impl, traits::ConstU32};
use frame_system::EnsureRoot;
use sp_runtime::BuildStorage;

type Block = frame_system::mocking::MockBlock<Test>;

frame_support::construct_runtime!(
	pub enum Test {
		System: frame_system,
		ValidatorSet: pallet_validators,
	}
);

#[derive_impl(frame_system::config_preludes::TestDefaultConfig)]
impl frame_system::Config for Test {
	type Block = Block;
}

pub const MAX_VALIDATORS: u32 = 4;
pub const MIN_VALIDATORS: u32 = 2;
pub const SESSION_LENGTH: u64 = 10;

impl pallet_validators::Config for Test {
	type ManageOrigin = EnsureRoot<u64>;
	type MaxValidators = ConstU32<MAX_VALIDATORS>;
	type MinValidators = ConstU32<MIN_VALIDATORS>;
	type DefaultSessionLength = frame_support::traits::ConstU64<SESSION_LENGTH>;
	type WeightInfo = ();
}

/// A chain whose genesis set is `validators` (given unsorted on purpose by some tests).
pub fn new_test_ext<R>(validators: &[u64], test: impl FnOnce() -> R) -> R {
	let mut storage = frame_system::GenesisConfig::<Test>::default()
		.build_storage()
		.expect("system genesis builds");
	pallet_validators::GenesisConfig::<Test> {
		validators: validators.to_vec(),
		session_length: SESSION_LENGTH,
	}
	.assimilate_storage(&mut storage)
	.expect("validators genesis builds");
	let mut ext = sp_io::TestExternalities::new(storage);
	ext.execute_with(|| {
		System::set_block_number(1);
		let result = test();
		ValidatorSet::do_try_state().expect("storage invariants hold");
		result
	})
}

/// Benchmark externalities: the smallest genesis set allowed.
#[cfg(feature = "runtime-benchmarks")]
pub fn new_bench_ext() -> sp_io::TestExternalities {
	let mut storage = frame_system::GenesisConfig::<Test>::default()
		.build_storage()
		.expect("system genesis builds");
	pallet_validators::GenesisConfig::<Test> {
		validators: (100..100 + MIN_VALIDATORS as u64).collect(),
		session_length: SESSION_LENGTH,
	}
	.assimilate_storage(&mut storage)
	.expect("validators genesis builds");
	sp_io::TestExternalities::new(storage)
}
