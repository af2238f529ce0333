//! The denial matrix: for every call of every MedChain pallet, the actors that must not make
//! it are tried against the real runtime and must be refused with the specific error.
//!
//! One "world" is built on the development preset (a patient with a record under a policy,
//! custodians current and revoked, an authority and its attributes, a ticket, a break-glass
//! use, a read receipt, a PRE grant through an admitted proxy, a federated-learning task).
//! Every row then dispatches its call from its actor inside a storage transaction that is
//! rolled back, so rows cannot affect each other.
//!
//! The list of calls comes from the runtime's call metadata ([`GetCallMetadata`]): a call
//! added to a MedChain pallet without a row here fails [`every_call_has_a_denial_row`].

use crate::{
	AccountId, BlockNumber, Consent, Fl, KeyGrants, Records, Runtime, RuntimeCall, RuntimeOrigin,
	System, UNIT,
};
use frame_support::{
	assert_ok,
	storage::{with_transaction, TransactionOutcome},
	traits::GetCallMetadata,
};
use medchain_primitives::Purpose;
use pallet_consent::{OverrideKind, OverrideScope, ReadBasis, ReadRequest, Verdict};
use pallet_fl::{AggregationRule, Aggregator, ModelRef, TaskParams, UpdateInput};
use pallet_key_grants::{Attestation, Claim, GrantProxy, GrantScope};
use pallet_records::{ContentInput, CustodianScope, EncryptionScheme, RecordInput};
use sp_core::{Pair, H256};
use sp_keyring::Sr25519Keyring as Key;
use sp_runtime::traits::Dispatchable;
use sp_runtime::DispatchError;

/// The MedChain pallets whose every call needs a denial row.
const MEDCHAIN_PALLETS: [&str; 6] = [
	"Records",
	"Consent",
	"KeyGrants",
	"Fl",
	"Upgrades",
	"Validators",
];

/// Who is who in the world.
fn id(key: Key) -> AccountId {
	key.to_account_id()
}
const AUTHORITY: Key = Key::Alice;
const PATIENT: Key = Key::Bob;
const CUSTODIAN: Key = Key::Charlie;
const DOCTOR: Key = Key::Dave;
const STRANGER: Key = Key::Eve;
const PROXY: Key = Key::Ferdie;
const GRANTEE: Key = Key::AliceStash;
const OTHER_PATIENT: Key = Key::BobStash;
const REVOKED_CUSTODIAN: Key = Key::CharlieStash;
const COORDINATOR: Key = Key::DaveStash;
const REVOKED_DOCTOR: Key = Key::EveStash;

/// The patient's record (policy 0) and the other patient's record.
const RECORD: u64 = 0;
const OTHER_RECORD: u64 = 1;
const POLICY: u32 = 0;
const GRANT: u64 = 0;
const TASK: u32 = 0;
const BREAK_GLASS: u64 = 0;

fn signed(key: Key) -> RuntimeOrigin {
	RuntimeOrigin::signed(id(key))
}

fn bytes<const N: u32>(
	text: &[u8],
) -> frame_support::BoundedVec<u8, frame_support::traits::ConstU32<N>> {
	text.to_vec().try_into().expect("short")
}

fn content(seed: u8) -> ContentInput {
	let cid = medchain_primitives::cid_v1_raw_sha2_256(&[seed; 32]);
	ContentInput {
		cid: cid.try_into().expect("36 bytes"),
		digest: H256::repeat_byte(seed),
		size: 1024,
		scheme: EncryptionScheme::AeadCpAbeAndPre,
	}
}

fn model(seed: u8) -> ModelRef {
	let cid = medchain_primitives::cid_v1_raw_sha2_256(&[seed; 32]);
	ModelRef {
		cid: cid.try_into().expect("36 bytes"),
		digest: H256::repeat_byte(seed),
	}
}

fn attribute(text: &str) -> pallet_consent::policy::AttributeName {
	text.as_bytes()
		.to_vec()
		.try_into()
		.expect("short attribute")
}

fn read_request(reader: Key, gateway: Key, nonce: u64) -> ReadRequest<AccountId, BlockNumber> {
	ReadRequest {
		record: RECORD,
		digest: H256::repeat_byte(1),
		reader: id(reader),
		gateway: id(gateway),
		basis: ReadBasis::Ticket,
		valid_until: System::block_number() + 5,
		nonce,
	}
}

fn sign_read(
	reader: Key,
	request: &ReadRequest<AccountId, BlockNumber>,
) -> sp_core::sr25519::Signature {
	reader.pair().sign(&Consent::read_request_message(request))
}

/// Builds the world every row starts from.
fn world() {
	System::set_block_number(1);
	let root = RuntimeOrigin::root;

	// Consent: an authority, attributes, a policy.
	assert_ok!(Consent::accredit_authority(
		root(),
		id(AUTHORITY),
		vec![attribute("role:*"), attribute("org:*")]
			.try_into()
			.unwrap()
	));
	for (holder, name) in [
		(DOCTOR, "role:doctor"),
		(DOCTOR, "role:emergency"),
		(REVOKED_DOCTOR, "role:doctor"),
	] {
		assert_ok!(Consent::issue_attribute(
			signed(AUTHORITY),
			id(holder),
			attribute(name),
			None
		));
	}
	assert_ok!(Consent::revoke_attribute(
		signed(AUTHORITY),
		id(REVOKED_DOCTOR),
		attribute("role:doctor")
	));
	assert_ok!(Consent::create_policy(
		signed(PATIENT),
		bytes(br#""role:doctor""#)
	));

	// Records: a custodian, a revoked custodian, the patient's record, another patient's.
	for custodian in [CUSTODIAN, REVOKED_CUSTODIAN] {
		assert_ok!(Records::authorize_custodian(
			signed(PATIENT),
			id(custodian),
			CustodianScope::AllKinds,
			None
		));
	}
	assert_ok!(Records::revoke_custodian(
		signed(PATIENT),
		id(REVOKED_CUSTODIAN)
	));
	assert_ok!(Records::register_record(
		signed(CUSTODIAN),
		id(PATIENT),
		RecordInput {
			content: content(1),
			kind: bytes(b"Observation"),
			policy: Some(POLICY),
		}
	));
	assert_ok!(Records::register_record(
		signed(OTHER_PATIENT),
		id(OTHER_PATIENT),
		RecordInput {
			content: content(2),
			kind: bytes(b"Observation"),
			policy: None,
		}
	));
	assert_ok!(Records::anchor_batch(
		signed(CUSTODIAN),
		H256::repeat_byte(9),
		4
	));

	// A ticket, an override, a break-glass use and a read receipt.
	assert_ok!(Consent::request_access(
		signed(DOCTOR),
		RECORD,
		Purpose::Treatment
	));
	assert_ok!(Consent::set_override(
		signed(PATIENT),
		OverrideScope::Record(RECORD),
		id(OTHER_PATIENT),
		OverrideKind::Deny,
		None,
		None
	));
	assert_ok!(Consent::break_glass(
		signed(DOCTOR),
		RECORD,
		bytes(b"UNCONSCIOUS")
	));
	let request = read_request(DOCTOR, PROXY, 1);
	let signature = sign_read(DOCTOR, &request);
	assert_ok!(Consent::record_read(signed(PROXY), request, signature));

	// Key grants: PRE keys, an admitted proxy, a grant.
	// The stranger has keys too, so that its refusals are about rights, not set-up.
	for who in [PATIENT, GRANTEE, STRANGER] {
		assert_ok!(KeyGrants::register_pre_keys(
			signed(who),
			[0x02; 33],
			[0x03; 33]
		));
	}
	assert_ok!(KeyGrants::register_proxy(
		signed(PROXY),
		[0x02; 33],
		bytes(b"https://proxy.example")
	));
	assert_ok!(KeyGrants::admit_proxy(root(), id(PROXY)));
	assert_ok!(KeyGrants::create_grant(
		signed(PATIENT),
		id(GRANTEE),
		GrantScope::Record(RECORD),
		vec![GrantProxy {
			proxy: id(PROXY),
			kfrag_commitment: H256::repeat_byte(7),
		}]
		.try_into()
		.unwrap(),
		1,
		1_000
	));

	// Federated learning: a task under the policy, the doctor's site joined.
	assert_ok!(Fl::create_task(
		signed(COORDINATOR),
		TaskParams {
			architecture: model(1),
			initial: model(2),
			policy: POLICY,
			min_participants: 1,
			max_rounds: 2,
			round_length: 10,
			challenge_period: 3,
			rule: AggregationRule::FedAvg,
			aggregator: Aggregator::Designated(id(COORDINATOR)),
			epsilon_budget: 3_000,
			reward_pool: 100 * UNIT,
			bond: 10 * UNIT,
			max_samples: 1_000,
		}
	));
	assert_ok!(Fl::join_task(signed(DOCTOR), TASK));
}

/// One denial: `call` from `origin` (described as `actor`) fails with `error`.
struct Row {
	actor: &'static str,
	origin: RuntimeOrigin,
	call: RuntimeCall,
	error: DispatchError,
}

fn row(
	actor: &'static str,
	origin: RuntimeOrigin,
	call: impl Into<RuntimeCall>,
	error: impl Into<DispatchError>,
) -> Row {
	Row {
		actor,
		origin,
		call: call.into(),
		error: error.into(),
	}
}

type RecordsError = pallet_records::Error<Runtime>;
type ConsentError = pallet_consent::Error<Runtime>;
type GrantsError = pallet_key_grants::Error<Runtime>;
type FlError = pallet_fl::Error<Runtime>;
type RecordsCall = pallet_records::Call<Runtime>;
type ConsentCall = pallet_consent::Call<Runtime>;
type GrantsCall = pallet_key_grants::Call<Runtime>;
type FlCall = pallet_fl::Call<Runtime>;

fn unsigned() -> RuntimeOrigin {
	RuntimeOrigin::none()
}

const BAD_ORIGIN: DispatchError = DispatchError::BadOrigin;

/// Every denial row. Built inside the world (some rows sign over the chain's genesis hash).
fn rows() -> Vec<Row> {
	let record_input = |seed| RecordInput {
		content: content(seed),
		kind: bytes(b"Observation"),
		policy: None,
	};
	let receipt = Consent::read_receipts(&id(PATIENT))
		.first()
		.map(|(hash, _)| *hash)
		.expect("the world has a receipt");
	let foreign_read = read_request(DOCTOR, PROXY, 2);
	let foreign_signature = sign_read(DOCTOR, &foreign_read);
	let stranger_attestation = Attestation {
		grant: GRANT,
		proxy: id(STRANGER),
		capsule_hash: H256::repeat_byte(1),
		cfrag_hash: H256::repeat_byte(2),
		served_at: 1,
		request: Default::default(),
	};
	let stranger_signature = STRANGER
		.pair()
		.sign(&KeyGrants::attestation_message(&stranger_attestation));
	vec![
		// ---- Records ----
		row(
			"unsigned",
			unsigned(),
			RecordsCall::authorize_custodian {
				custodian: id(CUSTODIAN),
				scope: CustodianScope::AllKinds,
				expires_at: None,
			},
			BAD_ORIGIN,
		),
		row(
			"stranger",
			signed(STRANGER),
			RecordsCall::revoke_custodian {
				custodian: id(CUSTODIAN),
			},
			RecordsError::CustodianNotFound,
		),
		row(
			"stranger",
			signed(STRANGER),
			RecordsCall::register_record {
				subject: id(PATIENT),
				record: record_input(10),
			},
			RecordsError::NotAuthorized,
		),
		row(
			"revoked custodian",
			signed(REVOKED_CUSTODIAN),
			RecordsCall::register_record {
				subject: id(PATIENT),
				record: record_input(10),
			},
			RecordsError::NotAuthorized,
		),
		row(
			"alias of another patient's CID",
			signed(STRANGER),
			RecordsCall::register_record {
				subject: id(STRANGER),
				record: record_input(1),
			},
			RecordsError::CidInUse,
		),
		row(
			"stranger",
			signed(STRANGER),
			RecordsCall::register_records {
				records: vec![(id(PATIENT), record_input(11))].try_into().unwrap(),
			},
			RecordsError::NotAuthorized,
		),
		row(
			"stranger",
			signed(STRANGER),
			RecordsCall::append_version {
				record: RECORD,
				content: content(12),
			},
			RecordsError::NotAuthorized,
		),
		row(
			"other patient",
			signed(OTHER_PATIENT),
			RecordsCall::append_version {
				record: RECORD,
				content: content(12),
			},
			RecordsError::NotAuthorized,
		),
		row(
			"alias as a version",
			signed(OTHER_PATIENT),
			RecordsCall::append_version {
				record: OTHER_RECORD,
				content: content(1),
			},
			RecordsError::CidInUse,
		),
		row(
			"custodian",
			signed(CUSTODIAN),
			RecordsCall::set_policy {
				record: RECORD,
				policy: None,
				content: content(13),
			},
			RecordsError::NotSubject,
		),
		row(
			"other patient",
			signed(OTHER_PATIENT),
			RecordsCall::set_policy {
				record: RECORD,
				policy: None,
				content: content(13),
			},
			RecordsError::NotSubject,
		),
		row(
			"custodian",
			signed(CUSTODIAN),
			RecordsCall::erase_record { record: RECORD },
			RecordsError::NotSubject,
		),
		row(
			"other patient",
			signed(OTHER_PATIENT),
			RecordsCall::erase_record { record: RECORD },
			RecordsError::NotSubject,
		),
		row(
			"unsigned",
			unsigned(),
			RecordsCall::anchor_batch {
				root: H256::zero(),
				leaf_count: 1,
			},
			BAD_ORIGIN,
		),
		row(
			"stranger",
			signed(STRANGER),
			RecordsCall::remove_anchor { anchor: 0 },
			RecordsError::NotAnchorOwner,
		),
		// ---- Consent ----
		row(
			"stranger",
			signed(STRANGER),
			ConsentCall::accredit_authority {
				authority: id(STRANGER),
				scopes: vec![attribute("role:*")].try_into().unwrap(),
			},
			BAD_ORIGIN,
		),
		row(
			"authority itself",
			signed(AUTHORITY),
			ConsentCall::suspend_authority {
				authority: id(AUTHORITY),
			},
			BAD_ORIGIN,
		),
		row(
			"stranger",
			signed(STRANGER),
			ConsentCall::reinstate_authority {
				authority: id(AUTHORITY),
			},
			BAD_ORIGIN,
		),
		row(
			"stranger",
			signed(STRANGER),
			ConsentCall::withdraw_authority {
				authority: id(AUTHORITY),
			},
			BAD_ORIGIN,
		),
		row(
			"stranger",
			signed(STRANGER),
			ConsentCall::issue_attribute {
				holder: id(STRANGER),
				attribute: attribute("role:doctor"),
				expires_at: None,
			},
			ConsentError::NotAuthority,
		),
		row(
			"authority outside its scope",
			signed(AUTHORITY),
			ConsentCall::issue_attribute {
				holder: id(STRANGER),
				attribute: attribute("license:md"),
				expires_at: None,
			},
			ConsentError::OutsideScope,
		),
		row(
			"stranger",
			signed(STRANGER),
			ConsentCall::revoke_attribute {
				holder: id(DOCTOR),
				attribute: attribute("role:doctor"),
			},
			ConsentError::NotIssuer,
		),
		row(
			"stranger",
			signed(STRANGER),
			ConsentCall::remove_attribute {
				holder: id(DOCTOR),
				attribute: attribute("role:doctor"),
			},
			ConsentError::AttributeStillValid,
		),
		row(
			"unsigned",
			unsigned(),
			ConsentCall::create_policy {
				text: bytes(br#""role:doctor""#),
			},
			BAD_ORIGIN,
		),
		row(
			"stranger",
			signed(STRANGER),
			ConsentCall::remove_policy { policy: POLICY },
			ConsentError::NotPolicyOwner,
		),
		row(
			"owner while a record uses it",
			signed(PATIENT),
			ConsentCall::remove_policy { policy: POLICY },
			ConsentError::PolicyInUse,
		),
		row(
			"stranger",
			signed(STRANGER),
			ConsentCall::set_override {
				scope: OverrideScope::Record(RECORD),
				account: id(DOCTOR),
				kind: OverrideKind::Allow,
				purpose: None,
				expires_at: None,
			},
			ConsentError::NotSubject,
		),
		row(
			"stranger",
			signed(STRANGER),
			ConsentCall::remove_override {
				scope: OverrideScope::Record(RECORD),
				account: id(OTHER_PATIENT),
			},
			ConsentError::OverrideNotFound,
		),
		row(
			"stranger",
			signed(STRANGER),
			ConsentCall::request_access {
				record: RECORD,
				purpose: Purpose::Treatment,
			},
			ConsentError::PolicyNotSatisfied,
		),
		row(
			"revoked holder",
			signed(REVOKED_DOCTOR),
			ConsentCall::request_access {
				record: RECORD,
				purpose: Purpose::Treatment,
			},
			ConsentError::PolicyNotSatisfied,
		),
		row(
			"denied account",
			signed(OTHER_PATIENT),
			ConsentCall::request_access {
				record: RECORD,
				purpose: Purpose::Treatment,
			},
			ConsentError::ExplicitlyDenied,
		),
		row(
			"stranger",
			signed(STRANGER),
			ConsentCall::close_ticket {
				requester: id(DOCTOR),
				record: RECORD,
			},
			ConsentError::TicketStillValid,
		),
		row(
			"stranger",
			signed(STRANGER),
			ConsentCall::break_glass {
				record: RECORD,
				justification: bytes(b"UNCONSCIOUS"),
			},
			ConsentError::NotEmergencyStaff,
		),
		row(
			"revoked holder",
			signed(REVOKED_DOCTOR),
			ConsentCall::break_glass {
				record: RECORD,
				justification: bytes(b"UNCONSCIOUS"),
			},
			ConsentError::NotEmergencyStaff,
		),
		row(
			"stranger",
			signed(STRANGER),
			ConsentCall::review_break_glass {
				subject: id(PATIENT),
				id: BREAK_GLASS,
				verdict: Verdict::Acknowledge,
			},
			ConsentError::NotSubject,
		),
		row(
			"the requester itself",
			signed(DOCTOR),
			ConsentCall::review_break_glass {
				subject: id(PATIENT),
				id: BREAK_GLASS,
				verdict: Verdict::Acknowledge,
			},
			ConsentError::NotSubject,
		),
		row(
			"another gateway",
			signed(STRANGER),
			ConsentCall::record_read {
				request: foreign_read.clone(),
				signature: foreign_signature,
			},
			ConsentError::NotRequestGateway,
		),
		row(
			"forged signature",
			signed(PROXY),
			ConsentCall::record_read {
				request: foreign_read.clone(),
				signature: sign_read(STRANGER, &foreign_read),
			},
			ConsentError::BadSignature,
		),
		// A batch names no single request, so a stranger's or forger's batch is not an
		// error: its reads are dropped (see `a_strangers_batch_lists_nothing`).
		row(
			"unsigned",
			unsigned(),
			ConsentCall::record_reads {
				reads: vec![(foreign_read.clone(), sign_read(DOCTOR, &foreign_read))]
					.try_into()
					.expect("one read"),
			},
			BAD_ORIGIN,
		),
		row(
			"stranger",
			signed(STRANGER),
			ConsentCall::clear_read_receipt {
				subject: id(PATIENT),
				receipt,
			},
			ConsentError::ReceiptRetained,
		),
		row(
			"stranger",
			signed(STRANGER),
			ConsentCall::publish_abe_key {
				hash: H256::repeat_byte(0xab),
			},
			ConsentError::NotAuthority,
		),
		row(
			"unsigned",
			unsigned(),
			ConsentCall::publish_abe_key {
				hash: H256::repeat_byte(0xab),
			},
			BAD_ORIGIN,
		),
		// ---- Key grants ----
		row(
			"unsigned",
			unsigned(),
			GrantsCall::register_pre_keys {
				public_key: [0x02; 33],
				verifying_key: [0x03; 33],
			},
			BAD_ORIGIN,
		),
		row(
			"unsigned",
			unsigned(),
			GrantsCall::remove_pre_keys {},
			BAD_ORIGIN,
		),
		row(
			"an account without keys",
			signed(DOCTOR),
			GrantsCall::remove_pre_keys {},
			GrantsError::NoPreKeys,
		),
		row(
			"owner of a live grant",
			signed(PATIENT),
			GrantsCall::remove_pre_keys {},
			GrantsError::OwnsGrants,
		),
		row(
			"unsigned",
			unsigned(),
			GrantsCall::register_proxy {
				public_key: [0x02; 33],
				endpoint: bytes(b"https://x"),
			},
			BAD_ORIGIN,
		),
		row(
			"the proxy itself",
			signed(PROXY),
			GrantsCall::admit_proxy { proxy: id(PROXY) },
			BAD_ORIGIN,
		),
		row(
			"stranger",
			signed(STRANGER),
			GrantsCall::suspend_proxy { proxy: id(PROXY) },
			BAD_ORIGIN,
		),
		row(
			"stranger",
			signed(STRANGER),
			GrantsCall::slash_proxy {
				proxy: id(PROXY),
				amount: 1,
			},
			BAD_ORIGIN,
		),
		row(
			"stranger",
			signed(STRANGER),
			GrantsCall::unbond_proxy {},
			GrantsError::ProxyNotFound,
		),
		row(
			"stranger",
			signed(STRANGER),
			GrantsCall::withdraw_proxy {},
			GrantsError::ProxyNotFound,
		),
		row(
			"stranger granting another's record",
			signed(STRANGER),
			GrantsCall::create_grant {
				grantee: id(GRANTEE),
				scope: GrantScope::Record(RECORD),
				proxies: vec![GrantProxy {
					proxy: id(PROXY),
					kfrag_commitment: H256::zero(),
				}]
				.try_into()
				.unwrap(),
				threshold: 1,
				expires_at: 1_000,
			},
			GrantsError::NotSubject,
		),
		row(
			"stranger",
			signed(STRANGER),
			GrantsCall::revoke_grant { grant: GRANT },
			GrantsError::NotOwner,
		),
		row(
			"grantee",
			signed(GRANTEE),
			GrantsCall::revoke_grant { grant: GRANT },
			GrantsError::NotOwner,
		),
		row(
			"stranger",
			signed(STRANGER),
			GrantsCall::clear_grant { grant: GRANT },
			GrantsError::GrantNotClearable,
		),
		row(
			"stranger posing as a proxy",
			signed(STRANGER),
			GrantsCall::submit_attestation {
				attestation: stranger_attestation,
				signature: stranger_signature,
			},
			GrantsError::NotGrantProxy,
		),
		row(
			"stranger",
			signed(STRANGER),
			GrantsCall::file_evidence {
				grant: GRANT,
				proxy: id(PROXY),
				claim: Claim::InvalidCfrag {
					capsule_hash: H256::zero(),
					cfrag_hash: H256::zero(),
				},
			},
			GrantsError::NotParty,
		),
		row(
			"stranger",
			signed(STRANGER),
			GrantsCall::adjudicate {
				case: 0,
				verdict: pallet_key_grants::Verdict::Dismiss,
			},
			BAD_ORIGIN,
		),
		// ---- Federated learning ----
		row(
			"unsigned",
			unsigned(),
			FlCall::create_task {
				params: TaskParams {
					architecture: model(1),
					initial: model(2),
					policy: POLICY,
					min_participants: 1,
					max_rounds: 1,
					round_length: 10,
					challenge_period: 3,
					rule: AggregationRule::FedAvg,
					aggregator: Aggregator::AnyParticipant,
					epsilon_budget: 1,
					reward_pool: 0,
					bond: 0,
					max_samples: 1,
				},
			},
			BAD_ORIGIN,
		),
		row(
			"stranger",
			signed(STRANGER),
			FlCall::join_task { task: TASK },
			FlError::PolicyNotSatisfied,
		),
		row(
			"revoked holder",
			signed(REVOKED_DOCTOR),
			FlCall::join_task { task: TASK },
			FlError::PolicyNotSatisfied,
		),
		row(
			"stranger",
			signed(STRANGER),
			FlCall::submit_update {
				task: TASK,
				update: UpdateInput {
					model: model(3),
					samples: 10,
					epsilon: 100,
					metrics: None,
				},
			},
			FlError::NotParticipant,
		),
		row(
			"participant (samples above the cap)",
			signed(DOCTOR),
			FlCall::submit_update {
				task: TASK,
				update: UpdateInput {
					model: model(3),
					samples: u64::MAX,
					epsilon: 100,
					metrics: None,
				},
			},
			FlError::TooManySamples,
		),
		row(
			"participant",
			signed(DOCTOR),
			FlCall::publish_aggregate {
				task: TASK,
				model: model(4),
				used: vec![id(DOCTOR)].try_into().unwrap(),
				rogue: Default::default(),
			},
			FlError::NotAggregator,
		),
		row(
			"stranger",
			signed(STRANGER),
			FlCall::dispute_aggregate {
				task: TASK,
				recomputed: H256::zero(),
			},
			FlError::NotParticipant,
		),
		row(
			"coordinator",
			signed(COORDINATOR),
			FlCall::resolve_dispute {
				task: TASK,
				reject: true,
			},
			BAD_ORIGIN,
		),
		row(
			"unsigned",
			unsigned(),
			FlCall::finalize_round { task: TASK },
			BAD_ORIGIN,
		),
		row(
			"participant",
			signed(DOCTOR),
			FlCall::cancel_task { task: TASK },
			FlError::NotCoordinator,
		),
		row(
			"unsigned",
			unsigned(),
			FlCall::purge_round {
				task: TASK,
				round: 1,
			},
			BAD_ORIGIN,
		),
		row(
			"stranger, while the task runs",
			signed(STRANGER),
			FlCall::purge_round {
				task: TASK,
				round: 1,
			},
			FlError::TaskStillRunning,
		),
		// ---- Governance bridges ----
		row(
			"stranger",
			signed(STRANGER),
			pallet_upgrades::Call::<Runtime>::authorize_upgrade {
				code_hash: H256::zero(),
			},
			BAD_ORIGIN,
		),
		row(
			"validator",
			signed(AUTHORITY),
			pallet_validators::Call::<Runtime>::add_validator {
				validator: id(STRANGER),
			},
			BAD_ORIGIN,
		),
		row(
			"stranger",
			signed(STRANGER),
			pallet_validators::Call::<Runtime>::remove_validator {
				validator: id(AUTHORITY),
			},
			BAD_ORIGIN,
		),
	]
}

/// Runs `test` in the world (development preset, then [`world`]).
fn in_world(test: impl FnOnce()) {
	super::tests::with_preset_state(sp_genesis_builder::DEV_RUNTIME_PRESET, || {
		world();
		test();
	});
}

#[test]
fn every_denial_row_is_refused_with_its_error() {
	in_world(|| {
		let rows = rows();
		let mut failures = Vec::new();
		for row in &rows {
			let name = row.call.get_call_metadata();
			let result = with_transaction(|| {
				let result = row
					.call
					.clone()
					.dispatch(row.origin.clone())
					.map(|_| ())
					.map_err(|e| e.error);
				TransactionOutcome::Rollback(Ok::<_, DispatchError>(result))
			})
			.expect("rolled back");
			if result != Err(row.error) {
				failures.push(format!(
					"{}.{} by {}: expected {:?}, got {result:?}",
					name.pallet_name, name.function_name, row.actor, row.error
				));
			}
		}
		assert!(
			failures.is_empty(),
			"{} of {} denial rows failed:\n{}",
			failures.len(),
			rows.len(),
			failures.join("\n")
		);
		println!(
			"denial matrix: {} rows, all refused with their errors",
			rows.len()
		);
	});
}

#[test]
fn every_call_has_a_denial_row() {
	in_world(|| {
		let covered: std::collections::BTreeSet<(String, String)> = rows()
			.iter()
			.map(|r| {
				let m = r.call.get_call_metadata();
				(m.pallet_name.to_string(), m.function_name.to_string())
			})
			.collect();
		let mut missing = Vec::new();
		let mut calls = 0;
		for pallet in MEDCHAIN_PALLETS {
			assert!(
				RuntimeCall::get_module_names().contains(&pallet),
				"{pallet} is not in the runtime"
			);
			for call in RuntimeCall::get_call_names(pallet) {
				calls += 1;
				if !covered.contains(&(pallet.to_string(), call.to_string())) {
					missing.push(format!("{pallet}.{call}"));
				}
			}
		}
		assert!(
			missing.is_empty(),
			"calls without a denial row: {}",
			missing.join(", ")
		);
		println!(
			"denial matrix covers all {calls} calls of {} MedChain pallets",
			MEDCHAIN_PALLETS.len()
		);
	});
}

/// A batch of reads submitted by someone other than the gateway they name, or with forged
/// signatures, lists nothing and holds nothing: the dispatch succeeds and drops every read.
#[test]
fn a_strangers_batch_lists_nothing() {
	in_world(|| {
		let receipts = Consent::read_receipts(&id(PATIENT)).len();
		let read = read_request(DOCTOR, PROXY, 3);
		let honest = sign_read(DOCTOR, &read);
		let forged = sign_read(STRANGER, &read);
		for (who, signature) in [(STRANGER, honest), (PROXY, forged)] {
			let reads = vec![(read.clone(), signature)]
				.try_into()
				.expect("one read");
			assert_ok!(Consent::record_reads(signed(who), reads));
			System::assert_last_event(
				pallet_consent::Event::<Runtime>::ReadsRecorded {
					gateway: id(who),
					outcome: pallet_consent::ReadBatchOutcome {
						rejected: 1,
						..Default::default()
					},
				}
				.into(),
			);
		}
		assert_eq!(Consent::read_receipts(&id(PATIENT)).len(), receipts);
	});
}

/// The world holds what the rows rely on.
#[test]
fn the_world_holds_a_record_a_receipt_a_grant_and_a_task() {
	in_world(|| {
		assert_eq!(Records::content_anchor(&content(1).cid), Some((RECORD, 1)));
		assert_eq!(Consent::read_receipts(&id(PATIENT)).len(), 1);
		assert!(KeyGrants::grant_active_for(GRANT, &id(PROXY), RECORD));
		assert!(pallet_fl::Tasks::<Runtime>::contains_key(TASK));
		assert!(Consent::live_ticket(&id(DOCTOR), RECORD).is_some());
	});
}
