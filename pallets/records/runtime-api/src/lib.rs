//! # Record registry runtime API
//!
//! Lets gateways, dApps and the MedChain client read the record registry through a runtime
//! call (`state_call` over RPC) instead of decoding storage keys:
//!
//! - [`RecordsApi::records_of`]: a subject's live records, a page at a time.
//! - [`RecordsApi::record`]: one record with every stored version, or its tombstone if erased.
//! - [`RecordsApi::tombstones_of`]: a subject's erased records, a page at a time.
//!
//! Paging: pass the last id of the previous page as `start_after`. Pages follow storage order
//! (by hashed record id), which is stable but not ascending; sort client-side if needed. The
//! runtime caps `limit` at the number of live records a subject may have.

#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

use alloc::vec::Vec;
use codec::Codec;
pub use pallet_records::{Record, RecordId, RecordView, Tombstone, VersionNumber};

sp_api::decl_runtime_apis! {
	/// Read access to the record registry.
	///
	/// Version 2 added [`RecordsApi::tombstones_of`].
	#[api_version(2)]
	pub trait RecordsApi<AccountId, Balance, BlockNumber, PolicyId>
	where
		AccountId: Codec,
		Balance: Codec,
		BlockNumber: Codec,
		PolicyId: Codec,
	{
		/// Up to `limit` live records of `subject` following `start_after` (the last id of
		/// the previous page) in storage order.
		fn records_of(
			subject: AccountId,
			start_after: Option<RecordId>,
			limit: u32,
		) -> Vec<(RecordId, Record<AccountId, BlockNumber, PolicyId>)>;

		/// Record `id` with its versions oldest first, its tombstone if it was erased, or
		/// `None` if it never existed.
		fn record(id: RecordId) -> Option<RecordView<AccountId, Balance, BlockNumber, PolicyId>>;
		/// The live record and version whose content is `cid` (binary CID), or `None` if no
		/// live version names it. A gateway deletes a blob only when this is `None`.
		fn content_anchor(cid: Vec<u8>) -> Option<(RecordId, VersionNumber)>;
		/// Whether `writer` may write `subject`'s records now (the subject itself, or a
		/// custodian the subject authorised and whose authorisation has not expired; the kind
		/// is checked when the record is registered). Gateways accept uploads only from such
		/// writers.
		fn may_write(writer: AccountId, subject: AccountId) -> bool;

		/// Up to `limit` erased records of `subject` with their tombstones (last digest,
		/// versions erased, erasure block), following `start_after` in storage order.
		#[api_version(2)]
		fn tombstones_of(
			subject: AccountId,
			start_after: Option<RecordId>,
			limit: u32,
		) -> Vec<(RecordId, Tombstone<AccountId, BlockNumber>)>;
	}
}
