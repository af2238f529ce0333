//! `medchain policy …`: consent policies.

use clap::{Args, Subcommand};
use medchain_client::{flows, Error};
use serde_json::json;

use crate::{Context, Report};

/// The `policy` verbs.
#[derive(Subcommand)]
pub enum Command {
	/// Store a consent policy, e.g. '"role:doctor" and "org:hospital-a"'.
	Create(Create),
}

impl Command {
	/// Runs the verb.
	pub async fn run(self, context: &Context) -> Result<Report, Error> {
		match self {
			Command::Create(verb) => verb.run(context).await,
		}
	}
}

/// `policy create`.
#[derive(Args)]
pub struct Create {
	/// The policy text.
	text: String,
}

impl Create {
	async fn run(self, context: &Context) -> Result<Report, Error> {
		let id =
			flows::create_policy(context.chain().await?, &context.material()?, &self.text).await?;
		Ok(Report::new(json!({ "policy": id }), format!("policy {id}")))
	}
}
