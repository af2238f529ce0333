//! # MedChain gateway
//!
//! Stores encrypted records (envelopes) by their IPFS CIDv1, serves them only to readers the
//! chain allows at that moment (after putting a receipt of the read on chain), acts as a
//! proxy re-encryption node for grants that name it, and deletes the blobs of erased records
//! when the erasure is finalised. It never sees plaintext or data keys.
//!
//! Configuration: a TOML file (`--config`) with the keys below, each overridable by a flag.
//!
//! ```toml
//! node = "ws://127.0.0.1:9944"
//! listen = "127.0.0.1:8787"
//! data_dir = "/var/lib/medchain-gateway"
//! keystore = "/etc/medchain-gateway/keystore.json"   # the gateway account's keystore
//! passphrase_file = "/etc/medchain-gateway/passphrase" # else MEDCHAIN_PASSPHRASE
//! max_upload_bytes = 1073741824
//! ```
//!
//! The gateway's account pays transaction fees and receipt deposits; to serve as a proxy it
//! registers (`medchain register-proxy --endpoint <its URL>`) and is admitted by governance.
//!
//! Dependencies: `axum` (HTTP), `medchain-client` (chain, PRE, CIDs, API types), `toml` (config
//! file), `tracing` (logs).

mod service;
mod store;

use std::{net::SocketAddr, path::PathBuf, sync::Arc};

use axum::{
	extract::DefaultBodyLimit,
	routing::{get, post},
	Router,
};
use clap::Parser;
use medchain_client::{chain::Chain, keystore::Keystore, Error};
use serde::Deserialize;

#[derive(Parser, Debug)]
#[command(
	name = "medchain-gateway",
	version,
	about = "MedChain gateway: encrypted record store and re-encryption proxy"
)]
struct Args {
	/// TOML configuration file; flags override it.
	#[arg(long)]
	config: Option<PathBuf>,
	#[arg(long)]
	node: Option<String>,
	#[arg(long)]
	listen: Option<SocketAddr>,
	#[arg(long)]
	data_dir: Option<PathBuf>,
	#[arg(long)]
	keystore: Option<PathBuf>,
	#[arg(long)]
	passphrase_file: Option<PathBuf>,
	#[arg(long)]
	max_upload_bytes: Option<u64>,
}

#[derive(Deserialize, Default, Debug)]
#[serde(deny_unknown_fields)]
struct FileConfig {
	node: Option<String>,
	listen: Option<SocketAddr>,
	data_dir: Option<PathBuf>,
	keystore: Option<PathBuf>,
	passphrase_file: Option<PathBuf>,
	max_upload_bytes: Option<u64>,
}

struct Config {
	node: String,
	listen: SocketAddr,
	data_dir: PathBuf,
	keystore: PathBuf,
	passphrase: String,
	max_upload_bytes: u64,
}

fn config(args: Args) -> Result<Config, Error> {
	let file: FileConfig = match &args.config {
		Some(path) => toml::from_str(&std::fs::read_to_string(path)?)
			.map_err(|e| Error::Invalid(format!("{}: {e}", path.display())))?,
		None => FileConfig::default(),
	};
	let passphrase = match args.passphrase_file.or(file.passphrase_file) {
		Some(path) => std::fs::read_to_string(path)?
			.trim_end_matches(['\n', '\r'])
			.to_string(),
		None => std::env::var("MEDCHAIN_PASSPHRASE")
			.map_err(|_| Error::Keystore("set passphrase_file or MEDCHAIN_PASSPHRASE".into()))?,
	};
	Ok(Config {
		node: args
			.node
			.or(file.node)
			.unwrap_or_else(|| "ws://127.0.0.1:9944".into()),
		listen: args
			.listen
			.or(file.listen)
			.unwrap_or_else(|| SocketAddr::from(([127, 0, 0, 1], 8787))),
		data_dir: args
			.data_dir
			.or(file.data_dir)
			.ok_or_else(|| Error::Invalid("data_dir is required".into()))?,
		keystore: args
			.keystore
			.or(file.keystore)
			.ok_or_else(|| Error::Invalid("keystore is required".into()))?,
		passphrase,
		max_upload_bytes: args
			.max_upload_bytes
			.or(file.max_upload_bytes)
			.unwrap_or(1 << 30),
	})
}

async fn run(config: Config) -> Result<(), Error> {
	let material = Keystore::new(&config.keystore, &config.passphrase).load()?;
	let keypair = material.keypair()?;
	let chain = Chain::connect(&config.node).await?;
	let gateway = Arc::new(service::Gateway {
		account: medchain_client::chain::account_id(&keypair),
		keypair,
		pre: material.pre_keys()?,
		store: store::Store::open(&config.data_dir)?,
		max_upload_bytes: config.max_upload_bytes,
		submissions: tokio::sync::Mutex::new(()),
		served: Default::default(),
		chain,
	});
	tokio::spawn(service::follow_erasures(gateway.clone()));
	let app = Router::new()
		.route("/v1/info", get(service::info))
		.route(
			"/v1/blobs",
			post(service::upload).layer(DefaultBodyLimit::disable()),
		)
		.route("/v1/reads", post(service::read))
		.route("/v1/kfrags", post(service::kfrags))
		.route("/v1/reencrypt", post(service::reencrypt))
		.with_state(gateway.clone());
	let listener = tokio::net::TcpListener::bind(config.listen).await?;
	tracing::info!(listen = %config.listen, account = %gateway.account, "gateway ready");
	axum::serve(listener, app)
		.with_graceful_shutdown(async {
			let _ = tokio::signal::ctrl_c().await;
		})
		.await?;
	Ok(())
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
	tracing_subscriber::fmt()
		.with_env_filter(
			tracing_subscriber::EnvFilter::try_from_default_env()
				.unwrap_or_else(|_| "medchain_gateway=info".into()),
		)
		.init();
	let result = match config(Args::parse()) {
		Ok(config) => run(config).await,
		Err(e) => Err(e),
	};
	match result {
		Ok(()) => std::process::ExitCode::SUCCESS,
		Err(error) => {
			tracing::error!(%error, "gateway stopped");
			std::process::ExitCode::FAILURE
		}
	}
}
