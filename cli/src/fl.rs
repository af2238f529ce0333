//! `medchain fl …`: federated-learning tasks, read through the runtime's `FlApi`.
//!
//! What a participant needs to audit a task without trusting its aggregator: the lineage
//! (every round's checkpoint, the updates it used and each committed update with its rogue
//! flag), from which the aggregate can be recomputed (the `fl/` package does).

use clap::{Args, Subcommand};
use medchain_client::{
	chain::{api, ss58},
	Error,
};
use serde_json::{json, Value};

use crate::{Context, Report};

use api::runtime_types::pallet_fl::types::{CheckpointStatus, ModelRef};

/// The `fl` verbs.
#[derive(Subcommand)]
pub enum Command {
	/// A task's lineage (`FlApi.lineage`): checkpoints by round with their updates.
	Lineage(Lineage),
}

impl Command {
	/// Runs the verb.
	pub async fn run(self, context: &Context) -> Result<Report, Error> {
		match self {
			Command::Lineage(verb) => verb.run(context).await,
		}
	}
}

/// `fl lineage`.
#[derive(Args)]
pub struct Lineage {
	/// The task's id.
	#[arg(long)]
	task: u32,
}

fn model(model: &ModelRef) -> Value {
	json!({
		"cid": String::from_utf8_lossy(&model.cid),
		"digest": format!("0x{}", hex::encode(model.digest.0)),
	})
}

fn text(bytes: &Option<Vec<u8>>) -> Value {
	bytes.as_ref().map_or(Value::Null, |b| {
		Value::String(String::from_utf8_lossy(b).into_owned())
	})
}

impl Lineage {
	async fn run(self, context: &Context) -> Result<Report, Error> {
		let chain = context.chain().await?;
		let entries = chain
			.call(api::runtime_apis().fl_api().lineage(self.task))
			.await?;
		let mut lines = Vec::new();
		let rounds: Vec<Value> = entries
			.iter()
			.map(|entry| {
				let checkpoint = &entry.checkpoint;
				let status = match &checkpoint.status {
					CheckpointStatus::Published => json!("Published"),
					CheckpointStatus::Finalized => json!("Finalized"),
					CheckpointStatus::Disputed { by, recomputed } => json!({
						"Disputed": { "by": ss58(by), "recomputed": format!("0x{}", hex::encode(recomputed.0)) }
					}),
				};
				let updates: Vec<Value> = entry
					.updates
					.iter()
					.map(|(account, update)| {
						json!({
							"account": ss58(account),
							"update": {
								"input": {
									"model": model(&update.input.model),
									"samples": update.input.samples,
									"epsilon": update.input.epsilon,
									"metrics": text(&update.input.metrics),
								},
								"submitted_at": update.submitted_at,
								"rogue": text(&update.rogue),
								"deposit": update.deposit.to_string(),
							}
						})
					})
					.collect();
				lines.push(format!(
					"round {}: {} ({}), {} used of {} updates",
					entry.round,
					String::from_utf8_lossy(&checkpoint.model.cid),
					status,
					checkpoint.used.len(),
					updates.len()
				));
				json!({
					"round": entry.round,
					"checkpoint": {
						"model": model(&checkpoint.model),
						"aggregator": ss58(&checkpoint.aggregator),
						"used": checkpoint.used.iter().map(ss58).collect::<Vec<_>>(),
						"published_at": checkpoint.published_at,
						"challenge_ends": checkpoint.challenge_ends,
						"status": status,
					},
					"updates": updates,
				})
			})
			.collect();
		let text = if lines.is_empty() {
			format!("task {}: no checkpoint yet", self.task)
		} else {
			lines.join("\n")
		};
		Ok(Report::new(Value::Array(rounds), text))
	}
}
