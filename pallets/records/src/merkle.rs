//! Batch anchoring: a custodian uploads many records off-chain and anchors one Merkle root.
//!
//! The tree is `binary-merkle-tree` (the one Substrate uses for BEEFY) over Keccak-256. A leaf
//! is the SCALE encoding of [`BatchLeaf`], hashed; anyone holding a record's leaf, its index and
//! the proof can check inclusion against the anchored root, on or off chain, with the same crate.

use codec::Encode;
use sp_core::H256;
use sp_runtime::traits::Keccak256;

use crate::types::ContentInput;

/// What one leaf commits to: the record's subject and content.
#[derive(Encode)]
pub struct BatchLeaf<'a, AccountId: Encode> {
	/// The patient the record is about.
	pub subject: &'a AccountId,
	/// The record's content reference and fingerprint.
	pub content: &'a ContentInput,
}

impl<AccountId: Encode> BatchLeaf<'_, AccountId> {
	/// The leaf's hash, as it enters the tree.
	pub fn hash(&self) -> H256 {
		sp_io::hashing::keccak_256(&self.encode()).into()
	}
}

/// The root of the tree over `leaf_hashes`, in order.
pub fn root(leaf_hashes: impl IntoIterator<Item = H256>) -> H256 {
	binary_merkle_tree::merkle_root_raw::<Keccak256, _>(leaf_hashes)
}

/// Whether `leaf_hash` is leaf `index` of a `leaf_count`-leaf tree with root `root`.
pub fn verify(
	root: H256,
	proof: impl IntoIterator<Item = H256>,
	leaf_count: u32,
	index: u32,
	leaf_hash: H256,
) -> bool {
	binary_merkle_tree::verify_proof::<Keccak256, _, _>(
		&root,
		proof,
		leaf_count,
		index,
		binary_merkle_tree::Leaf::Hash(leaf_hash),
	)
}
