//! `medchain keys …`: this account's keystore and keys.

use std::path::PathBuf;

use clap::{Args, Subcommand};
use medchain_client::{abe::AuthorityPublic, chain, flows, flows::IssuedKey, Error};
use serde_json::json;

use crate::{context::read_json, Context, Report};

/// The `keys` verbs.
#[derive(Subcommand)]
pub enum Command {
	/// Create a keystore for an account (secret URI: `//Alice`, a mnemonic or a 0x seed).
	Init(Init),
	/// Show the account and its public keys.
	Show(Show),
	/// Register this account's PRE (Umbral) keys on chain.
	Register(Register),
	/// Import a CP-ABE key issued to you (`authority issue-key` output).
	Import(Import),
	/// Trust an authority's CP-ABE parameters (`authority export` output) to encrypt under,
	/// after checking them against the key commitment it published on chain.
	Trust(Trust),
}

impl Command {
	/// Runs the verb.
	pub async fn run(self, context: &Context) -> Result<Report, Error> {
		match self {
			Command::Init(verb) => verb.run(context),
			Command::Show(verb) => verb.run(context),
			Command::Register(verb) => verb.run(context).await,
			Command::Import(verb) => verb.run(context).await,
			Command::Trust(verb) => verb.run(context).await,
		}
	}
}

/// `keys init`.
#[derive(Args)]
pub struct Init {
	/// The account's secret URI.
	#[arg(long)]
	suri: String,
}

impl Init {
	fn run(self, context: &Context) -> Result<Report, Error> {
		let material = context.keystore()?.create(&self.suri)?;
		let account = chain::account_id(&material.keypair()?);
		let path = context.keystore_path();
		Ok(Report::new(
			json!({ "account": account.to_string(), "keystore": path }),
			format!("created {} for {account}", path.display()),
		))
	}
}

/// `keys show`.
#[derive(Args)]
pub struct Show {}

impl Show {
	fn run(self, context: &Context) -> Result<Report, Error> {
		let material = context.material()?;
		let me = chain::account_id(&material.keypair()?);
		let keys = material.pre_keys()?.public();
		Ok(Report::new(
			json!({
				"account": me.to_string(),
				"pre_public_key": hex::encode(keys.public_key),
				"pre_verifying_key": hex::encode(keys.verifying_key),
				"abe_keys": material.abe_keys.keys().collect::<Vec<_>>(),
				"authority": material.authority.is_some(),
			}),
			format!("{me}\nPRE public key {}", hex::encode(keys.public_key)),
		))
	}
}

/// `keys register`.
#[derive(Args)]
pub struct Register {}

impl Register {
	async fn run(self, context: &Context) -> Result<Report, Error> {
		let material = context.material()?;
		flows::register_pre_keys(context.chain().await?, &material).await?;
		let me = chain::account_id(&material.keypair()?);
		Ok(Report::new(
			json!({ "registered": me.to_string() }),
			"PRE keys registered",
		))
	}
}

/// `keys import`.
#[derive(Args)]
pub struct Import {
	/// The issued key's file.
	file: PathBuf,
}

impl Import {
	async fn run(self, context: &Context) -> Result<Report, Error> {
		let issued: IssuedKey = read_json(&self.file)?;
		let listed = context.chain().await?.authorities().await?;
		let imported = context
			.keystore()?
			.update(|m| flows::import_abe_key(&listed, m, &issued))?;
		let text = format!(
			"imported a key from {} (key version {}) over {:?}{}",
			imported.authority,
			imported.version,
			imported.attributes,
			if imported.replaced {
				"; it replaced the key held from this authority"
			} else {
				""
			}
		);
		Ok(Report::new(json!(imported), text))
	}
}

/// `keys trust`.
#[derive(Args)]
pub struct Trust {
	/// The authority's parameters file.
	file: PathBuf,
}

impl Trust {
	async fn run(self, context: &Context) -> Result<Report, Error> {
		let public: AuthorityPublic = read_json(&self.file)?;
		let listed = context.chain().await?.authorities().await?;
		let trusted = context
			.keystore()?
			.update(|m| flows::trust_checked(&listed, m, &public))?;
		let text = format!(
			"trusting the CP-ABE key of {} (version {} on chain){}",
			trusted.authority,
			trusted.version,
			if trusted.replaced {
				"; it replaced an older copy"
			} else {
				""
			}
		);
		Ok(Report::new(json!(trusted), text))
	}
}
