//! Storage migrations, one module per storage version.

/// Version 1: attestations bind the grantee's request ([`crate::RequestBinding`]). Evidence
/// cases filed before carry an attestation without one; they get an empty binding, which
/// proves nothing beyond their `served_at` (exactly what they proved before).
pub mod v1 {
	use crate::{
		Attestation, BalanceOf, Cases, Claim, Config, EvidenceCase, Outcome, Pallet, RequestBinding,
	};
	use codec::{Decode, Encode};
	use frame_support::{
		migrations::VersionedMigration,
		traits::{Get, UncheckedOnRuntimeUpgrade},
		weights::Weight,
	};
	use frame_system::pallet_prelude::BlockNumberFor;
	use medchain_primitives::GrantId;
	use sp_core::H256;

	/// An attestation as version 0 stored it.
	#[derive(Encode, Decode)]
	pub struct OldAttestation<AccountId, BlockNumber> {
		grant: GrantId,
		proxy: AccountId,
		capsule_hash: H256,
		cfrag_hash: H256,
		served_at: BlockNumber,
	}

	/// A claim as version 0 stored it.
	#[derive(Encode, Decode)]
	pub enum OldClaim<AccountId, BlockNumber, Signature> {
		/// Unchanged.
		InvalidCfrag {
			/// BLAKE2-256 of the capsule re-encrypted.
			capsule_hash: H256,
			/// BLAKE2-256 of the capsule fragment returned.
			cfrag_hash: H256,
		},
		/// With the version-0 attestation.
		ServedAfterRevocation {
			/// The proxy's attestation.
			attestation: OldAttestation<AccountId, BlockNumber>,
			/// The proxy's sr25519 signature of the attestation message.
			signature: Signature,
		},
	}

	/// An evidence case as version 0 stored it.
	#[derive(Encode, Decode)]
	pub struct OldEvidenceCase<AccountId, Balance, BlockNumber, Signature> {
		grant: GrantId,
		proxy: AccountId,
		filer: AccountId,
		claim: OldClaim<AccountId, BlockNumber, Signature>,
		filed_at: BlockNumber,
		deposit: Balance,
		outcome: Outcome<Balance>,
	}

	type OldCaseOf<T> = OldEvidenceCase<
		<T as frame_system::Config>::AccountId,
		BalanceOf<T>,
		BlockNumberFor<T>,
		sp_core::sr25519::Signature,
	>;

	/// Rewrites every case in the new encoding.
	pub struct BindRequests<T>(core::marker::PhantomData<T>);

	impl<T: Config> UncheckedOnRuntimeUpgrade for BindRequests<T> {
		fn on_runtime_upgrade() -> Weight {
			let mut cases = 0u64;
			Cases::<T>::translate::<OldCaseOf<T>, _>(|_, old| {
				cases = cases.saturating_add(1);
				let claim = match old.claim {
					OldClaim::InvalidCfrag {
						capsule_hash,
						cfrag_hash,
					} => Claim::InvalidCfrag {
						capsule_hash,
						cfrag_hash,
					},
					OldClaim::ServedAfterRevocation {
						attestation: a,
						signature,
					} => Claim::ServedAfterRevocation {
						attestation: Attestation {
							grant: a.grant,
							proxy: a.proxy,
							capsule_hash: a.capsule_hash,
							cfrag_hash: a.cfrag_hash,
							served_at: a.served_at,
							request: RequestBinding::default(),
						},
						signature,
					},
				};
				Some(EvidenceCase {
					grant: old.grant,
					proxy: old.proxy,
					filer: old.filer,
					claim,
					filed_at: old.filed_at,
					deposit: old.deposit,
					outcome: old.outcome,
				})
			});
			T::DbWeight::get().reads_writes(cases, cases)
		}
	}

	/// [`BindRequests`] run once, from storage version 0 to 1.
	pub type MigrateV0ToV1<T> =
		VersionedMigration<0, 1, BindRequests<T>, Pallet<T>, <T as frame_system::Config>::DbWeight>;

	#[cfg(test)]
	mod tests {
		use super::*;
		use crate::mock::*;
		use frame_support::traits::{GetStorageVersion, OnRuntimeUpgrade, StorageVersion};

		#[test]
		fn cases_filed_before_keep_what_they_claimed() {
			new_test_ext(|| {
				StorageVersion::new(0).put::<Pallet<Test>>();
				let old = |claim| OldEvidenceCase {
					grant: 3,
					proxy: PROXY_A,
					filer: GRANTEE,
					claim,
					filed_at: 7u64,
					deposit: 5u64,
					outcome: Outcome::Pending,
				};
				let signature = sp_core::sr25519::Signature::from_raw([4; 64]);
				let served = OldClaim::ServedAfterRevocation {
					attestation: OldAttestation {
						grant: 3,
						proxy: PROXY_A,
						capsule_hash: H256::repeat_byte(1),
						cfrag_hash: H256::repeat_byte(2),
						served_at: 6u64,
					},
					signature,
				};
				let cfrag = OldClaim::InvalidCfrag {
					capsule_hash: H256::repeat_byte(8),
					cfrag_hash: H256::repeat_byte(9),
				};
				frame_support::storage::unhashed::put_raw(
					&Cases::<Test>::hashed_key_for(0),
					&old(served).encode(),
				);
				frame_support::storage::unhashed::put_raw(
					&Cases::<Test>::hashed_key_for(1),
					&old(cfrag).encode(),
				);

				MigrateV0ToV1::<Test>::on_runtime_upgrade();

				assert_eq!(Pallet::<Test>::on_chain_storage_version(), 1);
				let migrated = Cases::<Test>::get(0).expect("case 0 decodes");
				let Claim::ServedAfterRevocation {
					attestation,
					signature: kept,
				} = migrated.claim
				else {
					panic!("claim kind changed");
				};
				assert_eq!(
					(attestation.served_at, attestation.capsule_hash, kept),
					(6, H256::repeat_byte(1), signature)
				);
				assert_eq!(attestation.request, RequestBinding::default());
				assert_eq!((migrated.filed_at, migrated.deposit), (7, 5));
				assert_eq!(
					Cases::<Test>::get(1).map(|c| c.claim),
					Some(Claim::InvalidCfrag {
						capsule_hash: H256::repeat_byte(8),
						cfrag_hash: H256::repeat_byte(9),
					})
				);
			});
		}
	}
}

/// Version 2: the per-owner index of grants ([`crate::OwnerGrants`]), so a patient's grants
/// are listed without scanning every grant.
pub mod v2 {
	use crate::{Config, Grants, OwnerGrants, Pallet};
	use frame_support::{
		migrations::VersionedMigration,
		traits::{Get, UncheckedOnRuntimeUpgrade},
		weights::Weight,
	};

	/// Builds the index from the stored grants. It reads each grant once, so it suits a chain
	/// with up to a few hundred thousand grants (one block's weight); a larger chain needs a
	/// multi-block migration.
	pub struct IndexOwners<T>(core::marker::PhantomData<T>);

	impl<T: Config> UncheckedOnRuntimeUpgrade for IndexOwners<T> {
		fn on_runtime_upgrade() -> Weight {
			let mut count = 0u64;
			for (id, grant) in Grants::<T>::iter() {
				OwnerGrants::<T>::insert(&grant.owner, id, ());
				count = count.saturating_add(1);
			}
			T::DbWeight::get().reads_writes(count, count)
		}
	}

	/// [`IndexOwners`] run once, from storage version 1 to 2.
	pub type MigrateV1ToV2<T> =
		VersionedMigration<1, 2, IndexOwners<T>, Pallet<T>, <T as frame_system::Config>::DbWeight>;

	#[cfg(test)]
	mod tests {
		use super::MigrateV1ToV2;
		use crate::{mock::*, tests::grant_2_of_2, OwnerGrants, Pallet};
		use frame_support::traits::{GetStorageVersion, OnRuntimeUpgrade, StorageVersion};

		#[test]
		fn grants_are_indexed_by_owner() {
			new_test_ext(|| {
				grant_2_of_2();
				// As a version-1 chain stored it: no index.
				let _ = OwnerGrants::<Test>::clear(u32::MAX, None);
				StorageVersion::new(1).put::<Pallet<Test>>();
				assert!(KeyGrants::grants_of(&OWNER).is_empty());

				MigrateV1ToV2::<Test>::on_runtime_upgrade();

				assert_eq!(Pallet::<Test>::on_chain_storage_version(), 2);
				let listed: Vec<_> = KeyGrants::grants_of(&OWNER)
					.into_iter()
					.map(|(id, grant)| (id, grant.owner))
					.collect();
				assert_eq!(listed, vec![(0, OWNER)]);
				assert!(KeyGrants::grants_of(&GRANTEE).is_empty());
			});
		}
	}
}
