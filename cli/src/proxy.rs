//! `medchain proxy …`: acting as a re-encryption proxy.

use clap::{Args, Subcommand};
use medchain_client::{chain, flows, Error};
use serde_json::json;

use crate::{Context, Report};

/// The `proxy` verbs.
#[derive(Subcommand)]
pub enum Command {
	/// Register this account as a re-encryption proxy served at `endpoint` (bonds funds;
	/// governance must then admit it).
	Register(Register),
}

impl Command {
	/// Runs the verb.
	pub async fn run(self, context: &Context) -> Result<Report, Error> {
		match self {
			Command::Register(verb) => verb.run(context).await,
		}
	}
}

/// `proxy register`.
#[derive(Args)]
pub struct Register {
	/// The gateway URL where this proxy serves.
	#[arg(long)]
	endpoint: String,
}

impl Register {
	async fn run(self, context: &Context) -> Result<Report, Error> {
		let material = context.material()?;
		flows::register_proxy(context.chain().await?, &material, &self.endpoint).await?;
		let me = chain::account_id(&material.keypair()?);
		Ok(Report::new(
			json!({ "proxy": me.to_string(), "endpoint": self.endpoint }),
			format!(
				"{me} registered as a proxy at {}; governance must admit it",
				self.endpoint
			),
		))
	}
}
