//! On-chain validation of content identifiers.
//!
//! Gateways store blobs under the CID that IPFS (Kubo) computes with `cid-version=1` and
//! `raw-leaves=true`: a CIDv1 whose codec is `raw` (single-block files) or `dag-pb` (chunked
//! files) and whose multihash is sha2-256. Parsing uses the `cid` crate, in `no_std`.

/// Multicodec `raw`: the blob's bytes themselves.
pub const CODEC_RAW: u64 = 0x55;
/// Multicodec `dag-pb`: a UnixFS DAG over chunked leaves.
pub const CODEC_DAG_PB: u64 = 0x70;
/// Multihash `sha2-256`.
pub const MULTIHASH_SHA2_256: u64 = 0x12;

/// Why a byte string is not an accepted content identifier.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CidError {
	/// Not a parseable CID, or bytes left over after it.
	Malformed,
	/// A CIDv0; MedChain stores only CIDv1.
	NotVersion1,
	/// A codec other than `raw` or `dag-pb`.
	UnsupportedCodec,
	/// A multihash other than a full-length sha2-256.
	UnsupportedMultihash,
}

/// Checks that `bytes` is exactly one binary CIDv1 with codec `raw` or `dag-pb` and a
/// 32-byte sha2-256 multihash.
pub fn validate(bytes: &[u8]) -> Result<(), CidError> {
	let parsed = cid::Cid::try_from(bytes).map_err(|_| CidError::Malformed)?;
	if parsed.encoded_len() != bytes.len() {
		return Err(CidError::Malformed);
	}
	if parsed.version() != cid::Version::V1 {
		return Err(CidError::NotVersion1);
	}
	if !matches!(parsed.codec(), CODEC_RAW | CODEC_DAG_PB) {
		return Err(CidError::UnsupportedCodec);
	}
	let hash = parsed.hash();
	if hash.code() != MULTIHASH_SHA2_256 || hash.size() != 32 {
		return Err(CidError::UnsupportedMultihash);
	}
	Ok(())
}

#[cfg(test)]
pub(crate) mod tests {
	use super::*;

	/// Binary CIDv1 of `digest` with `codec` and a sha2-256 multihash, encoded by hand so the
	/// tests check the parser against the multiformats layout rather than against itself.
	pub fn cid_v1(codec: u8, digest: [u8; 32]) -> alloc::vec::Vec<u8> {
		let mut bytes = alloc::vec![0x01, codec, 0x12, 0x20];
		bytes.extend_from_slice(&digest);
		bytes
	}

	#[test]
	fn accepts_raw_and_dag_pb_sha2_256() {
		assert_eq!(validate(&cid_v1(0x55, [7; 32])), Ok(()));
		assert_eq!(validate(&cid_v1(0x70, [7; 32])), Ok(()));
	}

	#[test]
	fn rejects_other_shapes() {
		// CIDv0 is a bare sha2-256 multihash.
		let mut v0 = alloc::vec![0x12, 0x20];
		v0.extend_from_slice(&[1; 32]);
		assert_eq!(validate(&v0), Err(CidError::NotVersion1));
		// dag-cbor codec.
		assert_eq!(
			validate(&cid_v1(0x71, [1; 32])),
			Err(CidError::UnsupportedCodec)
		);
		// identity multihash (0x00) of 4 bytes.
		assert_eq!(
			validate(&[0x01, 0x55, 0x00, 0x04, 1, 2, 3, 4]),
			Err(CidError::UnsupportedMultihash)
		);
		// sha2-256 code with a truncated 16-byte digest.
		let mut short = alloc::vec![0x01, 0x55, 0x12, 0x10];
		short.extend_from_slice(&[1; 16]);
		assert_eq!(validate(&short), Err(CidError::UnsupportedMultihash));
		// Trailing garbage, truncation, empty input.
		let mut trailing = cid_v1(0x55, [1; 32]);
		trailing.push(0);
		assert_eq!(validate(&trailing), Err(CidError::Malformed));
		assert_eq!(
			validate(&cid_v1(0x55, [1; 32])[..20]),
			Err(CidError::Malformed)
		);
		assert_eq!(validate(&[]), Err(CidError::Malformed));
	}
}
