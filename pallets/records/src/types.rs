//! Types stored by the record registry and accepted by its calls.

use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use frame_support::{
	pallet_prelude::ConstU32, BoundedVec, CloneNoBound, DebugNoBound, EqNoBound, PartialEqNoBound,
};
use scale_info::TypeInfo;
use sp_core::{Get, H256};

pub use medchain_primitives::{RecordId, RecordKind, MAX_KIND_LEN};

/// A record's version: 1 for the first, +1 for each appended version.
pub type VersionNumber = u32;

/// Identifies an anchored batch (Merkle root). Assigned by the chain in sequence.
pub type AnchorId = u64;

/// Longest accepted CID in bytes. A CIDv1 with a sha2-256 multihash is 36 bytes; the bound
/// leaves room for longer digests allowed in future without a storage migration.
pub const MAX_CID_LEN: u32 = 96;

/// An IPFS-compatible content identifier (binary CIDv1), validated by [`crate::content_id::validate`].
pub type ContentId = BoundedVec<u8, ConstU32<MAX_CID_LEN>>;

/// How the off-chain blob is encrypted and how its data key is wrapped. The chain stores the
/// tag so clients know which key material opens a record; it never sees keys.
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
pub enum EncryptionScheme {
	/// AEAD ciphertext; data key wrapped with CP-ABE under the record's consent policy.
	AeadCpAbe,
	/// AEAD ciphertext; data key wrapped with the owner's proxy re-encryption (Umbral) key.
	AeadPre,
	/// AEAD ciphertext; data key wrapped both ways (policy access and delegated access).
	AeadCpAbeAndPre,
}

/// Life-cycle state of one version of a record.
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
pub enum VersionStatus {
	/// The record's current content.
	Active,
	/// Replaced by a later version; kept as history.
	Superseded,
}

/// What a writer supplies for a record's content: the off-chain ciphertext's reference and
/// fingerprint. Never plaintext.
#[derive(
	Encode, Decode, DecodeWithMemTracking, Clone, PartialEq, Eq, Debug, TypeInfo, MaxEncodedLen,
)]
pub struct ContentInput {
	/// CIDv1 (binary) of the ciphertext blob.
	pub cid: ContentId,
	/// sha2-256 digest of the ciphertext, for integrity checks after download.
	pub digest: H256,
	/// Size of the ciphertext in bytes.
	pub size: u64,
	/// How the blob is encrypted.
	pub scheme: EncryptionScheme,
}

/// A new record: its content plus what classifies and guards it.
#[derive(
	Encode, Decode, DecodeWithMemTracking, Clone, PartialEq, Eq, Debug, TypeInfo, MaxEncodedLen,
)]
pub struct RecordInput<PolicyId> {
	/// The first version's content.
	pub content: ContentInput,
	/// What the record holds (FHIR resource type or similar).
	pub kind: RecordKind,
	/// Consent policy guarding access, owned by the consent pallet.
	pub policy: Option<PolicyId>,
}

/// A live record: what stays the same across its versions.
#[derive(Encode, Decode, Clone, PartialEq, Eq, Debug, TypeInfo, MaxEncodedLen)]
pub struct Record<AccountId, BlockNumber, PolicyId> {
	/// The patient the record is about; the only account that may erase it or change its policy.
	pub subject: AccountId,
	/// What the record holds.
	pub kind: RecordKind,
	/// Consent policy guarding access, if any.
	pub policy: Option<PolicyId>,
	/// Block of the first version.
	pub created_at: BlockNumber,
	/// Block of the latest change (new version or policy).
	pub updated_at: BlockNumber,
	/// The active version; versions `1..current_version` are stored as history.
	pub current_version: VersionNumber,
}

/// A live record as stored: the record and its current version, in one storage entry, so that
/// registering writes one value and a read check reads one.
#[derive(Encode, Decode, Clone, PartialEq, Eq, Debug, TypeInfo, MaxEncodedLen)]
pub struct LiveRecord<AccountId, Balance, BlockNumber, PolicyId> {
	/// The record.
	pub record: Record<AccountId, BlockNumber, PolicyId>,
	/// Its current version (number `record.current_version`, status active).
	pub head: Version<AccountId, Balance, BlockNumber>,
}

/// One version of a record's content.
#[derive(Encode, Decode, Clone, PartialEq, Eq, Debug, TypeInfo, MaxEncodedLen)]
pub struct Version<AccountId, Balance, BlockNumber> {
	/// CIDv1 of the ciphertext blob.
	pub cid: ContentId,
	/// sha2-256 digest of the ciphertext.
	pub digest: H256,
	/// Size of the ciphertext in bytes.
	pub size: u64,
	/// How the blob is encrypted.
	pub scheme: EncryptionScheme,
	/// The account that wrote this version: the subject or an authorised custodian.
	pub custodian: AccountId,
	/// Held from `custodian` while the version is stored; released when the record is erased.
	pub deposit: Balance,
	/// Block the version was written in.
	pub created_at: BlockNumber,
	/// The version this one replaced, if any.
	pub previous: Option<VersionNumber>,
	/// Active or superseded.
	pub status: VersionStatus,
}

impl<AccountId, Balance, BlockNumber> Version<AccountId, Balance, BlockNumber> {
	/// A new current version holding `content`, written by `custodian`.
	pub fn active(
		content: &ContentInput,
		custodian: AccountId,
		deposit: Balance,
		created_at: BlockNumber,
		previous: Option<VersionNumber>,
	) -> Self {
		Self {
			cid: content.cid.clone(),
			digest: content.digest,
			size: content.size,
			scheme: content.scheme,
			custodian,
			deposit,
			created_at,
			previous,
			status: VersionStatus::Active,
		}
	}
}

/// What remains of an erased record: no content reference, only proof that it existed.
#[derive(Encode, Decode, Clone, PartialEq, Eq, Debug, TypeInfo, MaxEncodedLen)]
pub struct Tombstone<AccountId, BlockNumber> {
	/// The patient the record was about.
	pub subject: AccountId,
	/// Digest of the last version's ciphertext.
	pub digest: H256,
	/// How many versions were erased.
	pub versions: VersionNumber,
	/// Block of the erasure.
	pub erased_at: BlockNumber,
}

/// Which record kinds a custodian may write for a patient.
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	CloneNoBound,
	PartialEqNoBound,
	EqNoBound,
	DebugNoBound,
	TypeInfo,
	MaxEncodedLen,
)]
#[scale_info(skip_type_params(MaxKinds))]
pub enum CustodianScope<MaxKinds: Get<u32>> {
	/// Every kind.
	AllKinds,
	/// Only the listed kinds.
	Kinds(BoundedVec<RecordKind, MaxKinds>),
}

impl<MaxKinds: Get<u32>> CustodianScope<MaxKinds> {
	/// Whether the scope covers `kind`.
	pub fn covers(&self, kind: &RecordKind) -> bool {
		match self {
			Self::AllKinds => true,
			Self::Kinds(kinds) => kinds.contains(kind),
		}
	}
}

/// A patient's authorisation of a custodian (hospital, lab) to write records for them.
#[derive(
	Encode, Decode, CloneNoBound, PartialEqNoBound, EqNoBound, DebugNoBound, TypeInfo, MaxEncodedLen,
)]
#[scale_info(skip_type_params(MaxKinds))]
pub struct CustodianAuthorization<Balance, BlockNumber, MaxKinds>
where
	Balance: Clone + PartialEq + Eq + core::fmt::Debug,
	BlockNumber: Clone + PartialEq + Eq + core::fmt::Debug,
	MaxKinds: Get<u32>,
{
	/// Kinds the custodian may write.
	pub scope: CustodianScope<MaxKinds>,
	/// Last block (exclusive) in which the authorisation holds; `None` until revoked.
	pub expires_at: Option<BlockNumber>,
	/// Held from the patient while the authorisation is stored.
	pub deposit: Balance,
	/// Block of the authorisation.
	pub authorized_at: BlockNumber,
}

/// The Merkle root of a batch of records uploaded off-chain, anchored by a custodian. Each
/// record's inclusion is provable off-chain with a proof against `root` (see [`crate::merkle`]).
#[derive(Encode, Decode, Clone, PartialEq, Eq, Debug, TypeInfo, MaxEncodedLen)]
pub struct BatchAnchor<AccountId, Balance, BlockNumber> {
	/// The custodian that anchored the batch.
	pub custodian: AccountId,
	/// Root of the binary Merkle tree (Keccak-256) over the batch's leaves.
	pub root: H256,
	/// Number of leaves in the batch.
	pub leaf_count: u32,
	/// Held from `custodian` while the anchor is stored.
	pub deposit: Balance,
	/// Block of the anchoring.
	pub anchored_at: BlockNumber,
}

/// A record and its full version history, as returned by the runtime API.
#[derive(Encode, Decode, Clone, PartialEq, Eq, Debug, TypeInfo)]
pub enum RecordView<AccountId, Balance, BlockNumber, PolicyId> {
	/// A live record with versions oldest first.
	Live {
		/// The record.
		record: Record<AccountId, BlockNumber, PolicyId>,
		/// Its versions, oldest first.
		versions: alloc::vec::Vec<Version<AccountId, Balance, BlockNumber>>,
	},
	/// An erased record.
	Erased(Tombstone<AccountId, BlockNumber>),
}
