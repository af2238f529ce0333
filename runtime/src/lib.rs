//! # MedChain runtime
//!
//! The state transition function of MedChain, a consortium chain on which hospitals, labs and
//! research groups share encrypted medical records under the patient's control. Blocks are
//! authored by Aura and finalised by GRANDPA; accounts pay fees in MED.
//!
//! - [`configs`]: how each pallet is configured.
//! - [`apis`]: the runtime APIs the node and clients call.
//! - [`genesis_config_presets`]: the `development` and `local_testnet` genesis presets.
//!
//! Plaintext medical data never enters this runtime: pallets store only references (CIDs),
//! digests, policies and audit events.

#![cfg_attr(not(feature = "std"), no_std)]

/// This runtime's WASM, written by `substrate-wasm-builder` (`build.rs`).
#[cfg(all(feature = "std", feature = "wasm-builder"))]
mod wasm_binary {
	// The builder writes the constants without docs; they are documented where re-exported.
	#![allow(missing_docs, dead_code)]
	include!(concat!(env!("OUT_DIR"), "/wasm_binary.rs"));
}
/// The compact, compressed WASM the node runs; `None` when the build skipped it.
#[cfg(all(feature = "std", feature = "wasm-builder"))]
pub use wasm_binary::WASM_BINARY;
/// The WASM before compaction and compression.
#[cfg(all(feature = "std", feature = "wasm-builder"))]
pub use wasm_binary::WASM_BINARY_BLOATY;

/// No WASM runtime in a native build without the `wasm-builder` feature.
#[cfg(all(feature = "std", not(feature = "wasm-builder")))]
pub const WASM_BINARY: Option<&[u8]> = None;
/// No WASM runtime in a native build without the `wasm-builder` feature.
#[cfg(all(feature = "std", not(feature = "wasm-builder")))]
pub const WASM_BINARY_BLOATY: Option<&[u8]> = None;

/// The upgrade rehearsal runtime's WASM (`build.rs`): this runtime with `spec_version` one
/// higher. `None` in builds that skip it (`SKIP_WASM_BUILD`, production builds, builds
/// without `wasm-builder`).
#[cfg(feature = "std")]
pub mod upgrade_rehearsal {
	// Written by `build.rs` without docs: `WASM_BINARY` (compact, compressed),
	// `WASM_BINARY_BLOATY` and `WASM_BINARY_PATH`.
	#![allow(missing_docs)]
	#[cfg(feature = "wasm-builder")]
	include!(concat!(env!("OUT_DIR"), "/upgrade_rehearsal"));
	/// No WASM runtime in a native build without the `wasm-builder` feature.
	#[cfg(not(feature = "wasm-builder"))]
	pub const WASM_BINARY: Option<&[u8]> = None;
}

extern crate alloc;

#[cfg(feature = "runtime-benchmarks")]
mod benchmarks;
pub mod configs;
pub mod genesis_config_presets;
pub mod weights;

use alloc::{borrow::Cow, vec::Vec};
use sp_runtime::{
	generic, impl_opaque_keys,
	traits::{BlakeTwo256, IdentifyAccount, Verify},
	MultiAddress, MultiSignature,
};
use sp_version::RuntimeVersion;

pub use frame_system::Call as SystemCall;
pub use pallet_balances::Call as BalancesCall;
pub use pallet_timestamp::Call as TimestampCall;
#[cfg(any(feature = "std", test))]
pub use sp_runtime::BuildStorage;

/// Types the node needs without knowing the runtime's extrinsic format.
pub mod opaque {
	use super::*;
	pub use sp_runtime::OpaqueExtrinsic as UncheckedExtrinsic;

	/// Opaque block header type.
	pub type Header = generic::Header<BlockNumber, BlakeTwo256>;
	/// Opaque block type.
	pub type Block = generic::Block<Header, UncheckedExtrinsic>;
}

impl_opaque_keys! {
	/// The keys a validator registers: Aura for authoring, GRANDPA for finality.
	pub struct SessionKeys {
		/// The sr25519 key that authors blocks.
		pub aura: Aura,
		/// The ed25519 key that votes on finality.
		pub grandpa: Grandpa,
	}
}

/// Runtime version. Bump `spec_version` with every runtime upgrade; bump
/// `transaction_version` when call indices or extrinsic formats change.
#[cfg(not(feature = "upgrade-rehearsal"))]
#[sp_version::runtime_version]
pub const VERSION: RuntimeVersion = RuntimeVersion {
	spec_name: Cow::Borrowed("medchain"),
	impl_name: Cow::Borrowed("medchain"),
	authoring_version: 1,
	spec_version: 113,
	impl_version: 1,
	apis: apis::RUNTIME_API_VERSIONS,
	transaction_version: 2,
	system_version: 1,
};

/// The upgrade rehearsal build (feature `upgrade-rehearsal`, see `build.rs`): this runtime one
/// `spec_version` higher, for rehearsing council-voted upgrades on test networks. Keep it equal
/// to [`VERSION`] except for `spec_version`.
#[cfg(feature = "upgrade-rehearsal")]
#[sp_version::runtime_version]
pub const VERSION: RuntimeVersion = RuntimeVersion {
	spec_name: Cow::Borrowed("medchain"),
	impl_name: Cow::Borrowed("medchain"),
	authoring_version: 1,
	spec_version: 114,
	impl_version: 1,
	apis: apis::RUNTIME_API_VERSIONS,
	transaction_version: 2,
	system_version: 1,
};

/// Block production timing.
pub mod time {
	use super::BlockNumber;

	/// Target block time. Aura slots have the same length.
	pub const MILLI_SECS_PER_BLOCK: u64 = 6000;
	/// Aura slot duration. Changing it on a live chain stalls block production.
	pub const SLOT_DURATION: u64 = MILLI_SECS_PER_BLOCK;

	/// Blocks per minute.
	pub const MINUTES: BlockNumber = 60_000 / (MILLI_SECS_PER_BLOCK as BlockNumber);
	/// Blocks per hour.
	pub const HOURS: BlockNumber = MINUTES * 60;
	/// Blocks per day.
	pub const DAYS: BlockNumber = HOURS * 24;
}
pub use time::*;

/// The MED token.
pub mod currency {
	use super::Balance;

	/// Symbol shown by wallets (chain properties) and used for the metadata hash.
	pub const TOKEN_SYMBOL: &str = "MED";
	/// Decimal places: one MED is 10^12 plancks.
	pub const TOKEN_DECIMALS: u8 = 12;

	/// One MED in plancks.
	pub const UNIT: Balance = 1_000_000_000_000;
	/// A thousandth of a MED.
	pub const MILLI_UNIT: Balance = UNIT / 1_000;
	/// A millionth of a MED.
	pub const MICRO_UNIT: Balance = UNIT / 1_000_000;

	/// Accounts holding less than this are reaped; keeps dust accounts out of state.
	pub const EXISTENTIAL_DEPOSIT: Balance = MILLI_UNIT;

	/// Deposit for keeping `items` storage entries of `bytes` bytes in total: 0.1 MED per
	/// entry plus 1 milli-MED per byte. Large enough that filling state costs real money,
	/// small next to what a hospital or patient account holds; returned when the data goes.
	pub const fn deposit(items: u32, bytes: u32) -> Balance {
		items as Balance * 100 * MILLI_UNIT + bytes as Balance * MILLI_UNIT
	}
}
pub use currency::*;

/// Signatures: sr25519, ed25519 or ecdsa, as polkadot.js and subxt sign by default.
pub type Signature = MultiSignature;
/// An account is the public key behind its signature.
pub type AccountId = <<Signature as Verify>::Signer as IdentifyAccount>::AccountId;
/// Balances are u128: 12 decimals leave ample headroom.
pub type Balance = u128;
/// A transaction index.
pub type Nonce = u32;
/// Block hashes.
pub type Hash = sp_core::H256;
/// Block numbers: u32 lasts ~800 years at 6 s blocks.
pub type BlockNumber = u32;
/// Addresses accepted by calls that take an account.
pub type Address = MultiAddress<AccountId, ()>;
/// Block header.
pub type Header = generic::Header<BlockNumber, BlakeTwo256>;
/// Block.
pub type Block = generic::Block<Header, UncheckedExtrinsic>;
/// Block with justifications.
pub type SignedBlock = generic::SignedBlock<Block>;

/// The checks every signed transaction carries, in order.
pub type TxExtension = (
	frame_system::AuthorizeCall<Runtime>,
	frame_system::CheckNonZeroSender<Runtime>,
	frame_system::CheckSpecVersion<Runtime>,
	frame_system::CheckTxVersion<Runtime>,
	frame_system::CheckGenesis<Runtime>,
	frame_system::CheckEra<Runtime>,
	frame_system::CheckNonce<Runtime>,
	frame_system::CheckWeight<Runtime>,
	pallet_transaction_payment::ChargeTransactionPayment<Runtime>,
	frame_metadata_hash_extension::CheckMetadataHash<Runtime>,
	frame_system::WeightReclaim<Runtime>,
);

/// Extrinsic format.
pub type UncheckedExtrinsic =
	generic::UncheckedExtrinsic<Address, RuntimeCall, Signature, TxExtension>;
/// What a signer signs.
pub type SignedPayload = generic::SignedPayload<RuntimeCall, TxExtension>;

/// Storage migrations run at the next runtime upgrade, oldest first.
type Migrations = (
	pallet_records::migrations::v3::MigrateV2ToV3<Runtime>,
	pallet_records::migrations::v4::MigrateV3ToV4<Runtime>,
	// Copies the records pallet's per-policy counts (storage version 4) into consent's:
	// before records' v5, which removes them.
	pallet_consent::migrations::v2::MigrateV1ToV2<Runtime>,
	pallet_records::migrations::v5::MigrateV4ToV5<Runtime>,
	pallet_key_grants::migrations::v1::MigrateV0ToV1<Runtime>,
	pallet_key_grants::migrations::v2::MigrateV1ToV2<Runtime>,
	pallet_fl::migrations::v1::MigrateV0ToV2<Runtime>,
	pallet_fl::migrations::v2::MigrateV1ToV2<Runtime>,
	pallet_consent::migrations::v1::MigrateV0ToV1<Runtime>,
);

/// Dispatches blocks and extrinsics to the pallets.
pub type Executive = frame_executive::Executive<
	Runtime,
	Block,
	frame_system::ChainContext<Runtime>,
	Runtime,
	AllPalletsWithSystem,
	Migrations,
>;

// `frame_support::runtime` and `impl_runtime_apis!` generate the runtime's types (`Runtime`,
// `RuntimeCall`, `RuntimeEvent`, the pallet aliases, `RuntimeApi`, …) without docs; they live
// in `construct` and are re-exported here.
mod construct;
pub use construct::*;

#[cfg(test)]
mod denial_matrix;
#[cfg(test)]
mod tests;
