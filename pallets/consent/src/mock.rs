//! Test runtime for the consent pallet, with a stand-in record registry.

use crate as pallet_consent;
use crate::policy::AttributeName;
use frame_support::{derive_impl, parameter_types, traits::VariantCountOf};
use frame_system::EnsureRoot;
use medchain_primitives::{PolicyId, PolicyUse, RecordId, RecordInspect, RecordSummary};
#[cfg(feature = "runtime-benchmarks")]
use sp_core::{sr25519, Pair};
use sp_runtime::BuildStorage;

/// Mock accounts' sr25519 keys and their verifier.
pub use medchain_test_utils::{pair, MockVerifier};
use std::{cell::RefCell, collections::BTreeMap};

type Block = frame_system::mocking::MockBlock<Test>;
pub type AccountId = u64;
pub type Balance = u64;

pub const PATIENT: AccountId = 1;
pub const OTHER_PATIENT: AccountId = 2;
pub const HOSPITAL_A: AccountId = 10; // an attribute authority
pub const BOARD: AccountId = 11; // another authority (medical board)
pub const DOCTOR: AccountId = 20;
pub const NURSE: AccountId = 21;
pub const MEDIC: AccountId = 22; // emergency staff
pub const MALLORY: AccountId = 66;
pub const POOR: AccountId = 99;

pub const INITIAL_BALANCE: Balance = 1_000_000;
pub const POLICY_DEPOSIT_BASE: Balance = 100;
pub const POLICY_DEPOSIT_PER_BYTE: Balance = 1;
pub const ATTRIBUTE_DEPOSIT: Balance = 10;
pub const OVERRIDE_DEPOSIT: Balance = 20;
pub const TICKET_DEPOSIT: Balance = 5;
pub const BREAK_GLASS_DEPOSIT: Balance = 500;
pub const TICKET_LIFETIME: u64 = 100;
pub const BREAK_GLASS_LIFETIME: u64 = 10;
pub const READ_RECEIPT_DEPOSIT: Balance = 7;
pub const RECEIPT_RETENTION: u64 = 1_000;
pub const MAX_READ_REQUEST_LIFETIME: u64 = 10;
pub const GATEWAY: AccountId = 30;
pub const MAX_READS_PER_BATCH: u32 = 8;
/// The grant [`TestDelegations`] treats as active: it names [`DOCTOR`] for record 1.
pub const ACTIVE_GRANT: u64 = 5;

frame_support::construct_runtime!(
	pub enum Test {
		System: frame_system,
		Balances: pallet_balances,
		Consent: pallet_consent,
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
	static RECORDS: RefCell<BTreeMap<RecordId, (AccountId, Option<PolicyId>)>> =
		const { RefCell::new(BTreeMap::new()) };
}

/// Stand-in for the record registry: records added with [`add_record`].
pub struct TestRecords;
impl RecordInspect<AccountId, PolicyId> for TestRecords {
	fn record(id: RecordId) -> Option<RecordSummary<AccountId, PolicyId>> {
		RECORDS.with(|r| {
			r.borrow().get(&id).map(|(subject, policy)| RecordSummary {
				subject: *subject,
				kind: b"Observation".to_vec().try_into().expect("short kind"),
				policy: *policy,
			})
		})
	}
}

/// Makes record `id` of `subject`, guarded by `policy`, exist, counting it against the policy
/// as the record registry does. Unlike the registry, it accepts a policy that does not exist
/// (nothing is counted then), for tests of a record whose policy cannot be evaluated.
pub fn add_record(id: RecordId, subject: AccountId, policy: Option<PolicyId>) {
	if let Some(policy) = &policy {
		let _counted = <Consent as PolicyUse<PolicyId>>::acquire(policy);
	}
	RECORDS.with(|r| r.borrow_mut().insert(id, (subject, policy)));
}

/// Erases record `id` from the stand-in registry, releasing its policy.
pub fn remove_record(id: RecordId) {
	if let Some((_, Some(policy))) = RECORDS.with(|r| r.borrow_mut().remove(&id)) {
		<Consent as PolicyUse<PolicyId>>::release(&policy);
	}
}

/// Stand-in for key grants: only [`ACTIVE_GRANT`] exists, for [`DOCTOR`] and record 1, and
/// only until it is revoked with [`revoke_test_grant`].
pub struct TestDelegations;
impl medchain_primitives::DelegatedAccess<AccountId> for TestDelegations {
	fn delegated_read(grant: u64, grantee: &AccountId, record: RecordId) -> bool {
		grant == ACTIVE_GRANT
			&& *grantee == DOCTOR
			&& record == 1
			&& !GRANT_REVOKED.with(|r| *r.borrow())
	}
}

thread_local! {
	static GRANT_REVOKED: RefCell<bool> = const { RefCell::new(false) };
}

/// Ends [`ACTIVE_GRANT`].
pub fn revoke_test_grant() {
	GRANT_REVOKED.with(|r| *r.borrow_mut() = true);
}

parameter_types! {
	pub EmergencyAttribute: AttributeName = b"role:emergency".to_vec().try_into().expect("short");
	pub const PolicyDepositBase: Balance = POLICY_DEPOSIT_BASE;
	pub const PolicyDepositPerByte: Balance = POLICY_DEPOSIT_PER_BYTE;
	pub const AttributeDeposit: Balance = ATTRIBUTE_DEPOSIT;
	pub const OverrideDeposit: Balance = OVERRIDE_DEPOSIT;
	pub const TicketDeposit: Balance = TICKET_DEPOSIT;
	pub const BreakGlassDeposit: Balance = BREAK_GLASS_DEPOSIT;
	pub const TicketLifetime: u64 = TICKET_LIFETIME;
	pub const BreakGlassLifetime: u64 = BREAK_GLASS_LIFETIME;
	pub const ReadReceiptDeposit: Balance = READ_RECEIPT_DEPOSIT;
	pub const ReceiptRetention: u64 = RECEIPT_RETENTION;
	pub const MaxReadRequestLifetime: u64 = MAX_READ_REQUEST_LIFETIME;
}

impl pallet_consent::Config for Test {
	type Currency = Balances;
	type RuntimeHoldReason = RuntimeHoldReason;
	type Records = TestRecords;
	type AuthorityOrigin = EnsureRoot<AccountId>;
	type ReviewOrigin = EnsureRoot<AccountId>;
	type EmergencyAttribute = EmergencyAttribute;
	type PolicyDepositBase = PolicyDepositBase;
	type PolicyDepositPerByte = PolicyDepositPerByte;
	type AttributeDeposit = AttributeDeposit;
	type OverrideDeposit = OverrideDeposit;
	type TicketDeposit = TicketDeposit;
	type BreakGlassDeposit = BreakGlassDeposit;
	type MaxScopesPerAuthority = frame_support::traits::ConstU32<4>;
	type MaxAttributesPerAccount = frame_support::traits::ConstU32<4>;
	type MaxPoliciesPerAccount = frame_support::traits::ConstU32<3>;
	type MaxOverridesPerSubject = frame_support::traits::ConstU32<3>;
	type MaxTicketsPerAccount = frame_support::traits::ConstU32<3>;
	type MaxOpenBreakGlassPerAccount = frame_support::traits::ConstU32<2>;
	type TicketLifetime = TicketLifetime;
	type BreakGlassLifetime = BreakGlassLifetime;
	type Delegations = TestDelegations;
	type Verifier = MockVerifier;
	type ReadReceiptDeposit = ReadReceiptDeposit;
	type ReceiptRetention = ReceiptRetention;
	type MaxReadRequestLifetime = MaxReadRequestLifetime;
	type MaxReadsPerBatch = frame_support::traits::ConstU32<MAX_READS_PER_BATCH>;
	type WeightInfo = ();
	#[cfg(feature = "runtime-benchmarks")]
	type BenchmarkHelper = TestRecords;
}

#[cfg(feature = "runtime-benchmarks")]
impl crate::benchmarking::BenchmarkHelper<AccountId> for TestRecords {
	fn create_record(subject: &AccountId, policy: Option<PolicyId>) -> RecordId {
		let id = RECORDS.with(|r| r.borrow().keys().last().map_or(0, |last| last + 1));
		add_record(id, *subject, policy);
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
	GRANT_REVOKED.with(|r| *r.borrow_mut() = false);
	let mut storage = frame_system::GenesisConfig::<Test>::default()
		.build_storage()
		.unwrap();
	pallet_balances::GenesisConfig::<Test> {
		balances: [
			PATIENT,
			OTHER_PATIENT,
			HOSPITAL_A,
			BOARD,
			DOCTOR,
			NURSE,
			MEDIC,
			MALLORY,
			GATEWAY,
		]
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
		test();
		Consent::do_try_state().expect("storage invariants hold");
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
