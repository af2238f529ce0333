//! # MedChain end-to-end test helpers
//!
//! Starts real `medchain-node` processes and drives them over JSON-RPC, so the tests in
//! `tests/` check what an operator or a wallet would see: blocks being authored (Aura),
//! finalised (GRANDPA), transactions accepted or refused by the pool, and state changes.
//!
//! - [`TestNode::dev`] starts `medchain-node --dev` on free ports with a fresh base path.
//! - [`NodeConfig`] describes any other node (e.g. a `--chain local` validator) and
//!   [`TestNetwork::local`] starts several validators that find each other via `--bootnodes`.
//! - [`TestNode`] offers block/finality helpers that return timings, so tests can report the
//!   block time and finality lag they measured.
//!
//! ## Finding the node binary
//!
//! `MEDCHAIN_NODE_BIN` if set, else `$CARGO_TARGET_DIR/release/medchain-node` (read at run
//! time; `<workspace>/target` when unset). Build it first with `scripts/test.sh` or
//! `cargo build --release -p medchain-node`.
//!
//! ## Processes and logs
//!
//! Each node gets a temporary directory holding its base path (`base/`) and its log
//! (`node.log`, stdout and stderr). A node is stopped when its [`TestNode`] is dropped —
//! SIGTERM first so it shuts down cleanly, SIGKILL if it has not exited in time — so it never
//! outlives a failing test. If the drop happens while the test is panicking, the tail of the log
//! is printed and the directory is kept for inspection. [`TestNode::shutdown`] stops a node
//! explicitly and fails unless it exits cleanly within the given time.
//!
//! ## Dependencies
//!
//! - `medchain-client`: the SDK's chain layer. Transactions are signed, submitted and followed
//!   by the same code the CLI and the gateway use ([`medchain_client::chain::Chain`]); calls,
//!   events, storage, constants and runtime APIs are the typed API generated from the
//!   runtime's metadata ([`api`]), so a renamed call breaks the build, not a test run.
//! - `subxt`: block subscriptions, and `subxt::rpcs` for the plain node RPCs
//!   (`chain_getHeader`, `system_health`, `system_localPeerId`).
//! - `subxt-signer`: the well-known dev keys (`//Alice`, `//Bob`) as subxt signers.
//! - `tempfile`: per-node directories, removed after a passing test.
//! - `tokio`: the async runtime behind `#[tokio::test]`, timeouts and sleeps.
//!
//! Processes are managed with `std::process`. The crate forbids `unsafe` and adds no
//! `libc`/`nix` dependency, so SIGTERM is sent with the POSIX `kill` utility.

pub mod actors;
pub mod fl;
pub mod load;
pub mod reads;

/// The typed chain API (generated from the runtime's metadata) and the client SDK's names for
/// its types, which the end-to-end tests share with the `medchain` CLI and the gateway.
pub use medchain_client::chain::{api, consent, key_grants, records, MedChainConfig};

use std::{
	collections::BTreeSet,
	ffi::{OsStr, OsString},
	fmt,
	fs::File,
	io,
	net::TcpListener,
	path::{Path, PathBuf},
	process::{Child, Command, ExitStatus, Stdio},
	sync::{Mutex, PoisonError},
	time::{Duration, Instant},
};

use subxt::{
	config::substrate::AccountId32,
	events::DecodeAsEvent,
	extrinsics::ExtrinsicEvents,
	rpcs::{
		client::RpcParams,
		methods::legacy::{Bytes, NumberOrHex},
		RpcClient,
	},
	transactions::{Payload, Signer},
};

/// How long [`TestNode::dispatch`] and [`TestNode::refused`] wait for a transaction's block.
pub const STEP_TIMEOUT: Duration = Duration::from_secs(90);
/// How long a node may take to answer JSON-RPC after it was started.
pub const STARTUP_TIMEOUT: Duration = Duration::from_secs(60);
/// How long [`Drop`] waits for a node to exit after SIGTERM before it sends SIGKILL.
pub const DROP_STOP_TIMEOUT: Duration = Duration::from_secs(15);
/// Lines of node log included in errors and printed when a test panics.
pub const LOG_TAIL_LINES: usize = 60;

/// Pause between two readiness or exit checks.
const POLL_INTERVAL: Duration = Duration::from_millis(100);
/// Pause between two attempts to reach a starting node's RPC server.
const STARTUP_POLL_INTERVAL: Duration = Duration::from_millis(250);
/// Upper bound for one connection attempt while a node starts.
const RPC_ATTEMPT_TIMEOUT: Duration = Duration::from_secs(5);
/// Start attempts when the ports picked for a node turn out to be taken.
const MAX_START_ATTEMPTS: usize = 3;

// ---------------------------------------------------------------------------------------------
// Chain configuration
// ---------------------------------------------------------------------------------------------

pub use medchain_client::chain::{
	BlockHash, Client, ClientAtBlock, LegacyRpc, TxInBlock, TxProgress,
};

/// The MED token, as configured in `medchain_runtime::currency` (the client's constant; the
/// chain's existential deposit is checked against this in the foundation test).
pub mod token {
	/// One MED in plancks (12 decimals).
	pub use medchain_client::chain::UNIT;
	/// Accounts holding less than this (0.001 MED) are reaped.
	pub const EXISTENTIAL_DEPOSIT: u128 = UNIT / 1_000;
}

// ---------------------------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------------------------

/// Why a helper failed. The `Display` output is meant to be read in a test's panic message.
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
	/// The `medchain-node` binary does not exist.
	BinaryNotFound {
		/// Where it was looked for.
		path: PathBuf,
	},
	/// A local I/O operation failed.
	Io {
		/// What was being done.
		context: String,
		/// The error.
		source: io::Error,
	},
	/// subxt (RPC, decoding, ...) failed.
	Subxt {
		/// What was being done.
		context: String,
		/// The error.
		source: Box<subxt::Error>,
	},
	/// Something did not happen in time.
	Timeout {
		/// What was awaited.
		what: String,
		/// How long it was awaited.
		after: Duration,
	},
	/// The node process misbehaved (failed to start, exited, did not shut down cleanly).
	Node {
		/// What went wrong.
		message: String,
		/// The end of the node's log.
		log_tail: String,
	},
	/// The chain is not in the state the helper expected.
	Chain {
		/// What went wrong.
		message: String,
	},
}

impl fmt::Display for Error {
	fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
		match self {
			Error::BinaryNotFound { path } => write!(
				f,
				"medchain-node binary not found at {}: build it with scripts/test.sh or \
				 `cargo build --release -p medchain-node`, or point MEDCHAIN_NODE_BIN at it",
				path.display()
			),
			Error::Io { context, source } => write!(f, "{context}: {source}"),
			Error::Subxt { context, source } => write!(f, "{context}: {source}"),
			Error::Timeout { what, after } => {
				write!(f, "timed out after {after:?} waiting for {what}")
			}
			Error::Node { message, log_tail } => write!(
				f,
				"{message}\n---- node log (last lines) ----\n{log_tail}\n---- end of node log ----"
			),
			Error::Chain { message } => f.write_str(message),
		}
	}
}

impl std::error::Error for Error {
	fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
		match self {
			Error::Io { source, .. } => Some(source),
			Error::Subxt { source, .. } => Some(source.as_ref()),
			_ => None,
		}
	}
}

/// Result of the helpers in this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// `map_err` adapter turning any subxt error into [`Error::Subxt`] with some context.
fn subxt_err<E: Into<subxt::Error>>(context: impl Into<String>) -> impl FnOnce(E) -> Error {
	let context = context.into();
	move |source| Error::Subxt {
		context,
		source: Box::new(source.into()),
	}
}

/// `map_err` adapter turning an I/O error into [`Error::Io`] with some context.
fn chain_err(context: impl Into<String>) -> impl FnOnce(medchain_client::Error) -> Error {
	let context = context.into();
	move |error| Error::Chain {
		message: format!("{context}: {error}"),
	}
}

fn io_err(context: impl Into<String>) -> impl FnOnce(io::Error) -> Error {
	let context = context.into();
	move |source| Error::Io { context, source }
}

// ---------------------------------------------------------------------------------------------
// Binary and ports
// ---------------------------------------------------------------------------------------------

/// The workspace root (this crate lives in `<root>/integration-tests`).
fn workspace_root() -> PathBuf {
	Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// `$CARGO_TARGET_DIR/release` (a relative `CARGO_TARGET_DIR` is taken relative to the
/// workspace root), else `<workspace>/target/release`.
pub fn release_dir() -> PathBuf {
	let target = std::env::var_os("CARGO_TARGET_DIR")
		.filter(|p| !p.is_empty())
		.map(PathBuf::from)
		.unwrap_or_else(|| PathBuf::from("target"));
	let target = if target.is_relative() {
		workspace_root().join(target)
	} else {
		target
	};
	target.join("release")
}

/// Where the `medchain-node` binary is expected: `MEDCHAIN_NODE_BIN`, else
/// `medchain-node` in the release directory (see `release_dir`).
pub fn node_binary_path() -> PathBuf {
	if let Some(path) = std::env::var_os("MEDCHAIN_NODE_BIN").filter(|p| !p.is_empty()) {
		return PathBuf::from(path);
	}
	release_dir().join("medchain-node")
}

/// The upgrade rehearsal runtime (this runtime with `spec_version` one higher), built beside
/// the node by `runtime/build.rs`: `MEDCHAIN_REHEARSAL_WASM`, else its place in the WASM
/// builder's directory.
pub fn upgrade_rehearsal_wasm() -> Result<Vec<u8>> {
	let path = std::env::var_os("MEDCHAIN_REHEARSAL_WASM")
		.filter(|p| !p.is_empty())
		.map(PathBuf::from)
		.unwrap_or_else(|| {
			release_dir()
				.join("wbuild")
				.join("medchain-runtime")
				.join("upgrade_rehearsal.compact.compressed.wasm")
		});
	std::fs::read(&path).map_err(io_err(format!(
		"reading the upgrade rehearsal runtime {} (built with the node)",
		path.display()
	)))
}

/// [`node_binary_path`], checked to exist.
pub fn node_binary() -> Result<PathBuf> {
	let path = node_binary_path();
	if path.is_file() {
		Ok(path)
	} else {
		Err(Error::BinaryNotFound { path })
	}
}

/// Ports already handed out in this process, so two nodes of one test never get the same one.
static USED_PORTS: Mutex<BTreeSet<u16>> = Mutex::new(BTreeSet::new());

/// A TCP port that is free right now and was not handed out before in this process.
///
/// Another process may still take it before the node binds it; [`NodeConfig::spawn`] retries
/// with new ports when a node fails to start because a port is in use.
pub fn free_port() -> Result<u16> {
	for _ in 0..100 {
		let listener =
			TcpListener::bind(("127.0.0.1", 0)).map_err(io_err("binding a probe socket"))?;
		let port = listener
			.local_addr()
			.map_err(io_err("reading a probe socket's port"))?
			.port();
		drop(listener);
		if USED_PORTS
			.lock()
			.unwrap_or_else(PoisonError::into_inner)
			.insert(port)
		{
			return Ok(port);
		}
	}
	Err(Error::Chain {
		message: "could not find a free TCP port in 100 attempts".into(),
	})
}

/// The ports a node listens on (all on localhost except P2P, which listens on all interfaces).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ports {
	/// JSON-RPC (WebSocket and HTTP): `--rpc-port`.
	pub rpc: u16,
	/// libp2p: `--port`.
	pub p2p: u16,
	/// Prometheus metrics: `--prometheus-port`.
	pub prometheus: u16,
}

impl Ports {
	/// Three fresh ports.
	pub fn allocate() -> Result<Self> {
		Ok(Ports {
			rpc: free_port()?,
			p2p: free_port()?,
			prometheus: free_port()?,
		})
	}
}

// ---------------------------------------------------------------------------------------------
// Node configuration
// ---------------------------------------------------------------------------------------------

/// Which chain a node runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Chain {
	/// `--dev`: single validator (Alice), instant start, temporary keys.
	Dev,
	/// `--chain local`: the multi-validator local testnet (Alice, Bob and Charlie are validators).
	Local,
	/// `--chain <path>`: a chain spec file.
	Spec(PathBuf),
}

/// A well-known development identity: `--alice` etc. put its session keys into the node's
/// keystore and name the node after it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DevKey {
	/// `//Alice`.
	Alice,
	/// `//Bob`.
	Bob,
	/// `//Charlie`.
	Charlie,
	/// `//Dave`.
	Dave,
	/// `//Eve`.
	Eve,
	/// `//Ferdie`.
	Ferdie,
}

impl DevKey {
	/// All dev keys, in the usual order.
	pub const ALL: [DevKey; 6] = [
		DevKey::Alice,
		DevKey::Bob,
		DevKey::Charlie,
		DevKey::Dave,
		DevKey::Eve,
		DevKey::Ferdie,
	];

	/// The node flag that selects this identity, e.g. `--alice`.
	pub fn flag(self) -> &'static str {
		match self {
			DevKey::Alice => "--alice",
			DevKey::Bob => "--bob",
			DevKey::Charlie => "--charlie",
			DevKey::Dave => "--dave",
			DevKey::Eve => "--eve",
			DevKey::Ferdie => "--ferdie",
		}
	}

	/// The name, e.g. `Alice`.
	pub fn name(self) -> &'static str {
		match self {
			DevKey::Alice => "Alice",
			DevKey::Bob => "Bob",
			DevKey::Charlie => "Charlie",
			DevKey::Dave => "Dave",
			DevKey::Eve => "Eve",
			DevKey::Ferdie => "Ferdie",
		}
	}

	/// A deterministic libp2p node key (hex ed25519 secret): `00…01` for Alice, `00…02` for Bob,
	/// and so on, so every run has the same peer IDs (Alice's is
	/// `12D3KooWEyoppNCUx8Yx66oV9fJnriXwCcXwDDUA2kj6vnc6iDEp`). Test keys only: they are public.
	pub fn node_key(self) -> String {
		let index = self as usize + 1;
		format!("{index:064x}")
	}
}

/// How to start one `medchain-node`. Build one with [`NodeConfig::dev`],
/// [`NodeConfig::local`] or [`NodeConfig::local_validator`], adjust it, then [`spawn`] it.
///
/// Every node gets `--base-path <tmp>/base`, fresh `--rpc-port`/`--port`/`--prometheus-port`,
/// `--no-telemetry` and `--no-mdns` (so concurrent test networks never discover each other).
///
/// [`spawn`]: NodeConfig::spawn
#[derive(Debug, Clone)]
pub struct NodeConfig {
	chain: Chain,
	name: Option<String>,
	dev_key: Option<DevKey>,
	validator: bool,
	node_key: Option<String>,
	bootnodes: Vec<String>,
	extra_args: Vec<OsString>,
	startup_timeout: Duration,
	binary: Option<PathBuf>,
	base_path: Option<PathBuf>,
}

impl NodeConfig {
	fn new(chain: Chain) -> Self {
		NodeConfig {
			chain,
			name: None,
			dev_key: None,
			validator: false,
			node_key: None,
			bootnodes: Vec::new(),
			extra_args: Vec::new(),
			startup_timeout: STARTUP_TIMEOUT,
			binary: None,
			base_path: None,
		}
	}

	/// `medchain-node --dev`.
	pub fn dev() -> Self {
		NodeConfig::new(Chain::Dev)
	}

	/// A non-validating full node of `--chain local`.
	pub fn local() -> Self {
		NodeConfig::new(Chain::Local)
	}

	/// A validator of `--chain local` with the given dev identity and its deterministic node
	/// key. (Validators outside `--dev` refuse to start without an explicit network key.)
	pub fn local_validator(key: DevKey) -> Self {
		NodeConfig::new(Chain::Local)
			.dev_key(key)
			.validator(true)
			.node_key(key.node_key())
	}

	/// Runs another chain.
	pub fn chain(mut self, chain: Chain) -> Self {
		self.chain = chain;
		self
	}

	/// `--name`.
	pub fn name(mut self, name: impl Into<String>) -> Self {
		self.name = Some(name.into());
		self
	}

	/// `--alice` etc.
	pub fn dev_key(mut self, key: DevKey) -> Self {
		self.dev_key = Some(key);
		self
	}

	/// `--validator`.
	pub fn validator(mut self, validator: bool) -> Self {
		self.validator = validator;
		self
	}

	/// `--node-key` (64 hex characters).
	pub fn node_key(mut self, hex_secret: impl Into<String>) -> Self {
		self.node_key = Some(hex_secret.into());
		self
	}

	/// Adds a `--bootnodes` multiaddress (see [`TestNode::p2p_multiaddr`]).
	pub fn bootnode(mut self, multiaddr: impl Into<String>) -> Self {
		self.bootnodes.push(multiaddr.into());
		self
	}

	/// Adds any other command-line argument.
	pub fn arg(mut self, arg: impl Into<OsString>) -> Self {
		self.extra_args.push(arg.into());
		self
	}

	/// How long the node may take to answer JSON-RPC (default [`STARTUP_TIMEOUT`]).
	pub fn startup_timeout(mut self, timeout: Duration) -> Self {
		self.startup_timeout = timeout;
		self
	}

	/// Uses this binary instead of [`node_binary`].
	pub fn binary(mut self, path: impl Into<PathBuf>) -> Self {
		self.binary = Some(path.into());
		self
	}

	/// Keeps the chain's database at `path` (kept after the node stops) instead of in the
	/// node's temporary directory.
	pub fn base_path(mut self, path: impl Into<PathBuf>) -> Self {
		self.base_path = Some(path.into());
		self
	}

	/// A short name for directories and messages.
	fn label(&self) -> String {
		if let Some(name) = &self.name {
			return name.clone();
		}
		let chain = match &self.chain {
			Chain::Dev => "dev",
			Chain::Local => "local",
			Chain::Spec(_) => "custom",
		};
		match self.dev_key {
			Some(key) => format!("{chain}-{}", key.name().to_lowercase()),
			None => chain.to_string(),
		}
	}

	/// The node's command line.
	fn args(&self, base_path: &Path, ports: Ports) -> Vec<OsString> {
		let mut args: Vec<OsString> = Vec::new();
		match &self.chain {
			Chain::Dev => args.push("--dev".into()),
			Chain::Local => push_option(&mut args, "--chain", "local"),
			Chain::Spec(path) => push_option(&mut args, "--chain", path),
		}
		push_option(&mut args, "--base-path", base_path);
		push_option(&mut args, "--rpc-port", ports.rpc.to_string());
		push_option(&mut args, "--port", ports.p2p.to_string());
		push_option(&mut args, "--prometheus-port", ports.prometheus.to_string());
		args.push("--no-telemetry".into());
		args.push("--no-mdns".into());
		if let Some(key) = self.dev_key {
			args.push(key.flag().into());
		}
		if self.validator {
			args.push("--validator".into());
		}
		if let Some(name) = &self.name {
			push_option(&mut args, "--name", name);
		}
		if let Some(node_key) = &self.node_key {
			push_option(&mut args, "--node-key", node_key);
		}
		for bootnode in &self.bootnodes {
			push_option(&mut args, "--bootnodes", bootnode);
		}
		args.extend(self.extra_args.iter().cloned());
		args
	}

	/// Starts the node and waits until its JSON-RPC server answers. The process is killed if
	/// that does not happen within the startup timeout. Retries with fresh ports if one of the
	/// chosen ports was taken in the meantime.
	pub async fn spawn(self) -> Result<TestNode> {
		let binary = match &self.binary {
			Some(path) if path.is_file() => path.clone(),
			Some(path) => return Err(Error::BinaryNotFound { path: path.clone() }),
			None => node_binary()?,
		};
		let mut attempt = 1;
		loop {
			match self.start_once(&binary).await {
				Err(error) if attempt < MAX_START_ATTEMPTS && is_port_collision(&error) => {
					attempt += 1;
				}
				result => return result,
			}
		}
	}

	async fn start_once(&self, binary: &Path) -> Result<TestNode> {
		let label = self.label();
		let dir = tempfile::Builder::new()
			.prefix(&format!("medchain-{label}-"))
			.tempdir()
			.map_err(io_err("creating a temporary directory for the node"))?;
		let log_path = dir.path().join("node.log");
		let base_path = self
			.base_path
			.clone()
			.unwrap_or_else(|| dir.path().join("base"));
		let ports = Ports::allocate()?;

		let log =
			File::create(&log_path).map_err(io_err(format!("creating {}", log_path.display())))?;
		let stdout = log
			.try_clone()
			.map_err(io_err("duplicating the log file handle"))?;
		let args = self.args(&base_path, ports);
		let child = Command::new(binary)
			.args(&args)
			.stdin(Stdio::null())
			.stdout(stdout)
			.stderr(log)
			.spawn()
			.map_err(io_err(format!("starting {}", binary.display())))?;
		// From here on, dropping `process` (e.g. on an early return) stops the node.
		let mut process = NodeProcess {
			label,
			child,
			dir,
			log_path,
			base_path: base_path.clone(),
			binary: binary.to_path_buf(),
			args,
		};

		let ws_url = format!("ws://127.0.0.1:{}", ports.rpc);
		let rpc_client = wait_for_rpc(&mut process, &ws_url, self.startup_timeout).await?;
		let chain = medchain_client::chain::Chain::from_rpc_client(rpc_client.clone())
			.await
			.map_err(chain_err(format!("connecting subxt to {ws_url}")))?;
		Ok(TestNode {
			chain,
			rpc_client,
			ws_url,
			ports,
			process,
		})
	}
}

/// Appends `option value` to a command line.
fn push_option(args: &mut Vec<OsString>, option: &str, value: impl AsRef<OsStr>) {
	args.push(option.into());
	args.push(value.as_ref().to_owned());
}

/// Did the node fail because a port was taken? (RPC: "Address already in use";
/// Prometheus: "Prometheus port … already in use".)
fn is_port_collision(error: &Error) -> bool {
	matches!(error, Error::Node { log_tail, .. } if log_tail.contains("already in use"))
}

/// Writes the raw chain spec of the four-validator consortium network zombienet runs (the
/// `local` preset plus Dave as a validator, `zombienet/spec.py`) into `dir`; returns its path.
pub fn consortium_spec(dir: &Path) -> Result<PathBuf> {
	let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../zombienet/spec.py");
	let output = Command::new("python3")
		.arg(&script)
		.env("MEDCHAIN_NODE_BIN", node_binary()?)
		.output()
		.map_err(io_err("running python3 zombienet/spec.py"))?;
	if !output.status.success() {
		return Err(Error::Node {
			message: "zombienet/spec.py failed".into(),
			log_tail: String::from_utf8_lossy(&output.stderr).into_owned(),
		});
	}
	let path = dir.join("consortium.json");
	std::fs::write(&path, output.stdout).map_err(io_err(format!("writing {}", path.display())))?;
	Ok(path)
}

/// Polls `url` until the node answers `system_health`, the node exits, or `timeout` passes.
async fn wait_for_rpc(
	process: &mut NodeProcess,
	url: &str,
	timeout: Duration,
) -> Result<RpcClient> {
	let started = Instant::now();
	loop {
		if let Some(status) = process.try_status()? {
			return Err(Error::Node {
				message: format!("{} exited during startup with {status}", process.label),
				log_tail: process.log_tail(),
			});
		}
		if let Some(client) = try_rpc(url).await {
			return Ok(client);
		}
		if started.elapsed() >= timeout {
			return Err(Error::Node {
				message: format!(
					"{} did not answer JSON-RPC on {url} within {timeout:?}; it was stopped",
					process.label
				),
				log_tail: process.log_tail(),
			});
		}
		tokio::time::sleep(STARTUP_POLL_INTERVAL).await;
	}
}

/// One connection attempt, bounded by [`RPC_ATTEMPT_TIMEOUT`].
async fn try_rpc(url: &str) -> Option<RpcClient> {
	tokio::time::timeout(RPC_ATTEMPT_TIMEOUT, connect_and_check(url))
		.await
		.ok()
		.flatten()
}

/// Connects to `url` and calls `system_health`.
async fn connect_and_check(url: &str) -> Option<RpcClient> {
	let client = RpcClient::from_insecure_url(url).await.ok()?;
	LegacyRpc::new(client.clone()).system_health().await.ok()?;
	Some(client)
}

// ---------------------------------------------------------------------------------------------
// The node process
// ---------------------------------------------------------------------------------------------

/// Owns the child process and its directory; stops the process when dropped.
struct NodeProcess {
	label: String,
	child: Child,
	dir: tempfile::TempDir,
	log_path: PathBuf,
	base_path: PathBuf,
	/// The command line it was started with, to start it again ([`TestNode::restart`]).
	binary: PathBuf,
	args: Vec<OsString>,
}

impl NodeProcess {
	fn try_status(&mut self) -> Result<Option<ExitStatus>> {
		self.child.try_wait().map_err(io_err(format!(
			"checking whether {} is still running",
			self.label
		)))
	}

	fn log_tail(&self) -> String {
		log_tail(&self.log_path, LOG_TAIL_LINES)
	}

	/// SIGTERM, wait up to `timeout` (blocking), then SIGKILL.
	fn stop_blocking(&mut self, timeout: Duration) -> io::Result<ExitStatus> {
		if let Some(status) = self.child.try_wait()? {
			return Ok(status);
		}
		if let Err(error) = send_sigterm(self.child.id()) {
			eprintln!(
				"[medchain-integration-tests] {}: {error}; killing it",
				self.label
			);
		} else {
			let deadline = Instant::now() + timeout;
			while Instant::now() < deadline {
				if let Some(status) = self.child.try_wait()? {
					return Ok(status);
				}
				std::thread::sleep(POLL_INTERVAL);
			}
			eprintln!(
				"[medchain-integration-tests] {} ignored SIGTERM for {timeout:?}; killing it",
				self.label
			);
		}
		self.child.kill()?;
		self.child.wait()
	}
}

impl Drop for NodeProcess {
	fn drop(&mut self) {
		if let Err(error) = self.stop_blocking(DROP_STOP_TIMEOUT) {
			eprintln!(
				"[medchain-integration-tests] could not stop {}: {error}",
				self.label
			);
		}
		if std::thread::panicking() {
			self.dir.disable_cleanup(true);
			eprintln!(
				"---- {} log (last {LOG_TAIL_LINES} lines; full log kept at {}) ----\n{}\n\
				 ---- end of {} log ----",
				self.label,
				self.log_path.display(),
				self.log_tail(),
				self.label,
			);
		}
	}
}

/// Asks process `pid` to shut down cleanly (the node handles SIGTERM like Ctrl-C).
fn send_sigterm(pid: u32) -> io::Result<()> {
	let status = Command::new("kill")
		.arg("-TERM")
		.arg(pid.to_string())
		.stdin(Stdio::null())
		.stdout(Stdio::null())
		.stderr(Stdio::null())
		.status()?;
	if status.success() {
		Ok(())
	} else {
		Err(io::Error::other(format!(
			"`kill -TERM {pid}` failed with {status}"
		)))
	}
}

/// Polls `check` every 500 ms until it returns `Some`, and returns that with the time it
/// took; panics (failing the test) with `what` if `timeout` passes first.
pub async fn poll_until<T, F, Fut>(what: &str, timeout: Duration, mut check: F) -> (T, Duration)
where
	F: FnMut() -> Fut,
	Fut: std::future::Future<Output = Option<T>>,
{
	let started = Instant::now();
	loop {
		if let Some(found) = check().await {
			return (found, started.elapsed());
		}
		assert!(
			started.elapsed() < timeout,
			"{what}: not within {timeout:?}"
		);
		tokio::time::sleep(Duration::from_millis(500)).await;
	}
}

/// The last `lines` lines of the file at `path` (or why it could not be read).
pub fn log_tail(path: &Path, lines: usize) -> String {
	match std::fs::read(path) {
		Ok(bytes) => {
			let text = String::from_utf8_lossy(&bytes);
			let all: Vec<&str> = text.lines().collect();
			all[all.len().saturating_sub(lines)..].join("\n")
		}
		Err(error) => format!("<could not read {}: {error}>", path.display()),
	}
}

// ---------------------------------------------------------------------------------------------
// A running node
// ---------------------------------------------------------------------------------------------

/// A block number with its hash.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BlockId {
	/// The block number.
	pub number: u64,
	/// The block hash.
	pub hash: BlockHash,
}

/// A block seen on a subscription, with the time it was seen.
#[derive(Debug, Clone, Copy)]
pub struct ObservedBlock {
	/// The block number.
	pub number: u64,
	/// The block hash.
	pub hash: BlockHash,
	/// When it was seen.
	pub seen_at: Instant,
}

/// New best blocks observed by [`TestNode::wait_for_new_blocks`].
#[derive(Debug, Clone)]
pub struct BlockProduction {
	/// The best block when the wait started.
	pub start: BlockId,
	/// Each new best block, in the order seen.
	pub blocks: Vec<ObservedBlock>,
}

impl BlockProduction {
	/// Mean wall-clock time per block between the first and the last new block, or `None`
	/// with fewer than two of them.
	pub fn mean_block_time(&self) -> Option<Duration> {
		let (first, last) = (self.blocks.first()?, self.blocks.last()?);
		let blocks = u32::try_from(last.number.checked_sub(first.number)?).ok()?;
		if blocks == 0 {
			return None;
		}
		Some(last.seen_at.duration_since(first.seen_at) / blocks)
	}

	/// The last new best block.
	pub fn last(&self) -> Option<&ObservedBlock> {
		self.blocks.last()
	}
}

/// A block that was seen finalised by [`TestNode::wait_for_finalized`].
#[derive(Debug, Clone, Copy)]
pub struct Finality {
	/// The block that is now final.
	pub block: BlockId,
	/// When finality was observed.
	pub finalized_at: Instant,
	/// How long the helper waited.
	pub waited: Duration,
	/// The best block number right after finality was observed.
	pub best_number: u64,
}

impl Finality {
	/// How many blocks the best chain was ahead of the block when it became final.
	pub fn lag_blocks(&self) -> u64 {
		self.best_number.saturating_sub(self.block.number)
	}
}

/// A transaction included in a block, from [`TestNode::wait_for_inclusion`].
pub struct Inclusion {
	/// subxt's handle on the transaction in its block (events, success).
	pub in_block: TxInBlock,
	/// The block it is in.
	pub block: BlockId,
	/// When the inclusion was observed.
	pub included_at: Instant,
	/// True if the first status seen was already "finalized".
	pub already_finalized: bool,
}

/// Session keys a node generated, with the proof of ownership `Session.set_keys` checks.
#[derive(Debug, Clone, serde::Deserialize)]
pub struct GeneratedSessionKeys {
	/// The SCALE-encoded `SessionKeys` (Aura sr25519 key, then GRANDPA ed25519 key).
	pub keys: Bytes,
	/// Signatures of the owner's account by each key.
	pub proof: Bytes,
}

/// A transaction that dispatched successfully, from [`TestNode::submit_ok`].
pub struct Dispatched {
	/// Where it was included.
	pub inclusion: Inclusion,
	/// Its events.
	pub events: ExtrinsicEvents<MedChainConfig>,
}

/// How a node stopped, from [`TestNode::shutdown`].
#[derive(Debug, Clone, Copy)]
pub struct Shutdown {
	/// How the process exited.
	pub status: ExitStatus,
	/// Time from SIGTERM to exit.
	pub took: Duration,
}

/// A running `medchain-node`, stopped on drop. See the [crate docs](crate).
pub struct TestNode {
	/// The client SDK's connection: the same submission, nonce and watch code the CLI and
	/// the gateway use.
	chain: medchain_client::chain::Chain,
	rpc_client: RpcClient,
	ws_url: String,
	ports: Ports,
	// Last: dropped after the RPC clients above.
	process: NodeProcess,
}

impl TestNode {
	/// Starts `medchain-node --dev` (see [`NodeConfig::dev`]).
	pub async fn dev() -> Result<TestNode> {
		NodeConfig::dev().spawn().await
	}

	/// The subxt client.
	pub fn client(&self) -> &Client {
		self.chain.client()
	}

	/// The client SDK's connection to the node.
	pub fn chain(&self) -> &medchain_client::chain::Chain {
		&self.chain
	}

	/// The node's plain RPC methods.
	pub fn rpc(&self) -> &LegacyRpc {
		self.chain.rpc()
	}

	/// The raw RPC client, for methods neither [`Self::client`] nor [`Self::rpc`] offer.
	pub fn rpc_client(&self) -> &RpcClient {
		&self.rpc_client
	}

	/// `ws://127.0.0.1:<rpc port>`.
	pub fn ws_url(&self) -> &str {
		&self.ws_url
	}

	/// The node's ports.
	pub fn ports(&self) -> Ports {
		self.ports
	}

	/// A short name of the node (e.g. `dev`, `local-alice`).
	pub fn label(&self) -> &str {
		&self.process.label
	}

	/// The node's log file (stdout and stderr).
	pub fn log_path(&self) -> &Path {
		&self.process.log_path
	}

	/// The node's `--base-path`.
	pub fn base_path(&self) -> PathBuf {
		self.process.base_path.clone()
	}

	/// The last `lines` lines of the node's log.
	pub fn log_tail(&self, lines: usize) -> String {
		log_tail(&self.process.log_path, lines)
	}

	/// Kills the node with SIGKILL (no clean shutdown: what a power cut or an OOM kill does),
	/// keeping its base path, keys and log for [`TestNode::restart`].
	pub fn kill(&mut self) -> Result<()> {
		let label = self.process.label.clone();
		self.process
			.child
			.kill()
			.map_err(io_err(format!("killing {label}")))?;
		self.process
			.child
			.wait()
			.map_err(io_err(format!("waiting for {label} to die")))?;
		Ok(())
	}

	/// Starts a node stopped by [`TestNode::kill`] again with the same command line (base
	/// path, ports, keys), appending to its log, and waits until its RPC server answers.
	pub async fn restart(&mut self) -> Result<()> {
		if self.process.try_status()?.is_none() {
			return Err(Error::Node {
				message: format!("{} is still running; kill it first", self.process.label),
				log_tail: self.process.log_tail(),
			});
		}
		let log = std::fs::OpenOptions::new()
			.append(true)
			.open(&self.process.log_path)
			.map_err(io_err(format!(
				"opening {}",
				self.process.log_path.display()
			)))?;
		let stdout = log
			.try_clone()
			.map_err(io_err("duplicating the log file handle"))?;
		self.process.child = Command::new(&self.process.binary)
			.args(&self.process.args)
			.stdin(Stdio::null())
			.stdout(stdout)
			.stderr(log)
			.spawn()
			.map_err(io_err(format!("restarting {}", self.process.label)))?;
		let rpc_client = wait_for_rpc(&mut self.process, &self.ws_url, STARTUP_TIMEOUT).await?;
		self.chain = medchain_client::chain::Chain::from_rpc_client(rpc_client.clone())
			.await
			.map_err(chain_err(format!("connecting subxt to {}", self.ws_url)))?;
		self.rpc_client = rpc_client;
		Ok(())
	}

	/// The operating-system process ID.
	pub fn pid(&self) -> u32 {
		self.process.child.id()
	}

	/// The node's libp2p peer ID (`system_localPeerId`).
	pub async fn peer_id(&self) -> Result<String> {
		self.rpc_client
			.request::<String>("system_localPeerId", RpcParams::new())
			.await
			.map_err(subxt_err(format!("{}: system_localPeerId", self.label())))
	}

	/// Generates new session keys in the node's keystore with a proof that `owner` holds them
	/// (`author_rotateKeysWithOwner`), ready for `Session.set_keys`.
	pub async fn rotate_keys_with_owner(
		&self,
		owner: &AccountId32,
	) -> Result<GeneratedSessionKeys> {
		let mut params = RpcParams::new();
		params
			.push(Bytes(owner.0.to_vec()))
			.map_err(subxt_err("encoding the owner"))?;
		self.rpc_client
			.request::<GeneratedSessionKeys>("author_rotateKeysWithOwner", params)
			.await
			.map_err(subxt_err(format!(
				"{}: author_rotateKeysWithOwner",
				self.label()
			)))
	}

	/// The runtime's `spec_version` at the best block (`state_getRuntimeVersion`).
	pub async fn spec_version(&self) -> Result<u32> {
		self.rpc()
			.state_get_runtime_version(None)
			.await
			.map(|version| version.spec_version)
			.map_err(subxt_err(format!(
				"{}: state_getRuntimeVersion",
				self.label()
			)))
	}

	/// A multiaddress other nodes can use as `--bootnodes`:
	/// `/ip4/127.0.0.1/tcp/<p2p port>/p2p/<peer id>`.
	pub async fn p2p_multiaddr(&self) -> Result<String> {
		Ok(format!(
			"/ip4/127.0.0.1/tcp/{}/p2p/{}",
			self.ports.p2p,
			self.peer_id().await?
		))
	}

	/// The number of a block, by hash.
	pub async fn block_id(&self, hash: BlockHash) -> Result<BlockId> {
		let number = self
			.chain
			.number_of(hash)
			.await
			.map_err(chain_err(self.label()))?;
		Ok(BlockId {
			number: number.into(),
			hash,
		})
	}

	/// The current best block.
	pub async fn best_block(&self) -> Result<BlockId> {
		let (number, hash) = self.chain.best().await.map_err(chain_err(self.label()))?;
		Ok(BlockId {
			number: number.into(),
			hash,
		})
	}

	/// The current finalised block.
	pub async fn finalized_block(&self) -> Result<BlockId> {
		let (number, hash) = self
			.chain
			.finalized()
			.await
			.map_err(chain_err(self.label()))?;
		Ok(BlockId {
			number: number.into(),
			hash,
		})
	}

	/// The hash of the best-chain block at `number`, if there is one. For finalised heights
	/// that is the finalised block.
	pub async fn canonical_hash(&self, number: u64) -> Result<Option<BlockHash>> {
		self.rpc()
			.chain_get_block_hash(Some(NumberOrHex::Number(number)))
			.await
			.map_err(subxt_err(format!(
				"{}: chain_getBlockHash({number})",
				self.label()
			)))
	}

	/// Waits until `count` new best blocks (higher than the best block at the start) have
	/// been seen, recording when each arrived.
	pub async fn wait_for_new_blocks(
		&self,
		count: usize,
		timeout: Duration,
	) -> Result<BlockProduction> {
		let started = Instant::now();
		let mut stream = self
			.client()
			.stream_best_blocks()
			.await
			.map_err(subxt_err(format!(
				"{}: subscribing to best blocks",
				self.label()
			)))?;
		let start = self.best_block().await?;
		let mut highest = start.number;
		let mut blocks = Vec::with_capacity(count);
		while blocks.len() < count {
			let remaining = timeout.saturating_sub(started.elapsed());
			let next = tokio::time::timeout(remaining, stream.next())
				.await
				.map_err(|_| Error::Timeout {
					what: format!(
						"{count} new best blocks after #{} on {} (saw {})",
						start.number,
						self.label(),
						blocks.len()
					),
					after: timeout,
				})?;
			let block = next
				.ok_or_else(|| Error::Chain {
					message: "the best-block subscription ended".into(),
				})?
				.map_err(subxt_err(format!(
					"{}: reading the best-block subscription",
					self.label()
				)))?;
			if block.number() > highest {
				highest = block.number();
				blocks.push(ObservedBlock {
					number: block.number(),
					hash: block.hash(),
					seen_at: Instant::now(),
				});
			}
		}
		Ok(BlockProduction { start, blocks })
	}

	/// Waits until `block` is finalised: the finalised chain reaches its height and the
	/// finalised block at that height is `block` (not a competing fork).
	pub async fn wait_for_finalized(&self, block: BlockId, timeout: Duration) -> Result<Finality> {
		let started = Instant::now();
		// Subscribe before reading the finalised head, so no finalisation can slip in between.
		let mut stream = self
			.client()
			.stream_blocks()
			.await
			.map_err(subxt_err(format!(
				"{}: subscribing to finalized blocks",
				self.label()
			)))?;
		let mut finalized = self.finalized_block().await?.number;
		while finalized < block.number {
			let remaining = timeout.saturating_sub(started.elapsed());
			let next = tokio::time::timeout(remaining, stream.next())
				.await
				.map_err(|_| Error::Timeout {
					what: format!(
						"block #{} ({:?}) to be finalized on {} (finalized: #{finalized})",
						block.number,
						block.hash,
						self.label()
					),
					after: timeout,
				})?;
			let next = next
				.ok_or_else(|| Error::Chain {
					message: "the finalized-block subscription ended".into(),
				})?
				.map_err(subxt_err(format!(
					"{}: reading the finalized-block subscription",
					self.label()
				)))?;
			finalized = finalized.max(next.number());
		}
		let finalized_at = Instant::now();
		let canonical = self.canonical_hash(block.number).await?;
		if canonical != Some(block.hash) {
			return Err(Error::Chain {
				message: format!(
					"block #{} {:?} was not finalized: the finalized block at that height is {canonical:?}",
					block.number, block.hash
				),
			});
		}
		let best_number = self.best_block().await?.number;
		Ok(Finality {
			block,
			finalized_at,
			waited: finalized_at.duration_since(started),
			best_number,
		})
	}

	/// Follows a submitted transaction until it is in a block. Fails if the pool reports it
	/// invalid or dropped, or on timeout.
	pub async fn wait_for_inclusion(
		&self,
		progress: &mut TxProgress,
		timeout: Duration,
	) -> Result<Inclusion> {
		let (in_block, already_finalized) =
			medchain_client::chain::Chain::wait_in_block(progress, timeout)
				.await
				.map_err(chain_err("waiting for inclusion"))?;
		let included_at = Instant::now();
		let block = self.block_id(in_block.block_hash()).await?;
		Ok(Inclusion {
			in_block,
			block,
			included_at,
			already_finalized,
		})
	}

	/// Signs `call` with `signer` and follows it into a block. The nonce comes from
	/// `system_accountNextIndex`, which counts the signer's transactions still in the pool,
	/// so a test can send several transactions in a row without waiting for finality.
	pub async fn submit<Call, S>(
		&self,
		call: &Call,
		signer: &S,
		timeout: Duration,
	) -> Result<Inclusion>
	where
		Call: Payload,
		S: Signer<MedChainConfig>,
	{
		let mut progress = self
			.chain
			.sign_and_watch(call, signer)
			.await
			.map_err(chain_err("submitting a transaction"))?;
		self.wait_for_inclusion(&mut progress, timeout).await
	}

	/// [`TestNode::submit`], then requires the transaction to dispatch successfully and returns
	/// its events with the inclusion (fetched once).
	pub async fn submit_ok<Call, S>(
		&self,
		call: &Call,
		signer: &S,
		timeout: Duration,
	) -> Result<Dispatched>
	where
		Call: Payload,
		S: Signer<MedChainConfig>,
	{
		let inclusion = self.submit(call, signer, timeout).await?;
		let events = medchain_client::chain::dispatched(&inclusion.in_block)
			.await
			.map_err(chain_err(format!(
				"transaction in block #{}",
				inclusion.block.number
			)))?;
		Ok(Dispatched { inclusion, events })
	}

	/// [`TestNode::submit`], then requires the transaction to fail in dispatch with a pallet
	/// error and returns it as `Pallet::Error` (e.g. `"Records::NotSubject"`).
	pub async fn submit_failing<Call, S>(
		&self,
		call: &Call,
		signer: &S,
		timeout: Duration,
	) -> Result<String>
	where
		Call: Payload,
		S: Signer<MedChainConfig>,
	{
		let inclusion = self.submit(call, signer, timeout).await?;
		match medchain_client::chain::dispatched(&inclusion.in_block).await {
			Ok(_) => Err(Error::Chain {
				message: format!("transaction succeeded in block #{}", inclusion.block.number),
			}),
			Err(medchain_client::Error::Refused(refused)) => Ok(refused.name),
			Err(error) => Err(Error::Chain {
				message: format!("transaction failed without a pallet error: {error}"),
			}),
		}
	}

	/// [`TestNode::submit_ok`] within [`STEP_TIMEOUT`], for a step a test cannot go on
	/// without: panics with the reason if the transaction does not dispatch.
	pub async fn dispatch<Call, S>(&self, call: &Call, signer: &S) -> Dispatched
	where
		Call: Payload,
		S: Signer<MedChainConfig>,
	{
		self.submit_ok(call, signer, STEP_TIMEOUT)
			.await
			.unwrap_or_else(|e| panic!("the transaction should dispatch: {e}"))
	}

	/// [`TestNode::submit_failing`] within [`STEP_TIMEOUT`]: the pallet error
	/// (`"Records::NotSubject"`); panics if the transaction dispatches or fails otherwise.
	pub async fn refused<Call, S>(&self, call: &Call, signer: &S) -> String
	where
		Call: Payload,
		S: Signer<MedChainConfig>,
	{
		self.submit_failing(call, signer, STEP_TIMEOUT)
			.await
			.unwrap_or_else(|e| panic!("the transaction should fail with a pallet error: {e}"))
	}

	/// State at the block that included `dispatched`.
	pub async fn state_after(&self, dispatched: &Dispatched) -> ClientAtBlock {
		self.state_at(&dispatched.inclusion.block)
			.await
			.unwrap_or_else(|e| panic!("state at the inclusion block: {e}"))
	}

	/// Wraps `call` in `Sudo.sudo`, signs it with the sudo key `governance` and requires the
	/// inner call to succeed (`Sudo.Sudid` carries its result).
	pub async fn sudo_ok<S>(
		&self,
		call: api::Call,
		governance: &S,
		timeout: Duration,
	) -> Result<Dispatched>
	where
		S: Signer<MedChainConfig>,
	{
		let dispatched = self.submit_ok(&sudo(call), governance, timeout).await?;
		match sudo_result(&dispatched.events) {
			Some(Ok(())) => Ok(dispatched),
			other => Err(Error::Chain {
				message: format!("the Root call did not succeed: {other:?}"),
			}),
		}
	}

	/// A client reading state at `block`.
	pub async fn state_at(&self, block: &BlockId) -> Result<ClientAtBlock> {
		self.client()
			.at_block(block.hash)
			.await
			.map_err(subxt_err(format!("client at block #{}", block.number)))
	}

	/// Waits until the node has at least `min_peers` peers (`system_health`).
	pub async fn wait_for_peers(&self, min_peers: usize, timeout: Duration) -> Result<usize> {
		let started = Instant::now();
		loop {
			let health = self
				.rpc()
				.system_health()
				.await
				.map_err(subxt_err(format!("{}: system_health", self.label())))?;
			if health.peers >= min_peers {
				return Ok(health.peers);
			}
			if started.elapsed() >= timeout {
				return Err(Error::Timeout {
					what: format!(
						"{} to have {min_peers} peers (has {})",
						self.label(),
						health.peers
					),
					after: timeout,
				});
			}
			tokio::time::sleep(STARTUP_POLL_INTERVAL).await;
		}
	}

	/// The number of peers the node is connected to (`system_health`).
	pub async fn peer_count(&self) -> Result<usize> {
		self.rpc()
			.system_health()
			.await
			.map(|health| health.peers)
			.map_err(subxt_err(format!("{}: system_health", self.label())))
	}

	/// Adds `multiaddr` (see [`TestNode::p2p_multiaddr`]) to the node's reserved peers
	/// (`system_addReservedPeer`, an unsafe RPC the node serves on loopback): a node started
	/// with `--reserved-only` connects to it.
	pub async fn add_reserved_peer(&self, multiaddr: &str) -> Result<()> {
		let mut params = RpcParams::new();
		params
			.push(multiaddr)
			.map_err(subxt_err("encoding the multiaddress"))?;
		self.rpc_client
			.request::<serde_json::Value>("system_addReservedPeer", params)
			.await
			.map(drop)
			.map_err(subxt_err(format!(
				"{}: system_addReservedPeer",
				self.label()
			)))
	}

	/// Removes `peer_id` from the node's reserved peers (`system_removeReservedPeer`): a node
	/// started with `--reserved-only` on the libp2p backend then disconnects from it. (On the
	/// litep2p backend, the default, the connection was seen to stay up.)
	pub async fn remove_reserved_peer(&self, peer_id: &str) -> Result<()> {
		let mut params = RpcParams::new();
		params
			.push(peer_id)
			.map_err(subxt_err("encoding the peer ID"))?;
		self.rpc_client
			.request::<serde_json::Value>("system_removeReservedPeer", params)
			.await
			.map(drop)
			.map_err(subxt_err(format!(
				"{}: system_removeReservedPeer",
				self.label()
			)))
	}

	/// Stops the node with SIGTERM and waits up to `timeout` for it to exit. Fails if it had
	/// already exited, exits unsuccessfully, or needs to be killed (the error carries the log).
	pub async fn shutdown(mut self, timeout: Duration) -> Result<Shutdown> {
		let label = self.process.label.clone();
		if let Some(status) = self.process.try_status()? {
			return Err(Error::Node {
				message: format!("{label} had already exited with {status} before shutdown"),
				log_tail: self.process.log_tail(),
			});
		}
		let started = Instant::now();
		send_sigterm(self.pid()).map_err(io_err(format!("sending SIGTERM to {label}")))?;
		loop {
			if let Some(status) = self.process.try_status()? {
				let took = started.elapsed();
				if status.success() {
					return Ok(Shutdown { status, took });
				}
				return Err(Error::Node {
					message: format!(
						"{label} exited with {status} after SIGTERM (not a clean shutdown)"
					),
					log_tail: self.process.log_tail(),
				});
			}
			if started.elapsed() >= timeout {
				let log_tail = self.process.log_tail();
				// Drop would do the same after another grace period; do it now.
				let _ = self.process.child.kill();
				let _ = self.process.child.wait();
				return Err(Error::Node {
					message: format!(
						"{label} did not exit within {timeout:?} of SIGTERM and was killed"
					),
					log_tail,
				});
			}
			tokio::time::sleep(POLL_INTERVAL).await;
		}
	}
}

// ---------------------------------------------------------------------------------------------
// Several nodes
// ---------------------------------------------------------------------------------------------

/// Several nodes of one `--chain local` network, stopped on drop.
pub struct TestNetwork {
	nodes: Vec<TestNode>,
}

impl TestNetwork {
	/// Starts one validator per key; the first one is the boot node of all others.
	/// In the `local_testnet` preset Alice, Bob and Charlie are the validators.
	pub async fn local(validators: &[DevKey]) -> Result<TestNetwork> {
		TestNetwork::start(
			validators
				.iter()
				.map(|key| NodeConfig::local_validator(*key)),
		)
		.await
	}

	/// Starts the given nodes in order; every node after the first gets the first as a
	/// `--bootnodes` entry.
	pub async fn start(configs: impl IntoIterator<Item = NodeConfig>) -> Result<TestNetwork> {
		let mut nodes: Vec<TestNode> = Vec::new();
		let mut bootnode: Option<String> = None;
		for mut config in configs {
			if let Some(addr) = &bootnode {
				config = config.bootnode(addr.clone());
			}
			let node = config.spawn().await?;
			if bootnode.is_none() {
				bootnode = Some(node.p2p_multiaddr().await?);
			}
			nodes.push(node);
		}
		Ok(TestNetwork { nodes })
	}

	/// The nodes, in start order.
	pub fn nodes(&self) -> &[TestNode] {
		&self.nodes
	}

	/// The node at `index`.
	pub fn node(&self, index: usize) -> Option<&TestNode> {
		self.nodes.get(index)
	}

	/// The node at `index`, to kill or restart it.
	pub fn node_mut(&mut self, index: usize) -> Option<&mut TestNode> {
		self.nodes.get_mut(index)
	}

	/// Connects nodes `a` and `b` through each other's reserved peers (for nodes started with
	/// `--reserved-only`, see [`TestNode::add_reserved_peer`]).
	pub async fn link(&self, a: usize, b: usize) -> Result<()> {
		let (first, second) = self.pair(a, b)?;
		first
			.add_reserved_peer(&second.p2p_multiaddr().await?)
			.await?;
		second
			.add_reserved_peer(&first.p2p_multiaddr().await?)
			.await
	}

	/// Disconnects nodes `a` and `b` (see [`TestNode::remove_reserved_peer`]).
	pub async fn unlink(&self, a: usize, b: usize) -> Result<()> {
		let (first, second) = self.pair(a, b)?;
		first.remove_reserved_peer(&second.peer_id().await?).await?;
		second.remove_reserved_peer(&first.peer_id().await?).await
	}

	fn pair(&self, a: usize, b: usize) -> Result<(&TestNode, &TestNode)> {
		let node = |index: usize| {
			self.nodes.get(index).ok_or_else(|| Error::Node {
				message: format!("the network has no node {index}"),
				log_tail: String::new(),
			})
		};
		Ok((node(a)?, node(b)?))
	}

	/// Waits until every node is connected to every other node.
	pub async fn wait_for_full_mesh(&self, timeout: Duration) -> Result<()> {
		let started = Instant::now();
		let others = self.nodes.len().saturating_sub(1);
		for node in &self.nodes {
			node.wait_for_peers(others, timeout.saturating_sub(started.elapsed()))
				.await?;
		}
		Ok(())
	}

	/// Shuts every node down (see [`TestNode::shutdown`]); all are stopped even if one fails,
	/// and the first failure is returned.
	pub async fn shutdown(self, timeout: Duration) -> Result<Vec<Shutdown>> {
		let mut reports = Vec::with_capacity(self.nodes.len());
		let mut first_error = None;
		for node in self.nodes {
			match node.shutdown(timeout).await {
				Ok(report) => reports.push(report),
				Err(error) => {
					if first_error.is_none() {
						first_error = Some(error);
					}
				}
			}
		}
		match first_error {
			Some(error) => Err(error),
			None => Ok(reports),
		}
	}
}

// ---------------------------------------------------------------------------------------------
// Runtime data
// ---------------------------------------------------------------------------------------------

/// `System.Account(account).data` at the given block (zeros for an unknown account).
async fn account_data(
	at: &ClientAtBlock,
	account: &AccountId32,
) -> Result<api::runtime_types::pallet_balances::types::AccountData<u128>> {
	let value = at
		.storage()
		.fetch(api::storage().system().account(), (*account,))
		.await
		.map_err(subxt_err(format!("reading System.Account({account})")))?;
	let info = value
		.decode()
		.map_err(subxt_err(format!("decoding System.Account({account})")))?;
	Ok(info.data)
}

/// `System.Account(account).data.free` at the given block (0 for an unknown account).
pub async fn free_balance(at: &ClientAtBlock, account: &AccountId32) -> Result<u128> {
	Ok(account_data(at, account).await?.free)
}

/// `System.Account(account).data.reserved` at the given block: what the account has on hold
/// (deposits) or reserved (0 for an unknown account).
pub async fn reserved_balance(at: &ClientAtBlock, account: &AccountId32) -> Result<u128> {
	Ok(account_data(at, account).await?.reserved)
}

/// Asks a runtime API question (`api::runtime_apis().records_api().record(id)`) on the state
/// of `at`.
pub async fn runtime_api<P: subxt::runtime_apis::Payload>(
	at: &ClientAtBlock,
	question: P,
) -> Result<P::ReturnType> {
	let name = format!("{}.{}", question.trait_name(), question.method_name());
	at.runtime_apis()
		.call(question)
		.await
		.map_err(subxt_err(name))
}

/// [`runtime_api`] for a question a test cannot go on without: panics with the reason.
pub async fn ask<P: subxt::runtime_apis::Payload>(
	at: &ClientAtBlock,
	question: P,
) -> P::ReturnType {
	runtime_api(at, question)
		.await
		.unwrap_or_else(|e| panic!("{e}"))
}

/// A constant of the runtime at `at` (`api::constants().records().version_deposit()`).
pub fn constant<A: subxt::constants::Address>(at: &ClientAtBlock, address: A) -> A::Target {
	let name = format!("{}.{}", address.pallet_name(), address.constant_name());
	at.constants()
		.entry(address)
		.unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// The account of a subxt sr25519 key pair.
pub fn account_id(key: &subxt_signer::sr25519::Keypair) -> AccountId32 {
	key.public_key().to_account_id()
}

/// Wraps `call` in `Sudo.sudo`, for the dev chain's Root-only calls (e.g. accrediting an
/// attribute authority before governance).
pub fn sudo(call: api::Call) -> subxt::transactions::StaticPayload<api::sudo::calls::Sudo> {
	api::tx().sudo().sudo(call)
}

/// The dispatch result inside `Sudo.Sudid`: `Ok(())` or the inner call's dispatch error.
pub fn sudo_result(
	events: &ExtrinsicEvents<MedChainConfig>,
) -> Option<Result<(), api::DispatchError>> {
	let sudid = events.find_first::<api::sudo::events::Sudid>()?.ok()?;
	Some(sudid.sudo_result)
}

/// Whether the extrinsic emitted an event `E` (`api::council::events::Executed`).
pub fn has_event<E: DecodeAsEvent>(events: &ExtrinsicEvents<MedChainConfig>) -> bool {
	events.find_first::<E>().is_some_and(|event| event.is_ok())
}

/// A binary CIDv1 (raw codec, sha2-256) over a made-up ciphertext digest.
pub fn cid_v1_raw(digest: [u8; 32]) -> Vec<u8> {
	medchain_primitives::cid_v1_raw_sha2_256(&digest)
}

/// Content whose CID and digest are made from `seed` (no real blob behind it).
pub fn content(seed: u8, size: u64) -> records::ContentInput {
	let digest = [seed; 32];
	records::ContentInput {
		cid: cid_v1_raw(digest),
		digest: subxt::utils::H256(digest),
		size,
		scheme: records::EncryptionScheme::AeadCpAbe,
	}
}
