//! # Key-grants runtime API
//!
//! What re-encryption proxies, grantees and dApps ask without a transaction:
//!
//! - [`KeyGrantsApi::grant_active_for`]: is grant G active for proxy P and record R now? A proxy
//!   asks before every re-encryption.
//! - [`KeyGrantsApi::attestation_message`]: the exact bytes a proxy signs (sr25519) to attest a
//!   re-encryption, so off-chain code need not re-implement the encoding.
//! - [`KeyGrantsApi::grant`], [`KeyGrantsApi::receipts`], [`KeyGrantsApi::proxy`],
//!   [`KeyGrantsApi::pre_keys`]: state for clients and audits.
//! - [`KeyGrantsApi::grant_active`] (version 2): is grant G active now (not revoked, not
//!   expired)? A proxy asks before dropping a grant's key fragment, instead of re-deciding the
//!   pallet's rule itself.

#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

use alloc::vec::Vec;
use codec::Codec;
pub use medchain_primitives::RecordId;
pub use pallet_key_grants::{Attestation, GrantId, PreKeys, Proxy, Receipt};

sp_api::decl_runtime_apis! {
	/// Read access to PRE grants.
	///
	/// Version 2 added [`KeyGrantsApi::grant_active`], version 3 [`KeyGrantsApi::grants_of`].
	#[api_version(3)]
	pub trait KeyGrantsApi<AccountId, Balance, BlockNumber, GrantInfo>
	where
		AccountId: Codec,
		Balance: Codec,
		BlockNumber: Codec,
		GrantInfo: Codec,
	{
		/// Whether grant `grant` is active now, names `proxy` (itself active) and covers `record`.
		fn grant_active_for(grant: GrantId, proxy: AccountId, record: RecordId) -> bool;

		/// The message `attestation.proxy` signs for `attestation`.
		fn attestation_message(attestation: Attestation<AccountId, BlockNumber>) -> Vec<u8>;

		/// Grant `grant`, if not cleared.
		fn grant(grant: GrantId) -> Option<GrantInfo>;

		/// The receipts of grant `grant`, oldest first.
		fn receipts(grant: GrantId) -> Vec<Receipt<AccountId, BlockNumber>>;

		/// Proxy `who`, if registered.
		fn proxy(who: AccountId) -> Option<Proxy<Balance, BlockNumber>>;

		/// `who`'s published PRE keys.
		fn pre_keys(who: AccountId) -> Option<PreKeys<BlockNumber>>;

		/// Whether grant `grant` exists and is active at this block (not revoked, not
		/// expired): what a proxy asks before it drops a grant's key fragment.
		fn grant_active(grant: GrantId) -> bool;

		/// `owner`'s grants (active, revoked or expired, until cleared), by id: what a
		/// patient's wallet lists and revokes.
		#[api_version(3)]
		fn grants_of(owner: AccountId) -> Vec<(GrantId, GrantInfo)>;
	}
}
