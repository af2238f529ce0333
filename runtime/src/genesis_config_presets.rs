//! Genesis presets: the initial state of MedChain networks built by the node's chain specs.
//!
//! - `development`: one validator (Alice), a one-member council (Alice) so that governance runs
//!   the same code paths as everywhere else, dev accounts endowed, Alice as sudo.
//! - `local_testnet`: three validators (Alice, Bob, Charlie), a four-member council (Alice to
//!   Dave), dev accounts endowed, **no sudo key**: only a developer's dev chain has a superuser.
//!
//! Both rotate sessions every [`TEST_SESSION_LENGTH`] blocks, so that validator changes show
//! within minutes. A consortium writes its own preset patch (see the README): members,
//! validators with their session keys, balances and an hour-long session.

use crate::{
	AccountId, BalancesConfig, BlockNumber, CouncilMembershipConfig, RuntimeGenesisConfig,
	SessionConfig, SessionKeys, SudoConfig, ValidatorsConfig, MINUTES, UNIT,
};
use alloc::{vec, vec::Vec};
use frame_support::build_struct_json_patch;
use serde_json::Value;
use sp_consensus_aura::sr25519::AuthorityId as AuraId;
use sp_consensus_grandpa::AuthorityId as GrandpaId;
use sp_genesis_builder::{self, PresetId};
use sp_keyring::{Ed25519Keyring, Sr25519Keyring};

/// Balance given to each endowed dev account: one million MED.
pub const ENDOWMENT: crate::Balance = 1_000_000 * UNIT;

/// Session length of the dev and local networks: a minute.
pub const TEST_SESSION_LENGTH: BlockNumber = MINUTES;

/// A validator: its account and its session keys.
pub struct Validator {
	/// Its account (the validator set's entry).
	pub account: AccountId,
	/// Its Aura (block authoring) key.
	pub aura: AuraId,
	/// Its GRANDPA (finality) key.
	pub grandpa: GrandpaId,
}

/// A well-known dev validator: `//Alice` and so on, the account and Aura key sr25519, the
/// GRANDPA key ed25519 (the keys `medchain-node --alice` inserts into its keystore).
pub fn dev_validator(sr25519: Sr25519Keyring, ed25519: Ed25519Keyring) -> Validator {
	Validator {
		account: sr25519.to_account_id(),
		aura: sr25519.public().into(),
		grandpa: ed25519.public().into(),
	}
}

/// The genesis patch of a network.
fn genesis(
	validators: Vec<Validator>,
	council: Vec<AccountId>,
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
		validators: ValidatorsConfig {
			validators: validators
				.iter()
				.map(|v| v.account.clone())
				.collect::<Vec<_>>(),
			session_length: TEST_SESSION_LENGTH,
		},
		// Aura and GRANDPA get their authorities from the session pallet's genesis.
		session: SessionConfig {
			keys: validators
				.into_iter()
				.map(|v| {
					(
						v.account.clone(),
						v.account,
						SessionKeys {
							aura: v.aura,
							grandpa: v.grandpa,
						},
					)
				})
				.collect::<Vec<_>>(),
		},
		council_membership: CouncilMembershipConfig {
			members: council.try_into().expect("the council is within its bound"),
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
		vec![dev_validator(Sr25519Keyring::Alice, Ed25519Keyring::Alice)],
		vec![Sr25519Keyring::Alice.to_account_id()],
		dev_accounts(),
		Some(Sr25519Keyring::Alice.to_account_id()),
	)
}

/// The `local_testnet` preset.
pub fn local_testnet_genesis() -> Value {
	genesis(
		vec![
			dev_validator(Sr25519Keyring::Alice, Ed25519Keyring::Alice),
			dev_validator(Sr25519Keyring::Bob, Ed25519Keyring::Bob),
			dev_validator(Sr25519Keyring::Charlie, Ed25519Keyring::Charlie),
		],
		[
			Sr25519Keyring::Alice,
			Sr25519Keyring::Bob,
			Sr25519Keyring::Charlie,
			Sr25519Keyring::Dave,
		]
		.iter()
		.map(|k| k.to_account_id())
		.collect(),
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
