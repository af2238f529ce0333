//! Get: read a record under a consent ticket or a key grant, checked against the chain
//! before anything is decrypted.

#[cfg(feature = "native")]
use std::{
	fs::File,
	io::{BufReader, BufWriter, Write},
	path::{Path, PathBuf},
};

#[cfg(feature = "native")]
use serde::Serialize;
use subxt::utils::{AccountId32, H256};

#[cfg(feature = "native")]
use super::put::summarize_file;
use super::{random_nonce, REQUEST_VALIDITY};
use crate::{
	abe,
	chain::{
		self, account_id, api,
		consent::{Purpose, ReadBasis, ReadRequest},
		key_grants, Chain,
	},
	envelope,
	keystore::KeyMaterial,
	pre,
	protocol::{GatewayClient, Progress, ReencryptRequest, SignedRead, SignedReencrypt},
	Error,
};

/// On what to read a record.
#[derive(Debug, Clone, Copy)]
pub enum Via {
	/// The chain's consent decision for this purpose (subject, deny, allow, policy), made
	/// by the gateway at its best block and again by the chain when it lists the receipt: no
	/// transaction before the read. A live ticket (a break-glass one) is read on instead.
	Consent(Purpose),
	/// A key grant: the data key is re-encrypted by the grant's proxies.
	Grant(u64),
}

/// A record read and decrypted to a file.
#[cfg(feature = "native")]
#[derive(Debug, Clone, Serialize)]
pub struct GetOutcome {
	/// The record read.
	pub record: u64,
	/// The version read (its current one).
	pub version: u32,
	/// The envelope CID.
	pub cid: String,
	/// Bytes of plaintext written.
	pub plaintext_size: u64,
	/// How the data key was obtained (the reader's CP-ABE keys, its own PRE key, or a grant).
	pub key_from: String,
	/// Where the plaintext was written.
	pub output: PathBuf,
}

/// A record read and decrypted into memory ([`get_record_bytes`]).
#[derive(Clone)]
pub struct RecordBytes {
	/// The record read.
	pub record: u64,
	/// The version read (its current one).
	pub version: u32,
	/// The envelope CID.
	pub cid: String,
	/// How the data key was obtained (the reader's CP-ABE keys, its own PRE key, or a grant).
	pub key_from: String,
	/// The plaintext, every chunk authenticated.
	pub plaintext: Vec<u8>,
}

/// Signs a download request for `record`'s version with `digest` served by `gateway`.
pub async fn signed_read(
	chain: &Chain,
	material: &KeyMaterial,
	gateway: AccountId32,
	record: u64,
	digest: H256,
	basis: ReadBasis,
) -> Result<SignedRead, Error> {
	let keypair = material.keypair()?;
	let (best, _) = chain.best().await?;
	let request = ReadRequest {
		record,
		digest,
		reader: account_id(&keypair),
		gateway,
		basis,
		valid_until: best.saturating_add(REQUEST_VALIDITY),
		nonce: random_nonce(),
	};
	let message = chain
		.call(
			api::runtime_apis()
				.consent_api()
				.read_request_message(request.clone()),
		)
		.await?;
	Ok(SignedRead {
		request,
		signature: keypair.sign(&message).0,
	})
}

/// The current version of `record` and a signed request to read it from `gateway` on
/// `basis`.
async fn signed_read_of_current(
	chain: &Chain,
	material: &KeyMaterial,
	gateway: &GatewayClient,
	record: u64,
	basis: ReadBasis,
) -> Result<(u32, chain::records::Version, SignedRead), Error> {
	let (version_number, version, _subject) = chain.current_version(record).await?;
	let info = gateway.info().await?;
	let signed = signed_read(
		chain,
		material,
		chain::parse_account(&info.account)?,
		record,
		version.digest,
		basis,
	)
	.await?;
	Ok((version_number, version, signed))
}

/// Whether what a gateway served is `record`'s version `number` as the chain recorded it
/// (its CID and digest).
fn check_served(
	served: &crate::content_id::ContentSummary,
	version: &chain::records::Version,
	record: u64,
	number: u32,
) -> Result<(), Error> {
	if served.digest != version.digest.0 || served.cid.to_bytes() != version.cid {
		return Err(Error::Tampered(format!(
			"the gateway served {} which is not record {record}'s version {number}",
			served.cid
		)));
	}
	Ok(())
}

/// Checks that a proxy's answer carries its own valid attestation: signed by `proxy` for
/// grant `grant`, for the capsule fragment it returned and for this request (`binding`), so
/// the grantee holds evidence of when the proxy served it: not before the finalised block the
/// grantee had seen, whatever `served_at` says.
async fn check_proxy_attestation(
	chain: &Chain,
	answer: &crate::protocol::Reencrypted,
	proxy: AccountId32,
	grant: u64,
	binding: &key_grants::RequestBinding,
) -> Result<(), Error> {
	let attestation = &answer.attestation;
	if attestation.proxy != proxy
		|| attestation.grant != grant
		|| attestation.cfrag_hash.0 != crate::protocol::blake2_256(&answer.cfrag)
	{
		return Err(Error::Tampered(
			"the proxy's attestation does not describe its answer".into(),
		));
	}
	if attestation.request != *binding || attestation.served_at < binding.seen {
		return Err(Error::Tampered(
			"the proxy's attestation is not for this request (or is dated before it)".into(),
		));
	}
	let message = chain
		.call(
			api::runtime_apis()
				.key_grants_api()
				.attestation_message(attestation.clone()),
		)
		.await?;
	let valid = subxt_signer::sr25519::verify(
		&subxt_signer::sr25519::Signature(answer.attestation_signature),
		&message,
		&subxt_signer::sr25519::PublicKey(proxy.0),
	);
	if !valid {
		return Err(Error::Tampered(
			"the proxy's attestation is not signed by it".into(),
		));
	}
	Ok(())
}

/// Whether the caller holds a live ticket for `record` (one whose decision still stands).
pub async fn holds_live_ticket(
	chain: &Chain,
	material: &KeyMaterial,
	record: u64,
) -> Result<bool, Error> {
	let reader = account_id(&material.keypair()?);
	let ticket = chain
		.call(
			api::runtime_apis()
				.consent_api()
				.live_ticket(reader, record),
		)
		.await?;
	Ok(ticket.is_some())
}

/// Makes sure the caller has a live ticket for `record`, requesting one on chain if needed
/// (for clients that want the chain's `AccessGranted` event; no read needs one).
pub async fn ensure_ticket(
	chain: &Chain,
	material: &KeyMaterial,
	record: u64,
	purpose: Purpose,
) -> Result<(), Error> {
	let keypair = material.keypair()?;
	if !holds_live_ticket(chain, material, record).await? {
		chain
			.submit(
				&api::tx().consent().request_access(record, purpose),
				&keypair,
			)
			.await?;
	}
	Ok(())
}

/// A downloaded envelope whose bytes matched the chain: the temporary file holding it, its
/// header, and the version it is.
#[cfg(feature = "native")]
pub struct VerifiedEnvelope {
	/// The envelope, downloaded to a temporary file.
	pub file: tempfile::NamedTempFile,
	/// Its header.
	pub header: envelope::Header,
	/// The header as it was sealed (the associated data of every chunk).
	pub header_bytes: Vec<u8>,
	/// Byte offset of the first chunk.
	pub body_offset: u64,
	/// The version it is.
	pub version: u32,
	/// Its CID.
	pub cid: String,
}

/// Downloads the current version of `record` on `basis` into a temporary file in `dir` and
/// checks it against the CID and digest on chain before anything reads it.
#[cfg(feature = "native")]
pub async fn fetch_envelope(
	chain: &Chain,
	material: &KeyMaterial,
	gateway: &GatewayClient,
	record: u64,
	basis: ReadBasis,
	dir: &Path,
	progress: Progress,
) -> Result<VerifiedEnvelope, Error> {
	let (version_number, version, signed) =
		signed_read_of_current(chain, material, gateway, record, basis).await?;
	let file = tempfile::NamedTempFile::new_in(dir)?;
	gateway
		.read(&signed, file.path(), version.size, progress)
		.await?;
	let path = file.path().to_path_buf();
	let summary = tokio::task::spawn_blocking(move || summarize_file(&path))
		.await
		.map_err(|e| Error::Crypto(format!("hashing task: {e}")))??;
	check_served(&summary, &version, record, version_number)?;
	let mut reader = BufReader::new(File::open(file.path())?);
	let (header, header_bytes) = envelope::read_header(&mut reader)?;
	Ok(VerifiedEnvelope {
		body_offset: (envelope::MAGIC.len() + 4 + header_bytes.len()) as u64,
		file,
		header,
		header_bytes,
		version: version_number,
		cid: summary.cid.to_string(),
	})
}

/// The basis of a read of `record` via `via`, and the data key if the grant's proxies gave it:
/// the reader's live ticket if it holds one (break-glass), the chain's consent decision for
/// the purpose otherwise (no transaction); a grant's proxies are asked first, so a revoked
/// grant fails before any download. An erased or unknown record is said so plainly.
async fn read_basis(
	chain: &Chain,
	material: &KeyMaterial,
	record: u64,
	via: Via,
) -> Result<(ReadBasis, Option<[u8; 32]>), Error> {
	chain.current_version(record).await?;
	Ok(match via {
		Via::Consent(purpose) => {
			let basis = if holds_live_ticket(chain, material, record).await? {
				ReadBasis::Ticket
			} else {
				ReadBasis::Consent(purpose)
			};
			(basis, None)
		}
		Via::Grant(grant) => (
			ReadBasis::Grant(grant),
			Some(key_via_proxies(chain, material, grant, record).await?),
		),
	})
}

/// Downloads, verifies and decrypts `record` into `out`.
#[cfg(feature = "native")]
pub async fn get_record(
	chain: &Chain,
	material: &KeyMaterial,
	gateway: &GatewayClient,
	record: u64,
	via: Via,
	out: &Path,
	progress: Progress,
) -> Result<GetOutcome, Error> {
	let (basis, data_key) = read_basis(chain, material, record, via).await?;
	let dir = out
		.parent()
		.filter(|p| !p.as_os_str().is_empty())
		.unwrap_or(Path::new("."));
	let envelope = fetch_envelope(chain, material, gateway, record, basis, dir, progress).await?;
	let (data_key, key_from) = match (data_key, via) {
		(Some(key), Via::Grant(grant)) => (key, format!("grant {grant} (proxy re-encryption)")),
		_ => key_for_reader(material, &envelope.header)?,
	};
	let plaintext = tempfile::NamedTempFile::new_in(dir)?;
	let plain_path = plaintext.path().to_path_buf();
	let cipher_path = envelope.file.path().to_path_buf();
	let header = envelope.header.clone();
	let header_bytes = envelope.header_bytes.clone();
	let offset = envelope.body_offset;
	let size = tokio::task::spawn_blocking(move || -> Result<u64, Error> {
		use std::io::{Seek, SeekFrom};
		let mut file = File::open(&cipher_path)?;
		file.seek(SeekFrom::Start(offset))?;
		let mut reader = BufReader::with_capacity(1 << 20, file);
		let mut writer = BufWriter::with_capacity(1 << 20, File::create(&plain_path)?);
		let size = envelope::open(&mut reader, &header, &header_bytes, &data_key, &mut writer)?;
		writer.flush()?;
		writer.get_ref().sync_all()?;
		Ok(size)
	})
	.await
	.map_err(|e| Error::Crypto(format!("decryption task: {e}")))??;
	plaintext.persist(out).map_err(|e| Error::Io(e.error))?;
	Ok(GetOutcome {
		record,
		version: envelope.version,
		cid: envelope.cid,
		plaintext_size: size,
		key_from,
		output: out.to_path_buf(),
	})
}

/// A downloaded envelope held in memory whose bytes matched the chain.
pub struct VerifiedEnvelopeBytes {
	/// The envelope.
	pub bytes: Vec<u8>,
	/// Its header.
	pub header: envelope::Header,
	/// The header as it was sealed (the associated data of every chunk).
	pub header_bytes: Vec<u8>,
	/// Byte offset of the first chunk.
	pub body_offset: usize,
	/// The version it is.
	pub version: u32,
	/// Its CID.
	pub cid: String,
}

/// [`fetch_envelope`] into memory: downloads the current version of `record` on `basis`
/// (never more bytes than the chain recorded) and checks it against the CID and digest on
/// chain before anything reads it.
pub async fn fetch_envelope_bytes(
	chain: &Chain,
	material: &KeyMaterial,
	gateway: &GatewayClient,
	record: u64,
	basis: ReadBasis,
	progress: Progress,
) -> Result<VerifiedEnvelopeBytes, Error> {
	let (version_number, version, signed) =
		signed_read_of_current(chain, material, gateway, record, basis).await?;
	let bytes = gateway.read_bytes(&signed, version.size, progress).await?;
	let mut hasher = crate::content_id::ContentHasher::new();
	hasher.update(&bytes);
	let summary = hasher.finish();
	check_served(&summary, &version, record, version_number)?;
	let (header, header_bytes) = envelope::read_header(&mut bytes.as_slice())?;
	Ok(VerifiedEnvelopeBytes {
		body_offset: envelope::MAGIC.len() + 4 + header_bytes.len(),
		bytes,
		header,
		header_bytes,
		version: version_number,
		cid: summary.cid.to_string(),
	})
}

/// [`get_record`] into memory: downloads the current version of `record` (never more bytes
/// than the chain recorded), checks it against the CID and digest on chain, and only then
/// decrypts it, every chunk authenticated. What a browser runs.
pub async fn get_record_bytes(
	chain: &Chain,
	material: &KeyMaterial,
	gateway: &GatewayClient,
	record: u64,
	via: Via,
	progress: Progress,
) -> Result<RecordBytes, Error> {
	let (basis, data_key) = read_basis(chain, material, record, via).await?;
	let envelope = fetch_envelope_bytes(chain, material, gateway, record, basis, progress).await?;
	let (data_key, key_from) = match (data_key, via) {
		(Some(key), Via::Grant(grant)) => (key, format!("grant {grant} (proxy re-encryption)")),
		_ => key_for_reader(material, &envelope.header)?,
	};
	let body = envelope
		.bytes
		.get(envelope.body_offset..)
		.unwrap_or_default();
	// The header's size is the writer's word: never reserve more than was downloaded.
	let capacity = envelope.header.plaintext_size.min(body.len() as u64);
	let mut plaintext = Vec::with_capacity(usize::try_from(capacity).unwrap_or(0));
	envelope::open(
		&mut &*body,
		&envelope.header,
		&envelope.header_bytes,
		&data_key,
		&mut plaintext,
	)?;
	Ok(RecordBytes {
		record,
		version: envelope.version,
		cid: envelope.cid,
		key_from,
		plaintext,
	})
}

/// The data key from the reader's own keys: a CP-ABE key from the authority named in the
/// header, or (for the subject) their own Umbral key.
fn key_for_reader(
	material: &KeyMaterial,
	header: &envelope::Header,
) -> Result<([u8; 32], String), Error> {
	let mut reasons = Vec::new();
	if let Some(wrap) = &header.pre {
		let keys = material.pre_keys()?;
		if keys.public().public_key == wrap.owner_public_key {
			let bytes = pre::unwrap_own(&keys, &wrap.wrapped)?;
			return Ok((data_key(&bytes)?, "own PRE key".into()));
		}
		reasons.push(
			"the PRE wrap is for the record's owner (readers under a grant use --grant)"
				.to_string(),
		);
	}
	if let Some(wrap) = &header.abe {
		let keys: Vec<&abe::UserKey> = wrap
			.authorities
			.iter()
			.filter_map(|authority| material.abe_keys.get(authority))
			.collect();
		if keys.is_empty() {
			reasons.push(format!(
				"no CP-ABE key from the record's authorities {:?}",
				wrap.authorities
			));
		} else {
			match abe::unwrap(&keys, &wrap.wrapped) {
				Ok(bytes) => {
					return Ok((
						data_key(&bytes)?,
						format!("CP-ABE keys from {:?}", wrap.authorities),
					))
				}
				Err(e) => reasons.push(e.to_string()),
			}
		}
	}
	Err(Error::Decrypt(reasons.join("; ")))
}

fn data_key(bytes: &[u8]) -> Result<[u8; 32], Error> {
	bytes
		.try_into()
		.map_err(|_| Error::Tampered("the wrapped data key is not 32 bytes".into()))
}

/// Collects `threshold` verified capsule fragments from the grant's proxies and opens the
/// data key with them.
async fn key_via_proxies(
	chain: &Chain,
	material: &KeyMaterial,
	grant_id: u64,
	record: u64,
) -> Result<[u8; 32], Error> {
	let grant = chain
		.call(api::runtime_apis().key_grants_api().grant(grant_id))
		.await?;
	let grant = grant.ok_or_else(|| Error::Invalid(format!("no grant {grant_id}")))?;
	let owner = chain.pre_keys_of(&grant.owner).await?;
	let keypair = material.keypair()?;
	let my_keys = material.pre_keys()?;
	let my_public = my_keys.public().public_key;
	let genesis = chain.genesis_hash().0;
	let mut cfrags = Vec::new();
	let mut capsule: Option<(pre::Wrapped, [u8; 33])> = None;
	let mut failures = Vec::new();
	for entry in &grant.proxies {
		if cfrags.len() >= usize::from(grant.threshold) {
			break;
		}
		let proxy = chain
			.call(api::runtime_apis().key_grants_api().proxy(entry.proxy))
			.await?;
		let Some(proxy) = proxy else {
			failures.push(format!("{}: not a proxy", entry.proxy));
			continue;
		};
		let endpoint = String::from_utf8_lossy(&proxy.endpoint).into_owned();
		let (best, _) = chain.best().await?;
		let (seen, seen_hash) = chain.finalized().await?;
		let request = ReencryptRequest {
			grant: grant_id,
			record,
			valid_until: best.saturating_add(REQUEST_VALIDITY),
			nonce: random_nonce(),
			seen,
			seen_hash: seen_hash.0,
		};
		let message = request.message(&genesis);
		let binding = key_grants::RequestBinding {
			digest: H256(crate::protocol::blake2_256(&message)),
			seen,
			seen_hash: H256(seen_hash.0),
		};
		let signed = SignedReencrypt {
			signature: keypair.sign(&message).0,
			request,
		};
		let answer = async {
			let answer = GatewayClient::new(&endpoint)?.reencrypt(&signed).await?;
			check_proxy_attestation(chain, &answer, entry.proxy, grant_id, &binding).await?;
			Ok(answer)
		}
		.await;
		let checked = answer.and_then(|a| {
			if let Some((known, key)) = &capsule {
				if *known != a.grant_capsule || *key != a.delegating_key {
					return Err(Error::Tampered(
						"proxies disagree on the grant's capsule".into(),
					));
				}
			}
			let cfrag = pre::verify_capsule_fragment(
				&a.cfrag,
				&a.grant_capsule.capsule,
				&owner.verifying_key,
				&a.delegating_key,
				&my_public,
			)?;
			Ok((cfrag, a.grant_capsule, a.delegating_key))
		});
		match checked {
			Ok((cfrag, wrapped, key)) => {
				cfrags.push(cfrag);
				capsule.get_or_insert((wrapped, key));
			}
			Err(e) => failures.push(format!("{endpoint}: {e}")),
		}
	}
	match capsule {
		Some((wrapped, delegating)) if cfrags.len() >= usize::from(grant.threshold) => data_key(
			&pre::unwrap_delegated(&my_keys, &delegating, &wrapped, cfrags)?,
		),
		_ => Err(Error::Decrypt(format!(
			"{} of the {} capsule fragments needed: {}",
			cfrags.len(),
			grant.threshold,
			failures.join("; ")
		))),
	}
}
