//! # Validator set managed by governance
//!
//! A consortium decides who produces and finalises blocks. This pallet keeps that decision, the
//! **validator set**, and hands it to `pallet-session` as its `SessionManager`; the session
//! pallet passes each new set, with the validators' session keys, to Aura and GRANDPA.
//!
//! ## How to use
//!
//! 1. A prospective validator runs a node, generates session keys (`author_rotateKeys`) and
//!    registers them on chain with `Session::set_keys(keys, proof)`.
//! 2. Governance ([`Config::ManageOrigin`], the council's supermajority in MedChain) calls
//!    [`Pallet::add_validator`]. [`Pallet::remove_validator`] takes one out (never below
//!    [`Config::MinValidators`]).
//! 3. At the next session boundary the new set is queued, and it becomes the active authority
//!    set at the boundary after that (pallet-session queues one session ahead so that nodes see
//!    the keys before they are used). Validators without session keys are skipped by the session
//!    pallet until they set keys.

#![cfg_attr(not(feature = "std"), no_std)]

extern crate alloc;

pub use pallet::*;

#[cfg(feature = "runtime-benchmarks")]
mod benchmarking;
#[cfg(test)]
mod mock;
#[cfg(test)]
mod tests;
pub mod weights;
pub use weights::WeightInfo;

#[frame_support::pallet]
pub mod pallet {
	use super::WeightInfo;
	use alloc::vec::Vec;
	use frame_support::pallet_prelude::*;
	use frame_system::pallet_prelude::*;
	use sp_runtime::traits::Zero;

	#[pallet::pallet]
	pub struct Pallet<T>(_);

	#[pallet::config]
	pub trait Config: frame_system::Config {
		/// Who may add and remove validators (the council's supermajority).
		type ManageOrigin: EnsureOrigin<Self::RuntimeOrigin>;

		/// Validators the set may hold.
		#[pallet::constant]
		type MaxValidators: Get<u32>;

		/// Validators the set must keep; removals below it are refused.
		#[pallet::constant]
		type MinValidators: Get<u32>;

		/// Blocks per session when the chain spec does not say.
		#[pallet::constant]
		type DefaultSessionLength: Get<BlockNumberFor<Self>>;

		/// Weights of this pallet's calls.
		type WeightInfo: WeightInfo;
	}

	/// The validator set governance decided, sorted. A value (not a map): it is read whole at
	/// every session rotation and bounded by [`Config::MaxValidators`].
	#[pallet::storage]
	pub type Validators<T: Config> =
		StorageValue<_, BoundedVec<T::AccountId, T::MaxValidators>, ValueQuery>;

	/// Whether the set changed since it was last handed to the session pallet.
	#[pallet::storage]
	pub type SetChanged<T> = StorageValue<_, bool, ValueQuery>;

	/// Blocks per session, fixed at genesis (read through [`SessionPeriod`]). A chain spec
	/// value rather than a runtime constant, so that test networks rotate in a minute while a
	/// consortium's chain rotates hourly.
	#[pallet::storage]
	pub type SessionLength<T> = StorageValue<_, BlockNumberFor<T>, ValueQuery>;

	#[pallet::genesis_config]
	pub struct GenesisConfig<T: Config> {
		/// The first validators (their session keys go in the session pallet's genesis).
		pub validators: Vec<T::AccountId>,
		/// Blocks per session; must be non-zero ([`Config::DefaultSessionLength`] if not given).
		pub session_length: BlockNumberFor<T>,
	}

	impl<T: Config> Default for GenesisConfig<T> {
		fn default() -> Self {
			Self {
				validators: Vec::new(),
				session_length: T::DefaultSessionLength::get(),
			}
		}
	}

	#[pallet::genesis_build]
	impl<T: Config> BuildGenesisConfig for GenesisConfig<T> {
		fn build(&self) {
			let mut validators = self.validators.clone();
			validators.sort();
			validators.dedup();
			// Empty only in the default config that tooling builds; a chain spec lists its
			// validators, at least the minimum.
			assert!(
				validators.is_empty() || validators.len() as u32 >= T::MinValidators::get(),
				"genesis has fewer validators than MinValidators"
			);
			let bounded: BoundedVec<_, T::MaxValidators> = validators
				.try_into()
				.expect("genesis has more validators than MaxValidators");
			Validators::<T>::put(bounded);
			assert!(
				!self.session_length.is_zero(),
				"genesis session length must be non-zero"
			);
			SessionLength::<T>::put(self.session_length);
		}
	}

	#[pallet::event]
	#[pallet::generate_deposit(pub(super) fn deposit_event)]
	pub enum Event<T: Config> {
		/// A validator was added; it joins the authorities within two session boundaries.
		ValidatorAdded {
			/// The validator.
			validator: T::AccountId,
		},
		/// A validator was removed; it leaves the authorities within two session boundaries.
		ValidatorRemoved {
			/// The validator.
			validator: T::AccountId,
		},
	}

	#[pallet::error]
	pub enum Error<T> {
		/// Already a validator.
		AlreadyValidator,
		/// Not a validator.
		NotValidator,
		/// The set is full.
		TooManyValidators,
		/// The set would fall below its minimum.
		TooFewValidators,
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
		/// Add `validator` to the set from the next session rotation on. `ManageOrigin` only
		/// (the council).
		///
		/// # Events
		/// [`Event::ValidatorAdded`].
		///
		/// # Errors
		/// - `BadOrigin`: not `ManageOrigin`.
		/// - [`Error::AlreadyValidator`]: `validator` is in the set.
		/// - [`Error::TooManyValidators`]: the set holds `MaxValidators`.
		#[pallet::call_index(0)]
		#[pallet::weight(T::WeightInfo::add_validator(T::MaxValidators::get()))]
		pub fn add_validator(origin: OriginFor<T>, validator: T::AccountId) -> DispatchResult {
			T::ManageOrigin::ensure_origin(origin)?;
			Validators::<T>::try_mutate(|set| {
				let index = set
					.binary_search(&validator)
					.err()
					.ok_or(Error::<T>::AlreadyValidator)?;
				set.try_insert(index, validator.clone())
					.map_err(|_| Error::<T>::TooManyValidators)
			})?;
			SetChanged::<T>::put(true);
			Self::deposit_event(Event::ValidatorAdded { validator });
			Ok(())
		}

		/// Remove `validator` from the set from the next session rotation on. `ManageOrigin`
		/// only (the council).
		///
		/// # Events
		/// [`Event::ValidatorRemoved`].
		///
		/// # Errors
		/// - `BadOrigin`: not `ManageOrigin`.
		/// - [`Error::NotValidator`]: `validator` is not in the set.
		/// - [`Error::TooFewValidators`]: the set would fall below `MinValidators`.
		#[pallet::call_index(1)]
		#[pallet::weight(T::WeightInfo::remove_validator(T::MaxValidators::get()))]
		pub fn remove_validator(origin: OriginFor<T>, validator: T::AccountId) -> DispatchResult {
			T::ManageOrigin::ensure_origin(origin)?;
			Validators::<T>::try_mutate(|set| {
				let index = set
					.binary_search(&validator)
					.map_err(|_| Error::<T>::NotValidator)?;
				ensure!(
					set.len() as u32 > T::MinValidators::get(),
					Error::<T>::TooFewValidators
				);
				set.remove(index);
				Ok::<_, DispatchError>(())
			})?;
			SetChanged::<T>::put(true);
			Self::deposit_event(Event::ValidatorRemoved { validator });
			Ok(())
		}
	}

	impl<T: Config> Pallet<T> {
		/// Checks the storage invariants; run after every unit test.
		#[cfg(any(feature = "try-runtime", test))]
		pub fn do_try_state() -> Result<(), sp_runtime::TryRuntimeError> {
			let set = Validators::<T>::get();
			ensure!(
				set.windows(2).all(|pair| pair[0] < pair[1]),
				"validators are not sorted and unique"
			);
			ensure!(
				set.is_empty() || set.len() as u32 >= T::MinValidators::get(),
				"fewer validators than the minimum"
			);
			ensure!(
				!SessionLength::<T>::get().is_zero(),
				"sessions have no length"
			);
			Ok(())
		}
	}

	/// Blocks per session from storage, for `pallet_session::PeriodicSessions`.
	pub struct SessionPeriod<T>(PhantomData<T>);

	impl<T: Config> Get<BlockNumberFor<T>> for SessionPeriod<T> {
		fn get() -> BlockNumberFor<T> {
			SessionLength::<T>::get()
		}
	}

	impl<T: Config> pallet_session::SessionManager<T::AccountId> for Pallet<T> {
		/// The set for session `new_index`, if governance changed it since the last rotation.
		fn new_session(_new_index: u32) -> Option<Vec<T::AccountId>> {
			SetChanged::<T>::take().then(|| Validators::<T>::get().into_inner())
		}

		/// The genesis set (none for the empty default config: the session pallet then uses the
		/// owners of its genesis keys).
		fn new_session_genesis(_new_index: u32) -> Option<Vec<T::AccountId>> {
			SetChanged::<T>::kill();
			let set = Validators::<T>::get().into_inner();
			(!set.is_empty()).then_some(set)
		}

		fn end_session(_end_index: u32) {}

		fn start_session(_start_index: u32) {}
	}
}
