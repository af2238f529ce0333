//! Storage migrations, one module per storage version.

/// Version 1: tasks and updates record the deposit they hold. Entries stored before held
/// none; they are rewritten with a zero deposit (nothing is released for them later).
pub mod v1 {
	use crate::{
		BalanceOf, Config, Pallet, ReasonCode, Round, TaskId, TaskParams, TaskStatus, Tasks,
		TrainingTask, Update, UpdateInput, Updates,
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
		params: TaskParams<AccountId, Balance, BlockNumber>,
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
					params: old.params,
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

	/// [`RecordDeposits`] run once, from storage version 0 to 1.
	pub type MigrateV0ToV1<T> = VersionedMigration<
		0,
		1,
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
					params: task.params.clone(),
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

				MigrateV0ToV1::<Test>::on_runtime_upgrade();

				assert_eq!(Pallet::<Test>::on_chain_storage_version(), 1);
				let migrated = Tasks::<Test>::get(0).expect("task decodes");
				assert_eq!(
					(migrated.participants, migrated.params, migrated.deposit),
					(3, task.params, 0)
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
