//! Unit tests against the mock runtime: governance changes the set, the session pallet gets it
//! once per change.

use crate::{mock::*, *};
use frame_support::{assert_noop, assert_ok, traits::Get};
use pallet_session::SessionManager;
use sp_runtime::traits::BadOrigin;

fn set() -> Vec<u64> {
	pallet::Validators::<Test>::get().into_inner()
}

fn new_session() -> Option<Vec<u64>> {
	<ValidatorSet as SessionManager<u64>>::new_session(1)
}

#[test]
fn genesis_set_is_sorted_and_handed_to_the_first_session() {
	new_test_ext(&[3, 1, 2, 1], || {
		assert_eq!(set(), vec![1, 2, 3]);
		assert_eq!(
			<ValidatorSet as SessionManager<u64>>::new_session_genesis(0),
			Some(vec![1, 2, 3])
		);
		assert_eq!(
			new_session(),
			None,
			"unchanged sets are not handed over again"
		);
		assert_eq!(<SessionPeriod<Test> as Get<u64>>::get(), SESSION_LENGTH);
	});
}

#[test]
fn governance_adds_a_validator_for_the_next_session() {
	new_test_ext(&[1, 2], || {
		assert_ok!(ValidatorSet::add_validator(RuntimeOrigin::root(), 3));
		System::assert_last_event(Event::ValidatorAdded { validator: 3 }.into());
		assert_eq!(set(), vec![1, 2, 3]);
		assert_eq!(new_session(), Some(vec![1, 2, 3]));
		assert_eq!(new_session(), None, "handed over once");
	});
}

#[test]
fn governance_removes_a_validator_for_the_next_session() {
	new_test_ext(&[1, 2, 3], || {
		assert_ok!(ValidatorSet::remove_validator(RuntimeOrigin::root(), 2));
		System::assert_last_event(Event::ValidatorRemoved { validator: 2 }.into());
		assert_eq!(new_session(), Some(vec![1, 3]));
	});
}

#[test]
fn several_changes_reach_the_session_as_one_set() {
	new_test_ext(&[1, 2], || {
		assert_ok!(ValidatorSet::add_validator(RuntimeOrigin::root(), 4));
		assert_ok!(ValidatorSet::add_validator(RuntimeOrigin::root(), 3));
		assert_ok!(ValidatorSet::remove_validator(RuntimeOrigin::root(), 1));
		assert_eq!(new_session(), Some(vec![2, 3, 4]));
	});
}

#[test]
fn only_governance_manages_the_set() {
	new_test_ext(&[1, 2], || {
		assert_noop!(
			ValidatorSet::add_validator(RuntimeOrigin::signed(1), 3),
			BadOrigin
		);
		assert_noop!(
			ValidatorSet::remove_validator(RuntimeOrigin::signed(1), 2),
			BadOrigin
		);
		assert_eq!(new_session(), None);
	});
}

#[test]
fn bad_changes_are_refused() {
	new_test_ext(&[1, 2], || {
		assert_noop!(
			ValidatorSet::add_validator(RuntimeOrigin::root(), 2),
			Error::<Test>::AlreadyValidator
		);
		assert_noop!(
			ValidatorSet::remove_validator(RuntimeOrigin::root(), 9),
			Error::<Test>::NotValidator
		);
		assert_noop!(
			ValidatorSet::remove_validator(RuntimeOrigin::root(), 1),
			Error::<Test>::TooFewValidators
		);
		assert_ok!(ValidatorSet::add_validator(RuntimeOrigin::root(), 3));
		assert_ok!(ValidatorSet::add_validator(RuntimeOrigin::root(), 4));
		assert_noop!(
			ValidatorSet::add_validator(RuntimeOrigin::root(), 5),
			Error::<Test>::TooManyValidators
		);
		assert_eq!(set(), vec![1, 2, 3, 4]);
	});
}

#[test]
#[should_panic(expected = "fewer validators than MinValidators")]
fn genesis_below_the_minimum_is_refused() {
	new_test_ext(&[1], || ());
}
