//! Foundation checks against a real `medchain-node --dev`: blocks are authored and finalised,
//! a signed balance transfer goes through end to end, the transaction pool refuses a
//! transaction whose sender cannot pay fees, and the node shuts down cleanly. A release node
//! (built without `runtime-benchmarks`) answers `benchmark` with where to find benchmarks,
//! not a panic.
//!
//! Needs the release node binary (see the crate docs of `medchain_integration_tests`). Run
//! with `--nocapture` to see the measured block time and finality lag.

use std::time::Duration;

use medchain_integration_tests::{
	api, constant, free_balance, has_event, node_binary, token, TestNode,
};
use subxt::{
	error::{ExtrinsicError, TransactionStatusError},
	transactions::{TransactionInvalid, ValidationResult},
};
use subxt_signer::sr25519::{dev, Keypair};

/// Time allowed for a few 6-second blocks, with room for a loaded CI machine.
const BLOCKS_TIMEOUT: Duration = Duration::from_secs(90);
/// Time allowed for a submitted transaction to reach a block.
const INCLUSION_TIMEOUT: Duration = Duration::from_secs(60);
/// Time allowed for GRANDPA to finalise a block (it trails the best block by a few blocks).
const FINALITY_TIMEOUT: Duration = Duration::from_secs(120);
/// Time allowed for a clean shutdown after SIGTERM.
const SHUTDOWN_TIMEOUT: Duration = Duration::from_secs(30);

/// Whether a pool error message reports `InvalidTransaction::Payment`: the RPC layer renders
/// it as "Inability to pay some fees (e.g. account balance too low)", the pool's own error
/// type as "Invalid transaction validity: Payment".
fn is_fee_rejection(message: &str) -> bool {
	message.contains("Inability to pay some fees") || message.contains("validity: Payment")
}

#[tokio::test]
async fn dev_chain_authors_finalizes_and_transfers() {
	let node = TestNode::dev()
		.await
		.expect("medchain-node --dev should start");

	// Block production.
	let production = node
		.wait_for_new_blocks(3, BLOCKS_TIMEOUT)
		.await
		.expect("the dev chain should author new blocks");
	let block_time = production
		.mean_block_time()
		.expect("three new blocks give a block time");
	println!(
		"block production: #{} -> #{}, mean block time {:.2}s",
		production.start.number,
		production
			.last()
			.map_or(production.start.number, |b| b.number),
		block_time.as_secs_f64()
	);

	// Token configuration as seen by clients.
	let before = node
		.client()
		.at_current_block()
		.await
		.expect("client at the finalized block");
	let existential_deposit = constant(&before, api::constants().balances().existential_deposit());
	assert_eq!(
		existential_deposit,
		token::EXISTENTIAL_DEPOSIT,
		"existential deposit (0.001 MED)"
	);

	let alice = dev::alice();
	let bob = dev::bob();
	let alice_id = alice.public_key().to_account_id();
	let bob_id = bob.public_key().to_account_id();
	// Not a round number, so it cannot match an unrelated transfer by accident.
	let amount = 12 * token::UNIT + 345_678;

	let alice_before = free_balance(&before, &alice_id)
		.await
		.expect("Alice's balance");
	let bob_before = free_balance(&before, &bob_id).await.expect("Bob's balance");
	assert!(
		alice_before > 2 * amount,
		"Alice is endowed in the development preset"
	);

	// Submit a signed transfer and follow it into a block.
	let call = api::tx()
		.balances()
		.transfer_keep_alive(bob.public_key().to_address::<()>(), amount);
	let mut progress = node
		.client()
		.tx()
		.await
		.expect("transaction client")
		.sign_and_submit_then_watch_default(&call, &alice)
		.await
		.expect("the pool should accept Alice's transfer");
	let inclusion = node
		.wait_for_inclusion(&mut progress, INCLUSION_TIMEOUT)
		.await
		.expect("the transfer should be included in a block");
	println!(
		"transfer included in block #{} ({:?})",
		inclusion.block.number, inclusion.block.hash
	);

	// Its events in that block.
	let events = inclusion
		.in_block
		.wait_for_success()
		.await
		.expect("the transfer should dispatch successfully");
	assert!(
		has_event::<api::system::events::ExtrinsicSuccess>(&events),
		"System.ExtrinsicSuccess emitted"
	);
	let transfer = events
		.find_first::<api::balances::events::Transfer>()
		.expect("a Balances.Transfer event")
		.expect("Balances.Transfer decodes");
	assert_eq!(
		transfer,
		api::balances::events::Transfer {
			from: alice_id,
			to: bob_id,
			amount
		}
	);
	let fee = events
		.find_first::<api::transaction_payment::events::TransactionFeePaid>()
		.expect("a TransactionPayment.TransactionFeePaid event")
		.expect("TransactionFeePaid decodes");
	assert_eq!(fee.who, alice_id, "Alice pays the fee");
	assert!(fee.actual_fee > 0, "signed transactions are not free");

	// GRANDPA finalises the block.
	let finality = node
		.wait_for_finalized(inclusion.block, FINALITY_TIMEOUT)
		.await
		.expect("the transfer's block should be finalized");
	let lag = finality.finalized_at.duration_since(inclusion.included_at);
	println!(
		"finality: block #{} finalized {:.2}s after inclusion, best chain {} block(s) ahead",
		finality.block.number,
		lag.as_secs_f64(),
		finality.lag_blocks()
	);

	// Balances at the latest finalized block.
	let after = node
		.client()
		.at_current_block()
		.await
		.expect("client at the finalized block");
	assert!(
		after.block_number() >= inclusion.block.number,
		"reading state after the transfer"
	);
	let alice_after = free_balance(&after, &alice_id)
		.await
		.expect("Alice's balance");
	let bob_after = free_balance(&after, &bob_id).await.expect("Bob's balance");
	assert_eq!(
		bob_after,
		bob_before + amount,
		"Bob receives exactly the amount"
	);
	// Fees are burned (no author share), so Alice pays exactly the amount plus the fee
	// (`actual_fee` includes any tip).
	assert_eq!(
		alice_before - alice_after,
		amount + fee.actual_fee,
		"Alice pays amount and fee"
	);

	let shutdown = node
		.shutdown(SHUTDOWN_TIMEOUT)
		.await
		.expect("the node should shut down cleanly");
	println!(
		"node stopped in {:.2}s ({})",
		shutdown.took.as_secs_f64(),
		shutdown.status
	);
}

#[tokio::test]
async fn transfer_from_unfunded_account_is_refused() {
	let node = TestNode::dev()
		.await
		.expect("medchain-node --dev should start");

	// A fixed key nobody endows.
	let pauper = Keypair::from_secret_key([0x4d; 32]).expect("a valid sr25519 secret key");
	let pauper_id = pauper.public_key().to_account_id();

	let at = node
		.client()
		.at_current_block()
		.await
		.expect("client at the finalized block");
	assert_eq!(
		free_balance(&at, &pauper_id)
			.await
			.expect("the account's balance"),
		0,
		"the sender must start without funds"
	);

	let call = api::tx().balances().transfer_keep_alive(
		dev::bob().public_key().to_address::<()>(),
		10 * token::EXISTENTIAL_DEPOSIT,
	);
	let signed = at
		.tx()
		.create_signed(&call, &pauper, Default::default())
		.await
		.expect("signing does not need funds");

	// The runtime's own verdict (TaggedTransactionQueue_validate_transaction).
	let validity = signed
		.validate()
		.await
		.expect("the runtime should validate the transaction");
	assert_eq!(
		validity,
		ValidationResult::Invalid(TransactionInvalid::Payment),
		"an account without funds cannot pay fees"
	);

	// The pool refuses it at submission.
	let error = signed
		.submit()
		.await
		.expect_err("the pool must refuse the transaction");
	match &error {
		// transactionWatch_v1 (what subxt uses when the node offers it) reports the pool's
		// verdict as an `invalid` event.
		ExtrinsicError::TransactionStatusError(TransactionStatusError::Invalid(message)) => {
			assert!(
				is_fee_rejection(message),
				"expected the pool to reject for fees, got: {message}"
			)
		}
		// author_submitAndWatchExtrinsic (legacy RPC) answers with JSON-RPC error 1010.
		ExtrinsicError::ErrorSubmittingTransaction(rpc_error) => assert!(
			is_fee_rejection(&format!("{rpc_error:?}")),
			"expected the pool to reject for fees, got: {rpc_error:?}"
		),
		other => panic!("expected the pool to reject the transaction for fees, got: {other:?}"),
	}

	node.shutdown(SHUTDOWN_TIMEOUT)
		.await
		.expect("the node should shut down cleanly");
}

/// The release node has no benchmark sub-commands (they need `--features runtime-benchmarks`,
/// which `scripts/benchmark.sh` builds): `medchain-node benchmark ...` must fail with a message
/// that says so, never with a panic or clap's bare "unrecognized subcommand".
#[test]
fn release_node_explains_where_benchmarks_are() {
	let output = std::process::Command::new(node_binary().expect("the release node is built"))
		.args([
			"benchmark",
			"pallet",
			"--pallet",
			"pallet_records",
			"--extrinsic",
			"*",
		])
		.output()
		.expect("medchain-node runs");
	let stderr = String::from_utf8_lossy(&output.stderr);
	assert!(
		!output.status.success(),
		"benchmark must fail on a release node: {stderr}"
	);
	assert!(
		stderr.contains("built without benchmarks") && stderr.contains("runtime-benchmarks"),
		"the error should say how to get benchmarks: {stderr}"
	);
	assert!(
		!stderr.contains("panicked"),
		"no panic in front of a user: {stderr}"
	);
	assert!(
		!stderr.contains("Input("),
		"a sentence, not Rust's debug form: {stderr}"
	);
}
