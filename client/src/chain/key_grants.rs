//! The key-grants pallet's call arguments, events and runtime-API answers, mirrored for subxt's
//! dynamic API: fields and variants are matched by name against the runtime's metadata.

use subxt::{
	events::DecodeAsEvent,
	ext::{scale_decode::DecodeAsType, scale_encode::EncodeAsType},
	utils::{AccountId32, H256},
};

/// Which records a grant covers.
#[derive(Debug, Clone, PartialEq, Eq, EncodeAsType, DecodeAsType)]
#[encode_as_type(crate_path = "::subxt::ext::scale_encode")]
#[decode_as_type(crate_path = "::subxt::ext::scale_decode")]
pub enum GrantScope {
	Record(u64),
	Kinds(Vec<Vec<u8>>),
	AllRecords,
}

/// A grant's proxy and the commitment to its key fragment.
#[derive(Debug, Clone, PartialEq, Eq, EncodeAsType, DecodeAsType)]
#[encode_as_type(crate_path = "::subxt::ext::scale_encode")]
#[decode_as_type(crate_path = "::subxt::ext::scale_decode")]
pub struct GrantProxy {
	pub proxy: AccountId32,
	pub kfrag_commitment: H256,
}

/// What a proxy signs for one re-encryption.
#[derive(
	Debug, Clone, PartialEq, Eq, EncodeAsType, DecodeAsType, serde::Serialize, serde::Deserialize,
)]
#[encode_as_type(crate_path = "::subxt::ext::scale_encode")]
#[decode_as_type(crate_path = "::subxt::ext::scale_decode")]
pub struct Attestation {
	pub grant: u64,
	pub proxy: AccountId32,
	pub capsule_hash: H256,
	pub cfrag_hash: H256,
	pub served_at: u32,
	pub request: RequestBinding,
}

/// The grantee's request an attestation answers (the pallet's `RequestBinding`).
#[derive(
	Debug, Clone, PartialEq, Eq, EncodeAsType, DecodeAsType, serde::Serialize, serde::Deserialize,
)]
#[encode_as_type(crate_path = "::subxt::ext::scale_encode")]
#[decode_as_type(crate_path = "::subxt::ext::scale_decode")]
pub struct RequestBinding {
	/// BLAKE2-256 of the message the grantee signed.
	pub digest: H256,
	/// A finalised block the grantee had seen when it asked.
	pub seen: u32,
	/// That block's hash.
	pub seen_hash: H256,
}

/// Evidence against a proxy.
#[derive(Debug, Clone, PartialEq, Eq, EncodeAsType)]
#[encode_as_type(crate_path = "::subxt::ext::scale_encode")]
pub enum Claim {
	InvalidCfrag {
		capsule_hash: H256,
		cfrag_hash: H256,
	},
	ServedAfterRevocation {
		attestation: Attestation,
		signature: [u8; 64],
	},
}

/// An accepted attestation (`KeyGrantsApi.receipts`).
#[derive(Debug, Clone, PartialEq, Eq, DecodeAsType)]
#[decode_as_type(crate_path = "::subxt::ext::scale_decode")]
pub struct Receipt {
	pub proxy: AccountId32,
	pub capsule_hash: H256,
	pub cfrag_hash: H256,
	pub served_at: u32,
	pub recorded_at: u32,
}

/// A proxy's state (`KeyGrantsApi.proxy`).
#[derive(Debug, Clone, PartialEq, Eq, DecodeAsType)]
#[decode_as_type(crate_path = "::subxt::ext::scale_decode")]
pub struct Proxy {
	pub public_key: [u8; 33],
	pub endpoint: Vec<u8>,
	pub bond: u128,
	pub status: ProxyStatus,
	pub open_cases: u32,
}

/// Whether a proxy may serve.
#[derive(Debug, Clone, Copy, PartialEq, Eq, DecodeAsType)]
#[decode_as_type(crate_path = "::subxt::ext::scale_decode")]
pub enum ProxyStatus {
	Pending,
	Active,
	Suspended,
	Leaving(u32),
}

/// An account's registered Umbral keys (`KeyGrantsApi.pre_keys`).
#[derive(Debug, Clone, PartialEq, Eq, DecodeAsType)]
#[decode_as_type(crate_path = "::subxt::ext::scale_decode")]
pub struct PreKeys {
	pub public_key: [u8; 33],
	pub verifying_key: [u8; 33],
	pub registered_at: u32,
	pub rotations: u32,
}

/// A grant (`KeyGrantsApi.grant`).
#[derive(Debug, Clone, PartialEq, Eq, DecodeAsType)]
#[decode_as_type(crate_path = "::subxt::ext::scale_decode")]
pub struct Grant {
	pub owner: AccountId32,
	pub grantee: AccountId32,
	pub scope: GrantScope,
	pub proxies: Vec<GrantProxy>,
	pub threshold: u8,
	pub created_at: u32,
	pub expires_at: u32,
	pub revoked_at: Option<u32>,
	pub deposit: u128,
}

/// How a case ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, DecodeAsType)]
#[decode_as_type(crate_path = "::subxt::ext::scale_decode")]
pub enum Outcome {
	Pending,
	Upheld { slashed: u128 },
	Dismissed,
}

/// `KeyGrants.GrantCreated`, the parts the tests read.
#[derive(Debug, Clone, PartialEq, Eq, DecodeAsType)]
#[decode_as_type(crate_path = "::subxt::ext::scale_decode")]
pub struct GrantCreated {
	pub grant: u64,
	pub owner: AccountId32,
	pub grantee: AccountId32,
	pub threshold: u8,
	pub expires_at: u32,
}

impl DecodeAsEvent for GrantCreated {
	fn is_event(pallet: &str, event: &str) -> bool {
		pallet == "KeyGrants" && event == "GrantCreated"
	}
}

/// `KeyGrants.AttestationRecorded`.
#[derive(Debug, Clone, PartialEq, Eq, DecodeAsType)]
#[decode_as_type(crate_path = "::subxt::ext::scale_decode")]
pub struct AttestationRecorded {
	pub grant: u64,
	pub proxy: AccountId32,
	pub index: u32,
	pub capsule_hash: H256,
	pub cfrag_hash: H256,
}

impl DecodeAsEvent for AttestationRecorded {
	fn is_event(pallet: &str, event: &str) -> bool {
		pallet == "KeyGrants" && event == "AttestationRecorded"
	}
}

/// `KeyGrants.EvidenceFiled`.
#[derive(Debug, Clone, PartialEq, Eq, DecodeAsType)]
#[decode_as_type(crate_path = "::subxt::ext::scale_decode")]
pub struct EvidenceFiled {
	pub case: u64,
	pub grant: u64,
	pub proxy: AccountId32,
	pub filer: AccountId32,
}

impl DecodeAsEvent for EvidenceFiled {
	fn is_event(pallet: &str, event: &str) -> bool {
		pallet == "KeyGrants" && event == "EvidenceFiled"
	}
}

/// `KeyGrants.EvidenceAdjudicated`.
#[derive(Debug, Clone, PartialEq, Eq, DecodeAsType)]
#[decode_as_type(crate_path = "::subxt::ext::scale_decode")]
pub struct EvidenceAdjudicated {
	pub case: u64,
	pub proxy: AccountId32,
	pub outcome: Outcome,
}

impl DecodeAsEvent for EvidenceAdjudicated {
	fn is_event(pallet: &str, event: &str) -> bool {
		pallet == "KeyGrants" && event == "EvidenceAdjudicated"
	}
}
