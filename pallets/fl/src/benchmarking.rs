//! Benchmarks (frame-benchmarking v2) for every call, each in its worst case.

use super::*;
use alloc::{vec, vec::Vec};
use frame_benchmarking::v2::*;
use frame_support::traits::{
	fungible::{Inspect, Mutate},
	EnsureOrigin, Get,
};
use frame_system::RawOrigin;
use medchain_primitives::PolicyId;
use sp_core::H256;
use sp_runtime::Saturating;

/// What the benchmarks need from the consent pallet.
pub trait BenchmarkHelper<AccountId> {
	/// A policy that [`BenchmarkHelper::make_eligible`] accounts satisfy.
	fn policy() -> PolicyId;
	/// Makes `who` satisfy [`BenchmarkHelper::policy`].
	fn make_eligible(who: &AccountId);
}

fn model(seed: u8) -> ModelRef {
	let cid = medchain_primitives::cid_v1_raw_sha2_256(&[seed; 32]);
	ModelRef {
		cid: cid.try_into().expect("36 bytes fit"),
		digest: H256::repeat_byte(seed),
	}
}

fn funded<T: Config>(name: &'static str, index: u32) -> T::AccountId {
	let who: T::AccountId = account(name, index, 0);
	// Enough for a pool, bonds and the deposit of a task with the most rounds.
	let amount = T::Currency::minimum_balance()
		.saturating_mul(1_000_000u32.into())
		.saturating_add(T::CheckpointDeposit::get().saturating_mul(T::MaxRounds::get().into()))
		.saturating_add(T::TaskDeposit::get())
		.saturating_add(T::DisputeDeposit::get());
	T::Currency::set_balance(&who, amount);
	who
}

fn params<T: Config>(coordinator: &T::AccountId, rounds: Round) -> TaskParamsOf<T> {
	let minimum = T::Currency::minimum_balance();
	TaskParams {
		architecture: model(1),
		initial: model(2),
		policy: T::BenchmarkHelper::policy(),
		min_participants: 1,
		max_rounds: rounds,
		round_length: 10u32.into(),
		challenge_period: T::MinChallengePeriod::get(),
		rule: AggregationRule::FedAvg,
		aggregator: Aggregator::Designated(coordinator.clone()),
		epsilon_budget: 10_000,
		reward_pool: minimum.saturating_mul(1_000u32.into()),
		bond: minimum.saturating_mul(10u32.into()),
		max_samples: 1_000,
	}
}

/// Task 0 with `participants` joined, each with an update in round 1 if `submit`.
fn task<T: Config>(
	rounds: Round,
	participants: u32,
	submit: bool,
) -> (T::AccountId, Vec<T::AccountId>) {
	let coordinator = funded::<T>("coordinator", 0);
	Pallet::<T>::create_task(
		RawOrigin::Signed(coordinator.clone()).into(),
		params::<T>(&coordinator, rounds),
	)
	.expect("task created");
	let sites: Vec<T::AccountId> = (0..participants)
		.map(|i| {
			let site = funded::<T>("site", i);
			T::BenchmarkHelper::make_eligible(&site);
			Pallet::<T>::join_task(RawOrigin::Signed(site.clone()).into(), 0).expect("joined");
			if submit {
				let update = UpdateInput {
					model: model(3),
					samples: 100,
					epsilon: 100,
					metrics: None,
				};
				Pallet::<T>::submit_update(RawOrigin::Signed(site.clone()).into(), 0, update)
					.expect("submitted");
			}
			site
		})
		.collect();
	(coordinator, sites)
}

fn close_round<T: Config>() {
	let now = frame_system::Pallet::<T>::block_number();
	frame_system::Pallet::<T>::set_block_number(now.saturating_add(10u32.into()));
}

/// Publishes round 1's aggregate using the first of `sites` and flagging the others rogue.
fn publish<T: Config>(coordinator: &T::AccountId, sites: &[T::AccountId]) {
	let (used, flagged) = sites.split_at(1);
	let used: UsedOf<T> = used.to_vec().try_into().expect("within MaxParticipants");
	let reason: ReasonCode = vec![b'X'; 32].try_into().expect("32 bytes fit");
	let rogue: RogueOf<T> = flagged
		.iter()
		.map(|site| (site.clone(), reason.clone()))
		.collect::<Vec<_>>()
		.try_into()
		.expect("within MaxParticipants");
	Pallet::<T>::publish_aggregate(
		RawOrigin::Signed(coordinator.clone()).into(),
		0,
		model(4),
		used,
		rogue,
	)
	.expect("published");
}

#[benchmarks]
mod benchmarks {
	use super::*;

	#[benchmark]
	fn create_task() {
		let coordinator = funded::<T>("coordinator", 0);
		let p = params::<T>(&coordinator, T::MaxRounds::get());

		#[extrinsic_call]
		_(RawOrigin::Signed(coordinator), p);

		assert!(Tasks::<T>::contains_key(0));
	}

	#[benchmark]
	fn join_task() {
		let (_, _) = task::<T>(1, T::MaxParticipants::get() - 1, false);
		let site = funded::<T>("late", 0);
		T::BenchmarkHelper::make_eligible(&site);

		#[extrinsic_call]
		_(RawOrigin::Signed(site.clone()), 0);

		assert!(Participants::<T>::contains_key(0, &site));
	}

	#[benchmark]
	fn submit_update() {
		let (_, sites) = task::<T>(1, 1, false);
		let site = sites[0].clone();
		let metrics: Metrics = vec![7u8; MAX_METRICS_LEN as usize]
			.try_into()
			.expect("fits");
		let update = UpdateInput {
			model: model(3),
			samples: 100,
			epsilon: 100,
			metrics: Some(metrics),
		};

		#[extrinsic_call]
		_(RawOrigin::Signed(site.clone()), 0, update);

		assert!(Updates::<T>::contains_key((0, 1), &site));
	}

	/// `u` updates listed: one used (the task's minimum) and `u - 1` flagged rogue, the costlier
	/// kind (each is marked).
	#[benchmark]
	fn publish_aggregate(u: Linear<1, { T::MaxParticipants::get() }>) {
		let (coordinator, sites) = task::<T>(1, u, true);
		close_round::<T>();
		let (used, flagged) = sites.split_at(1);
		let used: UsedOf<T> = used.to_vec().try_into().expect("within MaxParticipants");
		let reason: ReasonCode = vec![b'X'; 32].try_into().expect("32 bytes fit");
		let rogue: RogueOf<T> = flagged
			.iter()
			.map(|site| (site.clone(), reason.clone()))
			.collect::<Vec<_>>()
			.try_into()
			.expect("within MaxParticipants");

		#[extrinsic_call]
		_(RawOrigin::Signed(coordinator), 0, model(4), used, rogue);

		assert!(Checkpoints::<T>::contains_key(0, 1));
		for site in flagged {
			assert!(Updates::<T>::get((0, 1), site).is_some_and(|u| u.rogue.is_some()));
		}
	}

	#[benchmark]
	fn dispute_aggregate() {
		let (coordinator, sites) = task::<T>(1, 1, true);
		close_round::<T>();
		publish::<T>(&coordinator, &sites);

		#[extrinsic_call]
		_(RawOrigin::Signed(sites[0].clone()), 0, H256::repeat_byte(9));

		assert!(
			Checkpoints::<T>::get(0, 1).is_some_and(|c| c.status != CheckpointStatus::Published)
		);
	}

	/// Rejection, the costlier decision: `u` updates in the round, `u - 1` of them flagged,
	/// whose flags are lifted; the deposit is returned.
	#[benchmark]
	fn resolve_dispute(u: Linear<1, { T::MaxParticipants::get() }>) -> Result<(), BenchmarkError> {
		let (coordinator, sites) = task::<T>(1, u, true);
		close_round::<T>();
		publish::<T>(&coordinator, &sites);
		Pallet::<T>::dispute_aggregate(RawOrigin::Signed(sites[0].clone()).into(), 0, H256::zero())
			.expect("disputed");
		let origin =
			T::DisputeOrigin::try_successful_origin().map_err(|_| BenchmarkError::Weightless)?;

		#[extrinsic_call]
		_(origin as T::RuntimeOrigin, 0, true);

		assert!(!Checkpoints::<T>::contains_key(0, 1));
		assert!(Updates::<T>::iter_prefix((0, 1)).all(|(_, u)| u.rogue.is_none()));
		Ok(())
	}

	/// The last round: `p` participants, all but one flagged rogue and slashed, then every one
	/// scored, paid and released.
	#[benchmark]
	fn finalize_round(p: Linear<1, { T::MaxParticipants::get() }>) {
		let (coordinator, sites) = task::<T>(1, p, true);
		close_round::<T>();
		publish::<T>(&coordinator, &sites);
		let now = frame_system::Pallet::<T>::block_number();
		frame_system::Pallet::<T>::set_block_number(
			now.saturating_add(T::MinChallengePeriod::get()),
		);
		let anyone = funded::<T>("anyone", 0);

		#[extrinsic_call]
		_(RawOrigin::Signed(anyone), 0);

		assert_eq!(
			Tasks::<T>::get(0).map(|t| t.status),
			Some(TaskStatus::Completed)
		);
	}

	#[benchmark]
	fn cancel_task(p: Linear<0, { T::MaxParticipants::get() }>) {
		let (coordinator, _) = task::<T>(2, p, false);

		#[extrinsic_call]
		_(RawOrigin::Signed(coordinator), 0);

		assert_eq!(
			Tasks::<T>::get(0).map(|t| t.status),
			Some(TaskStatus::Cancelled)
		);
	}

	/// A cancelled task whose round 1 has an update from each of `u` participants.
	#[benchmark]
	fn purge_round(u: Linear<1, { T::MaxParticipants::get() }>) {
		let (coordinator, _) = task::<T>(2, u, true);
		Pallet::<T>::cancel_task(RawOrigin::Signed(coordinator).into(), 0).expect("cancelled");
		let anyone = funded::<T>("anyone", 0);

		#[extrinsic_call]
		_(RawOrigin::Signed(anyone), 0, 1);

		assert_eq!(Updates::<T>::iter_prefix((0, 1)).count(), 0);
	}

	impl_benchmark_test_suite!(Pallet, crate::mock::new_bench_ext(), crate::mock::Test);
}
