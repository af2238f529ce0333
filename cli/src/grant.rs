//! `medchain grant …`: key grants through re-encryption proxies.

use clap::{Args, Subcommand};
use medchain_client::{chain, flows, protocol::GatewayError, Error};
use serde_json::json;

use crate::{Context, Report};

/// The `grant` verbs.
#[derive(Subcommand)]
pub enum Command {
	/// Delegate decryption of a record to a grantee through m-of-n proxies.
	Create(Create),
	/// Revoke a grant: its proxies refuse from the next block on.
	Revoke(Revoke),
}

impl Command {
	/// Runs the verb.
	pub async fn run(self, context: &Context) -> Result<Report, Error> {
		match self {
			Command::Create(verb) => verb.run(context).await,
			Command::Revoke(verb) => verb.run(context).await,
		}
	}
}

/// `grant create`.
#[derive(Args)]
pub struct Create {
	/// The grantee's account.
	#[arg(long)]
	grantee: String,
	/// The record it covers.
	#[arg(long)]
	record: u64,
	/// Proxy accounts, comma-separated.
	#[arg(long, value_delimiter = ',')]
	proxies: Vec<String>,
	/// How many proxies must answer.
	#[arg(long)]
	threshold: u8,
	/// Blocks from now until the grant expires.
	#[arg(long, default_value_t = 600)]
	blocks: u32,
}

impl Create {
	async fn run(self, context: &Context) -> Result<Report, Error> {
		let chain = context.chain().await?;
		let proxies = self
			.proxies
			.iter()
			.map(|p| chain::parse_account(p))
			.collect::<Result<Vec<_>, _>>()?;
		let (best, _) = chain.best().await?;
		let outcome = flows::create_grant(
			chain,
			&context.material()?,
			&context.gateway()?,
			&chain::parse_account(&self.grantee)?,
			self.record,
			&proxies,
			self.threshold,
			best.saturating_add(self.blocks),
		)
		.await?;
		if !outcome.failed.is_empty() {
			// The grant exists on chain; say which, so it can be revoked or completed.
			return Err(Error::Gateway(GatewayError::transport(format!(
				"grant {} created, but key fragments were not delivered: {}",
				outcome.grant,
				outcome.failed.join("; ")
			))));
		}
		let text = format!(
			"grant {} ({} fragments delivered)",
			outcome.grant,
			outcome.delivered.len()
		);
		Ok(Report::new(json!(outcome), text))
	}
}

/// `grant revoke`.
#[derive(Args)]
pub struct Revoke {
	/// The grant's id.
	grant: u64,
}

impl Revoke {
	async fn run(self, context: &Context) -> Result<Report, Error> {
		flows::revoke_grant(context.chain().await?, &context.material()?, self.grant).await?;
		Ok(Report::new(
			json!({ "revoked": self.grant }),
			format!("grant {} revoked", self.grant),
		))
	}
}
