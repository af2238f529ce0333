//! The consortium network under load and faults: four validators (the `local` preset plus Dave,
//! `zombienet/spec.py`), a flood of transfers submitted through two of them all along, and
//! validators killed with SIGKILL:
//!
//! 1. one of four killed: the three left finalise (GRANDPA needs more than two thirds);
//! 2. restarted on its base path: it still has the blocks it had finalised and catches up;
//! 3. two of four killed: blocks are still authored, finality stalls;
//! 4. one of them back: finality resumes; the other back: it catches up.
//!
//! The times (to finalise on, to catch up, to resume) are printed; the assertions are the
//! behaviour, with timeouts generous enough for four nodes and the load on two cores.

use std::{
	sync::{atomic::AtomicBool, Arc},
	time::{Duration, Instant},
};

use medchain_client::chain::Chain as SdkChain;
use medchain_integration_tests::{
	account_id, consortium_spec,
	load::{block_stat, fund, key, send, sign_queue, units, Kind, Parties},
	poll_until, Chain, DevKey, NodeConfig, TestNetwork, TestNode,
};
use subxt_signer::sr25519::dev;

const MESH_TIMEOUT: Duration = Duration::from_secs(90);
const STEP_TIMEOUT: Duration = Duration::from_secs(180);
/// How long finality must stay put with two of four voters down: seven slots, of which Alice
/// and Bob own three or four.
const STALL_WATCH: Duration = Duration::from_secs(42);

async fn finalized(node: &TestNode) -> u32 {
	node.chain().finalized().await.map(|(n, _)| n).unwrap_or(0)
}

async fn best(node: &TestNode) -> u32 {
	node.chain().best().await.map(|(n, _)| n).unwrap_or(0)
}

/// Restarts the killed node `index` and waits until it has finalised what `reference` had
/// finalised when the restart answered: that block's number and how long catching up took.
async fn restart_and_catch_up(
	network: &mut TestNetwork,
	index: usize,
	reference: usize,
) -> (u32, Duration) {
	let node = network.node_mut(index).expect("the node exists");
	let label = node.label().to_string();
	node.restart().await.expect("the node restarts");
	let target = finalized(&network.nodes()[reference]).await;
	let (_, caught_up) = poll_until(&format!("{label} catching up"), STEP_TIMEOUT, || async {
		(finalized(&network.nodes()[index]).await >= target).then_some(())
	})
	.await;
	(target, caught_up)
}

#[tokio::test]
async fn finality_under_load_survives_a_validator_kill_stalls_with_two_and_resumes() {
	let dir = tempfile::tempdir().expect("a temporary directory");
	let spec = consortium_spec(dir.path()).expect("the consortium chain spec");
	let validators = [DevKey::Alice, DevKey::Bob, DevKey::Charlie, DevKey::Dave];
	let mut network = TestNetwork::start(
		validators
			.iter()
			.map(|key| NodeConfig::local_validator(*key).chain(Chain::Spec(spec.clone()))),
	)
	.await
	.expect("four validators start");
	network
		.wait_for_full_mesh(MESH_TIMEOUT)
		.await
		.expect("the four validators connect");
	let (alice, charlie, dave) = (0, 2, 3);
	poll_until("first finalised block", STEP_TIMEOUT, || async {
		(finalized(&network.nodes()[alice]).await >= 2).then_some(())
	})
	.await;

	// The load: 16 accounts sending transfers through Alice's and Bob's nodes until the end.
	let chains: Vec<SdkChain> = network.nodes()[..2]
		.iter()
		.map(|node| node.chain().clone())
		.collect();
	let keys: Vec<_> = (0..16).map(|i| key("fault-sender", i)).collect();
	let senders: Vec<_> = keys.iter().map(account_id).collect();
	let payments: Vec<_> = senders.iter().map(|id| (*id, units(100))).collect();
	fund(&chains, &dev::alice(), &payments)
		.await
		.expect("the senders are funded");
	let no_policies = Default::default();
	let parties = Parties {
		senders: &senders,
		patients: &[],
		policies: &no_policies,
	};
	let mut queues = Vec::new();
	for (index, key) in keys.iter().enumerate() {
		let nonce = chains[0]
			.next_nonce(&account_id(key))
			.await
			.expect("a nonce");
		queues.push(
			sign_queue(
				&chains[0],
				Kind::Transfer,
				0,
				(index, key, nonce),
				3_000,
				0,
				0,
				&parties,
			)
			.await
			.expect("transfers are signed"),
		);
	}
	let stop = Arc::new(AtomicBool::new(false));
	let load = {
		let (chains, stop) = (chains.clone(), stop.clone());
		// 300 transfers a second: about 60 % of a block's weight, every block.
		tokio::spawn(async move { send(&chains, queues, 16, Some(300.0), stop).await })
	};
	let (loaded_at, _) = poll_until("a block carrying the load", STEP_TIMEOUT, || async {
		let node = &network.nodes()[alice];
		let number = best(node).await;
		let stat = block_stat(node.chain(), number).await.ok()?;
		(stat.signed >= 100).then_some(number)
	})
	.await;
	println!("load: block #{loaded_at} carries transfers");

	// 1. One validator of four killed: the other three finalise on.
	let before_kill = finalized(&network.nodes()[alice]).await;
	let kept = network.nodes()[alice]
		.canonical_hash(u64::from(before_kill))
		.await
		.expect("Alice answers")
		.expect("a finalised block has a hash");
	network
		.node_mut(dave)
		.expect("Dave")
		.kill()
		.expect("Dave is killed");
	let (_, waited) = poll_until("finality with three of four", STEP_TIMEOUT, || async {
		(finalized(&network.nodes()[alice]).await >= before_kill + 3).then_some(())
	})
	.await;
	println!(
		"one of four killed: three more blocks finalised after #{before_kill} in {:.1} s",
		waited.as_secs_f64()
	);

	// 2. Restarted on its base path: it kept what it had finalised and catches up.
	let (target, caught_up) = restart_and_catch_up(&mut network, dave, alice).await;
	println!(
		"restarted: Dave finalised #{target} (Alice's at his restart) {:.1} s later",
		caught_up.as_secs_f64()
	);
	assert_eq!(
		network.nodes()[dave]
			.canonical_hash(u64::from(before_kill))
			.await
			.expect("Dave answers"),
		Some(kept),
		"Dave still has block #{before_kill}, finalised before he was killed"
	);

	// 3. Two of four down: blocks go on, finality stops.
	network
		.node_mut(charlie)
		.expect("Charlie")
		.kill()
		.expect("Charlie is killed");
	network
		.node_mut(dave)
		.expect("Dave")
		.kill()
		.expect("Dave is killed");
	// A round already under way may still complete.
	tokio::time::sleep(Duration::from_secs(12)).await;
	let stalled_at = finalized(&network.nodes()[alice]).await;
	let best_then = best(&network.nodes()[alice]).await;
	tokio::time::sleep(STALL_WATCH).await;
	let best_after = best(&network.nodes()[alice]).await;
	assert_eq!(
		finalized(&network.nodes()[alice]).await,
		stalled_at,
		"two of four GRANDPA voters cannot finalise"
	);
	assert!(
		best_after >= best_then + 2,
		"Alice and Bob still author (best #{best_then} → #{best_after})"
	);
	println!(
		"two of four killed: finality stayed at #{stalled_at} for {} s while best went #{best_then} → #{best_after}",
		STALL_WATCH.as_secs()
	);

	// 4. One returns: finality resumes. The other returns: it catches up.
	let returned = Instant::now();
	network
		.node_mut(charlie)
		.expect("Charlie")
		.restart()
		.await
		.expect("Charlie restarts");
	poll_until("finality resuming", STEP_TIMEOUT, || async {
		(finalized(&network.nodes()[alice]).await > stalled_at + 2).then_some(())
	})
	.await;
	println!(
		"a third voter back: finality resumed {:.1} s after Charlie's restart began",
		returned.elapsed().as_secs_f64()
	);
	let (target, caught_up) = restart_and_catch_up(&mut network, dave, alice).await;
	println!(
		"Dave caught up to #{target} in {:.1} s",
		caught_up.as_secs_f64()
	);

	stop.store(true, std::sync::atomic::Ordering::Relaxed);
	let sent = load.await.expect("the load task ends");
	println!(
		"load: {} transfers accepted by the pool, {} times full, refused {:?}",
		sent.accepted, sent.pool_full, sent.refused
	);
	assert!(
		sent.accepted > 1_000,
		"the network was under load throughout"
	);
}
