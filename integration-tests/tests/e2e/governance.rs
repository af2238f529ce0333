//! Consortium governance against a real `--chain local` network (validators Alice, Bob and
//! Charlie; council Alice, Bob, Charlie and Dave; no sudo key), plus Dave's node, started as a
//! validator that is not in the set yet:
//!
//! 1. The council votes a runtime upgrade: three of four members authorise the hash of the
//!    upgrade rehearsal runtime (this runtime with `spec_version` one higher), anyone submits
//!    the code, the nodes report the new `spec_version` over RPC and blocks keep finalising.
//! 2. The council adds a validator: Dave's node generates session keys with an ownership proof,
//!    Dave registers them with `Session.set_keys`, the council votes
//!    `Validators.add_validator(Dave)`, and after the session changes Dave's node authors blocks
//!    and the four validators keep finalising.

use std::time::{Duration, Instant};

use medchain_integration_tests::{
	account_id as id, api, has_event, upgrade_rehearsal_wasm, BlockId, DevKey, Dispatched,
	NodeConfig, TestNetwork, TestNode,
};
use subxt::{
	config::{substrate::BlakeTwo256, Hasher},
	utils::{AccountId32, H256},
};
use subxt_signer::sr25519::dev;

const MESH_TIMEOUT: Duration = Duration::from_secs(60);
const FINALITY_TIMEOUT: Duration = Duration::from_secs(120);
/// Two session rotations (a minute each on test networks), then Dave's turn, with slack.
const ROTATION_TIMEOUT: Duration = Duration::from_secs(300);
/// Upper bound on a proposal's encoded length and weight that `propose` and `close` accept.
const PROPOSAL_LENGTH_BOUND: u32 = 10_000;
const PROPOSAL_REF_TIME_BOUND: u64 = 200_000_000_000;
const PROPOSAL_PROOF_SIZE_BOUND: u64 = 1_000_000;
/// `spec_version` of the runtime the chain starts with.
const GENESIS_SPEC_VERSION: u32 = 113;

/// The council passes `call` with three of four ayes: Alice proposes; Alice, Bob and Charlie
/// vote; Dave closes. Returns the closing transaction, in which the call was dispatched.
async fn council_passes(node: &TestNode, call: api::Call) -> Dispatched {
	let propose = api::tx().council().propose(3, call, PROPOSAL_LENGTH_BOUND);
	let proposed = node
		.dispatch(&propose, &dev::alice())
		.await
		.events
		.find_first::<api::council::events::Proposed>()
		.expect("Council.Proposed")
		.expect("decodes");
	let vote = api::tx()
		.council()
		.vote(proposed.proposal_hash, proposed.proposal_index, true);
	let (alice, bob, charlie) = (dev::alice(), dev::bob(), dev::charlie());
	tokio::join!(
		node.dispatch(&vote, &alice),
		node.dispatch(&vote, &bob),
		node.dispatch(&vote, &charlie),
	);
	let close = api::tx().council().close(
		proposed.proposal_hash,
		proposed.proposal_index,
		api::runtime_types::sp_weights::weight_v2::Weight {
			ref_time: PROPOSAL_REF_TIME_BOUND,
			proof_size: PROPOSAL_PROOF_SIZE_BOUND,
		},
		PROPOSAL_LENGTH_BOUND,
	);
	let closed = node.dispatch(&close, &dev::dave()).await;
	assert!(has_event::<api::council::events::Approved>(&closed.events));
	assert!(has_event::<api::council::events::Executed>(&closed.events));
	closed
}

/// Waits until `check` holds, polling once a block.
async fn eventually<F, Fut>(what: &str, timeout: Duration, mut check: F)
where
	F: FnMut() -> Fut,
	Fut: std::future::Future<Output = bool>,
{
	let started = Instant::now();
	while !check().await {
		assert!(started.elapsed() < timeout, "timed out waiting for {what}");
		tokio::time::sleep(Duration::from_secs(3)).await;
	}
}

#[tokio::test]
async fn council_upgrades_the_runtime_and_adds_a_validator() {
	let code = upgrade_rehearsal_wasm().expect("the upgrade rehearsal runtime is built");
	let network = TestNetwork::start(
		[DevKey::Alice, DevKey::Bob, DevKey::Charlie, DevKey::Dave]
			.into_iter()
			.map(NodeConfig::local_validator),
	)
	.await
	.expect("the local network starts");
	network
		.wait_for_full_mesh(MESH_TIMEOUT)
		.await
		.expect("the nodes connect");
	let alice = &network.nodes()[0];
	let dave_node = &network.nodes()[3];
	assert_eq!(alice.spec_version().await.unwrap(), GENESIS_SPEC_VERSION);

	// 1. A runtime upgrade by vote: authorise the code's hash, then anyone submits the code.
	// frame-system identifies authorised code by its blake2-256 hash.
	let code_hash: H256 = BlakeTwo256.hash(&code);
	let authorize = api::Call::Upgrades(api::upgrades::Call::authorize_upgrade { code_hash });
	let closed = council_passes(alice, authorize).await;
	assert!(
		has_event::<api::system::events::UpgradeAuthorized>(&closed.events),
		"the council's supermajority authorised the code hash"
	);
	let applied = alice
		.dispatch(
			&api::tx().system().apply_authorized_upgrade(code.clone()),
			&dev::eve(),
		)
		.await;
	assert!(has_event::<api::system::events::CodeUpdated>(
		&applied.events
	));
	eventually(
		"the rehearsal runtime's spec_version on every node",
		FINALITY_TIMEOUT,
		|| async {
			let mut all = true;
			for node in network.nodes() {
				all &= node.spec_version().await.ok() == Some(GENESIS_SPEC_VERSION + 1);
			}
			all
		},
	)
	.await;
	let after_upgrade = alice.best_block().await.unwrap();
	alice
		.wait_for_finalized(after_upgrade, FINALITY_TIMEOUT)
		.await
		.expect("blocks keep finalising after the upgrade");
	println!(
		"governance: runtime upgraded to spec_version {} at #{}, finalised after it",
		GENESIS_SPEC_VERSION + 1,
		applied.inclusion.block.number
	);

	// 2. Dave becomes a validator: keys with an ownership proof, then the council's vote.
	let dave: AccountId32 = id(&dev::dave());
	let generated = dave_node
		.rotate_keys_with_owner(&dave)
		.await
		.expect("Dave's node generates session keys");
	let keys = generated.keys.0;
	assert_eq!(
		keys.len(),
		64,
		"an sr25519 Aura key and an ed25519 GRANDPA key"
	);
	let (aura, grandpa) = keys.split_at(32);
	let session_keys = api::runtime_types::medchain_runtime::SessionKeys {
		aura: api::runtime_types::sp_consensus_aura::sr25519::app_sr25519::Public(
			aura.try_into().expect("32 bytes"),
		),
		grandpa: api::runtime_types::sp_consensus_grandpa::app::Public(
			grandpa.try_into().expect("32 bytes"),
		),
	};
	let set_keys = api::tx()
		.session()
		.set_keys(session_keys, generated.proof.0.clone());
	alice.dispatch(&set_keys, &dev::dave()).await;
	let add = api::Call::Validators(api::validators::Call::add_validator { validator: dave });
	let closed = council_passes(alice, add).await;
	assert!(has_event::<api::validators::events::ValidatorAdded>(
		&closed.events
	));
	let added_at = closed.inclusion.block.number;

	// After the session changes, Dave's node authors ("Pre-sealed" is logged per authored
	// block) and the four validators finalise.
	eventually("a block authored by Dave", ROTATION_TIMEOUT, || async {
		dave_node
			.log_tail(2_000)
			.contains("Pre-sealed block for proposal")
	})
	.await;
	let best = alice.best_block().await.unwrap();
	println!(
		"governance: Dave added at #{added_at}, authoring by #{}",
		best.number
	);
	let finalized = alice
		.wait_for_finalized(
			BlockId {
				number: best.number,
				hash: best.hash,
			},
			FINALITY_TIMEOUT,
		)
		.await
		.expect("four validators finalise");
	println!(
		"governance: #{} finalised with four validators, {} block(s) behind best",
		best.number,
		finalized.lag_blocks()
	);
}
