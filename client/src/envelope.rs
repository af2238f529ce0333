//! The encrypted record format ("envelope") and its streaming encryption.
//!
//! ```text
//! MAGIC (8 bytes) | header length (u32, big endian) | header (JSON) | chunk 0 | chunk 1 | …
//! ```
//!
//! - A fresh 32-byte **data key** is drawn per record version. The chunk key is derived from
//!   it with HKDF-SHA256 (salt: the header's random stream nonce).
//! - The plaintext is cut into `chunk_size` pieces, each sealed with XChaCha20-Poly1305 in the
//!   STREAM construction (`aead::stream`, big-endian 32-bit counter and last-chunk flag), so
//!   chunks cannot be reordered, dropped or truncated, and a file is never held whole in memory.
//! - Every chunk's associated data is the sha2-256 of the magic and the header bytes. The
//!   header holds the policy text, the subject and both key wraps, so changing any of them
//!   (e.g. swapping in another policy) makes every chunk fail to open.
//! - The data key is wrapped (a) with CP-ABE under the record's policy and/or (b) to the
//!   owner's Umbral key, for delegation through proxies.
//!
//! The CID is computed over the finished envelope and the chain records it with the envelope's
//! digest. A CID cannot be inside the bytes it names, so the binding to the CID is checked the
//! other way round: a reader verifies the downloaded envelope against the CID and digest on
//! chain before decrypting anything.

use std::io::{Read, Write};

use chacha20poly1305::{
	aead::{
		generic_array::GenericArray,
		stream::{DecryptorBE32, EncryptorBE32},
		Payload,
	},
	KeyInit, XChaCha20Poly1305,
};
use hkdf::Hkdf;
use rand::RngCore;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use crate::{abe, pre, Error};

/// First bytes of every envelope.
pub const MAGIC: &[u8; 8] = b"MEDENV1\n";
/// Plaintext bytes per chunk.
pub const CHUNK_SIZE: u32 = 1 << 20;
/// Bytes the AEAD adds per chunk.
pub const TAG_LEN: usize = 16;
/// Largest header accepted when opening (CP-ABE ciphertexts grow with the policy).
pub const MAX_HEADER_LEN: u32 = 1 << 20;
/// STREAM nonce length for XChaCha20-Poly1305 (24-byte nonce minus the 5-byte counter/flag).
const STREAM_NONCE_LEN: usize = 19;
const CHUNK_KEY_INFO: &[u8] = b"medchain/envelope/v1/chunk-key";

/// A record version's data key.
pub type DataKey = Zeroizing<[u8; 32]>;

/// A fresh random data key.
pub fn fresh_data_key() -> DataKey {
	let mut key = Zeroizing::new([0u8; 32]);
	rand::rngs::OsRng.fill_bytes(key.as_mut());
	key
}

/// The data key wrapped under a policy with the keys of the authorities covering its
/// attributes.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AbeWrap {
	/// The authorities (SS58 accounts) whose public keys were used, sorted.
	pub authorities: Vec<String>,
	/// The policy text (the chain's canonical text of the record's policy).
	pub policy: String,
	/// rabe's ciphertext of the data key.
	pub wrapped: abe::WrappedKey,
}

/// The data key wrapped to the owner's Umbral key.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PreWrap {
	/// The owner's Umbral public key (compressed), as registered on chain.
	#[serde(with = "hex::serde")]
	pub owner_public_key: [u8; 33],
	/// The data key wrapped to that key.
	pub wrapped: pre::Wrapped,
}

/// What precedes the chunks. Everything here is bound to every chunk.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Header {
	/// The envelope format version.
	pub version: u8,
	/// The record's subject (SS58).
	pub subject: String,
	/// The record kind (e.g. `Observation`).
	pub kind: String,
	/// Plaintext bytes per chunk.
	pub chunk_size: u32,
	/// The STREAM construction's nonce prefix.
	#[serde(with = "hex::serde")]
	pub stream_nonce: [u8; STREAM_NONCE_LEN],
	/// Size of the plaintext in bytes.
	pub plaintext_size: u64,
	/// The data key wrapped under the CP-ABE policy, if the record has one.
	pub abe: Option<AbeWrap>,
	/// The data key wrapped to the owner's Umbral key, if registered.
	pub pre: Option<PreWrap>,
}

impl Header {
	/// Number of chunks: at least one, so an empty record still ends with an authenticated
	/// last chunk.
	pub fn chunk_count(&self) -> u64 {
		self.plaintext_size
			.div_ceil(u64::from(self.chunk_size))
			.max(1)
	}

	/// Size of the whole envelope for this header encoded as `header_len` bytes.
	pub fn envelope_size(&self, header_len: usize) -> u64 {
		(MAGIC.len() + 4 + header_len) as u64
			+ self.plaintext_size
			+ self.chunk_count() * TAG_LEN as u64
	}
}

/// Who can open a record: the wraps to put in its header.
pub struct Recipients<'a> {
	/// Policy access: the policy's canonical text and which authorities' keys encrypt each
	/// of its attributes.
	pub abe: Option<(&'a str, &'a abe::Routes)>,
	/// Delegated access: the owner's Umbral public key.
	pub pre_owner: Option<[u8; 33]>,
}

fn chunk_cipher(key: &[u8; 32], nonce: &[u8; STREAM_NONCE_LEN]) -> XChaCha20Poly1305 {
	let hkdf = Hkdf::<Sha256>::new(Some(nonce), key);
	let mut chunk_key = Zeroizing::new([0u8; 32]);
	hkdf.expand(CHUNK_KEY_INFO, chunk_key.as_mut())
		.expect("32 bytes is a valid HKDF-SHA256 output length");
	XChaCha20Poly1305::new(GenericArray::from_slice(chunk_key.as_ref()))
}

fn associated_data(header_bytes: &[u8]) -> [u8; 32] {
	let mut hasher = Sha256::new();
	hasher.update(MAGIC);
	hasher.update(header_bytes);
	hasher.finalize().into()
}

/// Encrypts `plaintext_size` bytes read from `input` into an envelope written to `output`.
/// `input` must hold exactly that many bytes. Returns the header.
pub fn seal(
	input: &mut impl Read,
	plaintext_size: u64,
	output: &mut impl Write,
	subject: &str,
	kind: &str,
	recipients: &Recipients<'_>,
	data_key: &DataKey,
) -> Result<Header, Error> {
	if recipients.abe.is_none() && recipients.pre_owner.is_none() {
		return Err(Error::Invalid(
			"a record needs a policy (CP-ABE) or an owner key (PRE) to be readable".into(),
		));
	}
	let mut stream_nonce = [0u8; STREAM_NONCE_LEN];
	rand::rngs::OsRng.fill_bytes(&mut stream_nonce);
	let abe = match recipients.abe {
		Some((policy, routes)) => Some(AbeWrap {
			authorities: routes.authorities(),
			policy: policy.to_string(),
			wrapped: abe::wrap(policy, routes, data_key.as_ref())?,
		}),
		None => None,
	};
	let pre = match recipients.pre_owner {
		Some(owner) => Some(PreWrap {
			owner_public_key: owner,
			wrapped: pre::wrap(&owner, data_key.as_ref())?,
		}),
		None => None,
	};
	let header = Header {
		version: 1,
		subject: subject.to_string(),
		kind: kind.to_string(),
		chunk_size: CHUNK_SIZE,
		stream_nonce,
		plaintext_size,
		abe,
		pre,
	};
	let header_bytes =
		serde_json::to_vec(&header).map_err(|e| Error::Invalid(format!("envelope header: {e}")))?;
	let header_len = u32::try_from(header_bytes.len())
		.ok()
		.filter(|len| *len <= MAX_HEADER_LEN)
		.ok_or_else(|| Error::Invalid("envelope header too large".into()))?;
	output.write_all(MAGIC)?;
	output.write_all(&header_len.to_be_bytes())?;
	output.write_all(&header_bytes)?;

	let aad = associated_data(&header_bytes);
	let mut encryptor = Some(EncryptorBE32::from_aead(
		chunk_cipher(data_key, &stream_nonce),
		GenericArray::from_slice(&stream_nonce),
	));
	let chunks = header.chunk_count();
	let mut buffer = Zeroizing::new(vec![0u8; CHUNK_SIZE as usize]);
	let mut remaining = plaintext_size;
	for index in 0..chunks {
		let len = remaining.min(u64::from(CHUNK_SIZE)) as usize;
		let piece = buffer
			.get_mut(..len)
			.ok_or_else(|| Error::Invalid("chunk larger than its buffer".into()))?;
		input.read_exact(piece).map_err(|e| {
			Error::Invalid(format!("the input ended before its declared size: {e}"))
		})?;
		remaining -= len as u64;
		let payload = Payload {
			msg: piece,
			aad: &aad,
		};
		let used = || Error::Crypto("chunk after the last".into());
		let sealed = if index + 1 == chunks {
			encryptor.take().ok_or_else(used)?.encrypt_last(payload)
		} else {
			encryptor.as_mut().ok_or_else(used)?.encrypt_next(payload)
		}
		.map_err(|_| Error::Crypto("chunk encryption failed".into()))?;
		output.write_all(&sealed)?;
	}
	let mut probe = [0u8; 1];
	if input.read(&mut probe)? != 0 {
		return Err(Error::Invalid(
			"the input is longer than its declared size".into(),
		));
	}
	output.flush()?;
	Ok(header)
}

/// Reads an envelope's magic and header. Returns the header and its raw bytes (the chunks'
/// associated data is derived from them).
pub fn read_header(input: &mut impl Read) -> Result<(Header, Vec<u8>), Error> {
	let mut magic = [0u8; 8];
	input
		.read_exact(&mut magic)
		.map_err(|_| Error::Tampered("not an envelope: too short".into()))?;
	if &magic != MAGIC {
		return Err(Error::Tampered(
			"not a MedChain envelope (bad magic)".into(),
		));
	}
	let mut len = [0u8; 4];
	input
		.read_exact(&mut len)
		.map_err(|_| Error::Tampered("envelope header length missing".into()))?;
	let len = u32::from_be_bytes(len);
	if len > MAX_HEADER_LEN {
		return Err(Error::Tampered(format!("envelope header of {len} bytes")));
	}
	let mut header_bytes = vec![0u8; len as usize];
	input
		.read_exact(&mut header_bytes)
		.map_err(|_| Error::Tampered("envelope header truncated".into()))?;
	let header: Header = serde_json::from_slice(&header_bytes)
		.map_err(|e| Error::Tampered(format!("envelope header: {e}")))?;
	if header.version != 1 || header.chunk_size == 0 || header.chunk_size > 16 * CHUNK_SIZE {
		return Err(Error::Tampered("unsupported envelope parameters".into()));
	}
	Ok((header, header_bytes))
}

/// Decrypts the chunks following the header into `output`, after [`read_header`]. Fails
/// (having written only authenticated chunks) on any change to header or chunks, on a wrong
/// key, on truncation and on trailing bytes. Returns the plaintext size.
pub fn open(
	input: &mut impl Read,
	header: &Header,
	header_bytes: &[u8],
	data_key: &[u8; 32],
	output: &mut impl Write,
) -> Result<u64, Error> {
	let aad = associated_data(header_bytes);
	let mut decryptor = Some(DecryptorBE32::from_aead(
		chunk_cipher(data_key, &header.stream_nonce),
		GenericArray::from_slice(&header.stream_nonce),
	));
	let chunks = header.chunk_count();
	let mut buffer = vec![0u8; header.chunk_size as usize + TAG_LEN];
	let mut remaining = header.plaintext_size;
	for index in 0..chunks {
		let len = remaining.min(u64::from(header.chunk_size)) as usize + TAG_LEN;
		let piece = buffer
			.get_mut(..len)
			.ok_or_else(|| Error::Tampered("chunk larger than declared".into()))?;
		input
			.read_exact(piece)
			.map_err(|_| Error::Tampered(format!("envelope truncated in chunk {index}")))?;
		let payload = Payload {
			msg: &piece[..],
			aad: &aad,
		};
		let plain = if index + 1 == chunks {
			decryptor
				.take()
				.ok_or_else(|| Error::Tampered("chunk after the last".into()))?
				.decrypt_last(payload)
		} else {
			decryptor
				.as_mut()
				.ok_or_else(|| Error::Tampered("chunk after the last".into()))?
				.decrypt_next(payload)
		}
		.map_err(|_| {
			Error::Tampered(format!(
				"chunk {index} does not authenticate: wrong key, or the envelope was changed"
			))
		})?;
		let plain = Zeroizing::new(plain);
		output.write_all(&plain)?;
		remaining -= (len - TAG_LEN) as u64;
	}
	let mut probe = [0u8; 1];
	if input.read(&mut probe)? != 0 {
		return Err(Error::Tampered(
			"trailing bytes after the last chunk".into(),
		));
	}
	output.flush()?;
	Ok(header.plaintext_size)
}

#[cfg(test)]
mod tests {
	use super::*;
	use std::io::Cursor;

	fn sealed(plain: &[u8], key: &DataKey, recipients: &Recipients<'_>) -> Vec<u8> {
		let mut out = Vec::new();
		seal(
			&mut Cursor::new(plain),
			plain.len() as u64,
			&mut out,
			"5Patient",
			"Observation",
			recipients,
			key,
		)
		.unwrap();
		out
	}

	fn opened(envelope: &[u8], key: &[u8; 32]) -> Result<Vec<u8>, Error> {
		let mut input = Cursor::new(envelope);
		let (header, raw) = read_header(&mut input)?;
		let mut out = Vec::new();
		open(&mut input, &header, &raw, key, &mut out)?;
		Ok(out)
	}

	fn pre_only() -> Recipients<'static> {
		let owner = pre::PreKeys::from_seed(&[1; 32]).unwrap();
		Recipients {
			abe: None,
			pre_owner: Some(owner.public().public_key),
		}
	}

	#[test]
	fn round_trips_at_every_chunk_boundary() {
		let key = fresh_data_key();
		let recipients = pre_only();
		let chunk = CHUNK_SIZE as usize;
		for len in [0, 1, chunk - 1, chunk, chunk + 1, 3 * chunk + 17] {
			let plain: Vec<u8> = (0..len).map(|i| (i % 251) as u8).collect();
			let envelope = sealed(&plain, &key, &recipients);
			let (header, raw) = read_header(&mut Cursor::new(&envelope)).unwrap();
			assert_eq!(
				envelope.len() as u64,
				header.envelope_size(raw.len()),
				"len {len}"
			);
			assert_eq!(opened(&envelope, &key).unwrap(), plain, "len {len}");
		}
	}

	const AUTHORITY: &str = "5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY";
	const READER: &str = "5FLSigC9HGRKVhB9FiEo4Y3koPsNmBmLJbpXg2mp1hXcS59Y";

	#[test]
	fn the_data_key_is_recovered_from_either_wrap() {
		let key = fresh_data_key();
		let authority = abe::AuthorityKeys::generate(
			AUTHORITY,
			&[
				"role:doctor".into(),
				"role:nurse".into(),
				"org:hospital-a".into(),
			],
		)
		.unwrap();
		let mut routes = abe::Routes::default();
		for attribute in ["role:doctor", "org:hospital-a"] {
			routes.add(attribute, &authority.public).unwrap();
		}
		let owner = pre::PreKeys::from_seed(&[1; 32]).unwrap();
		let policy = r#""role:doctor" and "org:hospital-a""#;
		let envelope = sealed(
			b"observation",
			&key,
			&Recipients {
				abe: Some((policy, &routes)),
				pre_owner: Some(owner.public().public_key),
			},
		);
		let (header, _) = read_header(&mut Cursor::new(&envelope)).unwrap();
		let abe_wrap = header.abe.unwrap();
		assert_eq!(abe_wrap.policy, policy);
		assert_eq!(abe_wrap.authorities, vec![AUTHORITY.to_string()]);
		let doctor = authority
			.user_key(READER, &["role:doctor".into(), "org:hospital-a".into()])
			.unwrap();
		assert_eq!(
			abe::unwrap(&[&doctor], &abe_wrap.wrapped).unwrap(),
			key.to_vec()
		);
		let nurse = authority
			.user_key(READER, &["role:nurse".into(), "org:hospital-a".into()])
			.unwrap();
		assert!(abe::unwrap(&[&nurse], &abe_wrap.wrapped).is_err());
		assert_eq!(
			pre::unwrap_own(&owner, &header.pre.unwrap().wrapped).unwrap(),
			key.to_vec()
		);
	}

	#[test]
	fn wrong_keys_and_tampering_are_detected() {
		let key = fresh_data_key();
		let plain = vec![9u8; CHUNK_SIZE as usize * 2 + 5];
		let envelope = sealed(&plain, &key, &pre_only());
		assert!(matches!(
			opened(&envelope, &[0u8; 32]),
			Err(Error::Tampered(_))
		));

		let (_, raw) = read_header(&mut Cursor::new(&envelope)).unwrap();
		let body = MAGIC.len() + 4 + raw.len();
		// A flipped bit in the first chunk, in the last chunk, in the header.
		for position in [body + 10, envelope.len() - 3, MAGIC.len() + 4 + 20] {
			let mut changed = envelope.clone();
			changed[position] ^= 0x01;
			assert!(opened(&changed, &key).is_err(), "flip at {position}");
		}
		// Truncated, extended, and a chunk dropped.
		assert!(opened(&envelope[..envelope.len() - 1], &key).is_err());
		let mut extended = envelope.clone();
		extended.push(0);
		assert!(opened(&extended, &key).is_err());
		let chunk = CHUNK_SIZE as usize + TAG_LEN;
		let mut dropped = envelope[..body].to_vec();
		dropped.extend_from_slice(&envelope[body + chunk..]);
		assert!(opened(&dropped, &key).is_err());
		assert!(matches!(
			opened(b"not an envelope", &key),
			Err(Error::Tampered(_))
		));
	}

	#[test]
	fn a_changed_policy_in_the_header_breaks_every_chunk() {
		let key = fresh_data_key();
		let authority = abe::AuthorityKeys::generate(AUTHORITY, &["role:doctor".into()]).unwrap();
		let mut routes = abe::Routes::default();
		routes.add("role:doctor", &authority.public).unwrap();
		let envelope = sealed(
			b"data",
			&key,
			&Recipients {
				abe: Some((r#""role:doctor""#, &routes)),
				pre_owner: None,
			},
		);
		let needle = b"role:doctor";
		let at = envelope
			.windows(needle.len())
			.position(|w| w == needle)
			.expect("the policy is in the header");
		let mut swapped = envelope.clone();
		swapped[at + 7] = b'k'; // role:doktor
		let mut input = Cursor::new(swapped);
		let (header, raw) = read_header(&mut input).unwrap();
		assert!(
			matches!(
				open(&mut input, &header, &raw, &key, &mut Vec::new()),
				Err(Error::Tampered(_))
			),
			"the header is the chunks' associated data"
		);
	}

	#[test]
	fn inputs_must_match_their_declared_size() {
		let key = fresh_data_key();
		let mut out = Vec::new();
		let short = seal(
			&mut Cursor::new(b"abc"),
			4,
			&mut out,
			"s",
			"k",
			&pre_only(),
			&key,
		);
		assert!(matches!(short, Err(Error::Invalid(_))));
		let long = seal(
			&mut Cursor::new(b"abcde"),
			4,
			&mut Vec::new(),
			"s",
			"k",
			&pre_only(),
			&key,
		);
		assert!(matches!(long, Err(Error::Invalid(_))));
		let nobody = Recipients {
			abe: None,
			pre_owner: None,
		};
		assert!(seal(
			&mut Cursor::new(b""),
			0,
			&mut Vec::new(),
			"s",
			"k",
			&nobody,
			&key
		)
		.is_err());
	}
}
