//! # Consent runtime API
//!
//! Questions gateways, proxies and dApps ask the consent pallet without a transaction (over
//! RPC with `state_call`):
//!
//! - [`ConsentApi::access`]: may this account access this record for this purpose now, and
//!   on what basis (or why not)? The same decision `request_access` makes, without storing a
//!   ticket.
//! - [`ConsentApi::live_ticket`]: the account's unexpired ticket for a record: what a gateway
//!   checks before serving a blob, since a ticket is the on-chain audit trail of the grant.
//! - [`ConsentApi::valid_attributes`]: the account's attributes that count now (the set a
//!   CP-ABE key should carry).
//! - [`ConsentApi::policy`]: a policy's canonical text (what clients encrypt under) and
//!   compiled form.
//! - [`ConsentApi::break_glass_uses`]: a subject's emergency accesses, reviewed or not.
//! - [`ConsentApi::read_receipts`]: a subject's receipts of reads served by gateways.
//! - [`ConsentApi::read_request_message`]: the bytes a reader signs for a download request.
//! - [`ConsentApi::authorities`] (version 2): every accredited authority with its scopes,
//!   status and CP-ABE key commitment: what a writer checks before encrypting under a
//!   policy, and what `trust` checks an authority's parameters file against.
//! - [`ConsentApi::check_read`] (version 3): may this gateway serve this signed read request
//!   now, and if not, why (the pallet error `record_read` would fail with). Gateways ask it
//!   instead of re-deciding a pallet rule off chain.
//! - [`ConsentApi::check_reads`] (version 4): [`ConsentApi::check_read`] for many requests in
//!   one call, for a gateway serving many reads at once. Version 4 also lists receipts with
//!   the chain's verdict (`ReadReceipt::refused`).

#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

use alloc::vec::Vec;
use codec::Codec;
pub use medchain_primitives::{AccessBasis, AccessDenial, PolicyId, Purpose, RecordId};
pub use pallet_consent::{
	policy::AttributeName, AbeKeyCommitment, AuthorityStatus, BreakGlassId, BreakGlassUse, Policy,
	ReadReceipt, ReadRequest, Ticket,
};
pub use sp_core::H256;

sp_api::decl_runtime_apis! {
	/// Read access to consent decisions and their records.
	///
	/// Version 2 added [`ConsentApi::authorities`], version 3 [`ConsentApi::check_read`],
	/// version 4 [`ConsentApi::check_reads`] (and receipts' `refused`).
	#[api_version(4)]
	pub trait ConsentApi<AccountId, Balance, BlockNumber>
	where
		AccountId: Codec,
		Balance: Codec,
		BlockNumber: Codec,
	{
		/// Whether `who` may access `record` for `purpose` at this block.
		fn access(who: AccountId, record: RecordId, purpose: Purpose) -> Result<AccessBasis, AccessDenial>;

		/// `who`'s ticket for `record` if it has not expired at this block.
		fn live_ticket(who: AccountId, record: RecordId) -> Option<Ticket<AccountId, Balance, BlockNumber>>;

		/// `who`'s attributes that count at this block, sorted.
		fn valid_attributes(who: AccountId) -> Vec<AttributeName>;

		/// Policy `id`.
		fn policy(id: PolicyId) -> Option<Policy<AccountId, Balance, BlockNumber>>;

		/// Break-glass uses listed for `subject`, oldest first.
		fn break_glass_uses(subject: AccountId) -> Vec<(BreakGlassId, BreakGlassUse<AccountId, Balance, BlockNumber>)>;

		/// Read receipts listed for `subject` (keyed by request hash), oldest first.
		fn read_receipts(subject: AccountId) -> Vec<(H256, ReadReceipt<AccountId, Balance, BlockNumber>)>;

		/// The message a reader signs for `request`: context, genesis hash, request.
		fn read_request_message(request: ReadRequest<AccountId, BlockNumber>) -> Vec<u8>;

		/// Every accredited authority: account, scopes (attributes and `namespace:*`
		/// patterns) and status, and its current CP-ABE key commitment if it published one.
		fn authorities() -> Vec<(AccountId, Vec<AttributeName>, AuthorityStatus, Option<AbeKeyCommitment<BlockNumber>>)>;

		/// Whether `record_read(request, signature)`, submitted by `request.gateway`, would
		/// succeed at this block; if not, its error. Decided by the same code as the call
		/// (`Pallet::decide_read`); the receipt deposit is not checked.
		fn check_read(request: ReadRequest<AccountId, BlockNumber>, signature: sp_core::sr25519::Signature) -> Result<(), sp_runtime::DispatchError>;
		/// [`ConsentApi::check_read`] for each of `reads`, in order, at this block.
		fn check_reads(reads: Vec<(ReadRequest<AccountId, BlockNumber>, sp_core::sr25519::Signature)>) -> Vec<Result<(), sp_runtime::DispatchError>>;
	}
}
