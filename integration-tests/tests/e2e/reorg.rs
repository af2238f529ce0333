//! Receipts across a reorg: the gateway's node is cut off with a minority, the reads it serves
//! there are listed in a block of the minority's fork, the network heals, that block is
//! retracted, and every served read still ends up with its receipt in a finalised block.
//!
//! The network: the four validators of the consortium spec (Alice, Bob, Charlie, Dave) and a
//! non-validating full node, all started with `--reserved-only` on the libp2p backend so the
//! test can cut and restore links over RPC (`system_removeReservedPeer` /
//! `system_addReservedPeer`). The gateway runs beside Dave's node.
//!
//! 1. **Partition**: {Alice, Bob, Charlie} | {Dave, full node}. The majority authors three
//!    slots in four and finalises (three of four GRANDPA votes); Dave authors his slots on a
//!    fork nobody can finalise. (The full node is there because Aura does not author on a node
//!    with no peers at all.)
//! 2. **Reads in the minority**: the clinician's reads are decided at Dave's best block and
//!    served at once; their receipts are listed in a block of Dave's fork.
//! 3. **Heal**, once the majority has finalised its own block at the fork block's height: Dave
//!    imports the majority's finalised chain and reorgs away from his fork: the block that
//!    listed the receipts is no longer on his best chain.
//! 4. **Every served read has its receipt in a finalised block** of the healed chain, listed
//!    as allowed (the reads are listed again within their requests' validity window).

use std::time::{Duration, Instant};

use subxt::utils::H256;

use medchain_integration_tests::{
	consortium_spec, poll_until,
	reads::{receipts_at, wait_for_receipts, Reader, Scenario, LOAD_GATEWAY_FLAGS},
	Chain, DevKey, NodeConfig, TestNetwork,
};

const STEP_TIMEOUT: Duration = Duration::from_secs(120);
/// How long Dave may take to list the receipts on his fork: he authors one slot in four (24 s),
/// and the gateway flushes a batch within a second.
const FORK_TIMEOUT: Duration = Duration::from_secs(75);

#[tokio::test]
async fn receipts_in_a_retracted_block_are_listed_again_and_finalised() {
	let dir = tempfile::tempdir().expect("a temporary directory");
	let spec = consortium_spec(dir.path()).expect("the consortium chain spec");
	let partitionable = |config: NodeConfig| {
		config
			.chain(Chain::Spec(spec.clone()))
			.arg("--reserved-only")
			.arg("--network-backend")
			.arg("libp2p")
	};
	let validators = [DevKey::Alice, DevKey::Bob, DevKey::Charlie, DevKey::Dave];
	let configs = validators
		.iter()
		.map(|key| partitionable(NodeConfig::local_validator(*key)))
		.chain([partitionable(NodeConfig::local().name("full-node"))]);
	let network = TestNetwork::start(configs).await.expect("five nodes start");
	let (majority, dave, full) = ([0, 1, 2], 3, 4);
	for a in 0..5 {
		for b in a + 1..5 {
			network.link(a, b).await.expect("nodes link");
		}
	}
	network
		.wait_for_full_mesh(STEP_TIMEOUT)
		.await
		.expect("the five nodes connect");
	let alice = &network.nodes()[0];
	let dave_node = &network.nodes()[dave];

	// The patient's records and the clinician's consent, finalised before the partition.
	let scenario = Scenario::setup(dave_node, dir.path(), &[4096], LOAD_GATEWAY_FLAGS).await;
	let target = scenario.targets[0].clone();
	let subject = scenario.patient_account();
	let (set_up, _) = dave_node.chain().best().await.expect("Dave's best block");
	poll("the set-up finalised on Alice", || async {
		(alice.chain().finalized().await.ok()?.0 >= set_up).then_some(())
	})
	.await;

	// 1. Partition.
	for a in majority {
		network.unlink(a, dave).await.expect("unlinked from Dave");
		network
			.unlink(a, full)
			.await
			.expect("unlinked from the full node");
	}
	poll("Dave cut off with the full node only", || async {
		(dave_node.peer_count().await.ok()? == 1).then_some(())
	})
	.await;
	let (cut_at, _) = alice.chain().best().await.expect("Alice's best block");
	println!("partitioned at #{cut_at}");

	// 2. Reads served in the minority, listed on Dave's fork.
	let reader = Reader::new(dave_node, &scenario).await;
	let outcomes = reader.at_rate(&target, 10, Duration::from_secs(2)).await;
	let served: Vec<_> = outcomes.iter().filter(|o| o.served).collect();
	assert_eq!(
		served.len(),
		outcomes.len(),
		"the minority's gateway serves every read: {outcomes:?}"
	);
	let ((fork_block, dave_best), _) = poll_until(
		"the receipts listed on Dave's fork",
		FORK_TIMEOUT,
		|| async {
			let (number, hash) = dave_node.chain().best().await.ok()?;
			let listed = receipts_at(dave_node, hash, &subject, &served).await;
			let mut blocks = listed.iter().map(|l| l.as_ref().map(|l| l.recorded_at));
			let first = blocks.clone().flatten().min()?;
			blocks.all(|b| b.is_some()).then_some((first, number))
		},
	)
	.await;
	let fork_hash = dave_node
		.canonical_hash(fork_block.into())
		.await
		.expect("chain_getBlockHash")
		.expect("Dave's chain has the block");
	let (majority_finalised, _) = alice.chain().finalized().await.expect("finalised");
	let (dave_finalised, _) = dave_node.chain().finalized().await.expect("finalised");
	println!(
		"{} reads served in the minority, listed on Dave's fork at #{fork_block} (his best \
		 #{dave_best}, finalised #{dave_finalised}); the majority has finalised #{majority_finalised}",
		served.len()
	);
	assert!(
		dave_finalised < fork_block,
		"Dave cannot finalise his fork alone"
	);

	// The majority finalises its own block at that height (until it does, Dave's block could
	// simply be adopted by the majority on healing: seen when it was the next block anyway).
	let (majority_hash, _) = poll("the majority finalising past the fork", || async {
		let (finalised, _) = alice.chain().finalized().await.ok()?;
		let hash = alice.canonical_hash(fork_block.into()).await.ok()??;
		(finalised >= fork_block).then_some(hash)
	})
	.await;
	assert_ne!(
		majority_hash, fork_hash,
		"the majority finalised another block at #{fork_block}"
	);

	// 3. Heal: Dave reorgs onto the majority's chain.
	let healed = Instant::now();
	for a in majority {
		network.link(a, dave).await.expect("linked to Dave");
		network
			.link(a, full)
			.await
			.expect("linked to the full node");
	}
	let (_, reorg_took) = poll("Dave reorgs away from his fork", || async {
		let now = dave_node.canonical_hash(fork_block.into()).await.ok()?;
		let finalised = dave_node.chain().finalized().await.ok()?.0;
		(now.is_some_and(|hash| hash != fork_hash) && finalised >= fork_block).then_some(())
	})
	.await;
	println!(
		"healed: Dave's block #{fork_block} retracted within {:.1} s",
		reorg_took.as_secs_f64()
	);

	// 4. Every served read is listed, allowed, in a finalised block of the healed chain.
	let listed = wait_for_receipts(alice, &subject, &served, STEP_TIMEOUT).await;
	let mut blocks = std::collections::BTreeSet::new();
	for (outcome, listed) in served.iter().zip(&listed) {
		let listed = listed
			.as_ref()
			.unwrap_or_else(|| panic!("no finalised receipt for {:?}", outcome.request));
		assert_eq!(listed.refused, None, "listed as allowed: {outcome:?}");
		blocks.insert(listed.recorded_at);
	}
	for &number in &blocks {
		let hash = alice
			.canonical_hash(number.into())
			.await
			.expect("chain_getBlockHash")
			.expect("a finalised block");
		assert_ne!(hash, fork_hash, "listed in the healed chain, not the fork");
	}
	println!(
		"all {} receipts finalised in block(s) {blocks:?}, {:.1} s after the heal",
		served.len(),
		healed.elapsed().as_secs_f64()
	);

	// The gateway followed its batches to the healed chain: the blocks it logs as finalising
	// them (and after which it marks the reads done in its journal) are on the finalised chain,
	// none is the retracted one.
	let log = std::fs::read_to_string(&scenario.gateway.log).expect("the gateway's log");
	let finalised_in: Vec<H256> = log
		.lines()
		.filter(|line| line.contains("receipts finalised"))
		.filter_map(|line| {
			// The one 32-byte hex value on the line (the field is `block`; colour codes may
			// surround its name).
			line.match_indices("0x").find_map(|(at, _)| {
				let digits = line.get(at + 2..at + 66)?;
				let digest: [u8; 32] = hex::decode(digits).ok()?.try_into().ok()?;
				Some(H256(digest))
			})
		})
		.collect();
	assert!(
		!finalised_in.is_empty(),
		"the gateway logs the blocks finalising its receipts:\n{log}"
	);
	for hash in &finalised_in {
		let block = alice.block_id(*hash).await.expect("a block Alice knows");
		assert_eq!(
			alice
				.canonical_hash(block.number)
				.await
				.expect("chain_getBlockHash"),
			Some(*hash),
			"the gateway marked reads done after block #{} of a fork",
			block.number
		);
	}
	println!(
		"the gateway saw its batches finalised in {} block(s) of the healed chain; it \
		 resubmitted {} batch(es) itself (the rest the node's pool re-included)",
		finalised_in.len(),
		log.matches("resubmitting").count()
	);
}

/// Polls `check` every 500 ms until it returns `Some`, or panics after [`STEP_TIMEOUT`].
async fn poll<T, F, Fut>(what: &str, check: F) -> (T, Duration)
where
	F: FnMut() -> Fut,
	Fut: std::future::Future<Output = Option<T>>,
{
	poll_until(what, STEP_TIMEOUT, check).await
}
