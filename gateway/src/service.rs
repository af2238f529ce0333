//! The gateway's HTTP handlers and its erasure follower.

use std::{collections::HashMap, sync::Arc, time::Duration};

use axum::{
	body::Body,
	extract::State,
	http::{header, HeaderMap, StatusCode},
	response::{IntoResponse, Response},
	Json,
};
use futures::StreamExt;
use medchain_client::{
	chain::{
		self, api, consent,
		key_grants::{Attestation, RequestBinding},
		records::RecordErased,
		Chain, Explained,
	},
	envelope,
	pre::{self, PreKeys},
	protocol::{
		blake2_256, ApiError, ErrorCode, GatewayInfo, KfragDelivery, Reencrypted, SignedRead,
		SignedReencrypt, SignedUpload, Stored, UPLOAD_HEADER, UPLOAD_SIGNATURE_HEADER,
	},
	Error,
};
use serde_json::json;
use subxt::utils::{AccountId32, H256};
use subxt_signer::sr25519::{self, Keypair};
use tokio::sync::Mutex;

use crate::{
	decide::Decider,
	receipts::Receipts,
	store::{Limits, NoRoom, Rejected, Store},
};

use api::runtime_types::{
	pallet_consent::pallet::Error as ConsentError,
	pallet_key_grants::pallet::Error as KeyGrantsError,
};

/// How far ahead a signed request's `valid_until` may lie (the chain allows a minute).
const MAX_REQUEST_AHEAD: u32 = 10;
/// Blocks a read request must still be valid for when it is served, so that its receipt is
/// listed while the request is valid (a batch is submitted within seconds and included in one
/// of the next blocks); a receipt listed later is flagged `RequestExpired` on chain.
const RECEIPT_MARGIN: u32 = 2;
/// How long a transaction may take to get into a block.
const INCLUSION_TIMEOUT: Duration = Duration::from_secs(90);
/// How long a read or a re-encryption may wait for the chain's answers in all (a read: best
/// block, the record's version, the decision and its explanation; a re-encryption: the
/// window, the grant, its standing, the seen block, the parties' keys and the attestation's
/// bytes) before it is refused with `ChainUnavailable`. Each RPC call may wait up to
/// `CALL_TIMEOUT` for a node that went away to come back, and a request makes several:
/// without this bound a reader whose gateway lost its node waited 30 s and more for an
/// answer (seen in CI). Submitting a re-encryption's attestation is bounded separately
/// (`INCLUSION_TIMEOUT`): it waits for a block.
const CHAIN_DEADLINE: Duration = Duration::from_secs(15);

/// `work`, unless `deadline` passes first: then a chain error naming `what`.
async fn before<T, E: From<Error>>(
	deadline: tokio::time::Instant,
	what: &str,
	work: impl std::future::Future<Output = Result<T, E>>,
) -> Result<T, E> {
	tokio::time::timeout_at(deadline, work)
		.await
		.unwrap_or_else(|_| {
			Err(Error::Chain(format!(
				"the node did not answer within {} s ({what})",
				CHAIN_DEADLINE.as_secs()
			))
			.into())
		})
}

/// Everything the handlers share.
pub struct Gateway {
	/// The node connection.
	pub chain: Chain,
	/// The gateway's own key: it signs receipts' transactions and attestations.
	pub keypair: Keypair,
	/// The gateway's account.
	pub account: AccountId32,
	/// Its Umbral keys, for the key fragments it holds as a proxy.
	pub pre: PreKeys,
	/// The blob store.
	pub store: Store,
	/// Largest upload accepted.
	pub max_upload_bytes: u64,
	/// One submission at a time, and the nonce the gateway's next transaction takes. The
	/// node's count (`system_accountNextIndex`) includes only transactions its pool has
	/// already validated, so batches sent in quick succession (after a restart, say) would
	/// get the same nonce and replace one another ("priority too low"); the gateway counts
	/// its own, taking the node's count when it is higher, and starts again from the node's
	/// after a transaction of its own was dropped or invalid (see [`Gateway::forget_nonce`]).
	/// Held only while a transaction is handed to the node, not until it is included.
	pub submissions: Mutex<Option<u64>>,
	/// The journal and submitter of read receipts.
	pub receipts: Receipts,
	/// Reads are refused (`503 busy`) while this many served reads have their receipts in no
	/// block yet: what the chain cannot list within a request's validity window would be
	/// listed late and flagged, so the gateway does not serve more than it can have receipted
	/// in time. (Reads in a block but not yet finalised do not count: their window is met.)
	pub max_waiting_receipts: usize,
	/// Asks the chain to decide reads, many in one call under load.
	pub decider: Decider,
	/// The chain at its best block, kept current by [`follow_best`].
	pub best: std::sync::RwLock<Option<Arc<AtBest>>>,
	/// Requests already served in this run, with the last block they were valid in: an
	/// entry is dropped once its request has expired (the chain refuses replays durably, and
	/// the window check refuses expired requests), so the set is bounded by the requests
	/// served within one validity window.
	pub served: std::sync::Mutex<HashMap<[u8; 32], u32>>,
	/// Blobs stored for longer than this without a live on-chain version naming them are
	/// removed by [`sweep_unanchored`].
	pub unanchored_grace: Duration,
	/// Per-uploader quota and the store's budget.
	pub limits: Limits,
}

/// The state every handler holds.
pub type Shared = Arc<Gateway>;

/// The chain at one best block: where reads are decided. Kept by [`follow_best`] and replaced
/// at every new best block, so that a read asks the node only the questions that depend on it
/// (not the block's number, hash and runtime version again), and the current version of a
/// record is asked once per block.
pub struct AtBest {
	/// The block's number.
	pub number: u32,
	/// The client at that block.
	pub at: chain::ClientAtBlock,
	/// When it was fetched.
	fetched: std::time::Instant,
	/// Records' current versions at this block, as asked so far.
	versions: std::sync::Mutex<HashMap<u64, Arc<CurrentVersion>>>,
}

/// A record's current version at a block, or why it has none.
type CurrentVersion = Result<(u32, chain::records::Version), String>;

/// A best block older than this is fetched again rather than trusted (blocks come every 6 s;
/// [`follow_best`] normally replaces it within milliseconds of a new one).
const BEST_MAX_AGE: Duration = Duration::from_secs(12);

impl AtBest {
	/// Asks a runtime API question at this block.
	pub async fn call<P: subxt::runtime_apis::Payload>(
		&self,
		question: P,
	) -> Result<P::ReturnType, Error> {
		let name = format!("{}.{}", question.trait_name(), question.method_name());
		self.at
			.runtime_apis()
			.call(question)
			.await
			.map_err(|e| Error::Chain(format!("{name}: {e}")))
	}

	/// `record`'s current version at this block (asked once per block and record); an error
	/// only if the node did not answer.
	async fn current_version(&self, record: u64) -> Result<Arc<CurrentVersion>, Error> {
		let cached = self
			.versions
			.lock()
			.unwrap_or_else(|p| p.into_inner())
			.get(&record)
			.cloned();
		if let Some(known) = cached {
			return Ok(known);
		}
		use chain::records::RecordView;
		let answer = match self
			.call(api::runtime_apis().records_api().record(record))
			.await?
		{
			Some(RecordView::Live {
				record: live,
				versions,
			}) => versions
				.into_iter()
				.last()
				.map(|version| (live.current_version, version))
				.ok_or_else(|| format!("record {record} has no versions")),
			Some(RecordView::Erased(_)) => Err(format!("record {record} was erased")),
			Some(RecordView::__Ignore(_)) => {
				Err(format!("record {record}: an answer no runtime gives"))
			}
			None => Err(format!("no record {record} on chain")),
		};
		let answer = Arc::new(answer);
		self.versions
			.lock()
			.unwrap_or_else(|p| p.into_inner())
			.insert(record, answer.clone());
		Ok(answer)
	}
}

/// A refusal: its stable code (which fixes the HTTP status) and a message for a person.
#[derive(Debug)]
pub struct Refusal {
	code: ErrorCode,
	message: String,
}

impl Refusal {
	/// A refusal with `code` and a message for a person.
	pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
		Self {
			code,
			message: message.into(),
		}
	}
}

impl IntoResponse for Refusal {
	fn into_response(self) -> Response {
		tracing::info!(code = %self.code, message = %self.message, "refused");
		let status =
			StatusCode::from_u16(self.code.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
		(
			status,
			Json(ApiError {
				error: self.code,
				message: self.message,
			}),
		)
			.into_response()
	}
}

impl From<Error> for Refusal {
	fn from(error: Error) -> Self {
		let code = match &error {
			Error::Refused(_) => ErrorCode::NotAllowed,
			Error::Invalid(_) => ErrorCode::Invalid,
			Error::Tampered(_) => ErrorCode::Tampered,
			Error::Decrypt(_) | Error::Crypto(_) => ErrorCode::Crypto,
			Error::Chain(_) => ErrorCode::ChainUnavailable,
			Error::Keystore(_) | Error::Gateway(_) | Error::Io(_) => ErrorCode::Internal,
		};
		Self::new(code, error.to_string())
	}
}

type Answer<T> = Result<T, Refusal>;

impl Gateway {
	/// Signs a transaction with the gateway's next nonce and hands it to the node; returns
	/// its progress to follow. Submissions take their turn; inclusion is not waited for.
	pub async fn submit_watch(
		&self,
		call: &impl subxt::transactions::Payload,
	) -> Result<chain::TxProgress, Error> {
		let mut next = self.submissions.lock().await;
		let node = self.chain.next_nonce(&self.account).await?;
		let nonce = next.map_or(node, |ours| ours.max(node));
		match self
			.chain
			.sign_and_watch_with_nonce(call, &self.keypair, nonce)
			.await
		{
			Ok(progress) => {
				*next = Some(nonce.saturating_add(1));
				Ok(progress)
			}
			Err(error) => {
				*next = None;
				Err(error)
			}
		}
	}

	/// A transaction of the gateway's was dropped or found invalid: its nonce may be free
	/// again, so the next one is the node's count.
	pub async fn forget_nonce(&self) {
		*self.submissions.lock().await = None;
	}

	/// Submits a transaction signed by the gateway and waits until it is in a block and
	/// dispatched.
	async fn submit(
		&self,
		call: &impl subxt::transactions::Payload,
	) -> Result<chain::Events, Error> {
		let mut progress = self.submit_watch(call).await?;
		let (in_block, _) = Chain::wait_in_block(&mut progress, INCLUSION_TIMEOUT).await?;
		chain::dispatched(&in_block).await
	}

	/// Counts `read` (served before a restart, receipt pending) as served for the replay
	/// check.
	pub fn remember_served(&self, read: &SignedRead) {
		let message = consent::read_request_message(&read.request, &self.chain.genesis_hash().0);
		let mut served = self.served.lock().unwrap_or_else(|p| p.into_inner());
		served.insert(blake2_256(&message), read.request.valid_until);
	}

	/// The chain at its best block: the one [`follow_best`] keeps, or fetched now if there is
	/// none or it is old.
	pub async fn at_best(&self) -> Result<Arc<AtBest>, Error> {
		let kept = self.best.read().unwrap_or_else(|p| p.into_inner()).clone();
		match kept {
			Some(best) if best.fetched.elapsed() < BEST_MAX_AGE => Ok(best),
			_ => self.refresh_best().await,
		}
	}

	/// Fetches the best block and keeps it.
	async fn refresh_best(&self) -> Result<Arc<AtBest>, Error> {
		let (number, hash) = self.chain.best().await?;
		let at = self
			.chain
			.client()
			.at_block_hash_and_number(hash, number.into())
			.await
			.map_err(|e| Error::Chain(format!("state at the best block: {e}")))?;
		let best = Arc::new(AtBest {
			number,
			at,
			fetched: std::time::Instant::now(),
			versions: Default::default(),
		});
		let mut kept = self.best.write().unwrap_or_else(|p| p.into_inner());
		// Another refresh may have kept a newer block meanwhile.
		if kept.as_ref().is_none_or(|k| k.number <= number) {
			*kept = Some(best.clone());
		}
		Ok(best)
	}

	/// Checks a signed request's validity window against the best block.
	async fn check_window(&self, valid_until: u32) -> Answer<u32> {
		let best = self.at_best().await?.number;
		check_window_at(best, valid_until)?;
		Ok(best)
	}

	/// Refuses a request seen before in this run; `valid_until` is its last valid block and
	/// `best` the current one (entries of expired requests are dropped here).
	fn first_time(&self, key: [u8; 32], valid_until: u32, best: u32) -> Answer<()> {
		let mut served = self.served.lock().unwrap_or_else(|p| p.into_inner());
		served.retain(|_, until| *until >= best);
		if served.insert(key, valid_until).is_some() {
			return Err(Refusal::new(
				ErrorCode::Replayed,
				"this request was already served",
			));
		}
		Ok(())
	}

	/// The live record version that anchors `cid` at the best block, if any.
	async fn anchor_of(&self, cid: &str) -> Result<Option<(u64, u32)>, Error> {
		let bytes = medchain_client::content_id::parse(cid)
			.map_err(|e| Error::Invalid(format!("not a CID: {cid}: {e}")))?
			.to_bytes();
		self.chain
			.call(api::runtime_apis().records_api().content_anchor(bytes))
			.await
	}
}

/// Checks a signed request's validity window against best block `best`.
fn check_window_at(best: u32, valid_until: u32) -> Answer<()> {
	if valid_until < best {
		return Err(Refusal::new(
			ErrorCode::Expired,
			format!("the request was valid until block #{valid_until}; the chain is at #{best}"),
		));
	}
	if valid_until > best.saturating_add(MAX_REQUEST_AHEAD) {
		return Err(Refusal::new(
			ErrorCode::TooLong,
			format!("valid_until may lie at most {MAX_REQUEST_AHEAD} blocks ahead"),
		));
	}
	Ok(())
}

fn verify(signer: &AccountId32, message: &[u8], signature: &[u8; 64]) -> bool {
	sr25519::verify(
		&sr25519::Signature(*signature),
		message,
		&sr25519::PublicKey(signer.0),
	)
}

/// Refuses a request at once (`503 busy`) while `permits` requests are already in flight, so
/// that a flood queues neither memory nor node round trips behind it.
pub async fn limit_concurrency(
	State(permits): State<Arc<tokio::sync::Semaphore>>,
	request: axum::extract::Request,
	next: axum::middleware::Next,
) -> Response {
	match permits.try_acquire() {
		Ok(_permit) => next.run(request).await,
		Err(_) => Refusal::new(
			ErrorCode::Busy,
			"too many requests in flight; retry shortly",
		)
		.into_response(),
	}
}

/// Requests per client address: a token bucket per IP (`governor`'s keyed GCRA limiter).
pub type ClientLimiter = governor::DefaultKeyedRateLimiter<std::net::IpAddr>;

/// Refuses a request (`429 rate-limited`, with `Retry-After`) from a client address that has
/// used up its rate, before any other work: a flood from one address costs one map lookup
/// per request and leaves other clients their share.
pub async fn limit_rate(
	State(limiter): State<Arc<ClientLimiter>>,
	axum::extract::ConnectInfo(peer): axum::extract::ConnectInfo<std::net::SocketAddr>,
	request: axum::extract::Request,
	next: axum::middleware::Next,
) -> Response {
	match limiter.check_key(&peer.ip()) {
		Ok(()) => next.run(request).await,
		Err(not_until) => {
			let wait = not_until.wait_time_from(governor::clock::Clock::now(
				&governor::clock::DefaultClock::default(),
			));
			let mut response = Refusal::new(
				ErrorCode::RateLimited,
				format!(
					"too many requests from {}; retry in {} ms",
					peer.ip(),
					wait.as_millis()
				),
			)
			.into_response();
			let seconds = wait.as_secs().saturating_add(1).to_string();
			if let Ok(value) = axum::http::HeaderValue::from_str(&seconds) {
				response
					.headers_mut()
					.insert(axum::http::header::RETRY_AFTER, value);
			}
			response
		}
	}
}

/// `GET /v1/info`
pub async fn info(State(gateway): State<Shared>) -> Json<GatewayInfo> {
	Json(GatewayInfo {
		account: gateway.account.to_string(),
		public_key: gateway.pre.public().public_key,
		max_upload_bytes: gateway.max_upload_bytes,
		genesis: format!("{:?}", gateway.chain.genesis_hash()),
	})
}

/// `POST /v1/blobs`: stores an envelope under its CID for an uploader that may write for the
/// record's subject. In order: the declared length (before any body is read), the signed
/// upload request in the headers (signature, validity window), the uploader's quota and the
/// store's budget, that the chain lets the uploader write for the subject, then the body:
/// only MedChain envelopes (so plaintext is never stored by mistake), no more than declared,
/// and with the signed CID. A refused or interrupted upload leaves nothing behind.
pub async fn upload(
	State(gateway): State<Shared>,
	headers: HeaderMap,
	body: Body,
) -> Answer<(StatusCode, Json<Stored>)> {
	let too_large = || {
		Refusal::new(
			ErrorCode::TooLarge,
			format!("uploads are limited to {} bytes", gateway.max_upload_bytes),
		)
	};
	let declared = headers
		.get(header::CONTENT_LENGTH)
		.and_then(|v| v.to_str().ok())
		.and_then(|v| v.parse::<u64>().ok());
	if declared.is_some_and(|n| n > gateway.max_upload_bytes) {
		return Err(too_large());
	}
	let signed = match (
		headers.get(UPLOAD_HEADER).and_then(|v| v.to_str().ok()),
		headers
			.get(UPLOAD_SIGNATURE_HEADER)
			.and_then(|v| v.to_str().ok()),
	) {
		(Some(request), Some(signature)) => SignedUpload::from_headers(request, signature)
			.map_err(|e| Refusal::new(ErrorCode::Invalid, e.to_string()))?,
		_ => {
			return Err(Refusal::new(
				ErrorCode::UnsignedUpload,
				format!(
					"uploads carry a signed upload request ({UPLOAD_HEADER}, {UPLOAD_SIGNATURE_HEADER})"
				),
			))
		}
	};
	let request = &signed.request;
	if !verify(
		&request.uploader,
		&request.message(&gateway.chain.genesis_hash().0),
		&signed.signature,
	) {
		return Err(Refusal::new(
			ErrorCode::BadSignature,
			"not signed by the uploader",
		));
	}
	gateway.check_window(request.valid_until).await?;
	if request.size > gateway.max_upload_bytes {
		return Err(too_large());
	}
	if declared.is_some_and(|n| n != request.size) {
		return Err(Refusal::new(
			ErrorCode::Invalid,
			"the declared length is not the signed size",
		));
	}
	let uploader = request.uploader.to_string();
	gateway
		.store
		.room_for(&uploader, request.size, gateway.limits)
		.map_err(no_room)?;
	let may_write = gateway
		.chain
		.call(
			api::runtime_apis()
				.records_api()
				.may_write(request.uploader, request.subject),
		)
		.await?;
	if !may_write {
		return Err(Refusal::new(
			ErrorCode::NotAWriter,
			format!(
				"{} may not write records of {} (not the subject nor an authorised custodian)",
				request.uploader, request.subject
			),
		));
	}
	let mut upload = gateway.store.new_upload()?;
	let mut stream = body.into_data_stream();
	let mut head = Vec::with_capacity(envelope::MAGIC.len());
	while let Some(chunk) = stream.next().await {
		let chunk = chunk.map_err(|e| Refusal::new(ErrorCode::Interrupted, e.to_string()))?;
		if upload.size() + chunk.len() as u64 > request.size {
			return Err(too_large());
		}
		if head.len() < envelope::MAGIC.len() {
			let take = (envelope::MAGIC.len() - head.len()).min(chunk.len());
			head.extend_from_slice(&chunk[..take]);
			if !envelope::MAGIC.starts_with(&head) {
				return Err(Refusal::new(
					ErrorCode::NotAnEnvelope,
					"only MedChain envelopes (encrypted records) are stored",
				));
			}
		}
		upload.write(&chunk)?;
	}
	if head.len() < envelope::MAGIC.len() {
		return Err(Refusal::new(ErrorCode::NotAnEnvelope, "too short"));
	}
	let summary = match upload.finish(&gateway.store, &uploader, gateway.limits, &request.cid)? {
		Ok(summary) => summary,
		Err(Rejected::CidMismatch(cid)) => {
			return Err(Refusal::new(
				ErrorCode::CidMismatch,
				format!("the bytes received have CID {cid}, not the one signed for"),
			))
		}
		Err(Rejected::NoRoom(full)) => return Err(no_room(full)),
	};
	tracing::info!(cid = %summary.cid, size = summary.size, %uploader, "stored");
	Ok((
		StatusCode::CREATED,
		Json(Stored {
			cid: summary.cid.to_string(),
			digest: summary.digest,
			size: summary.size,
		}),
	))
}

fn no_room(full: NoRoom) -> Refusal {
	match full {
		NoRoom::Quota { used, quota } => Refusal::new(
			ErrorCode::QuotaExceeded,
			format!("this account stores {used} of its {quota} bytes here"),
		),
		NoRoom::Store { used, budget } => Refusal::new(
			ErrorCode::StoreFull,
			format!("the gateway stores {used} of its {budget} bytes"),
		),
	}
}

/// `POST /v1/reads`: serves a record's envelope to a reader the chain allows at the best block,
/// as soon as the read is in the receipts journal; its receipt is listed on chain in the next
/// batch ([`crate::receipts`]).
pub async fn read(
	State(gateway): State<Shared>,
	Json(signed): Json<SignedRead>,
) -> Answer<Response> {
	let request = &signed.request;
	if request.gateway != gateway.account {
		return Err(Refusal::new(
			ErrorCode::WrongGateway,
			"the request names another gateway",
		));
	}
	// The signature first, computed locally: a forged request costs no node round trip.
	let message = consent::read_request_message(request, &gateway.chain.genesis_hash().0);
	if !verify(&request.reader, &message, &signed.signature) {
		return Err(Refusal::new(
			ErrorCode::BadSignature,
			"not signed by the reader",
		));
	}
	let deadline = tokio::time::Instant::now() + CHAIN_DEADLINE;
	let at = before(deadline, "best block", gateway.at_best()).await?;
	let best = at.number;
	check_window_at(best, request.valid_until)?;
	let current = before(
		deadline,
		"the record's version",
		at.current_version(request.record),
	)
	.await?;
	let (_, version) = match &*current {
		Ok(current) => current.clone(),
		Err(error) => return Err(Refusal::new(ErrorCode::NotFound, error.clone())),
	};
	if version.digest != request.digest {
		return Err(Refusal::new(
			ErrorCode::StaleVersion,
			"the digest is not the record's current version",
		));
	}
	let cid = cid_text(&version.cid)?;
	if !gateway.store.has_blob(&cid) {
		return Err(Refusal::new(
			ErrorCode::NotFound,
			format!("{cid} is not stored here"),
		));
	}
	// Decided by the chain's own rule at the best block (`ConsentApi.check_reads` runs the
	// code `record_reads` runs); it decides again when the receipt is listed.
	let decision = before(
		deadline,
		"the decision",
		gateway.decider.decide(signed.clone()),
	)
	.await?;
	if let Err(error) = decision {
		let Explained {
			name: reason,
			pallet,
		} = before(
			deadline,
			"the refusal's reason",
			gateway.chain.explain(&error),
		)
		.await?;
		// A request the chain already holds a receipt for is a replay, whoever served it.
		if pallet == Some(api::Error::Consent(ConsentError::AlreadyRecorded)) {
			return Err(Refusal::new(
				ErrorCode::Replayed,
				"this request was already served (the chain holds its receipt)",
			));
		}
		return Err(Refusal::new(
			ErrorCode::NotAllowed,
			format!("the chain does not allow this read now: {reason}"),
		));
	}
	if request.valid_until < best.saturating_add(RECEIPT_MARGIN) {
		return Err(Refusal::new(
			ErrorCode::Expired,
			format!(
				"the request is valid until block #{}; a read is served only while its \
				 receipt can still be listed in time (until #{} at least)",
				request.valid_until,
				best.saturating_add(RECEIPT_MARGIN)
			),
		));
	}
	let unlisted = gateway.receipts.unlisted();
	if unlisted >= gateway.max_waiting_receipts {
		return Err(Refusal::new(
			ErrorCode::Busy,
			format!("{unlisted} served reads await their receipts in a block; retry shortly"),
		));
	}
	gateway.first_time(blake2_256(&message), request.valid_until, best)?;
	// On disk before the first byte goes out: a crash after this point cannot lose the
	// read's receipt.
	gateway
		.receipts
		.served(signed.clone())
		.await
		.map_err(|error| {
			Refusal::new(
				ErrorCode::Internal,
				format!("the read could not be journalled, so it is not served: {error}"),
			)
		})?;
	gateway.store.audit_unsynced(&json!({
		"event": "read",
		"record": request.record,
		"reader": request.reader.to_string(),
		"basis": format!("{:?}", request.basis),
		"cid": cid,
		"receipt": hex::encode(consent::receipt_key(request)),
	}))?;
	tracing::info!(record = request.record, reader = %request.reader, "serving a read");
	let file = tokio::fs::File::open(gateway.store.blob_path(&cid)?)
		.await
		.map_err(Error::from)?;
	let size = file.metadata().await.map_err(Error::from)?.len();
	Ok((
		[
			(header::CONTENT_TYPE, "application/octet-stream".to_string()),
			(header::CONTENT_LENGTH, size.to_string()),
		],
		Body::from_stream(tokio_util::io::ReaderStream::with_capacity(
			file,
			256 * 1024,
		)),
	)
		.into_response())
}

fn cid_text(bytes: &[u8]) -> Answer<String> {
	medchain_client::cid_from_bytes(bytes)
		.map_err(|e| Refusal::new(ErrorCode::Internal, format!("bad CID on chain: {e}")))
}

/// `POST /v1/kfrags`: keeps a key fragment for a grant that names this gateway, after
/// checking it against the chain's commitment and the owner's and grantee's keys.
pub async fn kfrags(
	State(gateway): State<Shared>,
	Json(delivery): Json<KfragDelivery>,
) -> Answer<StatusCode> {
	let grant = gateway
		.chain
		.call(api::runtime_apis().key_grants_api().grant(delivery.grant))
		.await?;
	let grant = grant.ok_or_else(|| Refusal::new(ErrorCode::NotFound, "no such grant"))?;
	let entry = grant
		.proxies
		.iter()
		.find(|p| p.proxy == gateway.account)
		.ok_or_else(|| {
			Refusal::new(ErrorCode::NotAProxy, "the grant does not name this gateway")
		})?;
	if entry.kfrag_commitment != H256(delivery.commitment()) {
		return Err(Refusal::new(
			ErrorCode::BadKfrag,
			"the fragment does not match the grant's commitment",
		));
	}
	let kfrag = pre::unwrap_own(&gateway.pre, &delivery.kfrag)
		.map_err(|e| Refusal::new(ErrorCode::BadKfrag, e.to_string()))?;
	let owner = gateway.chain.pre_keys_of(&grant.owner).await?;
	let grantee = gateway.chain.pre_keys_of(&grant.grantee).await?;
	pre::verify_key_fragment(
		&kfrag,
		&owner.verifying_key,
		&delivery.delegating_key,
		&grantee.public_key,
	)
	.map_err(|e| Refusal::new(ErrorCode::BadKfrag, e.to_string()))?;
	let bytes = serde_json::to_vec(&delivery).map_err(|e| Error::Invalid(e.to_string()))?;
	gateway
		.store
		.save_grant_file(delivery.grant, "json", &bytes)?;
	tracing::info!(grant = delivery.grant, "key fragment kept");
	Ok(StatusCode::NO_CONTENT)
}

/// `POST /v1/reencrypt`: re-encrypts the grant's capsule for its grantee while the chain says
/// the grant is active for this proxy and the record; the attestation goes on chain first.
pub async fn reencrypt(
	State(gateway): State<Shared>,
	Json(signed): Json<SignedReencrypt>,
) -> Answer<Json<Reencrypted>> {
	let request = &signed.request;
	let deadline = tokio::time::Instant::now() + CHAIN_DEADLINE;
	let best = before(
		deadline,
		"best block",
		gateway.check_window(request.valid_until),
	)
	.await?;
	let grant = before(
		deadline,
		"the grant",
		gateway
			.chain
			.call(api::runtime_apis().key_grants_api().grant(request.grant)),
	)
	.await?;
	let grant = grant.ok_or_else(|| Refusal::new(ErrorCode::NotFound, "no such grant"))?;
	let message = request.message(&gateway.chain.genesis_hash().0);
	if !verify(&grant.grantee, &message, &signed.signature) {
		return Err(Refusal::new(
			ErrorCode::BadSignature,
			"not signed by the grantee",
		));
	}
	let active = before(
		deadline,
		"the grant's standing",
		gateway
			.chain
			.call(api::runtime_apis().key_grants_api().grant_active_for(
				request.grant,
				gateway.account,
				request.record,
			)),
	)
	.await?;
	if !active {
		return Err(Refusal::new(
			ErrorCode::GrantNotActive,
			format!(
				"grant {} is revoked, expired or does not cover record {}",
				request.grant, request.record
			),
		));
	}
	// The block the grantee says it had seen must be one of this chain's, at or before the
	// block this proxy decides at: the attestation then proves service after it, and an honest
	// proxy never signs one that names a block after a revocation it has not seen.
	if request.seen > best {
		return Err(Refusal::new(
			ErrorCode::UnknownBlock,
			format!(
				"the request names block #{} as seen; this proxy's best block is #{best}",
				request.seen
			),
		));
	}
	let known = before(
		deadline,
		"the seen block",
		gateway.chain.block_hash(request.seen),
	)
	.await?;
	if known.map(|hash| hash.0) != Some(request.seen_hash) {
		return Err(Refusal::new(
			ErrorCode::UnknownBlock,
			format!(
				"block #{} of this chain does not have the hash the request names",
				request.seen
			),
		));
	}
	gateway.first_time(blake2_256(&message), request.valid_until, best)?;
	let delivery: KfragDelivery = match gateway.store.grant_file(request.grant, "json")? {
		Some(bytes) => {
			serde_json::from_slice(&bytes).map_err(|e| Error::Tampered(e.to_string()))?
		}
		None => {
			return Err(Refusal::new(
				ErrorCode::NoKfrag,
				"no key fragment for this grant",
			))
		}
	};
	// One attestation per grant and capsule goes on chain: the fragment is made once and saved
	// *before* its attestation is submitted, then served again (while the grant is active)
	// without a new receipt. Re-encryption is randomised, so after a crash between the two
	// steps the saved fragment is attested on retry; a new one would never match an
	// attestation that may already be on chain (`AlreadyAttested`), locking this proxy out of
	// the grant.
	let cfrag = match gateway.store.grant_file(request.grant, "cfrag")? {
		Some(cfrag) => cfrag,
		None => {
			let kfrag = pre::unwrap_own(&gateway.pre, &delivery.kfrag)?;
			let owner = before(
				deadline,
				"the owner's keys",
				gateway.chain.pre_keys_of(&grant.owner),
			)
			.await?;
			let grantee = before(
				deadline,
				"the grantee's keys",
				gateway.chain.pre_keys_of(&grant.grantee),
			)
			.await?;
			let verified = pre::verify_key_fragment(
				&kfrag,
				&owner.verifying_key,
				&delivery.delegating_key,
				&grantee.public_key,
			)?;
			let cfrag = pre::reencrypt(&delivery.grant_capsule.capsule, verified)?;
			gateway
				.store
				.save_grant_file(request.grant, "cfrag", &cfrag)?;
			cfrag
		}
	};
	// Every answer carries its own signed attestation, served at the block of this decision;
	// the first one also goes on chain.
	let attestation = Attestation {
		grant: request.grant,
		proxy: gateway.account,
		capsule_hash: H256(blake2_256(&delivery.grant_capsule.capsule)),
		cfrag_hash: H256(blake2_256(&cfrag)),
		served_at: best,
		request: RequestBinding {
			digest: H256(blake2_256(&message)),
			seen: request.seen,
			seen_hash: H256(request.seen_hash),
		},
	};
	let to_sign = before(
		deadline,
		"the attestation's bytes",
		gateway.chain.call(
			api::runtime_apis()
				.key_grants_api()
				.attestation_message(attestation.clone()),
		),
	)
	.await?;
	let attestation_signature = gateway.keypair.sign(&to_sign).0;
	let attested_in = match gateway.store.grant_file(request.grant, "attested")? {
		Some(block) => String::from_utf8_lossy(&block)
			.trim()
			.parse()
			.unwrap_or(best),
		None => {
			match gateway
				.submit(
					&api::tx()
						.key_grants()
						.submit_attestation(attestation.clone(), attestation_signature),
				)
				.await
			{
				Ok(events) => {
					let recorded =
						chain::find_event::<chain::key_grants::AttestationRecorded>(&events)?;
					tracing::info!(
						grant = request.grant,
						index = recorded.index,
						"re-encrypted and attested"
					);
				}
				// Included before a crash, marker not yet written: the chain has it.
				Err(Error::Refused(Explained {
					pallet: Some(api::Error::KeyGrants(KeyGrantsError::AlreadyAttested)),
					..
				})) => {
					tracing::info!(grant = request.grant, "attestation was already on chain");
				}
				Err(error) => return Err(error.into()),
			}
			let (block, _) = gateway.chain.best().await?;
			gateway.store.save_grant_file(
				request.grant,
				"attested",
				block.to_string().as_bytes(),
			)?;
			block
		}
	};
	gateway.store.audit(&json!({
		"event": "reencrypt",
		"grant": request.grant,
		"record": request.record,
		"grantee": grant.grantee.to_string(),
		"served_at": best,
	}))?;
	Ok(Json(Reencrypted {
		cfrag,
		grant_capsule: delivery.grant_capsule,
		delegating_key: delivery.delegating_key,
		attested_in,
		attestation,
		attestation_signature,
	}))
}

/// Keeps [`Gateway::best`] at the node's best block: refreshed at every new best block the
/// node announces. If the subscription fails, the kept block is dropped (reads fetch the best
/// block themselves) until it is subscribed again.
pub async fn follow_best(gateway: Shared) {
	loop {
		match gateway.chain.rpc().chain_subscribe_new_heads().await {
			Ok(mut heads) => {
				while let Some(head) = heads.next().await {
					if head.is_err() {
						break;
					}
					if let Err(error) = gateway.refresh_best().await {
						tracing::warn!(%error, "could not fetch the new best block");
					}
				}
				tracing::warn!("the best-block subscription ended; subscribing again");
			}
			Err(error) => tracing::warn!(%error, "cannot subscribe to best blocks"),
		}
		*gateway.best.write().unwrap_or_else(|p| p.into_inner()) = None;
		tokio::time::sleep(Duration::from_secs(1)).await;
	}
}

/// Follows finalised blocks from block `cursor` on (the last block already scanned) and
/// deletes the blobs of erased records, saving the cursor after every block so that erasures
/// finalised while the gateway was down are applied when it restarts.
pub async fn follow_erasures(gateway: Shared, mut cursor: u64) {
	loop {
		match scan_erasures(&gateway, cursor).await {
			Ok(next) => cursor = next,
			Err(error) => tracing::warn!(%error, "following erasures"),
		}
		tokio::time::sleep(Duration::from_secs(2)).await;
	}
}

async fn scan_erasures(gateway: &Gateway, cursor: u64) -> Result<u64, Error> {
	let finalized = gateway.chain.finalized_number().await?;
	let mut scanned = cursor;
	for number in cursor + 1..=finalized {
		let at = gateway.chain.at_number(number).await?;
		let events = at
			.events()
			.fetch()
			.await
			.map_err(|e| Error::Chain(format!("events of block #{number}: {e}")))?;
		for event in events.find::<RecordErased>() {
			// One event this gateway cannot decode must not stall every later erasure.
			let erased = match event {
				Ok(erased) => erased,
				Err(error) => {
					tracing::error!(block = number, %error, "skipping an undecodable RecordErased event");
					continue;
				}
			};
			for bytes in &erased.cids {
				let cid = match medchain_client::cid_from_bytes(bytes) {
					Ok(cid) => cid,
					Err(error) => {
						tracing::error!(block = number, %error, "skipping an erased CID that does not parse");
						continue;
					}
				};
				delete_unless_anchored(gateway, &cid, erased.record, number).await?;
			}
		}
		scanned = number;
		gateway.store.set_erase_cursor(scanned)?;
	}
	Ok(scanned)
}

/// Deletes blob `cid` named by the erasure of `record` in block `block`, unless a live
/// record version still anchors it (the chain refuses aliases, so this is a second line of
/// defence: a blob is deleted only when no live version names it).
async fn delete_unless_anchored(
	gateway: &Gateway,
	cid: &str,
	record: u64,
	block: u64,
) -> Result<(), Error> {
	if !gateway.store.has_blob(cid) {
		return Ok(());
	}
	if let Some((other, version)) = gateway.anchor_of(cid).await? {
		tracing::warn!(record, %cid, other, version, "kept a blob named by an erasure: a live version still anchors it");
		return Ok(());
	}
	if gateway.store.delete_blob(cid)? {
		tracing::info!(record, %cid, block, "deleted an erased record's blob");
		gateway
			.store
			.audit(&json!({ "event": "erased", "record": record, "cid": cid, "block": block }))?;
	}
	Ok(())
}

/// Every `period`, removes the key fragments of grants that ended, and stored blobs older
/// than [`Gateway::unanchored_grace`] that no live record version anchors: uploads never
/// registered, and copies re-uploaded after their record was erased.
pub async fn sweep_unanchored(gateway: Shared, period: Duration) {
	loop {
		tokio::time::sleep(period).await;
		if let Err(error) = sweep_once(&gateway).await {
			tracing::warn!(%error, "sweeping unanchored blobs");
		}
	}
}

async fn sweep_once(gateway: &Gateway) -> Result<(), Error> {
	// Key fragments of grants that ended (revoked, expired or cleared) serve nothing.
	let (best, _) = gateway.chain.best().await?;
	for id in gateway.store.grant_ids()? {
		let active = gateway
			.chain
			.call(api::runtime_apis().key_grants_api().grant_active(id))
			.await?;
		if !active {
			gateway.store.remove_grant_files(id)?;
			tracing::info!(grant = id, "removed the key fragment of an ended grant");
			gateway
				.store
				.audit(&json!({ "event": "grant-ended", "grant": id, "block": best }))?;
		}
	}
	let now = std::time::SystemTime::now();
	for (cid, modified) in gateway.store.blobs()? {
		let age = now.duration_since(modified).unwrap_or_default();
		if age < gateway.unanchored_grace || gateway.anchor_of(&cid).await?.is_some() {
			continue;
		}
		if gateway.store.delete_blob(&cid)? {
			tracing::info!(%cid, age_secs = age.as_secs(), "deleted a blob no live record anchors");
			gateway
				.store
				.audit(&json!({ "event": "unanchored", "cid": cid, "age_secs": age.as_secs() }))?;
		}
	}
	Ok(())
}

#[cfg(test)]
mod tests {
	use super::*;

	/// A request whose node stops answering is refused as chain-unavailable at its deadline,
	/// whichever handler's error type it uses (chain calls' `Error`, checks' `Refusal`).
	/// (Deadlines of 50 ms here; the handlers use `CHAIN_DEADLINE`.)
	#[tokio::test]
	async fn a_silent_node_is_given_up_at_the_deadline() {
		let deadline = tokio::time::Instant::now() + Duration::from_millis(50);
		let silent = std::future::pending::<Result<u32, Error>>();
		let given_up = before(deadline, "the grant", silent).await;
		assert!(
			matches!(given_up, Err(Error::Chain(ref message)) if message.contains("the grant")),
			"{given_up:?}"
		);
		assert!(tokio::time::Instant::now() >= deadline);

		let deadline = tokio::time::Instant::now() + Duration::from_millis(50);
		let silent = std::future::pending::<Answer<u32>>();
		let refused = before(deadline, "best block", silent).await;
		assert_eq!(
			refused.map_err(|refusal| refusal.code),
			Err(ErrorCode::ChainUnavailable)
		);

		// An answer in time passes through untouched.
		let deadline = tokio::time::Instant::now() + Duration::from_millis(50);
		let answered = before(deadline, "best block", async { Ok::<_, Error>(7) }).await;
		assert_eq!(answered.ok(), Some(7));
	}
}
