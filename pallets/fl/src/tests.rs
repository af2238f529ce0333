//! Unit and property tests against the mock runtime.

use crate::{mock::*, *};
use frame_support::{assert_noop, assert_ok, traits::fungible::InspectHold};
use proptest::prelude::*;
use sp_core::H256;
use sp_runtime::{traits::BadOrigin, TokenError};

const POOL: Balance = 10_000;
const BOND: Balance = 1_000;
const ROUND: u64 = 10;
/// The most samples one update may claim in the tests' tasks.
const MAX_SAMPLES: u64 = 1_000;

fn model(seed: u8) -> ModelRef {
	let cid = medchain_primitives::cid_v1_raw_sha2_256(&[seed; 32]);
	ModelRef {
		cid: cid.try_into().unwrap(),
		digest: H256::repeat_byte(seed),
	}
}

fn params(rounds: Round, min: u32, aggregator: Aggregator<AccountId>) -> TaskParamsOf<Test> {
	TaskParams {
		architecture: model(1),
		initial: model(2),
		policy: POLICY,
		min_participants: min,
		max_rounds: rounds,
		round_length: ROUND,
		challenge_period: CHALLENGE_PERIOD,
		rule: AggregationRule::FedAvg,
		aggregator,
		epsilon_budget: 3_000,
		reward_pool: POOL,
		bond: BOND,
		max_samples: MAX_SAMPLES,
	}
}

fn update(seed: u8, samples: u64, epsilon: MilliEpsilon) -> UpdateInput {
	UpdateInput {
		model: model(seed),
		samples,
		epsilon,
		metrics: None,
	}
}

fn used(accounts: &[AccountId]) -> UsedOf<Test> {
	accounts.to_vec().try_into().unwrap()
}

fn rogue(accounts: &[AccountId]) -> RogueOf<Test> {
	accounts
		.iter()
		.map(|a| (*a, ReasonCode::try_from(b"NAN-WEIGHTS".to_vec()).unwrap()))
		.collect::<Vec<_>>()
		.try_into()
		.unwrap()
}

fn held(who: AccountId, reason: HoldReason) -> Balance {
	Balances::balance_on_hold(&RuntimeHoldReason::Fl(reason), &who)
}

fn events() -> Vec<Event<Test>> {
	System::events()
		.into_iter()
		.filter_map(|r| match r.event {
			RuntimeEvent::Fl(e) => Some(e),
			_ => None,
		})
		.collect()
}

/// Task 0 by the coordinator (coordinator aggregates), the three hospitals joined.
pub(crate) fn task_with_three(rounds: Round) {
	assert_ok!(Fl::create_task(
		RuntimeOrigin::signed(COORDINATOR),
		params(rounds, 2, Aggregator::Designated(COORDINATOR))
	));
	for h in [HOSPITAL_A, HOSPITAL_B, HOSPITAL_C] {
		assert_ok!(Fl::join_task(RuntimeOrigin::signed(h), 0));
	}
}

fn submit(who: AccountId, seed: u8, samples: u64, epsilon: MilliEpsilon) -> DispatchResult {
	Fl::submit_update(
		RuntimeOrigin::signed(who),
		0,
		update(seed, samples, epsilon),
	)
}

fn finish_round(at: u64, used_by: &[AccountId], rogue_by: &[AccountId], seed: u8) {
	run_to_block(at);
	assert_ok!(Fl::publish_aggregate(
		RuntimeOrigin::signed(COORDINATOR),
		0,
		model(seed),
		used(used_by),
		rogue(rogue_by)
	));
	run_to_block(at + CHALLENGE_PERIOD);
	assert_ok!(Fl::finalize_round(RuntimeOrigin::signed(OUTSIDER), 0));
}

use sp_runtime::DispatchResult;

#[test]
fn three_sites_two_rounds_one_rogue_update_and_payout() {
	new_test_ext(|| {
		task_with_three(2);
		assert_eq!(held(COORDINATOR, HoldReason::RewardPool), POOL);
		assert_eq!(held(HOSPITAL_A, HoldReason::ParticipationBond), BOND);

		// Round 1: everyone contributes.
		assert_ok!(submit(HOSPITAL_A, 11, 100, 1_000));
		assert_ok!(submit(HOSPITAL_B, 12, 300, 1_000));
		assert_ok!(submit(HOSPITAL_C, 13, 100, 1_000));
		finish_round(1 + ROUND, &[HOSPITAL_A, HOSPITAL_B, HOSPITAL_C], &[], 20);
		let task = Tasks::<Test>::get(0).unwrap();
		assert_eq!(
			(task.round, task.round_start),
			(2, 1 + ROUND + CHALLENGE_PERIOD)
		);

		// Round 2: C's update is flagged rogue and half its bond is slashed.
		assert_ok!(submit(HOSPITAL_A, 21, 100, 1_000));
		assert_ok!(submit(HOSPITAL_B, 22, 300, 1_000));
		assert_ok!(submit(HOSPITAL_C, 23, 999, 1_000));
		let issuance = Balances::total_issuance();
		finish_round(
			1 + 2 * ROUND + CHALLENGE_PERIOD,
			&[HOSPITAL_A, HOSPITAL_B],
			&[HOSPITAL_C],
			30,
		);
		assert_eq!(
			Balances::total_issuance(),
			issuance - BOND / 2,
			"the slash is burnt"
		);

		// Scores: A 200, B 600, C 100 (its rogue update does not count). Pool 10,000.
		let c = Participants::<Test>::get(0, HOSPITAL_C).unwrap();
		assert_eq!((c.score, c.accepted, c.rogue), (100, 1, 1));
		assert_eq!(Tasks::<Test>::get(0).unwrap().status, TaskStatus::Completed);
		let paid: Vec<_> = events()
			.into_iter()
			.filter_map(|e| match e {
				Event::RewardPaid {
					participant,
					amount,
					..
				} => Some((participant, amount)),
				_ => None,
			})
			.collect();
		let mut paid_sorted = paid.clone();
		paid_sorted.sort();
		assert_eq!(
			paid_sorted,
			vec![
				(HOSPITAL_A, 2_222),
				(HOSPITAL_B, 6_666),
				(HOSPITAL_C, 1_111)
			]
		);
		assert!(events().contains(&Event::TaskCompleted {
			task: 0,
			paid: 9_999,
			returned: 1
		}));
		// Funds: pool gone from hold, bonds released, rewards free.
		assert_eq!(held(COORDINATOR, HoldReason::RewardPool), 0);
		// The task's deposit covers it and its two-round lineage, which stay stored.
		let task_deposit = TASK_DEPOSIT + 2 * CHECKPOINT_DEPOSIT;
		assert_eq!(held(COORDINATOR, HoldReason::TaskDeposit), task_deposit);
		assert_eq!(
			Balances::free_balance(COORDINATOR),
			INITIAL_BALANCE - 9_999 - task_deposit
		);
		assert_eq!(held(HOSPITAL_C, HoldReason::ParticipationBond), 0);
		assert!(
			Participants::<Test>::iter_prefix(0).all(|(_, p)| p.bond == 0),
			"the ledger records the bonds as released"
		);
		// Each site's two updates still hold their deposits.
		let updates_held = 2 * UPDATE_DEPOSIT;
		assert_eq!(held(HOSPITAL_C, HoldReason::UpdateDeposit), updates_held);
		assert_eq!(
			Balances::free_balance(HOSPITAL_C),
			INITIAL_BALANCE - BOND / 2 + 1_111 - updates_held
		);
		assert_eq!(
			Balances::free_balance(HOSPITAL_B),
			INITIAL_BALANCE + 6_666 - updates_held
		);

		// Lineage: two checkpoints, each with every update of its round.
		let lineage = Fl::lineage(0);
		assert_eq!(
			lineage
				.iter()
				.map(|e| (e.round, e.checkpoint.model.clone()))
				.collect::<Vec<_>>(),
			vec![(1, model(20)), (2, model(30))]
		);
		assert_eq!(lineage[0].updates.len(), 3);
		let mut round_two: Vec<_> = lineage[1]
			.updates
			.iter()
			.map(|(a, u)| (*a, u.input.samples, u.rogue.is_some()))
			.collect();
		round_two.sort();
		assert_eq!(
			round_two,
			vec![
				(HOSPITAL_A, 100, false),
				(HOSPITAL_B, 300, false),
				(HOSPITAL_C, 999, true)
			]
		);
		assert_eq!(
			lineage[1].checkpoint.used.to_vec(),
			vec![HOSPITAL_A, HOSPITAL_B]
		);
		assert_eq!(
			Updates::<Test>::get((0, 2), HOSPITAL_C).unwrap().rogue,
			Some(ReasonCode::try_from(b"NAN-WEIGHTS".to_vec()).unwrap())
		);

		// The task ended: anyone purges its updates round by round, deposits go back.
		assert_ok!(Fl::purge_round(RuntimeOrigin::signed(OUTSIDER), 0, 1));
		assert_eq!(
			events().pop().expect("an event"),
			Event::RoundPurged {
				task: 0,
				round: 1,
				updates: 3
			}
		);
		assert_eq!(held(HOSPITAL_C, HoldReason::UpdateDeposit), UPDATE_DEPOSIT);
		assert_noop!(
			Fl::purge_round(RuntimeOrigin::signed(OUTSIDER), 0, 1),
			Error::<Test>::NothingToPurge
		);
		assert_ok!(Fl::purge_round(RuntimeOrigin::signed(HOSPITAL_A), 0, 2));
		assert_eq!(held(HOSPITAL_C, HoldReason::UpdateDeposit), 0);
		assert_eq!(Balances::free_balance(HOSPITAL_B), INITIAL_BALANCE + 6_666);
		// The lineage stays, and so does the deposit that pays for it.
		assert_eq!(Fl::lineage(0).len(), 2);
		assert!(Fl::lineage(0).iter().all(|e| e.updates.is_empty()));
		assert_eq!(held(COORDINATOR, HoldReason::TaskDeposit), task_deposit);
		Fl::do_try_state().unwrap();
	});
}

#[test]
fn tasks_are_checked() {
	new_test_ext(|| {
		let create = |p| Fl::create_task(RuntimeOrigin::signed(COORDINATOR), p);
		let designated = || Aggregator::Designated(COORDINATOR);
		assert_noop!(
			create(params(0, 1, designated())),
			Error::<Test>::InvalidParams
		);
		assert_noop!(
			create(params(6, 1, designated())),
			Error::<Test>::InvalidParams
		);
		assert_noop!(
			create(params(1, 0, designated())),
			Error::<Test>::InvalidParams
		);
		assert_noop!(
			create(params(1, 5, designated())),
			Error::<Test>::InvalidParams
		);
		let mut zero_length = params(1, 1, designated());
		zero_length.round_length = 0;
		assert_noop!(create(zero_length), Error::<Test>::InvalidParams);
		let mut short_challenge = params(1, 1, designated());
		short_challenge.challenge_period = MIN_CHALLENGE_PERIOD - 1;
		assert_noop!(create(short_challenge), Error::<Test>::InvalidParams);
		let mut no_samples = params(1, 1, designated());
		no_samples.max_samples = 0;
		assert_noop!(create(no_samples), Error::<Test>::InvalidParams);
		assert_noop!(
			Fl::create_task(RuntimeOrigin::signed(POOR), params(1, 1, designated())),
			Error::<Test>::InsufficientDeposit
		);
		assert_noop!(
			Fl::join_task(RuntimeOrigin::signed(HOSPITAL_A), 0),
			Error::<Test>::TaskNotFound
		);
		let mut shortest_challenge = params(1, 1, designated());
		shortest_challenge.challenge_period = MIN_CHALLENGE_PERIOD;
		assert_ok!(create(shortest_challenge));
	});
}

#[test]
fn joining_needs_the_policy_a_bond_and_room() {
	new_test_ext(|| {
		task_with_three(1);
		assert_noop!(
			Fl::join_task(RuntimeOrigin::signed(HOSPITAL_A), 0),
			Error::<Test>::AlreadyJoined
		);
		assert_noop!(
			Fl::join_task(RuntimeOrigin::signed(OUTSIDER), 0),
			Error::<Test>::PolicyNotSatisfied
		);
		assert_noop!(
			Fl::join_task(RuntimeOrigin::signed(POOR), 0),
			TokenError::FundsUnavailable
		);
		set_satisfies(OUTSIDER, true);
		assert_ok!(Fl::join_task(RuntimeOrigin::signed(OUTSIDER), 0));
		set_satisfies(COORDINATOR, true);
		assert_noop!(
			Fl::join_task(RuntimeOrigin::signed(COORDINATOR), 0),
			Error::<Test>::TooManyParticipants
		);
		Fl::do_try_state().unwrap();
	});
}

#[test]
fn updates_hold_a_deposit_and_stay_while_the_task_runs() {
	new_test_ext(|| {
		task_with_three(3);
		assert_ok!(submit(HOSPITAL_A, 1, 10, 100));
		assert_eq!(held(HOSPITAL_A, HoldReason::UpdateDeposit), UPDATE_DEPOSIT);
		assert_noop!(
			Fl::purge_round(RuntimeOrigin::signed(OUTSIDER), 0, 1),
			Error::<Test>::TaskStillRunning
		);
		assert_noop!(
			Fl::purge_round(RuntimeOrigin::signed(OUTSIDER), 9, 1),
			Error::<Test>::TaskNotFound
		);
		// A participant who cannot pay the deposit submits nothing.
		let free = Balances::free_balance(HOSPITAL_B);
		assert_ok!(Balances::transfer_allow_death(
			RuntimeOrigin::signed(HOSPITAL_B),
			OUTSIDER,
			free - 1
		));
		assert_noop!(
			submit(HOSPITAL_B, 1, 10, 100),
			Error::<Test>::InsufficientDeposit
		);
		// A cancelled task's updates can be purged.
		assert_ok!(Fl::cancel_task(RuntimeOrigin::signed(COORDINATOR), 0));
		assert_ok!(Fl::purge_round(RuntimeOrigin::signed(OUTSIDER), 0, 1));
		assert_eq!(held(HOSPITAL_A, HoldReason::UpdateDeposit), 0);
		Fl::do_try_state().unwrap();
	});
}

#[test]
fn updates_are_checked_and_budgets_enforced() {
	new_test_ext(|| {
		task_with_three(3);
		assert_noop!(submit(OUTSIDER, 1, 10, 100), Error::<Test>::NotParticipant);
		assert_noop!(
			submit(HOSPITAL_A, 1, 10, 3_001),
			Error::<Test>::BudgetExceeded
		);
		// Samples feed scores and rewards: no update may claim more than the task's cap.
		assert_noop!(
			submit(HOSPITAL_A, 1, MAX_SAMPLES + 1, 100),
			Error::<Test>::TooManySamples
		);
		assert_noop!(
			submit(HOSPITAL_A, 1, u64::MAX, 100),
			Error::<Test>::TooManySamples
		);
		assert_ok!(submit(HOSPITAL_A, 1, MAX_SAMPLES, 2_500));
		assert_noop!(
			submit(HOSPITAL_A, 1, 10, 100),
			Error::<Test>::DuplicateUpdate
		);
		// Consent revoked: no more submissions.
		set_satisfies(HOSPITAL_B, false);
		assert_noop!(
			submit(HOSPITAL_B, 1, 10, 100),
			Error::<Test>::PolicyNotSatisfied
		);
		// Late.
		run_to_block(1 + ROUND);
		assert_noop!(submit(HOSPITAL_C, 1, 10, 100), Error::<Test>::RoundClosed);
		// Refused updates leave the ledger untouched.
		assert_eq!(
			Participants::<Test>::get(0, HOSPITAL_A)
				.unwrap()
				.epsilon_spent,
			2_500
		);
		assert_eq!(
			Participants::<Test>::get(0, HOSPITAL_B)
				.unwrap()
				.epsilon_spent,
			0
		);
		Fl::do_try_state().unwrap();
	});
}

#[test]
fn aggregates_are_checked() {
	new_test_ext(|| {
		task_with_three(2);
		assert_ok!(submit(HOSPITAL_A, 1, 10, 100));
		assert_ok!(submit(HOSPITAL_B, 2, 10, 100));
		let publish = |who, u: &[AccountId], r: &[AccountId]| {
			Fl::publish_aggregate(RuntimeOrigin::signed(who), 0, model(5), used(u), rogue(r))
		};
		assert_noop!(
			publish(COORDINATOR, &[HOSPITAL_A, HOSPITAL_B], &[]),
			Error::<Test>::RoundStillOpen
		);
		run_to_block(1 + ROUND);
		assert_noop!(
			publish(HOSPITAL_A, &[HOSPITAL_A, HOSPITAL_B], &[]),
			Error::<Test>::NotAggregator
		);
		assert_noop!(
			publish(COORDINATOR, &[HOSPITAL_A], &[]),
			Error::<Test>::TooFewUpdates
		);
		assert_noop!(
			publish(COORDINATOR, &[HOSPITAL_A, HOSPITAL_C], &[]),
			Error::<Test>::UpdateNotFound
		);
		assert_noop!(
			publish(COORDINATOR, &[HOSPITAL_A, HOSPITAL_B], &[HOSPITAL_A]),
			Error::<Test>::UsedAndRogue
		);
		assert_noop!(
			publish(COORDINATOR, &[HOSPITAL_A, HOSPITAL_A], &[]),
			Error::<Test>::UsedAndRogue
		);
		assert_ok!(publish(COORDINATOR, &[HOSPITAL_A, HOSPITAL_B], &[]));
		assert_noop!(
			publish(COORDINATOR, &[HOSPITAL_A, HOSPITAL_B], &[]),
			Error::<Test>::AlreadyPublished
		);
		// No more updates for a round whose aggregate is out.
		assert_noop!(submit(HOSPITAL_C, 3, 10, 100), Error::<Test>::RoundClosed);
		assert_noop!(
			Fl::finalize_round(RuntimeOrigin::signed(OUTSIDER), 0),
			Error::<Test>::ChallengeOpen
		);
	});
}

#[test]
fn any_participant_may_aggregate_when_configured() {
	new_test_ext(|| {
		assert_ok!(Fl::create_task(
			RuntimeOrigin::signed(COORDINATOR),
			params(1, 1, Aggregator::AnyParticipant)
		));
		assert_ok!(Fl::join_task(RuntimeOrigin::signed(HOSPITAL_A), 0));
		assert_ok!(submit(HOSPITAL_A, 1, 10, 100));
		run_to_block(1 + ROUND);
		assert_noop!(
			Fl::publish_aggregate(
				RuntimeOrigin::signed(COORDINATOR),
				0,
				model(5),
				used(&[HOSPITAL_A]),
				rogue(&[])
			),
			Error::<Test>::NotAggregator
		);
		assert_ok!(Fl::publish_aggregate(
			RuntimeOrigin::signed(HOSPITAL_A),
			0,
			model(5),
			used(&[HOSPITAL_A]),
			rogue(&[])
		));
	});
}

#[test]
fn disputes_go_to_governance() {
	new_test_ext(|| {
		task_with_three(1);
		assert_ok!(submit(HOSPITAL_A, 1, 10, 100));
		assert_ok!(submit(HOSPITAL_B, 2, 10, 100));
		let dispute =
			|who| Fl::dispute_aggregate(RuntimeOrigin::signed(who), 0, H256::repeat_byte(0xEE));
		assert_noop!(dispute(HOSPITAL_C), Error::<Test>::NoAggregate);
		run_to_block(1 + ROUND);
		assert_ok!(Fl::publish_aggregate(
			RuntimeOrigin::signed(COORDINATOR),
			0,
			model(5),
			used(&[HOSPITAL_A, HOSPITAL_B]),
			rogue(&[])
		));
		assert_noop!(dispute(OUTSIDER), Error::<Test>::NotParticipant);
		assert_noop!(
			Fl::resolve_dispute(RuntimeOrigin::root(), 0, true),
			Error::<Test>::NotDisputed
		);
		let free_c = Balances::free_balance(HOSPITAL_C);
		assert_ok!(dispute(HOSPITAL_C));
		assert_eq!(
			held(HOSPITAL_C, HoldReason::DisputeDeposit),
			DISPUTE_DEPOSIT
		);
		assert_eq!(DisputeDeposits::<Test>::get(0), Some(DISPUTE_DEPOSIT));
		assert_noop!(dispute(HOSPITAL_B), Error::<Test>::Disputed);
		Fl::do_try_state().unwrap();
		run_to_block(1 + ROUND + CHALLENGE_PERIOD);
		assert_noop!(
			Fl::finalize_round(RuntimeOrigin::signed(OUTSIDER), 0),
			Error::<Test>::Disputed
		);
		assert_noop!(
			Fl::resolve_dispute(RuntimeOrigin::signed(COORDINATOR), 0, true),
			BadOrigin
		);
		// Rejected: the aggregate goes and may be published again; the disputer was right and
		// gets the deposit back.
		assert_ok!(Fl::resolve_dispute(RuntimeOrigin::root(), 0, true));
		assert!(Checkpoints::<Test>::get(0, 1).is_none());
		assert!(events().contains(&Event::AggregateRejected {
			task: 0,
			round: 1,
			returned: DISPUTE_DEPOSIT
		}));
		assert_eq!(held(HOSPITAL_C, HoldReason::DisputeDeposit), 0);
		assert_eq!(Balances::free_balance(HOSPITAL_C), free_c);
		assert_ok!(Fl::publish_aggregate(
			RuntimeOrigin::signed(COORDINATOR),
			0,
			model(6),
			used(&[HOSPITAL_A, HOSPITAL_B]),
			rogue(&[])
		));
		let ends = 1 + ROUND + 2 * CHALLENGE_PERIOD;
		assert_ok!(dispute(HOSPITAL_C));
		// Dismissed: final at once, and the deposit is burnt.
		let issuance = Balances::total_issuance();
		assert_ok!(Fl::resolve_dispute(RuntimeOrigin::root(), 0, false));
		assert!(events().contains(&Event::DisputeDismissed {
			task: 0,
			round: 1,
			burnt: DISPUTE_DEPOSIT
		}));
		assert_eq!(Balances::total_issuance(), issuance - DISPUTE_DEPOSIT);
		assert_eq!(Balances::free_balance(HOSPITAL_C), free_c - DISPUTE_DEPOSIT);
		assert_eq!(DisputeDeposits::<Test>::get(0), None);
		Fl::do_try_state().unwrap();
		assert!(frame_system::Pallet::<Test>::block_number() < ends);
		assert_ok!(Fl::finalize_round(RuntimeOrigin::signed(OUTSIDER), 0));
		assert_eq!(Tasks::<Test>::get(0).unwrap().status, TaskStatus::Completed);
		// Too late to dispute anything now.
		assert_noop!(dispute(HOSPITAL_C), Error::<Test>::TaskNotRunning);
	});
}

#[test]
fn challenge_windows_close() {
	new_test_ext(|| {
		task_with_three(2);
		assert_ok!(submit(HOSPITAL_A, 1, 10, 100));
		assert_ok!(submit(HOSPITAL_B, 2, 10, 100));
		run_to_block(1 + ROUND);
		assert_ok!(Fl::publish_aggregate(
			RuntimeOrigin::signed(COORDINATOR),
			0,
			model(5),
			used(&[HOSPITAL_A, HOSPITAL_B]),
			rogue(&[])
		));
		run_to_block(1 + ROUND + CHALLENGE_PERIOD);
		assert_noop!(
			Fl::dispute_aggregate(RuntimeOrigin::signed(HOSPITAL_C), 0, H256::zero()),
			Error::<Test>::ChallengeClosed
		);
	});
}

#[test]
fn coordinators_cancel_before_any_final_round() {
	new_test_ext(|| {
		task_with_three(2);
		assert_noop!(
			Fl::cancel_task(RuntimeOrigin::signed(HOSPITAL_A), 0),
			Error::<Test>::NotCoordinator
		);
		assert_ok!(Fl::cancel_task(RuntimeOrigin::signed(COORDINATOR), 0));
		assert!(events().contains(&Event::TaskCancelled { task: 0 }));
		assert_eq!(held(COORDINATOR, HoldReason::RewardPool), 0);
		assert_eq!(held(HOSPITAL_A, HoldReason::ParticipationBond), 0);
		assert_noop!(submit(HOSPITAL_A, 1, 1, 1), Error::<Test>::TaskNotRunning);
	});
	new_test_ext(|| {
		task_with_three(2);
		assert_ok!(submit(HOSPITAL_A, 1, 10, 100));
		assert_ok!(submit(HOSPITAL_B, 2, 10, 100));
		finish_round(1 + ROUND, &[HOSPITAL_A, HOSPITAL_B], &[], 5);
		assert_noop!(
			Fl::cancel_task(RuntimeOrigin::signed(COORDINATOR), 0),
			Error::<Test>::RoundsFinalized
		);
	});
}

#[test]
fn rogue_updates_are_slashed_only_when_their_aggregate_is_final() {
	new_test_ext(|| {
		task_with_three(2);
		assert_ok!(submit(HOSPITAL_A, 1, 10, 100));
		assert_ok!(submit(HOSPITAL_B, 2, 10, 100));
		assert_ok!(submit(HOSPITAL_C, 3, 10, 100));
		run_to_block(1 + ROUND);
		let issuance = Balances::total_issuance();
		assert_ok!(Fl::publish_aggregate(
			RuntimeOrigin::signed(COORDINATOR),
			0,
			model(5),
			used(&[HOSPITAL_A, HOSPITAL_B]),
			rogue(&[HOSPITAL_C])
		));
		// Flagged, not yet punished: the aggregate may still be disputed.
		assert!(events().contains(&Event::UpdateFlagged {
			task: 0,
			round: 1,
			participant: HOSPITAL_C,
			reason: ReasonCode::try_from(b"NAN-WEIGHTS".to_vec()).unwrap(),
		}));
		assert_eq!(held(HOSPITAL_C, HoldReason::ParticipationBond), BOND);
		assert_eq!(Participants::<Test>::get(0, HOSPITAL_C).unwrap().rogue, 0);
		assert_eq!(Balances::total_issuance(), issuance);
		run_to_block(1 + ROUND + CHALLENGE_PERIOD);
		assert_ok!(Fl::finalize_round(RuntimeOrigin::signed(OUTSIDER), 0));
		assert!(events().contains(&Event::BondSlashed {
			task: 0,
			round: 1,
			participant: HOSPITAL_C,
			amount: BOND / 2
		}));
		assert_eq!(held(HOSPITAL_C, HoldReason::ParticipationBond), BOND / 2);
		let c = Participants::<Test>::get(0, HOSPITAL_C).unwrap();
		assert_eq!((c.rogue, c.bond, c.score), (1, BOND / 2, 0));
		assert_eq!(Balances::total_issuance(), issuance - BOND / 2);
		// Used updates are never slashed.
		assert_eq!(held(HOSPITAL_A, HoldReason::ParticipationBond), BOND);
		Fl::do_try_state().unwrap();
	});
}

#[test]
fn a_rejected_aggregate_slashes_nobody() {
	new_test_ext(|| {
		task_with_three(1);
		assert_ok!(submit(HOSPITAL_A, 1, 10, 100));
		assert_ok!(submit(HOSPITAL_B, 2, 10, 100));
		assert_ok!(submit(HOSPITAL_C, 3, 10, 100));
		run_to_block(1 + ROUND);
		// A dishonest aggregator flags C, whose update was fine; C disputes.
		assert_ok!(Fl::publish_aggregate(
			RuntimeOrigin::signed(COORDINATOR),
			0,
			model(5),
			used(&[HOSPITAL_A, HOSPITAL_B]),
			rogue(&[HOSPITAL_C])
		));
		assert_ok!(Fl::dispute_aggregate(
			RuntimeOrigin::signed(HOSPITAL_C),
			0,
			H256::repeat_byte(0xC0)
		));
		assert_ok!(Fl::resolve_dispute(RuntimeOrigin::root(), 0, true));
		// The flag is lifted with the aggregate: C's update can be used by the next one.
		assert_eq!(
			Updates::<Test>::get((0, 1), HOSPITAL_C).unwrap().rogue,
			None
		);
		assert_ok!(Fl::publish_aggregate(
			RuntimeOrigin::signed(COORDINATOR),
			0,
			model(6),
			used(&[HOSPITAL_A, HOSPITAL_B, HOSPITAL_C]),
			rogue(&[])
		));
		run_to_block(1 + ROUND + CHALLENGE_PERIOD);
		assert_ok!(Fl::finalize_round(RuntimeOrigin::signed(OUTSIDER), 0));
		assert!(!events()
			.iter()
			.any(|e| matches!(e, Event::BondSlashed { .. })));
		let c = Participants::<Test>::get(0, HOSPITAL_C).unwrap();
		assert_eq!((c.rogue, c.score, c.accepted), (0, 10, 1));
		assert_eq!(held(HOSPITAL_C, HoldReason::DisputeDeposit), 0);
		assert_eq!(
			Balances::free_balance(HOSPITAL_C),
			INITIAL_BALANCE + POOL / 3 - UPDATE_DEPOSIT,
			"C's bond and dispute deposit came back whole; it earned a third of the pool"
		);
		Fl::do_try_state().unwrap();
	});
}

#[test]
fn disputes_need_a_deposit_and_cancelling_returns_it() {
	new_test_ext(|| {
		task_with_three(2);
		assert_ok!(submit(HOSPITAL_A, 1, 10, 100));
		assert_ok!(submit(HOSPITAL_B, 2, 10, 100));
		run_to_block(1 + ROUND);
		assert_ok!(Fl::publish_aggregate(
			RuntimeOrigin::signed(COORDINATOR),
			0,
			model(5),
			used(&[HOSPITAL_A, HOSPITAL_B]),
			rogue(&[])
		));
		// C cannot hold the deposit: no dispute, nothing changes.
		let free = Balances::free_balance(HOSPITAL_C);
		assert_ok!(Balances::transfer_allow_death(
			RuntimeOrigin::signed(HOSPITAL_C),
			OUTSIDER,
			free - 1
		));
		assert_noop!(
			Fl::dispute_aggregate(RuntimeOrigin::signed(HOSPITAL_C), 0, H256::zero()),
			Error::<Test>::InsufficientDeposit
		);
		// B can; the coordinator then cancels the task (round 1 was never final).
		let free_b = Balances::free_balance(HOSPITAL_B);
		assert_ok!(Fl::dispute_aggregate(
			RuntimeOrigin::signed(HOSPITAL_B),
			0,
			H256::zero()
		));
		assert_eq!(Balances::free_balance(HOSPITAL_B), free_b - DISPUTE_DEPOSIT);
		assert_ok!(Fl::cancel_task(RuntimeOrigin::signed(COORDINATOR), 0));
		assert_eq!(held(HOSPITAL_B, HoldReason::DisputeDeposit), 0);
		assert_eq!(DisputeDeposits::<Test>::get(0), None);
		assert_eq!(Balances::free_balance(HOSPITAL_B), free_b + BOND);
		Fl::do_try_state().unwrap();
	});
}

proptest! {
	#![proptest_config(ProptestConfig::with_cases(64))]

	/// Whatever participants submit over the rounds, no budget is ever exceeded and the
	/// payouts never exceed the pool; funds are conserved except for burnt slashes.
	#[test]
	fn budgets_and_pool_hold(
		pool in 0u64..100_000,
		rounds in 1u32..=4,
		submissions in prop::collection::vec((0usize..3, 0u64..1_000, 0u32..2_000, any::<bool>()), 0..40),
	) {
		new_test_ext(|| {
			let mut p = params(rounds, 1, Aggregator::Designated(COORDINATOR));
			p.reward_pool = pool;
			assert_ok!(Fl::create_task(RuntimeOrigin::signed(COORDINATOR), p));
			let sites = [HOSPITAL_A, HOSPITAL_B, HOSPITAL_C];
			for s in sites {
				assert_ok!(Fl::join_task(RuntimeOrigin::signed(s), 0));
			}
			let total = |who| Balances::free_balance(who) + Balances::total_balance_on_hold(&who);
			let before: u64 = [COORDINATOR, HOSPITAL_A, HOSPITAL_B, HOSPITAL_C].iter().map(|w| total(*w)).sum();
			let mut block = 1;
			let mut burnt = 0;
			for (round, chunk) in submissions.chunks(submissions.len().div_ceil(rounds as usize).max(1)).enumerate().take(rounds as usize) {
				let mut submitted = Vec::new();
				for (site, samples, epsilon, flag) in chunk {
					let who = sites[*site];
					if submit(who, round as u8, *samples, *epsilon).is_ok() {
						submitted.push((who, *flag));
					}
				}
				for s in sites {
					let spent = Participants::<Test>::get(0, s).unwrap().epsilon_spent;
					prop_assert!(spent <= 3_000, "budget exceeded: {}", spent);
				}
				block += ROUND;
				run_to_block(block);
				let good: Vec<_> = submitted.iter().filter(|(_, f)| !*f).map(|(w, _)| *w).collect();
				let bad: Vec<_> = submitted.iter().filter(|(_, f)| *f).map(|(w, _)| *w).collect();
				if good.is_empty() {
					// Nothing to aggregate: cancel (only possible before a final round) and stop.
					let _ = Fl::cancel_task(RuntimeOrigin::signed(COORDINATOR), 0);
					break;
				}
				for b in &bad {
					burnt += Participants::<Test>::get(0, b).unwrap().bond / 2;
				}
				assert_ok!(Fl::publish_aggregate(RuntimeOrigin::signed(COORDINATOR), 0, model(1), used(&good), rogue(&bad)));
				block += CHALLENGE_PERIOD;
				run_to_block(block);
				assert_ok!(Fl::finalize_round(RuntimeOrigin::signed(OUTSIDER), 0));
			}
			let paid: u64 = events().into_iter().filter_map(|e| match e {
				Event::RewardPaid { amount, .. } => Some(amount),
				_ => None,
			}).sum();
			prop_assert!(paid <= pool, "paid {} from a pool of {}", paid, pool);
			let after: u64 = [COORDINATOR, HOSPITAL_A, HOSPITAL_B, HOSPITAL_C].iter().map(|w| total(*w)).sum();
			prop_assert_eq!(after + burnt, before, "funds conserved up to burnt slashes");
			Fl::do_try_state().unwrap();
			Ok(())
		})?;
	}
}

proptest! {
	/// The payout split itself: never more than the pool, and at most one unit lost to rounding
	/// per paid participant; with no score, nothing is paid.
	#[test]
	fn payout_split_never_exceeds_the_pool(
		pool in any::<u64>(),
		scores in prop::collection::vec(any::<u64>(), 0..8),
	) {
		let participants: Vec<(AccountId, ParticipantOf<Test>)> = scores
			.iter()
			.enumerate()
			.map(|(i, score)| (i as AccountId, Participant { score: *score, ..Default::default() }))
			.collect();
		let shares = pallet::payouts::<Test>(pool, &participants);
		let paid: u128 = shares.iter().map(|s| u128::from(*s)).sum();
		prop_assert!(paid <= u128::from(pool));
		if scores.iter().any(|s| *s > 0) {
			prop_assert!(u128::from(pool) - paid < scores.len() as u128 + 1);
		} else {
			prop_assert_eq!(paid, 0);
		}
	}
}

#[test]
fn task_ids_never_repeat_at_the_maximum() {
	new_test_ext(|| {
		NextTaskId::<Test>::put(TaskId::MAX);
		assert_noop!(
			Fl::create_task(
				RuntimeOrigin::signed(COORDINATOR),
				params(2, 2, Aggregator::Designated(COORDINATOR))
			),
			Error::<Test>::IdOverflow
		);
		NextTaskId::<Test>::put(0);
	});
}
