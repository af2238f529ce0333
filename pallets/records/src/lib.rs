//! # Record registry pallet
//!
//! Anchors encrypted medical records that live off-chain. The chain stores, per record, a
//! content identifier (CIDv1) of the ciphertext, its digest and size, what kind of record it is,
//! how it is encrypted, which consent policy guards it, who wrote each version and when.
//! **Plaintext never touches the chain**, and erasing a record removes even the CIDs.
//!
//! ## Overview
//!
//! - A **record** belongs to a *subject* (the patient). Its content has *versions*: appending a
//!   version supersedes the previous one, which stays queryable as history. The current
//!   version is stored with the record ([`LiveRecord`]: registering writes one entry, a read
//!   check reads one); [`Versions`] holds the superseded ones.
//! - **Custodians** (hospitals, labs) write records for patients who authorised them, for all
//!   record kinds or listed kinds, until an optional expiry block; the patient may revoke the
//!   authorisation at any time. Anyone else's writes fail with [`Error::NotAuthorized`].
//! - **One record per CID**: every CID anchored by a live version is indexed
//!   ([`ContentAnchors`]), and a CID that is already anchored is refused with
//!   [`Error::CidInUse`]. Without this, an unrelated account could register a record naming a
//!   victim's CID, read the victim's blob as "its" subject, and erase it, making every gateway
//!   delete the victim's data. Gateways ask [`Pallet::content_anchor`] (runtime API) before
//!   deleting a blob.
//! - **Erasure** (subject only) removes every version and its CID from state, leaving a
//!   [`Tombstone`] with the last digest and the erasure block. The [`Event::RecordErased`]
//!   event lists the CIDs so that gateways delete the blobs.
//! - **Policy changes re-seal**: the record's data key is CP-ABE-encrypted under its policy's
//!   text, so [`Pallet::set_policy`] takes the new version sealed under the new policy with it.
//!   The consent pallet counts the live records each policy guards ([`PolicyUse`]: one read
//!   and one write per record naming a policy) and refuses to remove a policy in use.
//! - **Batches**: a custodian registers up to [`Config::MaxBatchSize`] records in one call, or
//!   anchors the Merkle root of a batch uploaded off-chain; inclusion proofs are checked with
//!   [`merkle::verify`] by anyone.
//! - **Deposits**: every stored version, custodian authorisation and batch anchor holds a
//!   deposit from the account that created it (fungible holds, reason [`HoldReason`]); erasing,
//!   revoking or removing releases it. A subject's records are not capped in number: only
//!   the subject and the custodians it authorised (scoped, expiring, revocable) can add
//!   them, each pays a deposit, and they are listed a page of at most [`MAX_PAGE`] at a time.
//!
//! Consent policies belong to the consent pallet: this pallet only counts records in and out
//! of a policy through [`PolicyUse`], which refuses a policy that does not exist. Other
//! pallets read records through [`RecordInspect`], never through this pallet's storage.
//!
//! ## Calls
//!
//! | call | who | what |
//! |---|---|---|
//! | `authorize_custodian` | subject | let a custodian write (scope, expiry) |
//! | `revoke_custodian` | subject | withdraw that permission |
//! | `register_record` | subject or custodian | anchor a new record |
//! | `register_records` | subject or custodian | anchor many records at once |
//! | `append_version` | subject or custodian | anchor new content for a record |
//! | `set_policy` | subject | change the consent policy, with a version sealed under it |
//! | `erase_record` | subject | erase a record, leaving a tombstone |
//! | `anchor_batch` | anyone | anchor a batch's Merkle root |
//! | `remove_anchor` | the anchor's custodian | drop an anchor, releasing its deposit |

#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

pub use pallet::*;
pub use types::*;

#[cfg(feature = "runtime-benchmarks")]
pub mod benchmarking;
pub mod content_id;
pub mod merkle;
pub mod migrations;
#[cfg(test)]
mod mock;
#[cfg(test)]
mod tests;
pub mod types;
pub mod weights;
pub use weights::WeightInfo;

/// The most records (or tombstones) [`Pallet::records_of`] and [`Pallet::tombstones_of`]
/// return at once, whatever `limit` a caller passes: a page is read off-chain, by a runtime
/// API, but still within one call's memory.
pub const MAX_PAGE: u32 = 1_000;

use frame_support::traits::fungible;
pub use sp_core::H256;

/// Balance type of the currency deposits are held in.
pub type BalanceOf<T> =
	<<T as Config>::Currency as fungible::Inspect<<T as frame_system::Config>::AccountId>>::Balance;

/// A live record as stored for runtime `T`.
pub type RecordOf<T> = Record<
	<T as frame_system::Config>::AccountId,
	frame_system::pallet_prelude::BlockNumberFor<T>,
	<T as Config>::PolicyId,
>;
/// A live record with its current version, as stored for runtime `T`.
pub type LiveRecordOf<T> = LiveRecord<
	<T as frame_system::Config>::AccountId,
	BalanceOf<T>,
	frame_system::pallet_prelude::BlockNumberFor<T>,
	<T as Config>::PolicyId,
>;
/// A version as stored for runtime `T`.
pub type VersionOf<T> = Version<
	<T as frame_system::Config>::AccountId,
	BalanceOf<T>,
	frame_system::pallet_prelude::BlockNumberFor<T>,
>;
/// A tombstone as stored for runtime `T`.
pub type TombstoneOf<T> = Tombstone<
	<T as frame_system::Config>::AccountId,
	frame_system::pallet_prelude::BlockNumberFor<T>,
>;
/// A custodian authorisation as stored for runtime `T`.
pub type CustodianAuthorizationOf<T> = CustodianAuthorization<
	BalanceOf<T>,
	frame_system::pallet_prelude::BlockNumberFor<T>,
	<T as Config>::MaxScopeKinds,
>;
/// A custodian scope for runtime `T`.
pub type CustodianScopeOf<T> = CustodianScope<<T as Config>::MaxScopeKinds>;
/// A batch anchor as stored for runtime `T`.
pub type BatchAnchorOf<T> = BatchAnchor<
	<T as frame_system::Config>::AccountId,
	BalanceOf<T>,
	frame_system::pallet_prelude::BlockNumberFor<T>,
>;
/// A record with its history, as answered to queries.
pub type RecordViewOf<T> = RecordView<
	<T as frame_system::Config>::AccountId,
	BalanceOf<T>,
	frame_system::pallet_prelude::BlockNumberFor<T>,
	<T as Config>::PolicyId,
>;
/// A new record as submitted by a writer.
pub type RecordInputOf<T> = RecordInput<<T as Config>::PolicyId>;

/// A record's version deposit as [`Pallet::do_register`] takes it.
pub(crate) enum Deposit<Balance> {
	/// To hold from the writer now.
	Hold(Balance),
	/// Already held from the writer, with the rest of its batch.
	Held(Balance),
}

use medchain_primitives::{decrement_count, next_id};
/// The cross-pallet traits this pallet implements ([`RecordInspect`]) and uses
/// ([`PolicyUse`]), shared through `medchain-primitives`.
pub use medchain_primitives::{PolicyUse, RecordInspect, RecordSummary};

#[frame_support::pallet]
pub mod pallet {
	use super::*;
	use frame_support::{
		pallet_prelude::*,
		traits::{
			fungible::{Mutate, MutateHold},
			tokens::Precision,
		},
	};
	use frame_system::pallet_prelude::*;

	/// The in-code storage version.
	const STORAGE_VERSION: StorageVersion = StorageVersion::new(5);

	#[pallet::pallet]
	#[pallet::storage_version(STORAGE_VERSION)]
	pub struct Pallet<T>(_);

	#[pallet::config]
	pub trait Config: frame_system::Config {
		/// Currency deposits are held in.
		type Currency: MutateHold<Self::AccountId, Reason = Self::RuntimeHoldReason>
			+ Mutate<Self::AccountId>;

		/// The overarching hold reason.
		type RuntimeHoldReason: From<HoldReason>;

		/// Identifier of a consent policy (owned by the consent pallet).
		type PolicyId: Parameter + Member + MaxEncodedLen + Copy + Ord;

		/// Counts the live records each consent policy guards (and knows which exist).
		type Policies: PolicyUse<Self::PolicyId>;

		/// Deposit held for each stored version of a record, from its writer.
		#[pallet::constant]
		type VersionDeposit: Get<BalanceOf<Self>>;

		/// Deposit held for each custodian authorisation, from the patient.
		#[pallet::constant]
		type CustodianDeposit: Get<BalanceOf<Self>>;

		/// Deposit held for each batch anchor, from the custodian.
		#[pallet::constant]
		type AnchorDeposit: Get<BalanceOf<Self>>;

		/// Versions one record may have.
		#[pallet::constant]
		type MaxVersionsPerRecord: Get<u32>;

		/// Custodians one subject may authorise at once.
		#[pallet::constant]
		type MaxCustodiansPerSubject: Get<u32>;

		/// Kinds one custodian scope may list.
		#[pallet::constant]
		type MaxScopeKinds: Get<u32>;

		/// Records one `register_records` call may register.
		#[pallet::constant]
		type MaxBatchSize: Get<u32>;

		/// Batch anchors one account may hold at once.
		#[pallet::constant]
		type MaxAnchorsPerAccount: Get<u32>;

		/// Weights of this pallet's calls, from its benchmarks.
		type WeightInfo: WeightInfo;

		/// Provides a consent policy for benchmarks (policies live in another pallet).
		#[cfg(feature = "runtime-benchmarks")]
		type BenchmarkHelper: benchmarking::BenchmarkHelper<Self::PolicyId>;
	}

	/// Why this pallet holds funds.
	#[pallet::composite_enum]
	pub enum HoldReason {
		/// A stored record version.
		RecordVersion,
		/// A custodian authorisation.
		CustodianAuthorization,
		/// A batch anchor.
		BatchAnchor,
	}

	/// The id the next record gets.
	///
	/// Whitelisted from the benchmarks: every registration reads and writes this one value, but
	/// the database sees at most one read and one write of it a block (the overlay serves the
	/// rest), so that cost is charged once a block in `on_initialize`, not with every
	/// registration (as `frame_system` does for `BlockWeight`, which every extrinsic touches).
	#[pallet::storage]
	#[pallet::whitelist_storage]
	pub type NextRecordId<T> = StorageValue<_, RecordId, ValueQuery>;

	/// Live records, each with its current version. `Twox64Concat`: ids are assigned by the
	/// chain in sequence, so callers cannot choose keys to unbalance the trie.
	#[pallet::storage]
	pub type Records<T: Config> = StorageMap<_, Twox64Concat, RecordId, LiveRecordOf<T>>;

	/// The superseded versions of live records (`1..current_version`; the current one is in
	/// [`Records`]), by record then version number (`Twox64Concat`: both chain-assigned).
	#[pallet::storage]
	pub type Versions<T: Config> =
		StorageDoubleMap<_, Twox64Concat, RecordId, Twox64Concat, VersionNumber, VersionOf<T>>;

	/// The live version anchoring each CID: a CID names at most one live version of one
	/// record. `Blake2_128Concat`: CIDs are chosen by writers.
	#[pallet::storage]
	pub type ContentAnchors<T: Config> =
		StorageMap<_, Blake2_128Concat, ContentId, (RecordId, VersionNumber)>;

	/// What remains of erased records (`Twox64Concat`: chain-assigned ids).
	#[pallet::storage]
	pub type Tombstones<T: Config> = StorageMap<_, Twox64Concat, RecordId, TombstoneOf<T>>;

	/// Index of each subject's live records, for paged listing. `Blake2_128Concat` on the
	/// account: account ids are chosen by users.
	#[pallet::storage]
	pub type SubjectRecords<T: Config> = StorageDoubleMap<
		_,
		Blake2_128Concat,
		T::AccountId,
		Twox64Concat,
		RecordId,
		(),
		OptionQuery,
	>;

	/// Index of each subject's erased records (their [`Tombstones`]), for paged listing: a
	/// patient sees what was erased and when. `Blake2_128Concat` on the account (user-chosen),
	/// `Twox64Concat` on the chain-assigned id.
	#[pallet::storage]
	pub type SubjectTombstones<T: Config> = StorageDoubleMap<
		_,
		Blake2_128Concat,
		T::AccountId,
		Twox64Concat,
		RecordId,
		(),
		OptionQuery,
	>;

	/// Custodian authorisations: subject, then custodian (both user-chosen: `Blake2_128Concat`).
	#[pallet::storage]
	pub type Custodians<T: Config> = StorageDoubleMap<
		_,
		Blake2_128Concat,
		T::AccountId,
		Blake2_128Concat,
		T::AccountId,
		CustodianAuthorizationOf<T>,
	>;

	/// Number of custodians each subject has authorised.
	#[pallet::storage]
	pub type CustodianCount<T: Config> =
		StorageMap<_, Blake2_128Concat, T::AccountId, u32, ValueQuery>;

	/// The id the next batch anchor gets.
	#[pallet::storage]
	pub type NextAnchorId<T> = StorageValue<_, AnchorId, ValueQuery>;

	/// Batch anchors (`Twox64Concat`: chain-assigned ids).
	#[pallet::storage]
	pub type Anchors<T: Config> = StorageMap<_, Twox64Concat, AnchorId, BatchAnchorOf<T>>;

	/// Number of anchors each account holds.
	#[pallet::storage]
	pub type AnchorCount<T: Config> =
		StorageMap<_, Blake2_128Concat, T::AccountId, u32, ValueQuery>;

	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// `subject` authorised `custodian` to write its records.
		CustodianAuthorized {
			/// The record's subject (the patient).
			subject: T::AccountId,
			/// The custodian (the writer).
			custodian: T::AccountId,
			/// What it covers.
			scope: CustodianScopeOf<T>,
			/// The block it ends at (exclusive; `None`: no end).
			expires_at: Option<BlockNumberFor<T>>,
		},
		/// `subject` revoked `custodian`'s authorisation.
		CustodianRevoked {
			/// The record's subject (the patient).
			subject: T::AccountId,
			/// The custodian (the writer).
			custodian: T::AccountId,
		},
		/// A record was registered with its first version.
		RecordRegistered {
			/// The record.
			record: RecordId,
			/// The record's subject (the patient).
			subject: T::AccountId,
			/// The custodian (the writer).
			custodian: T::AccountId,
			/// The record kind.
			kind: RecordKind,
			/// The binary CID.
			cid: ContentId,
			/// The content's sha2-256.
			digest: H256,
			/// The consent policy.
			policy: Option<T::PolicyId>,
		},
		/// A new version of `record` was anchored; the previous one is superseded.
		VersionAppended {
			/// The record.
			record: RecordId,
			/// The version.
			version: VersionNumber,
			/// The custodian (the writer).
			custodian: T::AccountId,
			/// The binary CID.
			cid: ContentId,
			/// The content's sha2-256.
			digest: H256,
		},
		/// The consent policy guarding `record` changed; `version` is the new content sealed
		/// under it.
		PolicyChanged {
			/// The version.
			version: VersionNumber,
			/// The record.
			record: RecordId,
			/// The consent policy.
			policy: Option<T::PolicyId>,
		},
		/// `record` was erased. Gateways delete the blobs named by `cids`.
		RecordErased {
			/// The record.
			record: RecordId,
			/// The record's subject (the patient).
			subject: T::AccountId,
			/// Every CID gateways must delete.
			cids: BoundedVec<ContentId, T::MaxVersionsPerRecord>,
		},
		/// A batch's Merkle root was anchored.
		BatchAnchored {
			/// The batch anchor.
			anchor: AnchorId,
			/// The custodian (the writer).
			custodian: T::AccountId,
			/// The batch's Merkle root.
			root: H256,
			/// How many records the batch holds.
			leaf_count: u32,
		},
		/// A batch anchor was removed by its custodian.
		AnchorRemoved {
			/// The batch anchor.
			anchor: AnchorId,
			/// The custodian (the writer).
			custodian: T::AccountId,
		},
	}

	#[pallet::error]
	pub enum Error<T> {
		/// The content reference is not a well-formed binary CID.
		MalformedCid,
		/// The CID is version 0; only CIDv1 is accepted.
		CidNotVersion1,
		/// The CID's codec is neither `raw` nor `dag-pb`.
		UnsupportedCidCodec,
		/// The CID's multihash is not a 32-byte sha2-256.
		UnsupportedMultihash,
		/// The ciphertext size is zero.
		EmptyContent,
		/// The record kind is empty or has characters other than ASCII letters and digits,
		/// or does not start with a letter.
		InvalidKind,
		/// The consent policy does not exist.
		PolicyNotFound,
		/// No live record has this id.
		RecordNotFound,
		/// The record was erased.
		RecordErased,
		/// Only the record's subject may do this.
		NotSubject,
		/// The caller is neither the subject nor a custodian the subject authorised.
		NotAuthorized,
		/// The caller's custodian authorisation has expired.
		AuthorizationExpired,
		/// The caller's custodian authorisation does not cover this record kind.
		KindNotInScope,
		/// The record has the maximum number of versions.
		TooManyVersions,
		/// The subject has authorised the maximum number of custodians.
		TooManyCustodians,
		/// The account holds the maximum number of batch anchors.
		TooManyAnchors,
		/// The subject has not authorised this custodian.
		CustodianNotFound,
		/// An account cannot be its own custodian: it may always write its own records.
		CannotAuthorizeSelf,
		/// The expiry block has already passed.
		ExpiryInPast,
		/// A custodian scope listing kinds must list at least one.
		EmptyScope,
		/// A batch must hold at least one record or leaf.
		EmptyBatch,
		/// No batch anchor has this id.
		AnchorNotFound,
		/// Only the custodian that anchored a batch may remove it.
		NotAnchorOwner,
		/// The account cannot afford the deposit.
		InsufficientDeposit,
		/// An id counter reached its maximum.
		IdOverflow,
		/// The CID is already anchored by a live version (of this or another record). Each
		/// version is a fresh encryption, so its CID is new; reusing one would let an erasure
		/// of one record delete another's blob.
		CidInUse,
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		/// Charges the block's one database read and write of [`NextRecordId`], which the
		/// registration weights leave out (see there).
		fn on_initialize(_n: BlockNumberFor<T>) -> Weight {
			T::DbWeight::get().reads_writes(1, 1)
		}

		#[cfg(feature = "try-runtime")]
		fn try_state(_n: BlockNumberFor<T>) -> Result<(), sp_runtime::TryRuntimeError> {
			Self::do_try_state()
		}
	}

	#[pallet::call]
	impl<T: Config> Pallet<T> {
		/// Authorise `custodian` to write the caller's records of the kinds in `scope` until
		/// block `expires_at` (exclusive; `None`: until revoked). Authorising an already
		/// authorised custodian replaces its scope and expiry. Holds
		/// [`Config::CustodianDeposit`] from the caller for a new authorisation.
		///
		/// # Events
		/// [`Event::CustodianAuthorized`].
		///
		/// # Errors
		/// - [`Error::CannotAuthorizeSelf`]: `custodian` is the caller.
		/// - [`Error::EmptyScope`]: `Kinds` with no kind.
		/// - [`Error::InvalidKind`]: a kind in `scope` is not a valid kind.
		/// - [`Error::ExpiryInPast`]: `expires_at` is not after the current block.
		/// - [`Error::TooManyCustodians`]: the caller has [`Config::MaxCustodiansPerSubject`] custodians.
		/// - [`Error::InsufficientDeposit`]: the caller cannot hold the deposit.
		#[pallet::call_index(0)]
		#[pallet::weight(T::WeightInfo::authorize_custodian())]
		pub fn authorize_custodian(
			origin: OriginFor<T>,
			custodian: T::AccountId,
			scope: CustodianScopeOf<T>,
			expires_at: Option<BlockNumberFor<T>>,
		) -> DispatchResult {
			let subject = ensure_signed(origin)?;
			ensure!(subject != custodian, Error::<T>::CannotAuthorizeSelf);
			if let CustodianScope::Kinds(kinds) = &scope {
				ensure!(!kinds.is_empty(), Error::<T>::EmptyScope);
				for kind in kinds.iter() {
					Self::ensure_valid_kind(kind)?;
				}
			}
			let now = frame_system::Pallet::<T>::block_number();
			if let Some(expiry) = expires_at {
				ensure!(expiry > now, Error::<T>::ExpiryInPast);
			}

			let deposit = match Custodians::<T>::get(&subject, &custodian) {
				Some(existing) => existing.deposit,
				None => {
					let count = CustodianCount::<T>::get(&subject);
					ensure!(
						count < T::MaxCustodiansPerSubject::get(),
						Error::<T>::TooManyCustodians
					);
					let deposit = T::CustodianDeposit::get();
					Self::hold(&HoldReason::CustodianAuthorization, &subject, deposit)?;
					CustodianCount::<T>::insert(&subject, count.saturating_add(1));
					deposit
				}
			};
			Custodians::<T>::insert(
				&subject,
				&custodian,
				CustodianAuthorization {
					scope: scope.clone(),
					expires_at,
					deposit,
					authorized_at: now,
				},
			);
			Self::deposit_event(Event::CustodianAuthorized {
				subject,
				custodian,
				scope,
				expires_at,
			});
			Ok(())
		}

		/// Withdraw `custodian`'s authorisation to write the caller's records, releasing its
		/// deposit. Records it already wrote stay.
		///
		/// # Events
		/// [`Event::CustodianRevoked`].
		///
		/// # Errors
		/// - [`Error::CustodianNotFound`]: `custodian` is not authorised by the caller.
		#[pallet::call_index(1)]
		#[pallet::weight(T::WeightInfo::revoke_custodian())]
		pub fn revoke_custodian(origin: OriginFor<T>, custodian: T::AccountId) -> DispatchResult {
			let subject = ensure_signed(origin)?;
			let authorization =
				Custodians::<T>::take(&subject, &custodian).ok_or(Error::<T>::CustodianNotFound)?;
			CustodianCount::<T>::mutate_exists(&subject, decrement_count);
			Self::release(
				&HoldReason::CustodianAuthorization,
				&subject,
				authorization.deposit,
			);
			Self::deposit_event(Event::CustodianRevoked { subject, custodian });
			Ok(())
		}

		/// Register a record about `subject` with its first version. The caller must be the
		/// subject or a custodian authorised for the record's kind; it pays the version deposit.
		///
		/// # Events
		/// [`Event::RecordRegistered`].
		///
		/// # Errors
		/// - [`Error::InvalidKind`]: the kind is not a valid kind.
		/// - [`Error::NotAuthorized`]: the caller is neither the subject nor its custodian.
		/// - [`Error::AuthorizationExpired`]: the custodian's authorisation has expired.
		/// - [`Error::KindNotInScope`]: the custodian is not authorised for this kind.
		/// - [`Error::MalformedCid`], [`Error::CidNotVersion1`], [`Error::UnsupportedCidCodec`],
		///   [`Error::UnsupportedMultihash`]: the CID is not a CIDv1 (raw or dag-pb, sha2-256).
		/// - [`Error::EmptyContent`]: `size` is 0.
		/// - [`Error::CidInUse`]: a live version of any record already anchors this CID.
		/// - [`Error::PolicyNotFound`]: the named policy does not exist.
		/// - [`Error::InsufficientDeposit`]: the caller cannot hold the version deposit.
		/// - [`Error::IdOverflow`]: record ids are exhausted.
		///
		/// # Weight
		/// Charged up front as written by a custodian (whose authorisation is read and whose
		/// scope is checked), with or without a policy as the record has; a subject registering
		/// its own record is refunded to [`WeightInfo::register_own_record`] (or
		/// [`WeightInfo::register_own_record_without_policy`]).
		#[pallet::call_index(2)]
		#[pallet::weight(Pallet::<T>::register_weight(record.policy.is_some(), false))]
		pub fn register_record(
			origin: OriginFor<T>,
			subject: T::AccountId,
			record: RecordInputOf<T>,
		) -> DispatchResultWithPostInfo {
			let writer = ensure_signed(origin)?;
			let own = writer == subject;
			let deposit = Deposit::Hold(T::VersionDeposit::get());
			let with_policy = record.policy.is_some();
			Self::do_register(&writer, subject, record, deposit)?;
			Ok(own.then(|| Self::register_weight(with_policy, true)).into())
		}

		/// Register several records, each about its own subject, in one call: all or none.
		/// The caller pays every record's version deposit, held at once.
		///
		/// # Events
		/// [`Event::RecordRegistered`] for each record.
		///
		/// # Errors
		/// - [`Error::EmptyBatch`]: no records.
		/// - [`Error::InsufficientDeposit`]: the caller cannot hold the deposits of all records
		///   (checked before the records).
		/// - any other error of [`Pallet::register_record`], for the first record that fails
		///   (nothing is registered then).
		///
		/// # Weight
		/// Linear in the records without a policy and the records with one (each counted as
		/// its own policy, the worst case).
		#[pallet::call_index(3)]
		#[pallet::weight({
			let with_policy = records.iter().filter(|(_, r)| r.policy.is_some()).count() as u32;
			let without = (records.len() as u32).saturating_sub(with_policy);
			T::WeightInfo::register_records(without, with_policy)
		})]
		pub fn register_records(
			origin: OriginFor<T>,
			records: BoundedVec<(T::AccountId, RecordInputOf<T>), T::MaxBatchSize>,
		) -> DispatchResult {
			let writer = ensure_signed(origin)?;
			ensure!(!records.is_empty(), Error::<T>::EmptyBatch);
			// One hold for the batch: one balance update and one `Held` event, not one per record.
			use sp_runtime::Saturating;
			let deposit = T::VersionDeposit::get();
			let count = BalanceOf::<T>::from(records.len() as u32);
			Self::hold(
				&HoldReason::RecordVersion,
				&writer,
				deposit.saturating_mul(count),
			)?;
			for (subject, record) in records {
				Self::do_register(&writer, subject, record, Deposit::Held(deposit))?;
			}
			Ok(())
		}

		/// Anchor new content for `record`; the current version becomes superseded and stays
		/// as history. Same authorisation and deposit as registering.
		///
		/// # Events
		/// [`Event::VersionAppended`].
		///
		/// # Errors
		/// - [`Error::RecordNotFound`] / [`Error::RecordErased`]: no live record `record`.
		/// - [`Error::NotAuthorized`]: the caller is neither the subject nor its custodian.
		/// - [`Error::AuthorizationExpired`]: the custodian's authorisation has expired.
		/// - [`Error::KindNotInScope`]: the custodian is not authorised for this kind.
		/// - [`Error::MalformedCid`], [`Error::CidNotVersion1`], [`Error::UnsupportedCidCodec`],
		///   [`Error::UnsupportedMultihash`]: the CID is not a CIDv1 (raw or dag-pb, sha2-256).
		/// - [`Error::EmptyContent`]: `size` is 0.
		/// - [`Error::CidInUse`]: a live version of any record already anchors this CID.
		/// - [`Error::TooManyVersions`]: the record has [`Config::MaxVersionsPerRecord`] versions.
		/// - [`Error::InsufficientDeposit`]: the caller cannot hold the version deposit.
		/// - [`Error::IdOverflow`]: the record's version numbers are exhausted.
		#[pallet::call_index(4)]
		#[pallet::weight(T::WeightInfo::append_version())]
		pub fn append_version(
			origin: OriginFor<T>,
			record: RecordId,
			content: ContentInput,
		) -> DispatchResult {
			let writer = ensure_signed(origin)?;
			let mut stored = Self::live_record(record)?;
			let now = frame_system::Pallet::<T>::block_number();
			Self::ensure_can_write(&writer, &stored.record.subject, &stored.record.kind, now)?;
			Self::do_append(&writer, record, &mut stored, content, now)?;
			Records::<T>::insert(record, stored);
			Ok(())
		}

		/// Change the consent policy guarding `record` (`None`: no policy) and anchor
		/// `content`, the record re-sealed under the new policy's text, as its new version.
		/// Subject only; the subject pays the version deposit.
		///
		/// The record's data key is CP-ABE-encrypted under its policy, so a policy change
		/// without new content would leave the chain evaluating one policy while the
		/// ciphertext stays readable under the old one. Gateways serve only the current
		/// version, so readers the new policy excludes get nothing from the old one.
		///
		/// # Events
		/// [`Event::VersionAppended`], then [`Event::PolicyChanged`].
		///
		/// # Errors
		/// - [`Error::RecordNotFound`] / [`Error::RecordErased`]: no live record `record`.
		/// - [`Error::NotSubject`]: the caller is not the record's subject.
		/// - [`Error::PolicyNotFound`]: `policy` does not exist.
		/// - the content errors of [`Pallet::append_version`], [`Error::CidInUse`] and
		///   [`Error::TooManyVersions`] among them.
		#[pallet::call_index(5)]
		#[pallet::weight(T::WeightInfo::set_policy())]
		pub fn set_policy(
			origin: OriginFor<T>,
			record: RecordId,
			policy: Option<T::PolicyId>,
			content: ContentInput,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			let mut stored = Self::live_record(record)?;
			ensure!(stored.record.subject == who, Error::<T>::NotSubject);
			let now = frame_system::Pallet::<T>::block_number();
			let version = Self::do_append(&who, record, &mut stored, content, now)?;
			Self::acquire_policy(policy.as_ref())?;
			Self::release_policy(stored.record.policy.as_ref());
			stored.record.policy = policy;
			Records::<T>::insert(record, stored);
			Self::deposit_event(Event::PolicyChanged {
				version,
				record,
				policy,
			});
			Ok(())
		}

		/// Erase `record`: every version and its CID leave state, deposits go back to the
		/// writers, and a tombstone keeps the last digest and the erasure block. Subject only.
		///
		/// # Events
		/// [`Event::RecordErased`], naming every CID gateways must delete.
		///
		/// # Errors
		/// - [`Error::RecordNotFound`] / [`Error::RecordErased`]: no live record `record`.
		/// - [`Error::NotSubject`]: the caller is not the record's subject.
		#[pallet::call_index(6)]
		#[pallet::weight(T::WeightInfo::erase_record(T::MaxVersionsPerRecord::get()))]
		pub fn erase_record(origin: OriginFor<T>, record: RecordId) -> DispatchResultWithPostInfo {
			let who = ensure_signed(origin)?;
			let LiveRecord {
				record: stored,
				head,
			} = Self::live_record(record)?;
			ensure!(stored.subject == who, Error::<T>::NotSubject);

			let mut cids = BoundedVec::<ContentId, T::MaxVersionsPerRecord>::new();
			let last_digest = head.digest;
			let history = Versions::<T>::drain_prefix(record).map(|(_, version)| version);
			for version in history.chain(core::iter::once(head)) {
				Self::release(
					&HoldReason::RecordVersion,
					&version.custodian,
					version.deposit,
				);
				ContentAnchors::<T>::remove(&version.cid);
				// Versions per record are bounded by `MaxVersionsPerRecord`, so this cannot fail.
				let _ = cids.try_push(version.cid);
			}
			Records::<T>::remove(record);
			Self::release_policy(stored.policy.as_ref());
			SubjectRecords::<T>::remove(&who, record);
			SubjectTombstones::<T>::insert(&who, record, ());
			Tombstones::<T>::insert(
				record,
				Tombstone {
					subject: who.clone(),
					digest: last_digest,
					versions: stored.current_version,
					erased_at: frame_system::Pallet::<T>::block_number(),
				},
			);
			let erased = stored.current_version;
			Self::deposit_event(Event::RecordErased {
				record,
				subject: who,
				cids,
			});
			Ok(Some(T::WeightInfo::erase_record(erased)).into())
		}

		/// Anchor the Merkle root of a batch of `leaf_count` records uploaded off-chain.
		/// Holds [`Config::AnchorDeposit`] from the caller.
		///
		/// # Events
		/// [`Event::BatchAnchored`].
		///
		/// # Errors
		/// - [`Error::EmptyBatch`]: `leaf_count` is 0.
		/// - [`Error::TooManyAnchors`]: the caller has [`Config::MaxAnchorsPerAccount`] anchors.
		/// - [`Error::InsufficientDeposit`]: the caller cannot hold the deposit.
		/// - [`Error::IdOverflow`]: anchor ids are exhausted.
		#[pallet::call_index(7)]
		#[pallet::weight(T::WeightInfo::anchor_batch())]
		pub fn anchor_batch(origin: OriginFor<T>, root: H256, leaf_count: u32) -> DispatchResult {
			let custodian = ensure_signed(origin)?;
			ensure!(leaf_count > 0, Error::<T>::EmptyBatch);
			let count = AnchorCount::<T>::get(&custodian);
			ensure!(
				count < T::MaxAnchorsPerAccount::get(),
				Error::<T>::TooManyAnchors
			);
			let anchor =
				NextAnchorId::<T>::try_mutate(next_id).map_err(|_| Error::<T>::IdOverflow)?;
			let deposit = T::AnchorDeposit::get();
			Self::hold(&HoldReason::BatchAnchor, &custodian, deposit)?;

			AnchorCount::<T>::insert(&custodian, count.saturating_add(1));
			Anchors::<T>::insert(
				anchor,
				BatchAnchor {
					custodian: custodian.clone(),
					root,
					leaf_count,
					deposit,
					anchored_at: frame_system::Pallet::<T>::block_number(),
				},
			);
			Self::deposit_event(Event::BatchAnchored {
				anchor,
				custodian,
				root,
				leaf_count,
			});
			Ok(())
		}

		/// Remove a batch anchor the caller made, releasing its deposit. The anchoring event
		/// stays in the chain's history.
		///
		/// # Events
		/// [`Event::AnchorRemoved`].
		///
		/// # Errors
		/// - [`Error::AnchorNotFound`]: no anchor `anchor`.
		/// - [`Error::NotAnchorOwner`]: the caller did not make it.
		#[pallet::call_index(8)]
		#[pallet::weight(T::WeightInfo::remove_anchor())]
		pub fn remove_anchor(origin: OriginFor<T>, anchor: AnchorId) -> DispatchResult {
			let who = ensure_signed(origin)?;
			let stored = Anchors::<T>::get(anchor).ok_or(Error::<T>::AnchorNotFound)?;
			ensure!(stored.custodian == who, Error::<T>::NotAnchorOwner);
			Anchors::<T>::remove(anchor);
			AnchorCount::<T>::mutate_exists(&who, decrement_count);
			Self::release(&HoldReason::BatchAnchor, &who, stored.deposit);
			Self::deposit_event(Event::AnchorRemoved {
				anchor,
				custodian: who,
			});
			Ok(())
		}
	}

	impl<T: Config> Pallet<T> {
		/// The weight of [`Pallet::register_record`]: for a record with a policy or without, by
		/// the subject itself (`own`) or, the most it can be, by a custodian.
		pub fn register_weight(with_policy: bool, own: bool) -> Weight {
			match (with_policy, own) {
				(true, true) => T::WeightInfo::register_own_record(),
				(false, true) => T::WeightInfo::register_own_record_without_policy(),
				(true, false) => {
					T::WeightInfo::register_record().max(T::WeightInfo::register_own_record())
				}
				(false, false) => T::WeightInfo::register_record_without_policy()
					.max(T::WeightInfo::register_own_record_without_policy()),
			}
		}

		/// Registers one record; shared by the single and batch calls. `deposit` is the
		/// version deposit, held here ([`Deposit::Hold`]) or already held for a whole batch.
		pub(crate) fn do_register(
			writer: &T::AccountId,
			subject: T::AccountId,
			input: RecordInputOf<T>,
			deposit: Deposit<BalanceOf<T>>,
		) -> Result<RecordId, DispatchError> {
			let now = frame_system::Pallet::<T>::block_number();
			Self::ensure_valid_kind(&input.kind)?;
			Self::ensure_can_write(writer, &subject, &input.kind, now)?;
			Self::ensure_valid_content(&input.content)?;
			Self::ensure_cid_free(&input.content.cid)?;
			Self::acquire_policy(input.policy.as_ref())?;
			let record =
				NextRecordId::<T>::try_mutate(next_id).map_err(|_| Error::<T>::IdOverflow)?;
			let deposit = match deposit {
				Deposit::Hold(amount) => {
					Self::hold(&HoldReason::RecordVersion, writer, amount)?;
					amount
				}
				Deposit::Held(amount) => amount,
			};

			SubjectRecords::<T>::insert(&subject, record, ());
			let RecordInput {
				content,
				kind,
				policy,
			} = input;
			ContentAnchors::<T>::insert(&content.cid, (record, 1));
			Records::<T>::insert(
				record,
				LiveRecord {
					record: Record {
						subject: subject.clone(),
						kind: kind.clone(),
						policy,
						created_at: now,
						updated_at: now,
						current_version: 1,
					},
					head: Version::active(&content, writer.clone(), deposit, now, None),
				},
			);
			Self::deposit_event(Event::RecordRegistered {
				record,
				subject,
				custodian: writer.clone(),
				kind,
				cid: content.cid,
				digest: content.digest,
				policy,
			});
			Ok(record)
		}

		/// Anchors `content` as the new current version of `record` (whose stored value is
		/// `stored`, updated here; the caller writes it back), written by `writer`, who pays
		/// the deposit; the version it replaces moves to [`Versions`]. Returns the new
		/// version's number.
		fn do_append(
			writer: &T::AccountId,
			record: RecordId,
			stored: &mut LiveRecordOf<T>,
			content: ContentInput,
			now: BlockNumberFor<T>,
		) -> Result<VersionNumber, DispatchError> {
			Self::ensure_valid_content(&content)?;
			Self::ensure_cid_free(&content.cid)?;
			ensure!(
				stored.record.current_version < T::MaxVersionsPerRecord::get(),
				Error::<T>::TooManyVersions
			);
			let previous = stored.record.current_version;
			let version = previous.checked_add(1).ok_or(Error::<T>::IdOverflow)?;
			let deposit = T::VersionDeposit::get();
			Self::hold(&HoldReason::RecordVersion, writer, deposit)?;

			ContentAnchors::<T>::insert(&content.cid, (record, version));
			let mut superseded = core::mem::replace(
				&mut stored.head,
				Version::active(&content, writer.clone(), deposit, now, Some(previous)),
			);
			superseded.status = VersionStatus::Superseded;
			Versions::<T>::insert(record, previous, superseded);
			stored.record.current_version = version;
			stored.record.updated_at = now;
			Self::deposit_event(Event::VersionAppended {
				record,
				version,
				custodian: writer.clone(),
				cid: content.cid,
				digest: content.digest,
			});
			Ok(version)
		}

		/// Refuses a CID that a live version already anchors.
		fn ensure_cid_free(cid: &ContentId) -> DispatchResult {
			ensure!(
				!ContentAnchors::<T>::contains_key(cid),
				Error::<T>::CidInUse
			);
			Ok(())
		}

		/// Counts one more live record guarded by `policy` (if any), which must exist.
		fn acquire_policy(policy: Option<&T::PolicyId>) -> DispatchResult {
			if let Some(policy) = policy {
				ensure!(T::Policies::acquire(policy), Error::<T>::PolicyNotFound);
			}
			Ok(())
		}

		/// Counts one live record fewer guarded by `policy` (if any).
		fn release_policy(policy: Option<&T::PolicyId>) {
			if let Some(policy) = policy {
				T::Policies::release(policy);
			}
		}

		/// The live record and version whose content is `cid`, if any. Gateways ask this
		/// before deleting a blob: a blob is deleted only when no live version names it.
		pub fn content_anchor(cid: &[u8]) -> Option<(RecordId, VersionNumber)> {
			let cid = ContentId::try_from(cid.to_vec()).ok()?;
			ContentAnchors::<T>::get(cid)
		}

		/// Whether `writer` may write some of `subject`'s records now: the subject itself, or
		/// a custodian whose authorisation has not expired (its kinds are checked when a record
		/// is registered). What gateways ask before accepting an upload.
		pub fn may_write(writer: &T::AccountId, subject: &T::AccountId) -> bool {
			let now = frame_system::Pallet::<T>::block_number();
			writer == subject
				|| Custodians::<T>::get(subject, writer)
					.is_some_and(|a| a.expires_at.is_none_or(|expiry| now < expiry))
		}

		/// The live record `id`, or why there is none.
		fn live_record(id: RecordId) -> Result<LiveRecordOf<T>, DispatchError> {
			match Records::<T>::get(id) {
				Some(record) => Ok(record),
				None if Tombstones::<T>::contains_key(id) => Err(Error::<T>::RecordErased.into()),
				None => Err(Error::<T>::RecordNotFound.into()),
			}
		}

		/// `writer` may write `subject`'s records of `kind` at block `now`.
		pub fn ensure_can_write(
			writer: &T::AccountId,
			subject: &T::AccountId,
			kind: &RecordKind,
			now: BlockNumberFor<T>,
		) -> DispatchResult {
			if writer == subject {
				return Ok(());
			}
			let authorization =
				Custodians::<T>::get(subject, writer).ok_or(Error::<T>::NotAuthorized)?;
			if let Some(expiry) = authorization.expires_at {
				ensure!(now < expiry, Error::<T>::AuthorizationExpired);
			}
			ensure!(authorization.scope.covers(kind), Error::<T>::KindNotInScope);
			Ok(())
		}

		fn ensure_valid_kind(kind: &RecordKind) -> DispatchResult {
			let valid = kind
				.first()
				.is_some_and(|first| first.is_ascii_alphabetic())
				&& kind.iter().all(|c| c.is_ascii_alphanumeric());
			ensure!(valid, Error::<T>::InvalidKind);
			Ok(())
		}

		fn ensure_valid_content(content: &ContentInput) -> DispatchResult {
			use crate::content_id::CidError;
			content_id::validate(&content.cid).map_err(|e| match e {
				CidError::Malformed => Error::<T>::MalformedCid,
				CidError::NotVersion1 => Error::<T>::CidNotVersion1,
				CidError::UnsupportedCodec => Error::<T>::UnsupportedCidCodec,
				CidError::UnsupportedMultihash => Error::<T>::UnsupportedMultihash,
			})?;
			ensure!(content.size > 0, Error::<T>::EmptyContent);
			Ok(())
		}

		fn hold(reason: &HoldReason, who: &T::AccountId, amount: BalanceOf<T>) -> DispatchResult {
			T::Currency::hold(&(*reason).into(), who, amount)
				.map_err(|_| Error::<T>::InsufficientDeposit.into())
		}

		fn release(reason: &HoldReason, who: &T::AccountId, amount: BalanceOf<T>) {
			// Best effort: a deposit can only be less than recorded if it was slashed, and the
			// remainder must still go back.
			let _ = T::Currency::release(&(*reason).into(), who, amount, Precision::BestEffort);
		}

		/// Up to `limit` (at most [`MAX_PAGE`]) of `subject`'s live records, after record
		/// `start_after` in storage order (pass the last id of the previous page to continue).
		pub fn records_of(
			subject: &T::AccountId,
			start_after: Option<RecordId>,
			limit: u32,
		) -> alloc::vec::Vec<(RecordId, RecordOf<T>)> {
			let ids = match start_after {
				Some(last) => SubjectRecords::<T>::iter_key_prefix_from(
					subject,
					SubjectRecords::<T>::hashed_key_for(subject, last),
				),
				None => SubjectRecords::<T>::iter_key_prefix(subject),
			};
			ids.filter_map(|id| Records::<T>::get(id).map(|stored| (id, stored.record)))
				.take(limit.min(MAX_PAGE) as usize)
				.collect()
		}

		/// Up to `limit` (at most [`MAX_PAGE`]) of `subject`'s erased records with their
		/// tombstones, after record `start_after` in storage order (pass the last id of the
		/// previous page to continue).
		pub fn tombstones_of(
			subject: &T::AccountId,
			start_after: Option<RecordId>,
			limit: u32,
		) -> alloc::vec::Vec<(RecordId, TombstoneOf<T>)> {
			let ids = match start_after {
				Some(last) => SubjectTombstones::<T>::iter_key_prefix_from(
					subject,
					SubjectTombstones::<T>::hashed_key_for(subject, last),
				),
				None => SubjectTombstones::<T>::iter_key_prefix(subject),
			};
			ids.filter_map(|id| Tombstones::<T>::get(id).map(|tombstone| (id, tombstone)))
				.take(limit.min(MAX_PAGE) as usize)
				.collect()
		}

		/// Record `id` with all its versions, oldest first, or its tombstone.
		pub fn record_view(id: RecordId) -> Option<RecordViewOf<T>> {
			if let Some(LiveRecord { record, head }) = Records::<T>::get(id) {
				let versions = (1..record.current_version)
					.filter_map(|number| Versions::<T>::get(id, number))
					.chain(core::iter::once(head))
					.collect();
				return Some(RecordView::Live { record, versions });
			}
			Tombstones::<T>::get(id).map(RecordView::Erased)
		}

		/// Checks the storage invariants; run by `try-runtime` and after every unit test.
		#[cfg(any(feature = "try-runtime", test))]
		pub fn do_try_state() -> Result<(), sp_runtime::TryRuntimeError> {
			use alloc::collections::btree_map::BTreeMap;
			let next_record = NextRecordId::<T>::get();
			let mut users_per_policy = BTreeMap::<T::PolicyId, u32>::new();
			let mut anchored = 0usize;
			for (id, LiveRecord { record, head }) in Records::<T>::iter() {
				ensure!(id < next_record, "record id not below NextRecordId");
				ensure!(
					!Tombstones::<T>::contains_key(id),
					"record both live and erased"
				);
				ensure!(
					SubjectRecords::<T>::contains_key(&record.subject, id),
					"live record missing from its subject's index"
				);
				ensure!(
					record.current_version >= 1
						&& record.current_version <= T::MaxVersionsPerRecord::get(),
					"current version out of range"
				);
				let mut superseded = 0u32;
				let history = Versions::<T>::iter_prefix(id)
					.map(|(number, version)| (number, version, VersionStatus::Superseded));
				let current = (record.current_version, head, VersionStatus::Active);
				for (number, version, expected) in history.chain(core::iter::once(current)) {
					ensure!(
						number >= 1 && number <= record.current_version,
						"version out of range"
					);
					if expected == VersionStatus::Superseded {
						ensure!(
							number < record.current_version,
							"the current version is also stored as history"
						);
						superseded += 1;
					}
					ensure!(version.status == expected, "wrong version status");
					ensure!(
						content_id::validate(&version.cid).is_ok(),
						"stored CID is invalid"
					);
					ensure!(
						ContentAnchors::<T>::get(&version.cid) == Some((id, number)),
						"a live version's CID is not indexed to it"
					);
					anchored = anchored.saturating_add(1);
				}
				ensure!(
					superseded == record.current_version.saturating_sub(1),
					"missing superseded versions"
				);
				if let Some(policy) = record.policy {
					*users_per_policy.entry(policy).or_default() += 1;
				}
			}
			ensure!(
				ContentAnchors::<T>::iter().count() == anchored,
				"a CID is indexed without a live version"
			);
			// The consent pallet keeps the counts; each policy a live record names must count
			// exactly the live records naming it.
			for (policy, users) in users_per_policy {
				ensure!(
					T::Policies::users(&policy) == Some(users),
					"policy user count does not match live records"
				);
			}
			for (id, tombstone) in Tombstones::<T>::iter() {
				ensure!(id < next_record, "tombstone id not below NextRecordId");
				ensure!(
					SubjectTombstones::<T>::contains_key(&tombstone.subject, id),
					"tombstone missing from its subject's index"
				);
				ensure!(
					Versions::<T>::iter_prefix(id).next().is_none(),
					"an erased record still has versions (and CIDs)"
				);
			}
			for (subject, id, ()) in SubjectTombstones::<T>::iter() {
				ensure!(
					Tombstones::<T>::get(id).is_some_and(|tombstone| tombstone.subject == subject),
					"erasure index entry without a tombstone of that subject"
				);
			}
			for (subject, id, ()) in SubjectRecords::<T>::iter() {
				ensure!(
					Records::<T>::get(id).is_some_and(|stored| stored.record.subject == subject),
					"index entry without a live record of that subject"
				);
			}
			for (subject, count) in CustodianCount::<T>::iter() {
				ensure!(
					Custodians::<T>::iter_prefix(&subject).count() as u32 == count,
					"custodian count does not match authorisations"
				);
			}
			let next_anchor = NextAnchorId::<T>::get();
			let mut anchors_per_account = BTreeMap::<T::AccountId, u32>::new();
			for (id, anchor) in Anchors::<T>::iter() {
				ensure!(id < next_anchor, "anchor id not below NextAnchorId");
				*anchors_per_account.entry(anchor.custodian).or_default() += 1;
			}
			for (account, count) in AnchorCount::<T>::iter() {
				ensure!(
					anchors_per_account.get(&account).copied().unwrap_or(0) == count,
					"anchor count does not match anchors"
				);
			}
			Ok(())
		}
	}
}

impl<T: Config> RecordInspect<T::AccountId, T::PolicyId> for Pallet<T> {
	fn record(id: RecordId) -> Option<RecordSummary<T::AccountId, T::PolicyId>> {
		Records::<T>::get(id).map(|stored| RecordSummary {
			subject: stored.record.subject,
			kind: stored.record.kind,
			policy: stored.record.policy,
		})
	}
}
