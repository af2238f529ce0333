//! Reads at hospital speed: a scenario (a patient's records on a real gateway, a clinician
//! the patient allowed) and a load driver that sends the clinician's signed read requests to
//! the gateway and measures each: time to first byte, whole read, and the block its receipt
//! was listed in. Shared by the `fast_reads` end-to-end test and the `bench-reads` binary.
//!
//! Every request goes to a gateway on loopback; every load is bounded in count and time.

use std::{
	path::Path,
	sync::{
		atomic::{AtomicU32, Ordering},
		Arc, RwLock,
	},
	time::{Duration, Instant},
};

use medchain_client::{
	chain::{self, account_id, api, consent, Chain},
	flows,
	keystore::KeyMaterial,
	protocol::{GatewayClient, SignedRead},
};
use subxt::utils::{AccountId32, H256};
use subxt_signer::sr25519::Keypair;
use tokio::task::JoinSet;

use crate::{
	actors::{Actor, GatewayProcess},
	TestNode,
};

/// Gateway flags for load: no per-client rate limit to speak of (one load client stands for
/// many readers), and room for many reads in flight.
pub const LOAD_GATEWAY_FLAGS: &[&str] = &[
	"--requests-per-second-per-client",
	"1000000",
	"--burst-per-client",
	"1000000",
	"--max-concurrent-requests",
	"1024",
];

/// A record the load reads.
#[derive(Clone, Debug)]
pub struct Target {
	/// Its id.
	pub record: u64,
	/// Its current version's digest.
	pub digest: H256,
	/// Its envelope's size in bytes (what a full read returns).
	pub size: u64,
}

/// The patient, the clinician, the gateway and the records.
pub struct Scenario {
	/// The gateway process (acting as //Ferdie).
	pub gateway: GatewayProcess,
	/// Its actor (keystore), to restart it.
	pub gateway_actor: Actor,
	/// Its account, named in every request.
	pub gateway_account: AccountId32,
	/// The patient (//Bob), subject of every record.
	pub patient: KeyMaterial,
	/// The clinician (//Dave), allowed by the patient: reads on consent (no ticket).
	pub reader: Keypair,
	/// The records, in the order of the sizes asked for.
	pub targets: Vec<Target>,
}

impl Scenario {
	/// Starts a gateway beside `node` (files under `dir`), has the patient put one record of
	/// each of `sizes` plaintext bytes through it and allow the clinician (whose reads then
	/// need no transaction).
	pub async fn setup(
		node: &TestNode,
		dir: &Path,
		sizes: &[usize],
		gateway_flags: &[&str],
	) -> Self {
		let chain = node.chain();
		let gateway_actor = Actor::new(node, dir, "gateway", "//Ferdie").await;
		let gateway =
			GatewayProcess::start_with(node, dir, &gateway_actor, 64 << 20, gateway_flags).await;
		let patient = KeyMaterial::new("//Bob").expect("a dev key");
		let patient_account = account_id(&patient.keypair().expect("a key pair"));
		flows::register_pre_keys(chain, &patient)
			.await
			.expect("the patient registers PRE keys");
		let client = GatewayClient::new(&gateway.url).expect("a gateway URL");
		let mut targets = Vec::new();
		for &size in sizes {
			let plaintext: Vec<u8> = (0..size).map(|_| rand::random::<u8>()).collect();
			let put = flows::put_record_bytes(
				chain,
				&patient,
				&client,
				flows::PutBytesRequest {
					plaintext: &plaintext,
					subject: patient_account,
					kind: "Observation",
					policy: None,
				},
				medchain_client::protocol::no_progress(),
			)
			.await
			.expect("the patient puts a record");
			let digest: [u8; 32] = hex::decode(&put.digest)
				.ok()
				.and_then(|d| d.try_into().ok())
				.expect("a sha2-256 digest");
			targets.push(Target {
				record: put.record,
				digest: H256(digest),
				size: put.ciphertext_size,
			});
		}
		let reader_material = KeyMaterial::new("//Dave").expect("a dev key");
		let reader = reader_material.keypair().expect("a key pair");
		chain
			.submit(
				&api::tx().consent().set_override(
					consent::OverrideScope::AllRecords,
					account_id(&reader),
					consent::OverrideKind::Allow,
					None,
					None,
				),
				&patient.keypair().expect("a key pair"),
			)
			.await
			.expect("the patient allows the clinician");
		let info = client.info().await.expect("the gateway answers");
		Self {
			gateway_account: chain::parse_account(&info.account).expect("an account"),
			gateway,
			gateway_actor,
			patient,
			reader,
			targets,
		}
	}

	/// The patient's account.
	pub fn patient_account(&self) -> AccountId32 {
		account_id(&self.patient.keypair().expect("a key pair"))
	}
}

/// The chain's best block number, kept current by a task polling the node (what a client
/// signs its requests' windows against).
#[derive(Clone)]
pub struct BestBlock(Arc<AtomicU32>);

impl BestBlock {
	/// Starts following `chain`'s best block.
	pub async fn follow(chain: Chain) -> Self {
		let (best, _) = chain.best().await.expect("the node answers");
		let number = Arc::new(AtomicU32::new(best));
		let shared = number.clone();
		tokio::spawn(async move {
			loop {
				tokio::time::sleep(Duration::from_millis(200)).await;
				if let Ok((best, _)) = chain.best().await {
					shared.store(best, Ordering::Relaxed);
				}
			}
		});
		Self(number)
	}

	/// The last best block number seen.
	pub fn get(&self) -> u32 {
		self.0.load(Ordering::Relaxed)
	}
}

/// Who reads what from where.
#[derive(Clone)]
pub struct Reader {
	/// The gateway's base URL; a restarted gateway may listen elsewhere.
	pub url: Arc<RwLock<String>>,
	/// The gateway's account.
	pub gateway: AccountId32,
	/// The clinician's key.
	pub key: Keypair,
	/// The chain's genesis hash (signed over).
	pub genesis: [u8; 32],
	/// The best block, for validity windows.
	pub best: BestBlock,
	/// One HTTP client (a connection pool) for all reads.
	pub http: reqwest::Client,
}

/// One read's outcome as the client saw it.
#[derive(Clone, Debug)]
pub struct ReadOutcome {
	/// The request sent.
	pub request: consent::ReadRequest,
	/// The best block when it was signed.
	pub best_at_send: u32,
	/// When it was sent.
	pub sent: Instant,
	/// HTTP status (0: no answer).
	pub status: u16,
	/// The gateway's error code and message, if refused.
	pub error: Option<String>,
	/// Time to the first byte of the body (or of the refusal).
	pub ttfb: Duration,
	/// Time to the last byte.
	pub total: Duration,
	/// Whether the whole envelope arrived (status 200 and `size` bytes).
	pub served: bool,
}

impl Reader {
	/// A reader for `scenario`'s clinician against `node`.
	pub async fn new(node: &TestNode, scenario: &Scenario) -> Self {
		let best = BestBlock::follow(node.chain().clone()).await;
		let http = reqwest::Client::builder().pool_max_idle_per_host(1024);
		Self::with(node, scenario, best, http)
	}

	/// A reader for `scenario`'s clinician that does not follow the chain (its node may be
	/// down): requests are signed against best block `best`.
	pub fn new_offline(node: &TestNode, scenario: &Scenario, best: u32) -> Self {
		let best = BestBlock(Arc::new(AtomicU32::new(best)));
		// A gateway that hangs fails the test instead of stalling it.
		let http = reqwest::Client::builder().timeout(Duration::from_secs(30));
		Self::with(node, scenario, best, http)
	}

	fn with(
		node: &TestNode,
		scenario: &Scenario,
		best: BestBlock,
		http: reqwest::ClientBuilder,
	) -> Self {
		Self {
			url: Arc::new(RwLock::new(scenario.gateway.url.clone())),
			gateway: scenario.gateway_account,
			key: scenario.reader.clone(),
			genesis: node.chain().genesis_hash().0,
			best,
			http: http.build().expect("an HTTP client"),
		}
	}

	/// A fresh request for `target`, signed now.
	pub fn sign(&self, target: &Target) -> (SignedRead, u32) {
		let best = self.best.get();
		let request = consent::ReadRequest {
			record: target.record,
			digest: target.digest,
			reader: account_id(&self.key),
			gateway: self.gateway,
			basis: consent::ReadBasis::Consent(consent::Purpose::Treatment),
			valid_until: best.saturating_add(flows::REQUEST_VALIDITY),
			nonce: rand::random(),
		};
		let message = consent::read_request_message(&request, &self.genesis);
		let signature = self.key.sign(&message).0;
		(SignedRead { request, signature }, best)
	}

	/// Sends `signed` and reads the answer to its end.
	pub async fn send(&self, signed: SignedRead, best_at_send: u32, size: u64) -> ReadOutcome {
		let url = format!(
			"{}/v1/reads",
			self.url.read().unwrap_or_else(|p| p.into_inner())
		);
		let sent = Instant::now();
		let mut outcome = ReadOutcome {
			request: signed.request.clone(),
			best_at_send,
			sent,
			status: 0,
			error: None,
			ttfb: Duration::ZERO,
			total: Duration::ZERO,
			served: false,
		};
		let response = match self.http.post(&url).json(&signed).send().await {
			Ok(response) => response,
			Err(error) => {
				outcome.error = Some(error.to_string());
				outcome.total = sent.elapsed();
				return outcome;
			}
		};
		outcome.status = response.status().as_u16();
		let ok = response.status().is_success();
		let mut response = response;
		let mut received = 0u64;
		let mut body = Vec::new();
		loop {
			match response.chunk().await {
				Ok(Some(chunk)) => {
					if received == 0 {
						outcome.ttfb = sent.elapsed();
					}
					received += chunk.len() as u64;
					if !ok {
						body.extend_from_slice(&chunk);
					}
				}
				Ok(None) => break,
				Err(error) => {
					outcome.error = Some(format!("body cut short: {error}"));
					break;
				}
			}
		}
		outcome.total = sent.elapsed();
		if ok {
			outcome.served = received == size && outcome.error.is_none();
		} else {
			outcome.error = Some(String::from_utf8_lossy(&body).into_owned());
		}
		outcome
	}

	/// One read of `target`.
	pub async fn read(&self, target: &Target) -> ReadOutcome {
		let (signed, best) = self.sign(target);
		self.send(signed, best, target.size).await
	}

	/// Open loop: starts `rate` reads a second of `target` for `duration`, whatever the
	/// answers, and returns every outcome.
	pub async fn at_rate(
		&self,
		target: &Target,
		rate: u32,
		duration: Duration,
	) -> Vec<ReadOutcome> {
		let mut reads = JoinSet::new();
		let period = Duration::from_secs_f64(1.0 / f64::from(rate.max(1)));
		let mut tick = tokio::time::interval(period);
		tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Burst);
		let started = Instant::now();
		while started.elapsed() < duration {
			tick.tick().await;
			let reader = self.clone();
			let target = target.clone();
			reads.spawn(async move { reader.read(&target).await });
		}
		reads.join_all().await
	}

	/// Closed loop: `workers` readers each read `target` again as soon as the last read
	/// ended, for `duration`; returns every outcome.
	pub async fn closed_loop(
		&self,
		target: &Target,
		workers: usize,
		duration: Duration,
	) -> Vec<ReadOutcome> {
		let mut tasks = JoinSet::new();
		let deadline = Instant::now() + duration;
		for _ in 0..workers {
			let reader = self.clone();
			let target = target.clone();
			tasks.spawn(async move {
				let mut outcomes = Vec::new();
				while Instant::now() < deadline {
					let outcome = reader.read(&target).await;
					if outcome.status == 0 || outcome.status == 503 {
						// No gateway listening (being restarted), or it is busy: do not spin.
						tokio::time::sleep(Duration::from_millis(50)).await;
					}
					outcomes.push(outcome);
				}
				outcomes
			});
		}
		tasks.join_all().await.into_iter().flatten().collect()
	}
}

/// The `p`-th percentile (0–100) of `values`, nearest rank; zero for none.
pub fn percentile(values: &[Duration], p: f64) -> Duration {
	if values.is_empty() {
		return Duration::ZERO;
	}
	let mut sorted = values.to_vec();
	sorted.sort();
	let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
	sorted[rank.clamp(1, sorted.len()) - 1]
}

/// Milliseconds, for reports.
pub fn ms(duration: Duration) -> f64 {
	duration.as_secs_f64() * 1000.0
}

/// One served read's receipt as listed in a finalised block.
#[derive(Clone, Debug)]
pub struct Listed {
	/// The block it was listed in.
	pub recorded_at: u32,
	/// `None`: the chain allowed the read there.
	pub refused: Option<consent::ReadRefusal>,
}

/// The receipts of `reads` (of `subject`'s records) in the finalised state: one entry per
/// read, `None` where none is listed yet.
pub async fn finalised_receipts(
	node: &TestNode,
	subject: &AccountId32,
	reads: &[&ReadOutcome],
) -> Vec<Option<Listed>> {
	let (_, hash) = node.chain().finalized().await.expect("a finalised block");
	receipts_at(node, hash, subject, reads).await
}

/// The receipts of `reads` (of `subject`'s records) in the state at block `hash`: one entry
/// per read, `None` where none is listed there.
pub async fn receipts_at(
	node: &TestNode,
	hash: H256,
	subject: &AccountId32,
	reads: &[&ReadOutcome],
) -> Vec<Option<Listed>> {
	let at = node
		.client()
		.at_block(hash)
		.await
		.expect("state at the finalised block");
	let mut listed = Vec::with_capacity(reads.len());
	for read in reads {
		let key = H256(consent::receipt_key(&read.request));
		let receipt = at
			.storage()
			.try_fetch(api::storage().consent().read_receipts(), (*subject, key))
			.await
			.expect("a storage query");
		listed.push(receipt.map(|value| {
			let receipt: consent::ReadReceipt = value.decode().expect("a receipt");
			Listed {
				recorded_at: receipt.recorded_at,
				refused: receipt.refused,
			}
		}));
	}
	listed
}

/// Waits until every read of `reads` has a receipt in the finalised state, or `timeout`;
/// returns what is listed then.
pub async fn wait_for_receipts(
	node: &TestNode,
	subject: &AccountId32,
	reads: &[&ReadOutcome],
	timeout: Duration,
) -> Vec<Option<Listed>> {
	let deadline = Instant::now() + timeout;
	loop {
		let listed = finalised_receipts(node, subject, reads).await;
		if listed.iter().all(Option::is_some) || Instant::now() > deadline {
			return listed;
		}
		tokio::time::sleep(Duration::from_secs(1)).await;
	}
}
