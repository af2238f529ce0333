//! The gateway's HTTP API, shared by `medchain-gateway` (server) and the SDK (client).
//!
//! | method | path | body | answer |
//! |---|---|---|---|
//! | GET | `/v1/info` | | [`GatewayInfo`] |
//! | POST | `/v1/blobs` | the envelope bytes (streamed), signed by a writer for the subject in the [`UPLOAD_HEADER`] / [`UPLOAD_SIGNATURE_HEADER`] headers ([`SignedUpload`]) | [`Stored`]: CID, digest, size |
//! | POST | `/v1/reads` | [`SignedRead`] | the envelope bytes (streamed) as soon as the chain allows the read at its best block; its receipt follows in a batch |
//! | POST | `/v1/kfrags` | [`KfragDelivery`] | 204 |
//! | POST | `/v1/reencrypt` | [`SignedReencrypt`] | [`Reencrypted`], after the attestation is on chain |
//!
//! Refusals are JSON [`ApiError`]s with a stable `error` code, e.g. `not-allowed` (the chain
//! does not allow the read), `bad-signature`, `expired`, `replayed`, `too-large`, `not-found`,
//! `unsigned-upload`, `not-a-writer`, `cid-mismatch`, `quota-exceeded`, `store-full`, `busy`.

use std::fmt;
#[cfg(feature = "native")]
use std::{path::Path, time::Duration};

use codec::{Decode, Encode};
use futures::StreamExt;
#[cfg(feature = "native")]
use futures::TryStreamExt;
use serde::{Deserialize, Serialize};
use subxt::utils::AccountId32;
#[cfg(feature = "native")]
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
	/// Who uploads (and signs).
	pub uploader: AccountId32,
	/// The patient the record is about.
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
	/// The request.
	pub request: UploadRequest,
	/// The uploader's sr25519 signature of [`UploadRequest::message`].
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
	/// The envelope's CID (text).
	pub cid: String,
	/// Its sha2-256.
	#[serde(with = "hex::serde")]
	pub digest: [u8; 32],
	/// Its size in bytes.
	pub size: u64,
}

/// A reader's download request with its sr25519 signature of
/// `ConsentApi.read_request_message(request)`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SignedRead {
	/// The request, as the chain's `record_read` takes it.
	pub request: ReadRequest,
	/// The reader's signature.
	#[serde(with = "hex::serde")]
	pub signature: [u8; 64],
}

/// What the owner hands each proxy of grant `grant`: the proxy's key fragment (encrypted to
/// the proxy's Umbral key) and the grant's capsule (the record's data key wrapped to the
/// one-grant key `delegating_key`). The chain holds BLAKE2-256 of
/// [`KfragDelivery::commitment_bytes`] for each proxy.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct KfragDelivery {
	/// The grant on chain.
	pub grant: u64,
	/// The proxy's key fragment, encrypted to the proxy's Umbral key.
	pub kfrag: pre::Wrapped,
	/// The record's data key wrapped to the one-grant key.
	pub grant_capsule: pre::Wrapped,
	/// The one-grant key's public half.
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
	/// The grant it reads under.
	pub grant: u64,
	/// The record to read.
	pub record: u64,
	/// Last block in which the proxy may serve it.
	pub valid_until: u32,
	/// Makes each request unique.
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
	/// The request.
	pub request: ReencryptRequest,
	/// The grantee's sr25519 signature of [`ReencryptRequest::message`].
	#[serde(with = "hex::serde")]
	pub signature: [u8; 64],
}

/// A proxy's answer: its capsule fragment (attested on chain) and the grant's capsule.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Reencrypted {
	/// The capsule fragment, re-encrypted towards the grantee.
	#[serde(with = "hex::serde")]
	pub cfrag: Vec<u8>,
	/// The grant's capsule, as delivered by the owner.
	pub grant_capsule: pre::Wrapped,
	/// The one-grant key's public half.
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

/// Why a gateway refused a request: the stable `error` code of its JSON answer ([`ApiError`]),
/// each with one HTTP status. `medchain-gateway` answers with it and clients match on it, never
/// on the message text. On the wire a code is kebab-case (`not-allowed`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ErrorCode {
	/// The request is malformed or names something impossible.
	Invalid,
	/// The request body arrived cut short.
	Interrupted,
	/// The request's validity window reaches too far ahead.
	TooLong,
	/// An upload came without its signed request.
	UnsignedUpload,
	/// The request is not signed by the account it names.
	BadSignature,
	/// The request's validity window has passed.
	Expired,
	/// The request names another gateway.
	WrongGateway,
	/// The uploader may not write the subject's records.
	NotAWriter,
	/// The chain does not allow this now; the message gives its reason (`Consent::ExplicitlyDenied`).
	NotAllowed,
	/// The grant is revoked or expired, or does not cover the record.
	GrantNotActive,
	/// The grant does not name this gateway as a proxy.
	NotAProxy,
	/// No such blob, grant or record here.
	NotFound,
	/// This gateway holds no key fragment for the grant.
	NoKfrag,
	/// The request was already served (or the chain holds its receipt).
	Replayed,
	/// The request is for a version that is not the record's current one.
	StaleVersion,
	/// The upload is larger than this gateway accepts.
	TooLarge,
	/// The request names a block the chain does not have.
	UnknownBlock,
	/// The upload is not a MedChain envelope.
	NotAnEnvelope,
	/// The uploaded bytes do not have the signed CID.
	CidMismatch,
	/// A key fragment does not match the chain's commitment or the grant's keys.
	BadKfrag,
	/// Data failed authentication or does not match the chain.
	Tampered,
	/// A cryptographic operation failed on the data sent.
	Crypto,
	/// Too many requests from this client; retry later.
	RateLimited,
	/// The gateway failed.
	Internal,
	/// Too many requests in flight; retry shortly.
	Busy,
	/// The gateway cannot reach its node.
	ChainUnavailable,
	/// The uploader's storage quota is used up.
	QuotaExceeded,
	/// The gateway's store is full.
	StoreFull,
	/// A code this client does not know (from a newer gateway).
	#[serde(other)]
	Unknown,
}

impl ErrorCode {
	/// The HTTP status the gateway answers this code with.
	pub fn status(self) -> u16 {
		match self {
			Self::Invalid | Self::Interrupted | Self::TooLong => 400,
			Self::UnsignedUpload => 401,
			Self::BadSignature
			| Self::Expired
			| Self::WrongGateway
			| Self::NotAWriter
			| Self::NotAllowed
			| Self::GrantNotActive
			| Self::NotAProxy => 403,
			Self::NotFound | Self::NoKfrag => 404,
			Self::Replayed | Self::StaleVersion => 409,
			Self::TooLarge => 413,
			Self::UnknownBlock
			| Self::NotAnEnvelope
			| Self::CidMismatch
			| Self::BadKfrag
			| Self::Tampered
			| Self::Crypto => 422,
			Self::RateLimited => 429,
			Self::Internal | Self::Unknown => 500,
			Self::Busy | Self::ChainUnavailable => 503,
			Self::QuotaExceeded | Self::StoreFull => 507,
		}
	}
}

impl fmt::Display for ErrorCode {
	fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
		match serde_json::to_value(self) {
			Ok(serde_json::Value::String(code)) => f.write_str(&code),
			_ => write!(f, "{self:?}"),
		}
	}
}

/// A refusal, as a gateway answers it: `{"error": "not-allowed", "message": "…"}`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ApiError {
	/// Why, for programs.
	pub error: ErrorCode,
	/// Why, for a person.
	pub message: String,
}

/// A gateway's refusal, or a failure to talk to one (no status, no code).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GatewayError {
	/// The HTTP status, if the gateway answered.
	pub status: Option<u16>,
	/// The refusal's code, if the gateway answered with one.
	pub code: Option<ErrorCode>,
	/// What happened, for a person.
	pub message: String,
}

impl GatewayError {
	/// A failure with no answer from a gateway (connection, interrupted transfer).
	pub fn transport(message: impl Into<String>) -> Self {
		Self {
			status: None,
			code: None,
			message: message.into(),
		}
	}
}

/// [`Error::Gateway`] for a failure to talk to a gateway.
fn transport_error(message: String) -> Error {
	Error::Gateway(GatewayError::transport(message))
}

impl fmt::Display for GatewayError {
	fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
		match (self.status, self.code) {
			(Some(status), Some(code)) => write!(f, "{status}: {code}: {}", self.message),
			(Some(status), None) => write!(f, "{status}: {}", self.message),
			_ => f.write_str(&self.message),
		}
	}
}

/// Where [`GatewayClient`] puts downloaded chunks: memory, or (natively) a file.
trait AsyncChunkSink {
	/// Takes the next chunk.
	async fn take(&mut self, chunk: &[u8]) -> Result<(), Error>;
}

impl AsyncChunkSink for &mut Vec<u8> {
	async fn take(&mut self, chunk: &[u8]) -> Result<(), Error> {
		self.extend_from_slice(chunk);
		Ok(())
	}
}

#[cfg(feature = "native")]
impl AsyncChunkSink for &mut tokio::fs::File {
	async fn take(&mut self, chunk: &[u8]) -> Result<(), Error> {
		self.write_all(chunk).await.map_err(Error::Io)
	}
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
	/// A client for the gateway at `base` (`http://127.0.0.1:8787`).
	pub fn new(base: &str) -> Result<Self, Error> {
		let builder = reqwest::Client::builder();
		// A browser's fetch has its own connect timeout (and reqwest none to set there).
		#[cfg(feature = "native")]
		let builder = builder.connect_timeout(Duration::from_secs(10));
		let http = builder
			.build()
			.map_err(|e| transport_error(format!("HTTP client: {e}")))?;
		Ok(Self {
			base: base.trim_end_matches('/').to_string(),
			http,
		})
	}

	/// The gateway's base URL.
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
		Err(Error::Gateway(
			match serde_json::from_str::<ApiError>(&body) {
				Ok(api) => GatewayError {
					status: Some(status.as_u16()),
					code: Some(api.error),
					message: api.message,
				},
				Err(_) => GatewayError {
					status: Some(status.as_u16()),
					code: None,
					message: body,
				},
			},
		))
	}

	fn send_err(&self, what: &str) -> impl FnOnce(reqwest::Error) -> Error + '_ {
		let what = what.to_string();
		move |e| transport_error(format!("{what} at {}: {e}", self.base))
	}

	/// `GET /v1/info`: the gateway's account, limits and chain.
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
			.map_err(|e| transport_error(format!("info: {e}")))
	}

	/// `POST /v1/blobs` of `size` bytes with `body`, signed by `signed`: the gateway's answer.
	async fn post_blob(
		&self,
		size: u64,
		signed: &SignedUpload,
		body: reqwest::Body,
	) -> Result<Stored, Error> {
		let (request, signature) = signed.headers();
		let response = self
			.http
			.post(self.url("/v1/blobs"))
			.header(reqwest::header::CONTENT_LENGTH, size)
			.header(UPLOAD_HEADER, request)
			.header(UPLOAD_SIGNATURE_HEADER, signature)
			.body(body)
			.send()
			.await
			.map_err(self.send_err("POST /v1/blobs"))?;
		Self::check(response)
			.await?
			.json()
			.await
			.map_err(|e| transport_error(format!("upload answer: {e}")))
	}

	/// `POST /v1/reads`: the gateway's answer once it agreed to serve (a refusal is an error and
	/// nothing was received).
	async fn post_read(&self, signed: &SignedRead) -> Result<reqwest::Response, Error> {
		let response = self
			.http
			.post(self.url("/v1/reads"))
			.json(signed)
			.send()
			.await
			.map_err(self.send_err("POST /v1/reads"))?;
		Self::check(response).await
	}

	/// The envelope's bytes of `response` as they arrive, each chunk passed to `sink`, never
	/// more than `limit` in all (the size the chain recorded: a gateway cannot make a reader
	/// hold or store more). The total received.
	async fn receive(
		response: reqwest::Response,
		limit: u64,
		progress: Progress,
		mut sink: impl AsyncChunkSink,
	) -> Result<u64, Error> {
		let mut body = response.bytes_stream();
		let mut received = 0u64;
		while let Some(chunk) = body.next().await {
			let chunk = chunk.map_err(|e| transport_error(format!("download interrupted: {e}")))?;
			received = received.saturating_add(chunk.len() as u64);
			if received > limit {
				return Err(Error::Tampered(format!(
					"the gateway sent more than the {limit} bytes on chain"
				)));
			}
			sink.take(&chunk).await?;
			progress(received);
		}
		Ok(received)
	}

	/// Sends `envelope` (all its bytes, in memory) to the gateway with its signed upload
	/// request; [`GatewayClient::upload`] streams a file instead.
	pub async fn upload_bytes(
		&self,
		envelope: Vec<u8>,
		signed: &SignedUpload,
		progress: Progress,
	) -> Result<Stored, Error> {
		let size = envelope.len() as u64;
		let stored = self.post_blob(size, signed, envelope.into()).await?;
		progress(size);
		Ok(stored)
	}

	/// Downloads a record's envelope into memory, refusing more than `limit` bytes (the size
	/// the chain recorded); [`GatewayClient::read`] writes to a file instead.
	pub async fn read_bytes(
		&self,
		signed: &SignedRead,
		limit: u64,
		progress: Progress,
	) -> Result<Vec<u8>, Error> {
		let response = self.post_read(signed).await?;
		let mut received = Vec::new();
		Self::receive(response, limit, progress, &mut received).await?;
		Ok(received)
	}

	/// Streams the file at `path` to the gateway, with its signed upload request.
	#[cfg(feature = "native")]
	pub async fn upload(
		&self,
		path: &Path,
		signed: &SignedUpload,
		progress: Progress,
	) -> Result<Stored, Error> {
		let file = tokio::fs::File::open(path).await?;
		let size = file.metadata().await?.len();
		let mut sent = 0u64;
		let stream = tokio_util::io::ReaderStream::with_capacity(file, 256 * 1024).inspect_ok(
			move |chunk| {
				sent += chunk.len() as u64;
				progress(sent);
			},
		);
		self.post_blob(size, signed, reqwest::Body::wrap_stream(stream))
			.await
	}

	/// Downloads a record's envelope into `out` (created or truncated), refusing more than
	/// `limit` bytes (the size the chain recorded).
	#[cfg(feature = "native")]
	pub async fn read(
		&self,
		signed: &SignedRead,
		out: &Path,
		limit: u64,
		progress: Progress,
	) -> Result<u64, Error> {
		// Nothing is created unless the gateway agreed to serve.
		let response = self.post_read(signed).await?;
		let mut file = tokio::fs::File::create(out).await?;
		let received = Self::receive(response, limit, progress, &mut file).await?;
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
			.map_err(|e| transport_error(format!("re-encryption answer: {e}")))
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	/// Every code with the text gateways have answered with since before the enum existed:
	/// renaming a variant must not change what older clients match on.
	const WIRE: [(ErrorCode, &str, u16); 28] = [
		(ErrorCode::Invalid, "invalid", 400),
		(ErrorCode::Interrupted, "interrupted", 400),
		(ErrorCode::TooLong, "too-long", 400),
		(ErrorCode::UnsignedUpload, "unsigned-upload", 401),
		(ErrorCode::BadSignature, "bad-signature", 403),
		(ErrorCode::Expired, "expired", 403),
		(ErrorCode::WrongGateway, "wrong-gateway", 403),
		(ErrorCode::NotAWriter, "not-a-writer", 403),
		(ErrorCode::NotAllowed, "not-allowed", 403),
		(ErrorCode::GrantNotActive, "grant-not-active", 403),
		(ErrorCode::NotAProxy, "not-a-proxy", 403),
		(ErrorCode::NotFound, "not-found", 404),
		(ErrorCode::NoKfrag, "no-kfrag", 404),
		(ErrorCode::Replayed, "replayed", 409),
		(ErrorCode::StaleVersion, "stale-version", 409),
		(ErrorCode::TooLarge, "too-large", 413),
		(ErrorCode::UnknownBlock, "unknown-block", 422),
		(ErrorCode::NotAnEnvelope, "not-an-envelope", 422),
		(ErrorCode::CidMismatch, "cid-mismatch", 422),
		(ErrorCode::BadKfrag, "bad-kfrag", 422),
		(ErrorCode::Tampered, "tampered", 422),
		(ErrorCode::Crypto, "crypto", 422),
		(ErrorCode::RateLimited, "rate-limited", 429),
		(ErrorCode::Internal, "internal", 500),
		(ErrorCode::Busy, "busy", 503),
		(ErrorCode::ChainUnavailable, "chain-unavailable", 503),
		(ErrorCode::QuotaExceeded, "quota-exceeded", 507),
		(ErrorCode::StoreFull, "store-full", 507),
	];

	#[test]
	fn error_codes_keep_their_wire_text_and_status() {
		for (code, text, status) in WIRE {
			let answer = ApiError {
				error: code,
				message: "why".into(),
			};
			let json = serde_json::to_value(&answer).unwrap();
			assert_eq!(json["error"], text, "{code:?}");
			assert_eq!(code.to_string(), text);
			assert_eq!(code.status(), status, "{code:?}");
			let back: ApiError = serde_json::from_value(json).unwrap();
			assert_eq!(back.error, code);
		}
	}

	#[test]
	fn a_code_from_a_newer_gateway_is_unknown_not_an_error() {
		let answer: ApiError =
			serde_json::from_str(r#"{"error":"quantum-flux","message":"new"}"#).unwrap();
		assert_eq!(answer.error, ErrorCode::Unknown);
		assert_eq!(answer.error.status(), 500);
	}

	#[test]
	fn a_refusal_reads_as_status_code_message() {
		let refusal = GatewayError {
			status: Some(403),
			code: Some(ErrorCode::NotAllowed),
			message: "Consent::ExplicitlyDenied".into(),
		};
		assert_eq!(
			refusal.to_string(),
			"403: not-allowed: Consent::ExplicitlyDenied"
		);
		assert_eq!(
			Error::Gateway(refusal).gateway_code(),
			Some(ErrorCode::NotAllowed)
		);
		assert_eq!(
			GatewayError::transport("connection refused").to_string(),
			"connection refused"
		);
	}
}
