//! The gateway's HTTP API, shared by `medchain-gateway` (server) and the SDK (client).
//!
//! | method | path | body | answer |
//! |---|---|---|---|
//! | GET | `/v1/info` | | [`GatewayInfo`] |
//! | POST | `/v1/blobs` | the envelope bytes (streamed), signed by a writer for the subject in the [`UPLOAD_HEADER`] / [`UPLOAD_SIGNATURE_HEADER`] headers ([`SignedUpload`]) | [`Stored`]: CID, digest, size |
//! | POST | `/v1/reads` | [`SignedRead`] | the envelope bytes (streamed), after the read's receipt is on chain |
//! | POST | `/v1/kfrags` | [`KfragDelivery`] | 204 |
//! | POST | `/v1/reencrypt` | [`SignedReencrypt`] | [`Reencrypted`], after the attestation is on chain |
//!
//! Refusals are JSON [`ApiError`]s with a stable `error` code, e.g. `not-allowed` (the chain
//! does not allow the read), `bad-signature`, `expired`, `replayed`, `too-large`, `not-found`,
//! `unsigned-upload`, `not-a-writer`, `cid-mismatch`, `quota-exceeded`, `store-full`, `busy`.

use std::{path::Path, time::Duration};

use codec::{Decode, Encode};
use futures::TryStreamExt;
use serde::{Deserialize, Serialize};
use subxt::utils::AccountId32;
use tokio::io::AsyncWriteExt;

use crate::{chain::consent::ReadRequest, pre, Error};

/// Domain separation for a grantee's signed re-encryption request (checked off chain by the
/// proxy; the genesis hash follows, so it cannot be replayed on another chain).
pub const REENCRYPT_CONTEXT: &[u8] = b"medchain/reencrypt-request/v2";

/// Domain separation for an uploader's signed upload request (checked off chain by the
/// gateway; the genesis hash follows).
pub const UPLOAD_CONTEXT: &[u8] = b"medchain/upload/v1";

/// Header carrying the hex of the SCALE-encoded [`UploadRequest`].
pub const UPLOAD_HEADER: &str = "x-medchain-upload";
/// Header carrying the hex of the uploader's sr25519 signature of [`UploadRequest::message`].
pub const UPLOAD_SIGNATURE_HEADER: &str = "x-medchain-upload-signature";

/// An account that may write for `subject` asks a gateway to store the envelope whose CID and
/// size it computed before uploading. The gateway checks the signature, that the uploader may
/// write for the subject on chain, its quota, and that the bytes it receives have this CID.
#[derive(Debug, Clone, PartialEq, Eq, Encode, Decode)]
pub struct UploadRequest {
	pub uploader: AccountId32,
	pub subject: AccountId32,
	/// The envelope's binary CID.
	pub cid: Vec<u8>,
	/// The envelope's size in bytes.
	pub size: u64,
	/// Last block in which the gateway may accept it.
	pub valid_until: u32,
}

impl UploadRequest {
	/// What the uploader signs.
	pub fn message(&self, genesis: &[u8; 32]) -> Vec<u8> {
		(UPLOAD_CONTEXT, genesis, self).encode()
	}
}

/// An [`UploadRequest`] with the uploader's signature.
#[derive(Debug, Clone)]
pub struct SignedUpload {
	pub request: UploadRequest,
	pub signature: [u8; 64],
}

impl SignedUpload {
	/// The two header values that carry it.
	pub fn headers(&self) -> (String, String) {
		(
			hex::encode(self.request.encode()),
			hex::encode(self.signature),
		)
	}

	/// Reads it back from the two header values.
	pub fn from_headers(request: &str, signature: &str) -> Result<Self, Error> {
		let bytes = hex::decode(request.trim())
			.map_err(|e| Error::Invalid(format!("{UPLOAD_HEADER}: {e}")))?;
		let request = UploadRequest::decode(&mut bytes.as_slice())
			.map_err(|e| Error::Invalid(format!("{UPLOAD_HEADER}: {e}")))?;
		let signature = hex::decode(signature.trim())
			.ok()
			.and_then(|s| <[u8; 64]>::try_from(s).ok())
			.ok_or_else(|| {
				Error::Invalid(format!("{UPLOAD_SIGNATURE_HEADER}: not 64 hex bytes"))
			})?;
		Ok(Self { request, signature })
	}
}

/// What a gateway says about itself.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct GatewayInfo {
	/// Its account (SS58): names it in read requests; its Umbral key is registered on chain.
	pub account: String,
	/// Its Umbral public key (kfrags are encrypted to it).
	#[serde(with = "hex::serde")]
	pub public_key: [u8; 33],
	/// Largest upload accepted.
	pub max_upload_bytes: u64,
	/// Genesis hash of the chain it serves.
	pub genesis: String,
}

/// An upload's identity as the gateway computed it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stored {
	pub cid: String,
	#[serde(with = "hex::serde")]
	pub digest: [u8; 32],
	pub size: u64,
}

/// A reader's download request with its sr25519 signature of
/// `ConsentApi.read_request_message(request)`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SignedRead {
	pub request: ReadRequest,
	#[serde(with = "hex::serde")]
	pub signature: [u8; 64],
}

/// What the owner hands each proxy of grant `grant`: the proxy's key fragment (encrypted to
/// the proxy's Umbral key) and the grant's capsule (the record's data key wrapped to the
/// one-grant key `delegating_key`). The chain holds BLAKE2-256 of
/// [`KfragDelivery::commitment_bytes`] for each proxy.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct KfragDelivery {
	pub grant: u64,
	pub kfrag: pre::Wrapped,
	pub grant_capsule: pre::Wrapped,
	#[serde(with = "hex::serde")]
	pub delegating_key: [u8; 33],
}

impl KfragDelivery {
	/// The bytes the on-chain commitment hashes (SCALE: the encrypted fragment, the grant's
	/// capsule and ciphertext, the grant key).
	pub fn commitment_bytes(&self) -> Vec<u8> {
		(
			&self.kfrag.capsule,
			&self.kfrag.ciphertext,
			&self.grant_capsule.capsule,
			&self.grant_capsule.ciphertext,
			&self.delegating_key,
		)
			.encode()
	}

	/// BLAKE2-256 of [`KfragDelivery::commitment_bytes`].
	pub fn commitment(&self) -> [u8; 32] {
		blake2_256(&self.commitment_bytes())
	}
}

/// BLAKE2b-256, as the chain hashes.
pub fn blake2_256(bytes: &[u8]) -> [u8; 32] {
	use blake2::{digest::consts::U32, Blake2b, Digest};
	Blake2b::<U32>::digest(bytes).into()
}

/// A grantee asks a proxy to re-encrypt grant `grant`'s capsule for reading `record`.
#[derive(Debug, Clone, Serialize, Deserialize, Encode)]
pub struct ReencryptRequest {
	pub grant: u64,
	pub record: u64,
	/// Last block in which the proxy may serve it.
	pub valid_until: u32,
	pub nonce: u64,
	/// A finalised block the grantee had seen when it asked: the proxy's attestation binds
	/// it, so the proxy cannot backdate its service before that block.
	pub seen: u32,
	/// That block's hash.
	#[serde(with = "hex::serde")]
	pub seen_hash: [u8; 32],
}

impl ReencryptRequest {
	/// What the grantee signs.
	pub fn message(&self, genesis: &[u8; 32]) -> Vec<u8> {
		(REENCRYPT_CONTEXT, genesis, self).encode()
	}
}

/// A signed [`ReencryptRequest`].
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SignedReencrypt {
	pub request: ReencryptRequest,
	#[serde(with = "hex::serde")]
	pub signature: [u8; 64],
}

/// A proxy's answer: its capsule fragment (attested on chain) and the grant's capsule.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Reencrypted {
	#[serde(with = "hex::serde")]
	pub cfrag: Vec<u8>,
	pub grant_capsule: pre::Wrapped,
	#[serde(with = "hex::serde")]
	pub delegating_key: [u8; 33],
	/// The block that holds the attestation.
	pub attested_in: u32,
	/// This answer's own attestation, signed by the proxy for this request: `served_at` is
	/// the block at which the proxy decided to serve, and `request` binds the digest of the
	/// grantee's signed request and the finalised block it had seen. The grantee keeps it as evidence: a
	/// `served_at` at or after the grant's revocation proves the proxy served a revoked grant
	/// (`KeyGrants.file_evidence`, `ServedAfterRevocation`), even when the chain no longer
	/// records attestations for the grant.
	pub attestation: crate::chain::key_grants::Attestation,
	/// The proxy's sr25519 signature of `KeyGrantsApi.attestation_message(attestation)`.
	#[serde(with = "hex::serde")]
	pub attestation_signature: [u8; 64],
}

/// A refusal.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ApiError {
	pub error: String,
	pub message: String,
}

/// An HTTP client for one gateway.
#[derive(Clone)]
pub struct GatewayClient {
	base: String,
	http: reqwest::Client,
}

/// Called with the bytes moved so far (e.g. to move a progress bar).
pub type Progress = std::sync::Arc<dyn Fn(u64) + Send + Sync>;

/// A [`Progress`] that reports nowhere.
pub fn no_progress() -> Progress {
	std::sync::Arc::new(|_| {})
}

impl GatewayClient {
	pub fn new(base: &str) -> Result<Self, Error> {
		let http = reqwest::Client::builder()
			.connect_timeout(Duration::from_secs(10))
			.build()
			.map_err(|e| Error::Gateway(format!("HTTP client: {e}")))?;
		Ok(Self {
			base: base.trim_end_matches('/').to_string(),
			http,
		})
	}

	pub fn base(&self) -> &str {
		&self.base
	}

	fn url(&self, path: &str) -> String {
		format!("{}{path}", self.base)
	}

	async fn check(response: reqwest::Response) -> Result<reqwest::Response, Error> {
		if response.status().is_success() {
			return Ok(response);
		}
		let status = response.status();
		let body = response.text().await.unwrap_or_default();
		Err(match serde_json::from_str::<ApiError>(&body) {
			Ok(api) => Error::Gateway(format!(
				"{}: {}: {}",
				status.as_u16(),
				api.error,
				api.message
			)),
			Err(_) => Error::Gateway(format!("{}: {body}", status.as_u16())),
		})
	}

	fn send_err(&self, what: &str) -> impl FnOnce(reqwest::Error) -> Error + '_ {
		let what = what.to_string();
		move |e| Error::Gateway(format!("{what} at {}: {e}", self.base))
	}

	pub async fn info(&self) -> Result<GatewayInfo, Error> {
		let response = self
			.http
			.get(self.url("/v1/info"))
			.send()
			.await
			.map_err(self.send_err("GET /v1/info"))?;
		Self::check(response)
			.await?
			.json()
			.await
			.map_err(|e| Error::Gateway(format!("info: {e}")))
	}

	/// Streams the file at `path` to the gateway, with its signed upload request.
	pub async fn upload(
		&self,
		path: &Path,
		signed: &SignedUpload,
		progress: Progress,
	) -> Result<Stored, Error> {
		let file = tokio::fs::File::open(path).await?;
		let size = file.metadata().await?.len();
		let (request, signature) = signed.headers();
		let mut sent = 0u64;
		let stream = tokio_util::io::ReaderStream::with_capacity(file, 256 * 1024).inspect_ok(
			move |chunk| {
				sent += chunk.len() as u64;
				progress(sent);
			},
		);
		let response = self
			.http
			.post(self.url("/v1/blobs"))
			.header(reqwest::header::CONTENT_LENGTH, size)
			.header(UPLOAD_HEADER, request)
			.header(UPLOAD_SIGNATURE_HEADER, signature)
			.body(reqwest::Body::wrap_stream(stream))
			.send()
			.await
			.map_err(self.send_err("POST /v1/blobs"))?;
		Self::check(response)
			.await?
			.json()
			.await
			.map_err(|e| Error::Gateway(format!("upload answer: {e}")))
	}

	/// Downloads a record's envelope into `out` (created or truncated).
	pub async fn read(
		&self,
		signed: &SignedRead,
		out: &Path,
		progress: Progress,
	) -> Result<u64, Error> {
		let response = self
			.http
			.post(self.url("/v1/reads"))
			.json(signed)
			.send()
			.await
			.map_err(self.send_err("POST /v1/reads"))?;
		let mut response = Self::check(response).await?;
		let mut file = tokio::fs::File::create(out).await?;
		let mut received = 0u64;
		while let Some(chunk) = response
			.chunk()
			.await
			.map_err(|e| Error::Gateway(format!("download interrupted: {e}")))?
		{
			file.write_all(&chunk).await?;
			received += chunk.len() as u64;
			progress(received);
		}
		file.flush().await?;
		Ok(received)
	}

	/// Hands a proxy its encrypted key fragment.
	pub async fn deliver_kfrag(&self, delivery: &KfragDelivery) -> Result<(), Error> {
		let response = self
			.http
			.post(self.url("/v1/kfrags"))
			.json(delivery)
			.send()
			.await
			.map_err(self.send_err("POST /v1/kfrags"))?;
		Self::check(response).await.map(drop)
	}

	/// Asks a proxy for a capsule fragment.
	pub async fn reencrypt(&self, request: &SignedReencrypt) -> Result<Reencrypted, Error> {
		let response = self
			.http
			.post(self.url("/v1/reencrypt"))
			.json(request)
			.send()
			.await
			.map_err(self.send_err("POST /v1/reencrypt"))?;
		Self::check(response)
			.await?
			.json()
			.await
			.map_err(|e| Error::Gateway(format!("re-encryption answer: {e}")))
	}
}
