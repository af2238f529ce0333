//! Ciphertext-policy attribute-based encryption (`rabe` 0.4, scheme AC17).
//!
//! An attribute authority runs [`AuthorityKeys::generate`] once and publishes the public
//! parameters; it keeps the master key in its keystore. For an account whose attributes from
//! this authority are valid on chain, it issues a user key over exactly those attributes
//! ([`AuthorityKeys::user_key`]). A writer wraps a record's data key under the record's
//! on-chain policy (its canonical text, which is already in rabe's human policy language) with
//! [`wrap`]; a reader whose key's attributes satisfy the policy opens it with [`unwrap`].
//!
//! CP-ABE keys cannot be revoked: a key keeps working on ciphertexts it already fetched. What
//! stops a reader whose attribute was revoked is the chain (no new ticket) and the gateway (no
//! ciphertext without a live ticket). Authorities should re-key periodically.
//!
//! `rabe` can panic on inputs it does not expect; every call goes through [`guarded`] so that
//! a malformed policy or key is an error, never a crash.

use rabe::{
	schemes::ac17::{self, Ac17CpCiphertext, Ac17CpSecretKey, Ac17MasterKey, Ac17PublicKey},
	utils::policy::pest::PolicyLanguage,
};
use serde::{Deserialize, Serialize};

use crate::Error;

/// An authority's public parameters and master key.
#[derive(Clone, Serialize, Deserialize)]
pub struct AuthorityKeys {
	pub public: Ac17PublicKey,
	pub master: Ac17MasterKey,
}

/// A user's key from one authority, with the attributes it carries.
pub type UserKey = Ac17CpSecretKey;
/// An authority's public parameters.
pub type PublicParams = Ac17PublicKey;
/// A data key wrapped under a policy.
pub type WrappedKey = Ac17CpCiphertext;

impl AuthorityKeys {
	/// New parameters and master key.
	pub fn generate() -> Result<Self, Error> {
		let (public, master) = guarded("CP-ABE setup", ac17::setup)?;
		Ok(Self { public, master })
	}

	/// A user key over `attributes` (names as on chain, e.g. `role:cardiologist`).
	pub fn user_key(&self, attributes: &[String]) -> Result<UserKey, Error> {
		if attributes.is_empty() {
			return Err(Error::Invalid(
				"a user key needs at least one attribute".into(),
			));
		}
		let names: Vec<&str> = attributes.iter().map(String::as_str).collect();
		guarded("CP-ABE key generation", || {
			ac17::cp_keygen(&self.master, &names)
		})?
		.map_err(|e| Error::Crypto(format!("CP-ABE key generation: {e}")))
	}
}

/// Wraps `secret` under `policy` (rabe's human language, as the chain's canonical text).
pub fn wrap(public: &PublicParams, policy: &str, secret: &[u8]) -> Result<WrappedKey, Error> {
	guarded("CP-ABE encryption", || {
		ac17::cp_encrypt(public, policy, secret, PolicyLanguage::HumanPolicy)
	})?
	.map_err(|e| Error::Crypto(format!("CP-ABE encryption under {policy}: {e}")))
}

/// Opens a wrapped secret with a user key whose attributes satisfy its policy.
pub fn unwrap(key: &UserKey, wrapped: &WrappedKey) -> Result<Vec<u8>, Error> {
	guarded("CP-ABE decryption", || ac17::cp_decrypt(key, wrapped))?.map_err(|_| {
		Error::Decrypt(format!(
			"this key's attributes {:?} do not satisfy the record's policy {}",
			key.attr, wrapped.policy.0
		))
	})
}

/// Runs `f`, turning a panic inside `rabe` into an error.
fn guarded<R>(what: &str, f: impl FnOnce() -> R) -> Result<R, Error> {
	std::panic::catch_unwind(std::panic::AssertUnwindSafe(f))
		.map_err(|_| Error::Crypto(format!("{what} failed on malformed input")))
}

#[cfg(test)]
mod tests {
	use super::*;

	fn names(list: &[&str]) -> Vec<String> {
		list.iter().map(|s| s.to_string()).collect()
	}

	#[test]
	fn matching_attributes_decrypt_and_others_do_not() {
		let authority = AuthorityKeys::generate().unwrap();
		// A canonical policy as the chain renders it (thresholds already expanded).
		let policy = r#"("role:cardiologist" and "org:hospital-a") or "role:emergency""#;
		let wrapped = wrap(&authority.public, policy, &[5u8; 32]).unwrap();

		for ok in [
			names(&["role:cardiologist", "org:hospital-a"]),
			names(&["role:emergency"]),
			names(&["org:hospital-a", "role:cardiologist", "role:nurse"]),
		] {
			let key = authority.user_key(&ok).unwrap();
			assert_eq!(unwrap(&key, &wrapped).unwrap(), vec![5u8; 32], "{ok:?}");
		}
		for refused in [
			names(&["role:cardiologist"]),
			names(&["org:hospital-a", "role:nurse"]),
			names(&["role:cardiologist-trainee", "org:hospital-a"]),
		] {
			let key = authority.user_key(&refused).unwrap();
			assert!(
				matches!(unwrap(&key, &wrapped), Err(Error::Decrypt(_))),
				"{refused:?}"
			);
		}
	}

	#[test]
	fn a_key_from_another_authority_does_not_decrypt() {
		let (one, two) = (
			AuthorityKeys::generate().unwrap(),
			AuthorityKeys::generate().unwrap(),
		);
		let wrapped = wrap(&one.public, r#""role:doctor""#, b"secret").unwrap();
		let foreign = two.user_key(&names(&["role:doctor"])).unwrap();
		assert!(unwrap(&foreign, &wrapped).map_or(true, |plain| plain != b"secret"));
	}

	#[test]
	fn malformed_policies_and_empty_keys_are_errors() {
		let authority = AuthorityKeys::generate().unwrap();
		assert!(wrap(&authority.public, r#""a:b" and"#, b"x").is_err());
		assert!(wrap(&authority.public, "", b"x").is_err());
		assert!(authority.user_key(&[]).is_err());
	}
}
