//! A three-validator `--chain local` network (Alice, Bob and Charlie, the `local_testnet`
//! preset's validators): the nodes find each other through `--bootnodes`, all author, and
//! GRANDPA, which needs all three votes to finalise with three authorities (more than two
//! thirds), finalises the same chain on all of them.

use std::time::Duration;

use medchain_integration_tests::{BlockId, DevKey, TestNetwork};

const MESH_TIMEOUT: Duration = Duration::from_secs(60);
const BLOCKS_TIMEOUT: Duration = Duration::from_secs(90);
const FINALITY_TIMEOUT: Duration = Duration::from_secs(120);
const SHUTDOWN_TIMEOUT: Duration = Duration::from_secs(30);

#[tokio::test]
async fn three_validators_author_and_finalize_the_same_chain() {
	let network = TestNetwork::local(&[DevKey::Alice, DevKey::Bob, DevKey::Charlie])
		.await
		.expect("three local validators should start");
	network
		.wait_for_full_mesh(MESH_TIMEOUT)
		.await
		.expect("Alice, Bob and Charlie should connect");
	let (alice, bob) = (&network.nodes()[0], &network.nodes()[1]);

	// Aura slots (6 s) rotate among the three authorities: if only one authored, blocks would
	// come every 18 s.
	let production = alice
		.wait_for_new_blocks(4, BLOCKS_TIMEOUT)
		.await
		.expect("the network should author");
	let last = production.last().expect("four new blocks were seen");
	let block = BlockId {
		number: last.number,
		hash: last.hash,
	};
	let block_time = production
		.mean_block_time()
		.expect("four blocks give a block time");
	println!(
		"local network: block #{} reached, mean block time {:.2}s",
		block.number,
		block_time.as_secs_f64()
	);
	assert!(
		block_time < Duration::from_secs(9),
		"all validators author: mean block time {block_time:?} is not ~6 s"
	);

	// Bob finalises the very block Alice saw: same chain, and every voter took part.
	let finality = bob
		.wait_for_finalized(block, FINALITY_TIMEOUT)
		.await
		.expect("Bob should finalise the block Alice imported");
	println!(
		"local network: #{} finalized on Bob {:.2}s later, {} block(s) behind best",
		block.number,
		finality.waited.as_secs_f64(),
		finality.lag_blocks()
	);
	alice
		.wait_for_finalized(block, FINALITY_TIMEOUT)
		.await
		.expect("Alice should finalise the same block");

	network
		.shutdown(SHUTDOWN_TIMEOUT)
		.await
		.expect("all nodes stop cleanly");
}
