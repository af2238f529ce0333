//! `medchain custodian …`: who may write records for a patient.

use clap::{Args, Subcommand};
use medchain_client::{chain, flows, Error};
use serde_json::json;

use crate::{Context, Report};

/// The `custodian` verbs.
#[derive(Subcommand)]
pub enum Command {
	/// Allow a custodian (hospital, lab) to write records for you.
	Authorize(Authorize),
}

impl Command {
	/// Runs the verb.
	pub async fn run(self, context: &Context) -> Result<Report, Error> {
		match self {
			Command::Authorize(verb) => verb.run(context).await,
		}
	}
}

/// `custodian authorize`.
#[derive(Args)]
pub struct Authorize {
	/// The custodian's account.
	custodian: String,
	/// Record kinds (all if none).
	#[arg(long = "kind")]
	kinds: Vec<String>,
}

impl Authorize {
	async fn run(self, context: &Context) -> Result<Report, Error> {
		flows::authorize_custodian(
			context.chain().await?,
			&context.material()?,
			&chain::parse_account(&self.custodian)?,
			&self.kinds,
		)
		.await?;
		Ok(Report::new(
			json!({ "custodian": self.custodian }),
			format!("{} may write records for you", self.custodian),
		))
	}
}
