//! The runtime assembled: `frame_support::runtime` builds `Runtime` and its outer types from
//! the pallets, and [`apis`] implements the runtime APIs on it. Both macros generate public
//! items without docs (the pallets' own docs are theirs), so missing docs are allowed here
//! only; the crate root re-exports everything.

#![allow(missing_docs)]

use super::*;

/// The runtime APIs the node and clients call.
#[path = "apis.rs"]
pub mod apis;

#[frame_support::runtime]
mod runtime {
	#[runtime::runtime]
	#[runtime::derive(
		RuntimeCall,
		RuntimeEvent,
		RuntimeError,
		RuntimeOrigin,
		RuntimeFreezeReason,
		RuntimeHoldReason,
		RuntimeSlashReason,
		RuntimeLockId,
		RuntimeTask,
		RuntimeViewFunction
	)]
	pub struct Runtime;

	// Indices are part of the extrinsic format: never reuse or reorder them.
	#[runtime::pallet_index(0)]
	pub type System = frame_system;
	#[runtime::pallet_index(1)]
	pub type Timestamp = pallet_timestamp;
	#[runtime::pallet_index(2)]
	pub type Aura = pallet_aura;
	#[runtime::pallet_index(3)]
	pub type Grandpa = pallet_grandpa;
	#[runtime::pallet_index(4)]
	pub type Balances = pallet_balances;
	#[runtime::pallet_index(5)]
	pub type TransactionPayment = pallet_transaction_payment;
	/// Development only: the `development` preset sets a sudo key, every other preset none.
	#[runtime::pallet_index(6)]
	pub type Sudo = pallet_sudo;

	// Consortium governance. The validator set is declared before the session pallet so that
	// its genesis is built first (the session pallet asks it for the first set).
	#[runtime::pallet_index(7)]
	pub type Validators = pallet_validators;
	#[runtime::pallet_index(8)]
	pub type Session = pallet_session;
	#[runtime::pallet_index(9)]
	pub type Council = pallet_collective<Instance1>;
	#[runtime::pallet_index(10)]
	pub type CouncilMembership = pallet_membership<Instance1>;
	#[runtime::pallet_index(11)]
	pub type Upgrades = pallet_upgrades;

	// MedChain's own pallets start at 20, leaving room for more infrastructure pallets.
	#[runtime::pallet_index(20)]
	pub type Records = pallet_records;
	#[runtime::pallet_index(21)]
	pub type Consent = pallet_consent;
	#[runtime::pallet_index(22)]
	pub type KeyGrants = pallet_key_grants;
	#[runtime::pallet_index(23)]
	pub type Fl = pallet_fl;
}
