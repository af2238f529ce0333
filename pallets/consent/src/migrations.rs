//! Storage migrations, one module per storage version.

/// Version 1: a read receipt says whether the chain allowed the read when it was listed
/// ([`crate::ReadReceipt::refused`]), since [`crate::Pallet::record_reads`] lists refused
/// reads too. Every receipt listed before was listed by `record_read`, which lists only
/// allowed reads, so each gets `refused: None`.
pub mod v1 {
	use crate::{BalanceOf, Config, Pallet, ReadBasis, ReadReceipt, ReadReceipts};
	use codec::{Decode, Encode};
	use frame_support::{
		migrations::VersionedMigration,
		traits::{Get, UncheckedOnRuntimeUpgrade},
		weights::Weight,
	};
	use frame_system::pallet_prelude::BlockNumberFor;
	use medchain_primitives::RecordId;
	use sp_core::H256;

	/// A receipt as version 0 stored it.
	#[derive(Encode, Decode)]
	pub struct OldReadReceipt<AccountId, Balance, BlockNumber> {
		/// The record read.
		pub record: RecordId,
		/// Digest of the ciphertext served.
		pub digest: H256,
		/// Who read it.
		pub reader: AccountId,
		/// Who served it.
		pub gateway: AccountId,
		/// What allowed the read.
		pub basis: ReadBasis,
		/// Block in which the receipt was recorded.
		pub recorded_at: BlockNumber,
		/// Held from the gateway.
		pub deposit: Balance,
	}

	type OldReceiptOf<T> =
		OldReadReceipt<<T as frame_system::Config>::AccountId, BalanceOf<T>, BlockNumberFor<T>>;

	/// Rewrites every receipt in the new encoding, as allowed.
	pub struct MarkAllowed<T>(core::marker::PhantomData<T>);

	impl<T: Config> UncheckedOnRuntimeUpgrade for MarkAllowed<T> {
		fn on_runtime_upgrade() -> Weight {
			let mut receipts = 0u64;
			ReadReceipts::<T>::translate::<OldReceiptOf<T>, _>(|_, _, old| {
				receipts = receipts.saturating_add(1);
				Some(ReadReceipt {
					record: old.record,
					digest: old.digest,
					reader: old.reader,
					gateway: old.gateway,
					basis: old.basis,
					recorded_at: old.recorded_at,
					deposit: old.deposit,
					refused: None,
				})
			});
			T::DbWeight::get().reads_writes(receipts, receipts)
		}
	}

	/// [`MarkAllowed`] run once, from storage version 0 to 1.
	pub type MigrateV0ToV1<T> =
		VersionedMigration<0, 1, MarkAllowed<T>, Pallet<T>, <T as frame_system::Config>::DbWeight>;

	#[cfg(test)]
	mod tests {
		use super::*;
		use crate::mock::*;
		use frame_support::traits::{GetStorageVersion, OnRuntimeUpgrade, StorageVersion};

		#[test]
		fn receipts_listed_before_stay_listed_as_allowed() {
			new_test_ext(|| {
				StorageVersion::new(0).put::<Pallet<Test>>();
				let old = OldReadReceipt {
					record: 4,
					digest: H256::repeat_byte(3),
					reader: DOCTOR,
					gateway: GATEWAY,
					basis: ReadBasis::Grant(ACTIVE_GRANT),
					recorded_at: 1u64,
					deposit: 0u64,
				};
				let key = ReadReceipts::<Test>::hashed_key_for(PATIENT, H256::repeat_byte(7));
				frame_support::storage::unhashed::put_raw(&key, &old.encode());

				MigrateV0ToV1::<Test>::on_runtime_upgrade();

				assert_eq!(Pallet::<Test>::on_chain_storage_version(), 1);
				assert_eq!(
					ReadReceipts::<Test>::get(PATIENT, H256::repeat_byte(7)),
					Some(ReadReceipt {
						record: 4,
						digest: H256::repeat_byte(3),
						reader: DOCTOR,
						gateway: GATEWAY,
						basis: ReadBasis::Grant(ACTIVE_GRANT),
						recorded_at: 1,
						deposit: 0,
						refused: None,
					})
				);
			});
		}
	}
}

/// Version 2: the pallet counts the live records each policy guards ([`crate::PolicyUsers`]),
/// so that naming a policy costs the record registry one read and one write. The record
/// registry kept the count before, in its own `PolicyUsers` map (storage version 4 of
/// `pallet-records`, under the pallet name `Records`); this copies it, with 0 for every
/// policy no record uses. The registry's own migration to its version 5 then clears its map,
/// so this must run first (the runtime's migration list orders them).
pub mod v2 {
	use crate::{Config, Pallet, Policies, PolicyUsers};
	use frame_support::{
		migrations::VersionedMigration,
		storage_alias,
		traits::{Get, UncheckedOnRuntimeUpgrade},
		weights::Weight,
		Blake2_128Concat,
	};
	use medchain_primitives::PolicyId;

	/// The record registry's count, as `pallet-records` storage version 4 stored it.
	#[storage_alias]
	type RecordsPolicyUsers = StorageMap<Records, Blake2_128Concat, PolicyId, u32>;

	/// Copies the count of every policy. One read per policy and per counted policy, one
	/// write per policy: policies are bounded per account and deposit-backed, so a chain
	/// holds at most a few hundred thousand of them (one block's weight).
	pub struct CountPolicyUsers<T>(core::marker::PhantomData<T>);

	impl<T: Config> UncheckedOnRuntimeUpgrade for CountPolicyUsers<T> {
		fn on_runtime_upgrade() -> Weight {
			let mut policies = 0u64;
			for id in Policies::<T>::iter_keys() {
				policies = policies.saturating_add(1);
				PolicyUsers::<T>::insert(id, RecordsPolicyUsers::get(id).unwrap_or(0));
			}
			T::DbWeight::get().reads_writes(policies.saturating_mul(2), policies)
		}
	}

	/// [`CountPolicyUsers`] run once, from storage version 1 to 2.
	pub type MigrateV1ToV2<T> = VersionedMigration<
		1,
		2,
		CountPolicyUsers<T>,
		Pallet<T>,
		<T as frame_system::Config>::DbWeight,
	>;

	#[cfg(test)]
	mod tests {
		use super::*;
		use crate::{mock::*, tests::text};
		use frame_support::{
			assert_ok,
			traits::{GetStorageVersion, OnRuntimeUpgrade, StorageVersion},
		};

		#[test]
		fn counts_move_from_the_record_registry() {
			new_test_ext(|| {
				for _ in 0..3 {
					assert_ok!(Consent::create_policy(
						RuntimeOrigin::signed(PATIENT),
						text(r#""a:x""#)
					));
				}
				// As version 1 left them: no counts here, two in the registry's map.
				let _ = PolicyUsers::<Test>::clear(u32::MAX, None);
				StorageVersion::new(1).put::<Pallet<Test>>();
				RecordsPolicyUsers::insert(0, 2);
				RecordsPolicyUsers::insert(2, 5);

				MigrateV1ToV2::<Test>::on_runtime_upgrade();

				assert_eq!(Pallet::<Test>::on_chain_storage_version(), 2);
				assert_eq!(PolicyUsers::<Test>::get(0), Some(2));
				assert_eq!(PolicyUsers::<Test>::get(1), Some(0));
				assert_eq!(PolicyUsers::<Test>::get(2), Some(5));
				// Counted policies stay counted: they cannot be removed.
				assert!(Consent::remove_policy(RuntimeOrigin::signed(PATIENT), 0).is_err());
				assert_ok!(Consent::remove_policy(RuntimeOrigin::signed(PATIENT), 1));
				// Run again, it does nothing.
				RecordsPolicyUsers::insert(0, 9);
				MigrateV1ToV2::<Test>::on_runtime_upgrade();
				assert_eq!(PolicyUsers::<Test>::get(0), Some(2));
			});
		}
	}
}
