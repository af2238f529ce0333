//! # MedChain test utilities
//!
//! Fixtures the pallets' mock runtimes share, so that each `mock.rs` holds only what is
//! particular to its pallet. Dev-only: no production crate depends on this one.
//!
//! - [`pair`] and [`MockVerifier`]: mock accounts are `u64`s; each has the sr25519 key pair
//!   seeded by its number, and the verifier checks signatures against it, as the runtime's
//!   `Sr25519Accounts` does for real accounts.
//! - [`run_to_block`]: moves a mock chain to a block.
//! - [`cid`]: a made-up binary CIDv1 for content seeded by a byte.

use sp_core::{sr25519, Pair};

/// A mock account: a number.
pub type AccountId = u64;

/// The sr25519 key pair of mock account `who` (seeded by its number).
pub fn pair(who: AccountId) -> sr25519::Pair {
	let mut seed = [0u8; 32];
	seed[..8].copy_from_slice(&who.to_le_bytes());
	sr25519::Pair::from_seed(&seed)
}

/// Verifies signatures with [`pair`]'s keys.
pub struct MockVerifier;

impl medchain_primitives::SignatureVerifier<AccountId> for MockVerifier {
	fn verify(signer: &AccountId, message: &[u8], signature: &sr25519::Signature) -> bool {
		sp_io::crypto::sr25519_verify(signature, message, &pair(*signer).public())
	}
}

/// Sets the mock chain `T`'s block number to `n`.
pub fn run_to_block<T: frame_system::Config>(n: frame_system::pallet_prelude::BlockNumberFor<T>) {
	frame_system::Pallet::<T>::set_block_number(n);
}

/// The binary CIDv1 (raw, sha2-256) of made-up content whose digest is `seed` repeated.
pub fn cid(seed: u8) -> Vec<u8> {
	medchain_primitives::cid_v1_raw_sha2_256(&[seed; 32])
}

#[cfg(test)]
mod tests {
	use super::*;
	use medchain_primitives::SignatureVerifier;

	#[test]
	fn each_account_has_its_own_key_and_the_verifier_knows_it() {
		let message = b"medchain";
		let signature = pair(7).sign(message);
		assert!(MockVerifier::verify(&7, message, &signature));
		assert!(
			!MockVerifier::verify(&8, message, &signature),
			"another account"
		);
		assert!(
			!MockVerifier::verify(&7, b"other", &signature),
			"another message"
		);
	}

	#[test]
	fn made_up_cids_are_cidv1_raw_sha2_256() {
		let cid = cid(0xAB);
		assert_eq!(cid[..4], medchain_primitives::CID_V1_RAW_SHA2_256_PREFIX);
		assert_eq!(cid[4..], [0xAB; 32]);
	}
}
