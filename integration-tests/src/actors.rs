//! Actors, gateways and the CLI for end-to-end scenarios: each person or organisation has a
//! keystore and uses the real `medchain` CLI; gateways are real `medchain-gateway` processes.
//! Shared by the record-sharing and attack suites.

use std::{
	path::{Path, PathBuf},
	process::Stdio,
	time::{Duration, Instant},
};

use medchain_client::protocol::GatewayClient;
use serde_json::Value as Json;
use subxt::utils::AccountId32;
use subxt_signer::sr25519::dev;

use crate::{api, free_port, release_dir, TestNode};

/// How long one step may take.
pub const TIMEOUT: Duration = Duration::from_secs(60);
/// Every actor's keystore passphrase.
pub const PASSPHRASE: &str = "e2e passphrase";

/// A workspace binary; panics with a hint when it is not built.
pub fn binary(name: &str) -> PathBuf {
	let path = release_dir().join(name);
	assert!(
		path.is_file(),
		"{} is missing: build the workspace first (scripts/test.sh)",
		path.display()
	);
	path
}

/// One person or organisation with a keystore, using the CLI.
pub struct Actor {
	/// Name in logs and file names.
	pub name: &'static str,
	/// Its keystore file.
	pub keystore: PathBuf,
	/// Its account.
	pub account: AccountId32,
}

/// The CLI's answer: its JSON on success, its error text on failure.
pub type CliResult = Result<Json, String>;

/// Runs the CLI with `keystore` against `node` and `gateway`.
pub async fn cli(node: &TestNode, gateway: &str, keystore: &Path, args: &[&str]) -> CliResult {
	let output = tokio::process::Command::new(binary("medchain"))
		.args([
			"--json",
			"--node",
			node.ws_url(),
			"--gateway",
			gateway,
			"--keystore",
		])
		.arg(keystore)
		.args(args)
		.env("MEDCHAIN_PASSPHRASE", PASSPHRASE)
		.stdin(Stdio::null())
		.output()
		.await
		.expect("the medchain CLI runs");
	if output.status.success() {
		serde_json::from_slice(&output.stdout).map_err(|e| {
			format!(
				"unparsable output {e}: {}",
				String::from_utf8_lossy(&output.stdout)
			)
		})
	} else {
		Err(String::from_utf8_lossy(&output.stderr).into_owned())
	}
}

impl Actor {
	/// Creates the actor's keystore for the account of `suri`.
	pub async fn new(node: &TestNode, dir: &Path, name: &'static str, suri: &str) -> Self {
		let keystore = dir.join(format!("{name}.keystore.json"));
		let created = cli(
			node,
			"http://unused",
			&keystore,
			&["keys", "init", "--suri", suri],
		)
		.await
		.unwrap_or_else(|e| panic!("{name}: init: {e}"));
		let account: AccountId32 = created["account"].as_str().unwrap().parse().unwrap();
		Self {
			name,
			keystore,
			account,
		}
	}

	/// Runs `medchain <args>` as this actor.
	pub async fn run(&self, node: &TestNode, gateway: &str, args: &[&str]) -> CliResult {
		cli(node, gateway, &self.keystore, args).await
	}

	/// Runs `medchain <args>` as this actor; panics on failure.
	pub async fn ok(&self, node: &TestNode, gateway: &str, args: &[&str]) -> Json {
		self.run(node, gateway, args)
			.await
			.unwrap_or_else(|e| panic!("{}: medchain {}: {e}", self.name, args.join(" ")))
	}

	/// The account's SS58 address.
	pub fn ss58(&self) -> String {
		self.account.to_string()
	}
}

/// A running `medchain-gateway`, stopped on drop.
pub struct GatewayProcess {
	/// The process.
	pub child: tokio::process::Child,
	/// Its HTTP base URL.
	pub url: String,
	/// Its data directory.
	pub data: PathBuf,
	/// Its log file (stdout; stderr beside it).
	pub log: PathBuf,
}

impl GatewayProcess {
	/// Starts a gateway acting as `actor`, storing uploads of up to `max_upload` bytes.
	pub async fn start(node: &TestNode, dir: &Path, actor: &Actor, max_upload: u64) -> Self {
		Self::start_with(node, dir, actor, max_upload, &[]).await
	}

	/// [`GatewayProcess::start`] with extra command-line flags.
	pub async fn start_with(
		node: &TestNode,
		dir: &Path,
		actor: &Actor,
		max_upload: u64,
		extra: &[&str],
	) -> Self {
		let port = free_port().expect("a free port");
		let data = dir.join(format!("{}-data", actor.name));
		let log = dir.join(format!("{}.log", actor.name));
		Self::spawn(node, &data, &log, actor, port, max_upload, extra).await
	}

	/// Kills the gateway with SIGKILL (no shutdown of any kind, as in a crash) and starts it
	/// again on the same data directory and port, with `extra` flags; its output goes to
	/// `<name>.restarted.log`.
	pub async fn kill_and_restart(
		&mut self,
		node: &TestNode,
		actor: &Actor,
		max_upload: u64,
		extra: &[&str],
	) {
		self.child.kill().await.expect("the gateway is killed");
		let port: u16 = self
			.url
			.rsplit(':')
			.next()
			.and_then(|p| p.parse().ok())
			.expect("a port in the URL");
		let log = self.log.with_extension("restarted.log");
		*self = Self::spawn(
			node,
			&self.data.clone(),
			&log,
			actor,
			port,
			max_upload,
			extra,
		)
		.await;
	}

	async fn spawn(
		node: &TestNode,
		data: &Path,
		log: &Path,
		actor: &Actor,
		port: u16,
		max_upload: u64,
		extra: &[&str],
	) -> Self {
		let child = tokio::process::Command::new(binary("medchain-gateway"))
			.args([
				"--node",
				node.ws_url(),
				"--listen",
				&format!("127.0.0.1:{port}"),
			])
			.arg("--data-dir")
			.arg(data)
			.arg("--keystore")
			.arg(&actor.keystore)
			.args(["--max-upload-bytes", &max_upload.to_string()])
			.args(extra)
			.env("MEDCHAIN_PASSPHRASE", PASSPHRASE)
			.stdout(std::fs::File::create(log).unwrap())
			.stderr(std::fs::File::create(log.with_extension("err")).unwrap())
			.kill_on_drop(true)
			.spawn()
			.expect("the gateway starts");
		let url = format!("http://127.0.0.1:{port}");
		let client = GatewayClient::new(&url).unwrap();
		let started = Instant::now();
		while client.info().await.is_err() {
			assert!(
				started.elapsed() < TIMEOUT,
				"gateway {} did not come up",
				actor.name
			);
			tokio::time::sleep(Duration::from_millis(200)).await;
		}
		Self {
			child,
			url,
			data: data.to_path_buf(),
			log: log.to_path_buf(),
		}
	}

	/// Where it keeps blob `cid`.
	pub fn blob(&self, cid: &str) -> PathBuf {
		self.data.join("blobs").join(cid)
	}

	/// Whether it still runs and answers.
	pub async fn alive(&mut self) -> bool {
		self.child.try_wait().ok().flatten().is_none()
			&& GatewayClient::new(&self.url).unwrap().info().await.is_ok()
	}
}

/// Dispatches `call` as Root through //Alice's sudo; panics unless it succeeds.
pub async fn sudo(node: &TestNode, call: api::Call) {
	node.sudo_ok(call, &dev::alice(), TIMEOUT)
		.await
		.expect("the Root call succeeds");
}

/// A `transfer_keep_alive` of `amount` to `to`.
pub fn transfer(to: &AccountId32, amount: u128) -> impl subxt::transactions::Payload {
	api::tx()
		.balances()
		.transfer_keep_alive(subxt::utils::MultiAddress::Id(*to), amount)
}

/// Expects the CLI to fail with `needle` in its error; returns the error.
pub fn expect_refusal(result: CliResult, needle: &str) -> String {
	match result {
		Ok(json) => panic!("expected a refusal containing {needle:?}, got {json}"),
		Err(error) => {
			assert!(error.contains(needle), "expected {needle:?} in: {error}");
			error
		}
	}
}
