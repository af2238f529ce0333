//! Unit tests: every call's effect and every error path, against the mock runtime.

use crate::{mock::*, policy::AttributeName, *};
use frame_support::{assert_noop, assert_ok, traits::fungible::InspectHold};
use medchain_primitives::{AccessInspect, PolicyUse};
use sp_core::H256;
use sp_runtime::{traits::BadOrigin, TokenError};

fn name(text: &str) -> AttributeName {
	text.as_bytes().to_vec().try_into().unwrap()
}

fn scopes(patterns: &[&str]) -> ScopesOf<Test> {
	patterns
		.iter()
		.map(|p| name(p))
		.collect::<Vec<_>>()
		.try_into()
		.unwrap()
}

pub(crate) fn text(policy: &str) -> policy::PolicyText {
	policy.as_bytes().to_vec().try_into().unwrap()
}

fn code(justification: &str) -> JustificationCode {
	justification.as_bytes().to_vec().try_into().unwrap()
}

fn held(who: AccountId, reason: HoldReason) -> Balance {
	Balances::balance_on_hold(&RuntimeHoldReason::Consent(reason), &who)
}

fn events() -> Vec<Event<Test>> {
	System::events()
		.into_iter()
		.filter_map(|r| match r.event {
			RuntimeEvent::Consent(e) => Some(e),
			_ => None,
		})
		.collect()
}

fn last_event() -> Event<Test> {
	events().pop().expect("an event")
}

fn valid(who: AccountId) -> Vec<AttributeName> {
	Consent::valid_attributes_at(&who, System::block_number())
}

/// Hospital A may issue `org:hospital-a` and every `role:`; the board issues `license:*`.
fn accredit_both() {
	assert_ok!(Consent::accredit_authority(
		RuntimeOrigin::root(),
		HOSPITAL_A,
		scopes(&["org:hospital-a", "role:*"])
	));
	assert_ok!(Consent::accredit_authority(
		RuntimeOrigin::root(),
		BOARD,
		scopes(&["license:*"])
	));
}

fn issue(issuer: AccountId, holder: AccountId, attribute: &str, expires_at: Option<u64>) {
	assert_ok!(Consent::issue_attribute(
		RuntimeOrigin::signed(issuer),
		holder,
		name(attribute),
		expires_at
	));
}

/// Policy 0: cardiologists of hospital A, or emergency staff.
const CARDIO: &str = r#"("role:cardiologist" and "org:hospital-a") or "role:emergency""#;

/// Authorities, a doctor matching [`CARDIO`], a nurse who does not, record 7 of the patient
/// guarded by policy 0.
fn scenario() {
	accredit_both();
	issue(HOSPITAL_A, DOCTOR, "role:cardiologist", None);
	issue(HOSPITAL_A, DOCTOR, "org:hospital-a", None);
	issue(HOSPITAL_A, NURSE, "role:nurse", None);
	issue(HOSPITAL_A, NURSE, "org:hospital-a", None);
	assert_ok!(Consent::create_policy(
		RuntimeOrigin::signed(PATIENT),
		text(CARDIO)
	));
	add_record(7, PATIENT, Some(0));
}

// --- Authorities ---

#[test]
fn governance_accredits_suspends_reinstates_and_withdraws() {
	new_test_ext(|| {
		assert_ok!(Consent::accredit_authority(
			RuntimeOrigin::root(),
			HOSPITAL_A,
			scopes(&["role:*"])
		));
		let stored = Authorities::<Test>::get(HOSPITAL_A).unwrap();
		assert_eq!(stored.status, AuthorityStatus::Active);
		assert_eq!(stored.accredited_at, 1);
		assert_eq!(
			last_event(),
			Event::AuthorityAccredited {
				authority: HOSPITAL_A,
				scopes: scopes(&["role:*"])
			}
		);

		assert_ok!(Consent::suspend_authority(
			RuntimeOrigin::root(),
			HOSPITAL_A
		));
		assert_eq!(
			Authorities::<Test>::get(HOSPITAL_A).unwrap().status,
			AuthorityStatus::Suspended
		);
		assert_eq!(
			last_event(),
			Event::AuthoritySuspended {
				authority: HOSPITAL_A
			}
		);
		assert_noop!(
			Consent::suspend_authority(RuntimeOrigin::root(), HOSPITAL_A),
			Error::<Test>::AuthorityNotActive
		);

		assert_ok!(Consent::reinstate_authority(
			RuntimeOrigin::root(),
			HOSPITAL_A
		));
		assert_eq!(
			Authorities::<Test>::get(HOSPITAL_A).unwrap().status,
			AuthorityStatus::Active
		);
		assert_eq!(
			last_event(),
			Event::AuthorityReinstated {
				authority: HOSPITAL_A
			}
		);
		assert_noop!(
			Consent::reinstate_authority(RuntimeOrigin::root(), HOSPITAL_A),
			Error::<Test>::AuthorityNotSuspended
		);

		assert_ok!(Consent::withdraw_authority(
			RuntimeOrigin::root(),
			HOSPITAL_A
		));
		assert!(!Authorities::<Test>::contains_key(HOSPITAL_A));
		assert_eq!(
			last_event(),
			Event::AuthorityWithdrawn {
				authority: HOSPITAL_A
			}
		);
		for call in [
			Consent::suspend_authority(RuntimeOrigin::root(), HOSPITAL_A),
			Consent::reinstate_authority(RuntimeOrigin::root(), HOSPITAL_A),
			Consent::withdraw_authority(RuntimeOrigin::root(), HOSPITAL_A),
		] {
			assert_eq!(call, Err(Error::<Test>::NotAuthority.into()));
		}
	});
}

#[test]
fn only_governance_manages_authorities() {
	new_test_ext(|| {
		let who = RuntimeOrigin::signed(MALLORY);
		assert_noop!(
			Consent::accredit_authority(who.clone(), MALLORY, scopes(&["role:*"])),
			BadOrigin
		);
		assert_noop!(
			Consent::suspend_authority(who.clone(), HOSPITAL_A),
			BadOrigin
		);
		assert_noop!(
			Consent::reinstate_authority(who.clone(), HOSPITAL_A),
			BadOrigin
		);
		assert_noop!(Consent::withdraw_authority(who, HOSPITAL_A), BadOrigin);
	});
}

#[test]
fn accreditation_scopes_are_validated() {
	new_test_ext(|| {
		let root = || RuntimeOrigin::root();
		assert_noop!(
			Consent::accredit_authority(root(), HOSPITAL_A, scopes(&[])),
			Error::<Test>::NoScopes
		);
		for bad in ["role", "role:", "role_x:*", "Role:*", "*", ":*", "role:a*"] {
			assert_noop!(
				Consent::accredit_authority(root(), HOSPITAL_A, scopes(&[bad])),
				Error::<Test>::InvalidAttribute
			);
		}
		assert_ok!(Consent::accredit_authority(
			root(),
			HOSPITAL_A,
			scopes(&["org:a", "role:*"])
		));
	});
}

// --- CP-ABE key commitments ---

#[test]
fn only_an_active_authority_publishes_its_key_commitment() {
	new_test_ext(|| {
		let hash = H256::repeat_byte(1);
		// A stranger cannot plant a key for anyone, itself included.
		assert_noop!(
			Consent::publish_abe_key(RuntimeOrigin::signed(DOCTOR), hash),
			Error::<Test>::NotAuthority
		);
		accredit_both();
		assert_ok!(Consent::suspend_authority(
			RuntimeOrigin::root(),
			HOSPITAL_A
		));
		assert_noop!(
			Consent::publish_abe_key(RuntimeOrigin::signed(HOSPITAL_A), hash),
			Error::<Test>::AuthorityNotActive
		);
		assert_ok!(Consent::reinstate_authority(
			RuntimeOrigin::root(),
			HOSPITAL_A
		));
		assert_ok!(Consent::publish_abe_key(
			RuntimeOrigin::signed(HOSPITAL_A),
			hash
		));
		assert_eq!(
			last_event(),
			Event::AbeKeyPublished {
				authority: HOSPITAL_A,
				hash,
				version: 1
			}
		);
		// Another authority's commitment is its own: publishing does not touch it.
		assert_eq!(AbeKeys::<Test>::get(BOARD), None);
	});
}

#[test]
fn rotation_bumps_the_version_and_withdrawal_removes_the_commitment() {
	new_test_ext(|| {
		accredit_both();
		let (first, second) = (H256::repeat_byte(1), H256::repeat_byte(2));
		assert_ok!(Consent::publish_abe_key(
			RuntimeOrigin::signed(BOARD),
			first
		));
		// Re-publishing the current key is refused: a rotation must change it.
		assert_noop!(
			Consent::publish_abe_key(RuntimeOrigin::signed(BOARD), first),
			Error::<Test>::KeyUnchanged
		);
		System::set_block_number(5);
		assert_ok!(Consent::publish_abe_key(
			RuntimeOrigin::signed(BOARD),
			second
		));
		assert_eq!(
			AbeKeys::<Test>::get(BOARD),
			Some(AbeKeyCommitment {
				hash: second,
				version: 2,
				published_at: 5
			})
		);
		// The version cannot wrap around to an old number.
		AbeKeys::<Test>::mutate(BOARD, |key| {
			if let Some(key) = key {
				key.version = u32::MAX
			}
		});
		assert_noop!(
			Consent::publish_abe_key(RuntimeOrigin::signed(BOARD), first),
			Error::<Test>::KeyVersionOverflow
		);
		let listed = Consent::authorities();
		assert!(listed
			.iter()
			.any(|(who, _, _, key)| *who == BOARD && key.as_ref().map(|k| k.hash) == Some(second)));
		assert_ok!(Consent::withdraw_authority(RuntimeOrigin::root(), BOARD));
		assert_eq!(AbeKeys::<Test>::get(BOARD), None);
		assert!(!Consent::authorities().iter().any(|(who, ..)| *who == BOARD));
	});
}

// --- Attributes ---

#[test]
fn authority_issues_attributes_holding_a_deposit() {
	new_test_ext(|| {
		accredit_both();
		issue(HOSPITAL_A, DOCTOR, "role:cardiologist", Some(50));
		assert_eq!(
			last_event(),
			Event::AttributeIssued {
				holder: DOCTOR,
				attribute: name("role:cardiologist"),
				issuer: HOSPITAL_A,
				expires_at: Some(50)
			}
		);
		issue(HOSPITAL_A, DOCTOR, "org:hospital-a", None);
		issue(BOARD, DOCTOR, "license:md", None);
		assert_eq!(
			held(HOSPITAL_A, HoldReason::Attribute),
			2 * ATTRIBUTE_DEPOSIT
		);
		assert_eq!(held(BOARD, HoldReason::Attribute), ATTRIBUTE_DEPOSIT);
		// Stored sorted by name.
		assert_eq!(
			valid(DOCTOR),
			vec![
				name("license:md"),
				name("org:hospital-a"),
				name("role:cardiologist")
			]
		);

		// Re-issuing updates the expiry without a second deposit.
		issue(HOSPITAL_A, DOCTOR, "role:cardiologist", None);
		assert_eq!(
			held(HOSPITAL_A, HoldReason::Attribute),
			2 * ATTRIBUTE_DEPOSIT
		);
		let stored = Attributes::<Test>::get(DOCTOR);
		assert_eq!(
			stored
				.iter()
				.find(|h| h.name == name("role:cardiologist"))
				.unwrap()
				.expires_at,
			None
		);
	});
}

#[test]
fn issuing_is_checked() {
	new_test_ext(|| {
		accredit_both();
		let issue_as = |issuer, attribute: &str, expires_at| {
			Consent::issue_attribute(
				RuntimeOrigin::signed(issuer),
				DOCTOR,
				name(attribute),
				expires_at,
			)
		};
		assert_noop!(
			issue_as(MALLORY, "role:doctor", None),
			Error::<Test>::NotAuthority
		);
		assert_noop!(
			issue_as(HOSPITAL_A, "org:hospital-b", None),
			Error::<Test>::OutsideScope
		);
		assert_noop!(
			issue_as(BOARD, "role:doctor", None),
			Error::<Test>::OutsideScope
		);
		assert_noop!(
			issue_as(HOSPITAL_A, "role:bad_name", None),
			Error::<Test>::InvalidAttribute
		);
		assert_noop!(
			issue_as(HOSPITAL_A, "role:doctor", Some(1)),
			Error::<Test>::ExpiryInPast
		);
		assert_ok!(Consent::suspend_authority(
			RuntimeOrigin::root(),
			HOSPITAL_A
		));
		assert_noop!(
			issue_as(HOSPITAL_A, "role:doctor", None),
			Error::<Test>::AuthorityNotActive
		);
		assert_ok!(Consent::reinstate_authority(
			RuntimeOrigin::root(),
			HOSPITAL_A
		));

		for role in ["role:a", "role:b", "role:c", "role:d"] {
			assert_ok!(issue_as(HOSPITAL_A, role, None));
		}
		assert_noop!(
			issue_as(HOSPITAL_A, "role:e", None),
			Error::<Test>::TooManyAttributes
		);

		// Another authority may not overwrite an issue that still counts.
		assert_ok!(Consent::accredit_authority(
			RuntimeOrigin::root(),
			BOARD,
			scopes(&["role:*"])
		));
		assert_noop!(
			issue_as(BOARD, "role:a", None),
			Error::<Test>::HeldFromOtherIssuer
		);

		// An issuer without funds for the deposit.
		assert_ok!(Consent::accredit_authority(
			RuntimeOrigin::root(),
			POOR,
			scopes(&["x:*"])
		));
		assert_noop!(
			Consent::issue_attribute(RuntimeOrigin::signed(POOR), NURSE, name("x:y"), None),
			TokenError::FundsUnavailable
		);
	});
}

#[test]
fn a_stale_issue_from_another_authority_is_replaced() {
	new_test_ext(|| {
		accredit_both();
		assert_ok!(Consent::accredit_authority(
			RuntimeOrigin::root(),
			BOARD,
			scopes(&["role:*"])
		));
		issue(HOSPITAL_A, DOCTOR, "role:doctor", Some(5));
		run_to_block(5);
		issue(BOARD, DOCTOR, "role:doctor", None);
		let stored = Attributes::<Test>::get(DOCTOR);
		assert_eq!(stored.len(), 1);
		assert_eq!(stored[0].issuer, BOARD);
		assert_eq!(held(HOSPITAL_A, HoldReason::Attribute), 0);
		assert_eq!(held(BOARD, HoldReason::Attribute), ATTRIBUTE_DEPOSIT);
	});
}

#[test]
fn attributes_count_only_while_valid() {
	new_test_ext(|| {
		accredit_both();
		issue(HOSPITAL_A, DOCTOR, "role:doctor", Some(10));
		issue(BOARD, DOCTOR, "license:md", None);
		assert_eq!(valid(DOCTOR), vec![name("license:md"), name("role:doctor")]);

		// Expiry is exclusive.
		run_to_block(9);
		assert_eq!(valid(DOCTOR).len(), 2);
		run_to_block(10);
		assert_eq!(valid(DOCTOR), vec![name("license:md")]);

		// Suspension hides the board's attributes until reinstated.
		assert_ok!(Consent::suspend_authority(RuntimeOrigin::root(), BOARD));
		assert!(valid(DOCTOR).is_empty());
		assert_ok!(Consent::reinstate_authority(RuntimeOrigin::root(), BOARD));
		assert_eq!(valid(DOCTOR), vec![name("license:md")]);

		// Narrowing the scopes hides what is now out of scope.
		assert_ok!(Consent::accredit_authority(
			RuntimeOrigin::root(),
			BOARD,
			scopes(&["license:do"])
		));
		assert!(valid(DOCTOR).is_empty());
		assert_ok!(Consent::accredit_authority(
			RuntimeOrigin::root(),
			BOARD,
			scopes(&["license:*"])
		));
		assert_eq!(valid(DOCTOR), vec![name("license:md")]);

		// Withdrawal hides them for good.
		assert_ok!(Consent::withdraw_authority(RuntimeOrigin::root(), BOARD));
		assert!(valid(DOCTOR).is_empty());
	});
}

#[test]
fn issuer_revokes_attributes() {
	new_test_ext(|| {
		accredit_both();
		issue(HOSPITAL_A, DOCTOR, "role:doctor", None);
		assert_noop!(
			Consent::revoke_attribute(RuntimeOrigin::signed(BOARD), DOCTOR, name("role:doctor")),
			Error::<Test>::NotIssuer
		);
		assert_noop!(
			Consent::revoke_attribute(
				RuntimeOrigin::signed(HOSPITAL_A),
				DOCTOR,
				name("role:nurse")
			),
			Error::<Test>::AttributeNotFound
		);
		assert_ok!(Consent::revoke_attribute(
			RuntimeOrigin::signed(HOSPITAL_A),
			DOCTOR,
			name("role:doctor")
		));
		assert_eq!(
			last_event(),
			Event::AttributeRevoked {
				holder: DOCTOR,
				attribute: name("role:doctor"),
				issuer: HOSPITAL_A
			}
		);
		assert!(!Attributes::<Test>::contains_key(DOCTOR));
		assert_eq!(held(HOSPITAL_A, HoldReason::Attribute), 0);
	});
}

#[test]
fn holders_renounce_and_anyone_removes_stale_attributes() {
	new_test_ext(|| {
		accredit_both();
		issue(HOSPITAL_A, DOCTOR, "role:doctor", Some(10));
		issue(HOSPITAL_A, DOCTOR, "org:hospital-a", None);
		issue(BOARD, DOCTOR, "license:md", None);
		let remove = |who, attribute: &str| {
			Consent::remove_attribute(RuntimeOrigin::signed(who), DOCTOR, name(attribute))
		};
		// Still valid: only the holder may remove it.
		assert_noop!(
			remove(MALLORY, "role:doctor"),
			Error::<Test>::AttributeStillValid
		);
		assert_noop!(
			remove(MALLORY, "role:none"),
			Error::<Test>::AttributeNotFound
		);
		assert_ok!(remove(DOCTOR, "org:hospital-a"));
		assert_eq!(
			last_event(),
			Event::AttributeRemoved {
				holder: DOCTOR,
				attribute: name("org:hospital-a"),
				by: DOCTOR
			}
		);
		// Expired: anyone may.
		run_to_block(10);
		assert_ok!(remove(MALLORY, "role:doctor"));
		assert_eq!(held(HOSPITAL_A, HoldReason::Attribute), 0);
		// A suspended issuer may come back, so its attributes are not stale...
		assert_ok!(Consent::suspend_authority(RuntimeOrigin::root(), BOARD));
		assert_noop!(
			remove(MALLORY, "license:md"),
			Error::<Test>::AttributeStillValid
		);
		// ...but a withdrawn issuer's are.
		assert_ok!(Consent::withdraw_authority(RuntimeOrigin::root(), BOARD));
		assert_ok!(remove(MALLORY, "license:md"));
		assert_eq!(held(BOARD, HoldReason::Attribute), 0);
	});
}

// --- Policies ---

#[test]
fn policies_are_stored_canonical_with_a_deposit() {
	new_test_ext(|| {
		let source = r#"  ( "role:cardiologist" AND "org:hospital-a" ) || "role:emergency" "#;
		assert_ok!(Consent::create_policy(
			RuntimeOrigin::signed(PATIENT),
			text(source)
		));
		let stored = Policies::<Test>::get(0).unwrap();
		assert_eq!(stored.canonical.as_slice(), CARDIO.as_bytes());
		assert_eq!(stored.owner, PATIENT);
		assert_eq!(stored.compiled.leaf_count(), 3);
		let bytes =
			stored.canonical.len() as u64 + codec::Encode::encoded_size(&stored.compiled) as u64;
		let deposit = POLICY_DEPOSIT_BASE + POLICY_DEPOSIT_PER_BYTE * bytes;
		assert_eq!(stored.deposit, deposit);
		assert_eq!(held(PATIENT, HoldReason::Policy), deposit);
		assert_eq!(
			last_event(),
			Event::PolicyCreated {
				policy: 0,
				owner: PATIENT,
				canonical: stored.canonical.clone()
			}
		);
		// A new policy guards no record yet; an unknown one cannot be counted against.
		assert_eq!(<Consent as PolicyUse<PolicyId>>::users(&0), Some(0));
		assert_eq!(<Consent as PolicyUse<PolicyId>>::users(&1), None);
		assert!(!<Consent as PolicyUse<PolicyId>>::acquire(&1));
		assert_eq!(<Consent as PolicyUse<PolicyId>>::users(&1), None);
		assert!(<Consent as PolicyUse<PolicyId>>::acquire(&0));
		assert_eq!(PolicyUsers::<Test>::get(0), Some(1));
		<Consent as PolicyUse<PolicyId>>::release(&0);
		assert_eq!(PolicyUsers::<Test>::get(0), Some(0));
		assert_eq!(NextPolicyId::<Test>::get(), 1);
		assert_eq!(PolicyCount::<Test>::get(PATIENT), 1);
	});
}

#[test]
fn malformed_policies_are_refused_with_specific_errors() {
	new_test_ext(|| {
		let create =
			|policy: &str| Consent::create_policy(RuntimeOrigin::signed(PATIENT), text(policy));
		assert_noop!(create(""), Error::<Test>::PolicyEmpty);
		assert_noop!(create(r#"("a:x""#), Error::<Test>::PolicySyntax);
		assert_noop!(
			create(r#""a:x" and "b:y" or "c:z""#),
			Error::<Test>::MixedOperators
		);
		assert_noop!(create(r#""a_b:x""#), Error::<Test>::InvalidAttribute);
		assert_noop!(
			create(r#"3 of ("a:x", "b:y")"#),
			Error::<Test>::InvalidThreshold
		);
		let wide: Vec<String> = (0..17).map(|i| format!(r#""a:v{i}""#)).collect();
		assert_noop!(create(&wide.join(" or ")), Error::<Test>::GateTooWide);
		let mut deep = r#""a:x""#.to_string();
		for level in 0..9 {
			let op = if level % 2 == 0 { "and" } else { "or" };
			deep = format!(r#"({deep} {op} "b:y{level}")"#);
		}
		assert_noop!(create(&deep), Error::<Test>::PolicyTooDeep);
		let leaves: Vec<String> = (0..33).map(|i| format!(r#""a:v{i}""#)).collect();
		let many = format!(
			"({}) or ({})",
			leaves[..16].join(" and "),
			leaves[16..].join(" and ")
		);
		assert_noop!(create(&many), Error::<Test>::TooManyLeaves);
		let long: Vec<String> = (0..16)
			.map(|i| format!(r#""namespace:value{i:02}""#))
			.collect();
		assert_noop!(
			create(&format!("8 of ({})", long.join(", "))),
			Error::<Test>::ExpansionTooLarge
		);
		// Too long for the call's bound: the text type itself refuses it.
		let too_long = vec![b' '; policy::MAX_POLICY_TEXT_LEN as usize + 1];
		assert!(policy::PolicyText::try_from(too_long).is_err());
	});
}

#[test]
fn policy_counts_and_funds_are_bounded() {
	new_test_ext(|| {
		for _ in 0..3 {
			assert_ok!(Consent::create_policy(
				RuntimeOrigin::signed(PATIENT),
				text(r#""a:x""#)
			));
		}
		assert_noop!(
			Consent::create_policy(RuntimeOrigin::signed(PATIENT), text(r#""a:x""#)),
			Error::<Test>::TooManyPolicies
		);
		assert_noop!(
			Consent::create_policy(RuntimeOrigin::signed(POOR), text(r#""a:x""#)),
			TokenError::FundsUnavailable
		);
	});
}

#[test]
fn owners_remove_policies_only_when_no_live_record_uses_them() {
	new_test_ext(|| {
		scenario();
		assert_noop!(
			Consent::remove_policy(RuntimeOrigin::signed(MALLORY), 0),
			Error::<Test>::NotPolicyOwner
		);
		assert_noop!(
			Consent::remove_policy(RuntimeOrigin::signed(PATIENT), 9),
			Error::<Test>::PolicyNotFound
		);
		// Record 7 (and so possibly another patient's records) is guarded by policy 0.
		assert_noop!(
			Consent::remove_policy(RuntimeOrigin::signed(PATIENT), 0),
			Error::<Test>::PolicyInUse
		);
		add_record(8, OTHER_PATIENT, Some(0));
		remove_record(7);
		// The owner's own records are gone, another patient's still uses it.
		assert_noop!(
			Consent::remove_policy(RuntimeOrigin::signed(PATIENT), 0),
			Error::<Test>::PolicyInUse
		);
		remove_record(8);
		assert_eq!(PolicyUsers::<Test>::get(0), Some(0));
		assert_ok!(Consent::remove_policy(RuntimeOrigin::signed(PATIENT), 0));
		assert_eq!(PolicyUsers::<Test>::get(0), None);
		assert_eq!(
			last_event(),
			Event::PolicyRemoved {
				policy: 0,
				owner: PATIENT
			}
		);
		assert_eq!(held(PATIENT, HoldReason::Policy), 0);
		assert_eq!(PolicyCount::<Test>::get(PATIENT), 0);
	});
}

#[test]
fn a_record_whose_policy_is_gone_fails_closed() {
	new_test_ext(|| {
		scenario();
		// Only reachable if the registry names a policy that does not exist.
		add_record(9, PATIENT, Some(42));
		assert_noop!(
			Consent::request_access(RuntimeOrigin::signed(DOCTOR), 9, Purpose::Treatment),
			Error::<Test>::RecordPolicyMissing
		);
		// The subject still may.
		assert_ok!(Consent::request_access(
			RuntimeOrigin::signed(PATIENT),
			9,
			Purpose::Treatment
		));
	});
}

/// The refund counts every stored attribute (each was read and its issuer looked up), not
/// only the ones still valid.
#[test]
fn access_refunds_count_every_examined_attribute() {
	use crate::weights::WeightInfo;
	new_test_ext(|| {
		scenario();
		issue(HOSPITAL_A, DOCTOR, "role:stale", Some(5));
		issue(HOSPITAL_A, MEDIC, "role:emergency", None);
		issue(HOSPITAL_A, MEDIC, "role:gone", Some(5));
		run_to_block(5);
		let granted = Consent::request_access(RuntimeOrigin::signed(DOCTOR), 7, Purpose::Treatment)
			.expect("granted");
		let leaves = Policies::<Test>::get(0).unwrap().compiled.leaf_count();
		assert_eq!(
			granted.actual_weight,
			Some(<() as WeightInfo>::request_access(3, leaves))
		);
		let opened = Consent::break_glass(RuntimeOrigin::signed(MEDIC), 7, code("UNCONSCIOUS"))
			.expect("opened");
		assert_eq!(
			opened.actual_weight,
			Some(<() as WeightInfo>::break_glass(2))
		);
	});
}

#[test]
fn policy_ids_never_repeat_at_the_maximum() {
	new_test_ext(|| {
		NextPolicyId::<Test>::put(PolicyId::MAX);
		assert_noop!(
			Consent::create_policy(RuntimeOrigin::signed(PATIENT), text(CARDIO)),
			Error::<Test>::IdOverflow
		);
		NextPolicyId::<Test>::put(0);
	});
}

// --- Overrides ---

#[test]
fn subjects_set_and_remove_overrides() {
	new_test_ext(|| {
		add_record(7, PATIENT, None);
		assert_ok!(Consent::set_override(
			RuntimeOrigin::signed(PATIENT),
			OverrideScope::Record(7),
			DOCTOR,
			OverrideKind::Allow,
			Some(Purpose::Treatment),
			Some(50)
		));
		assert_eq!(
			last_event(),
			Event::OverrideSet {
				subject: PATIENT,
				scope: OverrideScope::Record(7),
				account: DOCTOR,
				kind: OverrideKind::Allow,
				purpose: Some(Purpose::Treatment),
				expires_at: Some(50)
			}
		);
		assert_eq!(held(PATIENT, HoldReason::Override), OVERRIDE_DEPOSIT);
		// Replacing keeps one deposit and one count.
		assert_ok!(Consent::set_override(
			RuntimeOrigin::signed(PATIENT),
			OverrideScope::Record(7),
			DOCTOR,
			OverrideKind::Deny,
			None,
			None
		));
		assert_eq!(held(PATIENT, HoldReason::Override), OVERRIDE_DEPOSIT);
		assert_eq!(OverrideCount::<Test>::get(PATIENT), 1);
		assert_eq!(
			Overrides::<Test>::get((PATIENT, OverrideScope::Record(7), DOCTOR))
				.unwrap()
				.kind,
			OverrideKind::Deny
		);

		assert_ok!(Consent::remove_override(
			RuntimeOrigin::signed(PATIENT),
			OverrideScope::Record(7),
			DOCTOR
		));
		assert_eq!(
			last_event(),
			Event::OverrideRemoved {
				subject: PATIENT,
				scope: OverrideScope::Record(7),
				account: DOCTOR
			}
		);
		assert_eq!(held(PATIENT, HoldReason::Override), 0);
		assert_eq!(OverrideCount::<Test>::get(PATIENT), 0);
		assert_noop!(
			Consent::remove_override(
				RuntimeOrigin::signed(PATIENT),
				OverrideScope::Record(7),
				DOCTOR
			),
			Error::<Test>::OverrideNotFound
		);
	});
}

#[test]
fn overrides_are_checked() {
	new_test_ext(|| {
		add_record(7, PATIENT, None);
		let set = |who, scope, account, expires_at| {
			Consent::set_override(
				RuntimeOrigin::signed(who),
				scope,
				account,
				OverrideKind::Allow,
				None,
				expires_at,
			)
		};
		assert_noop!(
			set(PATIENT, OverrideScope::AllRecords, PATIENT, None),
			Error::<Test>::OverrideForSelf
		);
		assert_noop!(
			set(PATIENT, OverrideScope::Record(8), DOCTOR, None),
			Error::<Test>::RecordNotFound
		);
		assert_noop!(
			set(MALLORY, OverrideScope::Record(7), DOCTOR, None),
			Error::<Test>::NotSubject
		);
		assert_noop!(
			set(PATIENT, OverrideScope::AllRecords, DOCTOR, Some(1)),
			Error::<Test>::ExpiryInPast
		);
		for account in [DOCTOR, NURSE, MEDIC] {
			assert_ok!(set(PATIENT, OverrideScope::AllRecords, account, None));
		}
		assert_noop!(
			set(PATIENT, OverrideScope::AllRecords, MALLORY, None),
			Error::<Test>::TooManyOverrides
		);
		assert_noop!(
			set(POOR, OverrideScope::AllRecords, DOCTOR, None),
			TokenError::FundsUnavailable
		);
	});
}

// --- Access requests ---

#[test]
fn a_matching_doctor_gets_a_ticket_and_a_non_matching_nurse_is_refused() {
	new_test_ext(|| {
		scenario();
		assert_ok!(Consent::request_access(
			RuntimeOrigin::signed(DOCTOR),
			7,
			Purpose::Treatment
		));
		let expires_at = 1 + TICKET_LIFETIME;
		assert_eq!(
			last_event(),
			Event::AccessGranted {
				record: 7,
				requester: DOCTOR,
				subject: PATIENT,
				purpose: Purpose::Treatment,
				basis: AccessBasis::Policy,
				expires_at
			}
		);
		assert_eq!(
			Tickets::<Test>::get(DOCTOR, 7),
			Some(Ticket {
				subject: PATIENT,
				purpose: Purpose::Treatment,
				basis: AccessBasis::Policy,
				issued_at: 1,
				expires_at,
				deposit: TICKET_DEPOSIT
			})
		);
		assert_eq!(held(DOCTOR, HoldReason::Ticket), TICKET_DEPOSIT);

		let before = events().len();
		assert_noop!(
			Consent::request_access(RuntimeOrigin::signed(NURSE), 7, Purpose::Treatment),
			Error::<Test>::PolicyNotSatisfied
		);
		assert_eq!(events().len(), before, "a refusal emits nothing");
		assert!(!Tickets::<Test>::contains_key(NURSE, 7));
	});
}

#[test]
fn renewing_a_ticket_replaces_it() {
	new_test_ext(|| {
		scenario();
		assert_ok!(Consent::request_access(
			RuntimeOrigin::signed(DOCTOR),
			7,
			Purpose::Treatment
		));
		run_to_block(30);
		assert_ok!(Consent::request_access(
			RuntimeOrigin::signed(DOCTOR),
			7,
			Purpose::Research
		));
		let ticket = Tickets::<Test>::get(DOCTOR, 7).unwrap();
		assert_eq!((ticket.issued_at, ticket.purpose), (30, Purpose::Research));
		assert_eq!(TicketCount::<Test>::get(DOCTOR), 1);
		assert_eq!(held(DOCTOR, HoldReason::Ticket), TICKET_DEPOSIT);
	});
}

#[test]
fn decisions_follow_subject_deny_allow_policy_order() {
	new_test_ext(|| {
		scenario();
		add_record(8, PATIENT, None);
		let decide = |who, record, purpose| {
			<Consent as AccessInspect<AccountId>>::access(&who, record, purpose)
		};
		// The subject always may.
		assert_eq!(
			decide(PATIENT, 7, Purpose::Research),
			Ok(AccessBasis::Subject)
		);
		// Unknown records.
		assert_eq!(
			decide(DOCTOR, 99, Purpose::Treatment),
			Err(AccessDenial::RecordNotFound)
		);
		assert_noop!(
			Consent::request_access(RuntimeOrigin::signed(DOCTOR), 99, Purpose::Treatment),
			Error::<Test>::RecordNotFound
		);
		// No policy: only the subject and explicit allows.
		assert_eq!(
			decide(DOCTOR, 8, Purpose::Treatment),
			Err(AccessDenial::NoPolicy)
		);
		assert_noop!(
			Consent::request_access(RuntimeOrigin::signed(DOCTOR), 8, Purpose::Treatment),
			Error::<Test>::NoPolicy
		);

		// A purpose-limited allow on all records lets the nurse in for treatment only.
		assert_ok!(Consent::set_override(
			RuntimeOrigin::signed(PATIENT),
			OverrideScope::AllRecords,
			NURSE,
			OverrideKind::Allow,
			Some(Purpose::Treatment),
			Some(20)
		));
		assert_eq!(
			decide(NURSE, 8, Purpose::Treatment),
			Ok(AccessBasis::ExplicitAllow)
		);
		assert_eq!(
			decide(NURSE, 7, Purpose::Treatment),
			Ok(AccessBasis::ExplicitAllow)
		);
		assert_eq!(
			decide(NURSE, 7, Purpose::Research),
			Err(AccessDenial::PolicyNotSatisfied)
		);
		assert_ok!(Consent::request_access(
			RuntimeOrigin::signed(NURSE),
			8,
			Purpose::Treatment
		));
		// The allow expires.
		run_to_block(20);
		assert_eq!(
			decide(NURSE, 8, Purpose::Treatment),
			Err(AccessDenial::NoPolicy)
		);

		// Deny wins over a matching policy and over an allow.
		assert_ok!(Consent::set_override(
			RuntimeOrigin::signed(PATIENT),
			OverrideScope::Record(7),
			DOCTOR,
			OverrideKind::Deny,
			None,
			None
		));
		assert_ok!(Consent::set_override(
			RuntimeOrigin::signed(PATIENT),
			OverrideScope::AllRecords,
			DOCTOR,
			OverrideKind::Allow,
			None,
			None
		));
		assert_eq!(
			decide(DOCTOR, 7, Purpose::Treatment),
			Err(AccessDenial::ExplicitlyDenied)
		);
		assert_noop!(
			Consent::request_access(RuntimeOrigin::signed(DOCTOR), 7, Purpose::Treatment),
			Error::<Test>::ExplicitlyDenied
		);
		// The record-scoped deny leaves the patient's other records to the allow.
		assert_eq!(
			decide(DOCTOR, 8, Purpose::Treatment),
			Ok(AccessBasis::ExplicitAllow)
		);
	});
}

#[test]
fn expired_attributes_stop_counting_for_access() {
	new_test_ext(|| {
		accredit_both();
		issue(HOSPITAL_A, DOCTOR, "role:cardiologist", Some(10));
		issue(HOSPITAL_A, DOCTOR, "org:hospital-a", None);
		assert_ok!(Consent::create_policy(
			RuntimeOrigin::signed(PATIENT),
			text(CARDIO)
		));
		add_record(7, PATIENT, Some(0));
		assert!(<Consent as AccessInspect<AccountId>>::satisfies(&DOCTOR, 0));
		assert_ok!(Consent::request_access(
			RuntimeOrigin::signed(DOCTOR),
			7,
			Purpose::Treatment
		));
		run_to_block(10);
		assert!(!<Consent as AccessInspect<AccountId>>::satisfies(
			&DOCTOR, 0
		));
		assert!(
			!<Consent as AccessInspect<AccountId>>::satisfies(&DOCTOR, 42),
			"unknown policy"
		);
		assert_noop!(
			Consent::request_access(RuntimeOrigin::signed(DOCTOR), 7, Purpose::Treatment),
			Error::<Test>::PolicyNotSatisfied
		);
	});
}

#[test]
fn tickets_are_bounded_and_closed() {
	new_test_ext(|| {
		scenario();
		for record in [10, 11, 12, 13] {
			add_record(record, PATIENT, Some(0));
		}
		for record in [7, 10, 11] {
			assert_ok!(Consent::request_access(
				RuntimeOrigin::signed(DOCTOR),
				record,
				Purpose::Treatment
			));
		}
		assert_noop!(
			Consent::request_access(RuntimeOrigin::signed(DOCTOR), 12, Purpose::Treatment),
			Error::<Test>::TooManyTickets
		);
		// Others may not close a live ticket; the requester may.
		assert_noop!(
			Consent::close_ticket(RuntimeOrigin::signed(MALLORY), DOCTOR, 7),
			Error::<Test>::TicketStillValid
		);
		assert_ok!(Consent::close_ticket(
			RuntimeOrigin::signed(DOCTOR),
			DOCTOR,
			7
		));
		assert_eq!(
			last_event(),
			Event::TicketClosed {
				record: 7,
				requester: DOCTOR
			}
		);
		assert_noop!(
			Consent::close_ticket(RuntimeOrigin::signed(DOCTOR), DOCTOR, 7),
			Error::<Test>::TicketNotFound
		);
		// Anyone may close an expired one.
		run_to_block(1 + TICKET_LIFETIME);
		assert_ok!(Consent::close_ticket(
			RuntimeOrigin::signed(MALLORY),
			DOCTOR,
			10
		));
		assert_eq!(held(DOCTOR, HoldReason::Ticket), TICKET_DEPOSIT);
		assert_eq!(TicketCount::<Test>::get(DOCTOR), 1);
	});
}

#[test]
fn requesters_must_afford_the_ticket_deposit() {
	new_test_ext(|| {
		add_record(7, PATIENT, None);
		assert_ok!(Consent::set_override(
			RuntimeOrigin::signed(PATIENT),
			OverrideScope::AllRecords,
			POOR,
			OverrideKind::Allow,
			None,
			None
		));
		assert_noop!(
			Consent::request_access(RuntimeOrigin::signed(POOR), 7, Purpose::Treatment),
			TokenError::FundsUnavailable
		);
	});
}

// --- Break-glass ---

#[test]
fn break_glass_is_flagged_listed_and_short_lived() {
	new_test_ext(|| {
		scenario();
		add_record(8, PATIENT, None); // no policy at all
		issue(HOSPITAL_A, MEDIC, "role:emergency", None);
		assert_ok!(Consent::break_glass(
			RuntimeOrigin::signed(MEDIC),
			8,
			code("UNCONSCIOUS")
		));
		let expires_at = 1 + BREAK_GLASS_LIFETIME;
		let all = events();
		assert_eq!(
			all[all.len() - 2],
			Event::AccessGranted {
				record: 8,
				requester: MEDIC,
				subject: PATIENT,
				purpose: Purpose::Emergency,
				basis: AccessBasis::BreakGlass,
				expires_at
			}
		);
		assert_eq!(
			all[all.len() - 1],
			Event::BreakGlassOpened {
				id: 0,
				record: 8,
				subject: PATIENT,
				requester: MEDIC,
				justification: code("UNCONSCIOUS"),
				expires_at
			}
		);
		let ticket = Tickets::<Test>::get(MEDIC, 8).unwrap();
		assert_eq!(
			(ticket.basis, ticket.expires_at),
			(AccessBasis::BreakGlass, expires_at)
		);
		assert_eq!(
			Consent::break_glass_uses(&PATIENT),
			vec![(
				0,
				BreakGlassUse {
					record: 8,
					requester: MEDIC,
					justification: code("UNCONSCIOUS"),
					opened_at: 1,
					review: Review::Pending,
					deposit: BREAK_GLASS_DEPOSIT
				}
			)]
		);
		assert_eq!(held(MEDIC, HoldReason::BreakGlass), BREAK_GLASS_DEPOSIT);
		assert_eq!(OpenBreakGlass::<Test>::get(MEDIC), 1);
	});
}

#[test]
fn break_glass_is_checked() {
	new_test_ext(|| {
		scenario();
		issue(HOSPITAL_A, MEDIC, "role:emergency", Some(30));
		let open = |who, record, justification: &str| {
			Consent::break_glass(RuntimeOrigin::signed(who), record, code(justification))
		};
		assert_noop!(
			open(DOCTOR, 7, "ED-TRIAGE"),
			Error::<Test>::NotEmergencyStaff
		);
		assert_noop!(open(MEDIC, 99, "ED-TRIAGE"), Error::<Test>::RecordNotFound);
		for bad in ["", "ed triage", "lower"] {
			assert_noop!(open(MEDIC, 7, bad), Error::<Test>::InvalidJustification);
		}
		// An explicit deny still wins.
		assert_ok!(Consent::set_override(
			RuntimeOrigin::signed(PATIENT),
			OverrideScope::AllRecords,
			MEDIC,
			OverrideKind::Deny,
			None,
			None
		));
		assert_noop!(open(MEDIC, 7, "ED-TRIAGE"), Error::<Test>::ExplicitlyDenied);
		assert_ok!(Consent::remove_override(
			RuntimeOrigin::signed(PATIENT),
			OverrideScope::AllRecords,
			MEDIC
		));
		// Unreviewed uses per requester are bounded.
		add_record(8, PATIENT, None);
		add_record(9, OTHER_PATIENT, None);
		assert_ok!(open(MEDIC, 7, "ED-TRIAGE"));
		assert_ok!(open(MEDIC, 8, "ED-TRIAGE"));
		assert_noop!(
			open(MEDIC, 9, "ED-TRIAGE"),
			Error::<Test>::TooManyOpenBreakGlass
		);
		// The emergency attribute expires.
		run_to_block(30);
		assert_noop!(
			open(MEDIC, 9, "ED-TRIAGE"),
			Error::<Test>::NotEmergencyStaff
		);
	});
}

#[test]
fn subject_or_council_reviews_break_glass() {
	new_test_ext(|| {
		scenario();
		add_record(8, PATIENT, None);
		issue(HOSPITAL_A, MEDIC, "role:emergency", None);
		assert_ok!(Consent::break_glass(
			RuntimeOrigin::signed(MEDIC),
			7,
			code("ED-TRIAGE")
		));
		assert_ok!(Consent::break_glass(
			RuntimeOrigin::signed(MEDIC),
			8,
			code("UNCONSCIOUS")
		));
		let review =
			|origin, id, verdict| Consent::review_break_glass(origin, PATIENT, id, verdict);

		assert_noop!(
			review(RuntimeOrigin::signed(MALLORY), 0, Verdict::Acknowledge),
			Error::<Test>::NotSubject
		);
		assert_noop!(
			review(RuntimeOrigin::signed(PATIENT), 5, Verdict::Acknowledge),
			Error::<Test>::BreakGlassNotFound
		);
		assert_ok!(review(
			RuntimeOrigin::signed(PATIENT),
			0,
			Verdict::Acknowledge
		));
		assert_eq!(
			last_event(),
			Event::BreakGlassReviewed {
				id: 0,
				subject: PATIENT,
				requester: MEDIC,
				review: Review::Acknowledged,
				reviewer: Some(PATIENT)
			}
		);
		assert_noop!(
			review(RuntimeOrigin::signed(PATIENT), 0, Verdict::Dispute),
			Error::<Test>::AlreadyReviewed
		);
		// The council disputes the second; it stays on record.
		assert_ok!(review(RuntimeOrigin::root(), 1, Verdict::Dispute));
		assert_eq!(
			last_event(),
			Event::BreakGlassReviewed {
				id: 1,
				subject: PATIENT,
				requester: MEDIC,
				review: Review::Disputed,
				reviewer: None
			}
		);
		let uses = Consent::break_glass_uses(&PATIENT);
		assert_eq!(
			uses.iter()
				.map(|(id, u)| (*id, u.review))
				.collect::<Vec<_>>(),
			vec![(0, Review::Acknowledged), (1, Review::Disputed)]
		);
		assert_eq!(held(MEDIC, HoldReason::BreakGlass), 0);
		assert_eq!(OpenBreakGlass::<Test>::get(MEDIC), 0);
	});
}

#[test]
fn erased_records_cannot_be_accessed() {
	new_test_ext(|| {
		scenario();
		assert_ok!(Consent::request_access(
			RuntimeOrigin::signed(DOCTOR),
			7,
			Purpose::Treatment
		));
		remove_record(7);
		assert_noop!(
			Consent::request_access(RuntimeOrigin::signed(DOCTOR), 7, Purpose::Treatment),
			Error::<Test>::RecordNotFound
		);
	});
}

#[test]
fn unsigned_origins_are_refused() {
	new_test_ext(|| {
		scenario();
		assert_noop!(
			Consent::request_access(RuntimeOrigin::none(), 7, Purpose::Treatment),
			BadOrigin
		);
		assert_noop!(
			Consent::create_policy(RuntimeOrigin::none(), text(r#""a:x""#)),
			BadOrigin
		);
		assert_noop!(
			Consent::issue_attribute(RuntimeOrigin::root(), DOCTOR, name("role:x"), None),
			BadOrigin
		);
	});
}

#[test]
fn live_tickets_end_at_their_expiry_block() {
	new_test_ext(|| {
		scenario();
		assert_eq!(Consent::live_ticket(&DOCTOR, 7), None);
		assert_ok!(Consent::request_access(
			RuntimeOrigin::signed(DOCTOR),
			7,
			Purpose::Treatment
		));
		run_to_block(TICKET_LIFETIME);
		assert_eq!(
			Consent::live_ticket(&DOCTOR, 7).map(|t| t.expires_at),
			Some(1 + TICKET_LIFETIME)
		);
		run_to_block(1 + TICKET_LIFETIME);
		assert_eq!(
			Consent::live_ticket(&DOCTOR, 7),
			None,
			"expired, though still stored"
		);
		assert!(Tickets::<Test>::contains_key(DOCTOR, 7));
	});
}

mod read_receipts {
	use super::*;
	use codec::Encode;
	use frame_support::{dispatch::DispatchResult, traits::ConstU32, BoundedVec};
	use sp_core::{Get, Pair, H256};
	use sp_runtime::DispatchError;

	fn request(
		reader: AccountId,
		record: RecordId,
		basis: ReadBasis,
		nonce: u64,
	) -> ReadRequestOf<Test> {
		ReadRequest {
			record,
			digest: H256::repeat_byte(0xd1),
			reader,
			gateway: GATEWAY,
			basis,
			valid_until: System::block_number() + MAX_READ_REQUEST_LIFETIME,
			nonce,
		}
	}

	fn signed(request: &ReadRequestOf<Test>) -> sp_core::sr25519::Signature {
		pair(request.reader).sign(&Consent::read_request_message(request))
	}

	fn record(request: &ReadRequestOf<Test>) -> DispatchResult {
		Consent::record_read(
			RuntimeOrigin::signed(GATEWAY),
			request.clone(),
			signed(request),
		)
	}

	fn doctor_with_ticket() {
		scenario();
		assert_ok!(Consent::request_access(
			RuntimeOrigin::signed(DOCTOR),
			7,
			Purpose::Treatment
		));
	}

	#[test]
	fn a_read_under_a_ticket_is_listed_for_the_subject_with_a_gateway_deposit() {
		new_test_ext(|| {
			doctor_with_ticket();
			let read = request(DOCTOR, 7, ReadBasis::Ticket, 1);
			assert_ok!(record(&read));
			let receipt = H256(sp_io::hashing::blake2_256(&read.encode()));
			assert_eq!(
				last_event(),
				Event::ReadRecorded {
					subject: PATIENT,
					receipt,
					record: 7,
					digest: read.digest,
					reader: DOCTOR,
					gateway: GATEWAY,
					basis: ReadBasis::Ticket,
				}
			);
			assert_eq!(
				Consent::read_receipts(&PATIENT),
				vec![(
					receipt,
					ReadReceipt {
						record: 7,
						digest: read.digest,
						reader: DOCTOR,
						gateway: GATEWAY,
						basis: ReadBasis::Ticket,
						recorded_at: 1,
						deposit: READ_RECEIPT_DEPOSIT,
						refused: None,
					}
				)]
			);
			assert_eq!(held(GATEWAY, HoldReason::ReadReceipt), READ_RECEIPT_DEPOSIT);

			// A second read is a second request (new nonce) and a second receipt.
			run_to_block(2);
			assert_ok!(record(&request(DOCTOR, 7, ReadBasis::Ticket, 2)));
			let listed = Consent::read_receipts(&PATIENT);
			assert_eq!(listed.len(), 2);
			assert_eq!(listed[0].0, receipt, "oldest first");
			assert_eq!(
				held(GATEWAY, HoldReason::ReadReceipt),
				2 * READ_RECEIPT_DEPOSIT
			);
			assert!(Consent::read_receipts(&OTHER_PATIENT).is_empty());
		});
	}

	/// A gateway's batch of served reads, as `record_reads` takes it.
	fn batch(
		reads: &[ReadRequestOf<Test>],
	) -> BoundedVec<(ReadRequestOf<Test>, sp_core::sr25519::Signature), ConstU32<MAX_READS_PER_BATCH>>
	{
		reads
			.iter()
			.map(|read| (read.clone(), signed(read)))
			.collect::<Vec<_>>()
			.try_into()
			.expect("within the batch bound")
	}

	fn receipt_key(read: &ReadRequestOf<Test>) -> H256 {
		H256(sp_io::hashing::blake2_256(&read.encode()))
	}

	fn outcome(allowed: u32, refused: u32, duplicates: u32, rejected: u32) -> Event<Test> {
		Event::ReadsRecorded {
			gateway: GATEWAY,
			outcome: ReadBatchOutcome {
				allowed,
				refused,
				duplicates,
				rejected,
			},
		}
	}

	#[test]
	fn a_batch_lists_every_allowed_read_with_one_deposit_each() {
		new_test_ext(|| {
			doctor_with_ticket();
			let reads: Vec<_> = (1..=3)
				.map(|nonce| request(DOCTOR, 7, ReadBasis::Ticket, nonce))
				.collect();
			assert_ok!(Consent::record_reads(
				RuntimeOrigin::signed(GATEWAY),
				batch(&reads)
			));
			assert_eq!(last_event(), outcome(3, 0, 0, 0));
			let listed = Consent::read_receipts(&PATIENT);
			assert_eq!(listed.len(), 3);
			for read in &reads {
				let (_, stored) = listed
					.iter()
					.find(|(key, _)| *key == receipt_key(read))
					.expect("each read listed under its request's hash");
				assert_eq!(
					(
						stored.reader,
						stored.gateway,
						stored.recorded_at,
						stored.refused
					),
					(DOCTOR, GATEWAY, 1, None)
				);
			}
			assert_eq!(
				held(GATEWAY, HoldReason::ReadReceipt),
				3 * READ_RECEIPT_DEPOSIT
			);
		});
	}

	/// After a crash or a reorg the gateway submits a batch again: what is listed stays
	/// listed once, and nothing more is held.
	#[test]
	fn a_batch_submitted_again_lists_nothing_twice() {
		new_test_ext(|| {
			doctor_with_ticket();
			let first = request(DOCTOR, 7, ReadBasis::Ticket, 1);
			let second = request(DOCTOR, 7, ReadBasis::Ticket, 2);
			assert_ok!(Consent::record_reads(
				RuntimeOrigin::signed(GATEWAY),
				batch(std::slice::from_ref(&first))
			));
			run_to_block(2);
			assert_ok!(Consent::record_reads(
				RuntimeOrigin::signed(GATEWAY),
				batch(&[first.clone(), second.clone(), first])
			));
			assert_eq!(last_event(), outcome(1, 0, 2, 0));
			assert_eq!(Consent::read_receipts(&PATIENT).len(), 2);
			assert_eq!(
				held(GATEWAY, HoldReason::ReadReceipt),
				2 * READ_RECEIPT_DEPOSIT
			);
			// A request listed by a batch is a replay for `record_read` too.
			assert_noop!(record(&second), Error::<Test>::AlreadyRecorded);
		});
	}

	/// A read served at the best block whose receipt lands after a deny, an attribute
	/// revocation, a grant revocation or the request's expiry is listed all the same,
	/// flagged with the chain's reason: a gateway cannot hide a read it served.
	#[test]
	fn reads_the_chain_no_longer_allows_are_listed_flagged() {
		new_test_ext(|| {
			doctor_with_ticket();
			add_record(1, PATIENT, None);
			let before_deny = request(DOCTOR, 7, ReadBasis::Ticket, 1);
			let under_grant = request(DOCTOR, 1, ReadBasis::Grant(ACTIVE_GRANT), 2);
			assert_ok!(Consent::set_override(
				RuntimeOrigin::signed(PATIENT),
				OverrideScope::Record(7),
				DOCTOR,
				OverrideKind::Deny,
				None,
				None
			));
			revoke_test_grant();
			run_to_block(1 + MAX_READ_REQUEST_LIFETIME);
			let late = request(DOCTOR, 7, ReadBasis::Ticket, 4);
			run_to_block(2 + MAX_READ_REQUEST_LIFETIME);
			assert_ok!(Consent::record_reads(
				RuntimeOrigin::signed(GATEWAY),
				batch(&[before_deny.clone(), under_grant.clone(), late.clone()])
			));
			let flagged = |read: &ReadRequestOf<Test>| {
				ReadReceipts::<Test>::get(PATIENT, receipt_key(read)).and_then(|r| r.refused)
			};
			// All three were signed for blocks now past; the first two are also refused
			// for their own reason (the window is decided first).
			assert_eq!(flagged(&before_deny), Some(ReadRefusal::RequestExpired));
			assert_eq!(flagged(&under_grant), Some(ReadRefusal::RequestExpired));
			assert_eq!(flagged(&late), Some(ReadRefusal::ExplicitlyDenied));
			assert_eq!(last_event(), outcome(0, 3, 0, 0));
			assert!(events().contains(&Event::ReadFlagged {
				subject: PATIENT,
				receipt: receipt_key(&late),
				record: 7,
				reader: DOCTOR,
				gateway: GATEWAY,
				refusal: ReadRefusal::ExplicitlyDenied,
			}));
			// Flagged receipts hold a deposit like any other.
			assert_eq!(
				held(GATEWAY, HoldReason::ReadReceipt),
				3 * READ_RECEIPT_DEPOSIT
			);
		});
	}

	#[test]
	fn a_revoked_grant_flags_the_reads_listed_after_it() {
		new_test_ext(|| {
			scenario();
			add_record(1, PATIENT, None);
			let served = request(DOCTOR, 1, ReadBasis::Grant(ACTIVE_GRANT), 1);
			let allowed = request(DOCTOR, 1, ReadBasis::Grant(ACTIVE_GRANT), 2);
			assert_ok!(Consent::record_reads(
				RuntimeOrigin::signed(GATEWAY),
				batch(std::slice::from_ref(&allowed))
			));
			revoke_test_grant();
			run_to_block(2);
			assert_ok!(Consent::record_reads(
				RuntimeOrigin::signed(GATEWAY),
				batch(std::slice::from_ref(&served))
			));
			let refused = |read: &ReadRequestOf<Test>| {
				ReadReceipts::<Test>::get(PATIENT, receipt_key(read)).map(|r| r.refused)
			};
			assert_eq!(refused(&allowed), Some(None));
			assert_eq!(refused(&served), Some(Some(ReadRefusal::GrantNotActive)));
		});
	}

	/// What a stranger or a dishonest gateway can put in a batch proves nothing and is
	/// dropped: requests naming another gateway, forged or altered signatures, records that
	/// are gone, requests older than the retention period. Nothing is listed or held.
	#[test]
	fn batches_list_only_what_readers_signed_for_this_gateway() {
		new_test_ext(|| {
			doctor_with_ticket();
			let read = request(DOCTOR, 7, ReadBasis::Ticket, 1);
			// Mallory submits the doctor's request, signed for GATEWAY.
			assert_ok!(Consent::record_reads(
				RuntimeOrigin::signed(MALLORY),
				batch(std::slice::from_ref(&read))
			));
			assert_eq!(
				last_event(),
				Event::ReadsRecorded {
					gateway: MALLORY,
					outcome: ReadBatchOutcome {
						rejected: 1,
						..Default::default()
					}
				}
			);
			// Forged, altered, for a record that is gone.
			let forged = pair(MALLORY).sign(&Consent::read_request_message(&read));
			let mut altered = read.clone();
			altered.nonce = 99;
			let gone = request(DOCTOR, 404, ReadBasis::Ticket, 2);
			let entries: Vec<_> = vec![
				(read.clone(), forged),
				(altered, signed(&read)),
				(gone.clone(), signed(&gone)),
			];
			assert_ok!(Consent::record_reads(
				RuntimeOrigin::signed(GATEWAY),
				entries.try_into().expect("short")
			));
			assert_eq!(last_event(), outcome(0, 0, 0, 3));
			assert!(Consent::read_receipts(&PATIENT).is_empty());
			assert_eq!(held(GATEWAY, HoldReason::ReadReceipt), 0);
			assert_noop!(
				Consent::record_reads(RuntimeOrigin::none(), batch(std::slice::from_ref(&read))),
				BadOrigin
			);
			// Older than the retention period: its receipt may have been cleared already,
			// so listing it again would let a gateway list one read twice.
			run_to_block(read.valid_until + RECEIPT_RETENTION + 1);
			assert_ok!(Consent::record_reads(
				RuntimeOrigin::signed(GATEWAY),
				batch(&[read])
			));
			assert_eq!(last_event(), outcome(0, 0, 0, 1));
		});
	}

	#[test]
	fn a_gateway_that_cannot_cover_the_deposits_lists_nothing() {
		new_test_ext(|| {
			doctor_with_ticket();
			let mut read = request(DOCTOR, 7, ReadBasis::Ticket, 1);
			read.gateway = POOR;
			let entries = vec![(read.clone(), signed(&read))];
			assert_noop!(
				Consent::record_reads(
					RuntimeOrigin::signed(POOR),
					entries.try_into().expect("short")
				),
				TokenError::FundsUnavailable
			);
		});
	}

	#[test]
	fn a_replayed_request_is_refused() {
		new_test_ext(|| {
			doctor_with_ticket();
			let read = request(DOCTOR, 7, ReadBasis::Ticket, 1);
			assert_ok!(record(&read));
			assert_noop!(record(&read), Error::<Test>::AlreadyRecorded);
		});
	}

	#[test]
	fn only_the_named_gateway_submits_a_fresh_correctly_signed_request() {
		new_test_ext(|| {
			doctor_with_ticket();
			let read = request(DOCTOR, 7, ReadBasis::Ticket, 1);
			assert_noop!(
				Consent::record_read(RuntimeOrigin::signed(MALLORY), read.clone(), signed(&read)),
				Error::<Test>::NotRequestGateway
			);
			assert_noop!(
				Consent::record_read(RuntimeOrigin::none(), read.clone(), signed(&read)),
				BadOrigin
			);
			// Signed by someone else, or over different content.
			let forged = pair(MALLORY).sign(&Consent::read_request_message(&read));
			assert_noop!(
				Consent::record_read(RuntimeOrigin::signed(GATEWAY), read.clone(), forged),
				Error::<Test>::BadSignature
			);
			let mut altered = read.clone();
			altered.nonce = 99;
			assert_noop!(
				Consent::record_read(RuntimeOrigin::signed(GATEWAY), altered, signed(&read)),
				Error::<Test>::BadSignature
			);
			// Too far ahead, then expired.
			let mut long = read.clone();
			long.valid_until += 1;
			assert_noop!(record(&long), Error::<Test>::ReadRequestTooLong);
			run_to_block(1 + MAX_READ_REQUEST_LIFETIME + 1);
			assert_noop!(record(&read), Error::<Test>::ReadRequestExpired);
		});
	}

	#[test]
	fn reads_need_a_live_ticket_or_an_active_grant() {
		new_test_ext(|| {
			scenario();
			assert_noop!(
				record(&request(DOCTOR, 7, ReadBasis::Ticket, 1)),
				Error::<Test>::NoLiveTicket
			);
			assert_noop!(
				record(&request(DOCTOR, 404, ReadBasis::Ticket, 1)),
				Error::<Test>::RecordNotFound
			);
			assert_ok!(Consent::request_access(
				RuntimeOrigin::signed(DOCTOR),
				7,
				Purpose::Treatment
			));
			run_to_block(1 + TICKET_LIFETIME);
			assert_noop!(
				record(&request(DOCTOR, 7, ReadBasis::Ticket, 1)),
				Error::<Test>::NoLiveTicket
			);

			add_record(1, PATIENT, None);
			assert_noop!(
				record(&request(NURSE, 1, ReadBasis::Grant(ACTIVE_GRANT), 1)),
				Error::<Test>::GrantNotActive
			);
			assert_noop!(
				record(&request(DOCTOR, 1, ReadBasis::Grant(ACTIVE_GRANT + 1), 1)),
				Error::<Test>::GrantNotActive
			);
			assert_ok!(record(&request(
				DOCTOR,
				1,
				ReadBasis::Grant(ACTIVE_GRANT),
				1
			)));
			revoke_test_grant();
			assert_noop!(
				record(&request(DOCTOR, 1, ReadBasis::Grant(ACTIVE_GRANT), 2)),
				Error::<Test>::GrantNotActive
			);
		});
	}

	/// `decide_read` (what gateways ask through `ConsentApi.check_read` before serving) gives
	/// the answer `record_read` then gives, refusal by refusal, so a gateway never serves a
	/// read the chain would not record, nor refuses one it would.
	#[test]
	fn the_check_gateways_ask_is_the_calls_decision() {
		new_test_ext(|| {
			scenario();
			add_record(1, PATIENT, None);
			let fresh = request(DOCTOR, 1, ReadBasis::Grant(ACTIVE_GRANT), 1);
			let mut expired = request(DOCTOR, 1, ReadBasis::Grant(ACTIVE_GRANT), 2);
			expired.valid_until = 0;
			let cases = [
				(
					request(DOCTOR, 7, ReadBasis::Ticket, 1),
					Some(Error::<Test>::NoLiveTicket),
				),
				(
					request(DOCTOR, 404, ReadBasis::Ticket, 1),
					Some(Error::<Test>::RecordNotFound),
				),
				// The grant is the doctor's, not the nurse's; the doctor's covers record 1 only.
				(
					request(NURSE, 1, ReadBasis::Grant(ACTIVE_GRANT), 1),
					Some(Error::<Test>::GrantNotActive),
				),
				(
					request(DOCTOR, 7, ReadBasis::Grant(ACTIVE_GRANT), 1),
					Some(Error::<Test>::GrantNotActive),
				),
				(expired, Some(Error::<Test>::ReadRequestExpired)),
				(fresh.clone(), None),
				// Once recorded, the same request is a replay.
				(fresh, Some(Error::<Test>::AlreadyRecorded)),
			];
			for (read, expected) in cases {
				let expected: DispatchResult = expected.map_or(Ok(()), |e| Err(e.into()));
				let asked = Consent::decide_read(&read, &signed(&read), System::block_number())
					.map(|_| ())
					.map_err(Into::into);
				assert_eq!(asked, expected, "check for {read:?}");
				assert_eq!(record(&read), expected, "call for {read:?}");
			}
			// A forged signature is refused by both.
			let read = request(DOCTOR, 1, ReadBasis::Grant(ACTIVE_GRANT), 3);
			let forged = pair(MALLORY).sign(&Consent::read_request_message(&read));
			assert!(matches!(
				Consent::decide_read(&read, &forged, System::block_number()),
				Err(Error::<Test>::BadSignature)
			));
		});
	}

	/// The patient denies the doctor, who still holds an unexpired ticket: the next read is
	/// refused at once, not when the ticket expires.
	#[test]
	fn a_deny_ends_a_live_ticket_at_the_next_block() {
		new_test_ext(|| {
			doctor_with_ticket();
			assert_ok!(record(&request(DOCTOR, 7, ReadBasis::Ticket, 1)));
			for scope in [OverrideScope::Record(7), OverrideScope::AllRecords] {
				assert_ok!(Consent::set_override(
					RuntimeOrigin::signed(PATIENT),
					scope,
					DOCTOR,
					OverrideKind::Deny,
					None,
					None
				));
				run_to_block(System::block_number() + 1);
				assert!(Tickets::<Test>::get(DOCTOR, 7).is_some_and(|t| t.expires_at > 10));
				assert_eq!(Consent::live_ticket(&DOCTOR, 7), None);
				assert_noop!(
					record(&request(DOCTOR, 7, ReadBasis::Ticket, 2)),
					Error::<Test>::ExplicitlyDenied
				);
				assert_ok!(Consent::remove_override(
					RuntimeOrigin::signed(PATIENT),
					scope,
					DOCTOR
				));
				// Lifting the deny lets the standing ticket serve again.
				assert!(Consent::live_ticket(&DOCTOR, 7).is_some());
			}
		});
	}

	#[test]
	fn a_revoked_attribute_ends_a_live_ticket() {
		new_test_ext(|| {
			doctor_with_ticket();
			assert_ok!(Consent::revoke_attribute(
				RuntimeOrigin::signed(HOSPITAL_A),
				DOCTOR,
				name("role:cardiologist")
			));
			assert_eq!(Consent::live_ticket(&DOCTOR, 7), None);
			assert_noop!(
				record(&request(DOCTOR, 7, ReadBasis::Ticket, 1)),
				Error::<Test>::PolicyNotSatisfied
			);
		});
	}

	#[test]
	fn a_suspended_authority_ends_the_tickets_its_attributes_earned() {
		new_test_ext(|| {
			doctor_with_ticket();
			assert_ok!(Consent::suspend_authority(
				RuntimeOrigin::root(),
				HOSPITAL_A
			));
			assert_noop!(
				record(&request(DOCTOR, 7, ReadBasis::Ticket, 1)),
				Error::<Test>::PolicyNotSatisfied
			);
			assert_ok!(Consent::reinstate_authority(
				RuntimeOrigin::root(),
				HOSPITAL_A
			));
			assert_ok!(record(&request(DOCTOR, 7, ReadBasis::Ticket, 1)));
		});
	}

	#[test]
	fn a_ticket_under_an_allow_ends_when_the_allow_is_removed() {
		new_test_ext(|| {
			scenario();
			assert_ok!(Consent::set_override(
				RuntimeOrigin::signed(PATIENT),
				OverrideScope::Record(7),
				NURSE,
				OverrideKind::Allow,
				None,
				None
			));
			assert_ok!(Consent::request_access(
				RuntimeOrigin::signed(NURSE),
				7,
				Purpose::Treatment
			));
			assert_ok!(record(&request(NURSE, 7, ReadBasis::Ticket, 1)));
			assert_ok!(Consent::remove_override(
				RuntimeOrigin::signed(PATIENT),
				OverrideScope::Record(7),
				NURSE
			));
			assert_noop!(
				record(&request(NURSE, 7, ReadBasis::Ticket, 2)),
				Error::<Test>::PolicyNotSatisfied
			);
		});
	}

	#[test]
	fn a_break_glass_ticket_ends_on_a_deny_or_a_lost_emergency_role() {
		new_test_ext(|| {
			scenario();
			issue(HOSPITAL_A, MEDIC, "role:emergency", None);
			assert_ok!(Consent::break_glass(
				RuntimeOrigin::signed(MEDIC),
				7,
				code("UNCONSCIOUS")
			));
			assert_ok!(record(&request(MEDIC, 7, ReadBasis::Ticket, 1)));
			assert_ok!(Consent::revoke_attribute(
				RuntimeOrigin::signed(HOSPITAL_A),
				MEDIC,
				name("role:emergency")
			));
			assert_noop!(
				record(&request(MEDIC, 7, ReadBasis::Ticket, 2)),
				Error::<Test>::NotEmergencyStaff
			);
			issue(HOSPITAL_A, MEDIC, "role:emergency", None);
			assert_ok!(record(&request(MEDIC, 7, ReadBasis::Ticket, 2)));
			assert_ok!(Consent::set_override(
				RuntimeOrigin::signed(PATIENT),
				OverrideScope::AllRecords,
				MEDIC,
				OverrideKind::Deny,
				None,
				None
			));
			assert_noop!(
				record(&request(MEDIC, 7, ReadBasis::Ticket, 3)),
				Error::<Test>::ExplicitlyDenied
			);
		});
	}

	/// A grant does not outrank the patient's "no".
	#[test]
	fn a_deny_wins_over_a_grant() {
		new_test_ext(|| {
			add_record(1, PATIENT, None);
			assert_ok!(record(&request(
				DOCTOR,
				1,
				ReadBasis::Grant(ACTIVE_GRANT),
				1
			)));
			assert_ok!(Consent::set_override(
				RuntimeOrigin::signed(PATIENT),
				OverrideScope::Record(1),
				DOCTOR,
				OverrideKind::Deny,
				None,
				None
			));
			assert_noop!(
				record(&request(DOCTOR, 1, ReadBasis::Grant(ACTIVE_GRANT), 2)),
				Error::<Test>::ExplicitlyDenied
			);
			assert!(<Consent as medchain_primitives::AccessInspect<_>>::denied(
				&DOCTOR, 1
			));
			assert!(!<Consent as medchain_primitives::AccessInspect<_>>::denied(
				&NURSE, 1
			));
		});
	}

	#[test]
	fn break_glass_ids_never_repeat_at_the_maximum() {
		new_test_ext(|| {
			scenario();
			issue(HOSPITAL_A, MEDIC, "role:emergency", None);
			NextBreakGlassId::<Test>::put(BreakGlassId::MAX);
			assert_noop!(
				Consent::break_glass(RuntimeOrigin::signed(MEDIC), 7, code("UNCONSCIOUS")),
				Error::<Test>::IdOverflow
			);
			NextBreakGlassId::<Test>::put(0);
		});
	}

	#[test]
	fn gateways_must_afford_the_deposit() {
		new_test_ext(|| {
			doctor_with_ticket();
			let mut read = request(DOCTOR, 7, ReadBasis::Ticket, 1);
			read.gateway = POOR;
			assert_noop!(
				Consent::record_read(RuntimeOrigin::signed(POOR), read.clone(), signed(&read)),
				TokenError::FundsUnavailable
			);
		});
	}

	#[test]
	fn the_subject_clears_receipts_any_time_others_after_retention() {
		new_test_ext(|| {
			doctor_with_ticket();
			let read = request(DOCTOR, 7, ReadBasis::Ticket, 1);
			assert_ok!(record(&read));
			let receipt = Consent::read_receipts(&PATIENT)[0].0;
			assert_noop!(
				Consent::clear_read_receipt(RuntimeOrigin::signed(MALLORY), PATIENT, receipt),
				Error::<Test>::ReceiptRetained
			);
			assert_noop!(
				Consent::clear_read_receipt(RuntimeOrigin::signed(PATIENT), PATIENT, H256::zero()),
				Error::<Test>::ReceiptNotFound
			);
			assert_ok!(Consent::clear_read_receipt(
				RuntimeOrigin::signed(PATIENT),
				PATIENT,
				receipt
			));
			assert_eq!(
				last_event(),
				Event::ReadReceiptCleared {
					subject: PATIENT,
					receipt,
					by: PATIENT
				}
			);
			assert_eq!(held(GATEWAY, HoldReason::ReadReceipt), 0);

			run_to_block(2);
			let second = request(DOCTOR, 7, ReadBasis::Ticket, 2);
			assert_ok!(record(&second));
			let receipt = Consent::read_receipts(&PATIENT)[0].0;
			run_to_block(2 + RECEIPT_RETENTION);
			assert_ok!(Consent::clear_read_receipt(
				RuntimeOrigin::signed(MALLORY),
				PATIENT,
				receipt
			));
			assert!(Consent::read_receipts(&PATIENT).is_empty());
			assert_eq!(held(GATEWAY, HoldReason::ReadReceipt), 0);
		});
	}

	/// One signed request is the whole read: no ticket, the chain's consent decision at the
	/// block that decides the read. Attacks: a reader whose attributes do not match, a
	/// stranger, a reader denied after an allowed read, another purpose the policy does not
	/// cover is decided as such, not as the ticket's.
	#[test]
	fn a_read_on_consent_needs_no_ticket_and_is_decided_at_its_block() {
		new_test_ext(|| {
			scenario();
			let treatment = ReadBasis::Consent(Purpose::Treatment);
			let doctor = request(DOCTOR, 7, treatment, 1);
			assert_eq!(
				Consent::decide_read(&doctor, &signed(&doctor), 1)
					.map(|(subject, _)| subject)
					.map_err(DispatchError::from),
				Ok(PATIENT),
				"allowed by the policy, with no ticket"
			);
			assert!(!Tickets::<Test>::contains_key(DOCTOR, 7));
			assert_ok!(record(&doctor));
			let stored = Consent::read_receipts(&PATIENT);
			assert_eq!(stored.len(), 1);
			assert_eq!((stored[0].1.basis, stored[0].1.refused), (treatment, None));

			for (stranger, error) in [
				(
					NURSE,
					DispatchError::from(Error::<Test>::PolicyNotSatisfied),
				),
				(MALLORY, Error::<Test>::PolicyNotSatisfied.into()),
			] {
				let read = request(stranger, 7, treatment, 1);
				assert_eq!(
					Consent::decide_read(&read, &signed(&read), 1).map_err(DispatchError::from),
					Err(error),
					"{stranger}"
				);
				assert_noop!(record(&read), error);
			}

			// The patient denies the doctor: the next read, in the next block, is refused
			// before a byte is served; a gateway that served it anyway has it flagged.
			assert_ok!(Consent::set_override(
				RuntimeOrigin::signed(PATIENT),
				OverrideScope::Record(7),
				DOCTOR,
				OverrideKind::Deny,
				None,
				None
			));
			run_to_block(2);
			let after = request(DOCTOR, 7, treatment, 2);
			assert_eq!(
				Consent::decide_read(&after, &signed(&after), 2).map_err(DispatchError::from),
				Err(Error::<Test>::ExplicitlyDenied.into())
			);
			assert_ok!(Consent::record_reads(
				RuntimeOrigin::signed(GATEWAY),
				batch(std::slice::from_ref(&after))
			));
			assert_eq!(last_event(), outcome(0, 1, 0, 0));
			let flagged = Consent::read_receipts(&PATIENT)
				.into_iter()
				.find(|(key, _)| *key == receipt_key(&after))
				.expect("listed");
			assert_eq!(flagged.1.refused, Some(ReadRefusal::ExplicitlyDenied));

			// The subject reads on consent too.
			let own = request(PATIENT, 7, ReadBasis::Consent(Purpose::Operations), 3);
			assert_ok!(record(&own));
		});
	}

	/// A batch is charged as `n` worst-case decisions and refunded what its reads' decisions
	/// did not look at: nothing for a worst-case read, the attribute and leaf costs beyond
	/// the reader's for a cheap one, the whole decision for a read dropped or repeated.
	#[test]
	fn a_batch_is_charged_for_the_decisions_it_made() {
		new_test_ext(|| {
			scenario();
			let most = <() as crate::weights::WeightInfo>::request_access(
				<Test as Config>::MaxAttributesPerAccount::get(),
				policy::MAX_POLICY_LEAVES,
			);
			let decision = |attributes: u32, leaves: u32| {
				most.saturating_sub(<() as crate::weights::WeightInfo>::request_access(
					attributes, leaves,
				))
			};
			let leaves = Policies::<Test>::get(0)
				.expect("the scenario's policy")
				.compiled
				.leaf_count();
			let treatment = ReadBasis::Consent(Purpose::Treatment);
			let doctor = request(DOCTOR, 7, treatment, 1);
			let nurse = request(NURSE, 7, treatment, 1);
			let mut forged = request(DOCTOR, 7, treatment, 2);
			let mut reads = batch(&[doctor.clone(), nurse.clone(), forged.clone()]);
			forged.nonce = 3; // signed as nonce 2: proves nothing
			reads[2].0 = forged;
			let charged = <() as crate::weights::WeightInfo>::record_reads(3);
			let info = Consent::record_reads(RuntimeOrigin::signed(GATEWAY), reads.clone())
				.expect("listed");
			assert_eq!(last_event(), outcome(1, 1, 0, 1));
			// The doctor and the nurse each hold two attributes; the forged read decided
			// nothing.
			let refund = decision(2, leaves)
				.saturating_add(decision(2, leaves))
				.saturating_add(decision(0, 0));
			assert!(refund.ref_time() > 0);
			assert_eq!(info.actual_weight, Some(charged.saturating_sub(refund)));
			assert!(info.actual_weight.unwrap().all_lt(charged));

			// Submitted again: two duplicates and the same forgery, no decision made.
			let again =
				Consent::record_reads(RuntimeOrigin::signed(GATEWAY), reads).expect("accepted");
			assert_eq!(last_event(), outcome(0, 0, 2, 1));
			assert_eq!(
				again.actual_weight,
				Some(charged.saturating_sub(decision(0, 0).saturating_mul(3)))
			);
		});
	}
}
