//! Types stored by the key-grants pallet and accepted by its calls.
//!
//! Key material is stored as the bytes of the Umbral (`umbral-pre` 0.11) serialisation, which
//! the chain never interprets: a `PublicKey` is a compressed secp256k1 point, 33 bytes. Key
//! fragments, capsules and capsule fragments never come on chain; only their hashes do.

use codec::{Decode, DecodeWithMemTracking, Encode, MaxEncodedLen};
use frame_support::{
	pallet_prelude::ConstU32, BoundedVec, CloneNoBound, DebugNoBound, EqNoBound, PartialEqNoBound,
};
use medchain_primitives::{RecordId, RecordKind};
use scale_info::TypeInfo;
use sp_core::{Get, H256};

/// Length of an Umbral public key (compressed secp256k1 point).
pub const UMBRAL_PUBLIC_KEY_LEN: usize = 33;

/// An Umbral public key as serialised by `umbral-pre` (`PublicKey::to_compressed_bytes`).
pub type UmbralPublicKey = [u8; UMBRAL_PUBLIC_KEY_LEN];

/// Identifies a grant; assigned by the chain in sequence.
pub use medchain_primitives::GrantId;

/// Identifies an evidence case. Assigned by the chain in sequence.
pub type CaseId = u64;

/// Longest proxy endpoint (URL) in bytes.
pub const MAX_ENDPOINT_LEN: u32 = 128;

/// Where a proxy serves re-encryption requests, e.g. `https://proxy.hospital-a.example`.
pub type Endpoint = BoundedVec<u8, ConstU32<MAX_ENDPOINT_LEN>>;

/// An account's proxy re-encryption keys.
#[derive(Encode, Decode, Clone, PartialEq, Eq, Debug, TypeInfo, MaxEncodedLen)]
pub struct PreKeys<BlockNumber> {
	/// Delegating (owner) / receiving (grantee) public key.
	pub public_key: UmbralPublicKey,
	/// Key the owner signs key fragments with, so proxies and grantees can verify them.
	pub verifying_key: UmbralPublicKey,
	/// Block of the latest registration.
	pub registered_at: BlockNumber,
	/// How many times the keys were replaced.
	pub rotations: u32,
}

/// Where a proxy stands.
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
pub enum ProxyStatus<BlockNumber> {
	/// Registered and bonded, awaiting admission by governance.
	Pending,
	/// May be chosen for new grants and attest re-encryptions.
	Active,
	/// Suspended by governance: chosen by no new grant, attests nothing.
	Suspended,
	/// Leaving since the given block; may withdraw its bond after the unbonding period.
	Leaving(BlockNumber),
}

/// A re-encryption proxy.
#[derive(Encode, Decode, Clone, PartialEq, Eq, Debug, TypeInfo, MaxEncodedLen)]
pub struct Proxy<Balance, BlockNumber> {
	/// The proxy's own Umbral public key.
	pub public_key: UmbralPublicKey,
	/// Where it serves.
	pub endpoint: Endpoint,
	/// Held from the proxy; slashable.
	pub bond: Balance,
	/// Admission state.
	pub status: ProxyStatus<BlockNumber>,
	/// Evidence cases against it awaiting adjudication (it cannot leave while any is open).
	pub open_cases: u32,
}

/// What a grant covers.
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
pub enum GrantScope<MaxKinds: Get<u32>> {
	/// One record of the owner.
	Record(RecordId),
	/// The owner's records of the listed kinds.
	Kinds(BoundedVec<RecordKind, MaxKinds>),
	/// All of the owner's records.
	AllRecords,
}

/// One of a grant's proxies and the commitment to the key fragment the owner gave it.
#[derive(
	Encode, Decode, DecodeWithMemTracking, Clone, PartialEq, Eq, Debug, TypeInfo, MaxEncodedLen,
)]
pub struct GrantProxy<AccountId> {
	/// The proxy.
	pub proxy: AccountId,
	/// BLAKE2-256 of the serialised (encrypted) key fragment handed to this proxy, so the proxy
	/// can prove it holds what the owner issued.
	pub kfrag_commitment: H256,
}

/// A delegation of decryption rights through m-of-n proxies.
#[derive(
	Encode, Decode, CloneNoBound, PartialEqNoBound, EqNoBound, DebugNoBound, TypeInfo, MaxEncodedLen,
)]
#[scale_info(skip_type_params(MaxKinds, MaxProxies))]
pub struct Grant<AccountId, Balance, BlockNumber, MaxKinds, MaxProxies>
where
	AccountId: Clone + PartialEq + Eq + core::fmt::Debug,
	Balance: Clone + PartialEq + Eq + core::fmt::Debug,
	BlockNumber: Clone + PartialEq + Eq + core::fmt::Debug,
	MaxKinds: Get<u32>,
	MaxProxies: Get<u32>,
{
	/// The patient delegating.
	pub owner: AccountId,
	/// Who may decrypt through the proxies.
	pub grantee: AccountId,
	/// Which records.
	pub scope: GrantScope<MaxKinds>,
	/// The proxies holding key fragments, `n` of them.
	pub proxies: BoundedVec<GrantProxy<AccountId>, MaxProxies>,
	/// Capsule fragments needed to decrypt, `m`.
	pub threshold: u8,
	/// Block of creation.
	pub created_at: BlockNumber,
	/// First block in which the grant no longer holds.
	pub expires_at: BlockNumber,
	/// Block of revocation, if revoked; attestations from then on are refused.
	pub revoked_at: Option<BlockNumber>,
	/// Held from the owner until the grant is cleared.
	pub deposit: Balance,
}

/// What a proxy signs (sr25519) for each re-encryption it performs. The SCALE encoding,
/// prefixed by [`ATTESTATION_CONTEXT`] and the genesis hash, is the signed message.
#[derive(
	Encode, Decode, DecodeWithMemTracking, Clone, PartialEq, Eq, Debug, TypeInfo, MaxEncodedLen,
)]
pub struct Attestation<AccountId, BlockNumber> {
	/// The grant served.
	pub grant: GrantId,
	/// The proxy that re-encrypted.
	pub proxy: AccountId,
	/// BLAKE2-256 of the capsule it re-encrypted.
	pub capsule_hash: H256,
	/// BLAKE2-256 of the capsule fragment it returned.
	pub cfrag_hash: H256,
	/// The best block the proxy saw when it served (its check of the grant).
	pub served_at: BlockNumber,
	/// The grantee's request this attestation answers.
	pub request: RequestBinding<BlockNumber>,
}

/// Binds an attestation to one request of the grantee: its digest (the grantee's fresh nonce
/// is in it) and a finalised block the grantee had seen when it asked. The proxy signs after
/// that block, so an attestation cannot be backdated before it: for evidence the chain takes
/// the later of `served_at` and `seen`, once `seen_hash` is the hash it has for `seen` (the
/// chain keeps recent block hashes only: file evidence within `BlockHashCount` blocks, or
/// `served_at` alone counts).
#[derive(
	Encode,
	Decode,
	DecodeWithMemTracking,
	Clone,
	PartialEq,
	Eq,
	Debug,
	Default,
	TypeInfo,
	MaxEncodedLen,
)]
pub struct RequestBinding<BlockNumber> {
	/// BLAKE2-256 of the message the grantee signed for this request.
	pub digest: H256,
	/// A finalised block the grantee had seen when it asked.
	pub seen: BlockNumber,
	/// That block's hash.
	pub seen_hash: H256,
}

/// Domain separation for attestation signatures.
pub const ATTESTATION_CONTEXT: &[u8] = b"medchain/pre-attestation/v2";

/// An accepted attestation: an audit receipt listed for the grant's owner.
#[derive(Encode, Decode, Clone, PartialEq, Eq, Debug, TypeInfo, MaxEncodedLen)]
pub struct Receipt<AccountId, BlockNumber> {
	/// The proxy.
	pub proxy: AccountId,
	/// Capsule re-encrypted.
	pub capsule_hash: H256,
	/// Capsule fragment returned.
	pub cfrag_hash: H256,
	/// When the proxy served.
	pub served_at: BlockNumber,
	/// When the attestation was accepted.
	pub recorded_at: BlockNumber,
}

/// What a grantee (or owner) claims a proxy did wrong.
#[derive(
	Encode, Decode, DecodeWithMemTracking, Clone, PartialEq, Eq, Debug, TypeInfo, MaxEncodedLen,
)]
pub enum Claim<AccountId, BlockNumber, Signature> {
	/// The capsule fragment the proxy returned failed verification (checked off-chain with the
	/// owner's verifying key; the council adjudicates).
	InvalidCfrag {
		/// BLAKE2-256 of the capsule re-encrypted.
		capsule_hash: H256,
		/// BLAKE2-256 of the capsule fragment returned.
		cfrag_hash: H256,
	},
	/// The proxy served after the grant's revocation: its own signed attestation shows a
	/// `served_at` at or after the revocation block. Checked on chain.
	ServedAfterRevocation {
		/// The proxy's attestation.
		attestation: Attestation<AccountId, BlockNumber>,
		/// The proxy's sr25519 signature of the attestation message.
		signature: Signature,
	},
}

/// How an evidence case ended.
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
pub enum Outcome<Balance> {
	/// Awaiting adjudication.
	Pending,
	/// The claim was upheld; this much of the proxy's bond was slashed.
	Upheld {
		/// The amount slashed.
		slashed: Balance,
	},
	/// The claim was dismissed.
	Dismissed,
}

/// Governance's decision on a case.
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
pub enum Verdict<Balance> {
	/// Uphold and slash up to this much of the proxy's bond.
	Uphold {
		/// The most of the bond to slash.
		slash: Balance,
	},
	/// Dismiss.
	Dismiss,
}

/// Evidence against a proxy, with its outcome.
#[derive(Encode, Decode, Clone, PartialEq, Eq, Debug, TypeInfo, MaxEncodedLen)]
pub struct EvidenceCase<AccountId, Balance, BlockNumber, Signature> {
	/// The grant concerned.
	pub grant: GrantId,
	/// The accused proxy.
	pub proxy: AccountId,
	/// Who filed it.
	pub filer: AccountId,
	/// What is claimed.
	pub claim: Claim<AccountId, BlockNumber, Signature>,
	/// Block of filing.
	pub filed_at: BlockNumber,
	/// Held from the filer until adjudication.
	pub deposit: Balance,
	/// Pending, upheld or dismissed.
	pub outcome: Outcome<Balance>,
}
