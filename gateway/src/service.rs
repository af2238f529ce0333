//! The gateway's HTTP handlers and its erasure follower.

use std::{collections::HashSet, sync::Arc, time::Duration};

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
		self,
		consent::{ReadBasis, Ticket},
		key_grants::{Attestation, Grant},
		records::RecordErased,
		Chain,
	},
	envelope, ops,
	pre::{self, PreKeys},
	protocol::{
		blake2_256, ApiError, GatewayInfo, KfragDelivery, Reencrypted, SignedRead, SignedReencrypt,
		Stored,
	},
	Error,
};
use serde_json::json;
use subxt::{
	dynamic::tx,
	utils::{AccountId32, H256},
};
use subxt_signer::sr25519::{self, Keypair};
use tokio::sync::Mutex;

use crate::store::Store;

/// How far ahead a signed request's `valid_until` may lie (the chain allows a minute).
const MAX_REQUEST_AHEAD: u32 = 10;

/// Everything the handlers share.
pub struct Gateway {
	pub chain: Chain,
	pub keypair: Keypair,
	pub account: AccountId32,
	pub pre: PreKeys,
	pub store: Store,
	pub max_upload_bytes: u64,
	/// One transaction at a time: nonces come from the node, and two concurrent submissions
	/// would get the same one.
	pub submissions: Mutex<()>,
	/// Requests already served in this run (the chain refuses replays durably).
	pub served: std::sync::Mutex<HashSet<[u8; 32]>>,
}

pub type Shared = Arc<Gateway>;

/// A refusal with its HTTP status and stable code.
#[derive(Debug)]
pub struct Refusal {
	status: StatusCode,
	code: &'static str,
	message: String,
}

impl Refusal {
	pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
		Self {
			status,
			code,
			message: message.into(),
		}
	}
}

impl IntoResponse for Refusal {
	fn into_response(self) -> Response {
		tracing::info!(code = self.code, message = %self.message, "refused");
		(
			self.status,
			Json(ApiError {
				error: self.code.into(),
				message: self.message,
			}),
		)
			.into_response()
	}
}

impl From<Error> for Refusal {
	fn from(error: Error) -> Self {
		let (status, code) = match &error {
			Error::Refused(_) => (StatusCode::FORBIDDEN, "not-allowed"),
			Error::Invalid(_) => (StatusCode::BAD_REQUEST, "invalid"),
			Error::Tampered(_) => (StatusCode::UNPROCESSABLE_ENTITY, "tampered"),
			Error::Decrypt(_) | Error::Crypto(_) => (StatusCode::UNPROCESSABLE_ENTITY, "crypto"),
			Error::Chain(_) => (StatusCode::SERVICE_UNAVAILABLE, "chain-unavailable"),
			Error::Keystore(_) | Error::Gateway(_) | Error::Io(_) => {
				(StatusCode::INTERNAL_SERVER_ERROR, "internal")
			}
		};
		Self::new(status, code, error.to_string())
	}
}

type Answer<T> = Result<T, Refusal>;

impl Gateway {
	/// Submits a transaction signed by the gateway, one at a time.
	async fn submit(
		&self,
		call: &impl subxt::transactions::Payload,
	) -> Result<chain::Events, Error> {
		let _turn = self.submissions.lock().await;
		self.chain.submit(call, &self.keypair).await
	}

	/// Checks a signed request's validity window against the best block.
	async fn check_window(&self, valid_until: u32) -> Answer<u32> {
		let (best, _) = self.chain.best().await?;
		if valid_until < best {
			return Err(Refusal::new(
				StatusCode::FORBIDDEN,
				"expired",
				format!(
					"the request was valid until block #{valid_until}; the chain is at #{best}"
				),
			));
		}
		if valid_until > best.saturating_add(MAX_REQUEST_AHEAD) {
			return Err(Refusal::new(
				StatusCode::BAD_REQUEST,
				"too-long",
				format!("valid_until may lie at most {MAX_REQUEST_AHEAD} blocks ahead"),
			));
		}
		Ok(best)
	}

	/// Refuses a request seen before in this run.
	fn first_time(&self, key: [u8; 32]) -> Answer<()> {
		let mut served = self.served.lock().unwrap_or_else(|p| p.into_inner());
		if !served.insert(key) {
			return Err(Refusal::new(
				StatusCode::CONFLICT,
				"replayed",
				"this request was already served",
			));
		}
		Ok(())
	}
}

fn verify(signer: &AccountId32, message: &[u8], signature: &[u8; 64]) -> bool {
	sr25519::verify(
		&sr25519::Signature(*signature),
		message,
		&sr25519::PublicKey(signer.0),
	)
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

/// `POST /v1/blobs`: stores an envelope under its CID. Refuses anything that is not an
/// envelope (so plaintext cannot be stored by mistake) and anything larger than the limit;
/// a refused or interrupted upload leaves nothing behind.
pub async fn upload(
	State(gateway): State<Shared>,
	headers: HeaderMap,
	body: Body,
) -> Answer<(StatusCode, Json<Stored>)> {
	let too_large = || {
		Refusal::new(
			StatusCode::PAYLOAD_TOO_LARGE,
			"too-large",
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
	let mut upload = gateway.store.new_upload()?;
	let mut stream = body.into_data_stream();
	let mut head = Vec::with_capacity(envelope::MAGIC.len());
	while let Some(chunk) = stream.next().await {
		let chunk = chunk
			.map_err(|e| Refusal::new(StatusCode::BAD_REQUEST, "interrupted", e.to_string()))?;
		if upload.size() + chunk.len() as u64 > gateway.max_upload_bytes {
			return Err(too_large());
		}
		if head.len() < envelope::MAGIC.len() {
			let take = (envelope::MAGIC.len() - head.len()).min(chunk.len());
			head.extend_from_slice(&chunk[..take]);
			if !envelope::MAGIC.starts_with(&head) {
				return Err(Refusal::new(
					StatusCode::UNPROCESSABLE_ENTITY,
					"not-an-envelope",
					"only MedChain envelopes (encrypted records) are stored",
				));
			}
		}
		upload.write(&chunk)?;
	}
	if head.len() < envelope::MAGIC.len() {
		return Err(Refusal::new(
			StatusCode::UNPROCESSABLE_ENTITY,
			"not-an-envelope",
			"too short",
		));
	}
	let summary = upload.finish(&gateway.store)?;
	tracing::info!(cid = %summary.cid, size = summary.size, "stored");
	Ok((
		StatusCode::CREATED,
		Json(Stored {
			cid: summary.cid.to_string(),
			digest: summary.digest,
			size: summary.size,
		}),
	))
}

/// `POST /v1/reads`: serves a record's envelope to a reader the chain allows now, after the
/// read's receipt is in a block.
pub async fn read(
	State(gateway): State<Shared>,
	Json(signed): Json<SignedRead>,
) -> Answer<Response> {
	let request = &signed.request;
	if request.gateway != gateway.account {
		return Err(Refusal::new(
			StatusCode::FORBIDDEN,
			"wrong-gateway",
			"the request names another gateway",
		));
	}
	let best = gateway.check_window(request.valid_until).await?;
	let message: Vec<u8> = gateway
		.chain
		.api("ConsentApi", "read_request_message", (request.clone(),))
		.await?;
	if !verify(&request.reader, &message, &signed.signature) {
		return Err(Refusal::new(
			StatusCode::FORBIDDEN,
			"bad-signature",
			"not signed by the reader",
		));
	}
	let (_, version, _) = ops::current_version(&gateway.chain, request.record)
		.await
		.map_err(|e| Refusal::new(StatusCode::NOT_FOUND, "not-found", e.to_string()))?;
	if version.digest != request.digest {
		return Err(Refusal::new(
			StatusCode::CONFLICT,
			"stale-version",
			"the digest is not the record's current version",
		));
	}
	let cid = cid_text(&version.cid)?;
	if !gateway.store.has_blob(&cid) {
		return Err(Refusal::new(
			StatusCode::NOT_FOUND,
			"not-found",
			format!("{cid} is not stored here"),
		));
	}
	// A clear answer before paying for a transaction; the chain decides again in it.
	let allowed = match request.basis {
		ReadBasis::Ticket => {
			let ticket: Option<Ticket> = gateway
				.chain
				.api(
					"ConsentApi",
					"live_ticket",
					(request.reader, request.record),
				)
				.await?;
			ticket.is_some()
		}
		ReadBasis::Grant(id) => {
			let grant: Option<Grant> = gateway.chain.api("KeyGrantsApi", "grant", (id,)).await?;
			grant.is_some_and(|g| {
				g.grantee == request.reader && g.revoked_at.is_none() && best < g.expires_at
			})
		}
	};
	if !allowed {
		return Err(Refusal::new(
			StatusCode::FORBIDDEN,
			"not-allowed",
			"the chain does not allow this read now",
		));
	}
	gateway.first_time(blake2_256(&message))?;
	let events = gateway
		.submit(&tx(
			"Consent",
			"record_read",
			(request.clone(), signed.signature),
		))
		.await?;
	let recorded = chain::find_event::<chain::consent::ReadRecorded>(&events)?;
	gateway.store.audit(&json!({
		"event": "read",
		"record": request.record,
		"reader": request.reader.to_string(),
		"basis": format!("{:?}", request.basis),
		"cid": cid,
		"receipt": format!("{:?}", recorded.receipt),
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
	medchain_client::cid_from_bytes(bytes).map_err(|e| {
		Refusal::new(
			StatusCode::INTERNAL_SERVER_ERROR,
			"internal",
			format!("bad CID on chain: {e}"),
		)
	})
}

/// `POST /v1/kfrags`: keeps a key fragment for a grant that names this gateway, after
/// checking it against the chain's commitment and the owner's and grantee's keys.
pub async fn kfrags(
	State(gateway): State<Shared>,
	Json(delivery): Json<KfragDelivery>,
) -> Answer<StatusCode> {
	let grant: Option<Grant> = gateway
		.chain
		.api("KeyGrantsApi", "grant", (delivery.grant,))
		.await?;
	let grant =
		grant.ok_or_else(|| Refusal::new(StatusCode::NOT_FOUND, "not-found", "no such grant"))?;
	let entry = grant
		.proxies
		.iter()
		.find(|p| p.proxy == gateway.account)
		.ok_or_else(|| {
			Refusal::new(
				StatusCode::FORBIDDEN,
				"not-a-proxy",
				"the grant does not name this gateway",
			)
		})?;
	if entry.kfrag_commitment != H256(delivery.commitment()) {
		return Err(Refusal::new(
			StatusCode::UNPROCESSABLE_ENTITY,
			"bad-kfrag",
			"the fragment does not match the grant's commitment",
		));
	}
	let kfrag = pre::unwrap_own(&gateway.pre, &delivery.kfrag)
		.map_err(|e| Refusal::new(StatusCode::UNPROCESSABLE_ENTITY, "bad-kfrag", e.to_string()))?;
	let owner = ops::pre_keys_of(&gateway.chain, &grant.owner).await?;
	let grantee = ops::pre_keys_of(&gateway.chain, &grant.grantee).await?;
	pre::verify_key_fragment(
		&kfrag,
		&owner.verifying_key,
		&delivery.delegating_key,
		&grantee.public_key,
	)
	.map_err(|e| Refusal::new(StatusCode::UNPROCESSABLE_ENTITY, "bad-kfrag", e.to_string()))?;
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
	let best = gateway.check_window(request.valid_until).await?;
	let grant: Option<Grant> = gateway
		.chain
		.api("KeyGrantsApi", "grant", (request.grant,))
		.await?;
	let grant =
		grant.ok_or_else(|| Refusal::new(StatusCode::NOT_FOUND, "not-found", "no such grant"))?;
	let message = request.message(&gateway.chain.genesis_hash().0);
	if !verify(&grant.grantee, &message, &signed.signature) {
		return Err(Refusal::new(
			StatusCode::FORBIDDEN,
			"bad-signature",
			"not signed by the grantee",
		));
	}
	let active: bool = gateway
		.chain
		.api(
			"KeyGrantsApi",
			"grant_active_for",
			(request.grant, gateway.account, request.record),
		)
		.await?;
	if !active {
		return Err(Refusal::new(
			StatusCode::FORBIDDEN,
			"grant-not-active",
			format!(
				"grant {} is revoked, expired or does not cover record {}",
				request.grant, request.record
			),
		));
	}
	gateway.first_time(blake2_256(&message))?;
	let delivery: KfragDelivery = match gateway.store.grant_file(request.grant, "json")? {
		Some(bytes) => {
			serde_json::from_slice(&bytes).map_err(|e| Error::Tampered(e.to_string()))?
		}
		None => {
			return Err(Refusal::new(
				StatusCode::NOT_FOUND,
				"no-kfrag",
				"no key fragment for this grant",
			))
		}
	};
	// One attestation per grant and capsule: the fragment is made and attested once, then
	// served again (while the grant is active) without a new receipt.
	let (cfrag, attested_in) = match gateway.store.grant_file(request.grant, "cfrag")? {
		Some(cfrag) => (cfrag, best),
		None => {
			let kfrag = pre::unwrap_own(&gateway.pre, &delivery.kfrag)?;
			let owner = ops::pre_keys_of(&gateway.chain, &grant.owner).await?;
			let grantee = ops::pre_keys_of(&gateway.chain, &grant.grantee).await?;
			let verified = pre::verify_key_fragment(
				&kfrag,
				&owner.verifying_key,
				&delivery.delegating_key,
				&grantee.public_key,
			)?;
			let cfrag = pre::reencrypt(&delivery.grant_capsule.capsule, verified)?;
			let attestation = Attestation {
				grant: request.grant,
				proxy: gateway.account,
				capsule_hash: H256(blake2_256(&delivery.grant_capsule.capsule)),
				cfrag_hash: H256(blake2_256(&cfrag)),
				served_at: best,
			};
			let to_sign: Vec<u8> = gateway
				.chain
				.api(
					"KeyGrantsApi",
					"attestation_message",
					(attestation.clone(),),
				)
				.await?;
			let signature = gateway.keypair.sign(&to_sign).0;
			let events = gateway
				.submit(&tx(
					"KeyGrants",
					"submit_attestation",
					(attestation, signature),
				))
				.await?;
			let recorded = chain::find_event::<chain::key_grants::AttestationRecorded>(&events)?;
			gateway
				.store
				.save_grant_file(request.grant, "cfrag", &cfrag)?;
			let (block, _) = gateway.chain.best().await?;
			tracing::info!(
				grant = request.grant,
				index = recorded.index,
				"re-encrypted and attested"
			);
			(cfrag, block)
		}
	};
	gateway.store.audit(&json!({
		"event": "reencrypt",
		"grant": request.grant,
		"record": request.record,
		"grantee": grant.grantee.to_string(),
	}))?;
	Ok(Json(Reencrypted {
		cfrag,
		grant_capsule: delivery.grant_capsule,
		delegating_key: delivery.delegating_key,
		attested_in,
	}))
}

/// Follows finalised blocks and deletes the blobs of erased records. The last block scanned
/// is saved, so erasures finalised while the gateway was down are applied when it restarts.
pub async fn follow_erasures(gateway: Shared) {
	let mut cursor = match gateway.store.erase_cursor() {
		Ok(Some(block)) => block,
		// A new gateway stores nothing older than now.
		_ => gateway.chain.finalized_number().await.unwrap_or(0),
	};
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
			let erased = event.map_err(|e| Error::Chain(format!("decoding RecordErased: {e}")))?;
			for bytes in &erased.cids {
				let cid = medchain_client::cid_from_bytes(bytes)?;
				if gateway.store.delete_blob(&cid)? {
					tracing::info!(record = erased.record, %cid, block = number, "deleted an erased record's blob");
					gateway.store.audit(
						&json!({ "event": "erased", "record": erased.record, "cid": cid, "block": number }),
					)?;
				}
			}
		}
		scanned = number;
		gateway.store.set_erase_cursor(scanned)?;
	}
	Ok(scanned)
}
