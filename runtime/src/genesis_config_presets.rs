//! Genesis presets: the initial state of MedChain networks built by the node's chain specs.
//!
//! - `development`: one validator (Alice), well-known dev accounts endowed, Alice as sudo.
//! - `local_testnet`: two validators (Alice, Bob), dev accounts endowed, **no sudo key**:
//!   only a developer's dev chain has a superuser.

use crate::{AccountId, BalancesConfig, RuntimeGenesisConfig, SudoConfig, UNIT};
use alloc::{vec, vec::Vec};
use frame_support::build_struct_json_patch;
use serde_json::Value;
use sp_consensus_aura::sr25519::AuthorityId as AuraId;
use sp_consensus_grandpa::AuthorityId as GrandpaId;
use sp_genesis_builder::{self, PresetId};
use sp_keyring::{Ed25519Keyring, Sr25519Keyring};

/// Balance given to each endowed dev account: one million MED.
pub const ENDOWMENT: crate::Balance = 1_000_000 * UNIT;

/// A validator's consensus keys.
pub struct AuthorityKeys {
	pub aura: AuraId,
	pub grandpa: GrandpaId,
}

/// The dev keys of a well-known validator: `//Alice` and so on, sr25519 for Aura and ed25519
/// for GRANDPA (the keys `medchain-node --alice` inserts into its keystore).
pub fn dev_authority(aura: Sr25519Keyring, grandpa: Ed25519Keyring) -> AuthorityKeys {
	AuthorityKeys {
		aura: aura.public().into(),
		grandpa: grandpa.public().into(),
	}
}

fn genesis(
	authorities: Vec<AuthorityKeys>,
	endowed: Vec<AccountId>,
	sudo: Option<AccountId>,
) -> Value {
	build_struct_json_patch!(RuntimeGenesisConfig {
		balances: BalancesConfig {
			balances: endowed
				.into_iter()
				.map(|account| (account, ENDOWMENT))
				.collect::<Vec<_>>(),
		},
		aura: pallet_aura::GenesisConfig {
			authorities: authorities
				.iter()
				.map(|keys| keys.aura.clone())
				.collect::<Vec<_>>(),
		},
		grandpa: pallet_grandpa::GenesisConfig {
			authorities: authorities
				.iter()
				.map(|keys| (keys.grandpa.clone(), 1))
				.collect::<Vec<_>>(),
		},
		sudo: SudoConfig { key: sudo },
	})
}

/// Well-known dev accounts (Alice..Ferdie and their stashes).
fn dev_accounts() -> Vec<AccountId> {
	Sr25519Keyring::iter()
		.filter(|k| *k != Sr25519Keyring::One && *k != Sr25519Keyring::Two)
		.map(|k| k.to_account_id())
		.collect()
}

/// The `development` preset.
pub fn development_genesis() -> Value {
	genesis(
		vec![dev_authority(Sr25519Keyring::Alice, Ed25519Keyring::Alice)],
		dev_accounts(),
		Some(Sr25519Keyring::Alice.to_account_id()),
	)
}

/// The `local_testnet` preset.
pub fn local_testnet_genesis() -> Value {
	genesis(
		vec![
			dev_authority(Sr25519Keyring::Alice, Ed25519Keyring::Alice),
			dev_authority(Sr25519Keyring::Bob, Ed25519Keyring::Bob),
		],
		dev_accounts(),
		None,
	)
}

/// The preset named `id`, as JSON, or `None` for an unknown name.
pub fn get_preset(id: &PresetId) -> Option<Vec<u8>> {
	let patch = match id.as_ref() {
		sp_genesis_builder::DEV_RUNTIME_PRESET => development_genesis(),
		sp_genesis_builder::LOCAL_TESTNET_RUNTIME_PRESET => local_testnet_genesis(),
		_ => return None,
	};
	// Serialising a `serde_json::Value` cannot fail.
	serde_json::to_vec(&patch).ok()
}

/// Names of the presets this runtime offers.
pub fn preset_names() -> Vec<PresetId> {
	vec![
		PresetId::from(sp_genesis_builder::DEV_RUNTIME_PRESET),
		PresetId::from(sp_genesis_builder::LOCAL_TESTNET_RUNTIME_PRESET),
	]
}
