//! IPFS-compatible content ids for ciphertext blobs.
//!
//! A blob's id is the CIDv1 Kubo computes with `ipfs add --cid-version=1 --raw-leaves`:
//! 256 KiB chunks stored as raw (0x55) leaves, joined by a balanced dag-pb tree of at most 174
//! links per node. A blob of one chunk is a bare raw leaf. The tree layout comes from
//! `rust-unixfs` (checked against Kubo 0.40.1 by its interop tests; the same vectors are
//! repeated below), so the gateway's store could be served by, or moved to, any IPFS node.
//!
//! [`ContentHasher`] is fed the blob in pieces and never holds more than one chunk, so a
//! 100 MB upload is identified while it streams. It also computes the blob's sha2-256 digest,
//! which the chain records beside the CID.

use cid::{Cid, Version};
use rust_unixfs::file::adder::{Chunker, FileAdder};
use sha2::{Digest, Sha256};

/// Kubo's default chunk size.
pub const CHUNK_SIZE: usize = 256 * 1024;

/// What identifies a blob: its CID, its sha2-256 digest and its size in bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContentSummary {
	/// The CIDv1 (raw leaves, balanced DAG), as Kubo computes it.
	pub cid: Cid,
	/// sha2-256 of the bytes.
	pub digest: [u8; 32],
	/// Size in bytes.
	pub size: u64,
}

/// Computes a blob's [`ContentSummary`] from its bytes, fed in any pieces.
pub struct ContentHasher {
	adder: FileAdder,
	sha256: Sha256,
	size: u64,
}

impl Default for ContentHasher {
	fn default() -> Self {
		Self::new()
	}
}

impl ContentHasher {
	/// Kubo's layout: 256 KiB chunks.
	pub fn new() -> Self {
		Self::with_chunk_size(CHUNK_SIZE)
	}

	/// The same layout with another chunk size (Kubo's `--chunker=size-N`), for test vectors.
	pub fn with_chunk_size(chunk_size: usize) -> Self {
		let adder = FileAdder::builder()
			.with_cid_version(Version::V1)
			.with_raw_leaves(true)
			.with_chunker(Chunker::Size(chunk_size.max(1)))
			.build();
		Self {
			adder,
			sha256: Sha256::new(),
			size: 0,
		}
	}

	/// Feeds the next bytes of the blob.
	pub fn update(&mut self, mut input: &[u8]) {
		self.sha256.update(input);
		self.size = self.size.saturating_add(input.len() as u64);
		while !input.is_empty() {
			// Completed blocks are dropped: only the root's id is kept, at the end.
			let (blocks, consumed) = self.adder.push(input);
			blocks.for_each(drop);
			input = input.get(consumed..).unwrap_or_default();
		}
	}

	/// The blob's summary.
	pub fn finish(self) -> ContentSummary {
		let root = self
			.adder
			.finish()
			.last()
			.map(|(cid, _)| cid)
			.expect("rust-unixfs yields at least the root block, even for an empty blob");
		ContentSummary {
			cid: root,
			digest: self.sha256.finalize().into(),
			size: self.size,
		}
	}
}

/// The summary of a blob held in memory.
pub fn summarize(bytes: &[u8]) -> ContentSummary {
	let mut hasher = ContentHasher::new();
	hasher.update(bytes);
	hasher.finish()
}

/// Parses a CID from its text (`bafk…`) form.
pub fn parse(text: &str) -> Result<Cid, cid::Error> {
	Cid::try_from(text)
}

#[cfg(test)]
mod tests {
	use super::*;

	/// Root CID of `content` with `chunk` sized leaves, fed in `piece` sized writes.
	fn cid_of(content: &[u8], chunk: usize, piece: usize) -> String {
		let mut hasher = ContentHasher::with_chunk_size(chunk);
		for part in content.chunks(piece.max(1)) {
			hasher.update(part);
		}
		if content.is_empty() {
			hasher.update(&[]);
		}
		hasher.finish().cid.to_string()
	}

	/// Captured from Kubo 0.40.1 (`ipfs add --only-hash --cid-version=1 [--chunker=size-N]`),
	/// as pinned in rust-unixfs's interop tests.
	#[test]
	fn matches_kubo() {
		let cases: [(&[u8], usize, &str); 5] = [
			(
				b"",
				CHUNK_SIZE,
				"bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku",
			),
			(
				b"hello world\n",
				CHUNK_SIZE,
				"bafkreifjjcie6lypi6ny7amxnfftagclbuxndqonfipmb64f2km2devei4",
			),
			(
				b"foobar\n",
				2,
				"bafybeiakabo5d5e25jzw2i32mymsnwyuoaqozkjfkqibnvodyxna6nuanm",
			),
			(
				&[0u8; 1000],
				7,
				"bafybeia3u4lcsbc6ijwivdukvlougvli4rm73r65chivjsl5l7vemqclhy",
			),
			// 400 one-byte leaves: more than 174 links, so a two-level balanced tree.
			(
				&[b'a'; 400],
				1,
				"bafybeiajemq5ovepy7fc56ifhtn6aoctbkgxcqav44zg2bjkrfwvlbnewu",
			),
		];
		for (content, chunk, expected) in cases {
			for piece in [1, 3, 1000] {
				assert_eq!(
					cid_of(content, chunk, piece),
					expected,
					"len {} chunk {chunk} piece {piece}",
					content.len()
				);
			}
		}
	}

	#[test]
	fn digest_and_size_cover_every_byte() {
		let blob = vec![7u8; 3 * CHUNK_SIZE + 5];
		let summary = summarize(&blob);
		assert_eq!(summary.size, blob.len() as u64);
		assert_eq!(summary.digest, <[u8; 32]>::from(Sha256::digest(&blob)));
		assert_eq!(
			summary.cid.codec(),
			0x70,
			"several chunks make a dag-pb root"
		);
		let mut changed = blob.clone();
		changed[CHUNK_SIZE + 1] ^= 1;
		assert_ne!(summarize(&changed).cid, summary.cid);
		assert_eq!(summarize(b"x").cid.codec(), 0x55, "one chunk is a raw leaf");
		assert_eq!(parse(&summary.cid.to_string()).ok(), Some(summary.cid));
	}
}
