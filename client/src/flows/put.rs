//! Put: seal a file (or bytes), upload it through a gateway, register it on chain.

use std::io::Write;
#[cfg(feature = "native")]
use std::{
	fs::File,
	io::{BufReader, BufWriter, Read},
	path::Path,
};

use serde::Serialize;
use subxt::utils::{AccountId32, H256};

use super::{keys::abe_routes, REQUEST_VALIDITY};
use crate::{
	chain::{
		self, account_id, api,
		records::{self, ContentInput, EncryptionScheme, RecordInput},
		Chain,
	},
	content_id::{ContentHasher, ContentSummary},
	envelope::{self, Recipients},
	keystore::KeyMaterial,
	protocol::{GatewayClient, Progress},
	Error,
};

/// What to put, from a file.
#[cfg(feature = "native")]
pub struct PutRequest<'a> {
	/// The plaintext file.
	pub input: &'a Path,
	/// The patient the record is about.
	pub subject: AccountId32,
	/// The record kind (FHIR resource type).
	pub kind: &'a str,
	/// Consent policy guarding the record (CP-ABE wrap under its text).
	pub policy: Option<u32>,
}

/// What to put, from memory (a browser has no files).
pub struct PutBytesRequest<'a> {
	/// The plaintext.
	pub plaintext: &'a [u8],
	/// The patient the record is about.
	pub subject: AccountId32,
	/// The record kind (FHIR resource type).
	pub kind: &'a str,
	/// Consent policy guarding the record (CP-ABE wrap under its text).
	pub policy: Option<u32>,
}

/// A stored and registered record.
#[derive(Debug, Clone, Serialize)]
pub struct PutOutcome {
	/// The new record id.
	pub record: u64,
	/// The envelope CID.
	pub cid: String,
	/// The envelope sha2-256 (hex).
	pub digest: String,
	/// Bytes of plaintext.
	pub plaintext_size: u64,
	/// Bytes of envelope.
	pub ciphertext_size: u64,
	/// How the data key is wrapped.
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
#[cfg(feature = "native")]
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

/// Who and what a new record is sealed for: the consent policy's canonical text and the CP-ABE
/// routes of its attributes, the subject's Umbral key, and the resulting scheme.
struct Sealing {
	abe: Option<(String, crate::abe::Routes)>,
	pre_owner: Option<[u8; 33]>,
	scheme: EncryptionScheme,
}

impl Sealing {
	/// Asks the chain for `policy`'s text and `subject`'s PRE keys.
	async fn for_record(
		chain: &Chain,
		material: &KeyMaterial,
		subject: &AccountId32,
		policy: Option<u32>,
	) -> Result<Self, Error> {
		let policy_text = match policy {
			Some(id) => {
				let policy = chain
					.call(api::runtime_apis().consent_api().policy(id))
					.await?;
				let policy =
					policy.ok_or_else(|| Error::Invalid(format!("no policy {id} on chain")))?;
				Some(
					String::from_utf8(policy.canonical)
						.map_err(|_| Error::Invalid("policy text is not UTF-8".into()))?,
				)
			}
			None => None,
		};
		let abe = match policy_text {
			Some(text) => {
				let routes = abe_routes(&chain.authorities().await?, material, &text)?;
				Some((text, routes))
			}
			None => None,
		};
		let owner = chain
			.call(api::runtime_apis().key_grants_api().pre_keys(*subject))
			.await?;
		let scheme = match (&abe, &owner) {
			(Some(_), Some(_)) => EncryptionScheme::AeadCpAbeAndPre,
			(Some(_), None) => EncryptionScheme::AeadCpAbe,
			(None, Some(_)) => EncryptionScheme::AeadPre,
			(None, None) => {
				return Err(Error::Invalid(
					"the record needs a policy, or the subject needs registered PRE keys".into(),
				))
			}
		};
		Ok(Self {
			abe,
			pre_owner: owner.map(|k| k.public_key),
			scheme,
		})
	}

	/// Seals `size` bytes of `plaintext` into `out` under a fresh data key: the header, and the
	/// CID and digest of everything written.
	fn seal(
		&self,
		plaintext: &mut impl std::io::Read,
		size: u64,
		out: impl Write,
		subject: &str,
		kind: &str,
	) -> Result<(envelope::Header, ContentSummary), Error> {
		let mut writer = HashingWriter {
			inner: out,
			hasher: ContentHasher::new(),
		};
		let recipients = Recipients {
			abe: self
				.abe
				.as_ref()
				.map(|(text, routes)| (text.as_str(), routes)),
			pre_owner: self.pre_owner,
		};
		let key = envelope::fresh_data_key();
		let header = envelope::seal(
			plaintext,
			size,
			&mut writer,
			subject,
			kind,
			&recipients,
			&key,
		)?;
		writer.flush()?;
		Ok((header, writer.hasher.finish()))
	}
}

/// Checks that the gateway stored what was sealed, then registers the record on chain.
#[allow(clippy::too_many_arguments)]
async fn register(
	chain: &Chain,
	material: &KeyMaterial,
	stored: crate::protocol::Stored,
	summary: ContentSummary,
	header: envelope::Header,
	scheme: EncryptionScheme,
	subject: AccountId32,
	kind: &str,
	policy: Option<u32>,
) -> Result<PutOutcome, Error> {
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
		kind: kind.as_bytes().to_vec(),
		policy,
	};
	let events = chain
		.submit(
			&api::tx().records().register_record(subject, input),
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

/// Encrypts `request.input`, uploads it through `gateway` and registers it on chain for
/// `request.subject` (the writer must be the subject or an authorised custodian). The envelope
/// is sealed to a temporary file, so records of any size stream through.
#[cfg(feature = "native")]
pub async fn put_record(
	chain: &Chain,
	material: &KeyMaterial,
	gateway: &GatewayClient,
	request: PutRequest<'_>,
	progress: Progress,
) -> Result<PutOutcome, Error> {
	let sealing = Sealing::for_record(chain, material, &request.subject, request.policy).await?;
	let scheme = sealing.scheme;

	// Seal to a temporary file, computing the CID and digest on the way.
	let sealed = tempfile::NamedTempFile::new()?;
	let sealed_path = sealed.path().to_path_buf();
	let input = request.input.to_path_buf();
	let subject = request.subject.to_string();
	let kind = request.kind.to_string();
	let (header, summary) = tokio::task::spawn_blocking(move || -> Result<_, Error> {
		let file = File::open(&input)?;
		let size = file.metadata()?.len();
		let mut reader = BufReader::with_capacity(1 << 20, file);
		let out = BufWriter::with_capacity(1 << 20, File::create(&sealed_path)?);
		sealing.seal(&mut reader, size, out, &subject, &kind)
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
	register(
		chain,
		material,
		stored,
		summary,
		header,
		scheme,
		request.subject,
		request.kind,
		request.policy,
	)
	.await
}

/// [`put_record`] from memory: seals `request.plaintext` into memory, uploads it and registers
/// it, with the same checks. What a browser runs (the whole envelope is held in memory).
pub async fn put_record_bytes(
	chain: &Chain,
	material: &KeyMaterial,
	gateway: &GatewayClient,
	request: PutBytesRequest<'_>,
	progress: Progress,
) -> Result<PutOutcome, Error> {
	let sealing = Sealing::for_record(chain, material, &request.subject, request.policy).await?;
	let mut sealed = Vec::with_capacity(request.plaintext.len() + 4096);
	let (header, summary) = sealing.seal(
		&mut &*request.plaintext,
		request.plaintext.len() as u64,
		&mut sealed,
		&request.subject.to_string(),
		request.kind,
	)?;
	let signed = signed_upload(
		chain,
		material,
		request.subject,
		summary.cid.to_bytes(),
		summary.size,
	)
	.await?;
	let stored = gateway.upload_bytes(sealed, &signed, progress).await?;
	register(
		chain,
		material,
		stored,
		summary,
		header,
		sealing.scheme,
		request.subject,
		request.kind,
		request.policy,
	)
	.await
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
