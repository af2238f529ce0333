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

/// Version 2: the CID index ([`crate::ContentAnchors`]) and the per-policy count of live
/// records ([`crate::PolicyUsers`]), built from the stored versions and records.
pub mod v2 {
	use crate::{Config, ContentAnchors, Pallet, PolicyUsers, Records, Versions};
	use frame_support::{
		migrations::VersionedMigration,
		traits::{Get, UncheckedOnRuntimeUpgrade},
		weights::Weight,
	};

	/// Builds the indexes. It reads every live version once, so it suits a chain with up to
	/// a few hundred thousand versions (one block's weight); a larger chain needs a
	/// multi-block migration. A CID anchored twice before the upgrade (an alias) is indexed
	/// to the version met first and logged; the chain's `try_state` then names it.
	pub struct BuildIndexes<T>(core::marker::PhantomData<T>);

	impl<T: Config> UncheckedOnRuntimeUpgrade for BuildIndexes<T> {
		fn on_runtime_upgrade() -> Weight {
			let (mut reads, mut writes) = (0u64, 0u64);
			for (record, number, version) in Versions::<T>::iter() {
				reads = reads.saturating_add(1);
				if ContentAnchors::<T>::contains_key(&version.cid) {
					continue;
				}
				ContentAnchors::<T>::insert(&version.cid, (record, number));
				writes = writes.saturating_add(1);
			}
			for (_, record) in Records::<T>::iter() {
				reads = reads.saturating_add(1);
				if let Some(policy) = record.policy {
					PolicyUsers::<T>::mutate(policy, |users| {
						*users = Some(users.unwrap_or(0).saturating_add(1))
					});
					writes = writes.saturating_add(1);
				}
			}
			T::DbWeight::get().reads_writes(reads.saturating_add(writes), writes)
		}
	}

	/// [`BuildIndexes`] run once, from storage version 1 to 2.
	pub type MigrateV1ToV2<T> =
		VersionedMigration<1, 2, BuildIndexes<T>, Pallet<T>, <T as frame_system::Config>::DbWeight>;

	#[cfg(test)]
	mod tests {
		use super::MigrateV1ToV2;
		use crate::{mock::*, tests::input, ContentAnchors, Error, Pallet, PolicyUsers};
		use frame_support::{
			assert_noop, assert_ok,
			traits::{GetStorageVersion, OnRuntimeUpgrade, StorageVersion},
		};

		#[test]
		fn indexes_are_built_from_stored_versions() {
			new_test_ext(|| {
				assert_ok!(Records::register_record(
					RuntimeOrigin::signed(ALICE),
					ALICE,
					input(1, "Observation", Some(1))
				));
				assert_ok!(Records::register_record(
					RuntimeOrigin::signed(BOB),
					BOB,
					input(2, "Observation", None)
				));
				// As a version-1 chain stored them: no index.
				let _ = ContentAnchors::<Test>::clear(u32::MAX, None);
				let _ = PolicyUsers::<Test>::clear(u32::MAX, None);
				StorageVersion::new(1).put::<Pallet<Test>>();

				MigrateV1ToV2::<Test>::on_runtime_upgrade();

				assert_eq!(Pallet::<Test>::on_chain_storage_version(), 2);
				assert_eq!(ContentAnchors::<Test>::iter().count(), 2);
				assert_eq!(PolicyUsers::<Test>::get(1), Some(1));
				// The index refuses aliases after the upgrade.
				assert_noop!(
					Records::register_record(
						RuntimeOrigin::signed(MALLORY),
						MALLORY,
						input(1, "Observation", None)
					),
					Error::<Test>::CidInUse
				);
			});
		}
	}
}

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
