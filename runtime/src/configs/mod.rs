//! Pallet configuration.
//!
//! Each `impl Config` says why its constants have the values they have. Weights: MedChain's
//! pallets carry their own generated `weights.rs`; block and extrinsic base weights and the
//! FRAME pallets used as they are come from [`crate::weights`], measured on MedChain's
//! reference machine. Database weights are still polkadot-sdk's ParityDB defaults, and
//! governance's FRAME pallets (collective, membership, session) polkadot-sdk's
//! reference-hardware weights.

mod consent;
mod fl;
mod governance;
mod key_grants;
mod records;
pub use governance::{
	CouncilCollective, CouncilMembershipInstance, Governance, MAX_COUNCIL_MEMBERS,
};
pub use records::PolicyId;

use frame_support::{
	derive_impl,
	dispatch::DispatchClass,
	parameter_types,
	traits::{ConstBool, ConstU128, ConstU32, ConstU64, ConstU8, VariantCountOf},
	weights::{constants::WEIGHT_REF_TIME_PER_SECOND, IdentityFee, Weight},
};
use frame_system::limits::{BlockLength, BlockWeights};
use pallet_transaction_payment::{ConstFeeMultiplier, FungibleAdapter, Multiplier};
use sp_consensus_aura::sr25519::AuthorityId as AuraId;
use sp_runtime::{traits::One, Perbill};
use sp_version::RuntimeVersion;

use super::{
	weights::{self, BlockExecutionWeight, ExtrinsicBaseWeight, ParityDbWeight},
	AccountId, Aura, Balance, Balances, Block, BlockNumber, Hash, Nonce, PalletInfo, Runtime,
	RuntimeCall, RuntimeEvent, RuntimeFreezeReason, RuntimeHoldReason, RuntimeOrigin, RuntimeTask,
	System, EXISTENTIAL_DEPOSIT, SLOT_DURATION, VERSION,
};

/// Share of a block that ordinary (non-operational) transactions may fill.
const NORMAL_DISPATCH_RATIO: Perbill = Perbill::from_percent(75);

/// Validators and GRANDPA voters the chain can have at once; a consortium has tens, not hundreds.
pub const MAX_AUTHORITIES: u32 = 32;

parameter_types! {
	/// This runtime's version, for `frame_system`.
	pub const Version: RuntimeVersion = VERSION;
	/// 2 s of compute per 6 s block, leaving time for import and networking; the base costs
	/// of a block and of an extrinsic as measured on this machine.
	pub RuntimeBlockWeights: BlockWeights = block_weights(
		Weight::from_parts(2u64 * WEIGHT_REF_TIME_PER_SECOND, u64::MAX),
	);
	/// 5 MiB blocks: records are off-chain, so extrinsics are small.
	pub RuntimeBlockLength: BlockLength = BlockLength::builder()
		.max_length(5 * 1024 * 1024)
		.modify_max_length_for_class(DispatchClass::Normal, |max| {
			*max = NORMAL_DISPATCH_RATIO * *max
		})
		.build();
	/// Generic Substrate address format, as shown by polkadot.js for dev chains.
	pub const SS58Prefix: u16 = 42;
	/// Blocks whose hashes transactions may use as mortality checkpoints (~4 h).
	pub const BlockHashCount: BlockNumber = 2400;
}

/// `BlockWeights::with_sensible_defaults` with MedChain's measured base weights: ordinary
/// transactions may fill [`NORMAL_DISPATCH_RATIO`] of `max_block`, operational ones the rest,
/// and 10 % is set aside for block initialisation.
fn block_weights(max_block: Weight) -> BlockWeights {
	let normal = NORMAL_DISPATCH_RATIO * max_block;
	BlockWeights::builder()
		.base_block(BlockExecutionWeight::get())
		.for_class(DispatchClass::all(), |class| {
			class.base_extrinsic = ExtrinsicBaseWeight::get();
		})
		.for_class(DispatchClass::Normal, |class| {
			class.max_total = Some(normal);
		})
		.for_class(DispatchClass::Operational, |class| {
			class.max_total = Some(max_block);
			class.reserved = Some(max_block.saturating_sub(normal));
		})
		.avg_block_initialization(Perbill::from_percent(10))
		.build_or_panic()
}

#[derive_impl(frame_system::config_preludes::SolochainDefaultConfig)]
impl frame_system::Config for Runtime {
	type Block = Block;
	type BlockWeights = RuntimeBlockWeights;
	type BlockLength = RuntimeBlockLength;
	type AccountId = AccountId;
	type Nonce = Nonce;
	type Hash = Hash;
	type BlockHashCount = BlockHashCount;
	/// The node stores state in ParityDB: a read and a write as `scripts/benchmark.sh storage`
	/// measured them on this machine on a loaded chain (`weights::paritydb_weights`).
	type DbWeight = ParityDbWeight;
	type SystemWeightInfo = weights::frame_system::WeightInfo<Runtime>;
	type ExtensionsWeightInfo = weights::frame_system_extensions::WeightInfo<Runtime>;
	type Version = Version;
	type AccountData = pallet_balances::AccountData<Balance>;
	type SS58Prefix = SS58Prefix;
	type MaxConsumers = ConstU32<16>;
}

impl pallet_aura::Config for Runtime {
	type AuthorityId = AuraId;
	type DisabledValidators = ();
	type MaxAuthorities = ConstU32<MAX_AUTHORITIES>;
	type AllowMultipleBlocksPerSlot = ConstBool<false>;
	type SlotDuration = pallet_aura::MinimumPeriodTimesTwo<Runtime>;
}

impl pallet_grandpa::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type WeightInfo = ();
	type MaxAuthorities = ConstU32<MAX_AUTHORITIES>;
	type MaxNominators = ConstU32<0>;
	type MaxSetIdSessionEntries = ConstU64<0>;
	// No equivocation reporting until validators are session-managed (governance issue).
	type KeyOwnerProof = sp_core::Void;
	type EquivocationReportSystem = ();
}

impl pallet_timestamp::Config for Runtime {
	type Moment = u64;
	type OnTimestampSet = Aura;
	type MinimumPeriod = ConstU64<{ SLOT_DURATION / 2 }>;
	type WeightInfo = weights::pallet_timestamp::WeightInfo<Runtime>;
}

impl pallet_balances::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type Balance = Balance;
	type DustRemoval = ();
	type ExistentialDeposit = ConstU128<EXISTENTIAL_DEPOSIT>;
	type AccountStore = System;
	type WeightInfo = weights::pallet_balances::WeightInfo<Runtime>;
	type MaxLocks = ConstU32<50>;
	// Deposits use holds (`RuntimeHoldReason`), not the deprecated named reserves.
	type MaxReserves = ConstU32<0>;
	type ReserveIdentifier = [u8; 8];
	type RuntimeHoldReason = RuntimeHoldReason;
	type RuntimeFreezeReason = RuntimeFreezeReason;
	type FreezeIdentifier = RuntimeFreezeReason;
	type MaxFreezes = VariantCountOf<RuntimeFreezeReason>;
	type DoneSlashHandler = ();
}

parameter_types! {
	/// Fees do not scale with congestion: a consortium chain is not an auction.
	pub FeeMultiplier: Multiplier = Multiplier::one();
}

impl pallet_transaction_payment::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type OnChargeTransaction = FungibleAdapter<Balances, ()>;
	type OperationalFeeMultiplier = ConstU8<5>;
	type WeightToFee = IdentityFee<Balance>;
	type LengthToFee = IdentityFee<Balance>;
	type FeeMultiplierUpdate = ConstFeeMultiplier<FeeMultiplier>;
	type WeightInfo = weights::pallet_transaction_payment::WeightInfo<Runtime>;
}

impl pallet_sudo::Config for Runtime {
	type RuntimeEvent = RuntimeEvent;
	type RuntimeCall = RuntimeCall;
	type WeightInfo = pallet_sudo::weights::SubstrateWeight<Runtime>;
}
