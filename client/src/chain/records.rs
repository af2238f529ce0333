//! The record registry's call arguments, events and runtime-API answers, mirrored for subxt's
//! dynamic API: fields and variants are matched by name against the runtime's metadata.

use subxt::{
	events::DecodeAsEvent,
	ext::{scale_decode::DecodeAsType, scale_encode::EncodeAsType},
	utils::{AccountId32, H256},
};

// Call arguments.

#[derive(Debug, Clone, EncodeAsType)]
#[encode_as_type(crate_path = "::subxt::ext::scale_encode")]
pub struct ContentInput {
	pub cid: Vec<u8>,
	pub digest: H256,
	pub size: u64,
	pub scheme: Scheme,
}

#[derive(Debug, Clone, EncodeAsType)]
#[encode_as_type(crate_path = "::subxt::ext::scale_encode")]
pub struct RecordInput {
	pub content: ContentInput,
	pub kind: Vec<u8>,
	pub policy: Option<u32>,
}

#[derive(Debug, Clone, EncodeAsType)]
#[encode_as_type(crate_path = "::subxt::ext::scale_encode")]
pub enum CustodianScope {
	AllKinds,
	Kinds(Vec<Vec<u8>>),
}

// What the chain returns.

// Variant names are the runtime's, matched by name.
#[allow(clippy::enum_variant_names)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, EncodeAsType, DecodeAsType)]
#[encode_as_type(crate_path = "::subxt::ext::scale_encode")]
#[decode_as_type(crate_path = "::subxt::ext::scale_decode")]
pub enum Scheme {
	AeadCpAbe,
	AeadPre,
	AeadCpAbeAndPre,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, DecodeAsType)]
#[decode_as_type(crate_path = "::subxt::ext::scale_decode")]
pub enum VersionStatus {
	Active,
	Superseded,
}

#[derive(Debug, Clone, PartialEq, Eq, DecodeAsType)]
#[decode_as_type(crate_path = "::subxt::ext::scale_decode")]
pub struct Record {
	pub subject: AccountId32,
	pub kind: Vec<u8>,
	pub policy: Option<u32>,
	pub created_at: u32,
	pub updated_at: u32,
	pub current_version: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, DecodeAsType)]
#[decode_as_type(crate_path = "::subxt::ext::scale_decode")]
pub struct Version {
	pub cid: Vec<u8>,
	pub digest: H256,
	pub size: u64,
	pub scheme: Scheme,
	pub custodian: AccountId32,
	pub deposit: u128,
	pub created_at: u32,
	pub previous: Option<u32>,
	pub status: VersionStatus,
}

#[derive(Debug, Clone, PartialEq, Eq, DecodeAsType)]
#[decode_as_type(crate_path = "::subxt::ext::scale_decode")]
pub struct Tombstone {
	pub subject: AccountId32,
	pub digest: H256,
	pub versions: u32,
	pub erased_at: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, DecodeAsType)]
#[decode_as_type(crate_path = "::subxt::ext::scale_decode")]
pub enum RecordView {
	Live {
		record: Record,
		versions: Vec<Version>,
	},
	Erased(Tombstone),
}

#[derive(Debug, Clone, PartialEq, Eq, DecodeAsType)]
#[decode_as_type(crate_path = "::subxt::ext::scale_decode")]
pub struct RecordRegistered {
	pub record: u64,
	pub subject: AccountId32,
	pub custodian: AccountId32,
	pub kind: Vec<u8>,
	pub cid: Vec<u8>,
	pub digest: H256,
	pub policy: Option<u32>,
}

impl DecodeAsEvent for RecordRegistered {
	fn is_event(pallet: &str, event: &str) -> bool {
		pallet == "Records" && event == "RecordRegistered"
	}
}

#[derive(Debug, Clone, PartialEq, Eq, DecodeAsType)]
#[decode_as_type(crate_path = "::subxt::ext::scale_decode")]
pub struct VersionAppended {
	pub record: u64,
	pub version: u32,
	pub custodian: AccountId32,
	pub cid: Vec<u8>,
	pub digest: H256,
}

impl DecodeAsEvent for VersionAppended {
	fn is_event(pallet: &str, event: &str) -> bool {
		pallet == "Records" && event == "VersionAppended"
	}
}

#[derive(Debug, Clone, PartialEq, Eq, DecodeAsType)]
#[decode_as_type(crate_path = "::subxt::ext::scale_decode")]
pub struct RecordErased {
	pub record: u64,
	pub subject: AccountId32,
	pub cids: Vec<Vec<u8>>,
}

impl DecodeAsEvent for RecordErased {
	fn is_event(pallet: &str, event: &str) -> bool {
		pallet == "Records" && event == "RecordErased"
	}
}

/// A binary CIDv1 (raw codec, sha2-256) over a made-up ciphertext digest.
pub fn cid_v1_raw(digest: [u8; 32]) -> Vec<u8> {
	let mut cid = vec![0x01, 0x55, 0x12, 0x20];
	cid.extend_from_slice(&digest);
	cid
}

/// Content whose CID and digest are made from `seed` (no real blob behind it).
pub fn content(seed: u8, size: u64) -> ContentInput {
	let digest = [seed; 32];
	ContentInput {
		cid: cid_v1_raw(digest),
		digest: H256(digest),
		size,
		scheme: Scheme::AeadCpAbe,
	}
}
