//! Storage migrations, one module per storage version.

/// Version 1: tasks and updates record the deposit they hold. Entries stored before held
/// none; they are rewritten with a zero deposit (nothing is released for them later).
///
/// Its migration writes today's layout (version 2: tasks also cap samples per update, uncapped
/// for tasks created before, see [`v2`]), so a chain still at version 0 goes straight to 2.
pub mod v1 {
	use super::v2::{uncapped, OldTaskParams};
	use crate::{
		BalanceOf, Config, Pallet, ReasonCode, Round, TaskId, TaskStatus, Tasks, TrainingTask,
		Update, UpdateInput, Updates,
	};
	use codec::{Decode, Encode};
	use frame_support::{
		migrations::VersionedMigration,
		traits::{Get, UncheckedOnRuntimeUpgrade},
		weights::Weight,
	};
	use frame_system::pallet_prelude::BlockNumberFor;
	use sp_runtime::traits::Zero;

	/// A task as version 0 stored it.
	#[derive(Encode, Decode)]
	pub struct OldTask<AccountId, Balance, BlockNumber> {
		coordinator: AccountId,
		params: OldTaskParams<AccountId, Balance, BlockNumber>,
		status: TaskStatus,
		round: Round,
		round_start: BlockNumber,
		participants: u32,
	}

	type OldTaskOf<T> =
		OldTask<<T as frame_system::Config>::AccountId, BalanceOf<T>, BlockNumberFor<T>>;

	/// An update as version 0 stored it.
	#[derive(Encode, Decode)]
	pub struct OldUpdate<BlockNumber> {
		input: UpdateInput,
		submitted_at: BlockNumber,
		rogue: Option<ReasonCode>,
	}

	/// Rewrites every task and update in the new encoding.
	pub struct RecordDeposits<T>(core::marker::PhantomData<T>);

	impl<T: Config> UncheckedOnRuntimeUpgrade for RecordDeposits<T> {
		fn on_runtime_upgrade() -> Weight {
			let mut entries = 0u64;
			Tasks::<T>::translate::<OldTaskOf<T>, _>(|_: TaskId, old| {
				entries = entries.saturating_add(1);
				Some(TrainingTask {
					coordinator: old.coordinator,
					params: uncapped(old.params),
					status: old.status,
					round: old.round,
					round_start: old.round_start,
					participants: old.participants,
					deposit: BalanceOf::<T>::zero(),
				})
			});
			Updates::<T>::translate::<OldUpdate<BlockNumberFor<T>>, _>(|_, _, old| {
				entries = entries.saturating_add(1);
				Some(Update {
					input: old.input,
					submitted_at: old.submitted_at,
					rogue: old.rogue,
					deposit: BalanceOf::<T>::zero(),
				})
			});
			T::DbWeight::get().reads_writes(entries, entries)
		}
	}

	/// [`RecordDeposits`] run once, from storage version 0 to today's layout (2).
	pub type MigrateV0ToV2<T> = VersionedMigration<
		0,
		2,
		RecordDeposits<T>,
		Pallet<T>,
		<T as frame_system::Config>::DbWeight,
	>;

	#[cfg(test)]
	mod tests {
		use super::*;
		use crate::{mock::*, tests::task_with_three};
		use frame_support::traits::{GetStorageVersion, OnRuntimeUpgrade, StorageVersion};

		#[test]
		fn tasks_and_updates_stored_before_decode_with_no_deposit() {
			new_test_ext(|| {
				task_with_three(2);
				// As version 0 stored them.
				let task = Tasks::<Test>::get(0).expect("task 0");
				let old_task: OldTaskOf<Test> = OldTask {
					coordinator: task.coordinator,
					params: OldTaskParams::from(&task.params),
					status: task.status,
					round: task.round,
					round_start: task.round_start,
					participants: task.participants,
				};
				frame_support::storage::unhashed::put_raw(
					&Tasks::<Test>::hashed_key_for(0),
					&old_task.encode(),
				);
				let old_update = OldUpdate {
					input: UpdateInput {
						model: task.params.initial.clone(),
						samples: 42,
						epsilon: 5,
						metrics: None,
					},
					submitted_at: 3u64,
					rogue: None,
				};
				frame_support::storage::unhashed::put_raw(
					&Updates::<Test>::hashed_key_for((0, 1), HOSPITAL_A),
					&old_update.encode(),
				);
				StorageVersion::new(0).put::<Pallet<Test>>();

				MigrateV0ToV2::<Test>::on_runtime_upgrade();

				assert_eq!(Pallet::<Test>::on_chain_storage_version(), 2);
				let migrated = Tasks::<Test>::get(0).expect("task decodes");
				let mut expected = task.params;
				expected.max_samples = u64::MAX;
				assert_eq!(
					(migrated.participants, migrated.params, migrated.deposit),
					(3, expected, 0)
				);
				let update = Updates::<Test>::get((0, 1), HOSPITAL_A).expect("update decodes");
				assert_eq!(
					(update.input.samples, update.submitted_at, update.deposit),
					(42, 3, 0)
				);
			});
		}
	}
}

/// Version 2: a task caps the samples one update may claim (`TaskParams::max_samples`), since
/// scores and rewards grow with them. Tasks created before had no cap and keep none
/// (`u64::MAX`): their participants joined under those rules.
pub mod v2 {
	use crate::{
		AggregationRule, Aggregator, BalanceOf, Config, MilliEpsilon, ModelRef, Pallet, Round,
		TaskId, TaskParams, TaskStatus, Tasks, TrainingTask,
	};
	use codec::{Decode, Encode};
	use frame_support::{
		migrations::VersionedMigration,
		traits::{Get, UncheckedOnRuntimeUpgrade},
		weights::Weight,
	};
	use frame_system::pallet_prelude::BlockNumberFor;
	use medchain_primitives::PolicyId;

	/// Task parameters as versions 0 and 1 stored them.
	#[derive(Encode, Decode, Clone, PartialEq, Debug)]
	pub struct OldTaskParams<AccountId, Balance, BlockNumber> {
		architecture: ModelRef,
		initial: ModelRef,
		policy: PolicyId,
		min_participants: u32,
		max_rounds: Round,
		round_length: BlockNumber,
		challenge_period: BlockNumber,
		rule: AggregationRule,
		aggregator: Aggregator<AccountId>,
		epsilon_budget: MilliEpsilon,
		reward_pool: Balance,
		bond: Balance,
	}

	#[cfg(test)]
	impl<A: Clone, B: Clone, N: Clone> From<&TaskParams<A, B, N>> for OldTaskParams<A, B, N> {
		fn from(p: &TaskParams<A, B, N>) -> Self {
			Self {
				architecture: p.architecture.clone(),
				initial: p.initial.clone(),
				policy: p.policy,
				min_participants: p.min_participants,
				max_rounds: p.max_rounds,
				round_length: p.round_length.clone(),
				challenge_period: p.challenge_period.clone(),
				rule: p.rule,
				aggregator: p.aggregator.clone(),
				epsilon_budget: p.epsilon_budget,
				reward_pool: p.reward_pool.clone(),
				bond: p.bond.clone(),
			}
		}
	}

	/// Today's parameters for a task stored without a samples cap: none (`u64::MAX`).
	pub fn uncapped<A, B, N>(old: OldTaskParams<A, B, N>) -> TaskParams<A, B, N> {
		TaskParams {
			architecture: old.architecture,
			initial: old.initial,
			policy: old.policy,
			min_participants: old.min_participants,
			max_rounds: old.max_rounds,
			round_length: old.round_length,
			challenge_period: old.challenge_period,
			rule: old.rule,
			aggregator: old.aggregator,
			epsilon_budget: old.epsilon_budget,
			reward_pool: old.reward_pool,
			bond: old.bond,
			max_samples: u64::MAX,
		}
	}

	/// A task as version 1 stored it.
	#[derive(Encode, Decode)]
	pub struct OldTask<AccountId, Balance, BlockNumber> {
		coordinator: AccountId,
		params: OldTaskParams<AccountId, Balance, BlockNumber>,
		status: TaskStatus,
		round: Round,
		round_start: BlockNumber,
		participants: u32,
		deposit: Balance,
	}

	type OldTaskOf<T> =
		OldTask<<T as frame_system::Config>::AccountId, BalanceOf<T>, BlockNumberFor<T>>;

	/// Rewrites every task with an unlimited samples cap.
	pub struct AddSamplesCap<T>(core::marker::PhantomData<T>);

	impl<T: Config> UncheckedOnRuntimeUpgrade for AddSamplesCap<T> {
		fn on_runtime_upgrade() -> Weight {
			let mut entries = 0u64;
			Tasks::<T>::translate::<OldTaskOf<T>, _>(|_: TaskId, old| {
				entries = entries.saturating_add(1);
				Some(TrainingTask {
					coordinator: old.coordinator,
					params: uncapped(old.params),
					status: old.status,
					round: old.round,
					round_start: old.round_start,
					participants: old.participants,
					deposit: old.deposit,
				})
			});
			T::DbWeight::get().reads_writes(entries, entries)
		}
	}

	/// [`AddSamplesCap`] run once, from storage version 1 to 2.
	pub type MigrateV1ToV2<T> = VersionedMigration<
		1,
		2,
		AddSamplesCap<T>,
		Pallet<T>,
		<T as frame_system::Config>::DbWeight,
	>;

	#[cfg(test)]
	mod tests {
		use super::*;
		use crate::{mock::*, tests::task_with_three};
		use frame_support::traits::{GetStorageVersion, OnRuntimeUpgrade, StorageVersion};

		#[test]
		fn tasks_stored_before_decode_uncapped() {
			new_test_ext(|| {
				task_with_three(2);
				let task = Tasks::<Test>::get(0).expect("task 0");
				let old: OldTaskOf<Test> = OldTask {
					coordinator: task.coordinator,
					params: OldTaskParams::from(&task.params),
					status: task.status,
					round: task.round,
					round_start: task.round_start,
					participants: task.participants,
					deposit: task.deposit,
				};
				frame_support::storage::unhashed::put_raw(
					&Tasks::<Test>::hashed_key_for(0),
					&old.encode(),
				);
				StorageVersion::new(1).put::<Pallet<Test>>();

				MigrateV1ToV2::<Test>::on_runtime_upgrade();

				assert_eq!(Pallet::<Test>::on_chain_storage_version(), 2);
				let migrated = Tasks::<Test>::get(0).expect("task decodes");
				let mut expected = task.params;
				expected.max_samples = u64::MAX;
				assert_eq!(
					(migrated.params, migrated.deposit, migrated.participants),
					(expected, task.deposit, 3)
				);
				// Once at version 2, running it again changes nothing.
				let before =
					frame_support::storage::unhashed::get_raw(&Tasks::<Test>::hashed_key_for(0));
				MigrateV1ToV2::<Test>::on_runtime_upgrade();
				assert_eq!(
					frame_support::storage::unhashed::get_raw(&Tasks::<Test>::hashed_key_for(0)),
					before
				);
			});
		}
	}
}
