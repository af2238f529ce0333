//! Test runtime for the federated-learning pallet, with a stand-in consent pallet.

use crate as pallet_fl;
use frame_support::{derive_impl, parameter_types, traits::VariantCountOf};
use frame_system::EnsureRoot;
use medchain_primitives::{AccessBasis, AccessDenial, AccessInspect, PolicyId, Purpose, RecordId};
use sp_runtime::{BuildStorage, Perbill};
use std::{cell::RefCell, collections::BTreeSet};

type Block = frame_system::mocking::MockBlock<Test>;
pub type AccountId = u64;
pub type Balance = u64;

pub const COORDINATOR: AccountId = 1;
pub const HOSPITAL_A: AccountId = 10;
pub const HOSPITAL_B: AccountId = 11;
pub const HOSPITAL_C: AccountId = 12;
pub const OUTSIDER: AccountId = 66;
pub const POOR: AccountId = 99;

pub const INITIAL_BALANCE: Balance = 1_000_000;
/// The challenge window the tests' tasks choose.
pub const CHALLENGE_PERIOD: u64 = 5;
/// The shortest challenge window a task may choose.
pub const MIN_CHALLENGE_PERIOD: u64 = 2;
/// Held per task entry.
pub const TASK_DEPOSIT: Balance = 50;
/// Held per round a task may have (its lineage entry).
pub const CHECKPOINT_DEPOSIT: Balance = 10;
/// Held per stored update.
pub const UPDATE_DEPOSIT: Balance = 3;
/// Held by a disputer until governance decides.
pub const DISPUTE_DEPOSIT: Balance = 70;
/// The only policy in the stand-in consent pallet.
pub const POLICY: PolicyId = 7;

frame_support::construct_runtime!(
	pub enum Test {
		System: frame_system,
		Balances: pallet_balances,
		Fl: pallet_fl,
	}
);

#[derive_impl(frame_system::config_preludes::TestDefaultConfig)]
impl frame_system::Config for Test {
	type Block = Block;
	type AccountId = AccountId;
	type Lookup = sp_runtime::traits::IdentityLookup<AccountId>;
	type AccountData = pallet_balances::AccountData<Balance>;
}

#[derive_impl(pallet_balances::config_preludes::TestDefaultConfig)]
impl pallet_balances::Config for Test {
	type Balance = Balance;
	type AccountStore = System;
	type RuntimeHoldReason = RuntimeHoldReason;
	type MaxFreezes = VariantCountOf<RuntimeFreezeReason>;
}

thread_local! {
	static SATISFYING: RefCell<BTreeSet<AccountId>> = const { RefCell::new(BTreeSet::new()) };
}

/// Stand-in consent: accounts in a set satisfy [`POLICY`]; nobody satisfies another policy.
pub struct TestAccess;
impl AccessInspect<AccountId> for TestAccess {
	fn access(_: &AccountId, _: RecordId, _: Purpose) -> Result<AccessBasis, AccessDenial> {
		Err(AccessDenial::RecordNotFound)
	}
	fn satisfies(who: &AccountId, policy: PolicyId) -> bool {
		policy == POLICY && SATISFYING.with(|s| s.borrow().contains(who))
	}
	fn denied(_: &AccountId, _: RecordId) -> bool {
		false
	}
}

/// `who` satisfies the policy from now on (`true`) or no longer (`false`).
pub fn set_satisfies(who: AccountId, yes: bool) {
	SATISFYING.with(|s| {
		if yes {
			s.borrow_mut().insert(who);
		} else {
			s.borrow_mut().remove(&who);
		}
	});
}

parameter_types! {
	pub const MinChallengePeriod: u64 = MIN_CHALLENGE_PERIOD;
	pub const RogueSlash: Perbill = Perbill::from_percent(50);
	pub const TaskDeposit: Balance = TASK_DEPOSIT;
	pub const CheckpointDeposit: Balance = CHECKPOINT_DEPOSIT;
	pub const UpdateDeposit: Balance = UPDATE_DEPOSIT;
	pub const DisputeDeposit: Balance = DISPUTE_DEPOSIT;
}

impl pallet_fl::Config for Test {
	type Currency = Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	type Access = TestAccess;
	type DisputeOrigin = EnsureRoot<AccountId>;
	type MinChallengePeriod = MinChallengePeriod;
	type RogueSlash = RogueSlash;
	type MaxParticipants = frame_support::traits::ConstU32<4>;
	type MaxRounds = frame_support::traits::ConstU32<5>;
	type TaskDeposit = TaskDeposit;
	type CheckpointDeposit = CheckpointDeposit;
	type UpdateDeposit = UpdateDeposit;
	type DisputeDeposit = DisputeDeposit;
	type WeightInfo = ();
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = TestAccess;
}

#[cfg(feature = "runtime-benchmarks")]
impl crate::benchmarking::BenchmarkHelper<AccountId> for TestAccess {
	fn policy() -> PolicyId {
		POLICY
	}
	fn make_eligible(who: &AccountId) {
		set_satisfies(*who, true);
	}
}

/// Empty externalities for the benchmark test suite (benchmarks fund their own accounts).
#[cfg(feature = "runtime-benchmarks")]
pub fn new_bench_ext() -> sp_io::TestExternalities {
	SATISFYING.with(|s| s.borrow_mut().clear());
	let storage = frame_system::GenesisConfig::<Test>::default()
		.build_storage()
		.unwrap();
	let mut ext = sp_io::TestExternalities::new(storage);
	ext.execute_with(|| System::set_block_number(1));
	ext
}

/// A fresh chain at block 1 with funded accounts; the three hospitals satisfy the policy.
pub fn new_test_ext<R>(test: impl FnOnce() -> R) -> R {
	SATISFYING.with(|s| *s.borrow_mut() = [HOSPITAL_A, HOSPITAL_B, HOSPITAL_C, POOR].into());
	let mut storage = frame_system::GenesisConfig::<Test>::default()
		.build_storage()
		.unwrap();
	pallet_balances::GenesisConfig::<Test> {
		balances: [COORDINATOR, HOSPITAL_A, HOSPITAL_B, HOSPITAL_C, OUTSIDER]
			.into_iter()
			.map(|who| (who, INITIAL_BALANCE))
			.chain([(POOR, 2)])
			.collect(),
		..Default::default()
	}
	.assimilate_storage(&mut storage)
	.unwrap();
	let mut ext = sp_io::TestExternalities::new(storage);
	ext.execute_with(|| {
		System::set_block_number(1);
		let result = test();
		Fl::do_try_state().expect("storage invariants hold");
		result
	})
}

/// Moves to block `n`.
pub fn run_to_block(n: u64) {
	medchain_test_utils::run_to_block::<Test>(n);
}
