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
fn with_preset_state(name: &str, check: impl FnOnce()) {
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
fn local_testnet_preset_has_two_validators_and_no_sudo() {
	with_preset_state(LOCAL_TESTNET_RUNTIME_PRESET, || {
		assert_eq!(pallet_aura::Authorities::<Runtime>::get().len(), 2);
		assert_eq!(
			pallet_grandpa::Pallet::<Runtime>::grandpa_authorities().len(),
			2
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
