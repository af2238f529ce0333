//! `medchain authority …`: acting as an attribute authority.

use std::path::PathBuf;

use clap::{Args, Subcommand};
use medchain_client::{abe::AuthorityKeys, chain, flows, keystore::write_private, Error};
use serde_json::json;

use crate::{Context, Report};

/// The `authority` verbs.
#[derive(Subcommand)]
pub enum Command {
	/// Generate this authority's CP-ABE key over the attributes it will key (kept in the
	/// keystore); then `authority publish`.
	Init(Init),
	/// Add attributes to this authority's CP-ABE key (keys issued before stay valid); then
	/// `authority publish` and hand writers the new `authority export`.
	Extend(Extend),
	/// Publish (or rotate) the commitment to this authority's CP-ABE key on chain.
	Publish(Publish),
	/// Write this authority's public CP-ABE parameters to a file.
	Export(Export),
	/// Issue an attribute on chain.
	Issue(Issue),
	/// Issue a CP-ABE key over the holder's valid attributes from this authority.
	IssueKey(IssueKey),
}

impl Command {
	/// Runs the verb.
	pub async fn run(self, context: &Context) -> Result<Report, Error> {
		match self {
			Command::Init(verb) => verb.run(context),
			Command::Extend(verb) => verb.run(context),
			Command::Publish(verb) => verb.run(context).await,
			Command::Export(verb) => verb.run(context),
			Command::Issue(verb) => verb.run(context).await,
			Command::IssueKey(verb) => verb.run(context).await,
		}
	}
}

fn no_authority() -> Error {
	Error::Invalid("this keystore holds no authority keys (medchain authority init)".into())
}

/// `authority init`.
#[derive(Args)]
pub struct Init {
	/// Attributes, comma-separated (e.g. `role:doctor,org:hospital-a`).
	#[arg(long, value_delimiter = ',', required = true)]
	attributes: Vec<String>,
}

impl Init {
	fn run(self, context: &Context) -> Result<Report, Error> {
		let store = context.keystore()?;
		let material = store.load()?;
		if material.authority.is_some() {
			return Err(Error::Invalid(
				"this keystore already holds authority keys (authority extend adds attributes)"
					.into(),
			));
		}
		let me = chain::account_id(&material.keypair()?);
		let keys = AuthorityKeys::generate(&me.to_string(), &self.attributes)?;
		let hash = keys.public.commitment()?;
		store.update(|m| {
			m.authority = Some(keys);
			Ok(())
		})?;
		Ok(Report::new(
			json!({ "authority": me.to_string(), "commitment": hex::encode(hash) }),
			format!(
				"generated a CP-ABE key for {me} over {:?}; now `authority publish`",
				self.attributes
			),
		))
	}
}

/// `authority extend`.
#[derive(Args)]
pub struct Extend {
	/// Attributes to add, comma-separated.
	#[arg(long, value_delimiter = ',', required = true)]
	attributes: Vec<String>,
}

impl Extend {
	fn run(self, context: &Context) -> Result<Report, Error> {
		let (added, hash) = context.keystore()?.update(|m| {
			let keys = m.authority.as_mut().ok_or_else(no_authority)?;
			let added = keys.extend(&self.attributes)?;
			Ok((added, keys.public.commitment()?))
		})?;
		Ok(Report::new(
			json!({ "added": added, "commitment": hex::encode(hash) }),
			format!("added {added:?}; now `authority publish`"),
		))
	}
}

/// `authority publish`.
#[derive(Args)]
pub struct Publish {}

impl Publish {
	async fn run(self, context: &Context) -> Result<Report, Error> {
		let material = context.material()?;
		let version = flows::publish_abe_key(context.chain().await?, &material).await?;
		let me = chain::account_id(&material.keypair()?);
		Ok(Report::new(
			json!({ "authority": me.to_string(), "version": version }),
			format!("CP-ABE key version {version} published for {me}"),
		))
	}
}

/// `authority export`.
#[derive(Args)]
pub struct Export {
	/// Where to write the parameters.
	#[arg(long, short)]
	out: PathBuf,
}

impl Export {
	fn run(self, context: &Context) -> Result<Report, Error> {
		let material = context.material()?;
		let keys = material.authority.as_ref().ok_or_else(no_authority)?;
		let bytes = serde_json::to_vec(&keys.public).map_err(|e| Error::Invalid(e.to_string()))?;
		std::fs::write(&self.out, bytes)?;
		let me = chain::account_id(&material.keypair()?);
		Ok(Report::new(
			json!({ "authority": me.to_string(), "file": self.out }),
			format!("parameters written to {}", self.out.display()),
		))
	}
}

/// `authority issue`.
#[derive(Args)]
pub struct Issue {
	/// The holder's account.
	holder: String,
	/// The attribute (`role:doctor`).
	attribute: String,
	/// Block after which it no longer counts.
	#[arg(long)]
	expires_at: Option<u32>,
}

impl Issue {
	async fn run(self, context: &Context) -> Result<Report, Error> {
		flows::issue_attribute(
			context.chain().await?,
			&context.material()?,
			&chain::parse_account(&self.holder)?,
			&self.attribute,
			self.expires_at,
		)
		.await?;
		Ok(Report::new(
			json!({ "holder": self.holder, "attribute": self.attribute }),
			format!("issued {} to {}", self.attribute, self.holder),
		))
	}
}

/// `authority issue-key`.
#[derive(Args)]
pub struct IssueKey {
	/// The holder's account.
	holder: String,
	/// Where to write the key (encrypted to the holder).
	#[arg(long, short)]
	out: PathBuf,
}

impl IssueKey {
	async fn run(self, context: &Context) -> Result<Report, Error> {
		let issued = flows::issue_abe_key(
			context.chain().await?,
			&context.material()?,
			&chain::parse_account(&self.holder)?,
		)
		.await?;
		let bytes = serde_json::to_vec(&issued).map_err(|e| Error::Invalid(e.to_string()))?;
		write_private(&self.out, &bytes)?;
		Ok(Report::new(
			json!({ "holder": self.holder, "attributes": issued.attributes, "file": self.out }),
			format!(
				"key over {:?} for {} written to {}",
				issued.attributes,
				self.holder,
				self.out.display()
			),
		))
	}
}
