//! # Runtime-upgrade authorisation by governance
//!
//! `frame_system::authorize_upgrade` needs Root, and a runtime's WASM is far larger than a
//! council proposal may be. This pallet bridges the two: [`Config::AuthorizeOrigin`] (in MedChain,
//! a two-thirds majority of the consortium council) authorises the **hash** of new runtime code
//! with [`Pallet::authorize_upgrade`], a proposal of a few dozen bytes. Anyone may then submit
//! the code itself with `System::apply_authorized_upgrade`; frame-system checks it against the
//! hash and that its `spec_version` is higher (and `spec_name` equal) before it is applied.
//!
//! ## How to use
//!
//! 1. Build the new runtime and compute `blake2_256` of its compressed WASM.
//! 2. A council member proposes `Upgrades::authorize_upgrade(hash)`; members vote; once the
//!    threshold is met anyone closes the motion, which dispatches the call with the council's
//!    origin. frame-system stores the authorisation and emits `System::UpgradeAuthorized`.
//! 3. Anyone submits `System::apply_authorized_upgrade(code)`. The new runtime takes effect
//!    from the next block.
//!
//! A later authorisation replaces an earlier one that was not applied.

#![cfg_attr(not(feature = "std"), no_std)]

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
	use frame_support::pallet_prelude::*;
	use frame_system::pallet_prelude::*;

	#[pallet::pallet]
	pub struct Pallet<T>(_);

	#[pallet::config]
	pub trait Config: frame_system::Config {
		/// Who may authorise new runtime code (the council's supermajority).
		type AuthorizeOrigin: EnsureOrigin<Self::RuntimeOrigin>;

		/// Weights of this pallet's calls.
		type WeightInfo: WeightInfo;
	}

	#[pallet::call]
	impl<T: Config> Pallet<T> {
		/// Authorise runtime code whose hash is `code_hash`, to be submitted by anyone with
		/// `System::apply_authorized_upgrade`. The code must have the same `spec_name` and a
		/// higher `spec_version` than the running runtime.
		///
		/// # Events
		/// `System::UpgradeAuthorized` (this pallet has no events of its own).
		///
		/// # Errors
		/// - `BadOrigin`: not `AuthorizeOrigin` (the council's supermajority).
		#[pallet::call_index(0)]
		#[pallet::weight(T::WeightInfo::authorize_upgrade())]
		pub fn authorize_upgrade(origin: OriginFor<T>, code_hash: T::Hash) -> DispatchResult {
			T::AuthorizeOrigin::ensure_origin(origin)?;
			frame_system::Pallet::<T>::do_authorize_upgrade(code_hash, true);
			Ok(())
		}
	}
}
