//! Unit tests against the mock runtime. The full path (council vote, then
//! `apply_authorized_upgrade`) is tested with the real runtime in `runtime/src/tests.rs`.

use crate::mock::*;
use frame_support::{assert_noop, assert_ok};
use sp_core::H256;
use sp_runtime::traits::BadOrigin;

#[test]
fn the_configured_origin_authorises_a_code_hash() {
	new_test_ext().execute_with(|| {
		let hash = H256::repeat_byte(1);
		assert_ok!(Upgrades::authorize_upgrade(RuntimeOrigin::root(), hash));
		let authorized = System::authorized_upgrade().expect("an authorisation is stored");
		assert_eq!(authorized.code_hash(), &hash);
		System::assert_last_event(
			frame_system::Event::UpgradeAuthorized {
				code_hash: hash,
				check_version: true,
			}
			.into(),
		);
	});
}

#[test]
fn a_later_authorisation_replaces_an_earlier_one() {
	new_test_ext().execute_with(|| {
		assert_ok!(Upgrades::authorize_upgrade(
			RuntimeOrigin::root(),
			H256::repeat_byte(1)
		));
		assert_ok!(Upgrades::authorize_upgrade(
			RuntimeOrigin::root(),
			H256::repeat_byte(2)
		));
		assert_eq!(
			System::authorized_upgrade().map(|a| *a.code_hash()),
			Some(H256::repeat_byte(2))
		);
	});
}

#[test]
fn other_origins_are_refused() {
	new_test_ext().execute_with(|| {
		assert_noop!(
			Upgrades::authorize_upgrade(RuntimeOrigin::signed(1), H256::repeat_byte(1)),
			BadOrigin
		);
		assert_noop!(
			Upgrades::authorize_upgrade(RuntimeOrigin::none(), H256::repeat_byte(1)),
			BadOrigin
		);
		assert!(System::authorized_upgrade().is_none());
	});
}
