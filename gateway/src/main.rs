//! # MedChain gateway
//!
//! Stores encrypted records (envelopes) by their IPFS CIDv1, serves them only to readers the
//! chain allows at that moment (decided at the best block, served at once, each read's receipt
//! listed on chain in the next batch), acts as a proxy re-encryption node for grants that name
//! it, and deletes the blobs of erased records when the erasure is finalised. It never sees
//! plaintext or data keys.
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
//! unanchored_grace_secs = 3600   # blobs no live record names are removed after this
//! sweep_interval_secs = 300      # how often the store is checked for such blobs
//! max_concurrent_requests = 64   # beyond this, requests are refused at once (503 busy)
//! requests_per_second_per_client = 50  # per client IP address, refill rate (429 rate-limited)
//! burst_per_client = 100                # per client IP address, bucket size
//! quota_bytes_per_account = 17179869184  # what one uploader may keep stored (16 GiB)
//! max_store_bytes = 549755813888         # what the whole store may hold (512 GiB)
//! receipt_flush_millis = 1000            # a receipt batch waits at most this long to fill
//! max_waiting_receipts = 8192            # beyond this many served reads with receipts in no block yet, reads get 503
//! cors_origins = ["http://127.0.0.1:5173"]  # web pages (the dApp) allowed to call it from a browser
//! ```
//!
//! **Browsers.** A web page may call the gateway only from an origin listed in `cors_origins`
//! (`--cors-origin`, repeatable; none by default): the dApp reads records from the browser, and
//! a grant's proxies are other gateways, so each gateway must let the dApp's origin in. Requests
//! are authorised by the reader's signature, never by cookies, so no credentials are allowed.
//!
//! **Reads** are one signed request from the reader. The gateway checks the signature, the
//! record's current version and the chain's decision (`ConsentApi.check_read`, the rule
//! `Consent.record_reads` applies) at its best block, writes the read to its receipts journal
//! (`<data>/reads.journal`, synced to disk) and serves it. Receipts go on chain in batches of
//! up to `Consent.MaxReadsPerBatch` reads, at least every `receipt_flush_millis`; each read
//! stays in the journal until the block listing it is finalised, and is submitted again after
//! a restart or a reorg (see the `receipts` module).
//!
//! **Uploads** are signed: the uploader (the record's subject or a custodian it authorised,
//! asked of the chain through `RecordsApi.may_write`) signs the envelope's CID and size, and
//! the gateway stores only bytes with that CID, within the uploader's quota and the store's
//! budget.
//!
//! **Erasures.** The gateway follows finalised blocks for `Records.RecordErased` and deletes
//! the named blobs, each only after asking the chain (`RecordsApi.content_anchor`) that no
//! live version still names it. The last block scanned is kept in `<data>/erase-cursor`. If
//! that file is unreadable the gateway refuses to start rather than skip erasures; recover
//! with `--rescan-erasures-from 0` (every erasure since genesis is applied again, each
//! checked against the chain) or from a block known to be scanned.
//!
//! The gateway's account pays transaction fees and receipt deposits; to serve as a proxy it
//! registers (`medchain register-proxy --endpoint <its URL>`) and is admitted by governance.
//!
//! Dependencies: `axum` (HTTP), `tower-http` (CORS for the dApp; already in the node's build), `medchain-client` (chain, PRE, CIDs, API types), `toml` (config
//! file), `tracing` (logs), `governor` (per-client rate limits; the same limiter the node's RPC
//! server uses, so it adds no new crate to the build).

mod decide;
mod receipts;
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
	#[arg(long)]
	unanchored_grace_secs: Option<u64>,
	#[arg(long)]
	sweep_interval_secs: Option<u64>,
	#[arg(long)]
	max_concurrent_requests: Option<usize>,
	#[arg(long)]
	requests_per_second_per_client: Option<u32>,
	#[arg(long)]
	burst_per_client: Option<u32>,
	#[arg(long)]
	quota_bytes_per_account: Option<u64>,
	#[arg(long)]
	max_store_bytes: Option<u64>,
	#[arg(long)]
	receipt_flush_millis: Option<u64>,
	#[arg(long)]
	max_waiting_receipts: Option<usize>,
	/// Scan for erasures from this block on, ignoring the saved cursor (recovery).
	#[arg(long)]
	rescan_erasures_from: Option<u64>,
	/// A web origin (`http://127.0.0.1:5173`) whose pages may call the gateway; repeatable.
	#[arg(long = "cors-origin")]
	cors_origins: Vec<String>,
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
	unanchored_grace_secs: Option<u64>,
	sweep_interval_secs: Option<u64>,
	max_concurrent_requests: Option<usize>,
	requests_per_second_per_client: Option<u32>,
	burst_per_client: Option<u32>,
	quota_bytes_per_account: Option<u64>,
	max_store_bytes: Option<u64>,
	receipt_flush_millis: Option<u64>,
	max_waiting_receipts: Option<usize>,
	cors_origins: Option<Vec<String>>,
}

struct Config {
	node: String,
	listen: SocketAddr,
	data_dir: PathBuf,
	keystore: PathBuf,
	passphrase: String,
	max_upload_bytes: u64,
	unanchored_grace: std::time::Duration,
	sweep_interval: std::time::Duration,
	rescan_erasures_from: Option<u64>,
	max_concurrent_requests: usize,
	client_rate: governor::Quota,
	limits: store::Limits,
	receipt_flush: std::time::Duration,
	max_waiting_receipts: usize,
	cors: tower_http::cors::CorsLayer,
}

/// The CORS rule for `origins` (exact origins; a malformed one is refused at start).
fn cors(origins: &[String]) -> Result<tower_http::cors::CorsLayer, Error> {
	use axum::http::{HeaderValue, Method};
	use tower_http::cors::{AllowOrigin, Any, CorsLayer};
	let origins = origins
		.iter()
		.map(|origin| {
			let trimmed = origin.trim_end_matches('/');
			if !(trimmed.starts_with("http://") || trimmed.starts_with("https://")) {
				return Err(Error::Invalid(format!(
					"cors origin {origin:?} is not an http(s) origin"
				)));
			}
			HeaderValue::from_str(trimmed)
				.map_err(|e| Error::Invalid(format!("cors origin {origin:?}: {e}")))
		})
		.collect::<Result<Vec<_>, _>>()?;
	Ok(CorsLayer::new()
		.allow_origin(AllowOrigin::list(origins))
		.allow_methods([Method::GET, Method::POST])
		.allow_headers(Any)
		.expose_headers(Any))
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
		unanchored_grace: std::time::Duration::from_secs(
			args.unanchored_grace_secs
				.or(file.unanchored_grace_secs)
				.unwrap_or(3600),
		),
		sweep_interval: std::time::Duration::from_secs(
			args.sweep_interval_secs
				.or(file.sweep_interval_secs)
				.unwrap_or(300)
				.max(1),
		),
		rescan_erasures_from: args.rescan_erasures_from,
		max_concurrent_requests: args
			.max_concurrent_requests
			.or(file.max_concurrent_requests)
			.unwrap_or(64)
			.max(1),
		client_rate: {
			let rate = args
				.requests_per_second_per_client
				.or(file.requests_per_second_per_client)
				.unwrap_or(50);
			let burst = args
				.burst_per_client
				.or(file.burst_per_client)
				.unwrap_or(100);
			let positive = |value: u32, name: &str| {
				std::num::NonZeroU32::new(value)
					.ok_or_else(|| Error::Invalid(format!("{name} must be at least 1")))
			};
			governor::Quota::per_second(positive(rate, "requests_per_second_per_client")?)
				.allow_burst(positive(burst, "burst_per_client")?)
		},
		limits: store::Limits {
			per_account: args
				.quota_bytes_per_account
				.or(file.quota_bytes_per_account)
				.unwrap_or(16 << 30),
			total: args
				.max_store_bytes
				.or(file.max_store_bytes)
				.unwrap_or(512 << 30),
		},
		receipt_flush: std::time::Duration::from_millis(
			args.receipt_flush_millis
				.or(file.receipt_flush_millis)
				.unwrap_or(1000)
				.max(1),
		),
		max_waiting_receipts: args
			.max_waiting_receipts
			.or(file.max_waiting_receipts)
			.unwrap_or(8192)
			.max(1),
		cors: cors(&if args.cors_origins.is_empty() {
			file.cors_origins.unwrap_or_default()
		} else {
			args.cors_origins
		})?,
	})
}

async fn run(config: Config) -> Result<(), Error> {
	let material = Keystore::new(&config.keystore, &config.passphrase).load()?;
	let keypair = material.keypair()?;
	let chain = Chain::connect_reconnecting(&config.node).await?;
	let store = store::Store::open(&config.data_dir)?;
	let journal = receipts::open(&config.data_dir)?;
	let batch = receipts::BatchConfig {
		max_reads: receipts::max_reads_per_batch(&chain).await?,
		flush_after: config.receipt_flush,
	};
	let cursor = match config.rescan_erasures_from {
		Some(block) => block.saturating_sub(1),
		None => match store.erase_cursor() {
			Ok(Some(block)) => block,
			// A new store holds nothing older than now.
			Ok(None) => chain.finalized_number().await?,
			Err(error) => {
				return Err(Error::Invalid(format!(
					"{error}; refusing to start, since erasures finalised since then would be \
					 missed. Recover with --rescan-erasures-from 0 (re-applies every erasure, \
					 each checked against the chain) or from a block known to be scanned"
				)))
			}
		},
	};
	let (decider, questions) = decide::Decider::channel();
	let gateway = Arc::new(service::Gateway {
		account: medchain_client::chain::account_id(&keypair),
		keypair,
		pre: material.pre_keys()?,
		store,
		max_upload_bytes: config.max_upload_bytes,
		submissions: tokio::sync::Mutex::new(None),
		receipts: journal.receipts,
		max_waiting_receipts: config.max_waiting_receipts,
		decider,
		best: Default::default(),
		served: Default::default(),
		unanchored_grace: config.unanchored_grace,
		limits: config.limits,
		chain,
	});
	for read in &journal.pending {
		gateway.remember_served(&read.read);
	}
	tokio::spawn(receipts::run_submitter(
		gateway.clone(),
		journal.queue,
		batch,
	));
	tokio::spawn(service::follow_best(gateway.clone()));
	tokio::spawn(decide::run(gateway.clone(), questions));
	tokio::spawn(service::follow_erasures(gateway.clone(), cursor));
	tokio::spawn(service::sweep_unanchored(
		gateway.clone(),
		config.sweep_interval,
	));
	let limiter: Arc<service::ClientLimiter> =
		Arc::new(governor::RateLimiter::keyed(config.client_rate));
	// Forget clients whose buckets are full again, so the map stays as small as the set of
	// recently active addresses.
	tokio::spawn({
		let limiter = limiter.clone();
		async move {
			let mut every = tokio::time::interval(std::time::Duration::from_secs(60));
			loop {
				every.tick().await;
				limiter.retain_recent();
			}
		}
	});
	let app = Router::new()
		.route("/v1/info", get(service::info))
		.route(
			"/v1/blobs",
			post(service::upload).layer(DefaultBodyLimit::disable()),
		)
		.route("/v1/reads", post(service::read))
		.route("/v1/kfrags", post(service::kfrags))
		.route("/v1/reencrypt", post(service::reencrypt))
		.layer(axum::middleware::from_fn_with_state(
			Arc::new(tokio::sync::Semaphore::new(config.max_concurrent_requests)),
			service::limit_concurrency,
		))
		// Outermost: a client over its rate is refused before it takes a concurrency permit.
		.layer(axum::middleware::from_fn_with_state(
			limiter.clone(),
			service::limit_rate,
		))
		// Outside everything: a browser's preflight is answered, and refusals carry the
		// headers a page needs to read them.
		.layer(config.cors.clone())
		.with_state(gateway.clone());
	let listener = tokio::net::TcpListener::bind(config.listen).await?;
	tracing::info!(listen = %config.listen, account = %gateway.account, "gateway ready");
	axum::serve(
		listener,
		app.into_make_service_with_connect_info::<SocketAddr>(),
	)
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

#[cfg(test)]
mod tests {
	use axum::{
		body::Body,
		http::{header, Method, Request, StatusCode},
	};
	use tower::ServiceExt;

	use super::*;

	/// A preflight for a signed read from `origin`, through a router with the CORS rule for
	/// `allowed`: the `Access-Control-Allow-Origin` it answers with, if any.
	async fn preflight(allowed: &[&str], origin: &str) -> Option<String> {
		let allowed: Vec<String> = allowed.iter().map(|o| o.to_string()).collect();
		let app = Router::new()
			.route("/v1/reads", post(|| async { StatusCode::OK }))
			.layer(cors(&allowed).expect("valid origins"));
		let response = app
			.oneshot(
				Request::builder()
					.method(Method::OPTIONS)
					.uri("/v1/reads")
					.header(header::ORIGIN, origin)
					.header(header::ACCESS_CONTROL_REQUEST_METHOD, "POST")
					.header(header::ACCESS_CONTROL_REQUEST_HEADERS, "content-type")
					.body(Body::empty())
					.expect("a request"),
			)
			.await
			.expect("an answer");
		response
			.headers()
			.get(header::ACCESS_CONTROL_ALLOW_ORIGIN)
			.map(|v| v.to_str().expect("ASCII").to_string())
	}

	#[tokio::test]
	async fn only_listed_origins_may_call_from_a_browser() {
		let dapp = "http://127.0.0.1:4173";
		assert_eq!(preflight(&[dapp], dapp).await.as_deref(), Some(dapp));
		// Another page, a look-alike origin, another port: no permission.
		for stranger in [
			"https://evil.example",
			"http://127.0.0.1:4174",
			"http://127.0.0.1:4173.evil.example",
		] {
			assert_eq!(preflight(&[dapp], stranger).await, None, "{stranger}");
		}
		// By default no page may call it.
		assert_eq!(preflight(&[], dapp).await, None);
	}

	#[test]
	fn malformed_origins_are_refused_at_start() {
		for bad in [
			"127.0.0.1:4173",
			"*",
			"ftp://example.org",
			"http://bad\norigin",
		] {
			assert!(cors(&[bad.to_string()]).is_err(), "{bad:?}");
		}
		assert!(cors(&["http://127.0.0.1:4173/".to_string()]).is_ok());
	}
}
