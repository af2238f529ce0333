//! Test runtime for the record registry.

use crate as pallet_records;
use frame_support::{derive_impl, parameter_types, traits::VariantCountOf};
use sp_runtime::BuildStorage;
use std::{cell::RefCell, collections::BTreeMap};

type Block = frame_system::mocking::MockBlock<Test>;
pub type AccountId = u64;
pub type Balance = u64;

pub const ALICE: AccountId = 1; // a patient
pub const BOB: AccountId = 2; // another patient
pub const HOSPITAL: AccountId = 10; // a custodian
pub const LAB: AccountId = 11; // another custodian
pub const MALLORY: AccountId = 66; // neither
pub const POOR: AccountId = 99; // cannot afford deposits

pub const INITIAL_BALANCE: Balance = 1_000_000;
pub const VERSION_DEPOSIT: Balance = 100;
pub const CUSTODIAN_DEPOSIT: Balance = 50;
pub const ANCHOR_DEPOSIT: Balance = 70;

frame_support::construct_runtime!(
	pub enum Test {
		System: frame_system,
		Balances: pallet_balances,
		Records: pallet_records,
	}
);

#[derive_impl(frame_system::config_preludes::TestDefaultConfig)]
impl frame_system::Config for Test {
	type Block = Block;
	type AccountId = AccountId;
	type Lookup = sp_runtime::traits::IdentityLookup<AccountId>;
	type AccountData = pallet_balances::AccountData<Balance>;
	// Non-zero, so that tests can see which database accesses a weight charges.
	type DbWeight = frame_support::weights::constants::RocksDbWeight;
}

#[derive_impl(pallet_balances::config_preludes::TestDefaultConfig)]
impl pallet_balances::Config for Test {
	type Balance = Balance;
	type AccountStore = System;
	type RuntimeHoldReason = RuntimeHoldReason;
	type MaxFreezes = VariantCountOf<RuntimeFreezeReason>;
}

thread_local! {
	/// Existing policies and the live records counted against each.
	static POLICIES: RefCell<BTreeMap<u32, u32>> = RefCell::new(BTreeMap::from([(1, 0), (2, 0)]));
}

/// Consent policies 1 and 2 exist (plus, in benchmarks, those the helper adds); counts records
/// in and out as the consent pallet does.
pub struct TestPolicies;
impl crate::PolicyUse<u32> for TestPolicies {
	fn acquire(policy: &u32) -> bool {
		POLICIES.with(|p| match p.borrow_mut().get_mut(policy) {
			Some(users) => {
				*users += 1;
				true
			}
			None => false,
		})
	}

	fn release(policy: &u32) {
		POLICIES.with(|p| {
			if let Some(users) = p.borrow_mut().get_mut(policy) {
				*users = users.saturating_sub(1);
			}
		})
	}

	fn users(policy: &u32) -> Option<u32> {
		POLICIES.with(|p| p.borrow().get(policy).copied())
	}
}

/// The live records counted against `policy` (`None`: no such policy).
pub fn policy_users(policy: u32) -> Option<u32> {
	<TestPolicies as crate::PolicyUse<u32>>::users(&policy)
}

parameter_types! {
	pub const VersionDeposit: Balance = VERSION_DEPOSIT;
	pub const CustodianDeposit: Balance = CUSTODIAN_DEPOSIT;
	pub const AnchorDeposit: Balance = ANCHOR_DEPOSIT;
}

impl pallet_records::Config for Test {
	type Currency = Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	type PolicyId = u32;
	type Policies = TestPolicies;
	type VersionDeposit = VersionDeposit;
	type CustodianDeposit = CustodianDeposit;
	type AnchorDeposit = AnchorDeposit;
	type MaxVersionsPerRecord = frame_support::traits::ConstU32<3>;
	type MaxCustodiansPerSubject = frame_support::traits::ConstU32<2>;
	type MaxScopeKinds = frame_support::traits::ConstU32<4>;
	type MaxBatchSize = frame_support::traits::ConstU32<5>;
	type MaxAnchorsPerAccount = frame_support::traits::ConstU32<2>;
	type WeightInfo = ();
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = TestPolicies;
}

#[cfg(feature = "runtime-benchmarks")]
impl crate::benchmarking::BenchmarkHelper<u32> for TestPolicies {
	fn policy(index: u32) -> u32 {
		let id = index.saturating_add(1_000);
		POLICIES.with(|p| p.borrow_mut().insert(id, 0));
		id
	}
}

/// A fresh chain at block 1 with funded accounts and policies 1 and 2 guarding nothing;
/// checks the pallet's invariants after `test`.
pub fn new_test_ext(test: impl FnOnce()) {
	POLICIES.with(|p| *p.borrow_mut() = BTreeMap::from([(1, 0), (2, 0)]));
	let mut storage = frame_system::GenesisConfig::<Test>::default()
		.build_storage()
		.unwrap();
	pallet_balances::GenesisConfig::<Test> {
		balances: vec![
			(ALICE, INITIAL_BALANCE),
			(BOB, INITIAL_BALANCE),
			(HOSPITAL, INITIAL_BALANCE),
			(LAB, INITIAL_BALANCE),
			(MALLORY, INITIAL_BALANCE),
			(POOR, 10),
		],
		..Default::default()
	}
	.assimilate_storage(&mut storage)
	.unwrap();
	let mut ext = sp_io::TestExternalities::new(storage);
	ext.execute_with(|| {
		System::set_block_number(1);
		test();
		Records::do_try_state().expect("storage invariants hold");
	});
}

/// Moves to block `n`.
pub fn run_to_block(n: u64) {
	medchain_test_utils::run_to_block::<Test>(n);
}

/// Empty externalities for the benchmark test suite (benchmarks fund their own accounts).
#[cfg(feature = "runtime-benchmarks")]
pub fn new_bench_ext() -> sp_io::TestExternalities {
	let storage = frame_system::GenesisConfig::<Test>::default()
		.build_storage()
		.unwrap();
	let mut ext = sp_io::TestExternalities::new(storage);
	ext.execute_with(|| System::set_block_number(1));
	ext
}
