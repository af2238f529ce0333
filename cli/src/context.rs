//! What every command shares: the global options, the keystore, and connections made on
//! first use (a command that needs no chain never connects to one).

use std::path::{Path, PathBuf};

use indicatif::{ProgressBar, ProgressStyle};
use medchain_client::{
	chain::{self, Chain},
	keystore::{KeyMaterial, Keystore},
	protocol::GatewayClient,
	Error,
};
use serde_json::Value;
use tokio::sync::OnceCell;

/// The global options and lazily opened connections.
pub struct Context {
	node: String,
	gateway: String,
	keystore: PathBuf,
	passphrase_file: Option<PathBuf>,
	json: bool,
	chain: OnceCell<Chain>,
}

impl Context {
	/// A context for one command.
	pub fn new(
		node: String,
		gateway: String,
		keystore: PathBuf,
		passphrase_file: Option<PathBuf>,
		json: bool,
	) -> Self {
		Self {
			node,
			gateway,
			keystore,
			passphrase_file,
			json,
			chain: OnceCell::new(),
		}
	}

	/// The keystore file's path.
	pub fn keystore_path(&self) -> &Path {
		&self.keystore
	}

	/// The keystore, opened with the passphrase (`--passphrase-file` or
	/// `MEDCHAIN_PASSPHRASE`).
	pub fn keystore(&self) -> Result<Keystore, Error> {
		Ok(Keystore::new(&self.keystore, &self.passphrase()?))
	}

	/// The keystore's contents.
	pub fn material(&self) -> Result<KeyMaterial, Error> {
		self.keystore()?.load()
	}

	fn passphrase(&self) -> Result<String, Error> {
		if let Some(path) = &self.passphrase_file {
			return Ok(std::fs::read_to_string(path)?
				.trim_end_matches(['\n', '\r'])
				.to_string());
		}
		std::env::var("MEDCHAIN_PASSPHRASE").map_err(|_| {
			Error::Keystore("set MEDCHAIN_PASSPHRASE or pass --passphrase-file".into())
		})
	}

	/// The node, connected on first use.
	pub async fn chain(&self) -> Result<&Chain, Error> {
		self.chain
			.get_or_try_init(|| Chain::connect(&self.node))
			.await
	}

	/// The gateway (`--gateway`).
	pub fn gateway(&self) -> Result<GatewayClient, Error> {
		GatewayClient::new(&self.gateway)
	}

	/// `subject` if given, else this keystore's account.
	pub fn subject_or_me(&self, subject: Option<&str>) -> Result<chain::AccountId32, Error> {
		match subject {
			Some(text) => chain::parse_account(text),
			None => Ok(chain::account_id(&self.material()?.keypair()?)),
		}
	}

	/// A progress bar for a transfer, hidden when printing JSON.
	pub fn progress_bar(&self, total: Option<u64>, what: &str) -> ProgressBar {
		if self.json {
			return ProgressBar::hidden();
		}
		let bar = match total {
			Some(total) => ProgressBar::new(total),
			None => ProgressBar::no_length(),
		};
		bar.set_style(
			ProgressStyle::with_template("{msg} [{bar:30}] {bytes}/{total_bytes} {bytes_per_sec}")
				.unwrap_or_else(|_| ProgressStyle::default_bar()),
		);
		bar.set_message(what.to_string());
		bar
	}
}

/// A command's outcome: its JSON document and its text for a person.
pub struct Report {
	json: Value,
	text: String,
}

impl Report {
	/// An outcome printed as `json` with `--json`, as `text` otherwise.
	pub fn new(json: Value, text: impl Into<String>) -> Self {
		Self {
			json,
			text: text.into(),
		}
	}

	/// Prints it on stdout.
	pub fn print(&self, json: bool) {
		if json {
			println!("{}", self.json);
		} else {
			println!("{}", self.text);
		}
	}
}

/// Reads a JSON file another party handed over (a key, an authority's parameters).
pub fn read_json<T: serde::de::DeserializeOwned>(file: &Path) -> Result<T, Error> {
	serde_json::from_slice(&std::fs::read(file)?)
		.map_err(|e| Error::Invalid(format!("{}: {e}", file.display())))
}
