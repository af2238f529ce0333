//! The SDK's flows: what the `medchain` CLI runs, usable from any Rust program.
//!
//! Every flow checks what it can before it changes anything: a record is uploaded only after
//! it was sealed, registered only after the gateway's CID matched ours, and decrypted only
//! after the downloaded bytes matched the CID and digest on chain. Plaintext is written to a
//! temporary file next to the destination and renamed into place only when every chunk
//! authenticated, so a failure never leaves a partial or unauthenticated file behind.

use std::{
	fs::File,
	io::{BufReader, BufWriter, Read, Write},
	path::{Path, PathBuf},
};

use rand::RngCore;
use serde::Serialize;
use subxt::{
	dynamic::tx,
	utils::{AccountId32, H256},
};

use crate::{
	abe,
	chain::{
		self, account_id,
		consent::{self, HeldAttribute, Policy, Purpose, ReadBasis, ReadReceipt, ReadRequest},
		key_grants::{self, Grant, GrantProxy, GrantScope, PreKeys},
		records::{self, ContentInput, CustodianScope, RecordInput, RecordView, Scheme},
		Chain,
	},
	content_id::{ContentHasher, ContentSummary},
	envelope::{self, Recipients},
	keystore::KeyMaterial,
	pre,
	protocol::{
		no_progress, GatewayClient, KfragDelivery, Progress, ReencryptRequest, SignedRead,
		SignedReencrypt,
	},
	Error,
};

/// How many blocks a signed request to a gateway stays valid.
pub const REQUEST_VALIDITY: u32 = 8;

// ---------------------------------------------------------------------------------------------
// Keys and roles
// ---------------------------------------------------------------------------------------------

/// Registers the account's Umbral keys on chain (needed to own records with PRE, to be a
/// grantee, to receive CP-ABE keys).
pub async fn register_pre_keys(chain: &Chain, material: &KeyMaterial) -> Result<(), Error> {
	let keys = material.pre_keys()?.public();
	chain
		.submit(
			&tx(
				"KeyGrants",
				"register_pre_keys",
				(keys.public_key, keys.verifying_key),
			),
			&material.keypair()?,
		)
		.await
		.map(drop)
}

/// Registers the account as a re-encryption proxy reachable at `endpoint` (its gateway),
/// bonding [`KeyGrants` ProxyBond]; governance must then admit it.
pub async fn register_proxy(
	chain: &Chain,
	material: &KeyMaterial,
	endpoint: &str,
) -> Result<(), Error> {
	let keys = material.pre_keys()?.public();
	chain
		.submit(
			&tx(
				"KeyGrants",
				"register_proxy",
				(keys.public_key, endpoint.as_bytes().to_vec()),
			),
			&material.keypair()?,
		)
		.await
		.map(drop)
}

/// The registered Umbral keys of `who`.
pub async fn pre_keys_of(chain: &Chain, who: &AccountId32) -> Result<pre::PrePublicKeys, Error> {
	let keys: Option<PreKeys> = chain.api("KeyGrantsApi", "pre_keys", (*who,)).await?;
	let keys = keys.ok_or_else(|| {
		Error::Invalid(format!(
			"{who} has registered no PRE keys (medchain keys register)"
		))
	})?;
	Ok(pre::PrePublicKeys {
		public_key: keys.public_key,
		verifying_key: keys.verifying_key,
	})
}

/// Stores a consent policy; returns its id.
pub async fn create_policy(
	chain: &Chain,
	material: &KeyMaterial,
	text: &str,
) -> Result<u32, Error> {
	let events = chain
		.submit(
			&tx("Consent", "create_policy", (text.as_bytes().to_vec(),)),
			&material.keypair()?,
		)
		.await?;
	Ok(chain::find_event::<consent::PolicyCreated>(&events)?.policy)
}

/// A patient authorises `custodian` to write records of `kinds` (all kinds if empty).
pub async fn authorize_custodian(
	chain: &Chain,
	material: &KeyMaterial,
	custodian: &AccountId32,
	kinds: &[String],
) -> Result<(), Error> {
	let scope = if kinds.is_empty() {
		CustodianScope::AllKinds
	} else {
		CustodianScope::Kinds(kinds.iter().map(|k| k.as_bytes().to_vec()).collect())
	};
	chain
		.submit(
			&tx(
				"Records",
				"authorize_custodian",
				(*custodian, scope, None::<u32>),
			),
			&material.keypair()?,
		)
		.await
		.map(drop)
}

/// An authority issues `attribute` to `holder` on chain.
pub async fn issue_attribute(
	chain: &Chain,
	material: &KeyMaterial,
	holder: &AccountId32,
	attribute: &str,
	expires_at: Option<u32>,
) -> Result<(), Error> {
	chain
		.submit(
			&tx(
				"Consent",
				"issue_attribute",
				(*holder, attribute.as_bytes().to_vec(), expires_at),
			),
			&material.keypair()?,
		)
		.await
		.map(drop)
}

/// A CP-ABE user key as handed to its holder: encrypted to the holder's Umbral key, with the
/// authority's public key (which the holder checks against the chain).
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct IssuedKey {
	pub authority: String,
	pub holder: String,
	pub attributes: Vec<String>,
	pub public: abe::AuthorityPublic,
	pub key: pre::Wrapped,
}

/// Every accredited authority with its scopes, status and key commitment, at the best block.
pub async fn authorities(chain: &Chain) -> Result<Vec<consent::AuthorityEntry>, Error> {
	chain.api("ConsentApi", "authorities", ()).await
}

/// `authority`'s entry in `listed`, or why it cannot be used for CP-ABE.
fn committed<'a>(
	listed: &'a [consent::AuthorityEntry],
	authority: &str,
) -> Result<(&'a consent::AuthorityEntry, &'a consent::AbeKeyCommitment), Error> {
	let account = chain::parse_account(authority)?;
	let entry = listed
		.iter()
		.find(|(who, ..)| *who == account)
		.ok_or_else(|| {
			Error::Invalid(format!(
				"{authority} is not an accredited authority on chain"
			))
		})?;
	let commitment = entry.3.as_ref().ok_or_else(|| {
		Error::Invalid(format!(
			"{authority} has published no CP-ABE key on chain (medchain authority publish)"
		))
	})?;
	Ok((entry, commitment))
}

/// Checks `public` against its authority's commitment on chain.
fn check_commitment(
	listed: &[consent::AuthorityEntry],
	public: &abe::AuthorityPublic,
) -> Result<u32, Error> {
	let (_, commitment) = committed(listed, &public.authority)?;
	let hash = public.commitment()?;
	if commitment.hash.0 != hash {
		return Err(Error::Tampered(format!(
			"this CP-ABE key of {} (hash 0x{}) is not the one it published on chain (version {}, \
			 hash 0x{}): refusing it",
			public.authority,
			hex::encode(hash),
			commitment.version,
			hex::encode(commitment.hash.0)
		)));
	}
	Ok(commitment.version)
}

/// Publishes the commitment to this authority's CP-ABE public key (first publication or
/// rotation). Returns the version on chain.
pub async fn publish_abe_key(chain: &Chain, material: &KeyMaterial) -> Result<u32, Error> {
	let authority = material.authority.as_ref().ok_or_else(|| {
		Error::Invalid("this keystore holds no authority keys (medchain authority init)".into())
	})?;
	let hash = authority.public.commitment()?;
	chain
		.submit(
			&tx("Consent", "publish_abe_key", (H256(hash),)),
			&material.keypair()?,
		)
		.await?;
	let listed = authorities(chain).await?;
	check_commitment(&listed, &authority.public)
}

/// What trusting an authority's key did.
#[derive(Debug, Clone, Serialize)]
pub struct Trusted {
	pub authority: String,
	/// The key's version on chain.
	pub version: u32,
	/// Whether it replaced a different copy held before (an older version).
	pub replaced: bool,
}

/// Trusts `public` for encrypting, after checking it is the key its authority committed to
/// on chain. A different copy held before is replaced only because the chain says this one
/// is current, and the outcome says so.
pub fn trust_checked(
	listed: &[consent::AuthorityEntry],
	material: &mut KeyMaterial,
	public: &abe::AuthorityPublic,
) -> Result<Trusted, Error> {
	let version = check_commitment(listed, public)?;
	let previous = material
		.trusted_authorities
		.insert(public.authority.clone(), public.clone());
	Ok(Trusted {
		authority: public.authority.clone(),
		version,
		replaced: previous.is_some_and(|old| old != *public),
	})
}

/// The authority side of CP-ABE: a user key over exactly the attributes this authority
/// issued to `holder` that are valid on chain now, encrypted to the holder's Umbral key.
/// The authority's key must be the one it published on chain.
pub async fn issue_abe_key(
	chain: &Chain,
	material: &KeyMaterial,
	holder: &AccountId32,
) -> Result<IssuedKey, Error> {
	let authority = material.authority.as_ref().ok_or_else(|| {
		Error::Invalid("this keystore holds no authority keys (medchain authority init)".into())
	})?;
	let me = account_id(&material.keypair()?);
	check_commitment(&authorities(chain).await?, &authority.public).map_err(|e| {
		Error::Invalid(format!(
			"{e}; publish the current key first (medchain authority publish)"
		))
	})?;
	let valid: Vec<Vec<u8>> = chain
		.api("ConsentApi", "valid_attributes", (*holder,))
		.await?;
	let held: Vec<HeldAttribute> = chain
		.storage("Consent", "Attributes", (holder.0,))
		.await?
		.unwrap_or_default();
	let attributes: Vec<String> = held
		.into_iter()
		.filter(|a| a.issuer == me && valid.contains(&a.name))
		.map(|a| String::from_utf8_lossy(&a.name).into_owned())
		.collect();
	if attributes.is_empty() {
		return Err(Error::Invalid(format!(
			"{holder} holds no valid attribute issued by {me}"
		)));
	}
	let user_key = authority.user_key(&holder.to_string(), &attributes)?;
	let holder_keys = pre_keys_of(chain, holder).await?;
	let plain = zeroize::Zeroizing::new(
		serde_json::to_vec(&user_key).map_err(|e| Error::Crypto(e.to_string()))?,
	);
	Ok(IssuedKey {
		authority: me.to_string(),
		holder: holder.to_string(),
		attributes,
		public: authority.public.clone(),
		key: pre::wrap(&holder_keys.public_key, &plain)?,
	})
}

/// What importing a key did.
#[derive(Debug, Clone, Serialize)]
pub struct Imported {
	pub authority: String,
	pub attributes: Vec<String>,
	/// Whether it replaced a key from the same authority.
	pub replaced: bool,
	/// The authority's key version on chain.
	pub version: u32,
}

/// The holder side: opens an issued key, checks it is bound to this account and issued under
/// the key its authority committed to on chain, and keeps it (trusting that public key).
pub fn import_abe_key(
	listed: &[consent::AuthorityEntry],
	material: &mut KeyMaterial,
	issued: &IssuedKey,
) -> Result<Imported, Error> {
	if issued.public.authority != issued.authority {
		return Err(Error::Tampered(
			"the issued key names another authority than its public key".into(),
		));
	}
	let version = check_commitment(listed, &issued.public)?;
	let plain = zeroize::Zeroizing::new(pre::unwrap_own(&material.pre_keys()?, &issued.key)?);
	let key: abe::UserKey =
		serde_json::from_slice(&plain).map_err(|e| Error::Invalid(format!("issued key: {e}")))?;
	let me = account_id(&material.keypair()?).to_string();
	if key.gid != me {
		return Err(Error::Invalid(format!(
			"this CP-ABE key is bound to {}, not to this account {me}",
			key.gid
		)));
	}
	let tag = abe::tag_of(&issued.authority)?.to_uppercase();
	let mut attributes = Vec::new();
	for (name, _) in &key.attr {
		match abe::unqualified(name) {
			Some((attribute, by)) if by == tag => attributes.push(attribute),
			_ => {
				return Err(Error::Tampered(format!(
					"the key holds `{name}`, which is not an attribute of {}",
					issued.authority
				)))
			}
		}
	}
	let replaced = material
		.abe_keys
		.insert(issued.authority.clone(), key)
		.is_some();
	material
		.trusted_authorities
		.insert(issued.authority.clone(), issued.public.clone());
	Ok(Imported {
		authority: issued.authority.clone(),
		attributes,
		replaced,
		version,
	})
}

/// For each attribute of the canonical policy text, the public keys to encrypt it for: every
/// active authority whose on-chain scopes cover it (the chain lets in holders from any of
/// them). Each must have published a key, the keystore must trust exactly that key, and the
/// key must have an entry for the attribute; otherwise nothing is encrypted.
pub fn abe_routes(
	listed: &[consent::AuthorityEntry],
	material: &KeyMaterial,
	canonical: &str,
) -> Result<abe::Routes, Error> {
	let tree = pallet_consent::policy::parse_canonical(canonical.as_bytes())
		.map_err(|e| Error::Invalid(format!("not a canonical policy text ({e:?})")))?;
	let mut attributes = std::collections::BTreeSet::new();
	collect_attributes(&tree, &mut attributes);
	let mut routes = abe::Routes::default();
	for attribute in attributes {
		let covering: Vec<_> = listed
			.iter()
			.filter(|(_, scopes, ..)| {
				scopes
					.iter()
					.any(|pattern| pallet_consent::pattern_covers(pattern, attribute.as_bytes()))
			})
			.collect();
		let active: Vec<_> = covering
			.iter()
			.filter(|(_, _, status, _)| *status == consent::AuthorityStatus::Active)
			.collect();
		if active.is_empty() {
			return Err(Error::Invalid(if covering.is_empty() {
				format!(
					"no accredited authority covers `{attribute}`: nobody could read this record \
					 under its policy"
				)
			} else {
				format!(
					"every authority covering `{attribute}` is suspended: refusing to encrypt \
					 under a suspended authority"
				)
			}));
		}
		for (account, ..) in active {
			let authority = account.to_string();
			let public = material
				.trusted_authorities
				.get(&authority)
				.ok_or_else(|| {
					Error::Invalid(format!(
						"authority {authority} covers `{attribute}` but its CP-ABE key is not \
					 trusted by this keystore (medchain trust <its parameters file>)"
					))
				})?;
			check_commitment(listed, public).map_err(|e| {
				Error::Invalid(format!(
					"{e}; trust {authority}'s current parameters before writing"
				))
			})?;
			routes.add(&attribute, public)?;
		}
	}
	Ok(routes)
}

fn collect_attributes(
	expr: &pallet_consent::policy::Expr,
	out: &mut std::collections::BTreeSet<String>,
) {
	match expr {
		pallet_consent::policy::Expr::Attribute(name) => {
			out.insert(String::from_utf8_lossy(name).into_owned());
		}
		pallet_consent::policy::Expr::Gate { children, .. } => children
			.iter()
			.for_each(|child| collect_attributes(child, out)),
	}
}

// ---------------------------------------------------------------------------------------------
// Put
// ---------------------------------------------------------------------------------------------

/// What to put.
pub struct PutRequest<'a> {
	pub input: &'a Path,
	pub subject: AccountId32,
	pub kind: &'a str,
	/// Consent policy guarding the record (CP-ABE wrap under its text).
	pub policy: Option<u32>,
}

/// A stored and registered record.
#[derive(Debug, Clone, Serialize)]
pub struct PutOutcome {
	pub record: u64,
	pub cid: String,
	pub digest: String,
	pub plaintext_size: u64,
	pub ciphertext_size: u64,
	pub scheme: String,
}

/// Feeds everything written to a [`ContentHasher`].
struct HashingWriter<W> {
	inner: W,
	hasher: ContentHasher,
}

impl<W: Write> Write for HashingWriter<W> {
	fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
		let n = self.inner.write(buf)?;
		self.hasher.update(buf.get(..n).unwrap_or_default());
		Ok(n)
	}

	fn flush(&mut self) -> std::io::Result<()> {
		self.inner.flush()
	}
}

/// The summary of a file's bytes, read in chunks.
pub fn summarize_file(path: &Path) -> Result<ContentSummary, Error> {
	let mut reader = BufReader::with_capacity(1 << 20, File::open(path)?);
	let mut hasher = ContentHasher::new();
	let mut buffer = vec![0u8; 1 << 20];
	loop {
		let n = reader.read(&mut buffer)?;
		if n == 0 {
			break;
		}
		hasher.update(buffer.get(..n).unwrap_or_default());
	}
	Ok(hasher.finish())
}

/// Encrypts `request.input`, uploads it through `gateway` and registers it on chain for
/// `request.subject` (the writer must be the subject or an authorised custodian).
pub async fn put_record(
	chain: &Chain,
	material: &KeyMaterial,
	gateway: &GatewayClient,
	request: PutRequest<'_>,
	progress: Progress,
) -> Result<PutOutcome, Error> {
	let policy_text = match request.policy {
		Some(id) => {
			let policy: Option<Policy> = chain.api("ConsentApi", "policy", (id,)).await?;
			let policy =
				policy.ok_or_else(|| Error::Invalid(format!("no policy {id} on chain")))?;
			Some(
				String::from_utf8(policy.canonical)
					.map_err(|_| Error::Invalid("policy text is not UTF-8".into()))?,
			)
		}
		None => None,
	};
	let routes = match &policy_text {
		Some(text) => Some(abe_routes(&authorities(chain).await?, material, text)?),
		None => None,
	};
	let owner: Option<PreKeys> = chain
		.api("KeyGrantsApi", "pre_keys", (request.subject,))
		.await?;
	let scheme = match (&policy_text, &owner) {
		(Some(_), Some(_)) => Scheme::AeadCpAbeAndPre,
		(Some(_), None) => Scheme::AeadCpAbe,
		(None, Some(_)) => Scheme::AeadPre,
		(None, None) => {
			return Err(Error::Invalid(
				"the record needs a policy, or the subject needs registered PRE keys".into(),
			))
		}
	};

	// Seal to a temporary file, computing the CID and digest on the way.
	let sealed = tempfile::NamedTempFile::new()?;
	let sealed_path = sealed.path().to_path_buf();
	let input = request.input.to_path_buf();
	let subject = request.subject.to_string();
	let kind = request.kind.to_string();
	let abe_args = match (routes, &policy_text) {
		(Some(routes), Some(text)) => Some((text.clone(), routes)),
		_ => None,
	};
	let pre_owner = owner.as_ref().map(|k| k.public_key);
	let (header, summary) = tokio::task::spawn_blocking(move || -> Result<_, Error> {
		let file = File::open(&input)?;
		let size = file.metadata()?.len();
		let mut reader = BufReader::with_capacity(1 << 20, file);
		let mut writer = HashingWriter {
			inner: BufWriter::with_capacity(1 << 20, File::create(&sealed_path)?),
			hasher: ContentHasher::new(),
		};
		let recipients = Recipients {
			abe: abe_args
				.as_ref()
				.map(|(text, routes)| (text.as_str(), routes)),
			pre_owner,
		};
		let key = envelope::fresh_data_key();
		let header = envelope::seal(
			&mut reader,
			size,
			&mut writer,
			&subject,
			&kind,
			&recipients,
			&key,
		)?;
		writer.flush()?;
		Ok((header, writer.hasher.finish()))
	})
	.await
	.map_err(|e| Error::Crypto(format!("sealing task: {e}")))??;

	let signed = signed_upload(
		chain,
		material,
		request.subject,
		summary.cid.to_bytes(),
		summary.size,
	)
	.await?;
	let stored = gateway.upload(sealed.path(), &signed, progress).await?;
	if stored.cid != summary.cid.to_string() || stored.digest != summary.digest {
		return Err(Error::Tampered(format!(
			"the gateway stored {} but we sealed {}",
			stored.cid, summary.cid
		)));
	}
	let input = RecordInput {
		content: ContentInput {
			cid: summary.cid.to_bytes(),
			digest: H256(summary.digest),
			size: summary.size,
			scheme,
		},
		kind: request.kind.as_bytes().to_vec(),
		policy: request.policy,
	};
	let events = chain
		.submit(
			&tx("Records", "register_record", (request.subject, input)),
			&material.keypair()?,
		)
		.await?;
	let registered = chain::find_event::<records::RecordRegistered>(&events)?;
	Ok(PutOutcome {
		record: registered.record,
		cid: stored.cid,
		digest: hex::encode(summary.digest),
		plaintext_size: header.plaintext_size,
		ciphertext_size: summary.size,
		scheme: format!("{scheme:?}"),
	})
}

// ---------------------------------------------------------------------------------------------
// Get
// ---------------------------------------------------------------------------------------------

/// On what to read a record.
#[derive(Debug, Clone, Copy)]
pub enum Via {
	/// A consent ticket (requested on chain first if there is no live one).
	Ticket(Purpose),
	/// A key grant: the data key is re-encrypted by the grant's proxies.
	Grant(u64),
}

/// A record read and decrypted.
#[derive(Debug, Clone, Serialize)]
pub struct GetOutcome {
	pub record: u64,
	pub version: u32,
	pub cid: String,
	pub plaintext_size: u64,
	pub key_from: String,
	pub output: PathBuf,
}

/// The current version of live record `record`: (version number, CID, digest, subject).
pub async fn current_version(
	chain: &Chain,
	record: u64,
) -> Result<(u32, records::Version, AccountId32), Error> {
	let view: Option<RecordView> = chain.api("RecordsApi", "record", (record,)).await?;
	match view {
		Some(RecordView::Live {
			record: live,
			versions,
		}) => {
			let version = versions
				.into_iter()
				.last()
				.ok_or_else(|| Error::Chain(format!("record {record} has no versions")))?;
			Ok((live.current_version, version, live.subject))
		}
		Some(RecordView::Erased(_)) => Err(Error::Invalid(format!("record {record} was erased"))),
		None => Err(Error::Invalid(format!("no record {record} on chain"))),
	}
}

fn random_nonce() -> u64 {
	rand::rngs::OsRng.next_u64()
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
	let message: Vec<u8> = chain
		.api("ConsentApi", "read_request_message", (request.clone(),))
		.await?;
	Ok(SignedRead {
		request,
		signature: keypair.sign(&message).0,
	})
}

/// The caller's signed request to upload `size` bytes with binary CID `cid` for `subject`.
pub async fn signed_upload(
	chain: &Chain,
	material: &KeyMaterial,
	subject: AccountId32,
	cid: Vec<u8>,
	size: u64,
) -> Result<crate::protocol::SignedUpload, Error> {
	let keypair = material.keypair()?;
	let (best, _) = chain.best().await?;
	let request = crate::protocol::UploadRequest {
		uploader: account_id(&keypair),
		subject,
		cid,
		size,
		valid_until: best.saturating_add(REQUEST_VALIDITY),
	};
	Ok(crate::protocol::SignedUpload {
		signature: keypair.sign(&request.message(&chain.genesis_hash().0)).0,
		request,
	})
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
	let message: Vec<u8> = chain
		.api(
			"KeyGrantsApi",
			"attestation_message",
			(attestation.clone(),),
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

/// Makes sure the caller has a live ticket for `record`, requesting one on chain if needed.
pub async fn ensure_ticket(
	chain: &Chain,
	material: &KeyMaterial,
	record: u64,
	purpose: Purpose,
) -> Result<(), Error> {
	let keypair = material.keypair()?;
	let ticket: Option<consent::Ticket> = chain
		.api("ConsentApi", "live_ticket", (account_id(&keypair), record))
		.await?;
	if ticket.is_none() {
		chain
			.submit(
				&tx("Consent", "request_access", (record, purpose)),
				&keypair,
			)
			.await?;
	}
	Ok(())
}

/// A downloaded envelope whose bytes matched the chain: the temporary file holding it, its
/// header, and the version it is.
pub struct VerifiedEnvelope {
	pub file: tempfile::NamedTempFile,
	pub header: envelope::Header,
	pub header_bytes: Vec<u8>,
	/// Byte offset of the first chunk.
	pub body_offset: u64,
	pub version: u32,
	pub cid: String,
}

/// Downloads the current version of `record` on `basis` into a temporary file in `dir` and
/// checks it against the CID and digest on chain before anything reads it.
pub async fn fetch_envelope(
	chain: &Chain,
	material: &KeyMaterial,
	gateway: &GatewayClient,
	record: u64,
	basis: ReadBasis,
	dir: &Path,
	progress: Progress,
) -> Result<VerifiedEnvelope, Error> {
	let (version_number, version, _subject) = current_version(chain, record).await?;
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
	let file = tempfile::NamedTempFile::new_in(dir)?;
	gateway.read(&signed, file.path(), progress).await?;
	let path = file.path().to_path_buf();
	let summary = tokio::task::spawn_blocking(move || summarize_file(&path))
		.await
		.map_err(|e| Error::Crypto(format!("hashing task: {e}")))??;
	if summary.digest != version.digest.0 || summary.cid.to_bytes() != version.cid {
		return Err(Error::Tampered(format!(
			"the gateway served {} which is not record {record}'s version {version_number}",
			summary.cid
		)));
	}
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

/// Downloads, verifies and decrypts `record` into `out`.
pub async fn get_record(
	chain: &Chain,
	material: &KeyMaterial,
	gateway: &GatewayClient,
	record: u64,
	via: Via,
	out: &Path,
	progress: Progress,
) -> Result<GetOutcome, Error> {
	// An erased or unknown record is said so plainly, before any ticket is asked for.
	current_version(chain, record).await?;
	let (basis, data_key) = match via {
		Via::Ticket(purpose) => {
			ensure_ticket(chain, material, record, purpose).await?;
			(ReadBasis::Ticket, None)
		}
		// The grant's proxies are asked first: a revoked grant fails before any download.
		Via::Grant(grant) => (
			ReadBasis::Grant(grant),
			Some(key_via_proxies(chain, material, grant, record).await?),
		),
	};
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
	let grant: Option<Grant> = chain.api("KeyGrantsApi", "grant", (grant_id,)).await?;
	let grant = grant.ok_or_else(|| Error::Invalid(format!("no grant {grant_id}")))?;
	let owner = pre_keys_of(chain, &grant.owner).await?;
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
		let proxy: Option<key_grants::Proxy> =
			chain.api("KeyGrantsApi", "proxy", (entry.proxy,)).await?;
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

// ---------------------------------------------------------------------------------------------
// Grants, erasure, listings
// ---------------------------------------------------------------------------------------------

/// A grant created and its fragments handed out.
#[derive(Debug, Clone, Serialize)]
pub struct GrantOutcome {
	pub grant: u64,
	pub delivered: Vec<String>,
	pub failed: Vec<String>,
}

/// The owner delegates decryption of `record` to `grantee` through `proxies`, any `threshold`
/// of which suffice, until block `expires_at`.
///
/// The owner first reads the record (a read receipt for the owner is recorded) to recover its
/// data key, wraps that key to a fresh one-grant key and splits the grant key for the
/// grantee, so the proxies can re-encrypt this record's key and nothing else.
pub async fn create_grant(
	chain: &Chain,
	material: &KeyMaterial,
	gateway: &GatewayClient,
	grantee: &AccountId32,
	record: u64,
	proxies: &[AccountId32],
	threshold: u8,
	expires_at: u32,
) -> Result<GrantOutcome, Error> {
	let grantee_keys = pre_keys_of(chain, grantee).await?;
	ensure_ticket(chain, material, record, Purpose::Operations).await?;
	let dir = std::env::temp_dir();
	let envelope = fetch_envelope(
		chain,
		material,
		gateway,
		record,
		ReadBasis::Ticket,
		&dir,
		no_progress(),
	)
	.await?;
	let owner_keys = material.pre_keys()?;
	let data = match &envelope.header.pre {
		Some(wrap) if wrap.owner_public_key == owner_keys.public().public_key => {
			zeroize::Zeroizing::new(pre::unwrap_own(&owner_keys, &wrap.wrapped)?)
		}
		_ => return Err(Error::Decrypt(
			"only the record's owner can delegate it: its PRE wrap is not to this account's key"
				.into(),
		)),
	};
	let grant_key = pre::grant_key();
	let delegating_key = pre::public_of(&grant_key);
	let grant_capsule = pre::wrap(&delegating_key, &data)?;
	let kfrags = pre::key_fragments(
		&grant_key,
		owner_keys.signing(),
		&grantee_keys.public_key,
		usize::from(threshold),
		proxies.len(),
	)?;
	let mut deliveries = Vec::new();
	let mut entries = Vec::new();
	for (proxy, kfrag) in proxies.iter().zip(kfrags) {
		let info: Option<key_grants::Proxy> = chain.api("KeyGrantsApi", "proxy", (*proxy,)).await?;
		let info =
			info.ok_or_else(|| Error::Invalid(format!("{proxy} is not a registered proxy")))?;
		let delivery = KfragDelivery {
			grant: 0,
			kfrag: pre::wrap(&info.public_key, &kfrag)?,
			grant_capsule: grant_capsule.clone(),
			delegating_key,
		};
		entries.push(GrantProxy {
			proxy: *proxy,
			kfrag_commitment: H256(delivery.commitment()),
		});
		deliveries.push((
			String::from_utf8_lossy(&info.endpoint).into_owned(),
			delivery,
		));
	}
	let events = chain
		.submit(
			&tx(
				"KeyGrants",
				"create_grant",
				(
					*grantee,
					GrantScope::Record(record),
					entries,
					threshold,
					expires_at,
				),
			),
			&material.keypair()?,
		)
		.await?;
	let grant = chain::find_event::<key_grants::GrantCreated>(&events)?.grant;
	let mut outcome = GrantOutcome {
		grant,
		delivered: Vec::new(),
		failed: Vec::new(),
	};
	for (endpoint, mut delivery) in deliveries {
		delivery.grant = grant;
		let result = async {
			GatewayClient::new(&endpoint)?
				.deliver_kfrag(&delivery)
				.await
		}
		.await;
		match result {
			Ok(()) => outcome.delivered.push(endpoint),
			Err(e) => outcome.failed.push(format!("{endpoint}: {e}")),
		}
	}
	Ok(outcome)
}

/// Revokes a grant: proxies refuse from the next block on.
pub async fn revoke_grant(chain: &Chain, material: &KeyMaterial, grant: u64) -> Result<(), Error> {
	chain
		.submit(
			&tx("KeyGrants", "revoke_grant", (grant,)),
			&material.keypair()?,
		)
		.await
		.map(drop)
}

/// Erases a record (its subject only): the chain keeps a tombstone; gateways delete the blobs.
pub async fn erase_record(
	chain: &Chain,
	material: &KeyMaterial,
	record: u64,
) -> Result<Vec<String>, Error> {
	let events = chain
		.submit(
			&tx("Records", "erase_record", (record,)),
			&material.keypair()?,
		)
		.await?;
	let erased = chain::find_event::<records::RecordErased>(&events)?;
	Ok(erased
		.cids
		.iter()
		.map(|bytes| {
			cid::Cid::try_from(bytes.as_slice())
				.map_or_else(|_| hex::encode(bytes), |c| c.to_string())
		})
		.collect())
}

/// A record as listed for its subject.
#[derive(Debug, Clone, Serialize)]
pub struct ListedRecord {
	pub record: u64,
	pub kind: String,
	pub policy: Option<u32>,
	pub current_version: u32,
	pub updated_at: u32,
}

/// The live records of `subject`.
pub async fn list_records(
	chain: &Chain,
	subject: &AccountId32,
) -> Result<Vec<ListedRecord>, Error> {
	let mut listed = Vec::new();
	let mut after: Option<u64> = None;
	loop {
		let page: Vec<(u64, records::Record)> = chain
			.api("RecordsApi", "records_of", (*subject, after, 100u32))
			.await?;
		let last = page.last().map(|(id, _)| *id);
		listed.extend(page.into_iter().map(|(record, r)| ListedRecord {
			record,
			kind: String::from_utf8_lossy(&r.kind).into_owned(),
			policy: r.policy,
			current_version: r.current_version,
			updated_at: r.updated_at,
		}));
		match last {
			Some(id) if Some(id) != after => after = Some(id),
			_ => break,
		}
	}
	Ok(listed)
}

/// A read receipt as listed for its subject.
#[derive(Debug, Clone, Serialize)]
pub struct ListedReceipt {
	pub receipt: String,
	pub record: u64,
	pub reader: String,
	pub gateway: String,
	pub basis: String,
	pub digest: String,
	pub recorded_at: u32,
}

/// Every read of `subject`'s records served by a gateway, oldest first.
pub async fn list_read_receipts(
	chain: &Chain,
	subject: &AccountId32,
) -> Result<Vec<ListedReceipt>, Error> {
	let receipts: Vec<(H256, ReadReceipt)> = chain
		.api("ConsentApi", "read_receipts", (*subject,))
		.await?;
	Ok(receipts
		.into_iter()
		.map(|(hash, r)| ListedReceipt {
			receipt: format!("{hash:?}"),
			record: r.record,
			reader: r.reader.to_string(),
			gateway: r.gateway.to_string(),
			basis: match r.basis {
				ReadBasis::Ticket => "ticket".into(),
				ReadBasis::Grant(g) => format!("grant {g}"),
			},
			digest: format!("{:?}", r.digest),
			recorded_at: r.recorded_at,
		})
		.collect())
}

/// The proxies' attestations of re-encryptions under `grant`.
pub async fn list_grant_receipts(
	chain: &Chain,
	grant: u64,
) -> Result<Vec<key_grants::Receipt>, Error> {
	chain.api("KeyGrantsApi", "receipts", (grant,)).await
}
