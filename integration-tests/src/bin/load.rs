//! `medchain-load`: floods a MedChain node or network with pre-signed transactions and
//! reports what the chain included (run by `scripts/load.sh`).
//!
//! Without `--url` it starts its own single-validator dev chain (Alice) on loopback with the
//! transaction pool sized for the load (`POOL_FLAGS`): the `dev` preset with sessions of
//! `--session-blocks` (default 600, the hour a consortium's chain spec sets; the preset's 10
//! suit tests of validator changes). pallet-session charges a whole block's weight for each
//! rotation, so a session's first block carries no transactions: with the preset's 10-block
//! sessions one block in ten, which is not what a consortium's chain sustains. With `--url`
//! (repeatable) it drives a running network, e.g. the four validators of
//! `zombienet/load.toml`, spreading the submitters over the URLs and watching blocks and
//! finality through the first.
//!
//! Set-up (not measured): //Alice funds the senders, custodians ("hospitals") and their
//! patients, and each patient authorises its hospital; with `--policies` every `register`
//! sender and every patient also creates a consent policy that its records name (records have
//! no policy otherwise). Then, per load, for `--secs`:
//! - `transfer`: `transfer_keep_alive` from every sender;
//! - `register`: `register_record`, each sender registering records about itself;
//! - `batch`: `register_records` of `--batch` records, each about another of the hospital's
//!   patients (every record its own CID, subject and entry);
//! - `anchor`: `anchor_batch`, one Merkle root standing for `--leaves` off-chain records.
//!
//! Each load is sized from its transaction's charged weight so the pool never runs dry
//! within the window. Reported per block: signed extrinsics, failures, records, ordinary
//! weight and length against the runtime's limits; per load: its own transactions (counted
//! by what they did, [`Kind::own`]: a previous load's late transactions in the same blocks are
//! not this load's) and records a second over the window, the share of the weight-derived
//! ceiling reached, finality lag (sampled every 100 ms) and what the pool refused. The window
//! is `--secs` worth of slots starting at the block after the first block with load: that
//! first block was built while submission was starting, with whatever had arrived by then
//! (the ramp-up, printed by `--blocks` but not counted), so counting it measured when the
//! harness started within a slot, not what the chain sustains. Exits non-zero if the pool
//! refused a transaction (other than for being full) or one failed in its block.

use std::{
	process::ExitCode,
	sync::{atomic::AtomicBool, Arc},
	time::{Duration, Instant},
};

use clap::Parser;
use medchain_client::chain::{account_id, api, AccountId32, Chain};
use medchain_integration_tests::{
	load::{
		block_stat, charged_weight, create_policies, fund, key, one_call_each, proposals, send,
		sign_queue, units, BlockStat, Kind, Limits, Parties, Watcher,
	},
	DevKey, NodeConfig, TestNode,
};
use subxt_signer::sr25519::{dev, Keypair};

/// The dev node's pool, sized for floods. polkadot-sdk sizes the queue of transactions that
/// wait for an earlier nonce (future) at a tenth of `--pool-limit`. Under a flood the
/// fork-aware pool's view of a new block holds many there for a moment although each sender
/// submits in nonce order (up to 974 seen in a 12 s run). With 32,768 (3,276 future places)
/// that queue filled, the pool dropped transactions, every later one of their senders then
/// waited for a nonce that never came and kept the queue full, and blocks went out nearly
/// empty while the pool held 20,000 (`txpool=debug`: a view with 0 ready and 3,276 future for
/// three blocks; CI's 12 s runs and two `--policies` runs). 262,144 keeps 26,214 future
/// places, more than a flood here keeps in flight; they are limits, not allocations.
const POOL_FLAGS: &[&str] = &["--pool-limit", "262144", "--pool-kbytes", "262144"];

#[derive(Parser, Debug)]
#[command(
	name = "medchain-load",
	about = "Flood MedChain with transactions and measure it"
)]
struct Args {
	/// WebSocket RPC URL of a running node (repeatable); none: start a dev node.
	#[arg(long = "url")]
	urls: Vec<String>,
	/// Loads to run, in order.
	#[arg(
		long,
		value_delimiter = ',',
		default_value = "transfer,register,batch,anchor"
	)]
	loads: Vec<String>,
	/// Seconds each load is measured over.
	#[arg(long, default_value_t = 60)]
	secs: u64,
	/// Accounts sending transfers, single registrations and anchors.
	#[arg(long, default_value_t = 128)]
	senders: usize,
	/// Custodians sending batches, each writing for `--batch` patients of its own.
	#[arg(long, default_value_t = 32)]
	hospitals: usize,
	/// Records in each `register_records`.
	#[arg(long, default_value_t = 64)]
	batch: u32,
	/// Off-chain records each anchor stands for.
	#[arg(long, default_value_t = 1024)]
	leaves: u32,
	/// RPC connections to submit over.
	#[arg(long, default_value_t = 4)]
	connections: usize,
	/// Concurrent submitters.
	#[arg(long, default_value_t = 32)]
	tasks: usize,
	/// Submission rate as a multiple of the load's weight-derived ceiling: a little above 1
	/// keeps blocks full without piling up the pool.
	#[arg(long, default_value_t = 1.2)]
	pace: f64,
	/// Records name a consent policy, as real ones do: in set-up every `register` sender and
	/// every patient creates its own, and its records name it (without: no policy).
	#[arg(long)]
	policies: bool,
	/// Print every block of the window, and the ramp-up block before it.
	#[arg(long)]
	blocks: bool,
	/// The log of a node given by `--url` (how long it took to build its blocks and why it
	/// stopped); the dev node's own log otherwise.
	#[arg(long)]
	log: Option<std::path::PathBuf>,
	/// Keep the dev node's database here (e.g. for `benchmark storage` on a loaded chain).
	#[arg(long)]
	base_path: Option<std::path::PathBuf>,
	/// Blocks per session of the dev chain the harness starts (a session's first block carries
	/// no transactions: pallet-session charges it in full for the rotation).
	#[arg(long, default_value_t = 600)]
	session_blocks: u32,
}

/// One load's outcome.
struct Outcome {
	kind: Kind,
	tx_per_s: f64,
	records_per_s: f64,
	ceiling_tx_per_s: f64,
	/// The ceiling by the weight transactions actually used (after refunds).
	used_ceiling_tx_per_s: f64,
	max_lag: u32,
	/// Transactions refused by the pool or failed in their block.
	lost: u64,
}

struct Run {
	chains: Vec<Chain>,
	limits: Limits,
	watcher: Watcher,
	/// Per load, its own senders (so what one load leaves in the pool cannot take the nonces
	/// the next one signed with).
	senders: std::collections::BTreeMap<&'static str, (Vec<Keypair>, Vec<AccountId32>)>,
	hospitals: Vec<Keypair>,
	patients: Vec<Vec<AccountId32>>,
	/// Each subject's own policy (`--policies`), named by its records.
	policies: std::collections::BTreeMap<AccountId32, u32>,
	run: u64,
	log: Option<std::path::PathBuf>,
}

/// The dev node and the directory holding its chain spec (kept while the node runs).
type DevNode = (TestNode, tempfile::TempDir);

async fn connect(args: &Args) -> Result<(Option<DevNode>, Vec<Chain>), String> {
	let (node, urls) = if args.urls.is_empty() {
		let dir = tempfile::tempdir().map_err(|e| format!("a temporary directory: {e}"))?;
		let spec = dev_spec(dir.path(), args.session_blocks)?;
		// What `--dev` sets, on the patched spec: Alice's keys, authoring alone.
		let mut config = NodeConfig::dev()
			.chain(medchain_integration_tests::Chain::Spec(spec))
			.dev_key(DevKey::Alice)
			.validator(true)
			.node_key(DevKey::Alice.node_key())
			.arg("--force-authoring");
		for flag in POOL_FLAGS {
			config = config.arg(*flag);
		}
		if let Some(path) = &args.base_path {
			config = config.base_path(path);
		}
		let node = config.spawn().await.map_err(|e| e.to_string())?;
		println!(
			"dev node on {} ({}; sessions of {} blocks)",
			node.ws_url(),
			POOL_FLAGS.join(" "),
			args.session_blocks
		);
		let url = node.ws_url().to_string();
		(Some((node, dir)), vec![url])
	} else {
		(None, args.urls.clone())
	};
	let mut chains = Vec::new();
	for i in 0..args.connections.max(1) {
		let url = &urls[i % urls.len()];
		chains.push(Chain::connect(url).await.map_err(|e| e.to_string())?);
	}
	Ok((node, chains))
}

/// Writes the `dev` preset's chain spec, with `session_blocks` blocks a session, into `dir`.
fn dev_spec(dir: &std::path::Path, session_blocks: u32) -> Result<std::path::PathBuf, String> {
	if session_blocks == 0 {
		return Err("--session-blocks must be at least 1".into());
	}
	let node = medchain_integration_tests::node_binary().map_err(|e| e.to_string())?;
	let output = std::process::Command::new(&node)
		.args(["export-chain-spec", "--chain", "dev"])
		.output()
		.map_err(|e| format!("running {}: {e}", node.display()))?;
	if !output.status.success() {
		return Err(format!(
			"{} export-chain-spec --chain dev failed: {}",
			node.display(),
			String::from_utf8_lossy(&output.stderr)
		));
	}
	let mut spec: serde_json::Value = serde_json::from_slice(&output.stdout)
		.map_err(|e| format!("the dev chain spec is not JSON: {e}"))?;
	let length = spec
		.pointer_mut("/genesis/runtimeGenesis/patch/validators/sessionLength")
		.ok_or("the dev chain spec has no validators.sessionLength")?;
	*length = session_blocks.into();
	let path = dir.join("dev.json");
	std::fs::write(&path, spec.to_string())
		.map_err(|e| format!("writing {}: {e}", path.display()))?;
	Ok(path)
}

async fn set_up(
	args: &Args,
	chains: Vec<Chain>,
	log: Option<std::path::PathBuf>,
) -> Result<Run, String> {
	let limits = Limits::read(&chains[0]).await?;
	println!(
		"limits: ordinary transactions {:.3} s of {:.3} s a block, base extrinsic {:.1} µs, {} KiB; block time {:?}",
		limits.normal_ref_time as f64 / 1e12,
		limits.block_ref_time as f64 / 1e12,
		limits.base_extrinsic as f64 / 1e6,
		limits.normal_length / 1024,
		limits.block_time
	);
	let watcher = Watcher::start(chains[0].clone()).await?;
	let mut senders = std::collections::BTreeMap::new();
	for kind in [Kind::Transfer, Kind::Register, Kind::Anchor] {
		let keys: Vec<Keypair> = (0..args.senders).map(|i| key(kind.name(), i)).collect();
		let ids: Vec<AccountId32> = keys.iter().map(account_id).collect();
		senders.insert(kind.name(), (keys, ids));
	}
	let sender_ids: Vec<AccountId32> = senders.values().flat_map(|(_, ids)| ids.clone()).collect();
	let hospitals: Vec<Keypair> = (0..args.hospitals).map(|i| key("hospital", i)).collect();
	let patient_keys: Vec<Vec<Keypair>> = (0..args.hospitals)
		.map(|h| {
			(0..args.batch as usize)
				.map(|i| key("patient", h * args.batch as usize + i))
				.collect()
		})
		.collect();
	let patients: Vec<Vec<AccountId32>> = patient_keys
		.iter()
		.map(|keys| keys.iter().map(account_id).collect())
		.collect();

	let started = Instant::now();
	let alice = dev::alice();
	let hospital_ids: Vec<AccountId32> = hospitals.iter().map(account_id).collect();
	let patient_ids: Vec<AccountId32> = patients.iter().flatten().copied().collect();
	// One flood from Alice funds everyone (one wait for finality, not three).
	let payments: Vec<(AccountId32, u128)> = sender_ids
		.iter()
		.map(|id| (*id, units(1_000)))
		.chain(hospital_ids.iter().map(|id| (*id, units(8_000))))
		.chain(patient_ids.iter().map(|id| (*id, units(10))))
		.collect();
	fund(&chains, &alice, &payments).await?;
	// Each patient authorises its hospital for every kind.
	let authorisations = hospitals
		.iter()
		.zip(&patient_keys)
		.flat_map(|(hospital, keys)| {
			let custodian = account_id(hospital);
			keys.iter().map(move |patient| {
				let call = api::tx().records().authorize_custodian(
					custodian,
					medchain_client::chain::records::CustodianScope::AllKinds,
					None,
				);
				(patient, call)
			})
		});
	one_call_each(&chains, authorisations).await?;
	// With `--policies`, every subject of a record owns a policy its records name.
	let policies = if args.policies {
		let registrants = senders
			.get(Kind::Register.name())
			.map(|(keys, _)| keys.iter())
			.into_iter()
			.flatten();
		let owners: Vec<&Keypair> = registrants.chain(patient_keys.iter().flatten()).collect();
		create_policies(&chains, &owners).await?
	} else {
		Default::default()
	};
	println!(
		"set-up: {} senders, {} hospitals with {} patients each funded and authorised{} in {:.0} s",
		sender_ids.len(),
		hospitals.len(),
		args.batch,
		if args.policies {
			format!(", {} policies created", policies.len())
		} else {
			String::new()
		},
		started.elapsed().as_secs_f64()
	);
	let run = std::time::SystemTime::now()
		.duration_since(std::time::UNIX_EPOCH)
		.map(|d| d.as_secs())
		.unwrap_or(0);
	Ok(Run {
		chains,
		limits,
		watcher,
		senders,
		hospitals,
		patients,
		policies,
		run,
		log,
	})
}

async fn load(args: &Args, run: &Run, kind: Kind) -> Result<Outcome, String> {
	let chain = &run.chains[0];
	let no_one = (Vec::new(), Vec::new());
	let (keys, ids): (&[Keypair], &[AccountId32]) = match kind {
		Kind::Batch => (&run.hospitals, &[]),
		_ => {
			let (keys, ids) = run.senders.get(kind.name()).unwrap_or(&no_one);
			(keys, ids)
		}
	};
	let parties = Parties {
		senders: ids,
		patients: &run.patients,
		policies: &run.policies,
	};
	// The weight one transaction is charged, and from it how many fit a block.
	let nonce0 = chain
		.next_nonce(&account_id(&keys[0]))
		.await
		.map_err(|e| e.to_string())?;
	let probe = sign_queue(
		chain,
		kind,
		run.run,
		(0, &keys[0], nonce0),
		1,
		args.batch,
		args.leaves,
		&parties,
	)
	.await?;
	let weight = charged_weight(chain, &probe[0]).await?;
	let per_block = run.limits.normal_ref_time / (weight + run.limits.base_extrinsic).max(1);
	let block_secs = run.limits.block_time.as_secs_f64();
	let ceiling = per_block as f64 / block_secs;
	let blocks = (args.secs as f64 / block_secs).ceil() as u64 + 5;
	let total = per_block.saturating_mul(blocks) as usize;
	let per_sender = total.div_ceil(keys.len());
	println!(
		"\n{}: {:.1} µs charged a transaction (+{:.1} base): {} a block, {:.0} a second at most; signing {} ({} per sender)",
		kind.name(),
		weight as f64 / 1e6,
		run.limits.base_extrinsic as f64 / 1e6,
		per_block,
		ceiling,
		per_sender * keys.len(),
		per_sender
	);
	let signing = Instant::now();
	let mut queues = Vec::new();
	for (index, key) in keys.iter().enumerate() {
		let nonce = chain
			.next_nonce(&account_id(key))
			.await
			.map_err(|e| e.to_string())?;
		queues.push(
			sign_queue(
				chain,
				kind,
				run.run,
				(index, key, nonce),
				per_sender,
				args.batch,
				args.leaves,
				&parties,
			)
			.await?,
		);
	}
	println!(
		"{}: signed in {:.1} s",
		kind.name(),
		signing.elapsed().as_secs_f64()
	);

	let first = run.watcher.best();
	let stop = Arc::new(AtomicBool::new(false));
	let started = Instant::now();
	let sending = {
		let chains = run.chains.clone();
		let stop = stop.clone();
		let tasks = args.tasks;
		let rate = Some(ceiling * args.pace);
		tokio::spawn(async move { send(&chains, queues, tasks, rate, stop).await })
	};
	// Send for the window plus three blocks: the one being built when sending starts, the
	// ramp-up block (the first with load) and one to spare.
	tokio::time::sleep(Duration::from_secs(args.secs) + 3 * run.limits.block_time).await;
	stop.store(true, std::sync::atomic::Ordering::Relaxed);
	let stopped = Instant::now();
	let sent = sending.await.map_err(|e| e.to_string())?;
	let last = run.watcher.best();
	let (max_lag, mean_lag) = run.watcher.lag(started, stopped);

	let mut stats: Vec<BlockStat> = Vec::new();
	for number in first + 1..=last {
		stats.push(block_stat(chain, number).await?);
	}
	let Some(start) = stats.iter().position(|s| kind.own(s, args.batch) > 0) else {
		return Err(format!("{}: no block included the load", kind.name()));
	};
	let t0 = stats[start].timestamp;
	// One block a slot: the window is the `--secs` worth of slots after the ramp-up block (the
	// first with load). (Timestamps are the author's clock when it built the block, anywhere
	// in its slot, so counting blocks by timestamp let three blocks into a 12 s window.)
	let slots = ((args.secs as f64 / block_secs).round() as usize).max(1);
	let shown: Vec<&BlockStat> = stats[start..].iter().take(slots + 1).collect();
	let window = shown.get(1..).unwrap_or_default();
	if window.is_empty() {
		return Err(format!(
			"{}: no block after the ramp-up block #{}",
			kind.name(),
			stats[start].number
		));
	}
	// A slot a block, unless slots went empty (a network too slow for its load): then the
	// blocks' own timestamps, from the ramp-up block to the last, so that missed slots are
	// never counted as time that produced blocks (four validators on 2 cores once made 5
	// blocks in 48 s, which a slot a block would have called 30 s).
	let slotted = window.len() as f64 * block_secs;
	let stamped = window.last().map_or(0.0, |last| {
		last.timestamp.saturating_sub(t0) as f64 / 1000.0
	});
	let secs = if stamped > slotted + block_secs {
		println!(
			"{}: slots went empty: {} blocks in {stamped:.0} s by their timestamps, which the rates use",
			kind.name(),
			window.len(),
		);
		stamped
	} else {
		slotted
	};
	let authored = run
		.log
		.as_ref()
		.and_then(|path| std::fs::read_to_string(path).ok())
		.map(|log| proposals(&log))
		.unwrap_or_default();
	let mut included = 0u64;
	let mut signed = 0u64;
	let mut records = 0u64;
	let mut failed = 0u64;
	let mut built = Vec::new();
	let mut ends = std::collections::BTreeMap::<String, usize>::new();
	for (index, s) in shown.iter().enumerate() {
		let ramp_up = index == 0;
		let proposal = authored.get(&s.number);
		// A failure counts wherever it happened, the ramp-up block too.
		failed += u64::from(s.failed);
		// Records the block made: anchors stand for `--leaves` off-chain records each.
		let made = match kind {
			Kind::Anchor => s.anchors * u64::from(args.leaves),
			_ => s.records,
		};
		if !ramp_up {
			if let Some(p) = proposal {
				built.push(p.millis);
				*ends.entry(p.end.clone()).or_default() += 1;
			}
			included += kind.own(s, args.batch);
			signed += u64::from(s.signed);
			records += made;
		}
		if args.blocks {
			println!(
				"  #{:<6} +{:>5.1} s {:>6} signed {:>4} failed {:>7} records  weight {:>5.1} %  length {:>5.1} %  {}{}",
				s.number,
				(s.timestamp - t0) as f64 / 1000.0,
				s.signed,
				s.failed,
				made,
				100.0 * s.normal_ref_time as f64 / run.limits.normal_ref_time as f64,
				100.0 * s.length as f64 / f64::from(run.limits.normal_length),
				proposal.map_or(String::new(), |p| format!("built in {} ms ({})", p.millis, p.end)),
				if ramp_up { "  [ramp-up: not counted]" } else { "" },
			);
		}
	}
	let fills: Vec<f64> = window
		.iter()
		.map(|s| 100.0 * s.normal_ref_time as f64 / run.limits.normal_ref_time as f64)
		.collect();
	// Only this load's transactions that succeeded count (`own`): a block may also carry
	// the previous load's late ones.
	let tx_per_s = included as f64 / secs;
	let records_per_s = records as f64 / secs;
	// The weight a transaction actually used (after refunds, with the base weight), from the
	// blocks' ordinary weight over their signed transactions, and the ceiling it gives: a call
	// that refunds part of its declared weight fits more often than the declared ceiling says.
	let used_ref_time: u64 = window.iter().map(|s| s.normal_ref_time).sum();
	let used_per_tx = used_ref_time as f64 / signed.max(1) as f64;
	let used_ceiling = run.limits.normal_ref_time as f64 / used_per_tx.max(1.0) / block_secs;
	println!(
		"{}: {} blocks ({:.0} s): {} of its transactions ({signed} signed in all, {failed} failed), {:.0} tx/s = {:.0} % of the ceiling; {} records = {:.0} records/s",
		kind.name(),
		window.len(),
		secs,
		included,
		tx_per_s,
		100.0 * tx_per_s / ceiling,
		records,
		records_per_s,
	);
	println!(
		"{}: weight used {:.1} µs a transaction with the base (charged up front {:.1}): ceiling by weight used {:.0} a second, {:.0} % of it reached",
		kind.name(),
		used_per_tx / 1e6,
		(weight + run.limits.base_extrinsic) as f64 / 1e6,
		used_ceiling,
		100.0 * tx_per_s / used_ceiling.max(f64::MIN_POSITIVE),
	);
	println!(
		"{}: block weight fill min {:.1} / mean {:.1} / max {:.1} %; finality lag max {} blocks, mean {:.1}",
		kind.name(),
		fills.iter().copied().fold(f64::INFINITY, f64::min),
		fills.iter().sum::<f64>() / fills.len().max(1) as f64,
		fills.iter().copied().fold(0.0, f64::max),
		max_lag,
		mean_lag
	);
	if !built.is_empty() {
		println!(
			"{}: blocks built in mean {:.0} / max {} ms by the author; building ended {:?}",
			kind.name(),
			built.iter().sum::<u64>() as f64 / built.len() as f64,
			built.iter().max().copied().unwrap_or(0),
			ends
		);
	}
	println!(
		"{}: pool accepted {}, full {} times (sent again), refused {:?}, unsent at the deadline {}",
		kind.name(),
		sent.accepted,
		sent.pool_full,
		sent.refused,
		sent.unsent
	);
	// Let the pool drain before the next load: until a block without signed transactions.
	let drain = Instant::now() + Duration::from_secs(180);
	let mut next = last + 1;
	while Instant::now() < drain {
		run.watcher
			.wait_for_best(next, Duration::from_secs(60))
			.await?;
		if block_stat(chain, next).await?.signed == 0 {
			break;
		}
		next += 1;
	}
	Ok(Outcome {
		kind,
		tx_per_s,
		records_per_s,
		ceiling_tx_per_s: ceiling,
		used_ceiling_tx_per_s: used_ceiling,
		max_lag,
		lost: failed + sent.refused.values().sum::<u64>(),
	})
}

async fn main_run(args: Args) -> Result<(), String> {
	let kinds: Vec<Kind> = args
		.loads
		.iter()
		.map(|l| Kind::parse(l))
		.collect::<Result<_, _>>()?;
	let (node, chains) = connect(&args).await?;
	let log = node
		.as_ref()
		.map(|(node, _)| node.log_path().to_path_buf())
		.or_else(|| args.log.clone());
	let run = set_up(&args, chains, log).await?;
	let mut outcomes = Vec::new();
	for kind in kinds {
		outcomes.push(load(&args, &run, kind).await?);
	}
	println!("\nsummary ({} s per load):", args.secs);
	for o in &outcomes {
		println!(
			"  {:<8} {:>7.0} tx/s ({:>3.0} % of its ceiling {:.0}; {:>3.0} % of {:.0} by weight used) {:>8.0} records/s  finality lag max {} blocks",
			o.kind.name(),
			o.tx_per_s,
			100.0 * o.tx_per_s / o.ceiling_tx_per_s,
			o.ceiling_tx_per_s,
			100.0 * o.tx_per_s / o.used_ceiling_tx_per_s.max(f64::MIN_POSITIVE),
			o.used_ceiling_tx_per_s,
			o.records_per_s,
			o.max_lag
		);
	}
	let rate = |kind: Kind| outcomes.iter().find(|o| o.kind == kind).map(|o| o.tx_per_s);
	if let (Some(register), Some(transfer)) = (rate(Kind::Register), rate(Kind::Transfer)) {
		println!(
			"  register_record / transfer: {:.2}x",
			register / transfer.max(f64::MIN_POSITIVE)
		);
	}
	let lost: u64 = outcomes.iter().map(|o| o.lost).sum();
	if lost > 0 {
		return Err(format!(
			"{lost} transactions were refused by the pool or failed in their block"
		));
	}
	Ok(())
}

#[tokio::main]
async fn main() -> ExitCode {
	match main_run(Args::parse()).await {
		Ok(()) => ExitCode::SUCCESS,
		Err(error) => {
			eprintln!("error: {error}");
			ExitCode::FAILURE
		}
	}
}
