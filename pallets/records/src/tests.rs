//! Unit tests: every call's happy path, every error path, deposits and invariants
//! (`do_try_state` runs after each test, see `mock::new_test_ext`).

use crate::{
	content_id::tests::cid_v1, merkle, mock::*, types::*, AnchorCount, Anchors, CustodianCount,
	Custodians, Error, Event, HoldReason, SubjectRecords, Tombstones, Versions,
};
use frame_support::{
	assert_noop, assert_ok,
	traits::fungible::{Inspect, InspectHold, Mutate},
	BoundedVec,
};
use sp_core::H256;

pub(crate) fn content(seed: u8) -> ContentInput {
	ContentInput {
		cid: cid_v1(0x55, [seed; 32]).try_into().unwrap(),
		digest: H256::repeat_byte(seed),
		size: 1024,
		scheme: EncryptionScheme::AeadCpAbeAndPre,
	}
}

/// Version `number` of live record `id`: its current version (stored with it) or a
/// superseded one (in `Versions`).
fn version_of(id: u64, number: VersionNumber) -> Option<crate::VersionOf<Test>> {
	let stored = crate::Records::<Test>::get(id)?;
	if stored.record.current_version == number {
		Some(stored.head)
	} else {
		Versions::<Test>::get(id, number)
	}
}

pub(crate) fn kind(name: &str) -> RecordKind {
	name.as_bytes().to_vec().try_into().unwrap()
}

pub(crate) fn input(seed: u8, record_kind: &str, policy: Option<u32>) -> RecordInput<u32> {
	RecordInput {
		content: content(seed),
		kind: kind(record_kind),
		policy,
	}
}

fn scope(kinds: &[&str]) -> crate::CustodianScopeOf<Test> {
	CustodianScope::Kinds(
		kinds
			.iter()
			.map(|k| kind(k))
			.collect::<Vec<_>>()
			.try_into()
			.unwrap(),
	)
}

fn held(who: AccountId, reason: HoldReason) -> Balance {
	Balances::balance_on_hold(&RuntimeHoldReason::Records(reason), &who)
}

fn last_event() -> Event<Test> {
	System::events()
		.into_iter()
		.rev()
		.find_map(|record| match record.event {
			RuntimeEvent::Records(event) => Some(event),
			_ => None,
		})
		.expect("an event was emitted")
}

fn authorize_hospital(record_scope: crate::CustodianScopeOf<Test>, expires_at: Option<u64>) {
	assert_ok!(Records::authorize_custodian(
		RuntimeOrigin::signed(ALICE),
		HOSPITAL,
		record_scope,
		expires_at
	));
}

// ---- custodian authorisation ----

#[test]
fn authorize_custodian_stores_scope_and_holds_deposit() {
	new_test_ext(|| {
		authorize_hospital(scope(&["Observation"]), Some(100));
		let stored = Custodians::<Test>::get(ALICE, HOSPITAL).unwrap();
		assert_eq!(stored.scope, scope(&["Observation"]));
		assert_eq!(stored.expires_at, Some(100));
		assert_eq!(stored.deposit, CUSTODIAN_DEPOSIT);
		assert_eq!(CustodianCount::<Test>::get(ALICE), 1);
		assert_eq!(
			held(ALICE, HoldReason::CustodianAuthorization),
			CUSTODIAN_DEPOSIT
		);
		assert_eq!(
			last_event(),
			Event::CustodianAuthorized {
				subject: ALICE,
				custodian: HOSPITAL,
				scope: scope(&["Observation"]),
				expires_at: Some(100)
			}
		);
	});
}

#[test]
fn reauthorizing_updates_scope_without_second_deposit() {
	new_test_ext(|| {
		authorize_hospital(scope(&["Observation"]), None);
		authorize_hospital(CustodianScope::AllKinds, Some(50));
		let stored = Custodians::<Test>::get(ALICE, HOSPITAL).unwrap();
		assert_eq!(stored.scope, CustodianScope::AllKinds);
		assert_eq!(stored.expires_at, Some(50));
		assert_eq!(CustodianCount::<Test>::get(ALICE), 1);
		assert_eq!(
			held(ALICE, HoldReason::CustodianAuthorization),
			CUSTODIAN_DEPOSIT
		);
	});
}

#[test]
fn authorize_custodian_rejects_bad_input() {
	new_test_ext(|| {
		let origin = || RuntimeOrigin::signed(ALICE);
		assert_noop!(
			Records::authorize_custodian(origin(), ALICE, CustodianScope::AllKinds, None),
			Error::<Test>::CannotAuthorizeSelf
		);
		assert_noop!(
			Records::authorize_custodian(origin(), HOSPITAL, CustodianScope::AllKinds, Some(1)),
			Error::<Test>::ExpiryInPast
		);
		assert_noop!(
			Records::authorize_custodian(origin(), HOSPITAL, scope(&[]), None),
			Error::<Test>::EmptyScope
		);
		assert_noop!(
			Records::authorize_custodian(origin(), HOSPITAL, scope(&["Bad Kind"]), None),
			Error::<Test>::InvalidKind
		);
		assert_noop!(
			Records::authorize_custodian(
				RuntimeOrigin::signed(POOR),
				HOSPITAL,
				CustodianScope::AllKinds,
				None
			),
			Error::<Test>::InsufficientDeposit
		);
	});
}

#[test]
fn custodians_per_subject_are_bounded() {
	new_test_ext(|| {
		authorize_hospital(CustodianScope::AllKinds, None);
		assert_ok!(Records::authorize_custodian(
			RuntimeOrigin::signed(ALICE),
			LAB,
			CustodianScope::AllKinds,
			None
		));
		assert_noop!(
			Records::authorize_custodian(
				RuntimeOrigin::signed(ALICE),
				MALLORY,
				CustodianScope::AllKinds,
				None
			),
			Error::<Test>::TooManyCustodians
		);
	});
}

#[test]
fn revoke_custodian_releases_deposit_and_stops_writes() {
	new_test_ext(|| {
		authorize_hospital(CustodianScope::AllKinds, None);
		assert_ok!(Records::revoke_custodian(
			RuntimeOrigin::signed(ALICE),
			HOSPITAL
		));
		assert!(Custodians::<Test>::get(ALICE, HOSPITAL).is_none());
		assert!(!CustodianCount::<Test>::contains_key(ALICE));
		assert_eq!(held(ALICE, HoldReason::CustodianAuthorization), 0);
		assert_eq!(Balances::balance(&ALICE), INITIAL_BALANCE);
		assert_eq!(
			last_event(),
			Event::CustodianRevoked {
				subject: ALICE,
				custodian: HOSPITAL
			}
		);
		assert_noop!(
			Records::register_record(
				RuntimeOrigin::signed(HOSPITAL),
				ALICE,
				input(1, "Observation", None)
			),
			Error::<Test>::NotAuthorized
		);
		assert_noop!(
			Records::revoke_custodian(RuntimeOrigin::signed(ALICE), HOSPITAL),
			Error::<Test>::CustodianNotFound
		);
	});
}

// ---- registering ----

#[test]
fn subject_registers_own_record() {
	new_test_ext(|| {
		assert_ok!(Records::register_record(
			RuntimeOrigin::signed(ALICE),
			ALICE,
			input(1, "Observation", Some(1))
		));
		let record = crate::Records::<Test>::get(0).unwrap().record;
		assert_eq!(record.subject, ALICE);
		assert_eq!(record.kind, kind("Observation"));
		assert_eq!(record.policy, Some(1));
		assert_eq!(record.current_version, 1);
		assert_eq!(record.created_at, 1);
		let version = version_of(0, 1).unwrap();
		assert_eq!(version.cid, content(1).cid);
		assert_eq!(version.digest, H256::repeat_byte(1));
		assert_eq!(version.size, 1024);
		assert_eq!(version.custodian, ALICE);
		assert_eq!(version.status, VersionStatus::Active);
		assert_eq!(version.previous, None);
		assert!(SubjectRecords::<Test>::contains_key(ALICE, 0));
		assert_eq!(held(ALICE, HoldReason::RecordVersion), VERSION_DEPOSIT);
		assert_eq!(
			last_event(),
			Event::RecordRegistered {
				record: 0,
				subject: ALICE,
				custodian: ALICE,
				kind: kind("Observation"),
				cid: content(1).cid,
				digest: H256::repeat_byte(1),
				policy: Some(1),
			}
		);
	});
}

// The weight charged up front is the custodian's (authorisation read, scope checked); only
// the subject writing about itself, which skips both, gets the difference back. A custodian
// writing about someone else, or a stranger refused, pays the full weight.
#[test]
fn only_a_subject_registering_its_own_record_is_refunded() {
	use crate::WeightInfo;
	use frame_support::dispatch::GetDispatchInfo;
	new_test_ext(|| {
		let call = |subject| crate::Call::<Test>::register_record {
			subject,
			record: input(1, "Observation", Some(1)),
		};
		let declared = call(ALICE).get_dispatch_info().call_weight;
		assert_eq!(
			declared,
			<() as WeightInfo>::register_record().max(<() as WeightInfo>::register_own_record())
		);
		// A record without a policy is charged without the policy's reads and write.
		let no_policy = crate::Call::<Test>::register_record {
			subject: ALICE,
			record: input(1, "Observation", None),
		};
		assert_eq!(
			no_policy.get_dispatch_info().call_weight,
			<() as WeightInfo>::register_record_without_policy()
				.max(<() as WeightInfo>::register_own_record_without_policy())
		);
		// Cheaper in time; the proof may be no larger (the custodian's entry dominates it).
		let without = no_policy.get_dispatch_info().call_weight;
		assert!(without.ref_time() < declared.ref_time() && without.all_lte(declared));

		let own = Records::register_record(
			RuntimeOrigin::signed(ALICE),
			ALICE,
			input(1, "Observation", Some(1)),
		)
		.unwrap();
		assert_eq!(
			own.actual_weight,
			Some(<() as WeightInfo>::register_own_record())
		);

		authorize_hospital(scope(&["Observation"]), None);
		let custodian = Records::register_record(
			RuntimeOrigin::signed(HOSPITAL),
			ALICE,
			input(2, "Observation", None),
		)
		.unwrap();
		assert_eq!(custodian.actual_weight, None);

		let refused = Records::register_record(
			RuntimeOrigin::signed(MALLORY),
			ALICE,
			input(3, "Observation", None),
		)
		.unwrap_err();
		assert_eq!(refused.post_info.actual_weight, None);
		assert_eq!(refused.error, Error::<Test>::NotAuthorized.into());
	});
}

// A batch is charged per record with and without a policy, every policy as its own.
#[test]
fn a_batch_is_charged_for_the_policies_it_names() {
	use crate::WeightInfo;
	use frame_support::dispatch::GetDispatchInfo;
	let batch = |policies: [Option<u32>; 3]| crate::Call::<Test>::register_records {
		records: policies
			.iter()
			.enumerate()
			.map(|(i, policy)| (ALICE, input(i as u8, "Observation", *policy)))
			.collect::<Vec<_>>()
			.try_into()
			.unwrap(),
	};
	let mixed = batch([Some(1), None, Some(2)])
		.get_dispatch_info()
		.call_weight;
	assert_eq!(mixed, <() as WeightInfo>::register_records(1, 2));
	let none = batch([None; 3]).get_dispatch_info().call_weight;
	assert_eq!(none, <() as WeightInfo>::register_records(3, 0));
	assert!(none.ref_time() < mixed.ref_time() && none.all_lte(mixed));
}

// NextRecordId is whitelisted from the registration benchmarks; every block pays for its one
// database read and write instead.
#[test]
fn every_block_pays_for_the_record_counter() {
	use frame_support::traits::Hooks;
	new_test_ext(|| {
		assert_eq!(
			<Records as Hooks<u64>>::on_initialize(2),
			<Test as frame_system::Config>::DbWeight::get().reads_writes(1, 1)
		);
		assert!(<Records as Hooks<u64>>::on_initialize(2).ref_time() > 0);
	});
}

#[test]
fn authorised_custodian_registers_and_pays_deposit() {
	new_test_ext(|| {
		authorize_hospital(scope(&["Observation", "ImagingStudy"]), Some(10));
		assert_ok!(Records::register_record(
			RuntimeOrigin::signed(HOSPITAL),
			ALICE,
			input(2, "ImagingStudy", None)
		));
		assert_eq!(version_of(0, 1).unwrap().custodian, HOSPITAL);
		assert_eq!(held(HOSPITAL, HoldReason::RecordVersion), VERSION_DEPOSIT);
		assert_eq!(held(ALICE, HoldReason::RecordVersion), 0);
	});
}

#[test]
fn writes_outside_authorisation_fail_with_specific_errors() {
	new_test_ext(|| {
		let write = |who| {
			Records::register_record(
				RuntimeOrigin::signed(who),
				ALICE,
				input(1, "Observation", None),
			)
		};
		assert_noop!(write(MALLORY), Error::<Test>::NotAuthorized);

		authorize_hospital(scope(&["ImagingStudy"]), Some(5));
		assert_noop!(write(HOSPITAL), Error::<Test>::KindNotInScope);

		authorize_hospital(CustodianScope::AllKinds, Some(5));
		run_to_block(5);
		assert_noop!(write(HOSPITAL), Error::<Test>::AuthorizationExpired);
		// Authorised for Alice says nothing about Bob.
		assert_noop!(
			Records::register_record(
				RuntimeOrigin::signed(HOSPITAL),
				BOB,
				input(1, "Observation", None)
			),
			Error::<Test>::NotAuthorized
		);
	});
}

#[test]
fn register_rejects_malformed_content() {
	new_test_ext(|| {
		let register = |input: RecordInput<u32>| {
			Records::register_record(RuntimeOrigin::signed(ALICE), ALICE, input)
		};
		let with_cid = |bytes: Vec<u8>| {
			let mut record = input(1, "Observation", None);
			record.content.cid = bytes.try_into().unwrap();
			record
		};
		assert_noop!(
			register(with_cid(vec![1, 2, 3])),
			Error::<Test>::MalformedCid
		);
		let mut v0 = vec![0x12, 0x20];
		v0.extend_from_slice(&[9; 32]);
		assert_noop!(register(with_cid(v0)), Error::<Test>::CidNotVersion1);
		assert_noop!(
			register(with_cid(cid_v1(0x71, [9; 32]))),
			Error::<Test>::UnsupportedCidCodec
		);
		assert_noop!(
			register(with_cid(vec![0x01, 0x55, 0x00, 0x02, 7, 7])),
			Error::<Test>::UnsupportedMultihash
		);
		let mut empty = input(1, "Observation", None);
		empty.content.size = 0;
		assert_noop!(register(empty), Error::<Test>::EmptyContent);
		for bad_kind in ["", "9Lives", "Has Space", "dash-ed"] {
			let mut record = input(1, "Observation", None);
			record.kind = kind(bad_kind);
			assert_noop!(register(record), Error::<Test>::InvalidKind);
		}
		assert_noop!(
			register(input(1, "Observation", Some(77))),
			Error::<Test>::PolicyNotFound
		);
		assert_noop!(
			Records::register_record(
				RuntimeOrigin::signed(POOR),
				POOR,
				input(1, "Observation", None)
			),
			Error::<Test>::InsufficientDeposit
		);
	});
}

#[test]
fn a_subjects_records_are_listed_a_page_at_a_time() {
	new_test_ext(|| {
		// No cap on a subject's records (storage is paid for by deposits); each is listed.
		for seed in 0..7 {
			assert_ok!(Records::register_record(
				RuntimeOrigin::signed(ALICE),
				ALICE,
				input(seed, "Observation", None)
			));
		}
		assert_ok!(Records::register_record(
			RuntimeOrigin::signed(BOB),
			BOB,
			input(9, "Observation", None)
		));
		let mut listed = Vec::new();
		let mut after = None;
		loop {
			let page = Records::records_of(&ALICE, after, 3);
			assert!(page.len() <= 3);
			let Some((last, _)) = page.last() else { break };
			after = Some(*last);
			listed.extend(page.iter().map(|(id, record)| {
				assert_eq!(record.subject, ALICE);
				*id
			}));
		}
		listed.sort();
		assert_eq!(listed, (0..7).collect::<Vec<_>>());
		// Erased records leave the listing.
		assert_ok!(Records::erase_record(RuntimeOrigin::signed(ALICE), 0));
		assert_eq!(Records::records_of(&ALICE, None, 100).len(), 6);
	});
}

#[test]
fn a_page_is_capped_whatever_the_caller_asks() {
	new_test_ext(|| {
		let many = crate::MAX_PAGE + 2;
		for seed in 0..many {
			crate::Records::<Test>::insert(
				u64::from(seed),
				crate::LiveRecord {
					record: crate::Record {
						subject: ALICE,
						kind: kind("Observation"),
						policy: None,
						created_at: 1,
						updated_at: 1,
						current_version: 1,
					},
					head: Version::active(&content(1), ALICE, 0, 1, None),
				},
			);
			SubjectRecords::<Test>::insert(ALICE, u64::from(seed), ());
		}
		assert_eq!(
			Records::records_of(&ALICE, None, u32::MAX).len(),
			crate::MAX_PAGE as usize
		);
		// Only the listing was under test: this hand-made state has no CID index.
		let _ = crate::Records::<Test>::clear(u32::MAX, None);
		let _ = SubjectRecords::<Test>::clear(u32::MAX, None);
	});
}

#[test]
fn batch_registers_for_several_subjects_atomically() {
	new_test_ext(|| {
		authorize_hospital(CustodianScope::AllKinds, None);
		assert_ok!(Records::authorize_custodian(
			RuntimeOrigin::signed(BOB),
			HOSPITAL,
			CustodianScope::AllKinds,
			None
		));
		let batch: BoundedVec<_, _> = vec![
			(ALICE, input(1, "Observation", None)),
			(BOB, input(2, "Observation", None)),
			(ALICE, input(3, "DiagnosticReport", Some(2))),
		]
		.try_into()
		.unwrap();
		assert_ok!(Records::register_records(
			RuntimeOrigin::signed(HOSPITAL),
			batch
		));
		assert_eq!(Records::records_of(&ALICE, None, 10).len(), 2);
		assert_eq!(Records::records_of(&BOB, None, 10).len(), 1);
		assert_eq!(
			held(HOSPITAL, HoldReason::RecordVersion),
			3 * VERSION_DEPOSIT
		);

		// One bad entry (Mallory never authorised the hospital) rolls back the whole batch.
		let bad: BoundedVec<_, _> = vec![
			(ALICE, input(4, "Observation", None)),
			(MALLORY, input(5, "Observation", None)),
		]
		.try_into()
		.unwrap();
		assert_noop!(
			Records::register_records(RuntimeOrigin::signed(HOSPITAL), bad),
			Error::<Test>::NotAuthorized
		);
		assert_noop!(
			Records::register_records(RuntimeOrigin::signed(HOSPITAL), BoundedVec::new()),
			Error::<Test>::EmptyBatch
		);
	});
}

#[test]
fn a_batch_holds_its_deposits_at_once() {
	new_test_ext(|| {
		authorize_hospital(CustodianScope::AllKinds, None);
		System::reset_events();
		// As many records as one patient may have (the mock allows four).
		let batch: BoundedVec<_, _> = (1..=4)
			.map(|seed| (ALICE, input(seed, "Observation", None)))
			.collect::<Vec<_>>()
			.try_into()
			.unwrap();
		assert_ok!(Records::register_records(
			RuntimeOrigin::signed(HOSPITAL),
			batch
		));
		assert_eq!(
			held(HOSPITAL, HoldReason::RecordVersion),
			4 * VERSION_DEPOSIT
		);
		let holds = System::events()
			.iter()
			.filter(|record| {
				matches!(
					record.event,
					RuntimeEvent::Balances(pallet_balances::Event::Held { .. })
				)
			})
			.count();
		assert_eq!(holds, 1, "one hold for the batch");
		// Each version still records the deposit that erasing it gives back.
		for record in 0..4 {
			assert_eq!(
				version_of(record, 1).map(|v| v.deposit),
				Some(VERSION_DEPOSIT)
			);
		}
	});
}

#[test]
fn a_writer_who_cannot_hold_every_deposit_of_a_batch_registers_nothing() {
	new_test_ext(|| {
		// Enough for one deposit and the existential deposit, not for two.
		let writer = POOR;
		Balances::set_balance(&writer, VERSION_DEPOSIT + VERSION_DEPOSIT / 2);
		let batch: BoundedVec<_, _> = vec![
			(writer, input(1, "Observation", None)),
			(writer, input(2, "Observation", None)),
		]
		.try_into()
		.unwrap();
		assert_noop!(
			Records::register_records(RuntimeOrigin::signed(writer), batch),
			Error::<Test>::InsufficientDeposit
		);
		assert!(Records::records_of(&writer, None, 10).is_empty());
		// One record it can pay for.
		let one: BoundedVec<_, _> = vec![(writer, input(1, "Observation", None))]
			.try_into()
			.unwrap();
		assert_ok!(Records::register_records(
			RuntimeOrigin::signed(writer),
			one
		));
		assert_eq!(held(writer, HoldReason::RecordVersion), VERSION_DEPOSIT);
	});
}

// ---- versions ----

#[test]
fn append_version_supersedes_and_keeps_history() {
	new_test_ext(|| {
		authorize_hospital(CustodianScope::AllKinds, None);
		assert_ok!(Records::register_record(
			RuntimeOrigin::signed(HOSPITAL),
			ALICE,
			input(1, "Observation", None)
		));
		run_to_block(3);
		assert_ok!(Records::append_version(
			RuntimeOrigin::signed(HOSPITAL),
			0,
			content(2)
		));
		assert_eq!(
			last_event(),
			Event::VersionAppended {
				record: 0,
				version: 2,
				custodian: HOSPITAL,
				cid: content(2).cid,
				digest: H256::repeat_byte(2)
			}
		);
		let record = crate::Records::<Test>::get(0).unwrap().record;
		assert_eq!(record.current_version, 2);
		assert_eq!(record.updated_at, 3);
		assert_eq!(version_of(0, 1).unwrap().status, VersionStatus::Superseded);
		let second = version_of(0, 2).unwrap();
		assert_eq!(second.status, VersionStatus::Active);
		assert_eq!(second.previous, Some(1));
		assert_eq!(
			held(HOSPITAL, HoldReason::RecordVersion),
			2 * VERSION_DEPOSIT
		);

		match Records::record_view(0).unwrap() {
			RecordView::Live { record, versions } => {
				assert_eq!(record.current_version, 2);
				assert_eq!(
					versions.iter().map(|v| v.digest).collect::<Vec<_>>(),
					vec![H256::repeat_byte(1), H256::repeat_byte(2)]
				);
			}
			RecordView::Erased(_) => panic!("record is live"),
		}
	});
}

#[test]
fn append_version_error_paths() {
	new_test_ext(|| {
		assert_noop!(
			Records::append_version(RuntimeOrigin::signed(ALICE), 0, content(1)),
			Error::<Test>::RecordNotFound
		);
		assert_ok!(Records::register_record(
			RuntimeOrigin::signed(ALICE),
			ALICE,
			input(1, "Observation", None)
		));
		assert_noop!(
			Records::append_version(RuntimeOrigin::signed(MALLORY), 0, content(2)),
			Error::<Test>::NotAuthorized
		);
		let mut bad = content(2);
		bad.cid = vec![0u8; 4].try_into().unwrap();
		assert_noop!(
			Records::append_version(RuntimeOrigin::signed(ALICE), 0, bad),
			Error::<Test>::MalformedCid
		);
		assert_ok!(Records::append_version(
			RuntimeOrigin::signed(ALICE),
			0,
			content(2)
		));
		assert_ok!(Records::append_version(
			RuntimeOrigin::signed(ALICE),
			0,
			content(3)
		));
		assert_noop!(
			Records::append_version(RuntimeOrigin::signed(ALICE), 0, content(4)),
			Error::<Test>::TooManyVersions
		);
		assert_ok!(Records::erase_record(RuntimeOrigin::signed(ALICE), 0));
		assert_noop!(
			Records::append_version(RuntimeOrigin::signed(ALICE), 0, content(5)),
			Error::<Test>::RecordErased
		);
	});
}

// ---- policy ----

#[test]
fn subject_changes_policy_with_a_resealed_version() {
	new_test_ext(|| {
		authorize_hospital(CustodianScope::AllKinds, None);
		assert_ok!(Records::register_record(
			RuntimeOrigin::signed(HOSPITAL),
			ALICE,
			input(1, "Observation", Some(1))
		));
		assert_ok!(Records::set_policy(
			RuntimeOrigin::signed(ALICE),
			0,
			Some(2),
			content(2)
		));
		let record = crate::Records::<Test>::get(0).unwrap().record;
		assert_eq!(record.policy, Some(2));
		// The policy change brought the content sealed under it as the current version.
		assert_eq!(record.current_version, 2);
		assert_eq!(version_of(0, 2).unwrap().cid, content(2).cid);
		assert_eq!(version_of(0, 1).unwrap().status, VersionStatus::Superseded);
		// The subject pays for the version it wrote.
		assert_eq!(held(ALICE, HoldReason::RecordVersion), VERSION_DEPOSIT);
		assert_eq!(
			last_event(),
			Event::PolicyChanged {
				record: 0,
				version: 2,
				policy: Some(2)
			}
		);
		assert_eq!(policy_users(1), Some(0));
		assert_eq!(policy_users(2), Some(1));
		assert_ok!(Records::set_policy(
			RuntimeOrigin::signed(ALICE),
			0,
			None,
			content(3)
		));
		assert_eq!(crate::Records::<Test>::get(0).unwrap().record.policy, None);
		assert_eq!(policy_users(2), Some(0));
	});
}

#[test]
fn set_policy_error_paths() {
	new_test_ext(|| {
		authorize_hospital(CustodianScope::AllKinds, None);
		assert_ok!(Records::register_record(
			RuntimeOrigin::signed(HOSPITAL),
			ALICE,
			input(1, "Observation", Some(1))
		));
		// The custodian wrote it, but only the subject decides who may read it.
		assert_noop!(
			Records::set_policy(RuntimeOrigin::signed(HOSPITAL), 0, Some(2), content(2)),
			Error::<Test>::NotSubject
		);
		assert_noop!(
			Records::set_policy(RuntimeOrigin::signed(MALLORY), 0, None, content(2)),
			Error::<Test>::NotSubject
		);
		assert_noop!(
			Records::set_policy(RuntimeOrigin::signed(ALICE), 0, Some(42), content(2)),
			Error::<Test>::PolicyNotFound
		);
		assert_noop!(
			Records::set_policy(RuntimeOrigin::signed(ALICE), 7, None, content(2)),
			Error::<Test>::RecordNotFound
		);
		// The content must be new: the old ciphertext is sealed under the old policy.
		assert_noop!(
			Records::set_policy(RuntimeOrigin::signed(ALICE), 0, Some(2), content(1)),
			Error::<Test>::CidInUse
		);
		let mut bad = content(2);
		bad.size = 0;
		assert_noop!(
			Records::set_policy(RuntimeOrigin::signed(ALICE), 0, Some(2), bad),
			Error::<Test>::EmptyContent
		);
		assert_ok!(Records::set_policy(
			RuntimeOrigin::signed(ALICE),
			0,
			Some(2),
			content(2)
		));
		assert_ok!(Records::set_policy(
			RuntimeOrigin::signed(ALICE),
			0,
			Some(1),
			content(3)
		));
		assert_noop!(
			Records::set_policy(RuntimeOrigin::signed(ALICE), 0, Some(2), content(4)),
			Error::<Test>::TooManyVersions
		);
	});
}

// ---- CID aliasing (one record per CID) ----

#[test]
fn a_stranger_cannot_alias_a_victims_cid() {
	new_test_ext(|| {
		authorize_hospital(CustodianScope::AllKinds, None);
		assert_ok!(Records::register_record(
			RuntimeOrigin::signed(HOSPITAL),
			ALICE,
			input(1, "Observation", Some(1))
		));
		assert_eq!(Records::content_anchor(&content(1).cid), Some((0, 1)));

		// Mallory, unrelated to Alice, names Alice's CID for a record about herself ...
		assert_noop!(
			Records::register_record(
				RuntimeOrigin::signed(MALLORY),
				MALLORY,
				input(1, "Observation", None)
			),
			Error::<Test>::CidInUse
		);
		// ... or as a new version of her own record, or inside a batch.
		assert_ok!(Records::register_record(
			RuntimeOrigin::signed(MALLORY),
			MALLORY,
			input(9, "Observation", None)
		));
		assert_noop!(
			Records::append_version(RuntimeOrigin::signed(MALLORY), 1, content(1)),
			Error::<Test>::CidInUse
		);
		let batch: BoundedVec<_, _> = vec![
			(MALLORY, input(8, "Observation", None)),
			(MALLORY, input(1, "Observation", None)),
		]
		.try_into()
		.unwrap();
		assert_noop!(
			Records::register_records(RuntimeOrigin::signed(MALLORY), batch),
			Error::<Test>::CidInUse
		);
		// Her erasure names only her own CIDs, never Alice's.
		assert_ok!(Records::erase_record(RuntimeOrigin::signed(MALLORY), 1));
		assert_eq!(
			last_event(),
			Event::RecordErased {
				record: 1,
				subject: MALLORY,
				cids: vec![content(9).cid].try_into().unwrap()
			}
		);
		assert_eq!(Records::content_anchor(&content(1).cid), Some((0, 1)));
		assert_eq!(Records::content_anchor(&content(9).cid), None);
	});
}

#[test]
fn a_batch_cannot_name_one_cid_twice() {
	new_test_ext(|| {
		let batch: BoundedVec<_, _> = vec![
			(ALICE, input(1, "Observation", None)),
			(ALICE, input(1, "Observation", None)),
		]
		.try_into()
		.unwrap();
		assert_noop!(
			Records::register_records(RuntimeOrigin::signed(ALICE), batch),
			Error::<Test>::CidInUse
		);
	});
}

#[test]
fn a_record_cannot_reuse_its_own_earlier_cid() {
	new_test_ext(|| {
		assert_ok!(Records::register_record(
			RuntimeOrigin::signed(ALICE),
			ALICE,
			input(1, "Observation", None)
		));
		assert_ok!(Records::append_version(
			RuntimeOrigin::signed(ALICE),
			0,
			content(2)
		));
		assert_noop!(
			Records::append_version(RuntimeOrigin::signed(ALICE), 0, content(1)),
			Error::<Test>::CidInUse
		);
		assert_eq!(Records::content_anchor(&content(1).cid), Some((0, 1)));
		assert_eq!(Records::content_anchor(&content(2).cid), Some((0, 2)));
	});
}

#[test]
fn an_erased_cid_is_free_again() {
	new_test_ext(|| {
		assert_ok!(Records::register_record(
			RuntimeOrigin::signed(ALICE),
			ALICE,
			input(1, "Observation", Some(1))
		));
		assert_ok!(Records::erase_record(RuntimeOrigin::signed(ALICE), 0));
		assert_eq!(Records::content_anchor(&content(1).cid), None);
		assert_eq!(policy_users(1), Some(0));
		assert_ok!(Records::register_record(
			RuntimeOrigin::signed(BOB),
			BOB,
			input(1, "Observation", None)
		));
		assert_eq!(Records::content_anchor(&content(1).cid), Some((1, 1)));
	});
}

#[test]
fn policies_in_use_are_counted_per_live_record() {
	new_test_ext(|| {
		assert_eq!(policy_users(1), Some(0));
		assert_ok!(Records::register_record(
			RuntimeOrigin::signed(ALICE),
			ALICE,
			input(1, "Observation", Some(1))
		));
		assert_ok!(Records::register_record(
			RuntimeOrigin::signed(BOB),
			BOB,
			input(2, "Observation", Some(1))
		));
		assert_eq!(policy_users(1), Some(2));
		// A refused registration counts nothing (the call's changes roll back).
		assert_noop!(
			Records::register_record(
				RuntimeOrigin::signed(MALLORY),
				ALICE,
				input(3, "Observation", Some(1))
			),
			Error::<Test>::NotAuthorized
		);
		assert_eq!(policy_users(1), Some(2));
		assert_ok!(Records::erase_record(RuntimeOrigin::signed(ALICE), 0));
		assert_eq!(policy_users(1), Some(1));
		assert_ok!(Records::erase_record(RuntimeOrigin::signed(BOB), 1));
		assert_eq!(policy_users(1), Some(0));
	});
}

#[test]
fn try_state_detects_a_wrong_policy_count() {
	use crate::PolicyUse;
	new_test_ext(|| {
		assert_ok!(Records::register_record(
			RuntimeOrigin::signed(ALICE),
			ALICE,
			input(1, "Observation", Some(1))
		));
		<TestPolicies as PolicyUse<u32>>::release(&1);
		assert!(Records::do_try_state().is_err());
		assert!(<TestPolicies as PolicyUse<u32>>::acquire(&1));
		// The current version also stored as history.
		let head = crate::Records::<Test>::get(0).unwrap().head;
		Versions::<Test>::insert(0, 1, head);
		assert!(Records::do_try_state().is_err());
		Versions::<Test>::remove(0, 1);
	});
}

#[test]
fn try_state_detects_an_unindexed_cid() {
	new_test_ext(|| {
		assert_ok!(Records::register_record(
			RuntimeOrigin::signed(ALICE),
			ALICE,
			input(1, "Observation", None)
		));
		crate::ContentAnchors::<Test>::remove(content(1).cid);
		assert!(Records::do_try_state().is_err());
		crate::ContentAnchors::<Test>::insert(content(1).cid, (0, 1));
	});
}

#[test]
fn record_ids_never_repeat_at_the_maximum() {
	new_test_ext(|| {
		crate::NextRecordId::<Test>::put(u64::MAX);
		assert_noop!(
			Records::register_record(
				RuntimeOrigin::signed(ALICE),
				ALICE,
				input(1, "Observation", None)
			),
			Error::<Test>::IdOverflow
		);
		crate::NextRecordId::<Test>::put(0);
	});
}

// ---- erasure ----

#[test]
fn erase_leaves_only_a_tombstone_and_releases_deposits() {
	new_test_ext(|| {
		authorize_hospital(CustodianScope::AllKinds, None);
		assert_ok!(Records::register_record(
			RuntimeOrigin::signed(HOSPITAL),
			ALICE,
			input(1, "Observation", None)
		));
		assert_ok!(Records::append_version(
			RuntimeOrigin::signed(ALICE),
			0,
			content(2)
		));
		run_to_block(9);

		assert_noop!(
			Records::erase_record(RuntimeOrigin::signed(HOSPITAL), 0),
			Error::<Test>::NotSubject
		);
		assert_ok!(Records::erase_record(RuntimeOrigin::signed(ALICE), 0));

		assert_eq!(
			last_event(),
			Event::RecordErased {
				record: 0,
				subject: ALICE,
				cids: vec![content(1).cid, content(2).cid].try_into().unwrap()
			}
		);
		assert!(crate::Records::<Test>::get(0).is_none());
		assert!(Versions::<Test>::iter_prefix(0).next().is_none());
		assert!(!SubjectRecords::<Test>::contains_key(ALICE, 0));
		assert_eq!(
			Tombstones::<Test>::get(0).unwrap(),
			Tombstone {
				subject: ALICE,
				digest: H256::repeat_byte(2),
				versions: 2,
				erased_at: 9
			}
		);
		assert_eq!(held(HOSPITAL, HoldReason::RecordVersion), 0);
		assert_eq!(held(ALICE, HoldReason::RecordVersion), 0);
		assert_eq!(Balances::balance(&HOSPITAL), INITIAL_BALANCE);
		assert_eq!(
			Records::record_view(0),
			Some(RecordView::Erased(Tombstones::<Test>::get(0).unwrap()))
		);
		// The patient lists it as erased; nobody else's list names it.
		assert!(Records::records_of(&ALICE, None, 10).is_empty());
		assert_eq!(
			Records::tombstones_of(&ALICE, None, 10),
			vec![(0, Tombstones::<Test>::get(0).unwrap())]
		);
		assert!(Records::tombstones_of(&HOSPITAL, None, 10).is_empty());

		// No CID of the record is left anywhere in the pallet's state.
		let cid = content(1).cid.into_inner();
		let prefix = frame_support::storage::storage_prefix(b"Records", b"").to_vec();
		let mut key = prefix[..16].to_vec();
		while let Some(next) = sp_io::storage::next_key(&key) {
			if !next.starts_with(&prefix[..16]) {
				break;
			}
			let value = sp_io::storage::get(&next).unwrap_or_default();
			assert!(
				!value.windows(cid.len()).any(|w| w == cid.as_slice()),
				"erased CID found in storage"
			);
			key = next;
		}

		assert_noop!(
			Records::erase_record(RuntimeOrigin::signed(ALICE), 0),
			Error::<Test>::RecordErased
		);
		assert_noop!(
			Records::set_policy(RuntimeOrigin::signed(ALICE), 0, None, content(5)),
			Error::<Test>::RecordErased
		);
	});
}

// ---- batch anchors ----

#[test]
fn anchored_batch_proves_inclusion_off_chain() {
	new_test_ext(|| {
		let contents: Vec<_> = (1..=5).map(content).collect();
		let leaves: Vec<H256> = contents
			.iter()
			.map(|c| {
				merkle::BatchLeaf {
					subject: &ALICE,
					content: c,
				}
				.hash()
			})
			.collect();
		let root = merkle::root(leaves.clone());
		assert_ok!(Records::anchor_batch(
			RuntimeOrigin::signed(HOSPITAL),
			root,
			5
		));
		assert_eq!(
			last_event(),
			Event::BatchAnchored {
				anchor: 0,
				custodian: HOSPITAL,
				root,
				leaf_count: 5
			}
		);
		let anchor = Anchors::<Test>::get(0).unwrap();
		assert_eq!(anchor.root, root);
		assert_eq!(held(HOSPITAL, HoldReason::BatchAnchor), ANCHOR_DEPOSIT);

		for (index, leaf) in leaves.iter().enumerate() {
			let proof = binary_merkle_tree::merkle_proof_raw::<sp_runtime::traits::Keccak256, _>(
				leaves.clone(),
				index as u32,
			);
			assert!(merkle::verify(
				anchor.root,
				proof.proof.clone(),
				5,
				index as u32,
				*leaf
			));
			// The same proof does not prove another leaf, nor the leaf at another index.
			let other = merkle::BatchLeaf {
				subject: &BOB,
				content: &contents[index],
			}
			.hash();
			assert!(!merkle::verify(
				anchor.root,
				proof.proof.clone(),
				5,
				index as u32,
				other
			));
			assert!(!merkle::verify(
				anchor.root,
				proof.proof,
				5,
				(index as u32 + 1) % 5,
				*leaf
			));
		}
	});
}

#[test]
fn anchor_error_paths_and_removal() {
	new_test_ext(|| {
		let origin = || RuntimeOrigin::signed(HOSPITAL);
		assert_noop!(
			Records::anchor_batch(origin(), H256::zero(), 0),
			Error::<Test>::EmptyBatch
		);
		assert_noop!(
			Records::anchor_batch(RuntimeOrigin::signed(POOR), H256::zero(), 1),
			Error::<Test>::InsufficientDeposit
		);
		assert_ok!(Records::anchor_batch(origin(), H256::repeat_byte(1), 1));
		assert_ok!(Records::anchor_batch(origin(), H256::repeat_byte(2), 1));
		assert_noop!(
			Records::anchor_batch(origin(), H256::repeat_byte(3), 1),
			Error::<Test>::TooManyAnchors
		);
		assert_noop!(
			Records::remove_anchor(RuntimeOrigin::signed(MALLORY), 0),
			Error::<Test>::NotAnchorOwner
		);
		assert_noop!(
			Records::remove_anchor(origin(), 9),
			Error::<Test>::AnchorNotFound
		);
		assert_ok!(Records::remove_anchor(origin(), 0));
		assert_eq!(
			last_event(),
			Event::AnchorRemoved {
				anchor: 0,
				custodian: HOSPITAL
			}
		);
		assert_eq!(AnchorCount::<Test>::get(HOSPITAL), 1);
		assert_eq!(held(HOSPITAL, HoldReason::BatchAnchor), ANCHOR_DEPOSIT);
	});
}

// ---- queries and traits ----

#[test]
fn records_of_pages_through_a_subjects_records() {
	new_test_ext(|| {
		for seed in 0..4 {
			assert_ok!(Records::register_record(
				RuntimeOrigin::signed(ALICE),
				ALICE,
				input(seed, "Observation", None)
			));
		}
		assert_ok!(Records::register_record(
			RuntimeOrigin::signed(BOB),
			BOB,
			input(9, "Observation", None)
		));
		let first = Records::records_of(&ALICE, None, 3);
		assert_eq!(first.len(), 3);
		let last_id = first.last().unwrap().0;
		let rest = Records::records_of(&ALICE, Some(last_id), 3);
		assert_eq!(rest.len(), 1);
		let mut all: Vec<_> = first.iter().chain(rest.iter()).map(|(id, _)| *id).collect();
		all.sort();
		assert_eq!(all, vec![0, 1, 2, 3]);
		assert!(first
			.iter()
			.chain(rest.iter())
			.all(|(_, r)| r.subject == ALICE));
		assert!(Records::records_of(&MALLORY, None, 10).is_empty());
	});
}

#[test]
fn tombstones_of_pages_through_a_subjects_erased_records() {
	new_test_ext(|| {
		for seed in 0..4 {
			assert_ok!(Records::register_record(
				RuntimeOrigin::signed(ALICE),
				ALICE,
				input(seed, "Observation", None)
			));
		}
		for id in [0, 2, 3] {
			assert_ok!(Records::erase_record(RuntimeOrigin::signed(ALICE), id));
		}
		let first = Records::tombstones_of(&ALICE, None, 2);
		assert_eq!(first.len(), 2);
		let rest = Records::tombstones_of(&ALICE, Some(first[1].0), 2);
		assert_eq!(rest.len(), 1);
		let mut all: Vec<_> = first.iter().chain(rest.iter()).map(|(id, _)| *id).collect();
		all.sort();
		assert_eq!(all, vec![0, 2, 3]);
		assert!(first
			.iter()
			.chain(rest.iter())
			.all(|(_, t)| t.subject == ALICE));
		// The live record is not listed as erased, and strangers see nothing.
		assert_eq!(Records::records_of(&ALICE, None, 10).len(), 1);
		assert!(Records::tombstones_of(&MALLORY, None, 10).is_empty());
	});
}

#[test]
fn record_inspect_hides_erased_records() {
	use crate::RecordInspect;
	new_test_ext(|| {
		assert_ok!(Records::register_record(
			RuntimeOrigin::signed(ALICE),
			ALICE,
			input(1, "Observation", Some(2))
		));
		let summary = <Records as RecordInspect<_, _>>::record(0).unwrap();
		assert_eq!(summary.subject, ALICE);
		assert_eq!(summary.policy, Some(2));
		assert_ok!(Records::erase_record(RuntimeOrigin::signed(ALICE), 0));
		assert!(<Records as RecordInspect<_, _>>::record(0).is_none());
	});
}

#[test]
fn try_state_detects_a_broken_subject_index() {
	new_test_ext(|| {
		assert_ok!(Records::register_record(
			RuntimeOrigin::signed(ALICE),
			ALICE,
			input(1, "Observation", None)
		));
		// Listed under another subject.
		SubjectRecords::<Test>::insert(BOB, 0, ());
		assert!(Records::do_try_state().is_err());
		SubjectRecords::<Test>::remove(BOB, 0);
		// Missing from its subject's listing.
		SubjectRecords::<Test>::remove(ALICE, 0);
		assert!(Records::do_try_state().is_err());
		SubjectRecords::<Test>::insert(ALICE, 0, ());
	});
}

#[test]
fn only_the_subject_and_current_custodians_may_write() {
	new_test_ext(|| {
		assert!(Records::may_write(&ALICE, &ALICE));
		assert!(!Records::may_write(&HOSPITAL, &ALICE));
		authorize_hospital(CustodianScope::AllKinds, Some(10));
		assert!(Records::may_write(&HOSPITAL, &ALICE));
		assert!(!Records::may_write(&MALLORY, &ALICE));
		assert!(
			!Records::may_write(&ALICE, &HOSPITAL),
			"authorisation is one-way"
		);
		run_to_block(10);
		assert!(!Records::may_write(&HOSPITAL, &ALICE), "expired");
		run_to_block(5);
		assert_ok!(Records::revoke_custodian(
			RuntimeOrigin::signed(ALICE),
			HOSPITAL
		));
		assert!(!Records::may_write(&HOSPITAL, &ALICE), "revoked");
	});
}
