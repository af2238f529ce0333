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
	account_id as id, has_event, upgrade_rehearsal_wasm, BlockId, DevKey, Dispatched, NodeConfig,
	TestNetwork, TestNode,
};
use subxt::{
	config::{substrate::BlakeTwo256, Hasher},
	dynamic::{self, Value},
	events::DecodeAsEvent,
	ext::{scale_decode::DecodeAsType, scale_value::Composite},
	transactions::Payload,
	utils::{AccountId32, H256},
};
use subxt_signer::sr25519::{dev, Keypair};

const INCLUSION_TIMEOUT: Duration = Duration::from_secs(90);
const MESH_TIMEOUT: Duration = Duration::from_secs(60);
const FINALITY_TIMEOUT: Duration = Duration::from_secs(120);
/// Two session rotations (a minute each on test networks), then Dave's turn, with slack.
const ROTATION_TIMEOUT: Duration = Duration::from_secs(300);
/// Upper bound on a proposal's encoded length and weight that `propose` and `close` accept.
const PROPOSAL_LENGTH_BOUND: u32 = 10_000;
const PROPOSAL_REF_TIME_BOUND: u128 = 200_000_000_000;
const PROPOSAL_PROOF_SIZE_BOUND: u128 = 1_000_000;
/// `spec_version` of the runtime the chain starts with.
const GENESIS_SPEC_VERSION: u32 = 104;

/// `Council.Proposed`.
#[derive(Debug, Clone, DecodeAsType)]
#[decode_as_type(crate_path = "::subxt::ext::scale_decode")]
struct Proposed {
	proposal_index: u32,
	proposal_hash: H256,
}

impl DecodeAsEvent for Proposed {
	fn is_event(pallet: &str, event: &str) -> bool {
		pallet == "Council" && event == "Proposed"
	}
}

async fn submit_ok(node: &TestNode, call: &impl Payload, signer: &Keypair) -> Dispatched {
	node.submit_ok(call, signer, INCLUSION_TIMEOUT)
		.await
		.expect("the transaction dispatches")
}

/// The council passes `call` with three of four ayes: Alice proposes; Alice, Bob and Charlie
/// vote; Dave closes. Returns the closing transaction, in which the call was dispatched.
async fn council_passes(node: &TestNode, call: Value) -> Dispatched {
	let propose = dynamic::tx(
		"Council",
		"propose",
		Composite::unnamed([
			Value::u128(3),
			call,
			Value::u128(PROPOSAL_LENGTH_BOUND.into()),
		]),
	);
	let proposed = submit_ok(node, &propose, &dev::alice())
		.await
		.events
		.find_first::<Proposed>()
		.expect("Council.Proposed")
		.expect("decodes");
	let vote = dynamic::tx(
		"Council",
		"vote",
		(proposed.proposal_hash, proposed.proposal_index, true),
	);
	let (alice, bob, charlie) = (dev::alice(), dev::bob(), dev::charlie());
	tokio::join!(
		submit_ok(node, &vote, &alice),
		submit_ok(node, &vote, &bob),
		submit_ok(node, &vote, &charlie),
	);
	let close = dynamic::tx(
		"Council",
		"close",
		Composite::unnamed([
			Value::from_bytes(proposed.proposal_hash.0),
			Value::u128(proposed.proposal_index.into()),
			Value::named_composite([
				("ref_time", Value::u128(PROPOSAL_REF_TIME_BOUND)),
				("proof_size", Value::u128(PROPOSAL_PROOF_SIZE_BOUND)),
			]),
			Value::u128(PROPOSAL_LENGTH_BOUND.into()),
		]),
	);
	let closed = submit_ok(node, &close, &dev::dave()).await;
	assert!(has_event(&closed.events, "Council", "Approved"));
	assert!(has_event(&closed.events, "Council", "Executed"));
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
	let authorize = dynamic::tx(
		"Upgrades",
		"authorize_upgrade",
		Composite::unnamed([Value::from_bytes(code_hash.0)]),
	)
	.into_value();
	let closed = council_passes(alice, authorize).await;
	assert!(
		has_event(&closed.events, "System", "UpgradeAuthorized"),
		"the council's supermajority authorised the code hash"
	);
	let applied = submit_ok(
		alice,
		&dynamic::tx("System", "apply_authorized_upgrade", (code.clone(),)),
		&dev::eve(),
	)
	.await;
	assert!(has_event(&applied.events, "System", "CodeUpdated"));
	eventually(
		"spec_version 105 on every node",
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
	let set_keys = dynamic::tx(
		"Session",
		"set_keys",
		Composite::unnamed([
			Value::named_composite([
				("aura", Value::from_bytes(&keys[..32])),
				("grandpa", Value::from_bytes(&keys[32..])),
			]),
			Value::from_bytes(&generated.proof.0),
		]),
	);
	submit_ok(alice, &set_keys, &dev::dave()).await;
	let add = dynamic::tx(
		"Validators",
		"add_validator",
		Composite::unnamed([Value::from_bytes(dave.0)]),
	)
	.into_value();
	let closed = council_passes(alice, add).await;
	assert!(has_event(&closed.events, "Validators", "ValidatorAdded"));
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
