//! Test runtime for the key-grants pallet: a stand-in record registry and real sr25519 keys
//! (account `n` signs with the key seeded by `n`).

use crate as pallet_key_grants;
use frame_support::{derive_impl, parameter_types, traits::VariantCountOf};
use frame_system::EnsureRoot;
use medchain_primitives::{PolicyId, RecordId, RecordInspect, RecordSummary};
#[cfg(feature = "runtime-benchmarks")]
use sp_core::{sr25519, Pair};
use sp_runtime::BuildStorage;

/// Mock accounts' sr25519 keys and their verifier.
pub use medchain_test_utils::{pair, MockVerifier};
use std::{cell::RefCell, collections::BTreeMap};

type Block = frame_system::mocking::MockBlock<Test>;
pub type AccountId = u64;
pub type Balance = u64;

pub const OWNER: AccountId = 1;
pub const GRANTEE: AccountId = 2;
pub const PROXY_A: AccountId = 10;
pub const PROXY_B: AccountId = 11;
pub const PROXY_C: AccountId = 12;
pub const MALLORY: AccountId = 66;
pub const POOR: AccountId = 99;

pub const INITIAL_BALANCE: Balance = 1_000_000;
pub const PROXY_BOND: Balance = 10_000;
pub const GRANT_DEPOSIT: Balance = 100;
/// Held while an account's PRE keys are published.
pub const PRE_KEYS_DEPOSIT: Balance = 7;
pub const EVIDENCE_DEPOSIT: Balance = 50;
pub const UNBONDING_PERIOD: u64 = 20;
pub const RETENTION_PERIOD: u64 = 30;

frame_support::construct_runtime!(
	pub enum Test {
		System: frame_system,
		Balances: pallet_balances,
		KeyGrants: pallet_key_grants,
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
	static RECORDS: RefCell<BTreeMap<RecordId, (AccountId, Vec<u8>)>> =
		const { RefCell::new(BTreeMap::new()) };
}

/// Stand-in for the record registry: records added with [`add_record`].
pub struct TestRecords;
impl RecordInspect<AccountId, PolicyId> for TestRecords {
	fn record(id: RecordId) -> Option<RecordSummary<AccountId, PolicyId>> {
		RECORDS.with(|r| {
			r.borrow().get(&id).map(|(subject, kind)| RecordSummary {
				subject: *subject,
				kind: kind.clone().try_into().expect("short kind"),
				policy: None,
			})
		})
	}
}

thread_local! {
	static DENIED: RefCell<alloc_set::BTreeSet<(AccountId, RecordId)>> =
		const { RefCell::new(alloc_set::BTreeSet::new()) };
}
use std::collections as alloc_set;

/// Stand-in consent: only explicit denies (set with [`deny`]) matter to key grants.
pub struct TestAccess;
impl medchain_primitives::AccessInspect<AccountId> for TestAccess {
	fn access(
		_: &AccountId,
		_: RecordId,
		_: medchain_primitives::Purpose,
	) -> Result<medchain_primitives::AccessBasis, medchain_primitives::AccessDenial> {
		Err(medchain_primitives::AccessDenial::RecordNotFound)
	}
	fn satisfies(_: &AccountId, _: PolicyId) -> bool {
		false
	}
	fn denied(who: &AccountId, record: RecordId) -> bool {
		DENIED.with(|d| d.borrow().contains(&(*who, record)))
	}
}

/// The subject of `record` denies `who` from now on.
pub fn deny(who: AccountId, record: RecordId) {
	DENIED.with(|d| d.borrow_mut().insert((who, record)));
}

/// Makes record `id` of `subject` with `kind` exist.
pub fn add_record(id: RecordId, subject: AccountId, kind: &str) {
	RECORDS.with(|r| {
		r.borrow_mut()
			.insert(id, (subject, kind.as_bytes().to_vec()))
	});
}

parameter_types! {
	pub const ProxyBond: Balance = PROXY_BOND;
	pub const PreKeysDeposit: Balance = PRE_KEYS_DEPOSIT;
	pub const GrantDeposit: Balance = GRANT_DEPOSIT;
	pub const EvidenceDeposit: Balance = EVIDENCE_DEPOSIT;
	pub const UnbondingPeriod: u64 = UNBONDING_PERIOD;
	pub const RetentionPeriod: u64 = RETENTION_PERIOD;
}

impl pallet_key_grants::Config for Test {
	type Currency = Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	type Records = TestRecords;
	type Verifier = MockVerifier;
	type Access = TestAccess;
	type AdmitOrigin = EnsureRoot<AccountId>;
	type PenaltyOrigin = EnsureRoot<AccountId>;
	type ProxyBond = ProxyBond;
	type PreKeysDeposit = PreKeysDeposit;
	type GrantDeposit = GrantDeposit;
	type EvidenceDeposit = EvidenceDeposit;
	type UnbondingPeriod = UnbondingPeriod;
	type RetentionPeriod = RetentionPeriod;
	type MaxProxiesPerGrant = frame_support::traits::ConstU32<3>;
	type MaxScopeKinds = frame_support::traits::ConstU32<2>;
	type MaxGrantsPerOwner = frame_support::traits::ConstU32<2>;
	type MaxReceiptsPerGrant = frame_support::traits::ConstU32<3>;
	type WeightInfo = ();
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = TestRecords;
}

#[cfg(feature = "runtime-benchmarks")]
impl crate::benchmarking::BenchmarkHelper<AccountId> for TestRecords {
	fn create_record(subject: &AccountId) -> RecordId {
		let id = RECORDS.with(|r| r.borrow().keys().last().map_or(0, |last| last + 1));
		add_record(id, *subject, "Observation");
		id
	}

	fn signer(index: u32) -> AccountId {
		1_000 + AccountId::from(index)
	}

	fn sign(signer: &AccountId, message: &[u8]) -> sr25519::Signature {
		pair(*signer).sign(message)
	}
}

/// A fresh chain at block 1 with funded accounts and no records; checks the pallet's
/// invariants after `test`.
pub fn new_test_ext(test: impl FnOnce()) {
	RECORDS.with(|r| r.borrow_mut().clear());
	let mut storage = frame_system::GenesisConfig::<Test>::default()
		.build_storage()
		.unwrap();
	pallet_balances::GenesisConfig::<Test> {
		balances: [OWNER, GRANTEE, PROXY_A, PROXY_B, PROXY_C, MALLORY]
			.into_iter()
			.map(|who| (who, INITIAL_BALANCE))
			.chain([(POOR, 2 + PRE_KEYS_DEPOSIT)])
			.collect(),
		..Default::default()
	}
	.assimilate_storage(&mut storage)
	.unwrap();
	let mut ext = sp_io::TestExternalities::new(storage);
	ext.execute_with(|| {
		System::set_block_number(1);
		test();
		KeyGrants::do_try_state().expect("storage invariants hold");
	});
}

/// Moves to block `n`.
pub fn run_to_block(n: u64) {
	medchain_test_utils::run_to_block::<Test>(n);
}

/// Empty externalities for the benchmark test suite (benchmarks fund their own accounts).
#[cfg(feature = "runtime-benchmarks")]
pub fn new_bench_ext() -> sp_io::TestExternalities {
	RECORDS.with(|r| r.borrow_mut().clear());
	let storage = frame_system::GenesisConfig::<Test>::default()
		.build_storage()
		.unwrap();
	let mut ext = sp_io::TestExternalities::new(storage);
	ext.execute_with(|| System::set_block_number(1));
	ext
}
