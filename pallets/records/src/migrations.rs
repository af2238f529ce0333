//! Storage migrations, one module per storage version.

#[cfg(test)]
mod tests {
	use crate::{mock::*, tests::input};
	use frame_support::assert_ok;

	/// Records 0 and 1 of Alice and 2 of Bob, each registered by its subject.
	pub(super) fn register_own_records() {
		for (who, cid) in [(ALICE, 1), (ALICE, 2), (BOB, 3)] {
			assert_ok!(Records::register_record(
				RuntimeOrigin::signed(who),
				who,
				input(cid, "Observation", None)
			));
		}
	}
}

// Version 2 (the CID index and the policy counts, built from the stored versions) was
// applied from spec_version 101 on and removed in spec_version 113, when the layout of records
// changed (version 5): a chain below storage version 2 must first upgrade to a runtime of
// spec_version 101 to 112.

/// Version 3: the per-subject index of erased records ([`crate::SubjectTombstones`]), so a
/// patient can list what was erased without scanning every tombstone.
pub mod v3 {
	use crate::{Config, Pallet, SubjectTombstones, Tombstones};
	use frame_support::{
		migrations::VersionedMigration,
		traits::{Get, UncheckedOnRuntimeUpgrade},
		weights::Weight,
	};

	/// Builds the index from the stored tombstones. It reads each tombstone once, so it suits
	/// a chain with up to a few hundred thousand erasures (one block's weight); a larger chain
	/// needs a multi-block migration.
	pub struct IndexTombstones<T>(core::marker::PhantomData<T>);

	impl<T: Config> UncheckedOnRuntimeUpgrade for IndexTombstones<T> {
		fn on_runtime_upgrade() -> Weight {
			let mut count = 0u64;
			for (record, tombstone) in Tombstones::<T>::iter() {
				SubjectTombstones::<T>::insert(&tombstone.subject, record, ());
				count = count.saturating_add(1);
			}
			T::DbWeight::get().reads_writes(count, count)
		}
	}

	/// [`IndexTombstones`] run once, from storage version 2 to 3.
	pub type MigrateV2ToV3<T> = VersionedMigration<
		2,
		3,
		IndexTombstones<T>,
		Pallet<T>,
		<T as frame_system::Config>::DbWeight,
	>;

	#[cfg(test)]
	mod tests {
		use super::MigrateV2ToV3;
		use crate::{mock::*, Pallet, SubjectTombstones};
		use frame_support::{
			assert_ok,
			traits::{GetStorageVersion, OnRuntimeUpgrade, StorageVersion},
		};

		#[test]
		fn erased_records_are_indexed_by_subject() {
			new_test_ext(|| {
				crate::migrations::tests::register_own_records();
				// Records 0 and 2 erased as a version-2 chain stored them: no index.
				assert_ok!(Records::erase_record(RuntimeOrigin::signed(ALICE), 0));
				assert_ok!(Records::erase_record(RuntimeOrigin::signed(BOB), 2));
				let _ = SubjectTombstones::<Test>::clear(u32::MAX, None);
				StorageVersion::new(2).put::<Pallet<Test>>();
				assert!(Records::tombstones_of(&ALICE, None, 10).is_empty());

				MigrateV2ToV3::<Test>::on_runtime_upgrade();

				assert_eq!(Pallet::<Test>::on_chain_storage_version(), 3);
				let alice: Vec<_> = Records::tombstones_of(&ALICE, None, 10)
					.into_iter()
					.map(|(id, _)| id)
					.collect();
				assert_eq!(alice, vec![0]);
				let bob: Vec<_> = Records::tombstones_of(&BOB, None, 10)
					.into_iter()
					.map(|(id, _)| id)
					.collect();
				assert_eq!(bob, vec![2]);
			});
		}
	}
}

/// Version 4: the per-subject count of live records (`RecordCount`) and its cap are gone,
/// so registering a record no longer reads and writes a counter (issue 18: one read and one
/// write less per record, in batches too). Its entries are removed here.
pub mod v4 {
	use crate::{Config, Pallet};
	use frame_support::{
		migrations::VersionedMigration,
		pallet_prelude::ValueQuery,
		storage_alias,
		traits::{Get, UncheckedOnRuntimeUpgrade},
		weights::Weight,
		Blake2_128Concat,
	};

	/// The removed count, as version 3 stored it.
	#[storage_alias]
	type RecordCount<T: Config> = StorageMap<
		Pallet<T>,
		Blake2_128Concat,
		<T as frame_system::Config>::AccountId,
		u32,
		ValueQuery,
	>;

	/// Removes every `RecordCount` entry: one per subject with live records, so it suits a
	/// chain with up to a few hundred thousand such subjects (one block's weight); a larger
	/// chain needs a multi-block migration.
	pub struct DropRecordCount<T>(core::marker::PhantomData<T>);

	impl<T: Config> UncheckedOnRuntimeUpgrade for DropRecordCount<T> {
		fn on_runtime_upgrade() -> Weight {
			let removed = u64::from(RecordCount::<T>::clear(u32::MAX, None).unique);
			T::DbWeight::get().reads_writes(removed, removed)
		}
	}

	/// [`DropRecordCount`] run once, from storage version 3 to 4.
	pub type MigrateV3ToV4<T> = VersionedMigration<
		3,
		4,
		DropRecordCount<T>,
		Pallet<T>,
		<T as frame_system::Config>::DbWeight,
	>;

	#[cfg(test)]
	mod tests {
		use super::{MigrateV3ToV4, RecordCount};
		use crate::{mock::*, Pallet};
		use frame_support::traits::{GetStorageVersion, OnRuntimeUpgrade, StorageVersion};

		#[test]
		fn the_record_count_is_removed_and_records_stay() {
			new_test_ext(|| {
				crate::migrations::tests::register_own_records();
				// As a version-3 chain stored them.
				RecordCount::<Test>::insert(ALICE, 2);
				RecordCount::<Test>::insert(BOB, 1);
				StorageVersion::new(3).put::<Pallet<Test>>();

				MigrateV3ToV4::<Test>::on_runtime_upgrade();

				assert_eq!(Pallet::<Test>::on_chain_storage_version(), 4);
				assert_eq!(RecordCount::<Test>::iter().count(), 0);
				assert_eq!(Records::records_of(&ALICE, None, 10).len(), 2);
				assert_eq!(Records::records_of(&BOB, None, 10).len(), 1);
				// Run again (a second upgrade), it does nothing.
				RecordCount::<Test>::insert(ALICE, 7);
				MigrateV3ToV4::<Test>::on_runtime_upgrade();
				assert_eq!(RecordCount::<Test>::get(ALICE), 7);
				RecordCount::<Test>::remove(ALICE);
			});
		}
	}
}

/// Version 5: a record's current version is stored with it ([`crate::LiveRecord`]) and
/// [`crate::Versions`] keeps only superseded versions, so registering writes one entry
/// instead of two; and the consent pallet, not this one, counts the records each policy
/// guards (`pallet-consent`'s migration to its version 2 copies the count first), so naming
/// a policy costs one read and one write instead of two reads and a write (issue 18).
pub mod v5 {
	use crate::{
		BalanceOf, Config, LiveRecord, Pallet, RecordOf, Records, VersionStatus, Versions,
	};
	use frame_support::{
		migrations::VersionedMigration,
		storage_alias,
		traits::{Get, UncheckedOnRuntimeUpgrade},
		weights::Weight,
		Blake2_128Concat,
	};
	use frame_system::pallet_prelude::BlockNumberFor;

	/// The per-policy count as version 4 stored it.
	#[storage_alias]
	pub(crate) type PolicyUsers<T: Config> =
		StorageMap<Pallet<T>, Blake2_128Concat, <T as Config>::PolicyId, u32>;

	/// Moves each record's current version into its entry and removes the old count. One
	/// read and two writes per live record, so it suits a chain with up to a few hundred
	/// thousand live records (one block's weight); a larger chain needs a multi-block
	/// migration. A record whose current version is missing (which `try_state` would have
	/// named) cannot be kept in the new layout: it is logged (`defensive!`) and its entry
	/// removed; its history and CIDs stay for an operator to inspect.
	pub struct InlineCurrentVersion<T>(core::marker::PhantomData<T>);

	impl<T: Config> UncheckedOnRuntimeUpgrade for InlineCurrentVersion<T> {
		fn on_runtime_upgrade() -> Weight {
			let (mut reads, mut writes) = (0u64, 0u64);
			Records::<T>::translate::<RecordOf<T>, _>(|id, record| {
				reads = reads.saturating_add(2);
				writes = writes.saturating_add(2);
				let Some(mut head) = Versions::<T>::take(id, record.current_version) else {
					frame_support::defensive!(
						"a record's current version is missing; its entry is dropped",
						id
					);
					return None;
				};
				head.status = VersionStatus::Active;
				Some(
					LiveRecord::<T::AccountId, BalanceOf<T>, BlockNumberFor<T>, T::PolicyId> {
						record,
						head,
					},
				)
			});
			let cleared = u64::from(PolicyUsers::<T>::clear(u32::MAX, None).unique);
			T::DbWeight::get().reads_writes(
				reads.saturating_add(cleared),
				writes.saturating_add(cleared),
			)
		}
	}

	/// [`InlineCurrentVersion`] run once, from storage version 4 to 5.
	pub type MigrateV4ToV5<T> = VersionedMigration<
		4,
		5,
		InlineCurrentVersion<T>,
		Pallet<T>,
		<T as frame_system::Config>::DbWeight,
	>;

	#[cfg(test)]
	mod tests {
		use super::{MigrateV4ToV5, PolicyUsers};
		use crate::{mock::*, tests::input, Pallet, RecordView, Records as RecordsMap, Versions};
		use codec::Encode;
		use frame_support::{
			assert_ok,
			storage::unhashed,
			traits::{GetStorageVersion, OnRuntimeUpgrade, StorageVersion},
		};

		/// Rewrites `id` as version 4 stored it: the record alone, every version (the current
		/// one active) in `Versions`.
		fn store_as_version_4(id: u64) {
			let stored = RecordsMap::<Test>::get(id).expect("live");
			let mut head = stored.head.clone();
			head.status = crate::VersionStatus::Active;
			Versions::<Test>::insert(id, stored.record.current_version, head);
			unhashed::put_raw(
				&RecordsMap::<Test>::hashed_key_for(id),
				&stored.record.encode(),
			);
		}

		#[test]
		fn current_versions_move_into_their_records() {
			new_test_ext(|| {
				crate::migrations::tests::register_own_records();
				assert_ok!(Records::append_version(
					RuntimeOrigin::signed(ALICE),
					0,
					input(9, "Observation", None).content
				));
				let views: Vec<_> = (0..3).map(Records::record_view).collect();
				for id in 0..3 {
					store_as_version_4(id);
				}
				PolicyUsers::<Test>::insert(1, 4);
				StorageVersion::new(4).put::<Pallet<Test>>();

				MigrateV4ToV5::<Test>::on_runtime_upgrade();

				assert_eq!(Pallet::<Test>::on_chain_storage_version(), 5);
				// The same records and versions, the current one stored once.
				for (id, view) in views.into_iter().enumerate() {
					assert_eq!(Records::record_view(id as u64), view);
				}
				assert!(matches!(
					Records::record_view(0),
					Some(RecordView::Live { ref versions, .. }) if versions.len() == 2
				));
				assert_eq!(Versions::<Test>::iter().count(), 1);
				assert_eq!(PolicyUsers::<Test>::iter().count(), 0);
				// Run again (a second upgrade), it does nothing.
				MigrateV4ToV5::<Test>::on_runtime_upgrade();
				assert_eq!(RecordsMap::<Test>::iter().count(), 3);
			});
		}
	}
}
