//! # MedChain client SDK
//!
//! What a hospital, lab, doctor, researcher or patient runs to share encrypted medical
//! records over MedChain. The chain anchors and decides; this crate encrypts, stores through a
//! gateway, and proves who read what.
//!
//! - [`envelope`]: the encrypted record format. A fresh data key per version, streaming
//!   XChaCha20-Poly1305 (STREAM) over 1 MiB chunks with the header as associated data; the data
//!   key wrapped with multi-authority CP-ABE under the record's policy ([`abe`]) and/or to the
//!   owner's Umbral key for delegation through proxies ([`pre`]).
//! - [`content_id`]: the IPFS CIDv1 (raw leaves, balanced DAG) of a ciphertext, as Kubo computes
//!   it, and its sha2-256 digest, both recorded on chain.
//! - [`keystore`]: a passphrase-encrypted file (Argon2id + XChaCha20-Poly1305) with the account's
//!   sr25519 secret, PRE seed, CP-ABE keys and trusted authorities.
//! - [`chain`]: subxt 0.51 with MedChain's configuration: connection, submission, and the typed
//!   API generated from the runtime's metadata (`medchain-chain-api`), with names for its types.
//! - [`protocol`]: the gateway's HTTP API (types shared with `medchain-gateway`) and a client.
//! - [`flows`]: what the `medchain` CLI (the `medchain-cli` crate) and the gateway run: keys,
//!   put, get (by ticket or by grant), grant, erase, list.
//!
//! ## Dependencies (why each is here)
//! `rabe` + `rabe-bn` (multi-authority CP-ABE, AW11, and its pairing groups),
//! `medchain-consent-primitives` (the chain's own policy parser and scope matching, so the
//! CP-ABE encoding reads a policy as the runtime does), `umbral-pre` (threshold PRE; GPL-3.0-only, hence this crate's
//! licence), `chacha20poly1305` + `hkdf` + `sha2` (AEAD, key derivation, digests), `argon2`
//! (passphrase hardening), `rust-unixfs` + `cid` (Kubo-compatible CIDs), `blake2` (the chain's
//! commitment to a key fragment), `subxt` + `subxt-signer` (chain access, sr25519),
//! `reqwest` (gateway HTTP), `futures-timer` (timeouts that also work in a browser). The CLI's
//! own dependencies (`clap`, `indicatif`) live in `medchain-cli`.
//!
//! ## Native and WebAssembly
//!
//! Feature `native` (the default) is for programs with files and threads: the CLI, the gateway,
//! servers. Without it (`--no-default-features --features web`) the crate builds for
//! `wasm32-unknown-unknown`, for the browser dApp: the chain over the browser's WebSocket,
//! gateways over `fetch`, randomness from the browser's crypto API. Everything but the file
//! flows is there: keys and the keystore as bytes ([`keystore::seal`], [`keystore::open`]),
//! sealing and opening envelopes, CIDs, and the byte flows
//! [`flows::put_record_bytes`] and [`flows::get_record_bytes`], which check and encrypt exactly
//! as the file flows do (`scripts/test.sh` checks that it builds).

pub mod abe;
pub mod chain;
pub mod content_id;
pub mod envelope;
pub mod flows;
pub mod keystore;
pub mod pre;
pub mod protocol;

/// What can go wrong, by whose fault: bad input, bad data, refusals, or infrastructure.
#[derive(Debug, thiserror::Error)]
pub enum Error {
	/// The caller's input is not acceptable.
	#[error("invalid input: {0}")]
	Invalid(String),
	/// A cryptographic library failed.
	#[error("cryptography: {0}")]
	Crypto(String),
	/// The key material at hand cannot open this data.
	#[error("cannot decrypt: {0}")]
	Decrypt(String),
	/// Data does not authenticate or does not match what the chain recorded.
	#[error("tampered or corrupt data: {0}")]
	Tampered(String),
	/// The keystore cannot be read or written.
	#[error("keystore: {0}")]
	Keystore(String),
	/// Talking to the node failed.
	#[error("chain: {0}")]
	Chain(String),
	/// The chain refused a transaction: the pallet error by name (`Consent::NoLiveTicket`) and
	/// typed, for callers to match on.
	#[error("refused by the chain: {}", .0.name)]
	Refused(chain::Explained),
	/// A gateway refused a request (`status: code: message`, the code typed) or could not be
	/// reached.
	#[error("gateway: {0}")]
	Gateway(protocol::GatewayError),
	/// Local I/O.
	#[error("I/O: {0}")]
	Io(#[from] std::io::Error),
}

impl Error {
	/// The gateway's refusal code, if a gateway refused.
	pub fn gateway_code(&self) -> Option<protocol::ErrorCode> {
		match self {
			Error::Gateway(refusal) => refusal.code,
			_ => None,
		}
	}
}

/// The canonical text of a binary CID as stored on chain.
pub fn cid_from_bytes(bytes: &[u8]) -> Result<String, Error> {
	cid::Cid::try_from(bytes)
		.map(|cid| cid.to_string())
		.map_err(|e| Error::Invalid(format!("not a binary CID: {e}")))
}
