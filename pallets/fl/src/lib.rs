//! # Federated-learning pallet
//!
//! Research on medical data without moving it: sites train locally and only model updates
//! move. The chain coordinates rounds and keeps an auditable lineage of model checkpoints.
//!
//! ## Overview
//!
//! - A **coordinator** opens a task ([`Pallet::create_task`]): model references, a consent
//!   policy participants must satisfy, round parameters, who aggregates, a differential-privacy
//!   budget per participant, a reward pool (held) and a participation bond.
//! - **Participants** join while their currently valid attributes satisfy the policy (checked
//!   through [`medchain_primitives::AccessInspect`]) and hold the bond. Each round they submit
//!   one update commitment (CID, digest, samples, epsilon spent). The chain refuses
//!   non-participants, duplicates, late updates, participants who no longer satisfy the policy,
//!   updates claiming more samples than the task's `max_samples`, and any update that would
//!   take a participant over its epsilon budget (the DP ledger).
//! - After the round's window, the **aggregator** publishes the next checkpoint with the
//!   updates it used (accepted updates of that round, at least the minimum) and may flag rogue
//!   updates with a reason.
//! - A **challenge window** of the task's `challenge_period` blocks (at least
//!   [`Config::MinChallengePeriod`]) follows: a participant who recomputes another digest
//!   disputes, holding [`Config::DisputeDeposit`]; [`Config::DisputeOrigin`] then upholds the
//!   checkpoint (the deposit is burnt) or rejects it (the deposit is returned, the rogue flags
//!   are lifted and the round's aggregate can be published again). Unchallenged or upheld
//!   checkpoints are finalised by anyone: only then does each update still flagged rogue count
//!   against its sender and slash [`Config::RogueSlash`] of its bond, contribution scores grow
//!   by the samples behind each used update, and the next round starts. A rejected aggregate
//!   therefore never slashes anyone.
//! - After the last round the reward pool is paid out in proportion to scores (rounding dust
//!   returns to the coordinator) and bonds are released.
//! - **Deposits** pay for what stays stored and against spam: the coordinator holds [`Config::TaskDeposit`] plus
//!   [`Config::CheckpointDeposit`] per round the task may have, for the task and its lineage,
//!   which are kept for audit (so is the deposit); each participant holds
//!   [`Config::UpdateDeposit`] per update. Once a task has completed or was cancelled, anyone
//!   may purge a round's updates ([`Pallet::purge_round`]), which releases their deposits; the
//!   checkpoints, naming the participants each aggregate used, stay. A disputer holds
//!   [`Config::DisputeDeposit`] until governance decides.
//!
//! Bounded throughout: participants per task ([`Config::MaxParticipants`]) bound every loop.

#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

pub use pallet::*;
pub use types::*;

#[cfg(feature = "runtime-benchmarks")]
pub mod benchmarking;
pub mod migrations;
#[cfg(test)]
mod mock;
#[cfg(test)]
mod tests;
pub mod types;
pub mod weights;
pub use weights::WeightInfo;

use frame_support::traits::fungible;

/// Balance type of the currency pools and bonds are held in.
pub type BalanceOf<T> =
	<<T as Config>::Currency as fungible::Inspect<<T as frame_system::Config>::AccountId>>::Balance;
type BlockNumberOf<T> = frame_system::pallet_prelude::BlockNumberFor<T>;
type AccountIdOf<T> = <T as frame_system::Config>::AccountId;

/// A task as stored for runtime `T`.
pub type TaskOf<T> = TrainingTask<AccountIdOf<T>, BalanceOf<T>, BlockNumberOf<T>>;
/// Task parameters for runtime `T`.
pub type TaskParamsOf<T> = TaskParams<AccountIdOf<T>, BalanceOf<T>, BlockNumberOf<T>>;
/// A participant as stored for runtime `T`.
pub type ParticipantOf<T> = Participant<BalanceOf<T>>;
/// An update as stored for runtime `T`.
pub type UpdateOf<T> = Update<BalanceOf<T>, BlockNumberOf<T>>;
/// A checkpoint as stored for runtime `T`.
pub type CheckpointOf<T> =
	Checkpoint<AccountIdOf<T>, BlockNumberOf<T>, <T as Config>::MaxParticipants>;
/// A round of a task's lineage for runtime `T`.
pub type LineageEntryOf<T> =
	LineageEntry<AccountIdOf<T>, BalanceOf<T>, BlockNumberOf<T>, <T as Config>::MaxParticipants>;
/// Participants an aggregate used.
pub type UsedOf<T> = frame_support::BoundedVec<AccountIdOf<T>, <T as Config>::MaxParticipants>;
/// Updates an aggregator flags as rogue.
pub type RogueOf<T> =
	frame_support::BoundedVec<(AccountIdOf<T>, ReasonCode), <T as Config>::MaxParticipants>;

#[frame_support::pallet]
pub mod pallet {
	use super::*;
	use alloc::vec::Vec;
	use frame_support::{
		pallet_prelude::*,
		traits::{
			fungible::{Mutate, MutateHold},
			tokens::{Fortitude, Precision, Restriction},
		},
	};
	use frame_system::pallet_prelude::*;
	use medchain_primitives::AccessInspect;
	use sp_core::H256;
	use sp_runtime::{
		traits::{Saturating, Zero},
		Perbill,
	};

	const STORAGE_VERSION: StorageVersion = StorageVersion::new(2);

	#[pallet::pallet]
	#[pallet::storage_version(STORAGE_VERSION)]
	pub struct Pallet<T>(_);

	#[pallet::config]
	pub trait Config: frame_system::Config {
		/// Currency pools and bonds are held in.
		type Currency: MutateHold<Self::AccountId, Reason = Self::RuntimeHoldReason>
			+ Mutate<Self::AccountId>;

		/// The overarching hold reason.
		type RuntimeHoldReason: From<HoldReason>;

		/// Consent decisions: whether an account's attributes satisfy a policy now.
		type Access: AccessInspect<Self::AccountId>;

		/// Decides disputed checkpoints (the council).
		type DisputeOrigin: EnsureOrigin<Self::RuntimeOrigin>;

		/// Shortest challenge window a task may choose, in blocks.
		#[pallet::constant]
		type MinChallengePeriod: Get<BlockNumberFor<Self>>;

		/// Share of its bond a participant loses per rogue update.
		#[pallet::constant]
		type RogueSlash: Get<Perbill>;

		/// Participants one task may have.
		#[pallet::constant]
		type MaxParticipants: Get<u32>;

		/// Rounds one task may have.
		#[pallet::constant]
		type MaxRounds: Get<u32>;

		/// Deposit a coordinator holds for a task entry, for as long as it is stored.
		#[pallet::constant]
		type TaskDeposit: Get<BalanceOf<Self>>;

		/// Deposit a coordinator holds per round the task may have, for its lineage entry
		/// (checkpoint), for as long as it is stored.
		#[pallet::constant]
		type CheckpointDeposit: Get<BalanceOf<Self>>;

		/// Deposit a participant holds per submitted update until it is purged.
		#[pallet::constant]
		type UpdateDeposit: Get<BalanceOf<Self>>;

		/// Deposit a disputer holds until governance decides: returned if the aggregate is
		/// rejected, burnt if it is upheld (disputes cost governance's time).
		#[pallet::constant]
		type DisputeDeposit: Get<BalanceOf<Self>>;

		/// Weights of this pallet's calls.
		type WeightInfo: WeightInfo;

		/// Makes accounts eligible for benchmarks (eligibility lives in the consent pallet).
		#[cfg(feature = "runtime-benchmarks")]
		type BenchmarkHelper: benchmarking::BenchmarkHelper<Self::AccountId>;
	}

	/// Why this pallet holds funds.
	#[pallet::composite_enum]
	pub enum HoldReason {
		/// A task's reward pool, held from its coordinator.
		RewardPool,
		/// A participant's bond.
		ParticipationBond,
		/// The deposit for a task and its lineage, held from its coordinator.
		TaskDeposit,
		/// The deposit for a stored update, held from its participant.
		UpdateDeposit,
		/// A disputer's deposit, held until governance decides.
		DisputeDeposit,
	}

	/// The id the next task gets.
	#[pallet::storage]
	pub type NextTaskId<T> = StorageValue<_, TaskId, ValueQuery>;

	/// Tasks. `Twox64Concat`: chain-assigned ids.
	#[pallet::storage]
	pub type Tasks<T: Config> = StorageMap<_, Twox64Concat, TaskId, TaskOf<T>>;

	/// Participants by task. `Blake2_128Concat` on accounts (user-chosen).
	#[pallet::storage]
	pub type Participants<T: Config> =
		StorageDoubleMap<_, Twox64Concat, TaskId, Blake2_128Concat, T::AccountId, ParticipantOf<T>>;

	/// Updates by (task, round) and participant.
	#[pallet::storage]
	pub type Updates<T: Config> = StorageDoubleMap<
		_,
		Twox64Concat,
		(TaskId, Round),
		Blake2_128Concat,
		T::AccountId,
		UpdateOf<T>,
	>;

	/// The deposit held from whoever disputed a task's current aggregate, while it is
	/// disputed. `Twox64Concat`: chain-assigned ids.
	#[pallet::storage]
	pub type DisputeDeposits<T: Config> = StorageMap<_, Twox64Concat, TaskId, BalanceOf<T>>;

	/// Aggregates by task and round: the lineage. `Twox64Concat`: chain-assigned keys.
	#[pallet::storage]
	pub type Checkpoints<T: Config> =
		StorageDoubleMap<_, Twox64Concat, TaskId, Twox64Concat, Round, CheckpointOf<T>>;

	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// A task was opened; round 1 started.
		TaskCreated {
			/// The task.
			task: TaskId,
			/// Who runs the task.
			coordinator: T::AccountId,
			/// The consent policy.
			policy: medchain_primitives::PolicyId,
		},
		/// An account joined a task.
		ParticipantJoined {
			/// The task.
			task: TaskId,
			/// The participant.
			participant: T::AccountId,
		},
		/// An update commitment was accepted.
		UpdateSubmitted {
			/// The task.
			task: TaskId,
			/// The round.
			round: Round,
			/// The participant.
			participant: T::AccountId,
			/// Training samples used.
			samples: u64,
			/// Differential-privacy budget spent, in thousandths of ε.
			epsilon: MilliEpsilon,
		},
		/// An aggregate was published; it can be disputed until `challenge_ends`.
		AggregatePublished {
			/// The task.
			task: TaskId,
			/// The round.
			round: Round,
			/// Who published it.
			aggregator: T::AccountId,
			/// The model (CID and digest).
			model: ModelRef,
			/// The updates it used.
			used: u32,
			/// The last block it may be disputed in.
			challenge_ends: BlockNumberFor<T>,
		},
		/// An aggregate flagged an update rogue; its sender is slashed if the aggregate is
		/// finalised.
		UpdateFlagged {
			/// The task.
			task: TaskId,
			/// The round.
			round: Round,
			/// The participant.
			participant: T::AccountId,
			/// Why it was flagged.
			reason: ReasonCode,
		},
		/// A finalised aggregate had flagged a participant's update: part of its bond was burnt.
		BondSlashed {
			/// The task.
			task: TaskId,
			/// The round.
			round: Round,
			/// The participant.
			participant: T::AccountId,
			/// The amount burnt.
			amount: BalanceOf<T>,
		},
		/// A participant disputed an aggregate.
		AggregateDisputed {
			/// The task.
			task: TaskId,
			/// The round.
			round: Round,
			/// Who did it.
			by: T::AccountId,
			/// The digest the disputer recomputed.
			recomputed: H256,
			/// The deposit held from the disputer.
			deposit: BalanceOf<T>,
		},
		/// Governance upheld a disputed aggregate; the disputer's deposit was burnt.
		DisputeDismissed {
			/// The task.
			task: TaskId,
			/// The round.
			round: Round,
			/// The deposit burnt.
			burnt: BalanceOf<T>,
		},
		/// Governance rejected an aggregate: its rogue flags are lifted, the disputer's deposit
		/// returned, and the round's aggregate may be published again.
		AggregateRejected {
			/// The task.
			task: TaskId,
			/// The round.
			round: Round,
			/// The deposit returned to the disputer.
			returned: BalanceOf<T>,
		},
		/// A round's checkpoint became final.
		CheckpointFinalized {
			/// The task.
			task: TaskId,
			/// The round.
			round: Round,
			/// The model (CID and digest).
			model: ModelRef,
		},
		/// A participant was paid from the reward pool.
		RewardPaid {
			/// The task.
			task: TaskId,
			/// The participant.
			participant: T::AccountId,
			/// The amount.
			amount: BalanceOf<T>,
		},
		/// Every round finalised; rewards paid, bonds released.
		TaskCompleted {
			/// The task.
			task: TaskId,
			/// What was paid out.
			paid: BalanceOf<T>,
			/// What went back to the coordinator.
			returned: BalanceOf<T>,
		},
		/// The coordinator cancelled the task; funds returned.
		TaskCancelled {
			/// The task.
			task: TaskId,
		},
		/// An ended task's updates of one round were removed and their deposits released.
		RoundPurged {
			/// The task.
			task: TaskId,
			/// The round.
			round: Round,
			/// How many updates were removed.
			updates: u32,
		},
	}

	#[pallet::error]
	pub enum Error<T> {
		/// Rounds, minimum participants, round length and the samples cap must be non-zero and
		/// within bounds, and the challenge period at least the runtime's minimum.
		InvalidParams,
		/// No such task.
		TaskNotFound,
		/// The task is completed or cancelled.
		TaskNotRunning,
		/// The account's valid attributes do not satisfy the task's policy.
		PolicyNotSatisfied,
		/// Already a participant.
		AlreadyJoined,
		/// The task has as many participants as allowed.
		TooManyParticipants,
		/// Not a participant of the task.
		NotParticipant,
		/// The round no longer accepts updates.
		RoundClosed,
		/// Already submitted an update this round.
		DuplicateUpdate,
		/// The update would exceed the participant's epsilon budget.
		BudgetExceeded,
		/// The update claims more samples than the task allows one update.
		TooManySamples,
		/// The round's window has not closed yet.
		RoundStillOpen,
		/// An aggregate for this round is already published.
		AlreadyPublished,
		/// The caller may not aggregate this task.
		NotAggregator,
		/// Fewer used updates than the task's minimum.
		TooFewUpdates,
		/// A used or flagged update was not submitted this round, or is listed twice.
		UpdateNotFound,
		/// An update cannot be both used and flagged rogue.
		UsedAndRogue,
		/// No aggregate published for this round.
		NoAggregate,
		/// The challenge window has closed.
		ChallengeClosed,
		/// The challenge window is still open.
		ChallengeOpen,
		/// The aggregate is disputed.
		Disputed,
		/// The aggregate is not disputed.
		NotDisputed,
		/// The aggregate is already final.
		AlreadyFinal,
		/// Only the coordinator may do this.
		NotCoordinator,
		/// A round has already been finalised.
		RoundsFinalized,
		/// The account cannot hold the deposit.
		InsufficientDeposit,
		/// The task is still running: its updates may still be needed.
		TaskStillRunning,
		/// No updates of this round are stored.
		NothingToPurge,
		/// An id counter reached its maximum.
		IdOverflow,
	}

	#[pallet::call]
	impl<T: Config> Pallet<T> {
		/// Open a task with `params`, holding the reward pool from the caller. Round 1 starts
		/// now.
		///
		/// # Events
		/// [`Event::TaskCreated`].
		///
		/// # Errors
		/// - [`Error::InvalidParams`]: rounds, participants, round length or the samples cap are
		///   zero or out of bounds, or the challenge period is below the runtime's minimum.
		/// - [`Error::InsufficientDeposit`]: the caller cannot hold the reward pool and the deposit.
		/// - [`Error::IdOverflow`]: task ids are exhausted.
		#[pallet::call_index(0)]
		#[pallet::weight(T::WeightInfo::create_task())]
		pub fn create_task(origin: OriginFor<T>, params: TaskParamsOf<T>) -> DispatchResult {
			let coordinator = ensure_signed(origin)?;
			ensure!(
				params.max_rounds >= 1
					&& params.max_rounds <= T::MaxRounds::get()
					&& params.min_participants >= 1
					&& params.min_participants <= T::MaxParticipants::get()
					&& !params.round_length.is_zero()
					&& params.max_samples >= 1
					&& params.challenge_period >= T::MinChallengePeriod::get(),
				Error::<T>::InvalidParams
			);
			let deposit = T::CheckpointDeposit::get()
				.saturating_mul(params.max_rounds.into())
				.saturating_add(T::TaskDeposit::get());
			T::Currency::hold(&HoldReason::TaskDeposit.into(), &coordinator, deposit)
				.map_err(|_| Error::<T>::InsufficientDeposit)?;
			T::Currency::hold(
				&HoldReason::RewardPool.into(),
				&coordinator,
				params.reward_pool,
			)?;
			let task = NextTaskId::<T>::try_mutate(medchain_primitives::next_id)
				.map_err(|_| Error::<T>::IdOverflow)?;
			let policy = params.policy;
			Tasks::<T>::insert(
				task,
				TrainingTask {
					coordinator: coordinator.clone(),
					params,
					status: TaskStatus::Running,
					round: 1,
					round_start: frame_system::Pallet::<T>::block_number(),
					participants: 0,
					deposit,
				},
			);
			Self::deposit_event(Event::TaskCreated {
				task,
				coordinator,
				policy,
			});
			Ok(())
		}

		/// Join a running task: the caller's valid attributes must satisfy its policy. Holds
		/// the task's bond.
		///
		/// # Events
		/// [`Event::ParticipantJoined`].
		///
		/// # Errors
		/// - [`Error::TaskNotFound`] / [`Error::TaskNotRunning`]: no running task `task`.
		/// - [`Error::AlreadyJoined`]: the caller participates already.
		/// - [`Error::PolicyNotSatisfied`]: the caller's valid attributes do not satisfy the task's
		///   policy.
		/// - [`Error::TooManyParticipants`]: the task is full.
		#[pallet::call_index(1)]
		#[pallet::weight(T::WeightInfo::join_task())]
		pub fn join_task(origin: OriginFor<T>, task: TaskId) -> DispatchResult {
			let who = ensure_signed(origin)?;
			let mut stored = Self::running(task)?;
			ensure!(
				!Participants::<T>::contains_key(task, &who),
				Error::<T>::AlreadyJoined
			);
			ensure!(
				stored.participants < T::MaxParticipants::get(),
				Error::<T>::TooManyParticipants
			);
			ensure!(
				T::Access::satisfies(&who, stored.params.policy),
				Error::<T>::PolicyNotSatisfied
			);
			let bond = stored.params.bond;
			T::Currency::hold(&HoldReason::ParticipationBond.into(), &who, bond)?;
			Participants::<T>::insert(
				task,
				&who,
				Participant {
					bond,
					..Default::default()
				},
			);
			stored.participants = stored.participants.saturating_add(1);
			Tasks::<T>::insert(task, stored);
			Self::deposit_event(Event::ParticipantJoined {
				task,
				participant: who,
			});
			Ok(())
		}

		/// Submit this round's update commitment. Refused after the round's window, twice in a
		/// round, when the caller no longer satisfies the policy, when it claims more samples
		/// than the task's `max_samples`, or beyond its epsilon budget.
		///
		/// # Events
		/// [`Event::UpdateSubmitted`].
		///
		/// # Errors
		/// - [`Error::TaskNotFound`] / [`Error::TaskNotRunning`]: no running task `task`.
		/// - [`Error::NotParticipant`]: the caller has not joined.
		/// - [`Error::PolicyNotSatisfied`]: the caller no longer satisfies the task's policy.
		/// - [`Error::RoundClosed`]: the round's submission window has passed.
		/// - [`Error::DuplicateUpdate`]: the caller submitted this round already.
		/// - [`Error::TooManySamples`]: `samples` is above the task's `max_samples`.
		/// - [`Error::BudgetExceeded`]: `epsilon` would take the caller past the task's budget.
		/// - [`Error::InsufficientDeposit`]: the caller cannot hold the update deposit.
		#[pallet::call_index(2)]
		#[pallet::weight(T::WeightInfo::submit_update())]
		pub fn submit_update(
			origin: OriginFor<T>,
			task: TaskId,
			update: UpdateInput,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			let stored = Self::running(task)?;
			let mut participant =
				Participants::<T>::get(task, &who).ok_or(Error::<T>::NotParticipant)?;
			let now = frame_system::Pallet::<T>::block_number();
			ensure!(now < Self::round_end(&stored), Error::<T>::RoundClosed);
			let round = stored.round;
			ensure!(
				!Checkpoints::<T>::contains_key(task, round),
				Error::<T>::RoundClosed
			);
			ensure!(
				!Updates::<T>::contains_key((task, round), &who),
				Error::<T>::DuplicateUpdate
			);
			ensure!(
				T::Access::satisfies(&who, stored.params.policy),
				Error::<T>::PolicyNotSatisfied
			);
			ensure!(
				update.samples <= stored.params.max_samples,
				Error::<T>::TooManySamples
			);
			let spent = participant
				.epsilon_spent
				.checked_add(update.epsilon)
				.filter(|spent| *spent <= stored.params.epsilon_budget)
				.ok_or(Error::<T>::BudgetExceeded)?;
			let deposit = T::UpdateDeposit::get();
			T::Currency::hold(&HoldReason::UpdateDeposit.into(), &who, deposit)
				.map_err(|_| Error::<T>::InsufficientDeposit)?;
			participant.epsilon_spent = spent;
			Participants::<T>::insert(task, &who, participant);
			let (samples, epsilon) = (update.samples, update.epsilon);
			Updates::<T>::insert(
				(task, round),
				&who,
				Update {
					input: update,
					submitted_at: now,
					rogue: None,
					deposit,
				},
			);
			Self::deposit_event(Event::UpdateSubmitted {
				task,
				round,
				participant: who,
				samples,
				epsilon,
			});
			Ok(())
		}

		/// Publish the current round's aggregate after its window closed: the new model, the
		/// participants whose accepted updates it used (at least the task's minimum) and the
		/// updates flagged rogue with a reason (each slashes part of its sender's bond when the
		/// aggregate is finalised, not before).
		///
		/// # Events
		/// [`Event::UpdateFlagged`] for each rogue update, then [`Event::AggregatePublished`].
		///
		/// # Errors
		/// - [`Error::TaskNotFound`] / [`Error::TaskNotRunning`]: no running task `task`.
		/// - [`Error::NotAggregator`]: the caller may not aggregate this task.
		/// - [`Error::RoundStillOpen`]: the round's submission window has not passed.
		/// - [`Error::AlreadyPublished`]: the round has an aggregate.
		/// - [`Error::UpdateNotFound`]: a used or flagged update was not submitted, or is listed twice.
		/// - [`Error::UsedAndRogue`]: an update is both used and flagged.
		/// - [`Error::TooFewUpdates`]: fewer used updates than the task's minimum.
		#[pallet::call_index(3)]
		#[pallet::weight(T::WeightInfo::publish_aggregate(used.len() as u32 + rogue.len() as u32))]
		pub fn publish_aggregate(
			origin: OriginFor<T>,
			task: TaskId,
			model: ModelRef,
			used: UsedOf<T>,
			rogue: RogueOf<T>,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			let stored = Self::running(task)?;
			let round = stored.round;
			match &stored.params.aggregator {
				Aggregator::Designated(account) => {
					ensure!(*account == who, Error::<T>::NotAggregator)
				}
				Aggregator::AnyParticipant => ensure!(
					Participants::<T>::contains_key(task, &who),
					Error::<T>::NotAggregator
				),
			}
			let now = frame_system::Pallet::<T>::block_number();
			ensure!(now >= Self::round_end(&stored), Error::<T>::RoundStillOpen);
			ensure!(
				!Checkpoints::<T>::contains_key(task, round),
				Error::<T>::AlreadyPublished
			);
			ensure!(
				used.len() as u32 >= stored.params.min_participants,
				Error::<T>::TooFewUpdates
			);
			let mut seen: Vec<&T::AccountId> = Vec::with_capacity(used.len() + rogue.len());
			for account in used.iter().chain(rogue.iter().map(|(account, _)| account)) {
				ensure!(!seen.contains(&account), Error::<T>::UsedAndRogue);
				seen.push(account);
				let update =
					Updates::<T>::get((task, round), account).ok_or(Error::<T>::UpdateNotFound)?;
				ensure!(update.rogue.is_none(), Error::<T>::UpdateNotFound);
			}
			for (account, reason) in rogue.iter() {
				Updates::<T>::mutate((task, round), account, |update| {
					if let Some(update) = update {
						update.rogue = Some(reason.clone());
					}
				});
				Self::deposit_event(Event::UpdateFlagged {
					task,
					round,
					participant: account.clone(),
					reason: reason.clone(),
				});
			}
			let challenge_ends = now.saturating_add(stored.params.challenge_period);
			let count = used.len() as u32;
			Checkpoints::<T>::insert(
				task,
				round,
				Checkpoint {
					model: model.clone(),
					aggregator: who.clone(),
					used,
					published_at: now,
					challenge_ends,
					status: CheckpointStatus::Published,
				},
			);
			Self::deposit_event(Event::AggregatePublished {
				task,
				round,
				aggregator: who,
				model,
				used: count,
				challenge_ends,
			});
			Ok(())
		}

		/// Dispute the current round's aggregate during its challenge window: a participant
		/// recomputed it and got `recomputed` instead. Holds [`Config::DisputeDeposit`] until
		/// governance decides.
		///
		/// # Events
		/// [`Event::AggregateDisputed`].
		///
		/// # Errors
		/// - [`Error::TaskNotFound`] / [`Error::TaskNotRunning`]: no running task `task`.
		/// - [`Error::NotParticipant`]: the caller has not joined.
		/// - [`Error::NoAggregate`]: the round has no aggregate.
		/// - [`Error::Disputed`]: it is disputed already.
		/// - [`Error::ChallengeClosed`]: the challenge window has closed.
		/// - [`Error::InsufficientDeposit`]: the caller cannot hold the dispute deposit.
		#[pallet::call_index(4)]
		#[pallet::weight(T::WeightInfo::dispute_aggregate())]
		pub fn dispute_aggregate(
			origin: OriginFor<T>,
			task: TaskId,
			recomputed: H256,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			let stored = Self::running(task)?;
			ensure!(
				Participants::<T>::contains_key(task, &who),
				Error::<T>::NotParticipant
			);
			let round = stored.round;
			Checkpoints::<T>::try_mutate(task, round, |checkpoint| {
				let checkpoint = checkpoint.as_mut().ok_or(Error::<T>::NoAggregate)?;
				ensure!(
					checkpoint.status == CheckpointStatus::Published,
					Error::<T>::Disputed
				);
				let now = frame_system::Pallet::<T>::block_number();
				ensure!(now < checkpoint.challenge_ends, Error::<T>::ChallengeClosed);
				checkpoint.status = CheckpointStatus::Disputed {
					by: who.clone(),
					recomputed,
				};
				Ok::<_, DispatchError>(())
			})?;
			let deposit = T::DisputeDeposit::get();
			T::Currency::hold(&HoldReason::DisputeDeposit.into(), &who, deposit)
				.map_err(|_| Error::<T>::InsufficientDeposit)?;
			DisputeDeposits::<T>::insert(task, deposit);
			Self::deposit_event(Event::AggregateDisputed {
				task,
				round,
				by: who,
				recomputed,
				deposit,
			});
			Ok(())
		}

		/// Decide a disputed aggregate: reject it (it is removed and may be published again, its
		/// rogue flags are lifted so that nobody is slashed on its word, and the disputer's
		/// deposit is returned) or uphold it (it becomes finalisable at once and the disputer's
		/// deposit is burnt).
		///
		/// `DisputeOrigin` only (the council).
		///
		/// # Events
		/// [`Event::AggregateRejected`] or [`Event::DisputeDismissed`].
		///
		/// # Errors
		/// - `BadOrigin`: not `DisputeOrigin`.
		/// - [`Error::TaskNotFound`] / [`Error::TaskNotRunning`]: no running task `task`.
		/// - [`Error::NoAggregate`]: the round has no aggregate.
		/// - [`Error::NotDisputed`]: it is not disputed.
		#[pallet::call_index(5)]
		#[pallet::weight(T::WeightInfo::resolve_dispute(T::MaxParticipants::get()))]
		pub fn resolve_dispute(
			origin: OriginFor<T>,
			task: TaskId,
			reject: bool,
		) -> DispatchResultWithPostInfo {
			T::DisputeOrigin::ensure_origin(origin)?;
			let stored = Self::running(task)?;
			let round = stored.round;
			let mut checkpoint =
				Checkpoints::<T>::get(task, round).ok_or(Error::<T>::NoAggregate)?;
			let CheckpointStatus::Disputed { by, .. } = checkpoint.status.clone() else {
				return Err(Error::<T>::NotDisputed.into());
			};
			let deposit = DisputeDeposits::<T>::take(task).unwrap_or_default();
			let mut updates = 0u32;
			if reject {
				let _ = T::Currency::release(
					&HoldReason::DisputeDeposit.into(),
					&by,
					deposit,
					Precision::BestEffort,
				);
				// At most `MaxParticipants` updates per round: one per participant.
				let round_updates: Vec<_> = Updates::<T>::iter_prefix((task, round)).collect();
				for (account, mut update) in round_updates {
					updates = updates.saturating_add(1);
					if update.rogue.take().is_some() {
						Updates::<T>::insert((task, round), account, update);
					}
				}
				Checkpoints::<T>::remove(task, round);
				Self::deposit_event(Event::AggregateRejected {
					task,
					round,
					returned: deposit,
				});
			} else {
				let burnt = T::Currency::burn_held(
					&HoldReason::DisputeDeposit.into(),
					&by,
					deposit,
					Precision::BestEffort,
					Fortitude::Force,
				)
				.unwrap_or_default();
				checkpoint.status = CheckpointStatus::Published;
				checkpoint.challenge_ends = frame_system::Pallet::<T>::block_number();
				Checkpoints::<T>::insert(task, round, checkpoint);
				Self::deposit_event(Event::DisputeDismissed { task, round, burnt });
			}
			Ok(Some(T::WeightInfo::resolve_dispute(updates)).into())
		}

		/// Finalise the current round's undisputed aggregate after its challenge window. Each
		/// update it flagged rogue slashes [`Config::RogueSlash`] of its sender's bond; scores
		/// grow by the samples behind each used update; the next round starts, or after the
		/// last round the pool is paid out by score and bonds are released.
		///
		/// # Events
		/// [`Event::BondSlashed`] for each flagged update, [`Event::CheckpointFinalized`]; after
		/// the last round also the rewards ([`Event::RewardPaid`]) and [`Event::TaskCompleted`].
		///
		/// # Errors
		/// - [`Error::TaskNotFound`] / [`Error::TaskNotRunning`]: no running task `task`.
		/// - [`Error::NoAggregate`]: the round has no aggregate.
		/// - [`Error::Disputed`]: it is disputed.
		/// - [`Error::ChallengeOpen`]: the challenge window is still open.
		#[pallet::call_index(6)]
		#[pallet::weight(T::WeightInfo::finalize_round(T::MaxParticipants::get()))]
		pub fn finalize_round(origin: OriginFor<T>, task: TaskId) -> DispatchResultWithPostInfo {
			ensure_signed(origin)?;
			let mut stored = Self::running(task)?;
			let round = stored.round;
			let mut checkpoint =
				Checkpoints::<T>::get(task, round).ok_or(Error::<T>::NoAggregate)?;
			ensure!(
				checkpoint.status == CheckpointStatus::Published,
				Error::<T>::Disputed
			);
			let now = frame_system::Pallet::<T>::block_number();
			ensure!(now >= checkpoint.challenge_ends, Error::<T>::ChallengeOpen);
			// The aggregate is final: the updates it flagged now count against their senders.
			// At most `MaxParticipants` updates per round: one per participant.
			let mut flagged = 0u32;
			for (account, update) in Updates::<T>::iter_prefix((task, round)) {
				if update.rogue.is_some() {
					flagged = flagged.saturating_add(1);
					let amount = Self::slash_bond(task, &account);
					Self::deposit_event(Event::BondSlashed {
						task,
						round,
						participant: account,
						amount,
					});
				}
			}
			for account in checkpoint.used.iter() {
				let samples =
					Updates::<T>::get((task, round), account).map_or(0, |u| u.input.samples);
				Participants::<T>::mutate(task, account, |participant| {
					if let Some(participant) = participant {
						participant.score = participant.score.saturating_add(samples);
						participant.accepted = participant.accepted.saturating_add(1);
					}
				});
			}
			checkpoint.status = CheckpointStatus::Finalized;
			let model = checkpoint.model.clone();
			Checkpoints::<T>::insert(task, round, checkpoint);
			Self::deposit_event(Event::CheckpointFinalized { task, round, model });
			let completed = round >= stored.params.max_rounds;
			if completed {
				Self::complete(task, &mut stored);
			} else {
				stored.round = round.saturating_add(1);
				stored.round_start = now;
			}
			// Completion loops over the participants; charge that only when it happened. The
			// benchmark's case slashes all but one of them too, so the larger count covers both.
			let looped = if completed { stored.participants } else { 0 };
			Tasks::<T>::insert(task, stored);
			Ok(Some(T::WeightInfo::finalize_round(looped.max(flagged))).into())
		}

		/// Cancel a task before any round was finalised: the pool, every bond and a pending
		/// dispute's deposit go back.
		///
		/// # Events
		/// [`Event::TaskCancelled`].
		///
		/// # Errors
		/// - [`Error::TaskNotFound`] / [`Error::TaskNotRunning`]: no running task `task`.
		/// - [`Error::NotCoordinator`]: the caller did not create the task.
		/// - [`Error::RoundsFinalized`]: a round has been finalised already.
		#[pallet::call_index(7)]
		#[pallet::weight(T::WeightInfo::cancel_task(T::MaxParticipants::get()))]
		pub fn cancel_task(origin: OriginFor<T>, task: TaskId) -> DispatchResult {
			let who = ensure_signed(origin)?;
			let mut stored = Self::running(task)?;
			ensure!(stored.coordinator == who, Error::<T>::NotCoordinator);
			// Rounds advance only on finalisation: round 1 means none was finalised.
			ensure!(stored.round == 1, Error::<T>::RoundsFinalized);
			let _ = T::Currency::release(
				&HoldReason::RewardPool.into(),
				&stored.coordinator,
				stored.params.reward_pool,
				Precision::BestEffort,
			);
			let participants: Vec<_> = Participants::<T>::iter_prefix(task).collect();
			for (account, participant) in participants {
				Self::release_bond(task, &account, participant);
			}
			// A dispute pending in round 1 ends with the task: its deposit goes back.
			if let Some(deposit) = DisputeDeposits::<T>::take(task) {
				if let Some(Checkpoint {
					status: CheckpointStatus::Disputed { by, .. },
					..
				}) = Checkpoints::<T>::get(task, stored.round)
				{
					let _ = T::Currency::release(
						&HoldReason::DisputeDeposit.into(),
						&by,
						deposit,
						Precision::BestEffort,
					);
				}
			}
			stored.status = TaskStatus::Cancelled;
			Tasks::<T>::insert(task, stored);
			Self::deposit_event(Event::TaskCancelled { task });
			Ok(())
		}

		/// Remove an ended task's updates of `round` and release their deposits to their
		/// participants. Anyone may call it once the task is completed or cancelled. The task
		/// and its checkpoints (the lineage, naming the participants each aggregate used) stay;
		/// the update commitments themselves go.
		///
		/// # Errors
		/// - `TaskNotFound`: no such task.
		/// - `TaskStillRunning`: the task is running.
		/// - `NothingToPurge`: no update of that round is stored.
		///
		/// # Events
		/// - `RoundPurged`, with the number of updates removed.
		#[pallet::call_index(8)]
		#[pallet::weight(T::WeightInfo::purge_round(T::MaxParticipants::get()))]
		pub fn purge_round(
			origin: OriginFor<T>,
			task: TaskId,
			round: Round,
		) -> DispatchResultWithPostInfo {
			ensure_signed(origin)?;
			let stored = Tasks::<T>::get(task).ok_or(Error::<T>::TaskNotFound)?;
			ensure!(
				stored.status != TaskStatus::Running,
				Error::<T>::TaskStillRunning
			);
			// At most `MaxParticipants` updates per round: one per participant.
			let mut updates = 0u32;
			for (account, update) in Updates::<T>::drain_prefix((task, round)) {
				updates = updates.saturating_add(1);
				let _ = T::Currency::release(
					&HoldReason::UpdateDeposit.into(),
					&account,
					update.deposit,
					Precision::BestEffort,
				);
			}
			ensure!(updates > 0, Error::<T>::NothingToPurge);
			Self::deposit_event(Event::RoundPurged {
				task,
				round,
				updates,
			});
			Ok(Some(T::WeightInfo::purge_round(updates)).into())
		}
	}

	impl<T: Config> Pallet<T> {
		fn running(task: TaskId) -> Result<TaskOf<T>, DispatchError> {
			let stored = Tasks::<T>::get(task).ok_or(Error::<T>::TaskNotFound)?;
			ensure!(
				stored.status == TaskStatus::Running,
				Error::<T>::TaskNotRunning
			);
			Ok(stored)
		}

		/// First block after the current round's update window.
		fn round_end(task: &TaskOf<T>) -> BlockNumberFor<T> {
			task.round_start.saturating_add(task.params.round_length)
		}

		/// Slashes [`Config::RogueSlash`] of `account`'s bond in `task` (burnt).
		fn slash_bond(task: TaskId, account: &T::AccountId) -> BalanceOf<T> {
			Participants::<T>::mutate(task, account, |participant| {
				let Some(participant) = participant else {
					return Zero::zero();
				};
				participant.rogue = participant.rogue.saturating_add(1);
				let amount = T::RogueSlash::get() * participant.bond;
				let burnt = T::Currency::burn_held(
					&HoldReason::ParticipationBond.into(),
					account,
					amount,
					Precision::BestEffort,
					Fortitude::Force,
				)
				.unwrap_or_default();
				participant.bond = participant.bond.saturating_sub(burnt);
				burnt
			})
		}

		/// Releases what is left of `account`'s bond in `task` and records that none is held.
		fn release_bond(task: TaskId, account: &T::AccountId, mut participant: ParticipantOf<T>) {
			let _ = T::Currency::release(
				&HoldReason::ParticipationBond.into(),
				account,
				participant.bond,
				Precision::BestEffort,
			);
			participant.bond = Zero::zero();
			Participants::<T>::insert(task, account, participant);
		}

		/// Pays the pool out by score, returns the dust, releases bonds, marks completion.
		fn complete(task: TaskId, stored: &mut TaskOf<T>) {
			let pool = stored.params.reward_pool;
			let participants: Vec<(T::AccountId, ParticipantOf<T>)> =
				Participants::<T>::iter_prefix(task).collect();
			let shares = payouts::<T>(pool, &participants);
			let mut paid: BalanceOf<T> = Zero::zero();
			for ((account, participant), share) in participants.into_iter().zip(shares) {
				if !share.is_zero() {
					let moved = T::Currency::transfer_on_hold(
						&HoldReason::RewardPool.into(),
						&stored.coordinator,
						&account,
						share,
						Precision::BestEffort,
						Restriction::Free,
						Fortitude::Polite,
					)
					.unwrap_or_default();
					paid = paid.saturating_add(moved);
					Self::deposit_event(Event::RewardPaid {
						task,
						participant: account.clone(),
						amount: moved,
					});
				}
				Self::release_bond(task, &account, participant);
			}
			let returned = pool.saturating_sub(paid);
			let _ = T::Currency::release(
				&HoldReason::RewardPool.into(),
				&stored.coordinator,
				returned,
				Precision::BestEffort,
			);
			stored.status = TaskStatus::Completed;
			Self::deposit_event(Event::TaskCompleted {
				task,
				paid,
				returned,
			});
		}

		/// Checks the storage invariants; run after every unit test.
		#[cfg(any(feature = "try-runtime", test))]
		pub fn do_try_state() -> Result<(), sp_runtime::TryRuntimeError> {
			for (id, task) in Tasks::<T>::iter() {
				let mut count = 0u32;
				for (_, participant) in Participants::<T>::iter_prefix(id) {
					count += 1;
					ensure!(
						participant.epsilon_spent <= task.params.epsilon_budget,
						"a participant is over its epsilon budget"
					);
					ensure!(
						task.status == TaskStatus::Running || participant.bond.is_zero(),
						"a bond is still recorded after the task ended"
					);
				}
				ensure!(
					count == task.participants,
					"participant count does not match"
				);
				let disputed = task.status == TaskStatus::Running
					&& matches!(
						Checkpoints::<T>::get(id, task.round).map(|c| c.status),
						Some(CheckpointStatus::Disputed { .. })
					);
				ensure!(
					DisputeDeposits::<T>::contains_key(id) == disputed,
					"a dispute deposit is recorded exactly while the current aggregate is disputed"
				);
				for (round, checkpoint) in Checkpoints::<T>::iter_prefix(id) {
					ensure!(round <= task.round, "checkpoint for a future round");
					// An ended task's updates may have been purged (`purge_round`).
					for account in checkpoint.used.iter() {
						let update = Updates::<T>::get((id, round), account);
						ensure!(
							update
								.as_ref()
								.map_or(task.status != TaskStatus::Running, |u| {
									u.rogue.is_none()
								}),
							"an aggregate used a missing or rogue update"
						);
					}
				}
			}
			Ok(())
		}

		/// The lineage of `task`: every published checkpoint by round with the updates of its
		/// round (round 0, the initial model, is in the task's parameters).
		pub fn lineage(task: TaskId) -> Vec<LineageEntryOf<T>> {
			let mut rounds: Vec<(Round, CheckpointOf<T>)> =
				Checkpoints::<T>::iter_prefix(task).collect();
			rounds.sort_by_key(|(round, _)| *round);
			rounds
				.into_iter()
				.map(|(round, checkpoint)| LineageEntry {
					round,
					checkpoint,
					updates: Updates::<T>::iter_prefix((task, round)).collect(),
				})
				.collect()
		}

		/// The participants of `task` with their standing.
		pub fn participants(task: TaskId) -> Vec<(T::AccountId, ParticipantOf<T>)> {
			Participants::<T>::iter_prefix(task).collect()
		}
	}

	/// Shares of `pool` proportional to scores, rounded down: their sum never exceeds `pool`.
	/// With no score at all nobody is paid.
	pub fn payouts<T: Config>(
		pool: BalanceOf<T>,
		participants: &[(T::AccountId, ParticipantOf<T>)],
	) -> Vec<BalanceOf<T>> {
		let total: u128 = participants.iter().map(|(_, p)| u128::from(p.score)).sum();
		participants
			.iter()
			.map(|(_, p)| {
				if total == 0 {
					return Zero::zero();
				}
				let pool: u128 = pool.try_into().unwrap_or(u128::MAX);
				let share = multiply_by_rational(pool, u128::from(p.score), total);
				share.try_into().unwrap_or_else(|_| Zero::zero())
			})
			.collect()
	}

	/// `value * numerator / denominator` rounded down, without overflow (numerator ≤
	/// denominator here).
	fn multiply_by_rational(value: u128, numerator: u128, denominator: u128) -> u128 {
		sp_runtime::helpers_128bit::multiply_by_rational_with_rounding(
			value,
			numerator,
			denominator,
			sp_runtime::Rounding::Down,
		)
		.unwrap_or(0)
	}
}
