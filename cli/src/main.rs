//! `medchain`: the MedChain command-line client.
//!
//! Commands are grouped by what they act on, noun then verb: `medchain record put`,
//! `medchain grant revoke`, `medchain authority issue-key`. Every command reads the
//! account's keystore (`--keystore`, passphrase from `MEDCHAIN_PASSPHRASE` or
//! `--passphrase-file`), talks to a node (`--node`) and, for records, to a gateway
//! (`--gateway`). `--json` prints one JSON document per command instead of text. Each verb is
//! an options struct with a `run` that calls the `medchain-client` library and returns a
//! [`Report`]; nothing here re-implements a flow.

mod authority;
mod context;
mod custodian;
mod fl;
mod grant;
mod keys;
mod policy;
mod proxy;
mod record;

use std::{path::PathBuf, process::ExitCode};

use clap::{Parser, Subcommand};
use serde_json::json;

pub use context::{Context, Report};
use medchain_client::Error;

#[derive(Parser)]
#[command(
	name = "medchain",
	version,
	about = "MedChain client: encrypted medical records shared under the patient's control"
)]
struct Cli {
	/// Node WebSocket RPC endpoint.
	#[arg(
		long,
		global = true,
		env = "MEDCHAIN_NODE",
		default_value = "ws://127.0.0.1:9944"
	)]
	node: String,
	/// Gateway base URL.
	#[arg(
		long,
		global = true,
		env = "MEDCHAIN_GATEWAY",
		default_value = "http://127.0.0.1:8787"
	)]
	gateway: String,
	/// Keystore file.
	#[arg(
		long,
		global = true,
		env = "MEDCHAIN_KEYSTORE",
		default_value = "medchain-keystore.json"
	)]
	keystore: PathBuf,
	/// File holding the keystore passphrase (else `MEDCHAIN_PASSPHRASE`).
	#[arg(long, global = true)]
	passphrase_file: Option<PathBuf>,
	/// Print JSON.
	#[arg(long, global = true)]
	json: bool,
	#[command(subcommand)]
	command: Command,
}

#[derive(Subcommand)]
enum Command {
	/// This account's keystore and keys: init, show, register, import, trust.
	#[command(subcommand)]
	Keys(keys::Command),
	/// Encrypted records: put, get, erase, list, receipts.
	#[command(subcommand)]
	Record(record::Command),
	/// Key grants through re-encryption proxies: create, revoke.
	#[command(subcommand)]
	Grant(grant::Command),
	/// Consent policies: create.
	#[command(subcommand)]
	Policy(policy::Command),
	/// Custodians who write records for a patient: authorize.
	#[command(subcommand)]
	Custodian(custodian::Command),
	/// Acting as a re-encryption proxy: register.
	#[command(subcommand)]
	Proxy(proxy::Command),
	/// Acting as an attribute authority: init, extend, publish, export, issue, issue-key.
	#[command(subcommand)]
	Authority(authority::Command),
	/// Federated-learning tasks: lineage.
	#[command(subcommand)]
	Fl(fl::Command),
}

impl Command {
	async fn run(self, context: &Context) -> Result<Report, Error> {
		match self {
			Command::Keys(command) => command.run(context).await,
			Command::Record(command) => command.run(context).await,
			Command::Grant(command) => command.run(context).await,
			Command::Policy(command) => command.run(context).await,
			Command::Custodian(command) => command.run(context).await,
			Command::Proxy(command) => command.run(context).await,
			Command::Authority(command) => command.run(context).await,
			Command::Fl(command) => command.run(context).await,
		}
	}
}

#[tokio::main]
async fn main() -> ExitCode {
	// A bug must not put a backtrace in front of a user: one line, then the error exit.
	// (Panics that libraries raise on bad input are caught where they are called and arrive
	// as errors; see `medchain_client::abe`.)
	std::panic::set_hook(Box::new(|info| {
		eprintln!("internal error (please report it): {info}");
	}));
	let cli = Cli::parse();
	let json = cli.json;
	let context = Context::new(
		cli.node,
		cli.gateway,
		cli.keystore,
		cli.passphrase_file,
		cli.json,
	);
	match cli.command.run(&context).await {
		Ok(report) => {
			report.print(json);
			ExitCode::SUCCESS
		}
		Err(error) => {
			if json {
				eprintln!("{}", json!({ "error": error.to_string() }));
			} else {
				eprintln!("error: {error}");
			}
			ExitCode::FAILURE
		}
	}
}

#[cfg(test)]
mod tests {
	use clap::CommandFactory;

	use super::*;

	#[test]
	fn the_command_line_is_well_formed() {
		Cli::command().debug_assert();
	}

	#[test]
	fn commands_are_noun_then_verb() {
		let parsed = Cli::try_parse_from([
			"medchain",
			"record",
			"get",
			"7",
			"--out",
			"scan.dcm",
			"--purpose",
			"public-health",
		])
		.expect("record get parses");
		assert!(matches!(parsed.command, Command::Record(_)));
		// The flat commands of the first CLI are gone, with a usage error rather than a panic.
		let old = Cli::try_parse_from(["medchain", "get", "7", "--out", "scan.dcm"]);
		assert!(old.is_err());
		let bad_purpose = Cli::try_parse_from([
			"medchain",
			"record",
			"get",
			"7",
			"--out",
			"x",
			"--purpose",
			"curiosity",
		])
		.err()
		.expect("an unknown purpose is refused")
		.to_string();
		assert!(
			bad_purpose.contains("one of treatment, emergency"),
			"{bad_purpose}"
		);
	}
}
