//! Tests of the runtime's own configuration (presets, token, version).

use crate::{
	genesis_config_presets::{self, ENDOWMENT},
	Runtime, RuntimeGenesisConfig, TOKEN_DECIMALS, TOKEN_SYMBOL,
};
use frame_support::genesis_builder_helper::build_state;
use sp_genesis_builder::{PresetId, DEV_RUNTIME_PRESET, LOCAL_TESTNET_RUNTIME_PRESET};
use sp_keyring::Sr25519Keyring;

/// Applies a JSON merge patch (RFC 7396), as the node does with a preset over the defaults.
fn merge(base: &mut serde_json::Value, patch: serde_json::Value) {
	match (base, patch) {
		(serde_json::Value::Object(base), serde_json::Value::Object(patch)) => {
			for (key, value) in patch {
				merge(base.entry(key).or_insert(serde_json::Value::Null), value);
			}
		}
		(base, patch) => *base = patch,
	}
}

/// Builds the genesis state of preset `name` (over the default config) and runs `check` on it.
pub(crate) fn with_preset_state(name: &str, check: impl FnOnce()) {
	let patch = genesis_config_presets::get_preset(&PresetId::from(name))
		.unwrap_or_else(|| panic!("preset {name} exists"));
	let mut config = serde_json::to_value(RuntimeGenesisConfig::default()).expect("serialises");
	merge(
		&mut config,
		serde_json::from_slice(&patch).expect("preset is JSON"),
	);
	let json = serde_json::to_vec(&config).expect("serialises");
	let mut ext = sp_io::TestExternalities::new_empty();
	ext.execute_with(|| {
		build_state::<RuntimeGenesisConfig>(json).expect("preset builds a valid genesis state");
		check();
	});
}

#[test]
fn presets_are_listed() {
	let names = genesis_config_presets::preset_names();
	assert_eq!(
		names,
		vec![
			PresetId::from(DEV_RUNTIME_PRESET),
			PresetId::from(LOCAL_TESTNET_RUNTIME_PRESET)
		]
	);
	assert!(genesis_config_presets::get_preset(&PresetId::from("no-such-preset")).is_none());
}

#[test]
fn development_preset_has_one_validator_and_a_sudo_key() {
	with_preset_state(DEV_RUNTIME_PRESET, || {
		assert_eq!(pallet_aura::Authorities::<Runtime>::get().len(), 1);
		assert_eq!(
			pallet_grandpa::Pallet::<Runtime>::grandpa_authorities().len(),
			1
		);
		assert_eq!(
			pallet_sudo::Key::<Runtime>::get(),
			Some(Sr25519Keyring::Alice.to_account_id())
		);
		let bob = Sr25519Keyring::Bob.to_account_id();
		assert_eq!(
			pallet_balances::Pallet::<Runtime>::free_balance(&bob),
			ENDOWMENT
		);
	});
}

#[test]
fn local_testnet_preset_has_three_validators_and_no_sudo() {
	with_preset_state(LOCAL_TESTNET_RUNTIME_PRESET, || {
		assert_eq!(pallet_aura::Authorities::<Runtime>::get().len(), 3);
		assert_eq!(
			pallet_grandpa::Pallet::<Runtime>::grandpa_authorities().len(),
			3
		);
		assert_eq!(pallet_validators::Validators::<Runtime>::get().len(), 3);
		assert_eq!(
			pallet_validators::SessionLength::<Runtime>::get(),
			genesis_config_presets::TEST_SESSION_LENGTH
		);
		assert_eq!(pallet_sudo::Key::<Runtime>::get(), None);
	});
}

#[test]
fn token_constants_match_build_script() {
	// The build script cannot import this crate; it repeats the token for the metadata hash.
	let build_rs = include_str!("../build.rs");
	assert!(build_rs.contains(&format!("SYMBOL: &str = \"{TOKEN_SYMBOL}\"")));
	assert!(build_rs.contains(&format!("DECIMALS: u8 = {TOKEN_DECIMALS}")));
}

// --- Governance wiring, with the real runtime configuration and the local testnet's genesis
// (council: Alice, Bob, Charlie, Dave; validators: Alice, Bob, Charlie). ---

mod governance {
	use super::*;
	use crate::{Council, CouncilMembership, RuntimeCall, RuntimeEvent, RuntimeOrigin, System};
	use codec::Encode;
	use frame_support::{assert_noop, assert_ok, dispatch::GetDispatchInfo};
	use sp_core::H256;
	use sp_runtime::{
		traits::{BlakeTwo256, Hash},
		DispatchError,
	};

	fn member(k: Sr25519Keyring) -> crate::AccountId {
		k.to_account_id()
	}

	/// Runs `test` at block 1 of the local testnet.
	fn local_chain(test: impl FnOnce()) {
		with_preset_state(LOCAL_TESTNET_RUNTIME_PRESET, || {
			System::set_block_number(1);
			test();
		});
	}

	/// `proposer` proposes `call` needing `threshold` ayes; returns its hash and index.
	fn propose(proposer: Sr25519Keyring, call: RuntimeCall, threshold: u32) -> (H256, u32) {
		let hash = BlakeTwo256::hash_of(&call);
		let index =
			pallet_collective::ProposalCount::<Runtime, crate::configs::CouncilCollective>::get();
		let length = call.encoded_size() as u32;
		assert_ok!(Council::propose(
			RuntimeOrigin::signed(member(proposer)),
			threshold,
			Box::new(call),
			length
		));
		(hash, index)
	}

	fn vote(who: Sr25519Keyring, (hash, index): (H256, u32), aye: bool) {
		assert_ok!(Council::vote(
			RuntimeOrigin::signed(member(who)),
			hash,
			index,
			aye
		));
	}

	/// Closes the motion and returns the result of dispatching the proposal, if it was
	/// approved (`None` if it was disapproved).
	fn close(call: &RuntimeCall, (hash, index): (H256, u32)) -> Option<Result<(), DispatchError>> {
		System::reset_events();
		assert_ok!(Council::close(
			RuntimeOrigin::signed(member(Sr25519Keyring::Eve)),
			hash,
			index,
			call.get_dispatch_info().call_weight,
			call.encoded_size() as u32
		));
		System::events()
			.into_iter()
			.find_map(|record| match record.event {
				RuntimeEvent::Council(pallet_collective::Event::Executed { result, .. }) => {
					Some(result)
				}
				_ => None,
			})
	}

	/// `call` proposed by `proposer` with threshold 3, three ayes from `voters`, then closed:
	/// the result of dispatching it.
	fn pass(
		proposer: Sr25519Keyring,
		voters: [Sr25519Keyring; 3],
		call: RuntimeCall,
	) -> Option<Result<(), DispatchError>> {
		let motion = propose(proposer, call.clone(), 3);
		for who in voters {
			vote(who, motion, true);
		}
		close(&call, motion)
	}

	const ALICE_BOB_CHARLIE: [Sr25519Keyring; 3] = [
		Sr25519Keyring::Alice,
		Sr25519Keyring::Bob,
		Sr25519Keyring::Charlie,
	];

	fn authorize(hash: H256) -> RuntimeCall {
		RuntimeCall::Upgrades(pallet_upgrades::Call::authorize_upgrade { code_hash: hash })
	}

	fn authorized() -> Option<H256> {
		frame_system::Pallet::<Runtime>::authorized_upgrade().map(|a| *a.code_hash())
	}

	#[test]
	fn local_council_has_four_members_and_no_prime() {
		local_chain(|| {
			let mut expected: Vec<_> = [
				Sr25519Keyring::Alice,
				Sr25519Keyring::Bob,
				Sr25519Keyring::Charlie,
				Sr25519Keyring::Dave,
			]
			.into_iter()
			.map(member)
			.collect();
			expected.sort();
			assert_eq!(
				pallet_collective::Members::<Runtime, crate::configs::CouncilCollective>::get(),
				expected
			);
			assert_eq!(CouncilMembership::members().into_inner(), expected);
		});
	}

	#[test]
	fn three_of_four_authorise_an_upgrade() {
		local_chain(|| {
			let code = H256::repeat_byte(0xC0);
			let call = authorize(code);
			assert_eq!(
				pass(Sr25519Keyring::Alice, ALICE_BOB_CHARLIE, call),
				Some(Ok(()))
			);
			assert_eq!(authorized(), Some(code));
		});
	}

	#[test]
	fn a_minority_cannot_authorise_an_upgrade() {
		local_chain(|| {
			// A motion with a low threshold passes the vote, but two of four is not the
			// supermajority the upgrade origin needs.
			let call = authorize(H256::repeat_byte(0xC1));
			let motion = propose(Sr25519Keyring::Alice, call.clone(), 2);
			vote(Sr25519Keyring::Alice, motion, true);
			vote(Sr25519Keyring::Bob, motion, true);
			assert_eq!(close(&call, motion), Some(Err(DispatchError::BadOrigin)));
			assert_eq!(authorized(), None);

			// A proper motion with two ayes cannot be closed early, and after the voting period
			// the abstentions count as nays.
			let call = authorize(H256::repeat_byte(0xC2));
			let motion = propose(Sr25519Keyring::Bob, call.clone(), 3);
			vote(Sr25519Keyring::Alice, motion, true);
			vote(Sr25519Keyring::Bob, motion, true);
			assert_noop!(
				Council::close(
					RuntimeOrigin::signed(member(Sr25519Keyring::Eve)),
					motion.0,
					motion.1,
					call.get_dispatch_info().call_weight,
					call.encoded_size() as u32
				),
				pallet_collective::Error::<Runtime, crate::configs::CouncilCollective>::TooEarly
			);
			System::set_block_number(1 + 7 * crate::DAYS);
			assert_eq!(close(&call, motion), None, "disapproved");
			assert_eq!(authorized(), None);
		});
	}

	#[test]
	fn non_members_cannot_propose_or_vote() {
		local_chain(|| {
			let call = authorize(H256::repeat_byte(0xC3));
			assert_noop!(
				Council::propose(
					RuntimeOrigin::signed(member(Sr25519Keyring::Eve)),
					1,
					Box::new(call.clone()),
					call.encoded_size() as u32
				),
				pallet_collective::Error::<Runtime, crate::configs::CouncilCollective>::NotMember
			);
			let motion = propose(Sr25519Keyring::Alice, call, 3);
			assert_noop!(
				Council::vote(
					RuntimeOrigin::signed(member(Sr25519Keyring::Eve)),
					motion.0,
					motion.1,
					true
				),
				pallet_collective::Error::<Runtime, crate::configs::CouncilCollective>::NotMember
			);
		});
	}

	#[test]
	fn membership_changes_need_a_supermajority() {
		local_chain(|| {
			let eve = member(Sr25519Keyring::Eve);
			let add = RuntimeCall::CouncilMembership(pallet_membership::Call::add_member {
				who: eve.clone().into(),
			});
			let motion = propose(Sr25519Keyring::Alice, add.clone(), 2);
			vote(Sr25519Keyring::Alice, motion, true);
			vote(Sr25519Keyring::Bob, motion, true);
			assert_eq!(close(&add, motion), Some(Err(DispatchError::BadOrigin)));
			assert!(!CouncilMembership::members().contains(&eve));

			assert_eq!(
				pass(Sr25519Keyring::Alice, ALICE_BOB_CHARLIE, add.clone()),
				Some(Ok(()))
			);
			assert!(CouncilMembership::members().contains(&eve));
			assert!(
				pallet_collective::Members::<Runtime, crate::configs::CouncilCollective>::get()
					.contains(&eve)
			);
		});
	}

	#[test]
	fn the_council_adds_a_validator() {
		local_chain(|| {
			let dave = member(Sr25519Keyring::Dave);
			let add = RuntimeCall::Validators(pallet_validators::Call::add_validator {
				validator: dave.clone(),
			});
			assert_eq!(
				pass(Sr25519Keyring::Alice, ALICE_BOB_CHARLIE, add.clone()),
				Some(Ok(()))
			);
			assert!(pallet_validators::Validators::<Runtime>::get().contains(&dave));
			assert!(pallet_validators::SetChanged::<Runtime>::get());
		});
	}

	#[test]
	fn other_pallets_are_governed_by_the_council() {
		local_chain(|| {
			let eve = member(Sr25519Keyring::Eve);
			let accredit = RuntimeCall::Consent(pallet_consent::Call::accredit_authority {
				authority: eve.clone(),
				scopes: vec![pallet_consent::AttributePattern::truncate_from(
					b"org:*".to_vec(),
				)]
				.try_into()
				.expect("one scope"),
			});
			assert_eq!(
				pass(
					Sr25519Keyring::Dave,
					[
						Sr25519Keyring::Alice,
						Sr25519Keyring::Bob,
						Sr25519Keyring::Dave
					],
					accredit.clone()
				),
				Some(Ok(()))
			);
			assert!(pallet_consent::Authorities::<Runtime>::contains_key(&eve));
		});
	}
}

/// The metadata file the typed chain API (`chain-api/`, subxt codegen) is generated from must
/// be this runtime's: a call, event, storage item or runtime API renamed or retyped here then
/// fails this test, and the off-chain crates fail to build once the file is regenerated with
/// `scripts/metadata.sh` (which runs this test with `MEDCHAIN_WRITE_METADATA=1`).
#[test]
fn metadata_file_is_current() {
	let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../metadata/medchain.scale");
	let current: Vec<u8> = Runtime::metadata_at_version(16)
		.map(|metadata| metadata.to_vec())
		.expect("the runtime serves metadata v16");
	if std::env::var_os("MEDCHAIN_WRITE_METADATA").is_some() {
		std::fs::write(path, &current).expect("writes metadata/medchain.scale");
		return;
	}
	let committed = std::fs::read(path).unwrap_or_default();
	assert!(
		committed == current,
		"metadata/medchain.scale ({} bytes) is not this runtime's metadata ({} bytes): run \
		 scripts/metadata.sh and rebuild the off-chain crates",
		committed.len(),
		current.len()
	);
}

/// The variant names of an enum type as its metadata gives them.
fn variant_names<T: scale_info::TypeInfo + 'static>() -> Vec<&'static str> {
	match T::type_info().type_def {
		scale_info::TypeDef::Variant(def) => def.variants.iter().map(|v| v.name).collect(),
		other => panic!("not an enum: {other:?}"),
	}
}

/// Error names follow the glossary in `medchain_primitives`' docs: one name per concept in
/// every pallet, `XNotFound` rather than `UnknownX`, and each `AccessDenial` named as the
/// consent error it becomes, so that a client reading `Records::PolicyNotFound` and
/// `Consent::PolicyNotFound` knows they mean the same thing.
#[test]
fn error_names_follow_the_glossary() {
	let pallets = [
		("Records", variant_names::<pallet_records::Error<Runtime>>()),
		("Consent", variant_names::<pallet_consent::Error<Runtime>>()),
		(
			"KeyGrants",
			variant_names::<pallet_key_grants::Error<Runtime>>(),
		),
		("Fl", variant_names::<pallet_fl::Error<Runtime>>()),
		(
			"Validators",
			variant_names::<pallet_validators::Error<Runtime>>(),
		),
	];
	// Names the glossary rules out, with the name to use instead.
	const SYNONYMS: [(&str, &str); 6] = [
		("NotRecordSubject", "NotSubject"),
		("NotOwnerOfRecord", "NotSubject"),
		("ExplicitDeny", "ExplicitlyDenied"),
		("InvalidSignature", "BadSignature"),
		("Overflow", "IdOverflow"),
		("NotEnoughDeposit", "InsufficientDeposit"),
	];
	let mut wrong = Vec::new();
	for (pallet, names) in &pallets {
		for name in names {
			if let Some((_, instead)) = SYNONYMS.iter().find(|(bad, _)| bad == name) {
				wrong.push(format!("{pallet}::{name} (say {instead})"));
			}
			if let Some(thing) = name.strip_prefix("Unknown") {
				wrong.push(format!("{pallet}::{name} (say {thing}NotFound)"));
			}
			if name.ends_with("Error") {
				wrong.push(format!("{pallet}::{name} (no `Error` suffix)"));
			}
		}
	}
	assert!(wrong.is_empty(), "error names off the glossary: {wrong:?}");
	let consent = &pallets[1].1;
	for denial in variant_names::<medchain_primitives::AccessDenial>() {
		assert!(
			consent.contains(&denial),
			"AccessDenial::{denial} is not named as the consent error it becomes"
		);
	}
}
