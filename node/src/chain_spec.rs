//! Chain specifications, built from the runtime's genesis presets.

use medchain_runtime::{TOKEN_DECIMALS, TOKEN_SYMBOL, WASM_BINARY};
use sc_service::{ChainType, Properties};

/// Network protocol id: keeps MedChain peers apart from other Substrate chains' peers.
const PROTOCOL_ID: &str = "medchain";

/// MedChain's chain spec type (genesis comes from the runtime's presets; no extensions).
pub type ChainSpec = sc_service::GenericChainSpec;

/// Token symbol and decimals, so wallets such as polkadot.js show MED balances correctly.
fn properties() -> Properties {
	let mut properties = Properties::new();
	properties.insert("tokenSymbol".into(), TOKEN_SYMBOL.into());
	properties.insert("tokenDecimals".into(), TOKEN_DECIMALS.into());
	properties.insert("ss58Format".into(), 42.into());
	properties
}

fn wasm() -> Result<&'static [u8], String> {
	WASM_BINARY.ok_or_else(|| {
		"the runtime's WASM binary is not available: build without SKIP_WASM_BUILD".to_string()
	})
}

/// A chain spec whose genesis is the runtime preset `preset`.
fn from_preset(
	name: &str,
	id: &str,
	chain_type: ChainType,
	preset: &str,
) -> Result<ChainSpec, String> {
	Ok(ChainSpec::builder(wasm()?, None)
		.with_name(name)
		.with_id(id)
		.with_protocol_id(PROTOCOL_ID)
		.with_chain_type(chain_type)
		.with_genesis_config_preset_name(preset)
		.with_properties(properties())
		.build())
}

/// `--dev`: a single-validator chain that any developer can run alone.
pub fn development() -> Result<ChainSpec, String> {
	from_preset(
		"MedChain Development",
		"medchain_dev",
		ChainType::Development,
		sp_genesis_builder::DEV_RUNTIME_PRESET,
	)
}

/// `--chain local`: a multi-validator local test network.
pub fn local_testnet() -> Result<ChainSpec, String> {
	from_preset(
		"MedChain Local Testnet",
		"medchain_local",
		ChainType::Local,
		sp_genesis_builder::LOCAL_TESTNET_RUNTIME_PRESET,
	)
}
