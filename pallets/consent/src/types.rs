//! Types stored by the consent pallet and accepted by its calls.

use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use frame_support::{
	pallet_prelude::ConstU32, BoundedVec, CloneNoBound, DebugNoBound, EqNoBound, PartialEqNoBound,
};
use medchain_primitives::{AccessBasis, GrantId, Purpose, RecordId};
use scale_info::TypeInfo;
use sp_core::{Get, H256};

use crate::policy::{AttributeName, CanonicalText, CompiledPolicy};
use medchain_consent_primitives::pattern_covers;

/// Identifies a break-glass use. Assigned by the chain in sequence.
pub type BreakGlassId = u64;

/// Longest break-glass justification code in bytes.
pub const MAX_JUSTIFICATION_LEN: u32 = 32;

/// Why emergency access was opened, as a short code agreed by the consortium (e.g.
/// `UNCONSCIOUS`, `ED-TRIAGE`): uppercase ASCII letters, digits and `-`. Free text would
/// invite personal data onto the chain.
pub type JustificationCode = BoundedVec<u8, ConstU32<MAX_JUSTIFICATION_LEN>>;

/// What an authority may issue: one attribute (`org:hospital-a`) or a whole namespace
/// (`role:*`). Same charset as attributes.
pub type AttributePattern = AttributeName;

/// Whether an accredited authority's attributes count.
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
pub enum AuthorityStatus {
	/// It may issue attributes and the ones it issued count.
	Active,
	/// Temporarily not: it may not issue, and its attributes do not count until reinstated.
	Suspended,
}

/// An attribute authority accredited by governance.
#[derive(
	Encode, Decode, CloneNoBound, PartialEqNoBound, EqNoBound, DebugNoBound, TypeInfo, MaxEncodedLen,
)]
#[scale_info(skip_type_params(MaxScopes))]
pub struct Authority<BlockNumber, MaxScopes>
where
	BlockNumber: Clone + PartialEq + Eq + core::fmt::Debug,
	MaxScopes: Get<u32>,
{
	/// Attributes and namespaces it may issue.
	pub scopes: BoundedVec<AttributePattern, MaxScopes>,
	/// Active or suspended.
	pub status: AuthorityStatus,
	/// Block of the (latest) accreditation.
	pub accredited_at: BlockNumber,
}

impl<BlockNumber, MaxScopes> Authority<BlockNumber, MaxScopes>
where
	BlockNumber: Clone + PartialEq + Eq + core::fmt::Debug,
	MaxScopes: Get<u32>,
{
	/// Whether one of the scopes covers `attribute`.
	pub fn covers(&self, attribute: &[u8]) -> bool {
		self.scopes
			.iter()
			.any(|pattern| pattern_covers(pattern, attribute))
	}
}

/// The commitment an authority publishes to its CP-ABE public key.
///
/// Clients hash the public key file they were handed (BLAKE2b-256 of its canonical bytes) and
/// refuse it unless the hash equals the authority's current commitment: whoever hands a
/// hospital a parameters file labelled as a trusted authority cannot make it encrypt under
/// keys of their own. Publishing again rotates the key (or extends it to new attributes).
#[derive(
	Encode, Decode, DecodeWithMemTracking, Clone, PartialEq, Eq, Debug, TypeInfo, MaxEncodedLen,
)]
pub struct AbeKeyCommitment<BlockNumber> {
	/// BLAKE2b-256 of the public key's canonical bytes.
	pub hash: H256,
	/// 1 for the first key, one more at every rotation.
	pub version: u32,
	/// Block of publication.
	pub published_at: BlockNumber,
}

/// An attribute held by an account.
#[derive(Encode, Decode, Clone, PartialEq, Eq, Debug, TypeInfo, MaxEncodedLen)]
pub struct HeldAttribute<AccountId, Balance, BlockNumber> {
	/// `namespace:value`.
	pub name: AttributeName,
	/// The authority that issued it; the attribute counts only while that authority is
	/// accredited, active and still covers it.
	pub issuer: AccountId,
	/// Block of issue (or of the latest re-issue).
	pub issued_at: BlockNumber,
	/// First block in which it no longer counts; `None` for no expiry.
	pub expires_at: Option<BlockNumber>,
	/// Held from the issuer while the attribute is stored.
	pub deposit: Balance,
}

/// A stored consent policy.
#[derive(Encode, Decode, Clone, PartialEq, Eq, Debug, TypeInfo, MaxEncodedLen)]
pub struct Policy<AccountId, Balance, BlockNumber> {
	/// Who created it; the only account that may remove it.
	pub owner: AccountId,
	/// The text clients encrypt under with CP-ABE (rabe syntax, thresholds expanded).
	pub canonical: CanonicalText,
	/// What the chain evaluates.
	pub compiled: CompiledPolicy,
	/// Held from the owner while the policy is stored.
	pub deposit: Balance,
	/// Block of creation.
	pub created_at: BlockNumber,
}

/// Which of a subject's records an override applies to.
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
pub enum OverrideScope {
	/// Every record of the subject, present and future.
	AllRecords,
	/// One record.
	Record(RecordId),
}

/// A patient's explicit decision about one account.
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
pub enum OverrideKind {
	/// Access regardless of the policy (still subject to any deny).
	Allow,
	/// No access, whatever the policy or an allow says. Deny wins.
	Deny,
}

/// An explicit allow or deny set by a subject for one account.
#[derive(Encode, Decode, Clone, PartialEq, Eq, Debug, TypeInfo, MaxEncodedLen)]
pub struct ConsentOverride<Balance, BlockNumber> {
	/// Allow or deny.
	pub kind: OverrideKind,
	/// For an allow: the only purpose it covers (`None`: every purpose). Ignored for a deny,
	/// which covers every purpose.
	pub purpose: Option<Purpose>,
	/// First block in which it no longer applies; `None` for no expiry.
	pub expires_at: Option<BlockNumber>,
	/// Held from the subject while stored.
	pub deposit: Balance,
}

/// A time-boxed right to fetch one record, recorded when access was granted. Gateways serve a
/// record only to the holder of a live ticket.
#[derive(Encode, Decode, Clone, PartialEq, Eq, Debug, TypeInfo, MaxEncodedLen)]
pub struct Ticket<AccountId, Balance, BlockNumber> {
	/// The record's subject at the time of the grant.
	pub subject: AccountId,
	/// Why the requester wanted the record.
	pub purpose: Purpose,
	/// Why access was allowed; `BreakGlass` tickets are flagged for review.
	pub basis: AccessBasis,
	/// Block of the grant.
	pub issued_at: BlockNumber,
	/// First block in which the ticket is no longer valid.
	pub expires_at: BlockNumber,
	/// Held from the requester until the ticket is closed.
	pub deposit: Balance,
}

/// Outcome of the review of a break-glass use.
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
pub enum Review {
	/// Not yet reviewed.
	Pending,
	/// The subject or the council accepted the use.
	Acknowledged,
	/// The subject or the council disputed the use; kept on record.
	Disputed,
}

/// A reviewer's verdict.
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
pub enum Verdict {
	/// The use was justified.
	Acknowledge,
	/// The use was not justified.
	Dispute,
}

/// One emergency access, listed for the subject until reviewed and kept afterwards.
#[derive(Encode, Decode, Clone, PartialEq, Eq, Debug, TypeInfo, MaxEncodedLen)]
pub struct BreakGlassUse<AccountId, Balance, BlockNumber> {
	/// The record opened.
	pub record: RecordId,
	/// Who opened it.
	pub requester: AccountId,
	/// Why.
	pub justification: JustificationCode,
	/// Block of the use.
	pub opened_at: BlockNumber,
	/// Review state.
	pub review: Review,
	/// Held from the requester until the use is reviewed.
	pub deposit: Balance,
}

/// Checks a justification code: non-empty, uppercase ASCII letters, digits and `-`.
pub fn valid_justification(code: &[u8]) -> bool {
	!code.is_empty()
		&& code
			.iter()
			.all(|&b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'-')
}

/// On what a gateway served a read.
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
pub enum ReadBasis {
	/// The reader's live access ticket for the record (from `request_access` or break-glass).
	Ticket,
	/// An active proxy re-encryption grant naming the reader as grantee.
	Grant(GrantId),
	/// The chain's consent decision for this purpose at the block that decides the read
	/// (subject, deny, allow, policy over the reader's valid attributes), with no ticket: the
	/// signed request is the whole read. Break-glass reads still go through a ticket, the
	/// on-chain record of the emergency.
	Consent(Purpose),
}

/// What a reader signs to download a record's ciphertext from a gateway. The gateway submits
/// it with the signature as [`crate::Pallet::record_read`], so every served read is on chain,
/// and no gateway can invent a read nobody asked for.
#[derive(
	Encode, Decode, DecodeWithMemTracking, Clone, PartialEq, Eq, Debug, TypeInfo, MaxEncodedLen,
)]
pub struct ReadRequest<AccountId, BlockNumber> {
	/// The record read.
	pub record: RecordId,
	/// sha2-256 digest of the ciphertext served (one version of the record).
	pub digest: H256,
	/// The account reading; signs the request.
	pub reader: AccountId,
	/// The gateway asked to serve it; only it may submit the request.
	pub gateway: AccountId,
	/// What allows the read.
	pub basis: ReadBasis,
	/// Last block in which the request may be recorded.
	pub valid_until: BlockNumber,
	/// Chosen by the reader so that repeated reads are distinct requests.
	pub nonce: u64,
}

/// An on-chain receipt of one read served by a gateway, listed for the record's subject.
#[derive(
	Encode, Decode, DecodeWithMemTracking, Clone, PartialEq, Eq, Debug, TypeInfo, MaxEncodedLen,
)]
pub struct ReadReceipt<AccountId, Balance, BlockNumber> {
	/// The record read.
	pub record: RecordId,
	/// Digest of the ciphertext served.
	pub digest: H256,
	/// Who read it.
	pub reader: AccountId,
	/// Who served it (and holds the deposit).
	pub gateway: AccountId,
	/// What allowed the read.
	pub basis: ReadBasis,
	/// Block in which the receipt was recorded.
	pub recorded_at: BlockNumber,
	/// Held from the gateway until the receipt is cleared.
	pub deposit: Balance,
	/// `None`: the chain allowed the read at `recorded_at`. `Some`: it did not, and says why
	/// (a read served just before a deny, or by a gateway that should not have served it): the
	/// read is listed all the same, so a gateway cannot hide a read it served.
	pub refused: Option<ReadRefusal>,
}

/// Why the chain did not allow a read at the block its receipt was recorded in (see
/// [`crate::Pallet::record_reads`]). One variant per reason the read rule gives.
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
pub enum ReadRefusal {
	/// The request's `valid_until` had passed.
	RequestExpired,
	/// The request's `valid_until` lay further ahead than allowed.
	RequestTooLong,
	/// The reader had no live ticket for the record.
	NoLiveTicket,
	/// The subject had explicitly denied the reader.
	ExplicitlyDenied,
	/// The reader's valid attributes did not satisfy the record's policy.
	PolicyNotSatisfied,
	/// The record had no policy and the reader was neither subject nor allowed.
	NoPolicy,
	/// The record named a policy that no longer exists.
	RecordPolicyMissing,
	/// A break-glass ticket's holder no longer held the emergency attribute.
	NotEmergencyStaff,
	/// The grant was not active for the reader and the record.
	GrantNotActive,
	/// Another reason of the read rule.
	Other,
}

/// What [`crate::Pallet::record_reads`] did with one batch, in its event.
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	Clone,
	Copy,
	Default,
	PartialEq,
	Eq,
	Debug,
	TypeInfo,
	MaxEncodedLen,
)]
pub struct ReadBatchOutcome {
	/// Receipts listed of reads the chain allowed at this block.
	pub allowed: u32,
	/// Receipts listed of reads the chain did not allow at this block (flagged).
	pub refused: u32,
	/// Requests already recorded (a batch submitted again after a crash or a reorg).
	pub duplicates: u32,
	/// Requests that prove nothing and were dropped: not signed by their reader, naming
	/// another gateway, for a record that is gone, or older than the receipt retention.
	pub rejected: u32,
}
