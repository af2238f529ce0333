//! # Key-grants pallet
//!
//! The public lifecycle of proxy re-encryption (Umbral, threshold m-of-n): a patient delegates
//! decryption of their records to a grantee through proxies that each hold one key fragment.
//! The chain holds who may do what and until when, and the evidence of what proxies did; the
//! cryptography happens off-chain (see the MedChain client and gateway).
//!
//! ## Overview
//!
//! - **PRE keys**: every owner and grantee publishes an Umbral public key and the verifying key
//!   it signs key fragments with ([`Pallet::register_pre_keys`]), holding
//!   [`Config::PreKeysDeposit`] until it removes them ([`Pallet::remove_pre_keys`]);
//!   re-registering rotates them and is counted and announced.
//! - **Proxies** register with their Umbral public key and endpoint and hold
//!   [`Config::ProxyBond`]; [`Config::AdmitOrigin`] admits them; [`Config::PenaltyOrigin`] may
//!   suspend or slash them. A proxy leaves by unbonding and withdraws its bond after
//!   [`Config::UnbondingPeriod`], provided no evidence against it is pending.
//! - **Grants** (owner → grantee): scope (one record, kinds, or all of the owner's records),
//!   `m`-of-`n` active proxies with a commitment (hash) to each one's key fragment, and an
//!   expiry. The owner may revoke at any time. Expiry needs no hook: it is checked whenever a
//!   grant is used, and anyone may clear a grant some time after it ended, releasing the
//!   owner's deposit.
//! - **Attestations**: for each re-encryption a proxy signs (sr25519) an [`Attestation`] (grant,
//!   capsule hash, cfrag hash, the block it served at, and the grantee's request: its digest
//!   and a finalised block the grantee had seen, so a proxy cannot backdate its service before
//!   the request; see [`RequestBinding`]). Anyone may submit it; the chain accepts
//!   it only while the grant is active and the signer is one of its proxies, and keeps it as an
//!   audit [`Receipt`] listed for the grant.
//! - **Accountability**: the grantee or owner files evidence that a proxy's cfrag failed
//!   verification, or that it served after revocation (proved on chain by the proxy's own
//!   attestation: `served_at`, or the block the grantee had seen, at or after the revocation). [`Config::PenaltyOrigin`]
//!   adjudicates: upholding slashes the proxy's bond, and the outcome stays on record.
//!
//! The pallet does not link the PRE library (GPL): it stores keys and hashes as fixed-length
//! bytes (see [`types`]). Records are read through [`medchain_primitives::RecordInspect`].
//!
//! ## Calls
//!
//! | call | who | what |
//! |---|---|---|
//! | `register_pre_keys` | anyone | publish or rotate PRE keys, holding a deposit |
//! | `remove_pre_keys` | an account owning no grants | remove its keys, deposit back |
//! | `register_proxy` | anyone | offer to be a proxy, holding the bond |
//! | `admit_proxy` / `suspend_proxy` / `slash_proxy` | governance | admission and penalties |
//! | `unbond_proxy` / `withdraw_proxy` | the proxy | leave, then take the bond back |
//! | `create_grant` / `revoke_grant` | owner | delegate / stop delegating |
//! | `clear_grant` | anyone, once the grant ended long enough ago | remove it, deposit back |
//! | `submit_attestation` | anyone (signed by the proxy) | record a re-encryption |
//! | `file_evidence` | grantee or owner | accuse a proxy |
//! | `adjudicate` | governance | uphold (slash) or dismiss |

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
use medchain_primitives::{decrement_count, next_id, RecordId};
use sp_core::H256;

/// Balance type of the currency bonds and deposits are held in.
pub type BalanceOf<T> =
	<<T as Config>::Currency as fungible::Inspect<<T as frame_system::Config>::AccountId>>::Balance;
type BlockNumberOf<T> = frame_system::pallet_prelude::BlockNumberFor<T>;
type AccountIdOf<T> = <T as frame_system::Config>::AccountId;

/// PRE keys as stored for runtime `T`.
pub type PreKeysOf<T> = PreKeys<BlockNumberOf<T>>;
/// A proxy as stored for runtime `T`.
pub type ProxyOf<T> = Proxy<BalanceOf<T>, BlockNumberOf<T>>;
/// A grant scope for runtime `T`.
pub type GrantScopeOf<T> = GrantScope<<T as Config>::MaxScopeKinds>;
/// A grant's proxies for runtime `T`.
pub type GrantProxiesOf<T> =
	frame_support::BoundedVec<GrantProxy<AccountIdOf<T>>, <T as Config>::MaxProxiesPerGrant>;
/// A grant as stored for runtime `T`.
pub type GrantOf<T> = Grant<
	AccountIdOf<T>,
	BalanceOf<T>,
	BlockNumberOf<T>,
	<T as Config>::MaxScopeKinds,
	<T as Config>::MaxProxiesPerGrant,
>;
/// An attestation for runtime `T`.
pub type AttestationOf<T> = Attestation<AccountIdOf<T>, BlockNumberOf<T>>;
/// A receipt as stored for runtime `T`.
pub type ReceiptOf<T> = Receipt<AccountIdOf<T>, BlockNumberOf<T>>;
/// A claim for runtime `T`.
pub type ClaimOf<T> = Claim<AccountIdOf<T>, BlockNumberOf<T>, sp_core::sr25519::Signature>;
/// An evidence case as stored for runtime `T`.
pub type EvidenceCaseOf<T> =
	EvidenceCase<AccountIdOf<T>, BalanceOf<T>, BlockNumberOf<T>, sp_core::sr25519::Signature>;

pub use medchain_primitives::{SignatureVerifier, Sr25519Accounts};

#[frame_support::pallet]
pub mod pallet {
	use super::*;
	use alloc::vec::Vec;
	use frame_support::{
		pallet_prelude::*,
		traits::{
			fungible::{InspectHold, Mutate, MutateHold},
			tokens::{Fortitude, Precision},
		},
	};
	use frame_system::pallet_prelude::*;
	use medchain_primitives::{AccessInspect, RecordInspect};
	use sp_runtime::traits::{Saturating, Zero};

	const STORAGE_VERSION: StorageVersion = StorageVersion::new(2);

	#[pallet::pallet]
	#[pallet::storage_version(STORAGE_VERSION)]
	pub struct Pallet<T>(_);

	#[pallet::config]
	pub trait Config: frame_system::Config {
		/// Currency bonds and deposits are held in.
		type Currency: MutateHold<Self::AccountId, Reason = Self::RuntimeHoldReason>
			+ Mutate<Self::AccountId>;

		/// The overarching hold reason.
		type RuntimeHoldReason: From<HoldReason>;

		/// The record registry, read through its trait (scope checks).
		type Records: RecordInspect<Self::AccountId, medchain_primitives::PolicyId>;

		/// Checks proxies' attestation signatures.
		type Verifier: SignatureVerifier<Self::AccountId>;

		/// The consent pallet, asked whether a record's subject explicitly denies a grantee:
		/// a deny wins over every grant, so neither proxies nor read receipts act on a grant
		/// for a denied grantee.
		type Access: AccessInspect<Self::AccountId>;

		/// Admits proxies.
		type AdmitOrigin: EnsureOrigin<Self::RuntimeOrigin>;

		/// Suspends and slashes proxies, adjudicates evidence.
		type PenaltyOrigin: EnsureOrigin<Self::RuntimeOrigin>;

		/// Bond a proxy holds while registered.
		#[pallet::constant]
		type ProxyBond: Get<BalanceOf<Self>>;

		/// Deposit an account holds while its PRE keys are published.
		#[pallet::constant]
		type PreKeysDeposit: Get<BalanceOf<Self>>;

		/// Deposit an owner holds per grant until it is cleared.
		#[pallet::constant]
		type GrantDeposit: Get<BalanceOf<Self>>;

		/// Deposit a filer holds per evidence case until adjudicated.
		#[pallet::constant]
		type EvidenceDeposit: Get<BalanceOf<Self>>;

		/// Blocks a leaving proxy waits before withdrawing its bond (time to file evidence).
		#[pallet::constant]
		type UnbondingPeriod: Get<BlockNumberFor<Self>>;

		/// Blocks an ended (expired or revoked) grant and its receipts stay before anyone may
		/// clear it (time to file evidence).
		#[pallet::constant]
		type RetentionPeriod: Get<BlockNumberFor<Self>>;

		/// Proxies one grant may name (`n`).
		#[pallet::constant]
		type MaxProxiesPerGrant: Get<u32>;

		/// Kinds a grant scope may list.
		#[pallet::constant]
		type MaxScopeKinds: Get<u32>;

		/// Live grants one owner may have.
		#[pallet::constant]
		type MaxGrantsPerOwner: Get<u32>;

		/// Receipts one grant may keep.
		#[pallet::constant]
		type MaxReceiptsPerGrant: Get<u32>;

		/// Weights of this pallet's calls, from its benchmarks.
		type WeightInfo: WeightInfo;

		/// Creates the records benchmarks need (they live in another pallet).
		#[cfg(feature = "runtime-benchmarks")]
		type BenchmarkHelper: benchmarking::BenchmarkHelper<Self::AccountId>;
	}

	/// Why this pallet holds funds.
	#[pallet::composite_enum]
	pub enum HoldReason {
		/// The deposit for an account's published PRE keys.
		PreKeys,
		/// A proxy's bond.
		ProxyBond,
		/// A grant's deposit.
		Grant,
		/// An evidence case's deposit.
		Evidence,
	}

	/// Published PRE keys. `Blake2_128Concat`: accounts are user-chosen.
	#[pallet::storage]
	pub type Keys<T: Config> = StorageMap<_, Blake2_128Concat, T::AccountId, PreKeysOf<T>>;

	/// Registered proxies. `Blake2_128Concat`: accounts are user-chosen.
	#[pallet::storage]
	pub type Proxies<T: Config> = StorageMap<_, Blake2_128Concat, T::AccountId, ProxyOf<T>>;

	/// The id the next grant gets.
	#[pallet::storage]
	pub type NextGrantId<T> = StorageValue<_, GrantId, ValueQuery>;

	/// Grants. `Twox64Concat`: ids are chain-assigned.
	#[pallet::storage]
	pub type Grants<T: Config> = StorageMap<_, Twox64Concat, GrantId, GrantOf<T>>;

	/// Grants each owner has (until cleared).
	#[pallet::storage]
	pub type GrantCount<T: Config> = StorageMap<_, Blake2_128Concat, T::AccountId, u32, ValueQuery>;

	/// Index of each owner's grants (until cleared), so a patient's grants are listed without
	/// scanning [`Grants`]. `Blake2_128Concat` on the account (user-chosen), `Twox64Concat` on
	/// the chain-assigned id.
	#[pallet::storage]
	pub type OwnerGrants<T: Config> =
		StorageDoubleMap<_, Blake2_128Concat, T::AccountId, Twox64Concat, GrantId, (), OptionQuery>;

	/// Receipts of each grant, numbered from 0. `Twox64Concat`: chain-assigned keys.
	#[pallet::storage]
	pub type Receipts<T: Config> =
		StorageDoubleMap<_, Twox64Concat, GrantId, Twox64Concat, u32, ReceiptOf<T>>;

	/// Receipts per grant.
	#[pallet::storage]
	pub type ReceiptCount<T: Config> = StorageMap<_, Twox64Concat, GrantId, u32, ValueQuery>;

	/// Capsules each proxy attested per grant: one receipt per (grant, proxy, capsule), so a
	/// signed attestation cannot be replayed. `Identity` on the capsule hash: already a hash.
	#[pallet::storage]
	pub type Attested<T: Config> = StorageNMap<
		_,
		(
			NMapKey<Twox64Concat, GrantId>,
			NMapKey<Blake2_128Concat, T::AccountId>,
			NMapKey<Identity, H256>,
		),
		(),
	>;

	/// The id the next evidence case gets.
	#[pallet::storage]
	pub type NextCaseId<T> = StorageValue<_, CaseId, ValueQuery>;

	/// Evidence cases, kept with their outcome. `Twox64Concat`: chain-assigned ids.
	#[pallet::storage]
	pub type Cases<T: Config> = StorageMap<_, Twox64Concat, CaseId, EvidenceCaseOf<T>>;

	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// An account published (or, if `rotation` > 0, rotated) its PRE keys.
		PreKeysRegistered {
			/// The account.
			who: T::AccountId,
			/// The Umbral public key (compressed).
			public_key: UmbralPublicKey,
			/// The Umbral verifying key (compressed).
			verifying_key: UmbralPublicKey,
			/// How many times the keys were rotated.
			rotation: u32,
		},
		/// An account removed its PRE keys and got back their deposit.
		PreKeysRemoved {
			/// The account.
			who: T::AccountId,
			/// The deposit released.
			released: BalanceOf<T>,
		},
		/// A proxy registered and bonded; it awaits admission.
		ProxyRegistered {
			/// The proxy.
			proxy: T::AccountId,
			/// Where it serves.
			endpoint: Endpoint,
			/// The bond held.
			bond: BalanceOf<T>,
		},
		/// A proxy was admitted (or reinstated).
		ProxyAdmitted {
			/// The proxy.
			proxy: T::AccountId,
		},
		/// A proxy was suspended.
		ProxySuspended {
			/// The proxy.
			proxy: T::AccountId,
		},
		/// Part of a proxy's bond was slashed.
		ProxySlashed {
			/// The proxy.
			proxy: T::AccountId,
			/// The amount.
			amount: BalanceOf<T>,
		},
		/// A proxy started leaving.
		ProxyUnbonding {
			/// The proxy.
			proxy: T::AccountId,
			/// The block from which the bond can be withdrawn.
			withdrawable_at: BlockNumberFor<T>,
		},
		/// A proxy left and took back what remains of its bond.
		ProxyWithdrawn {
			/// The proxy.
			proxy: T::AccountId,
			/// What went back to the coordinator.
			returned: BalanceOf<T>,
		},
		/// A grant was created.
		GrantCreated {
			/// The grant.
			grant: GrantId,
			/// The owner.
			owner: T::AccountId,
			/// Who may decrypt.
			grantee: T::AccountId,
			/// What it covers.
			scope: GrantScopeOf<T>,
			/// Its proxies.
			proxies: GrantProxiesOf<T>,
			/// How many are needed.
			threshold: u8,
			/// The block it ends at (exclusive; `None`: no end).
			expires_at: BlockNumberFor<T>,
		},
		/// The owner revoked a grant; proxies must stop serving it.
		GrantRevoked {
			/// The grant.
			grant: GrantId,
			/// The owner.
			owner: T::AccountId,
		},
		/// An ended grant and its receipts were removed.
		GrantCleared {
			/// The grant.
			grant: GrantId,
		},
		/// A proxy's attestation was accepted as a receipt.
		AttestationRecorded {
			/// The grant.
			grant: GrantId,
			/// The proxy.
			proxy: T::AccountId,
			/// The receipt's index.
			index: u32,
			/// BLAKE2-256 of the capsule re-encrypted.
			capsule_hash: H256,
			/// BLAKE2-256 of the capsule fragment returned.
			cfrag_hash: H256,
		},
		/// Evidence against a proxy was filed.
		EvidenceFiled {
			/// The evidence case.
			case: CaseId,
			/// The grant.
			grant: GrantId,
			/// The proxy.
			proxy: T::AccountId,
			/// Who filed it.
			filer: T::AccountId,
		},
		/// A case was adjudicated.
		EvidenceAdjudicated {
			/// The evidence case.
			case: CaseId,
			/// The proxy.
			proxy: T::AccountId,
			/// How it ended.
			outcome: Outcome<BalanceOf<T>>,
		},
	}

	#[pallet::error]
	pub enum Error<T> {
		/// Both keys must be valid compressed points (first byte 0x02 or 0x03).
		MalformedKey,
		/// The account has no PRE keys published.
		NoPreKeys,
		/// The account owns grants that need its keys; revoke and clear them first.
		OwnsGrants,
		/// The account cannot hold the deposit.
		InsufficientDeposit,
		/// The account is already a registered proxy.
		AlreadyProxy,
		/// No such proxy.
		ProxyNotFound,
		/// The proxy is not awaiting admission or suspended.
		CannotAdmit,
		/// The proxy is not active.
		ProxyNotActive,
		/// The proxy is already leaving.
		AlreadyLeaving,
		/// The proxy is not leaving.
		NotLeaving,
		/// The unbonding period has not passed.
		StillUnbonding,
		/// Evidence against the proxy is pending.
		CasesPending,
		/// The owner has no PRE keys published.
		OwnerKeysMissing,
		/// The grantee has no PRE keys published.
		GranteeKeysMissing,
		/// A grant to oneself.
		GrantToSelf,
		/// A grant needs 1 <= threshold <= number of proxies.
		InvalidThreshold,
		/// A grant needs at least one proxy.
		NoProxies,
		/// A proxy is named twice.
		DuplicateProxy,
		/// A kinds scope needs at least one kind.
		EmptyScope,
		/// The expiry must lie in the future.
		ExpiryInPast,
		/// No live record with this id.
		RecordNotFound,
		/// The record belongs to someone else.
		NotSubject,
		/// The owner has as many grants as allowed.
		TooManyGrants,
		/// No such grant.
		GrantNotFound,
		/// Only the owner may do this.
		NotOwner,
		/// The grant is already revoked.
		AlreadyRevoked,
		/// The grant is revoked or expired.
		GrantNotActive,
		/// The grant has not ended long enough ago to be cleared.
		GrantNotClearable,
		/// The attestation's signer is not one of the grant's proxies.
		NotGrantProxy,
		/// The signature does not verify.
		BadSignature,
		/// The attestation claims to be served in the future.
		ServedInFuture,
		/// This proxy already attested this capsule for this grant.
		AlreadyAttested,
		/// The grant has as many receipts as allowed.
		TooManyReceipts,
		/// Only the grantee or owner may file evidence.
		NotParty,
		/// The attestation does not show service after revocation.
		NotAfterRevocation,
		/// The attestation is for another grant or proxy than the case.
		AttestationMismatch,
		/// No such case.
		CaseNotFound,
		/// The case was already adjudicated.
		AlreadyAdjudicated,
		/// An id counter reached its maximum.
		IdOverflow,
	}

	#[pallet::hooks]
	impl<T: Config> Hooks<BlockNumberFor<T>> for Pallet<T> {
		#[cfg(feature = "try-runtime")]
		fn try_state(_: BlockNumberFor<T>) -> Result<(), sp_runtime::TryRuntimeError> {
			Self::do_try_state()
		}
	}

	#[pallet::call]
	impl<T: Config> Pallet<T> {
		/// Publish the caller's Umbral public key and the verifying key it signs key fragments
		/// with, replacing (rotating) earlier ones. Grants already issued keep working: their
		/// key fragments were made with the earlier keys. The first registration holds
		/// [`Config::PreKeysDeposit`] (as does a rotation of keys published before deposits
		/// existed); [`Pallet::remove_pre_keys`] gives it back.
		///
		/// # Errors
		/// - `MalformedKey`: a key is not a compressed secp256k1 point.
		/// - `InsufficientDeposit`: the caller cannot hold the deposit.
		///
		/// # Events
		/// - `PreKeysRegistered`, with `rotation` 0 for the first registration.
		#[pallet::call_index(0)]
		#[pallet::weight(T::WeightInfo::register_pre_keys())]
		pub fn register_pre_keys(
			origin: OriginFor<T>,
			public_key: UmbralPublicKey,
			verifying_key: UmbralPublicKey,
		) -> DispatchResult {
			let who = ensure_signed(origin)?;
			ensure!(
				is_compressed_point(&public_key) && is_compressed_point(&verifying_key),
				Error::<T>::MalformedKey
			);
			let rotation = Keys::<T>::get(&who).map_or(0, |k| k.rotations.saturating_add(1));
			let reason = HoldReason::PreKeys.into();
			if T::Currency::balance_on_hold(&reason, &who).is_zero() {
				T::Currency::hold(&reason, &who, T::PreKeysDeposit::get())
					.map_err(|_| Error::<T>::InsufficientDeposit)?;
			}
			Keys::<T>::insert(
				&who,
				PreKeys {
					public_key,
					verifying_key,
					registered_at: frame_system::Pallet::<T>::block_number(),
					rotations: rotation,
				},
			);
			Self::deposit_event(Event::PreKeysRegistered {
				who,
				public_key,
				verifying_key,
				rotation,
			});
			Ok(())
		}

		/// Remove the caller's PRE keys and release their deposit. Nobody can create a grant to
		/// or from the caller afterwards; grants it received stop working where a proxy has
		/// not yet made their capsule fragment. Refused while the caller owns grants (they need
		/// its verifying key): revoke and clear them first.
		///
		/// # Errors
		/// - `NoPreKeys`: the caller has no keys published.
		/// - `OwnsGrants`: the caller owns grants that are not cleared.
		///
		/// # Events
		/// - `PreKeysRemoved`, with the deposit released.
		#[pallet::call_index(13)]
		#[pallet::weight(T::WeightInfo::remove_pre_keys())]
		pub fn remove_pre_keys(origin: OriginFor<T>) -> DispatchResult {
			let who = ensure_signed(origin)?;
			ensure!(Keys::<T>::contains_key(&who), Error::<T>::NoPreKeys);
			ensure!(GrantCount::<T>::get(&who) == 0, Error::<T>::OwnsGrants);
			Keys::<T>::remove(&who);
			let reason = HoldReason::PreKeys.into();
			let held = T::Currency::balance_on_hold(&reason, &who);
			let released = T::Currency::release(&reason, &who, held, Precision::BestEffort)
				.unwrap_or_default();
			Self::deposit_event(Event::PreKeysRemoved { who, released });
			Ok(())
		}

		/// Offer to serve as a re-encryption proxy at `endpoint` with Umbral key `public_key`,
		/// holding [`Config::ProxyBond`]. Serving starts once governance admits the proxy.
		///
		/// # Events
		/// [`Event::ProxyRegistered`].
		///
		/// # Errors
		/// - [`Error::AlreadyProxy`]: the caller is a proxy already.
		/// - [`Error::MalformedKey`]: `public_key` is not a compressed point.
		/// - `Token(FundsUnavailable)`: the caller cannot hold the bond.
		#[pallet::call_index(1)]
		#[pallet::weight(T::WeightInfo::register_proxy())]
		pub fn register_proxy(
			origin: OriginFor<T>,
			public_key: UmbralPublicKey,
			endpoint: Endpoint,
		) -> DispatchResult {
			let proxy = ensure_signed(origin)?;
			ensure!(
				!Proxies::<T>::contains_key(&proxy),
				Error::<T>::AlreadyProxy
			);
			ensure!(is_compressed_point(&public_key), Error::<T>::MalformedKey);
			let bond = T::ProxyBond::get();
			T::Currency::hold(&HoldReason::ProxyBond.into(), &proxy, bond)?;
			Proxies::<T>::insert(
				&proxy,
				Proxy {
					public_key,
					endpoint: endpoint.clone(),
					bond,
					status: ProxyStatus::Pending,
					open_cases: 0,
				},
			);
			Self::deposit_event(Event::ProxyRegistered {
				proxy,
				endpoint,
				bond,
			});
			Ok(())
		}

		/// Admit a pending proxy, or reinstate a suspended one.
		///
		/// `AdmitOrigin` only (the council).
		///
		/// # Events
		/// [`Event::ProxyAdmitted`].
		///
		/// # Errors
		/// - `BadOrigin`: not `AdmitOrigin`.
		/// - [`Error::ProxyNotFound`]: `proxy` is not registered.
		/// - [`Error::CannotAdmit`]: it is neither pending nor suspended (active or leaving).
		#[pallet::call_index(2)]
		#[pallet::weight(T::WeightInfo::admit_proxy())]
		pub fn admit_proxy(origin: OriginFor<T>, proxy: T::AccountId) -> DispatchResult {
			T::AdmitOrigin::ensure_origin(origin)?;
			Proxies::<T>::try_mutate(&proxy, |stored| {
				let stored = stored.as_mut().ok_or(Error::<T>::ProxyNotFound)?;
				ensure!(
					matches!(stored.status, ProxyStatus::Pending | ProxyStatus::Suspended),
					Error::<T>::CannotAdmit
				);
				stored.status = ProxyStatus::Active;
				Ok::<_, DispatchError>(())
			})?;
			Self::deposit_event(Event::ProxyAdmitted { proxy });
			Ok(())
		}

		/// Suspend an active proxy: no new grants name it and its attestations are refused.
		///
		/// `PenaltyOrigin` only.
		///
		/// # Events
		/// [`Event::ProxySuspended`].
		///
		/// # Errors
		/// - `BadOrigin`: not `PenaltyOrigin`.
		/// - [`Error::ProxyNotFound`]: `proxy` is not registered.
		/// - [`Error::ProxyNotActive`]: it is not active.
		#[pallet::call_index(3)]
		#[pallet::weight(T::WeightInfo::suspend_proxy())]
		pub fn suspend_proxy(origin: OriginFor<T>, proxy: T::AccountId) -> DispatchResult {
			T::PenaltyOrigin::ensure_origin(origin)?;
			Proxies::<T>::try_mutate(&proxy, |stored| {
				let stored = stored.as_mut().ok_or(Error::<T>::ProxyNotFound)?;
				ensure!(
					stored.status == ProxyStatus::Active,
					Error::<T>::ProxyNotActive
				);
				stored.status = ProxyStatus::Suspended;
				Ok::<_, DispatchError>(())
			})?;
			Self::deposit_event(Event::ProxySuspended { proxy });
			Ok(())
		}

		/// Slash up to `amount` of a proxy's bond (burnt).
		///
		/// `PenaltyOrigin` only.
		///
		/// # Events
		/// [`Event::ProxySlashed`] with the amount actually slashed.
		///
		/// # Errors
		/// - `BadOrigin`: not `PenaltyOrigin`.
		/// - [`Error::ProxyNotFound`]: `proxy` is not registered.
		#[pallet::call_index(4)]
		#[pallet::weight(T::WeightInfo::slash_proxy())]
		pub fn slash_proxy(
			origin: OriginFor<T>,
			proxy: T::AccountId,
			amount: BalanceOf<T>,
		) -> DispatchResult {
			T::PenaltyOrigin::ensure_origin(origin)?;
			ensure!(
				Proxies::<T>::contains_key(&proxy),
				Error::<T>::ProxyNotFound
			);
			Self::slash(&proxy, amount);
			Ok(())
		}

		/// Start leaving. The bond can be withdrawn after [`Config::UnbondingPeriod`].
		///
		/// # Events
		/// [`Event::ProxyUnbonding`].
		///
		/// # Errors
		/// - [`Error::ProxyNotFound`]: the caller is not a proxy.
		/// - [`Error::AlreadyLeaving`]: it is leaving already.
		#[pallet::call_index(5)]
		#[pallet::weight(T::WeightInfo::unbond_proxy())]
		pub fn unbond_proxy(origin: OriginFor<T>) -> DispatchResult {
			let proxy = ensure_signed(origin)?;
			let now = frame_system::Pallet::<T>::block_number();
			Proxies::<T>::try_mutate(&proxy, |stored| {
				let stored = stored.as_mut().ok_or(Error::<T>::ProxyNotFound)?;
				ensure!(
					!matches!(stored.status, ProxyStatus::Leaving(_)),
					Error::<T>::AlreadyLeaving
				);
				stored.status = ProxyStatus::Leaving(now);
				Ok::<_, DispatchError>(())
			})?;
			let withdrawable_at = now.saturating_add(T::UnbondingPeriod::get());
			Self::deposit_event(Event::ProxyUnbonding {
				proxy,
				withdrawable_at,
			});
			Ok(())
		}

		/// Leave after the unbonding period, taking back what remains of the bond. Refused
		/// while evidence against the proxy is pending.
		///
		/// # Events
		/// [`Event::ProxyWithdrawn`].
		///
		/// # Errors
		/// - [`Error::ProxyNotFound`]: the caller is not a proxy.
		/// - [`Error::NotLeaving`]: it has not started leaving ([`Pallet::unbond_proxy`]).
		/// - [`Error::StillUnbonding`]: the unbonding period has not passed.
		/// - [`Error::CasesPending`]: evidence against it awaits adjudication.
		#[pallet::call_index(6)]
		#[pallet::weight(T::WeightInfo::withdraw_proxy())]
		pub fn withdraw_proxy(origin: OriginFor<T>) -> DispatchResult {
			let proxy = ensure_signed(origin)?;
			let stored = Proxies::<T>::get(&proxy).ok_or(Error::<T>::ProxyNotFound)?;
			let ProxyStatus::Leaving(since) = stored.status else {
				return Err(Error::<T>::NotLeaving.into());
			};
			let now = frame_system::Pallet::<T>::block_number();
			ensure!(
				now >= since.saturating_add(T::UnbondingPeriod::get()),
				Error::<T>::StillUnbonding
			);
			ensure!(stored.open_cases == 0, Error::<T>::CasesPending);
			Proxies::<T>::remove(&proxy);
			let returned = T::Currency::release(
				&HoldReason::ProxyBond.into(),
				&proxy,
				stored.bond,
				Precision::BestEffort,
			)
			.unwrap_or_default();
			Self::deposit_event(Event::ProxyWithdrawn { proxy, returned });
			Ok(())
		}

		/// Delegate decryption of the caller's records in `scope` to `grantee` through
		/// `proxies`, any `threshold` of which suffice, until `expires_at`. Each proxy entry
		/// commits to the key fragment the owner hands it off-chain. Both parties need PRE keys;
		/// every proxy must be active. Holds [`Config::GrantDeposit`].
		///
		/// # Events
		/// [`Event::GrantCreated`].
		///
		/// # Errors
		/// - [`Error::GrantToSelf`]: `grantee` is the caller.
		/// - [`Error::OwnerKeysMissing`] / [`Error::GranteeKeysMissing`]: a party has no PRE keys.
		/// - [`Error::NoProxies`]: `proxies` is empty.
		/// - [`Error::InvalidThreshold`]: `threshold` is 0 or more than the proxies.
		/// - [`Error::DuplicateProxy`]: a proxy is named twice.
		/// - [`Error::ProxyNotFound`] / [`Error::ProxyNotActive`]: a proxy is unknown or not active.
		/// - [`Error::ExpiryInPast`]: `expires_at` is not after the current block.
		/// - [`Error::RecordNotFound`]: a `Record` scope names no live record.
		/// - [`Error::NotSubject`]: the caller is not that record's subject.
		/// - [`Error::EmptyScope`]: `Kinds` with no kind.
		/// - [`Error::TooManyGrants`]: the caller has [`Config::MaxGrantsPerOwner`] grants.
		/// - `Token(FundsUnavailable)`: the caller cannot hold the deposit.
		/// - [`Error::IdOverflow`]: grant ids are exhausted.
		#[pallet::call_index(7)]
		#[pallet::weight(T::WeightInfo::create_grant(proxies.len() as u32))]
		pub fn create_grant(
			origin: OriginFor<T>,
			grantee: T::AccountId,
			scope: GrantScopeOf<T>,
			proxies: GrantProxiesOf<T>,
			threshold: u8,
			expires_at: BlockNumberFor<T>,
		) -> DispatchResult {
			let owner = ensure_signed(origin)?;
			ensure!(owner != grantee, Error::<T>::GrantToSelf);
			ensure!(
				Keys::<T>::contains_key(&owner),
				Error::<T>::OwnerKeysMissing
			);
			ensure!(
				Keys::<T>::contains_key(&grantee),
				Error::<T>::GranteeKeysMissing
			);
			ensure!(!proxies.is_empty(), Error::<T>::NoProxies);
			ensure!(
				threshold >= 1 && usize::from(threshold) <= proxies.len(),
				Error::<T>::InvalidThreshold
			);
			let mut seen = Vec::with_capacity(proxies.len());
			for entry in proxies.iter() {
				ensure!(!seen.contains(&&entry.proxy), Error::<T>::DuplicateProxy);
				seen.push(&entry.proxy);
				let proxy = Proxies::<T>::get(&entry.proxy).ok_or(Error::<T>::ProxyNotFound)?;
				ensure!(
					proxy.status == ProxyStatus::Active,
					Error::<T>::ProxyNotActive
				);
			}
			let now = frame_system::Pallet::<T>::block_number();
			ensure!(expires_at > now, Error::<T>::ExpiryInPast);
			match &scope {
				GrantScope::Record(record) => {
					let summary = T::Records::record(*record).ok_or(Error::<T>::RecordNotFound)?;
					ensure!(summary.subject == owner, Error::<T>::NotSubject);
				}
				GrantScope::Kinds(kinds) => ensure!(!kinds.is_empty(), Error::<T>::EmptyScope),
				GrantScope::AllRecords => {}
			}
			let count = GrantCount::<T>::get(&owner);
			ensure!(
				count < T::MaxGrantsPerOwner::get(),
				Error::<T>::TooManyGrants
			);
			let deposit = T::GrantDeposit::get();
			T::Currency::hold(&HoldReason::Grant.into(), &owner, deposit)?;
			let grant =
				NextGrantId::<T>::try_mutate(next_id).map_err(|_| Error::<T>::IdOverflow)?;
			GrantCount::<T>::insert(&owner, count.saturating_add(1));
			OwnerGrants::<T>::insert(&owner, grant, ());
			Grants::<T>::insert(
				grant,
				Grant {
					owner: owner.clone(),
					grantee: grantee.clone(),
					scope: scope.clone(),
					proxies: proxies.clone(),
					threshold,
					created_at: now,
					expires_at,
					revoked_at: None,
					deposit,
				},
			);
			Self::deposit_event(Event::GrantCreated {
				grant,
				owner,
				grantee,
				scope,
				proxies,
				threshold,
				expires_at,
			});
			Ok(())
		}

		/// Revoke a grant: from this block on, attestations for it are refused and a proxy
		/// that still serves it can be proved to have done so.
		///
		/// # Events
		/// [`Event::GrantRevoked`].
		///
		/// # Errors
		/// - [`Error::GrantNotFound`]: no grant `grant`.
		/// - [`Error::NotOwner`]: the caller did not create it.
		/// - [`Error::AlreadyRevoked`]: it is revoked already.
		#[pallet::call_index(8)]
		#[pallet::weight(T::WeightInfo::revoke_grant())]
		pub fn revoke_grant(origin: OriginFor<T>, grant: GrantId) -> DispatchResult {
			let who = ensure_signed(origin)?;
			Grants::<T>::try_mutate(grant, |stored| {
				let stored = stored.as_mut().ok_or(Error::<T>::GrantNotFound)?;
				ensure!(stored.owner == who, Error::<T>::NotOwner);
				ensure!(stored.revoked_at.is_none(), Error::<T>::AlreadyRevoked);
				stored.revoked_at = Some(frame_system::Pallet::<T>::block_number());
				Ok::<_, DispatchError>(())
			})?;
			Self::deposit_event(Event::GrantRevoked { grant, owner: who });
			Ok(())
		}

		/// Remove a grant that ended (revoked or expired) at least [`Config::RetentionPeriod`]
		/// blocks ago, with its receipts; the owner's deposit is released. Anyone may call.
		///
		/// # Events
		/// [`Event::GrantCleared`].
		///
		/// # Errors
		/// - [`Error::GrantNotFound`]: no grant `grant`.
		/// - [`Error::GrantNotClearable`]: it has not ended, or ended less than the retention period ago.
		#[pallet::call_index(9)]
		#[pallet::weight(T::WeightInfo::clear_grant(T::MaxReceiptsPerGrant::get()))]
		pub fn clear_grant(origin: OriginFor<T>, grant: GrantId) -> DispatchResultWithPostInfo {
			ensure_signed(origin)?;
			let stored = Grants::<T>::get(grant).ok_or(Error::<T>::GrantNotFound)?;
			let ended = stored
				.revoked_at
				.map_or(stored.expires_at, |at| at.min(stored.expires_at));
			let now = frame_system::Pallet::<T>::block_number();
			ensure!(
				now >= ended.saturating_add(T::RetentionPeriod::get()),
				Error::<T>::GrantNotClearable
			);
			let receipts = ReceiptCount::<T>::take(grant);
			let _ = Receipts::<T>::clear_prefix(grant, receipts, None);
			let _ = Attested::<T>::clear_prefix((grant,), receipts, None);
			Grants::<T>::remove(grant);
			GrantCount::<T>::mutate_exists(&stored.owner, decrement_count);
			OwnerGrants::<T>::remove(&stored.owner, grant);
			let _ = T::Currency::release(
				&HoldReason::Grant.into(),
				&stored.owner,
				stored.deposit,
				Precision::BestEffort,
			);
			Self::deposit_event(Event::GrantCleared { grant });
			Ok(Some(T::WeightInfo::clear_grant(receipts)).into())
		}

		/// Record a proxy's signed attestation of one re-encryption as a receipt. Accepted only
		/// while the grant is active and from one of its active proxies, once per capsule.
		///
		/// # Events
		/// [`Event::AttestationRecorded`].
		///
		/// # Errors
		/// - [`Error::GrantNotFound`]: no grant `attestation.grant`.
		/// - [`Error::GrantNotActive`]: it is revoked or expired.
		/// - [`Error::NotGrantProxy`]: the attesting proxy is not one of its proxies.
		/// - [`Error::ProxyNotFound`] / [`Error::ProxyNotActive`]: the proxy is unknown or not active.
		/// - [`Error::ServedInFuture`]: `served_at` is after the current block.
		/// - [`Error::BadSignature`]: the signature is not the proxy's over
		///   [`Pallet::attestation_message`].
		/// - [`Error::AlreadyAttested`]: this capsule was attested already.
		/// - [`Error::TooManyReceipts`]: the grant holds [`Config::MaxReceiptsPerGrant`] receipts.
		#[pallet::call_index(10)]
		#[pallet::weight(T::WeightInfo::submit_attestation())]
		pub fn submit_attestation(
			origin: OriginFor<T>,
			attestation: AttestationOf<T>,
			signature: sp_core::sr25519::Signature,
		) -> DispatchResult {
			ensure_signed(origin)?;
			let grant = Grants::<T>::get(attestation.grant).ok_or(Error::<T>::GrantNotFound)?;
			let now = frame_system::Pallet::<T>::block_number();
			ensure!(Self::is_active(&grant, now), Error::<T>::GrantNotActive);
			ensure!(
				grant.proxies.iter().any(|p| p.proxy == attestation.proxy),
				Error::<T>::NotGrantProxy
			);
			let proxy = Proxies::<T>::get(&attestation.proxy).ok_or(Error::<T>::ProxyNotFound)?;
			ensure!(
				proxy.status == ProxyStatus::Active,
				Error::<T>::ProxyNotActive
			);
			ensure!(attestation.served_at <= now, Error::<T>::ServedInFuture);
			ensure!(
				Self::signed_by_proxy(&attestation, &signature),
				Error::<T>::BadSignature
			);
			let key = (
				attestation.grant,
				&attestation.proxy,
				attestation.capsule_hash,
			);
			ensure!(
				!Attested::<T>::contains_key(key),
				Error::<T>::AlreadyAttested
			);
			let index = ReceiptCount::<T>::get(attestation.grant);
			ensure!(
				index < T::MaxReceiptsPerGrant::get(),
				Error::<T>::TooManyReceipts
			);
			Attested::<T>::insert(key, ());
			ReceiptCount::<T>::insert(attestation.grant, index.saturating_add(1));
			Receipts::<T>::insert(
				attestation.grant,
				index,
				Receipt {
					proxy: attestation.proxy.clone(),
					capsule_hash: attestation.capsule_hash,
					cfrag_hash: attestation.cfrag_hash,
					served_at: attestation.served_at,
					recorded_at: now,
				},
			);
			Self::deposit_event(Event::AttestationRecorded {
				grant: attestation.grant,
				proxy: attestation.proxy,
				index,
				capsule_hash: attestation.capsule_hash,
				cfrag_hash: attestation.cfrag_hash,
			});
			Ok(())
		}

		/// File evidence against one of a grant's proxies: as its grantee or owner. A claim of
		/// service after revocation must carry the proxy's own attestation showing it; it is
		/// checked here. Holds [`Config::EvidenceDeposit`] until adjudication.
		///
		/// # Events
		/// [`Event::EvidenceFiled`].
		///
		/// # Errors
		/// - [`Error::GrantNotFound`]: no grant `grant`.
		/// - [`Error::NotParty`]: the caller is neither its owner nor its grantee.
		/// - [`Error::NotGrantProxy`]: `proxy` is not one of its proxies.
		/// - [`Error::AttestationMismatch`]: the attestation is for another grant or proxy.
		/// - [`Error::BadSignature`]: the attestation is not signed by `proxy`.
		/// - [`Error::NotAfterRevocation`]: it does not prove service at or after the revocation.
		/// - [`Error::ProxyNotFound`]: `proxy` is no longer registered.
		/// - `Token(FundsUnavailable)`: the caller cannot hold the evidence deposit.
		/// - [`Error::IdOverflow`]: case ids are exhausted.
		#[pallet::call_index(11)]
		#[pallet::weight(T::WeightInfo::file_evidence())]
		pub fn file_evidence(
			origin: OriginFor<T>,
			grant: GrantId,
			proxy: T::AccountId,
			claim: ClaimOf<T>,
		) -> DispatchResult {
			let filer = ensure_signed(origin)?;
			let stored = Grants::<T>::get(grant).ok_or(Error::<T>::GrantNotFound)?;
			ensure!(
				filer == stored.grantee || filer == stored.owner,
				Error::<T>::NotParty
			);
			ensure!(
				stored.proxies.iter().any(|p| p.proxy == proxy),
				Error::<T>::NotGrantProxy
			);
			if let Claim::ServedAfterRevocation {
				attestation,
				signature,
			} = &claim
			{
				ensure!(
					attestation.grant == grant && attestation.proxy == proxy,
					Error::<T>::AttestationMismatch
				);
				ensure!(
					Self::signed_by_proxy(attestation, signature),
					Error::<T>::BadSignature
				);
				ensure!(
					stored
						.revoked_at
						.is_some_and(|revoked| Self::proven_served_at(attestation) >= revoked),
					Error::<T>::NotAfterRevocation
				);
			}
			let deposit = T::EvidenceDeposit::get();
			T::Currency::hold(&HoldReason::Evidence.into(), &filer, deposit)?;
			Proxies::<T>::try_mutate(&proxy, |stored| {
				let stored = stored.as_mut().ok_or(Error::<T>::ProxyNotFound)?;
				stored.open_cases = stored.open_cases.saturating_add(1);
				Ok::<_, DispatchError>(())
			})?;
			let case = NextCaseId::<T>::try_mutate(next_id).map_err(|_| Error::<T>::IdOverflow)?;
			Cases::<T>::insert(
				case,
				EvidenceCase {
					grant,
					proxy: proxy.clone(),
					filer: filer.clone(),
					claim,
					filed_at: frame_system::Pallet::<T>::block_number(),
					deposit,
					outcome: Outcome::Pending,
				},
			);
			Self::deposit_event(Event::EvidenceFiled {
				case,
				grant,
				proxy,
				filer,
			});
			Ok(())
		}

		/// Decide a pending case: uphold (slashing up to the given amount of the proxy's bond)
		/// or dismiss. The filer's deposit is released either way; the outcome stays on record.
		///
		/// `PenaltyOrigin` only.
		///
		/// # Events
		/// [`Event::EvidenceAdjudicated`] (and [`Event::ProxySlashed`] when upheld).
		///
		/// # Errors
		/// - `BadOrigin`: not `PenaltyOrigin`.
		/// - [`Error::CaseNotFound`]: no case `case`.
		/// - [`Error::AlreadyAdjudicated`]: it was decided already.
		#[pallet::call_index(12)]
		#[pallet::weight(T::WeightInfo::adjudicate())]
		pub fn adjudicate(
			origin: OriginFor<T>,
			case: CaseId,
			verdict: Verdict<BalanceOf<T>>,
		) -> DispatchResult {
			T::PenaltyOrigin::ensure_origin(origin)?;
			let mut stored = Cases::<T>::get(case).ok_or(Error::<T>::CaseNotFound)?;
			ensure!(
				stored.outcome == Outcome::Pending,
				Error::<T>::AlreadyAdjudicated
			);
			stored.outcome = match verdict {
				Verdict::Uphold { slash } => Outcome::Upheld {
					slashed: Self::slash(&stored.proxy, slash),
				},
				Verdict::Dismiss => Outcome::Dismissed,
			};
			Proxies::<T>::mutate(&stored.proxy, |proxy| {
				if let Some(proxy) = proxy {
					proxy.open_cases = proxy.open_cases.saturating_sub(1);
				}
			});
			let _ = T::Currency::release(
				&HoldReason::Evidence.into(),
				&stored.filer,
				stored.deposit,
				Precision::BestEffort,
			);
			stored.deposit = Zero::zero();
			let (proxy, outcome) = (stored.proxy.clone(), stored.outcome);
			Cases::<T>::insert(case, stored);
			Self::deposit_event(Event::EvidenceAdjudicated {
				case,
				proxy,
				outcome,
			});
			Ok(())
		}
	}

	impl<T: Config> Pallet<T> {
		/// Whether `grant` holds at `now`: not revoked and not expired.
		pub fn is_active(grant: &GrantOf<T>, now: BlockNumberFor<T>) -> bool {
			grant.revoked_at.is_none() && now < grant.expires_at
		}

		/// Whether grant `id` is active now, names `proxy` (itself active) and covers `record`,
		/// and the record's subject does not deny the grantee. What a proxy asks before
		/// re-encrypting.
		pub fn grant_active_for(id: GrantId, proxy: &T::AccountId, record: RecordId) -> bool {
			let Some(grant) = Grants::<T>::get(id) else {
				return false;
			};
			let now = frame_system::Pallet::<T>::block_number();
			let proxy_active =
				Proxies::<T>::get(proxy).is_some_and(|p| p.status == ProxyStatus::Active);
			Self::is_active(&grant, now)
				&& proxy_active
				&& grant.proxies.iter().any(|p| p.proxy == *proxy)
				&& Self::covers(&grant, record)
				&& !T::Access::denied(&grant.grantee, record)
		}

		/// Whether `grant`'s scope covers the live record `record` of its owner.
		fn covers(grant: &GrantOf<T>, record: RecordId) -> bool {
			T::Records::record(record).is_some_and(|summary| {
				summary.subject == grant.owner
					&& match &grant.scope {
						GrantScope::Record(only) => *only == record,
						GrantScope::Kinds(kinds) => kinds.contains(&summary.kind),
						GrantScope::AllRecords => true,
					}
			})
		}

		/// The receipts of a grant, oldest first.
		pub fn receipts(grant: GrantId) -> Vec<ReceiptOf<T>> {
			let count = ReceiptCount::<T>::get(grant);
			(0..count)
				.filter_map(|index| Receipts::<T>::get(grant, index))
				.collect()
		}

		/// The message a proxy signs for `attestation`: context, genesis hash, attestation.
		pub fn attestation_message(attestation: &AttestationOf<T>) -> Vec<u8> {
			let genesis = frame_system::Pallet::<T>::block_hash(BlockNumberFor::<T>::zero());
			(ATTESTATION_CONTEXT, genesis, attestation).encode()
		}

		/// The latest block an attestation proves its service came after: `served_at`, or the
		/// finalised block the grantee had seen when it asked, if that is later and its hash is
		/// the one this chain keeps for it (a proxy that backdates `served_at` is still caught).
		pub fn proven_served_at(attestation: &AttestationOf<T>) -> BlockNumberFor<T> {
			let request = &attestation.request;
			let seen_is_real = request.seen_hash != H256::zero()
				&& frame_system::Pallet::<T>::block_hash(request.seen).as_ref()
					== request.seen_hash.as_bytes();
			if seen_is_real {
				attestation.served_at.max(request.seen)
			} else {
				attestation.served_at
			}
		}

		fn signed_by_proxy(
			attestation: &AttestationOf<T>,
			signature: &sp_core::sr25519::Signature,
		) -> bool {
			T::Verifier::verify(
				&attestation.proxy,
				&Self::attestation_message(attestation),
				signature,
			)
		}

		/// Burns up to `amount` of `proxy`'s bond; returns what was burnt.
		fn slash(proxy: &T::AccountId, amount: BalanceOf<T>) -> BalanceOf<T> {
			let Some(mut stored) = Proxies::<T>::get(proxy) else {
				return Zero::zero();
			};
			let amount = amount.min(stored.bond);
			let burnt = T::Currency::burn_held(
				&HoldReason::ProxyBond.into(),
				proxy,
				amount,
				Precision::BestEffort,
				Fortitude::Force,
			)
			.unwrap_or_default();
			stored.bond = stored.bond.saturating_sub(burnt);
			Proxies::<T>::insert(proxy, stored);
			Self::deposit_event(Event::ProxySlashed {
				proxy: proxy.clone(),
				amount: burnt,
			});
			burnt
		}

		/// `owner`'s grants (active, revoked or expired, until cleared), by id. At most
		/// [`Config::MaxGrantsPerOwner`].
		pub fn grants_of(owner: &T::AccountId) -> Vec<(GrantId, GrantOf<T>)> {
			let mut grants: Vec<_> = OwnerGrants::<T>::iter_key_prefix(owner)
				.filter_map(|id| Grants::<T>::get(id).map(|grant| (id, grant)))
				.collect();
			grants.sort_by_key(|(id, _)| *id);
			grants
		}

		/// Checks the storage invariants; run by `try-runtime` and after every unit test.
		#[cfg(any(feature = "try-runtime", test))]
		pub fn do_try_state() -> Result<(), sp_runtime::TryRuntimeError> {
			use alloc::collections::btree_map::BTreeMap;
			let next = NextGrantId::<T>::get();
			let mut per_owner = BTreeMap::<T::AccountId, u32>::new();
			for (id, grant) in Grants::<T>::iter() {
				ensure!(id < next, "grant id not below NextGrantId");
				ensure!(
					grant.threshold >= 1 && usize::from(grant.threshold) <= grant.proxies.len(),
					"grant threshold out of range"
				);
				ensure!(
					ReceiptCount::<T>::get(id) as usize == Receipts::<T>::iter_prefix(id).count(),
					"ReceiptCount does not match Receipts"
				);
				ensure!(
					OwnerGrants::<T>::contains_key(&grant.owner, id),
					"grant missing from its owner's index"
				);
				*per_owner.entry(grant.owner).or_default() += 1;
			}
			for (owner, id, ()) in OwnerGrants::<T>::iter() {
				ensure!(
					Grants::<T>::get(id).is_some_and(|grant| grant.owner == owner),
					"owner index entry without a grant of that owner"
				);
			}
			ensure!(
				per_owner
					.into_iter()
					.eq(GrantCount::<T>::iter().collect::<BTreeMap<_, _>>()),
				"GrantCount does not match Grants"
			);
			let mut open = BTreeMap::<T::AccountId, u32>::new();
			for (_, case) in Cases::<T>::iter() {
				if case.outcome == Outcome::Pending {
					*open.entry(case.proxy).or_default() += 1;
				} else {
					ensure!(
						case.deposit.is_zero(),
						"adjudicated case still holds a deposit"
					);
				}
			}
			for (account, proxy) in Proxies::<T>::iter() {
				ensure!(
					proxy.open_cases == open.get(&account).copied().unwrap_or(0),
					"open_cases does not match pending cases"
				);
			}
			Ok(())
		}
	}

	/// Umbral serialises public keys as compressed SEC1 points: a 0x02 or 0x03 prefix.
	fn is_compressed_point(key: &UmbralPublicKey) -> bool {
		matches!(key.first(), Some(0x02 | 0x03))
	}

	impl<T: Config> medchain_primitives::DelegatedAccess<T::AccountId> for Pallet<T> {
		fn delegated_read(grant: GrantId, grantee: &T::AccountId, record: RecordId) -> bool {
			let now = frame_system::Pallet::<T>::block_number();
			Grants::<T>::get(grant).is_some_and(|stored| {
				stored.grantee == *grantee
					&& Self::is_active(&stored, now)
					&& Self::covers(&stored, record)
					&& !T::Access::denied(grantee, record)
			})
		}
	}
}
