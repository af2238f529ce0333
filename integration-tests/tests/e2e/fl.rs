//! Federated learning against a real `medchain-node --dev`: two attribute authorities make
//! three hospitals eligible under a consent policy; a coordinator opens a two-round task with a
//! reward pool; an ineligible account cannot join; round 1's aggregate flags one update as
//! rogue (half that site's bond is burnt); a site whose IRB approval is revoked cannot submit
//! in round 2 and a DP-budget overrun is refused; round 2's aggregate is disputed and upheld by
//! governance (sudo stands in for the council); the task completes, the pool is paid by score,
//! bonds are released, and the `FlApi` runtime API returns the lineage and the ledgers.

use std::time::Duration;

use medchain_integration_tests::fl::seeded_model;
use medchain_integration_tests::{
	account_id as id, api, ask,
	consent::PolicyCreated,
	constant,
	fl::{
		AggregatePublished, AggregationRule, Aggregator, BondSlashed, CheckpointFinalized,
		CheckpointStatus, DisputeDismissed, LineageEntry, Participant, RewardPaid, Task,
		TaskCompleted, TaskCreated, TaskParams, TaskStatus, UpdateFlagged, UpdateInput,
	},
	free_balance, reserved_balance, token, TestNode,
};
use subxt::{
	transactions::Payload,
	utils::{AccountId32, H256},
};
use subxt_signer::sr25519::{dev, Keypair};

const INCLUSION_TIMEOUT: Duration = Duration::from_secs(60);
const BLOCKS_TIMEOUT: Duration = Duration::from_secs(120);

/// Blocks each round accepts updates: room for joins, submissions and a refused duplicate.
const ROUND_LENGTH: u32 = 8;
/// Blocks an aggregate may be disputed (the runtime's minimum).
const CHALLENGE_PERIOD: u32 = 3;
/// ε 1.5 per site over the whole task, in thousandths.
const EPSILON_BUDGET: u32 = 1_500;
const REWARD_POOL: u128 = 100 * token::UNIT;
const BOND: u128 = 10 * token::UNIT;
/// Most samples one update may claim.
const MAX_SAMPLES: u64 = 500;
const POLICY: &str = r#""org-type:hospital" and "irb:approved""#;

fn fl_api() -> api::runtime_apis::fl_api::FlApi {
	api::runtime_apis().fl_api()
}

/// Waits until the best block is at least `number`, so that a transaction sent now is
/// included after it.
async fn wait_until(node: &TestNode, number: u32) {
	let best = node.best_block().await.expect("best block").number as u32;
	if best < number {
		node.wait_for_new_blocks((number - best) as usize, BLOCKS_TIMEOUT)
			.await
			.expect("blocks keep coming");
	}
}

fn accredit(authority: &Keypair, scope: &str) -> api::Call {
	api::Call::Consent(api::consent::Call::accredit_authority {
		authority: id(authority),
		scopes: vec![scope.as_bytes().to_vec()],
	})
}

fn issue(holder: &Keypair, attribute: &str) -> impl Payload {
	api::tx()
		.consent()
		.issue_attribute(id(holder), attribute.as_bytes().to_vec(), None)
}

fn submit_update(task: u32, seed: u8, samples: u64, epsilon: u32) -> impl Payload {
	api::tx().fl().submit_update(
		task,
		UpdateInput {
			model: seeded_model(seed),
			samples,
			epsilon,
			metrics: Some(b"loss=0.41".to_vec()),
		},
	)
}

fn publish(task: u32, seed: u8, used: &[&Keypair], rogue: &[(&Keypair, &str)]) -> impl Payload {
	api::tx().fl().publish_aggregate(
		task,
		seeded_model(seed),
		used.iter().map(|k| id(k)).collect::<Vec<AccountId32>>(),
		rogue
			.iter()
			.map(|(k, reason)| (id(k), reason.as_bytes().to_vec()))
			.collect::<Vec<_>>(),
	)
}

fn finalize(task: u32) -> impl Payload {
	api::tx().fl().finalize_round(task)
}

#[tokio::test]
async fn three_sites_two_rounds_rogue_update_budget_revocation_and_payout() {
	let node = TestNode::dev()
		.await
		.expect("medchain-node --dev should start");
	let governance = dev::alice(); // sudo stands in for the council; also the IRB authority
	let coordinator = dev::bob(); // opens the task and aggregates
	let registry = dev::charlie(); // attribute authority for organisation types; holds none
	let (site_a, site_b, site_c) = (dev::dave(), dev::eve(), dev::ferdie());
	let sites = [&site_a, &site_b, &site_c];

	// Governance accredits two authorities; the coordinator writes the participation policy.
	let create_policy = api::tx()
		.consent()
		.create_policy(POLICY.as_bytes().to_vec());
	let (_, created) = tokio::join!(
		async {
			node.sudo_ok(
				accredit(&registry, "org-type:*"),
				&governance,
				INCLUSION_TIMEOUT,
			)
			.await
			.expect("accredit the registry");
			node.sudo_ok(
				accredit(&governance, "irb:*"),
				&governance,
				INCLUSION_TIMEOUT,
			)
			.await
			.expect("accredit the IRB");
		},
		node.dispatch(&create_policy, &coordinator)
	);
	let policy = created
		.events
		.find_first::<PolicyCreated>()
		.expect("PolicyCreated")
		.expect("decodes")
		.policy;

	// Each site gets both attributes (the two authorities issue in parallel).
	tokio::join!(
		async {
			for site in sites {
				node.dispatch(&issue(site, "org-type:hospital"), &registry)
					.await;
			}
		},
		async {
			for site in sites {
				node.dispatch(&issue(site, "irb:approved"), &governance)
					.await;
			}
		}
	);

	// The coordinator opens the task, holding the reward pool.
	let params = TaskParams {
		architecture: seeded_model(0x01),
		initial: seeded_model(0x02),
		policy,
		min_participants: 2,
		max_rounds: 2,
		round_length: ROUND_LENGTH,
		challenge_period: CHALLENGE_PERIOD,
		rule: AggregationRule::FedAvg,
		aggregator: Aggregator::Designated(id(&coordinator)),
		epsilon_budget: EPSILON_BUDGET,
		reward_pool: REWARD_POOL,
		bond: BOND,
		max_samples: MAX_SAMPLES,
	};
	let held_before = reserved_balance(
		&node.client().at_current_block().await.unwrap(),
		&id(&coordinator),
	)
	.await
	.unwrap();
	let dispatched = node
		.dispatch(&api::tx().fl().create_task(params), &coordinator)
		.await;
	let task = dispatched
		.events
		.find_first::<TaskCreated>()
		.expect("TaskCreated")
		.expect("decodes")
		.task;
	let round_one_start = dispatched.inclusion.block.number as u32;
	let state = node.state_after(&dispatched).await;
	// The task's deposit: its entry and a lineage entry for each of its two rounds.
	let task_deposit = constant(&state, api::constants().fl().task_deposit())
		+ 2 * constant(&state, api::constants().fl().checkpoint_deposit());
	let update_deposit = constant(&state, api::constants().fl().update_deposit());
	assert!(task_deposit > 0 && update_deposit > 0);
	assert_eq!(
		reserved_balance(&state, &id(&coordinator)).await.unwrap(),
		held_before + REWARD_POOL + task_deposit
	);

	// The sites join; the registry, which holds neither attribute, cannot.
	let join = api::tx().fl().join_task(task);
	let (a, b, c, outsider) = tokio::join!(
		node.dispatch(&join, &site_a),
		node.dispatch(&join, &site_b),
		node.dispatch(&join, &site_c),
		node.refused(&join, &registry),
	);
	assert_eq!(outsider, "Fl::PolicyNotSatisfied");
	for (site, joined) in [(&site_a, a), (&site_b, b), (&site_c, c)] {
		let state = node.state_after(&joined).await;
		let ledger: Vec<(AccountId32, Participant)> =
			ask(&state, fl_api().participants(task)).await;
		assert!(ledger
			.iter()
			.any(|(who, p)| *who == id(site) && p.bond == BOND));
	}

	// Round 1: every site submits once; a second submission is refused.
	let (update_a, update_b, update_c) = (
		submit_update(task, 0x11, 100, 500),
		submit_update(task, 0x12, 300, 500),
		submit_update(task, 0x13, 200, 1_000),
	);
	let (_, _, _) = tokio::join!(
		node.dispatch(&update_a, &site_a),
		node.dispatch(&update_b, &site_b),
		node.dispatch(&update_c, &site_c),
	);
	assert_eq!(
		node.refused(&submit_update(task, 0x14, 100, 100), &site_a)
			.await,
		"Fl::DuplicateUpdate"
	);

	// After the window, the aggregate uses A and B and flags C's update as rogue.
	wait_until(&node, round_one_start + ROUND_LENGTH).await;
	let reserved_c = reserved_balance(
		&node.client().at_current_block().await.unwrap(),
		&id(&site_c),
	)
	.await
	.unwrap();
	let dispatched = node
		.dispatch(
			&publish(task, 0x21, &[&site_a, &site_b], &[(&site_c, "NAN-WEIGHTS")]),
			&coordinator,
		)
		.await;
	let flagged = dispatched
		.events
		.find_first::<UpdateFlagged>()
		.expect("UpdateFlagged")
		.expect("decodes");
	assert_eq!(
		(flagged.participant, flagged.reason.clone()),
		(id(&site_c), b"NAN-WEIGHTS".to_vec())
	);
	let published = dispatched
		.events
		.find_first::<AggregatePublished>()
		.expect("AggregatePublished")
		.expect("decodes");
	assert_eq!((published.round, published.used), (1, 2));
	assert_eq!(
		reserved_balance(&node.state_after(&dispatched).await, &id(&site_c))
			.await
			.unwrap(),
		reserved_c,
		"a flag alone slashes nothing: the aggregate may still be disputed"
	);

	// Site B's IRB approval is revoked while round 1 is in its challenge window.
	node.dispatch(
		&api::tx()
			.consent()
			.revoke_attribute(id(&site_b), b"irb:approved".to_vec()),
		&governance,
	)
	.await;

	// Unchallenged, round 1 finalises; round 2 starts.
	wait_until(&node, published.challenge_ends).await;
	let dispatched = node.dispatch(&finalize(task), &registry).await;
	let finalized = dispatched
		.events
		.find_first::<CheckpointFinalized>()
		.expect("CheckpointFinalized")
		.expect("decodes");
	assert_eq!((finalized.round, finalized.model), (1, seeded_model(0x21)));
	let slashed = dispatched
		.events
		.find_first::<BondSlashed>()
		.expect("BondSlashed")
		.expect("decodes");
	assert_eq!(
		(slashed.round, slashed.participant, slashed.amount),
		(1, id(&site_c), BOND / 2)
	);
	assert_eq!(
		reserved_balance(&node.state_after(&dispatched).await, &id(&site_c))
			.await
			.unwrap(),
		reserved_c - BOND / 2,
		"once final, half of C's bond is burnt"
	);
	let round_two_start = dispatched.inclusion.block.number as u32;
	let stored: Option<Task> = ask(&node.state_after(&dispatched).await, fl_api().task(task)).await;
	let stored = stored.expect("the task exists");
	assert_eq!(
		(stored.status, stored.round, stored.round_start),
		(TaskStatus::Running, 2, round_two_start)
	);

	// Round 2: B no longer satisfies the policy; C would overrun its ε budget with 0.6 (1.0
	// spent of 1.5) and submits 0.5 instead; A submits.
	let (update_a, update_b) = (
		submit_update(task, 0x31, 200, 500),
		submit_update(task, 0x32, 300, 100),
	);
	let (overrun_c, update_c) = (
		submit_update(task, 0x33, 400, 600),
		submit_update(task, 0x33, 400, 500),
	);
	// A first claims more samples than the task's cap (they would inflate its reward).
	let inflated_a = submit_update(task, 0x31, MAX_SAMPLES + 1, 500);
	let (refused_b, (overrun_c, _), (inflated_a, _)) = tokio::join!(
		node.refused(&update_b, &site_b),
		async {
			let overrun = node.refused(&overrun_c, &site_c).await;
			let ok = node.dispatch(&update_c, &site_c).await;
			(overrun, ok)
		},
		async {
			let inflated = node.refused(&inflated_a, &site_a).await;
			let ok = node.dispatch(&update_a, &site_a).await;
			(inflated, ok)
		},
	);
	assert_eq!(refused_b, "Fl::PolicyNotSatisfied");
	assert_eq!(overrun_c, "Fl::BudgetExceeded");
	assert_eq!(inflated_a, "Fl::TooManySamples");

	// Round 2's aggregate is disputed by B (still a participant), holding a deposit, and
	// upheld by governance, which burns the deposit.
	wait_until(&node, round_two_start + ROUND_LENGTH).await;
	node.dispatch(&publish(task, 0x41, &[&site_a, &site_c], &[]), &coordinator)
		.await;
	node.dispatch(
		&api::tx()
			.fl()
			.dispute_aggregate(task, H256::repeat_byte(0x99)),
		&site_b,
	)
	.await;
	assert_eq!(
		node.refused(&finalize(task), &registry).await,
		"Fl::Disputed"
	);
	let resolve = api::Call::Fl(api::fl::Call::resolve_dispute {
		task,
		reject: false,
	});
	let upheld = node
		.sudo_ok(resolve, &governance, INCLUSION_TIMEOUT)
		.await
		.expect("governance upholds the aggregate");
	let dismissed = upheld
		.events
		.find_first::<DisputeDismissed>()
		.expect("DisputeDismissed")
		.expect("decodes");
	let dispute_deposit = constant(&state, api::constants().fl().dispute_deposit());
	assert!(dispute_deposit > 0);
	assert_eq!((dismissed.round, dismissed.burnt), (2, dispute_deposit));

	// The last round finalises: the pool is paid by score, bonds are released.
	let dispatched = node.dispatch(&finalize(task), &registry).await;
	let completed = dispatched
		.events
		.find_first::<TaskCompleted>()
		.expect("TaskCompleted")
		.expect("decodes");
	// Scores (samples behind used updates): A 100 + 200, B 300, C 400 (its rogue 200 do not
	// count). 1,000 in all, so the 100 MED pool splits 30 / 30 / 40 with no dust.
	assert_eq!((completed.paid, completed.returned), (REWARD_POOL, 0));
	let mut paid: Vec<(AccountId32, u128)> = dispatched
		.events
		.find::<RewardPaid>()
		.map(|e| e.expect("decodes"))
		.map(|e| (e.participant, e.amount))
		.collect();
	paid.sort();
	let mut expected = vec![
		(id(&site_a), 30 * token::UNIT),
		(id(&site_b), 30 * token::UNIT),
		(id(&site_c), 40 * token::UNIT),
	];
	expected.sort();
	assert_eq!(paid, expected);

	// Balances moved exactly by payout and released bond (none of them signed this block).
	let after = node.state_after(&dispatched).await;
	let parent = node
		.canonical_hash(dispatched.inclusion.block.number - 1)
		.await
		.expect("parent hash")
		.expect("parent exists");
	let before = node.client().at_block(parent).await.expect("parent state");
	// Update deposits stay held until the updates are purged: A and C sent two, B one.
	for (site, reward, bond, updates) in [
		(&site_a, 30 * token::UNIT, BOND, 2),
		(&site_b, 30 * token::UNIT, BOND, 1),
		(&site_c, 40 * token::UNIT, BOND / 2, 2),
	] {
		let who = id(site);
		let deposits = updates * update_deposit;
		assert_eq!(
			reserved_balance(&before, &who).await.unwrap(),
			bond + deposits
		);
		assert_eq!(reserved_balance(&after, &who).await.unwrap(), deposits);
		assert_eq!(
			free_balance(&after, &who).await.unwrap(),
			free_balance(&before, &who).await.unwrap() + reward + bond
		);
	}
	assert_eq!(
		reserved_balance(&after, &id(&coordinator)).await.unwrap(),
		held_before + task_deposit,
		"the lineage's deposit stays with the lineage"
	);

	// The task ended: anyone purges each round's updates and the sites get their deposits
	// back. While the task ran this was refused (the pallet's unit tests and the denial
	// matrix show `TaskStillRunning`).
	let mut last_purge = None;
	for round in [1u32, 2] {
		last_purge = Some(
			node.dispatch(&api::tx().fl().purge_round(task, round), &coordinator)
				.await,
		);
	}
	let purged = node.state_after(&last_purge.expect("two purges")).await;
	for site in [&site_a, &site_b, &site_c] {
		assert_eq!(reserved_balance(&purged, &id(site)).await.unwrap(), 0);
	}
	assert_eq!(
		node.refused(&api::tx().fl().purge_round(task, 1), &site_a)
			.await,
		"Fl::NothingToPurge"
	);

	// The ledgers: ε spent never exceeds the budget; C's rogue update counts against it.
	let mut ledger: Vec<(AccountId32, Participant)> =
		ask(&after, fl_api().participants(task)).await;
	ledger.sort_by_key(|(who, _)| *who);
	let mut expected = vec![
		(id(&site_a), (1_000, 300, 2, 0)),
		(id(&site_b), (500, 300, 1, 0)),
		(id(&site_c), (1_500, 400, 1, 1)),
	];
	expected.sort_by_key(|(who, _)| *who);
	assert_eq!(
		ledger
			.iter()
			.map(|(who, p)| (*who, (p.epsilon_spent, p.score, p.accepted, p.rogue)))
			.collect::<Vec<_>>(),
		expected
	);
	assert!(
		ledger.iter().all(|(_, p)| p.bond == 0),
		"bonds are released"
	);
	let stored: Option<Task> = ask(&after, fl_api().task(task)).await;
	assert_eq!(stored.map(|t| t.status), Some(TaskStatus::Completed));

	// The lineage: two final checkpoints with the updates behind each.
	let lineage: Vec<LineageEntry> = ask(&after, fl_api().lineage(task)).await;
	assert_eq!(
		lineage
			.iter()
			.map(|e| (
				e.round,
				e.checkpoint.model.clone(),
				e.checkpoint.status.clone()
			))
			.collect::<Vec<_>>(),
		vec![
			(1, seeded_model(0x21), CheckpointStatus::Finalized),
			(2, seeded_model(0x41), CheckpointStatus::Finalized),
		]
	);
	assert_eq!(lineage[0].checkpoint.used, vec![id(&site_a), id(&site_b)]);
	assert_eq!(lineage[1].checkpoint.used, vec![id(&site_a), id(&site_c)]);
	let mut round_one: Vec<(AccountId32, u64, Option<Vec<u8>>)> = lineage[0]
		.updates
		.iter()
		.map(|(who, u)| (*who, u.input.samples, u.rogue.clone()))
		.collect();
	round_one.sort();
	let mut expected = vec![
		(id(&site_a), 100, None),
		(id(&site_b), 300, None),
		(id(&site_c), 200, Some(b"NAN-WEIGHTS".to_vec())),
	];
	expected.sort();
	assert_eq!(round_one, expected);
	assert_eq!(
		lineage[1].updates.len(),
		2,
		"B's refused update is not there"
	);
}
