//! `medchain-bench-reads`: measures reads against a real `medchain-node --dev` and
//! `medchain-gateway` it starts on loopback (run by `scripts/bench-reads.sh`).
//!
//! 1. **Latency**: an open loop of signed reads of a 1 MiB record at `--rate` a second for
//!    `--latency-secs`: time to first byte and whole-read time (p50, p95, p99).
//! 2. **Throughput**: a closed loop of `--workers` readers of a 4 KiB record for
//!    `--throughput-secs`: reads a second served in full. With `--crash`, the gateway is
//!    killed with SIGKILL a third of the way in and restarted on its data directory.
//! 3. **Receipts**: for every read served in full, its receipt in the finalised state: how many
//!    are listed (and as allowed), receipts per block, and how many blocks after the best block
//!    the request was signed at its receipt was listed.
//!
//! Every load is bounded by its duration; all traffic goes to 127.0.0.1.

use std::{collections::BTreeMap, process::ExitCode, time::Duration};

use clap::Parser;
use medchain_integration_tests::{
	reads::{ms, percentile, wait_for_receipts, ReadOutcome, Reader, Scenario, LOAD_GATEWAY_FLAGS},
	TestNode,
};

#[derive(Parser, Debug)]
#[command(
	name = "medchain-bench-reads",
	about = "Measure MedChain reads on this machine"
)]
struct Args {
	/// Reads a second of the 1 MiB record in the latency phase.
	#[arg(long, default_value_t = 50)]
	rate: u32,
	/// Length of the latency phase.
	#[arg(long, default_value_t = 30)]
	latency_secs: u64,
	/// Concurrent readers in the throughput phase (each reads again as soon as its read is
	/// done, ~0.1 s a read: 64 readers could ask for at most ~650 reads a second).
	#[arg(long, default_value_t = 128)]
	workers: usize,
	/// Length of the throughput phase (0 skips it).
	#[arg(long, default_value_t = 60)]
	throughput_secs: u64,
	/// Kill the gateway with SIGKILL during the throughput phase and restart it.
	#[arg(long)]
	crash: bool,
	/// How long to wait for the last receipts to be finalised.
	#[arg(long, default_value_t = 300)]
	receipt_timeout_secs: u64,
	/// The gateway's `--max-waiting-receipts`: served reads whose receipts are in no block yet
	/// before it answers `503 busy`. The gateway's default, 8,192, is about what one block
	/// lists; at 1,000 reads a second a gateway serves ~6,000 reads a block and some wait a
	/// second block, so the load gives it two blocks' worth.
	#[arg(long, default_value_t = 16_384)]
	max_waiting_receipts: usize,
}

fn report_latency(name: &str, outcomes: &[ReadOutcome], seconds: f64) {
	let served: Vec<&ReadOutcome> = outcomes.iter().filter(|o| o.served).collect();
	let ttfb: Vec<Duration> = served.iter().map(|o| o.ttfb).collect();
	let total: Vec<Duration> = served.iter().map(|o| o.total).collect();
	println!(
		"{name}: {} sent, {} served in full ({:.1} reads/s), {} not",
		outcomes.len(),
		served.len(),
		served.len() as f64 / seconds,
		outcomes.len() - served.len()
	);
	println!(
		"{name}: TTFB p50 {:.1} ms, p95 {:.1} ms, p99 {:.1} ms; whole read p50 {:.1} ms, p99 {:.1} ms",
		ms(percentile(&ttfb, 50.0)),
		ms(percentile(&ttfb, 95.0)),
		ms(percentile(&ttfb, 99.0)),
		ms(percentile(&total, 50.0)),
		ms(percentile(&total, 99.0)),
	);
	let mut errors = BTreeMap::<String, usize>::new();
	for outcome in outcomes.iter().filter(|o| !o.served) {
		let key = outcome
			.error
			.clone()
			.unwrap_or_else(|| format!("status {}", outcome.status));
		*errors.entry(key.chars().take(120).collect()).or_default() += 1;
	}
	for (error, count) in errors {
		println!("{name}: not served x{count}: {error}");
	}
}

async fn run(args: Args) -> Result<(), String> {
	let node = TestNode::dev().await.map_err(|e| e.to_string())?;
	let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
	println!(
		"node and gateway on 127.0.0.1; files in {}",
		dir.path().display()
	);
	let waiting = args.max_waiting_receipts.to_string();
	let mut gateway_flags = LOAD_GATEWAY_FLAGS.to_vec();
	gateway_flags.extend(["--max-waiting-receipts", waiting.as_str()]);
	let mut scenario = Scenario::setup(&node, dir.path(), &[1 << 20, 4096], &gateway_flags).await;
	let (large, small) = (scenario.targets[0].clone(), scenario.targets[1].clone());
	let subject = scenario.patient_account();
	let reader = Reader::new(&node, &scenario).await;
	let mut all = Vec::new();

	if args.latency_secs > 0 {
		let seconds = args.latency_secs as f64;
		let outcomes = reader
			.at_rate(&large, args.rate, Duration::from_secs(args.latency_secs))
			.await;
		report_latency(
			&format!("latency (1 MiB at {}/s)", args.rate),
			&outcomes,
			seconds,
		);
		all.extend(outcomes);
	}

	if args.throughput_secs > 0 {
		let duration = Duration::from_secs(args.throughput_secs);
		let load = {
			let reader = reader.clone();
			let small = small.clone();
			let workers = args.workers;
			tokio::spawn(async move { reader.closed_loop(&small, workers, duration).await })
		};
		if args.crash {
			tokio::time::sleep(duration / 3).await;
			println!("crash: SIGKILL to the gateway, restarting it on its data directory");
			scenario
				.gateway
				.kill_and_restart(&node, &scenario.gateway_actor, 64 << 20, &gateway_flags)
				.await;
		}
		let outcomes = load.await.map_err(|e| e.to_string())?;
		report_latency(
			&format!("throughput (4 KiB, {} readers)", args.workers),
			&outcomes,
			duration.as_secs_f64(),
		);
		all.extend(outcomes);
	}

	let served: Vec<&ReadOutcome> = all.iter().filter(|o| o.served).collect();
	println!(
		"receipts: waiting for {} served reads' receipts to be finalised",
		served.len()
	);
	let started = std::time::Instant::now();
	let listed = wait_for_receipts(
		&node,
		&subject,
		&served,
		Duration::from_secs(args.receipt_timeout_secs),
	)
	.await;
	let mut per_block = BTreeMap::<u32, usize>::new();
	let mut delays = BTreeMap::<u32, usize>::new();
	let (mut missing, mut flagged) = (0usize, 0usize);
	for (outcome, listed) in served.iter().zip(&listed) {
		match listed {
			None => missing += 1,
			Some(listed) => {
				if listed.refused.is_some() {
					flagged += 1;
				}
				*per_block.entry(listed.recorded_at).or_default() += 1;
				*delays
					.entry(listed.recorded_at.saturating_sub(outcome.best_at_send))
					.or_default() += 1;
			}
		}
	}
	println!(
		"receipts: {} of {} served reads listed in finalised blocks ({missing} missing, {flagged} flagged), checked in {:.0} s",
		served.len() - missing,
		served.len(),
		started.elapsed().as_secs_f64()
	);
	let counts: Vec<usize> = per_block.values().copied().collect();
	println!(
		"receipts per block: {} blocks, max {}, mean {:.0}",
		counts.len(),
		counts.iter().max().copied().unwrap_or(0),
		counts.iter().sum::<usize>() as f64 / counts.len().max(1) as f64
	);
	println!("blocks from the request's best block to its receipt's block: {delays:?}");
	let within = delays
		.iter()
		.filter(|(delay, _)| **delay <= 3)
		.map(|(_, n)| n)
		.sum::<usize>();
	println!(
		"receipts listed within 3 blocks: {within} of {} ({:.1} %)",
		served.len(),
		100.0 * within as f64 / served.len().max(1) as f64
	);
	if missing > 0 {
		return Err(format!("{missing} served reads have no finalised receipt"));
	}
	Ok(())
}

#[tokio::main]
async fn main() -> ExitCode {
	match run(Args::parse()).await {
		Ok(()) => ExitCode::SUCCESS,
		Err(error) => {
			eprintln!("error: {error}");
			ExitCode::FAILURE
		}
	}
}
