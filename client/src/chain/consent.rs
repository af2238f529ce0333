//! The consent pallet's call arguments, events and runtime-API answers, mirrored for subxt's
//! dynamic API: fields and variants are matched by name against the runtime's metadata.

use subxt::{
	events::DecodeAsEvent,
	ext::{scale_decode::DecodeAsType, scale_encode::EncodeAsType},
	utils::{AccountId32, H256},
};

/// Why a requester wants a record (also the CLI's `--purpose` values).
#[derive(Debug, Clone, Copy, PartialEq, Eq, EncodeAsType, DecodeAsType, clap::ValueEnum)]
#[encode_as_type(crate_path = "::subxt::ext::scale_encode")]
#[decode_as_type(crate_path = "::subxt::ext::scale_decode")]
pub enum Purpose {
	Treatment,
	Emergency,
	Research,
	PublicHealth,
	Payment,
	Operations,
}

/// Why access was allowed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, DecodeAsType)]
#[decode_as_type(crate_path = "::subxt::ext::scale_decode")]
pub enum AccessBasis {
	Subject,
	ExplicitAllow,
	Policy,
	BreakGlass,
}

/// Why access was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, DecodeAsType)]
#[decode_as_type(crate_path = "::subxt::ext::scale_decode")]
pub enum AccessDenial {
	RecordNotFound,
	ExplicitDeny,
	PolicyNotFound,
	NoPolicy,
	PolicyNotSatisfied,
}

/// Which of a subject's records an override covers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, EncodeAsType)]
#[encode_as_type(crate_path = "::subxt::ext::scale_encode")]
pub enum OverrideScope {
	AllRecords,
	Record(u64),
}

/// Allow or deny.
#[derive(Debug, Clone, Copy, PartialEq, Eq, EncodeAsType)]
#[encode_as_type(crate_path = "::subxt::ext::scale_encode")]
pub enum OverrideKind {
	Allow,
	Deny,
}

/// Review state of a break-glass use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, DecodeAsType)]
#[decode_as_type(crate_path = "::subxt::ext::scale_decode")]
pub enum Review {
	Pending,
	Acknowledged,
	Disputed,
}

/// An access ticket (`ConsentApi.live_ticket`).
#[derive(Debug, Clone, PartialEq, Eq, DecodeAsType)]
#[decode_as_type(crate_path = "::subxt::ext::scale_decode")]
pub struct Ticket {
	pub subject: AccountId32,
	pub purpose: Purpose,
	pub basis: AccessBasis,
	pub issued_at: u32,
	pub expires_at: u32,
	pub deposit: u128,
}

/// A break-glass use (`ConsentApi.break_glass_uses`).
#[derive(Debug, Clone, PartialEq, Eq, DecodeAsType)]
#[decode_as_type(crate_path = "::subxt::ext::scale_decode")]
pub struct BreakGlassUse {
	pub record: u64,
	pub requester: AccountId32,
	pub justification: Vec<u8>,
	pub opened_at: u32,
	pub review: Review,
	pub deposit: u128,
}

/// `Consent.PolicyCreated`.
#[derive(Debug, Clone, PartialEq, Eq, DecodeAsType)]
#[decode_as_type(crate_path = "::subxt::ext::scale_decode")]
pub struct PolicyCreated {
	pub policy: u32,
	pub owner: AccountId32,
	pub canonical: Vec<u8>,
}

impl DecodeAsEvent for PolicyCreated {
	fn is_event(pallet: &str, event: &str) -> bool {
		pallet == "Consent" && event == "PolicyCreated"
	}
}

/// `Consent.AccessGranted`: the audit trail of a grant.
#[derive(Debug, Clone, PartialEq, Eq, DecodeAsType)]
#[decode_as_type(crate_path = "::subxt::ext::scale_decode")]
pub struct AccessGranted {
	pub record: u64,
	pub requester: AccountId32,
	pub subject: AccountId32,
	pub purpose: Purpose,
	pub basis: AccessBasis,
	pub expires_at: u32,
}

impl DecodeAsEvent for AccessGranted {
	fn is_event(pallet: &str, event: &str) -> bool {
		pallet == "Consent" && event == "AccessGranted"
	}
}

/// `Consent.BreakGlassOpened`.
#[derive(Debug, Clone, PartialEq, Eq, DecodeAsType)]
#[decode_as_type(crate_path = "::subxt::ext::scale_decode")]
pub struct BreakGlassOpened {
	pub id: u64,
	pub record: u64,
	pub subject: AccountId32,
	pub requester: AccountId32,
	pub justification: Vec<u8>,
	pub expires_at: u32,
}

impl DecodeAsEvent for BreakGlassOpened {
	fn is_event(pallet: &str, event: &str) -> bool {
		pallet == "Consent" && event == "BreakGlassOpened"
	}
}

/// On what a gateway serves a read.
#[derive(
	Debug,
	Clone,
	Copy,
	PartialEq,
	Eq,
	codec::Encode,
	EncodeAsType,
	DecodeAsType,
	serde::Serialize,
	serde::Deserialize,
)]
#[encode_as_type(crate_path = "::subxt::ext::scale_encode")]
#[decode_as_type(crate_path = "::subxt::ext::scale_decode")]
pub enum ReadBasis {
	Ticket,
	Grant(u64),
}

/// What a reader signs to download a record (`Consent.record_read`); sent to the gateway as
/// JSON, passed to the chain as is.
#[derive(
	Debug, Clone, PartialEq, Eq, codec::Encode, EncodeAsType, serde::Serialize, serde::Deserialize,
)]
#[encode_as_type(crate_path = "::subxt::ext::scale_encode")]
pub struct ReadRequest {
	pub record: u64,
	pub digest: H256,
	pub reader: AccountId32,
	pub gateway: AccountId32,
	pub basis: ReadBasis,
	pub valid_until: u32,
	pub nonce: u64,
}

/// The context the pallet prefixes to a read request before it is signed
/// (`pallet_consent::READ_REQUEST_CONTEXT`).
pub const READ_REQUEST_CONTEXT: &[u8] = b"medchain/read-request/v1";

impl ReadRequest {
	/// What the reader signs: the bytes `ConsentApi.read_request_message` answers (context,
	/// genesis hash, request), computed without asking the chain, so that a gateway checks the
	/// signature before spending a node round trip on a request (the end-to-end suite checks
	/// that both agree).
	pub fn message(&self, genesis: &[u8; 32]) -> Vec<u8> {
		use codec::Encode;
		(READ_REQUEST_CONTEXT, genesis, self).encode()
	}
}

/// A receipt of a served read (`ConsentApi.read_receipts`).
#[derive(Debug, Clone, PartialEq, Eq, DecodeAsType)]
#[decode_as_type(crate_path = "::subxt::ext::scale_decode")]
pub struct ReadReceipt {
	pub record: u64,
	pub digest: H256,
	pub reader: AccountId32,
	pub gateway: AccountId32,
	pub basis: ReadBasis,
	pub recorded_at: u32,
	pub deposit: u128,
}

/// `Consent.ReadRecorded`.
#[derive(Debug, Clone, PartialEq, Eq, DecodeAsType)]
#[decode_as_type(crate_path = "::subxt::ext::scale_decode")]
pub struct ReadRecorded {
	pub subject: AccountId32,
	pub receipt: H256,
	pub record: u64,
	pub digest: H256,
	pub reader: AccountId32,
	pub gateway: AccountId32,
	pub basis: ReadBasis,
}

impl DecodeAsEvent for ReadRecorded {
	fn is_event(pallet: &str, event: &str) -> bool {
		pallet == "Consent" && event == "ReadRecorded"
	}
}

/// A stored policy (`ConsentApi.policy`), the parts clients use.
#[derive(Debug, Clone, PartialEq, Eq, DecodeAsType)]
#[decode_as_type(crate_path = "::subxt::ext::scale_decode")]
pub struct Policy {
	pub owner: AccountId32,
	/// The CP-ABE policy text.
	pub canonical: Vec<u8>,
	pub created_at: u32,
}

/// An attribute as stored for its holder (`Consent.Attributes`).
#[derive(Debug, Clone, PartialEq, Eq, DecodeAsType)]
#[decode_as_type(crate_path = "::subxt::ext::scale_decode")]
pub struct HeldAttribute {
	pub name: Vec<u8>,
	pub issuer: AccountId32,
	pub issued_at: u32,
	pub expires_at: Option<u32>,
}

/// Whether an accredited authority's attributes count.
#[derive(Debug, Clone, Copy, PartialEq, Eq, DecodeAsType)]
#[decode_as_type(crate_path = "::subxt::ext::scale_decode")]
pub enum AuthorityStatus {
	Active,
	Suspended,
}

/// An authority's commitment to its CP-ABE public key.
#[derive(Debug, Clone, PartialEq, Eq, DecodeAsType)]
#[decode_as_type(crate_path = "::subxt::ext::scale_decode")]
pub struct AbeKeyCommitment {
	pub hash: H256,
	pub version: u32,
	pub published_at: u32,
}

/// One entry of `ConsentApi.authorities`: account, scopes, status, key commitment.
pub type AuthorityEntry = (
	AccountId32,
	Vec<Vec<u8>>,
	AuthorityStatus,
	Option<AbeKeyCommitment>,
);
