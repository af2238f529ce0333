//! `medchain record …`: encrypted records.

use std::{path::PathBuf, sync::Arc};

use clap::{Args, Subcommand};
use medchain_client::{
	chain::{
		self,
		consent::{self, Purpose},
	},
	flows::{self, PutRequest, Via},
	Error,
};
use serde_json::json;

use crate::{Context, Report};

/// The `record` verbs.
#[derive(Subcommand)]
pub enum Command {
	/// Encrypt a file, upload it to the gateway and register it as a record.
	Put(Put),
	/// Download and decrypt a record.
	Get(Get),
	/// Erase a record (crypto-shredding: gateways delete the blobs).
	Erase(Erase),
	/// List a patient's records.
	List(List),
	/// List read receipts of a patient's records (and a grant's re-encryption receipts).
	Receipts(Receipts),
}

impl Command {
	/// Runs the verb.
	pub async fn run(self, context: &Context) -> Result<Report, Error> {
		match self {
			Command::Put(verb) => verb.run(context).await,
			Command::Get(verb) => verb.run(context).await,
			Command::Erase(verb) => verb.run(context).await,
			Command::List(verb) => verb.run(context).await,
			Command::Receipts(verb) => verb.run(context).await,
		}
	}
}

/// `record put`.
#[derive(Args)]
pub struct Put {
	/// The file to encrypt.
	file: PathBuf,
	/// The patient the record is about.
	#[arg(long)]
	subject: String,
	/// Record kind (FHIR resource type).
	#[arg(long, default_value = "DocumentReference")]
	kind: String,
	/// Consent policy id (CP-ABE wrap under its text, for every active authority whose
	/// scopes cover its attributes; their keys must be trusted).
	#[arg(long)]
	policy: Option<u32>,
}

impl Put {
	async fn run(self, context: &Context) -> Result<Report, Error> {
		let size = std::fs::metadata(&self.file)?.len();
		let bar = context.progress_bar(Some(size), "upload");
		let progress = {
			let bar = bar.clone();
			Arc::new(move |sent| bar.set_position(sent))
		};
		let outcome = flows::put_record(
			context.chain().await?,
			&context.material()?,
			&context.gateway()?,
			PutRequest {
				input: &self.file,
				subject: chain::parse_account(&self.subject)?,
				kind: &self.kind,
				policy: self.policy,
			},
			progress,
		)
		.await?;
		bar.finish_and_clear();
		let text = format!(
			"record {} ({}, {} bytes encrypted as {})",
			outcome.record, outcome.cid, outcome.plaintext_size, outcome.scheme
		);
		Ok(Report::new(json!(outcome), text))
	}
}

/// A purpose by its command-line name: the chain's variant in kebab case (`public-health`).
fn parse_purpose(text: &str) -> Result<Purpose, String> {
	consent::PURPOSES
		.into_iter()
		.find(|purpose| consent::purpose_name(*purpose) == text)
		.ok_or_else(|| {
			let names: Vec<_> = consent::PURPOSES
				.into_iter()
				.map(consent::purpose_name)
				.collect();
			format!("not a purpose: {text} (one of {})", names.join(", "))
		})
}

/// `record get`.
#[derive(Args)]
pub struct Get {
	/// The record's id.
	record: u64,
	/// Where to write the plaintext.
	#[arg(long, short)]
	out: PathBuf,
	/// Read under this key grant (proxy re-encryption) instead of the chain's consent
	/// decision for `--purpose`.
	#[arg(long)]
	grant: Option<u64>,
	/// treatment, emergency, research, public-health, payment or operations.
	#[arg(long, value_parser = parse_purpose, default_value = "treatment")]
	purpose: Purpose,
}

impl Get {
	async fn run(self, context: &Context) -> Result<Report, Error> {
		let via = self.grant.map_or(Via::Consent(self.purpose), Via::Grant);
		let bar = context.progress_bar(None, "download");
		let progress = {
			let bar = bar.clone();
			Arc::new(move |n| bar.set_position(n))
		};
		let outcome = flows::get_record(
			context.chain().await?,
			&context.material()?,
			&context.gateway()?,
			self.record,
			via,
			&self.out,
			progress,
		)
		.await?;
		bar.finish_and_clear();
		let text = format!(
			"record {} v{} ({} bytes) written to {} [{}]",
			outcome.record,
			outcome.version,
			outcome.plaintext_size,
			outcome.output.display(),
			outcome.key_from
		);
		Ok(Report::new(json!(outcome), text))
	}
}

/// `record erase`.
#[derive(Args)]
pub struct Erase {
	/// The record's id.
	record: u64,
}

impl Erase {
	async fn run(self, context: &Context) -> Result<Report, Error> {
		let cids =
			flows::erase_record(context.chain().await?, &context.material()?, self.record).await?;
		Ok(Report::new(
			json!({ "erased": self.record, "cids": cids }),
			format!("record {} erased", self.record),
		))
	}
}

/// `record list`.
#[derive(Args)]
pub struct List {
	/// The patient (this account if not given).
	#[arg(long)]
	subject: Option<String>,
}

impl List {
	async fn run(self, context: &Context) -> Result<Report, Error> {
		let subject = context.subject_or_me(self.subject.as_deref())?;
		let listed = flows::list_records(context.chain().await?, &subject).await?;
		let text = listed
			.iter()
			.map(|r| {
				format!(
					"{}\t{}\tv{}\tpolicy {:?}",
					r.record, r.kind, r.current_version, r.policy
				)
			})
			.collect::<Vec<_>>()
			.join("\n");
		Ok(Report::new(json!(listed), text))
	}
}

/// `record receipts`.
#[derive(Args)]
pub struct Receipts {
	/// The patient (this account if not given).
	#[arg(long)]
	subject: Option<String>,
	/// Also list this grant's re-encryption receipts.
	#[arg(long)]
	grant: Option<u64>,
}

impl Receipts {
	async fn run(self, context: &Context) -> Result<Report, Error> {
		let chain = context.chain().await?;
		let subject = context.subject_or_me(self.subject.as_deref())?;
		let reads = flows::list_read_receipts(chain, &subject).await?;
		let reencryptions: Vec<_> = match self.grant {
			Some(grant) => flows::list_grant_receipts(chain, grant)
				.await?
				.into_iter()
				.map(|r| {
					json!({
						"proxy": r.proxy.to_string(),
						"capsule_hash": format!("{:?}", r.capsule_hash),
						"served_at": r.served_at,
						"recorded_at": r.recorded_at,
					})
				})
				.collect(),
			None => Vec::new(),
		};
		let text = reads
			.iter()
			.map(|r| {
				let flag = r
					.refused
					.as_ref()
					.map(|reason| format!(" FLAGGED: the chain did not allow it ({reason})"))
					.unwrap_or_default();
				format!(
					"#{} record {} read by {} via {} ({}){flag}",
					r.recorded_at, r.record, r.reader, r.gateway, r.basis
				)
			})
			.collect::<Vec<_>>()
			.join("\n");
		Ok(Report::new(
			json!({ "reads": reads, "reencryptions": reencryptions }),
			text,
		))
	}
}
