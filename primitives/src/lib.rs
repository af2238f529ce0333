//! # MedChain primitives
//!
//! What MedChain's pallets know about each other. Each pallet owns its storage; the others see
//! it only through the traits here, so that they can be developed, tested (with mocks) and
//! upgraded apart:
//!
//! - [`RecordInspect`]: the record registry answers "which live record is this, whose, guarded
//!   by which policy?".
//! - [`PolicyUse`]: the consent pallet counts the live records each policy guards (refusing a
//!   policy that does not exist), so that a policy in use is not removed.
//! - [`AccessInspect`]: the consent pallet answers "may this account access this record for
//!   this purpose now?" and "do this account's attributes satisfy this policy now?". Key grants
//!   and federated learning reuse these decisions instead of re-implementing them.
//!
//! - [`DelegatedAccess`]: the key-grants pallet answers "does this active grant let this
//!   grantee read this record?", so that reads served under a grant can be audited.
//! - [`next_id`]: assigns sequential ids and refuses to go past the maximum, for every
//!   pallet's id counters.
//! - [`SignatureVerifier`]: checks an account's sr25519 signature of an off-chain statement
//!   (a proxy's attestation, a reader's signed download request).
//!
//! Every implementation must be side-effect free: these are questions, not actions.
//!
//! ## Glossary of error names
//!
//! A client sees `Pallet::Error` (`Consent::ExplicitlyDenied`), so one concept has one name in
//! every pallet. Short CamelCase, no `Error` suffix; the runtime test
//! `error_names_follow_the_glossary` enforces the rules it can check.
//!
//! | Name | Means | Used by |
//! |---|---|---|
//! | `RecordNotFound` | no live record has this id | Records, Consent, KeyGrants |
//! | `RecordErased` | the record was erased (a tombstone remains) | Records |
//! | `PolicyNotFound` | no such consent policy | Records, Consent |
//! | `RecordPolicyMissing` | the record names a policy that no longer exists (access fails closed) | Consent, `AccessDenial` |
//! | `NotSubject` | the caller is not the record's subject (patient) | Records, Consent, KeyGrants |
//! | `ExplicitlyDenied` | the subject denied this account (deny wins) | Consent, `AccessDenial` |
//! | `PolicyNotSatisfied` | the account's valid attributes do not satisfy the policy | Consent, Fl, `AccessDenial` |
//! | `GrantNotActive` | the grant is revoked, expired or does not cover the record | Consent, KeyGrants |
//! | `BadSignature` | a signed statement does not verify | Consent, KeyGrants |
//! | `ExpiryInPast` | an expiry block that has already passed | Records, Consent, KeyGrants |
//! | `InsufficientDeposit` | the caller cannot hold the deposit | Records, KeyGrants, Fl |
//! | `IdOverflow` | an id counter is exhausted | every pallet with ids |
//!
//! Patterns: `XNotFound` for a missing item (never `UnknownX`), `NotX` for a caller who lacks
//! role X (`NotIssuer`, `NotAggregator`), `TooManyX` for a full bounded collection, `AlreadyX`
//! for a repeated action, `XStillY` for an action that must wait. [`AccessDenial`]'s variants
//! carry the names of the consent errors they become.

#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use scale_info::TypeInfo;
use sp_core::{bounded::BoundedVec, ConstU32};

/// The prefix of a binary CIDv1 with the `raw` codec and a sha2-256 multihash: version 1,
/// codec 0x55, multihash 0x12 of 32 (0x20) bytes. Envelopes are stored as raw leaves, so every
/// single-block record's CID starts with these bytes.
pub const CID_V1_RAW_SHA2_256_PREFIX: [u8; 4] = [0x01, 0x55, 0x12, 0x20];

/// The binary CIDv1 (`raw`, sha2-256) of a block whose sha2-256 is `digest`. Benchmarks, tests
/// and fuzz seeds make their made-up content ids with it.
pub fn cid_v1_raw_sha2_256(digest: &[u8; 32]) -> alloc::vec::Vec<u8> {
	let mut cid = alloc::vec::Vec::with_capacity(CID_V1_RAW_SHA2_256_PREFIX.len() + 32);
	cid.extend_from_slice(&CID_V1_RAW_SHA2_256_PREFIX);
	cid.extend_from_slice(digest);
	cid
}

/// Identifies a record for its whole life, across versions. Assigned by the record registry.
pub type RecordId = u64;

/// Identifies a consent policy. Assigned by the consent pallet.
pub type PolicyId = u32;

/// Longest record kind code in bytes (FHIR resource types are at most ~35 characters).
pub const MAX_KIND_LEN: u32 = 64;

/// What a record holds, as a code such as a FHIR resource type: `Observation`,
/// `ImagingStudy`, `DiagnosticReport`. ASCII letters and digits only, starting with a letter.
pub type RecordKind = BoundedVec<u8, ConstU32<MAX_KIND_LEN>>;

/// What other pallets may know about a live record.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct RecordSummary<AccountId, PolicyId> {
	/// The patient the record is about.
	pub subject: AccountId,
	/// What the record holds.
	pub kind: RecordKind,
	/// Consent policy guarding it.
	pub policy: Option<PolicyId>,
}

/// Read access to live records.
pub trait RecordInspect<AccountId, PolicyId> {
	/// The live record `id`, or `None` if it never existed or was erased.
	fn record(id: RecordId) -> Option<RecordSummary<AccountId, PolicyId>>;
}

/// Consent policies as records use them. The policy's owner keeps the count of live records
/// it guards, so that it is not removed from under them, and so that a record naming it
/// costs one storage read and one write, not a check and a separate count. `()` knows no
/// policy, so a runtime without a consent pallet rejects every policy reference.
pub trait PolicyUse<PolicyId> {
	/// Counts one more live record guarded by `policy`. `false`, and nothing counted, if
	/// `policy` does not exist.
	fn acquire(policy: &PolicyId) -> bool;

	/// Counts one live record fewer guarded by `policy` (a record erased or re-guarded).
	fn release(policy: &PolicyId);

	/// The live records counted against `policy`, `None` if it does not exist; for
	/// invariant checks and clients.
	fn users(policy: &PolicyId) -> Option<u32>;
}

impl<PolicyId> PolicyUse<PolicyId> for () {
	fn acquire(_: &PolicyId) -> bool {
		false
	}

	fn release(_: &PolicyId) {}

	fn users(_: &PolicyId) -> Option<u32> {
		None
	}
}

/// Why a requester wants a record (HL7 purpose-of-use, simplified). Recorded on every access
/// ticket; explicit allows may be limited to one purpose.
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	Clone,
	Copy,
	PartialEq,
	Eq,
	PartialOrd,
	Ord,
	Debug,
	TypeInfo,
	MaxEncodedLen,
)]
pub enum Purpose {
	/// Care of the patient.
	Treatment,
	/// Emergency care (break-glass uses this purpose).
	Emergency,
	/// Research, e.g. a federated-learning task.
	Research,
	/// Public-health reporting.
	PublicHealth,
	/// Billing and payment.
	Payment,
	/// Healthcare operations (quality, audit).
	Operations,
}

/// Why access was allowed.
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
	TypeInfo,
	MaxEncodedLen,
)]
pub enum AccessBasis {
	/// The requester is the record's subject.
	Subject,
	/// The subject explicitly allowed the requester.
	ExplicitAllow,
	/// The requester's attributes satisfy the record's policy.
	Policy,
	/// Emergency access that bypassed the policy; must be reviewed.
	BreakGlass,
}

/// Why access was refused.
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	Clone,
	Copy,
	PartialEq,
	Eq,
	Debug,
	TypeInfo,
	MaxEncodedLen,
)]
pub enum AccessDenial {
	/// No live record has this id.
	RecordNotFound,
	/// The subject explicitly denied the requester (deny wins over everything else).
	ExplicitlyDenied,
	/// The record names a policy that no longer exists (access fails closed).
	RecordPolicyMissing,
	/// The record has no policy and the requester is neither subject nor explicitly allowed.
	NoPolicy,
	/// The requester's currently valid attributes do not satisfy the policy.
	PolicyNotSatisfied,
}

/// Access decisions, for pallets that act on a record or policy on someone's behalf.
pub trait AccessInspect<AccountId> {
	/// Whether `who` may access `record` for `purpose` now, and on what basis. Break-glass is
	/// never returned: it is an explicit action, not a standing decision.
	fn access(
		who: &AccountId,
		record: RecordId,
		purpose: Purpose,
	) -> Result<AccessBasis, AccessDenial>;

	/// Whether `who`'s currently valid attributes satisfy `policy`. `false` for an unknown
	/// policy.
	fn satisfies(who: &AccountId, policy: PolicyId) -> bool;

	/// Whether the subject of `record` explicitly denies `who` now. A deny wins over every
	/// other basis, delegated (key-grant) reads included.
	fn denied(who: &AccountId, record: RecordId) -> bool;
}

/// Identifies a key grant (proxy re-encryption delegation). Assigned by the key-grants pallet.
pub type GrantId = u64;

/// Delegated (proxy re-encryption) access, for pallets that audit reads served under a grant.
/// `()` knows no grant, so a runtime without key grants refuses every delegated read.
pub trait DelegatedAccess<AccountId> {
	/// Whether grant `grant` is active now, names `grantee` and covers `record`.
	fn delegated_read(grant: GrantId, grantee: &AccountId, record: RecordId) -> bool;
}

impl<AccountId> DelegatedAccess<AccountId> for () {
	fn delegated_read(_: GrantId, _: &AccountId, _: RecordId) -> bool {
		false
	}
}

/// Checks an account's sr25519 signature of an off-chain message. The runtime maps its
/// account ids to sr25519 public keys ([`Sr25519Accounts`]); test runtimes map their integer
/// accounts to known keys.
pub trait SignatureVerifier<AccountId> {
	/// Whether `signature` is `signer`'s sr25519 signature of `message`.
	fn verify(signer: &AccountId, message: &[u8], signature: &sp_core::sr25519::Signature) -> bool;
}

/// Account ids that are sr25519 public keys (`AccountId32`, as MedChain's runtime uses).
pub struct Sr25519Accounts;
impl<AccountId: AsRef<[u8]>> SignatureVerifier<AccountId> for Sr25519Accounts {
	fn verify(signer: &AccountId, message: &[u8], signature: &sp_core::sr25519::Signature) -> bool {
		let Ok(raw) = <[u8; 32]>::try_from(signer.as_ref()) else {
			return false;
		};
		sp_io::crypto::sr25519_verify(signature, message, &sp_core::sr25519::Public::from_raw(raw))
	}
}

/// Ids a pallet assigns in sequence (records, policies, grants, tasks, ...).
pub trait SequentialId: Copy {
	/// The id after this one, or `None` at the type's maximum.
	fn successor(self) -> Option<Self>;
}

impl SequentialId for u32 {
	fn successor(self) -> Option<Self> {
		self.checked_add(1)
	}
}

impl SequentialId for u64 {
	fn successor(self) -> Option<Self> {
		self.checked_add(1)
	}
}

/// An id counter reached its type's maximum: no further id can be assigned. Returned instead
/// of wrapping or saturating, which would hand out the last id twice and overwrite its item.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct IdOverflow;

/// For `StorageValue::try_mutate` on a "next id" counter: returns the id to assign now and
/// advances the counter, or fails with [`IdOverflow`] (leaving the counter unchanged) when no
/// id follows.
///
/// ```
/// # use medchain_primitives::{next_id, IdOverflow};
/// let mut next = 7u64;
/// assert_eq!(next_id(&mut next), Ok(7));
/// assert_eq!(next, 8);
/// let mut last = u32::MAX;
/// assert_eq!(next_id(&mut last), Err(IdOverflow));
/// assert_eq!(last, u32::MAX);
/// ```
pub fn next_id<Id: SequentialId>(next: &mut Id) -> Result<Id, IdOverflow> {
	let id = *next;
	*next = id.successor().ok_or(IdOverflow)?;
	Ok(id)
}

/// For `StorageMap::mutate_exists` on per-account counters: decrements, and removes the entry
/// at zero so that no empty counters linger in state.
pub fn decrement_count(count: &mut Option<u32>) {
	*count = count.and_then(|c| c.checked_sub(1)).filter(|c| *c > 0);
}

#[cfg(test)]
mod tests {
	#[test]
	fn ids_never_repeat_at_the_maximum() {
		let mut next = u64::MAX - 1;
		assert_eq!(super::next_id(&mut next), Ok(u64::MAX - 1));
		assert_eq!(super::next_id(&mut next), Err(super::IdOverflow));
		assert_eq!(super::next_id(&mut next), Err(super::IdOverflow));
		assert_eq!(next, u64::MAX);
	}

	#[test]
	fn counters_leave_state_at_zero() {
		let mut count = Some(2);
		super::decrement_count(&mut count);
		assert_eq!(count, Some(1));
		super::decrement_count(&mut count);
		assert_eq!(count, None);
		super::decrement_count(&mut count);
		assert_eq!(count, None);
	}
}
