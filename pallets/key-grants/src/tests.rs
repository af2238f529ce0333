//! Unit tests: every call's effect and every error path, against the mock runtime.

use crate::{mock::*, *};
use frame_support::{assert_noop, assert_ok, traits::fungible::InspectHold};
use sp_core::Pair;
use sp_runtime::{traits::BadOrigin, DispatchResult, TokenError};

const KEY: UmbralPublicKey = [2; 33];
const VERIFYING: UmbralPublicKey = [3; 33];

fn held(who: AccountId, reason: HoldReason) -> Balance {
	Balances::balance_on_hold(&RuntimeHoldReason::KeyGrants(reason), &who)
}

fn events() -> Vec<Event<Test>> {
	System::events()
		.into_iter()
		.filter_map(|r| match r.event {
			RuntimeEvent::KeyGrants(e) => Some(e),
			_ => None,
		})
		.collect()
}

fn last_event() -> Event<Test> {
	events().pop().expect("an event")
}

fn endpoint(url: &str) -> Endpoint {
	url.as_bytes().to_vec().try_into().unwrap()
}

fn commitment(proxy: AccountId) -> H256 {
	H256::repeat_byte(proxy as u8)
}

fn proxies(list: &[AccountId]) -> GrantProxiesOf<Test> {
	list.iter()
		.map(|p| GrantProxy {
			proxy: *p,
			kfrag_commitment: commitment(*p),
		})
		.collect::<Vec<_>>()
		.try_into()
		.unwrap()
}

fn keys(who: AccountId) {
	assert_ok!(KeyGrants::register_pre_keys(
		RuntimeOrigin::signed(who),
		KEY,
		VERIFYING
	));
}

fn active_proxy(who: AccountId) {
	assert_ok!(KeyGrants::register_proxy(
		RuntimeOrigin::signed(who),
		[2; 33],
		endpoint("https://proxy.example")
	));
	assert_ok!(KeyGrants::admit_proxy(RuntimeOrigin::root(), who));
}

/// Keys for owner and grantee, proxies A and B active, grant 0: owner → grantee, all
/// records, 2 of {A, B}, until block 100.
pub(crate) fn grant_2_of_2() {
	keys(OWNER);
	keys(GRANTEE);
	active_proxy(PROXY_A);
	active_proxy(PROXY_B);
	assert_ok!(KeyGrants::create_grant(
		RuntimeOrigin::signed(OWNER),
		GRANTEE,
		GrantScope::AllRecords,
		proxies(&[PROXY_A, PROXY_B]),
		2,
		100
	));
}

fn attestation(proxy: AccountId, capsule: u8, served_at: u64) -> AttestationOf<Test> {
	Attestation {
		grant: 0,
		proxy,
		capsule_hash: H256::repeat_byte(capsule),
		cfrag_hash: H256::repeat_byte(capsule.wrapping_add(100)),
		served_at,
		request: RequestBinding::default(),
	}
}

fn sign(attestation: &AttestationOf<Test>) -> sp_core::sr25519::Signature {
	pair(attestation.proxy).sign(&KeyGrants::attestation_message(attestation))
}

fn attest(submitter: AccountId, attestation: AttestationOf<Test>) -> DispatchResult {
	let signature = sign(&attestation);
	KeyGrants::submit_attestation(RuntimeOrigin::signed(submitter), attestation, signature)
}

// --- PRE keys ---

#[test]
fn accounts_publish_and_rotate_pre_keys() {
	new_test_ext(|| {
		keys(OWNER);
		assert_eq!(
			last_event(),
			Event::PreKeysRegistered {
				who: OWNER,
				public_key: KEY,
				verifying_key: VERIFYING,
				rotation: 0
			}
		);
		run_to_block(5);
		assert_ok!(KeyGrants::register_pre_keys(
			RuntimeOrigin::signed(OWNER),
			[3; 33],
			[2; 33]
		));
		let stored = Keys::<Test>::get(OWNER).unwrap();
		assert_eq!(
			(stored.public_key, stored.rotations, stored.registered_at),
			([3; 33], 1, 5)
		);
		assert_eq!(
			last_event(),
			Event::PreKeysRegistered {
				who: OWNER,
				public_key: [3; 33],
				verifying_key: [2; 33],
				rotation: 1
			}
		);
		assert_noop!(
			KeyGrants::register_pre_keys(RuntimeOrigin::signed(OWNER), [4; 33], VERIFYING),
			Error::<Test>::MalformedKey
		);
		assert_noop!(
			KeyGrants::register_pre_keys(RuntimeOrigin::signed(OWNER), KEY, [0; 33]),
			Error::<Test>::MalformedKey
		);
	});
}

#[test]
fn pre_keys_hold_a_deposit_until_removed() {
	new_test_ext(|| {
		keys(OWNER);
		assert_eq!(held(OWNER, HoldReason::PreKeys), PRE_KEYS_DEPOSIT);
		// A rotation does not hold a second deposit.
		assert_ok!(KeyGrants::register_pre_keys(
			RuntimeOrigin::signed(OWNER),
			[3; 33],
			[2; 33]
		));
		assert_eq!(held(OWNER, HoldReason::PreKeys), PRE_KEYS_DEPOSIT);
		// An account that cannot pay publishes nothing.
		assert_noop!(
			KeyGrants::register_pre_keys(RuntimeOrigin::signed(98), KEY, VERIFYING),
			Error::<Test>::InsufficientDeposit
		);
		assert_noop!(
			KeyGrants::remove_pre_keys(RuntimeOrigin::signed(MALLORY)),
			Error::<Test>::NoPreKeys
		);
		assert_ok!(KeyGrants::remove_pre_keys(RuntimeOrigin::signed(OWNER)));
		assert_eq!(
			last_event(),
			Event::PreKeysRemoved {
				who: OWNER,
				released: PRE_KEYS_DEPOSIT
			}
		);
		assert_eq!(held(OWNER, HoldReason::PreKeys), 0);
		assert!(!Keys::<Test>::contains_key(OWNER));
		// Keys published before deposits existed: a rotation starts holding one.
		Keys::<Test>::insert(
			GRANTEE,
			PreKeys {
				public_key: KEY,
				verifying_key: VERIFYING,
				registered_at: 0,
				rotations: 0,
			},
		);
		assert_ok!(KeyGrants::register_pre_keys(
			RuntimeOrigin::signed(GRANTEE),
			KEY,
			VERIFYING
		));
		assert_eq!(held(GRANTEE, HoldReason::PreKeys), PRE_KEYS_DEPOSIT);
	});
}

#[test]
fn an_owner_cannot_remove_the_keys_its_grants_need() {
	new_test_ext(|| {
		grant_2_of_2();
		assert_noop!(
			KeyGrants::remove_pre_keys(RuntimeOrigin::signed(OWNER)),
			Error::<Test>::OwnsGrants
		);
		// A grantee may: only its own grant stops working.
		assert_ok!(KeyGrants::remove_pre_keys(RuntimeOrigin::signed(GRANTEE)));
	});
}

// --- Proxies ---

#[test]
fn proxies_bond_are_admitted_suspended_and_reinstated() {
	new_test_ext(|| {
		assert_ok!(KeyGrants::register_proxy(
			RuntimeOrigin::signed(PROXY_A),
			KEY,
			endpoint("https://a.example")
		));
		assert_eq!(held(PROXY_A, HoldReason::ProxyBond), PROXY_BOND);
		assert_eq!(
			last_event(),
			Event::ProxyRegistered {
				proxy: PROXY_A,
				endpoint: endpoint("https://a.example"),
				bond: PROXY_BOND
			}
		);
		assert_eq!(
			Proxies::<Test>::get(PROXY_A).unwrap().status,
			ProxyStatus::Pending
		);
		assert_noop!(
			KeyGrants::register_proxy(RuntimeOrigin::signed(PROXY_A), KEY, endpoint("x")),
			Error::<Test>::AlreadyProxy
		);
		assert_noop!(
			KeyGrants::register_proxy(RuntimeOrigin::signed(PROXY_B), [9; 33], endpoint("x")),
			Error::<Test>::MalformedKey
		);
		assert_noop!(
			KeyGrants::register_proxy(RuntimeOrigin::signed(POOR), KEY, endpoint("x")),
			TokenError::FundsUnavailable
		);
		assert_noop!(
			KeyGrants::suspend_proxy(RuntimeOrigin::root(), PROXY_A),
			Error::<Test>::ProxyNotActive
		);

		assert_noop!(
			KeyGrants::admit_proxy(RuntimeOrigin::signed(MALLORY), PROXY_A),
			BadOrigin
		);
		assert_noop!(
			KeyGrants::admit_proxy(RuntimeOrigin::root(), PROXY_B),
			Error::<Test>::ProxyNotFound
		);
		assert_ok!(KeyGrants::admit_proxy(RuntimeOrigin::root(), PROXY_A));
		assert_eq!(last_event(), Event::ProxyAdmitted { proxy: PROXY_A });
		assert_noop!(
			KeyGrants::admit_proxy(RuntimeOrigin::root(), PROXY_A),
			Error::<Test>::CannotAdmit
		);

		assert_noop!(
			KeyGrants::suspend_proxy(RuntimeOrigin::signed(MALLORY), PROXY_A),
			BadOrigin
		);
		assert_ok!(KeyGrants::suspend_proxy(RuntimeOrigin::root(), PROXY_A));
		assert_eq!(last_event(), Event::ProxySuspended { proxy: PROXY_A });
		assert_eq!(
			Proxies::<Test>::get(PROXY_A).unwrap().status,
			ProxyStatus::Suspended
		);
		assert_ok!(KeyGrants::admit_proxy(RuntimeOrigin::root(), PROXY_A));
		assert_eq!(
			Proxies::<Test>::get(PROXY_A).unwrap().status,
			ProxyStatus::Active
		);
	});
}

#[test]
fn governance_slashes_part_of_a_bond() {
	new_test_ext(|| {
		active_proxy(PROXY_A);
		let issuance = Balances::total_issuance();
		assert_noop!(
			KeyGrants::slash_proxy(RuntimeOrigin::signed(MALLORY), PROXY_A, 10),
			BadOrigin
		);
		assert_noop!(
			KeyGrants::slash_proxy(RuntimeOrigin::root(), PROXY_B, 10),
			Error::<Test>::ProxyNotFound
		);
		assert_ok!(KeyGrants::slash_proxy(
			RuntimeOrigin::root(),
			PROXY_A,
			4_000
		));
		assert_eq!(
			last_event(),
			Event::ProxySlashed {
				proxy: PROXY_A,
				amount: 4_000
			}
		);
		assert_eq!(
			Proxies::<Test>::get(PROXY_A).unwrap().bond,
			PROXY_BOND - 4_000
		);
		assert_eq!(held(PROXY_A, HoldReason::ProxyBond), PROXY_BOND - 4_000);
		assert_eq!(
			Balances::total_issuance(),
			issuance - 4_000,
			"slashed funds are burnt"
		);
		// Never more than the bond.
		assert_ok!(KeyGrants::slash_proxy(
			RuntimeOrigin::root(),
			PROXY_A,
			u64::MAX
		));
		assert_eq!(Proxies::<Test>::get(PROXY_A).unwrap().bond, 0);
		assert_eq!(held(PROXY_A, HoldReason::ProxyBond), 0);
	});
}

#[test]
fn proxies_leave_after_unbonding() {
	new_test_ext(|| {
		active_proxy(PROXY_A);
		assert_noop!(
			KeyGrants::withdraw_proxy(RuntimeOrigin::signed(PROXY_A)),
			Error::<Test>::NotLeaving
		);
		assert_noop!(
			KeyGrants::unbond_proxy(RuntimeOrigin::signed(PROXY_B)),
			Error::<Test>::ProxyNotFound
		);
		assert_ok!(KeyGrants::unbond_proxy(RuntimeOrigin::signed(PROXY_A)));
		assert_eq!(
			last_event(),
			Event::ProxyUnbonding {
				proxy: PROXY_A,
				withdrawable_at: 1 + UNBONDING_PERIOD
			}
		);
		assert_noop!(
			KeyGrants::unbond_proxy(RuntimeOrigin::signed(PROXY_A)),
			Error::<Test>::AlreadyLeaving
		);
		run_to_block(UNBONDING_PERIOD);
		assert_noop!(
			KeyGrants::withdraw_proxy(RuntimeOrigin::signed(PROXY_A)),
			Error::<Test>::StillUnbonding
		);
		run_to_block(1 + UNBONDING_PERIOD);
		assert_ok!(KeyGrants::withdraw_proxy(RuntimeOrigin::signed(PROXY_A)));
		assert_eq!(
			last_event(),
			Event::ProxyWithdrawn {
				proxy: PROXY_A,
				returned: PROXY_BOND
			}
		);
		assert!(!Proxies::<Test>::contains_key(PROXY_A));
		assert_eq!(held(PROXY_A, HoldReason::ProxyBond), 0);
		assert_noop!(
			KeyGrants::withdraw_proxy(RuntimeOrigin::signed(PROXY_A)),
			Error::<Test>::ProxyNotFound
		);
	});
}

// --- Grants ---

#[test]
fn owners_create_grants_holding_a_deposit() {
	new_test_ext(|| {
		grant_2_of_2();
		let stored = Grants::<Test>::get(0).unwrap();
		assert_eq!(
			(
				stored.owner,
				stored.grantee,
				stored.threshold,
				stored.expires_at,
				stored.revoked_at
			),
			(OWNER, GRANTEE, 2, 100, None)
		);
		assert_eq!(stored.proxies, proxies(&[PROXY_A, PROXY_B]));
		assert_eq!(held(OWNER, HoldReason::Grant), GRANT_DEPOSIT);
		assert_eq!(GrantCount::<Test>::get(OWNER), 1);
		assert_eq!(
			last_event(),
			Event::GrantCreated {
				grant: 0,
				owner: OWNER,
				grantee: GRANTEE,
				scope: GrantScope::AllRecords,
				proxies: proxies(&[PROXY_A, PROXY_B]),
				threshold: 2,
				expires_at: 100
			}
		);
	});
}

#[test]
fn grants_are_checked() {
	new_test_ext(|| {
		active_proxy(PROXY_A);
		active_proxy(PROXY_B);
		assert_ok!(KeyGrants::register_proxy(
			RuntimeOrigin::signed(PROXY_C),
			KEY,
			endpoint("c")
		));
		add_record(5, OWNER, "Observation");
		add_record(6, MALLORY, "Observation");
		let create = |owner, grantee, scope, list: &[AccountId], threshold, expires_at| {
			KeyGrants::create_grant(
				RuntimeOrigin::signed(owner),
				grantee,
				scope,
				proxies(list),
				threshold,
				expires_at,
			)
		};
		let all = || GrantScope::AllRecords;
		assert_noop!(
			create(OWNER, GRANTEE, all(), &[PROXY_A], 1, 100),
			Error::<Test>::OwnerKeysMissing
		);
		keys(OWNER);
		assert_noop!(
			create(OWNER, GRANTEE, all(), &[PROXY_A], 1, 100),
			Error::<Test>::GranteeKeysMissing
		);
		keys(GRANTEE);
		assert_noop!(
			create(OWNER, OWNER, all(), &[PROXY_A], 1, 100),
			Error::<Test>::GrantToSelf
		);
		assert_noop!(
			create(OWNER, GRANTEE, all(), &[], 1, 100),
			Error::<Test>::NoProxies
		);
		assert_noop!(
			create(OWNER, GRANTEE, all(), &[PROXY_A], 0, 100),
			Error::<Test>::InvalidThreshold
		);
		assert_noop!(
			create(OWNER, GRANTEE, all(), &[PROXY_A], 2, 100),
			Error::<Test>::InvalidThreshold
		);
		assert_noop!(
			create(OWNER, GRANTEE, all(), &[PROXY_A, PROXY_A], 1, 100),
			Error::<Test>::DuplicateProxy
		);
		assert_noop!(
			create(OWNER, GRANTEE, all(), &[MALLORY], 1, 100),
			Error::<Test>::ProxyNotFound
		);
		assert_noop!(
			create(OWNER, GRANTEE, all(), &[PROXY_C], 1, 100),
			Error::<Test>::ProxyNotActive
		);
		assert_noop!(
			create(OWNER, GRANTEE, all(), &[PROXY_A], 1, 1),
			Error::<Test>::ExpiryInPast
		);
		assert_noop!(
			create(OWNER, GRANTEE, GrantScope::Record(7), &[PROXY_A], 1, 100),
			Error::<Test>::RecordNotFound
		);
		assert_noop!(
			create(OWNER, GRANTEE, GrantScope::Record(6), &[PROXY_A], 1, 100),
			Error::<Test>::NotSubject
		);
		assert_noop!(
			create(
				OWNER,
				GRANTEE,
				GrantScope::Kinds(Default::default()),
				&[PROXY_A],
				1,
				100
			),
			Error::<Test>::EmptyScope
		);
		assert_ok!(create(
			OWNER,
			GRANTEE,
			GrantScope::Record(5),
			&[PROXY_A],
			1,
			100
		));
		assert_ok!(create(OWNER, GRANTEE, all(), &[PROXY_A, PROXY_B], 1, 100));
		assert_noop!(
			create(OWNER, GRANTEE, all(), &[PROXY_A], 1, 100),
			Error::<Test>::TooManyGrants
		);
		keys(POOR);
		assert_noop!(
			create(POOR, GRANTEE, all(), &[PROXY_A], 1, 100),
			TokenError::FundsUnavailable
		);
	});
}

#[test]
fn owners_revoke_and_anyone_clears_ended_grants() {
	new_test_ext(|| {
		grant_2_of_2();
		assert_ok!(attest(GRANTEE, attestation(PROXY_A, 1, 1)));
		assert_noop!(
			KeyGrants::revoke_grant(RuntimeOrigin::signed(MALLORY), 0),
			Error::<Test>::NotOwner
		);
		assert_noop!(
			KeyGrants::revoke_grant(RuntimeOrigin::signed(OWNER), 9),
			Error::<Test>::GrantNotFound
		);
		run_to_block(10);
		assert_ok!(KeyGrants::revoke_grant(RuntimeOrigin::signed(OWNER), 0));
		assert_eq!(
			last_event(),
			Event::GrantRevoked {
				grant: 0,
				owner: OWNER
			}
		);
		assert_eq!(Grants::<Test>::get(0).unwrap().revoked_at, Some(10));
		assert_noop!(
			KeyGrants::revoke_grant(RuntimeOrigin::signed(OWNER), 0),
			Error::<Test>::AlreadyRevoked
		);
		// The owner's list shows it revoked until it is cleared; nobody else's names it.
		let listed = KeyGrants::grants_of(&OWNER);
		assert_eq!(listed.len(), 1);
		assert_eq!((listed[0].0, listed[0].1.revoked_at), (0, Some(10)));
		assert!(KeyGrants::grants_of(&GRANTEE).is_empty());
		assert!(KeyGrants::grants_of(&MALLORY).is_empty());

		// Kept for the retention period (evidence may still be filed), then anyone clears it.
		run_to_block(10 + RETENTION_PERIOD - 1);
		assert_noop!(
			KeyGrants::clear_grant(RuntimeOrigin::signed(MALLORY), 0),
			Error::<Test>::GrantNotClearable
		);
		run_to_block(10 + RETENTION_PERIOD);
		assert_ok!(KeyGrants::clear_grant(RuntimeOrigin::signed(MALLORY), 0));
		assert_eq!(last_event(), Event::GrantCleared { grant: 0 });
		assert!(!Grants::<Test>::contains_key(0));
		assert!(KeyGrants::receipts(0).is_empty());
		assert_eq!(Attested::<Test>::iter().count(), 0);
		assert_eq!(held(OWNER, HoldReason::Grant), 0);
		assert_eq!(GrantCount::<Test>::get(OWNER), 0);
		assert!(KeyGrants::grants_of(&OWNER).is_empty());
		assert_noop!(
			KeyGrants::clear_grant(RuntimeOrigin::signed(MALLORY), 0),
			Error::<Test>::GrantNotFound
		);
	});
}

#[test]
fn expired_grants_need_no_revocation_to_be_cleared() {
	new_test_ext(|| {
		grant_2_of_2();
		run_to_block(100 + RETENTION_PERIOD - 1);
		assert_noop!(
			KeyGrants::clear_grant(RuntimeOrigin::signed(MALLORY), 0),
			Error::<Test>::GrantNotClearable
		);
		run_to_block(100 + RETENTION_PERIOD);
		assert_ok!(KeyGrants::clear_grant(RuntimeOrigin::signed(MALLORY), 0));
	});
}

// --- Attestations ---

#[test]
fn proxies_attestations_become_receipts() {
	new_test_ext(|| {
		grant_2_of_2();
		run_to_block(3);
		// Anyone may relay a proxy's signed attestation.
		assert_ok!(attest(GRANTEE, attestation(PROXY_A, 1, 2)));
		assert_eq!(
			last_event(),
			Event::AttestationRecorded {
				grant: 0,
				proxy: PROXY_A,
				index: 0,
				capsule_hash: H256::repeat_byte(1),
				cfrag_hash: H256::repeat_byte(101)
			}
		);
		assert_ok!(attest(PROXY_B, attestation(PROXY_B, 1, 3)));
		assert_eq!(
			KeyGrants::receipts(0),
			vec![
				Receipt {
					proxy: PROXY_A,
					capsule_hash: H256::repeat_byte(1),
					cfrag_hash: H256::repeat_byte(101),
					served_at: 2,
					recorded_at: 3
				},
				Receipt {
					proxy: PROXY_B,
					capsule_hash: H256::repeat_byte(1),
					cfrag_hash: H256::repeat_byte(101),
					served_at: 3,
					recorded_at: 3
				},
			]
		);
	});
}

#[test]
fn attestations_are_checked() {
	new_test_ext(|| {
		grant_2_of_2();
		active_proxy(PROXY_C);
		// Not one of the grant's proxies (though a valid, active proxy).
		assert_noop!(
			attest(PROXY_C, attestation(PROXY_C, 1, 1)),
			Error::<Test>::NotGrantProxy
		);
		// Signed by someone else.
		let forged = attestation(PROXY_A, 1, 1);
		let signature = pair(MALLORY).sign(&KeyGrants::attestation_message(&forged));
		assert_noop!(
			KeyGrants::submit_attestation(
				RuntimeOrigin::signed(MALLORY),
				forged.clone(),
				signature
			),
			Error::<Test>::BadSignature
		);
		// A signature over different content.
		let mut altered = forged.clone();
		altered.cfrag_hash = H256::repeat_byte(7);
		assert_noop!(
			KeyGrants::submit_attestation(RuntimeOrigin::signed(MALLORY), altered, sign(&forged)),
			Error::<Test>::BadSignature
		);
		assert_noop!(
			attest(GRANTEE, attestation(PROXY_A, 1, 5)),
			Error::<Test>::ServedInFuture
		);
		let mut unknown = attestation(PROXY_A, 1, 1);
		unknown.grant = 4;
		assert_noop!(attest(GRANTEE, unknown), Error::<Test>::GrantNotFound);
		// Replays are refused.
		assert_ok!(attest(GRANTEE, attestation(PROXY_A, 1, 1)));
		assert_noop!(
			attest(GRANTEE, attestation(PROXY_A, 1, 1)),
			Error::<Test>::AlreadyAttested
		);
		// Receipts per grant are bounded.
		assert_ok!(attest(GRANTEE, attestation(PROXY_A, 2, 1)));
		assert_ok!(attest(GRANTEE, attestation(PROXY_A, 3, 1)));
		assert_noop!(
			attest(GRANTEE, attestation(PROXY_A, 4, 1)),
			Error::<Test>::TooManyReceipts
		);
		// A suspended proxy's attestations are refused.
		assert_ok!(KeyGrants::suspend_proxy(RuntimeOrigin::root(), PROXY_B));
		assert_noop!(
			attest(GRANTEE, attestation(PROXY_B, 1, 1)),
			Error::<Test>::ProxyNotActive
		);
	});
}

#[test]
fn attestations_stop_at_revocation_and_expiry() {
	new_test_ext(|| {
		grant_2_of_2();
		run_to_block(100);
		assert_noop!(
			attest(GRANTEE, attestation(PROXY_A, 1, 99)),
			Error::<Test>::GrantNotActive
		);
	});
	new_test_ext(|| {
		grant_2_of_2();
		run_to_block(10);
		assert_ok!(KeyGrants::revoke_grant(RuntimeOrigin::signed(OWNER), 0));
		assert_noop!(
			attest(GRANTEE, attestation(PROXY_A, 1, 9)),
			Error::<Test>::GrantNotActive
		);
	});
}

#[test]
fn proxies_check_grants_before_serving() {
	new_test_ext(|| {
		keys(OWNER);
		keys(GRANTEE);
		active_proxy(PROXY_A);
		active_proxy(PROXY_B);
		add_record(5, OWNER, "Observation");
		add_record(6, OWNER, "ImagingStudy");
		add_record(7, MALLORY, "Observation");
		let kinds: GrantScopeOf<Test> = GrantScope::Kinds(
			vec![b"Observation".to_vec().try_into().unwrap()]
				.try_into()
				.unwrap(),
		);
		assert_ok!(KeyGrants::create_grant(
			RuntimeOrigin::signed(OWNER),
			GRANTEE,
			kinds,
			proxies(&[PROXY_A]),
			1,
			50
		));
		assert!(KeyGrants::grant_active_for(0, &PROXY_A, 5));
		assert!(
			!KeyGrants::grant_active_for(0, &PROXY_A, 6),
			"kind not in scope"
		);
		assert!(
			!KeyGrants::grant_active_for(0, &PROXY_A, 7),
			"someone else's record"
		);
		assert!(
			!KeyGrants::grant_active_for(0, &PROXY_A, 8),
			"no such record"
		);
		assert!(
			!KeyGrants::grant_active_for(0, &PROXY_B, 5),
			"not the grant's proxy"
		);
		assert!(
			!KeyGrants::grant_active_for(1, &PROXY_A, 5),
			"no such grant"
		);
		assert_ok!(KeyGrants::suspend_proxy(RuntimeOrigin::root(), PROXY_A));
		assert!(
			!KeyGrants::grant_active_for(0, &PROXY_A, 5),
			"suspended proxy"
		);
		assert_ok!(KeyGrants::admit_proxy(RuntimeOrigin::root(), PROXY_A));
		run_to_block(50);
		assert!(!KeyGrants::grant_active_for(0, &PROXY_A, 5), "expired");
	});
}

#[test]
fn grants_allow_their_grantee_to_read_covered_records_while_active() {
	use medchain_primitives::DelegatedAccess;
	new_test_ext(|| {
		keys(OWNER);
		keys(GRANTEE);
		active_proxy(PROXY_A);
		add_record(5, OWNER, "Observation");
		add_record(7, MALLORY, "Observation");
		assert_ok!(KeyGrants::create_grant(
			RuntimeOrigin::signed(OWNER),
			GRANTEE,
			GrantScope::Record(5),
			proxies(&[PROXY_A]),
			1,
			50
		));
		let reads = |grant, who, record| {
			<KeyGrants as DelegatedAccess<AccountId>>::delegated_read(grant, &who, record)
		};
		assert!(reads(0, GRANTEE, 5));
		assert!(!reads(0, PROXY_A, 5), "only the grantee");
		assert!(!reads(0, GRANTEE, 7), "outside the scope");
		assert!(!reads(1, GRANTEE, 5), "no such grant");
		// A suspended proxy does not end the grantee's right to read.
		assert_ok!(KeyGrants::suspend_proxy(RuntimeOrigin::root(), PROXY_A));
		assert!(reads(0, GRANTEE, 5));
		assert_ok!(KeyGrants::revoke_grant(RuntimeOrigin::signed(OWNER), 0));
		assert!(!reads(0, GRANTEE, 5), "revoked");
	});
}

#[test]
fn delegated_reads_end_at_expiry() {
	use medchain_primitives::DelegatedAccess;
	new_test_ext(|| {
		keys(OWNER);
		keys(GRANTEE);
		active_proxy(PROXY_A);
		add_record(5, OWNER, "Observation");
		assert_ok!(KeyGrants::create_grant(
			RuntimeOrigin::signed(OWNER),
			GRANTEE,
			GrantScope::AllRecords,
			proxies(&[PROXY_A]),
			1,
			50
		));
		run_to_block(49);
		assert!(<KeyGrants as DelegatedAccess<AccountId>>::delegated_read(
			0, &GRANTEE, 5
		));
		run_to_block(50);
		assert!(!<KeyGrants as DelegatedAccess<AccountId>>::delegated_read(
			0, &GRANTEE, 5
		));
	});
}

/// The owner denies the grantee on one record: proxies stop re-encrypting for it and reads
/// under the grant stop counting, while the grant still covers the owner's other records.
#[test]
fn a_deny_wins_over_a_grant() {
	use medchain_primitives::DelegatedAccess;
	new_test_ext(|| {
		grant_2_of_2();
		add_record(5, OWNER, "Observation");
		add_record(6, OWNER, "Observation");
		assert!(KeyGrants::grant_active_for(0, &PROXY_A, 5));
		deny(GRANTEE, 5);
		assert!(!KeyGrants::grant_active_for(0, &PROXY_A, 5));
		assert!(!<KeyGrants as DelegatedAccess<AccountId>>::delegated_read(
			0, &GRANTEE, 5
		));
		assert!(KeyGrants::grant_active_for(0, &PROXY_A, 6));
		assert!(<KeyGrants as DelegatedAccess<AccountId>>::delegated_read(
			0, &GRANTEE, 6
		));
	});
}

#[test]
fn grant_ids_never_repeat_at_the_maximum() {
	new_test_ext(|| {
		keys(OWNER);
		keys(GRANTEE);
		active_proxy(PROXY_A);
		crate::NextGrantId::<Test>::put(u64::MAX);
		assert_noop!(
			KeyGrants::create_grant(
				RuntimeOrigin::signed(OWNER),
				GRANTEE,
				GrantScope::AllRecords,
				proxies(&[PROXY_A]),
				1,
				50
			),
			Error::<Test>::IdOverflow
		);
		crate::NextGrantId::<Test>::put(0);
	});
}

// --- Evidence ---

#[test]
fn serving_after_revocation_is_proved_and_slashed() {
	new_test_ext(|| {
		grant_2_of_2();
		run_to_block(10);
		assert_ok!(KeyGrants::revoke_grant(RuntimeOrigin::signed(OWNER), 0));
		run_to_block(12);
		// Proxy A served at block 11, after the revocation at 10: its own receipt proves it.
		let late = attestation(PROXY_A, 9, 11);
		let claim = Claim::ServedAfterRevocation {
			attestation: late.clone(),
			signature: sign(&late),
		};
		assert_ok!(KeyGrants::file_evidence(
			RuntimeOrigin::signed(GRANTEE),
			0,
			PROXY_A,
			claim
		));
		assert_eq!(
			last_event(),
			Event::EvidenceFiled {
				case: 0,
				grant: 0,
				proxy: PROXY_A,
				filer: GRANTEE
			}
		);
		assert_eq!(held(GRANTEE, HoldReason::Evidence), EVIDENCE_DEPOSIT);
		assert_eq!(Proxies::<Test>::get(PROXY_A).unwrap().open_cases, 1);

		// A pending case keeps the proxy from leaving with its bond.
		assert_ok!(KeyGrants::unbond_proxy(RuntimeOrigin::signed(PROXY_A)));
		run_to_block(12 + UNBONDING_PERIOD);
		assert_noop!(
			KeyGrants::withdraw_proxy(RuntimeOrigin::signed(PROXY_A)),
			Error::<Test>::CasesPending
		);

		assert_noop!(
			KeyGrants::adjudicate(RuntimeOrigin::signed(MALLORY), 0, Verdict::Dismiss),
			BadOrigin
		);
		assert_noop!(
			KeyGrants::adjudicate(RuntimeOrigin::root(), 5, Verdict::Dismiss),
			Error::<Test>::CaseNotFound
		);
		assert_ok!(KeyGrants::adjudicate(
			RuntimeOrigin::root(),
			0,
			Verdict::Uphold { slash: 2_500 }
		));
		assert_eq!(
			last_event(),
			Event::EvidenceAdjudicated {
				case: 0,
				proxy: PROXY_A,
				outcome: Outcome::Upheld { slashed: 2_500 }
			}
		);
		assert_eq!(
			Cases::<Test>::get(0).unwrap().outcome,
			Outcome::Upheld { slashed: 2_500 }
		);
		assert_eq!(held(GRANTEE, HoldReason::Evidence), 0);
		assert_eq!(held(PROXY_A, HoldReason::ProxyBond), PROXY_BOND - 2_500);
		assert_noop!(
			KeyGrants::adjudicate(RuntimeOrigin::root(), 0, Verdict::Dismiss),
			Error::<Test>::AlreadyAdjudicated
		);
		// Now it may leave with what remains.
		assert_ok!(KeyGrants::withdraw_proxy(RuntimeOrigin::signed(PROXY_A)));
		assert_eq!(
			last_event(),
			Event::ProxyWithdrawn {
				proxy: PROXY_A,
				returned: PROXY_BOND - 2_500
			}
		);
	});
}

#[test]
fn a_backdated_attestation_is_caught_by_the_block_the_grantee_had_seen() {
	new_test_ext(|| {
		grant_2_of_2();
		run_to_block(10);
		assert_ok!(KeyGrants::revoke_grant(RuntimeOrigin::signed(OWNER), 0));
		frame_system::BlockHash::<Test>::insert(12, H256::repeat_byte(0xab));
		run_to_block(14);
		// Proxy A serves the revoked grant at block 14 but signs `served_at` 9, before the
		// revocation. The grantee had seen finalised block 12 when it asked.
		let mut backdated = attestation(PROXY_A, 1, 9);
		backdated.request = RequestBinding {
			digest: H256::repeat_byte(5),
			seen: 12,
			seen_hash: H256::repeat_byte(0xab),
		};
		assert_eq!(KeyGrants::proven_served_at(&backdated), 12);
		// A made-up block hash proves nothing: only `served_at` counts, and it is too early.
		let mut made_up = backdated.clone();
		made_up.request.seen_hash = H256::repeat_byte(0xcd);
		let claim = |a: &AttestationOf<Test>| Claim::ServedAfterRevocation {
			attestation: a.clone(),
			signature: sign(a),
		};
		assert_noop!(
			KeyGrants::file_evidence(RuntimeOrigin::signed(GRANTEE), 0, PROXY_A, claim(&made_up)),
			Error::<Test>::NotAfterRevocation
		);
		// Nor does a real hash of an earlier block.
		let mut earlier = backdated.clone();
		frame_system::BlockHash::<Test>::insert(8, H256::repeat_byte(0x08));
		earlier.request.seen = 8;
		earlier.request.seen_hash = H256::repeat_byte(0x08);
		assert_noop!(
			KeyGrants::file_evidence(RuntimeOrigin::signed(GRANTEE), 0, PROXY_A, claim(&earlier)),
			Error::<Test>::NotAfterRevocation
		);
		assert_ok!(KeyGrants::file_evidence(
			RuntimeOrigin::signed(GRANTEE),
			0,
			PROXY_A,
			claim(&backdated)
		));
		// The grantee's request is part of what the proxy signed: it cannot be swapped in.
		let mut swapped = backdated.clone();
		swapped.request.digest = H256::repeat_byte(6);
		assert_noop!(
			KeyGrants::file_evidence(
				RuntimeOrigin::signed(GRANTEE),
				0,
				PROXY_A,
				Claim::ServedAfterRevocation {
					attestation: swapped,
					signature: sign(&backdated),
				}
			),
			Error::<Test>::BadSignature
		);
	});
}

#[test]
fn evidence_is_checked() {
	new_test_ext(|| {
		grant_2_of_2();
		let cfrag = || Claim::InvalidCfrag {
			capsule_hash: H256::repeat_byte(1),
			cfrag_hash: H256::repeat_byte(2),
		};
		let file = |who, proxy, claim| {
			KeyGrants::file_evidence(RuntimeOrigin::signed(who), 0, proxy, claim)
		};
		assert_noop!(
			KeyGrants::file_evidence(RuntimeOrigin::signed(GRANTEE), 3, PROXY_A, cfrag()),
			Error::<Test>::GrantNotFound
		);
		assert_noop!(file(MALLORY, PROXY_A, cfrag()), Error::<Test>::NotParty);
		assert_noop!(
			file(GRANTEE, PROXY_C, cfrag()),
			Error::<Test>::NotGrantProxy
		);
		// Not revoked: an attestation cannot show service after revocation.
		let served = attestation(PROXY_A, 1, 1);
		let claim = |a: &AttestationOf<Test>| Claim::ServedAfterRevocation {
			attestation: a.clone(),
			signature: sign(a),
		};
		assert_noop!(
			file(GRANTEE, PROXY_A, claim(&served)),
			Error::<Test>::NotAfterRevocation
		);
		run_to_block(10);
		assert_ok!(KeyGrants::revoke_grant(RuntimeOrigin::signed(OWNER), 0));
		// Served before the revocation: no evidence of wrongdoing.
		assert_noop!(
			file(GRANTEE, PROXY_A, claim(&attestation(PROXY_A, 1, 9))),
			Error::<Test>::NotAfterRevocation
		);
		// Someone else's attestation, or a forged one.
		assert_noop!(
			file(GRANTEE, PROXY_A, claim(&attestation(PROXY_B, 1, 10))),
			Error::<Test>::AttestationMismatch
		);
		let forged = attestation(PROXY_A, 1, 10);
		let bad = Claim::ServedAfterRevocation {
			attestation: forged.clone(),
			signature: pair(GRANTEE).sign(&KeyGrants::attestation_message(&forged)),
		};
		assert_noop!(file(GRANTEE, PROXY_A, bad), Error::<Test>::BadSignature);
		// Claims the chain cannot check go to governance; the owner may file too. Dismissed.
		assert_ok!(file(OWNER, PROXY_B, cfrag()));
		assert_ok!(KeyGrants::adjudicate(
			RuntimeOrigin::root(),
			0,
			Verdict::Dismiss
		));
		assert_eq!(Cases::<Test>::get(0).unwrap().outcome, Outcome::Dismissed);
		assert_eq!(
			held(PROXY_B, HoldReason::ProxyBond),
			PROXY_BOND,
			"nothing slashed"
		);
		assert_eq!(held(OWNER, HoldReason::Evidence), 0);
	});
}
