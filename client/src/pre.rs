//! Umbral threshold proxy re-encryption (`umbral-pre` 0.11), as MedChain uses it.
//!
//! - Every account's PRE keys derive from one 32-byte seed kept in its keystore: an
//!   encrypting key (data keys are wrapped to its public half) and a signing key (it signs the
//!   key fragments the owner issues). Both public halves are registered on chain.
//! - A grant is scoped to one record by a fresh **grant key**: the owner opens the record's
//!   data key (wrapped to the owner's key) and wraps it again to the grant key alone. The
//!   grant key's right to decrypt is split for the grantee into `n` key fragments, any `m` of
//!   which suffice, signed with the owner's signing key. Each proxy gets one fragment
//!   (encrypted to the proxy's registered Umbral key) and the grant's capsule; it can only
//!   ever re-encrypt that one data key, so a grant for one record opens no other record.
//! - A proxy re-encrypts the grant's capsule with its fragment; the grantee checks each
//!   capsule fragment against the owner's verifying key, the grant key and its own key before
//!   combining `m` of them.

use umbral_pre::{
	Capsule, CapsuleFrag, DefaultDeserialize, DefaultSerialize, KeyFrag, PublicKey, SecretKey,
	SecretKeyFactory, Signer, VerifiedCapsuleFrag, VerifiedKeyFrag,
};

use crate::Error;

/// Length of a PRE key seed.
pub const SEED_LEN: usize = 32;

/// An account's PRE key pair, derived from its seed.
pub struct PreKeys {
	encrypting: SecretKey,
	signing: SecretKey,
}

/// Public halves as registered on chain (`KeyGrants.register_pre_keys`): compressed points.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PrePublicKeys {
	/// The Umbral public key (compressed point).
	pub public_key: [u8; 33],
	/// The Umbral verifying key (compressed point).
	pub verifying_key: [u8; 33],
}

impl PreKeys {
	/// The keys derived from `seed` (32 random bytes from the keystore).
	pub fn from_seed(seed: &[u8; SEED_LEN]) -> Result<Self, Error> {
		let factory = SecretKeyFactory::from_secure_randomness(seed)
			.map_err(|e| Error::Crypto(format!("PRE seed: {e}")))?;
		Ok(Self {
			encrypting: factory.make_key(b"medchain/pre/encrypting/v1"),
			signing: factory.make_key(b"medchain/pre/signing/v1"),
		})
	}

	/// The public halves to register on chain.
	pub fn public(&self) -> PrePublicKeys {
		PrePublicKeys {
			public_key: compressed(&self.encrypting.public_key()),
			verifying_key: compressed(&self.signing.public_key()),
		}
	}

	/// The encrypting secret key.
	pub fn secret(&self) -> &SecretKey {
		&self.encrypting
	}

	/// The signing key (it signs key fragments).
	pub fn signing(&self) -> &SecretKey {
		&self.signing
	}
}

/// A fresh one-grant key pair.
pub fn grant_key() -> SecretKey {
	SecretKey::random()
}

/// Splits the right to decrypt what is wrapped to `delegating` into `shares` fragments for
/// `grantee`, any `threshold` of which suffice, signed by `signing` (the owner's signing key).
/// Fragments sign both public keys, so a proxy can check who issued them for whom.
pub fn key_fragments(
	delegating: &SecretKey,
	signing: &SecretKey,
	grantee: &[u8; 33],
	threshold: usize,
	shares: usize,
) -> Result<Vec<Vec<u8>>, Error> {
	if threshold == 0 || threshold > shares {
		return Err(Error::Invalid(format!(
			"threshold {threshold} must be between 1 and {shares}"
		)));
	}
	let grantee = public_key(grantee)?;
	umbral_pre::generate_kfrags(
		delegating,
		&grantee,
		&Signer::new(signing.clone()),
		threshold,
		shares,
		true,
		true,
	)
	.iter()
	.map(to_bytes)
	.collect()
}

/// The compressed (33-byte) form of an Umbral public key.
pub fn compressed(key: &PublicKey) -> [u8; 33] {
	let bytes = key.to_compressed_bytes();
	let mut out = [0u8; 33];
	out.copy_from_slice(&bytes);
	out
}

/// The compressed public half of `key`.
pub fn public_of(key: &SecretKey) -> [u8; 33] {
	compressed(&key.public_key())
}

/// Parses a compressed public key.
pub fn public_key(bytes: &[u8; 33]) -> Result<PublicKey, Error> {
	PublicKey::try_from_compressed_bytes(bytes)
		.map_err(|e| Error::Crypto(format!("Umbral public key: {e}")))
}

/// A wrapped secret: the capsule and the DEM ciphertext.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Wrapped {
	/// The Umbral capsule.
	#[serde(with = "hex::serde")]
	pub capsule: Vec<u8>,
	/// The ciphertext under the capsule's key.
	#[serde(with = "hex::serde")]
	pub ciphertext: Vec<u8>,
}

/// Encrypts `secret` to `recipient` (a compressed Umbral public key).
pub fn wrap(recipient: &[u8; 33], secret: &[u8]) -> Result<Wrapped, Error> {
	let (capsule, ciphertext) = umbral_pre::encrypt(&public_key(recipient)?, secret)
		.map_err(|e| Error::Crypto(format!("Umbral encryption: {e}")))?;
	Ok(Wrapped {
		capsule: to_bytes(&capsule)?,
		ciphertext: ciphertext.into_vec(),
	})
}

/// Decrypts what was wrapped to `keys`' own public key.
pub fn unwrap_own(keys: &PreKeys, wrapped: &Wrapped) -> Result<Vec<u8>, Error> {
	unwrap_with(&keys.encrypting, wrapped)
}

/// Decrypts what was wrapped to `secret`'s public key.
pub fn unwrap_with(secret: &SecretKey, wrapped: &Wrapped) -> Result<Vec<u8>, Error> {
	let capsule = capsule(&wrapped.capsule)?;
	umbral_pre::decrypt_original(secret, &capsule, &wrapped.ciphertext)
		.map(|plain| plain.into_vec())
		.map_err(|_| Error::Decrypt("the PRE-wrapped key does not open with this key".into()))
}

/// Parses a serialised capsule.
pub fn capsule(bytes: &[u8]) -> Result<Capsule, Error> {
	Capsule::from_bytes(bytes).map_err(|e| Error::Invalid(format!("malformed capsule: {e}")))
}

/// A proxy's check of a fragment it received: signed by the owner's `verifying_key`, from
/// `delegating` (the grant key) for `grantee`. Returns the fragment ready to re-encrypt with.
pub fn verify_key_fragment(
	bytes: &[u8],
	verifying_key: &[u8; 33],
	delegating: &[u8; 33],
	grantee: &[u8; 33],
) -> Result<VerifiedKeyFrag, Error> {
	let kfrag = KeyFrag::from_bytes(bytes)
		.map_err(|e| Error::Invalid(format!("malformed key fragment: {e}")))?;
	kfrag
		.verify(
			&public_key(verifying_key)?,
			Some(&public_key(delegating)?),
			Some(&public_key(grantee)?),
		)
		.map_err(|(e, _)| Error::Invalid(format!("key fragment does not verify: {e}")))
}

/// A proxy's re-encryption of `capsule` with its verified fragment: the serialised capsule
/// fragment.
pub fn reencrypt(capsule_bytes: &[u8], kfrag: VerifiedKeyFrag) -> Result<Vec<u8>, Error> {
	let capsule = capsule(capsule_bytes)?;
	to_bytes(&umbral_pre::reencrypt(&capsule, kfrag))
}

/// The grantee's check of one capsule fragment from a proxy: made from `capsule` with a
/// fragment the owner (`verifying_key`) issued from `delegating` for `grantee`.
pub fn verify_capsule_fragment(
	bytes: &[u8],
	capsule_bytes: &[u8],
	verifying_key: &[u8; 33],
	delegating: &[u8; 33],
	grantee: &[u8; 33],
) -> Result<VerifiedCapsuleFrag, Error> {
	let cfrag = CapsuleFrag::from_bytes(bytes)
		.map_err(|e| Error::Invalid(format!("malformed capsule fragment: {e}")))?;
	cfrag
		.verify(
			&capsule(capsule_bytes)?,
			&public_key(verifying_key)?,
			&public_key(delegating)?,
			&public_key(grantee)?,
		)
		.map_err(|(e, _)| Error::Invalid(format!("capsule fragment does not verify: {e}")))
}

/// The grantee opens what was wrapped to `delegating` with verified capsule fragments.
pub fn unwrap_delegated(
	grantee: &PreKeys,
	delegating: &[u8; 33],
	wrapped: &Wrapped,
	cfrags: Vec<VerifiedCapsuleFrag>,
) -> Result<Vec<u8>, Error> {
	let capsule = capsule(&wrapped.capsule)?;
	umbral_pre::decrypt_reencrypted(
		&grantee.encrypting,
		&public_key(delegating)?,
		&capsule,
		cfrags,
		&wrapped.ciphertext,
	)
	.map(|plain| plain.into_vec())
	.map_err(|e| Error::Decrypt(format!("re-encrypted key does not open: {e}")))
}

fn to_bytes(value: &impl DefaultSerialize) -> Result<Vec<u8>, Error> {
	value
		.to_bytes()
		.map(|bytes| bytes.into_vec())
		.map_err(|e| Error::Crypto(format!("Umbral serialisation: {e}")))
}

#[cfg(test)]
mod tests {
	use super::*;

	fn keys(byte: u8) -> PreKeys {
		PreKeys::from_seed(&[byte; SEED_LEN]).unwrap()
	}

	/// The owner re-wraps a data key to a grant key and splits it 2-of-3 for the grantee.
	fn granted(owner: &PreKeys, grantee: &PreKeys) -> ([u8; 33], Wrapped, Vec<Vec<u8>>) {
		let grant = grant_key();
		let wrapped = wrap(&public_of(&grant), &[42u8; 32]).unwrap();
		let kfrags =
			key_fragments(&grant, owner.signing(), &grantee.public().public_key, 2, 3).unwrap();
		(public_of(&grant), wrapped, kfrags)
	}

	#[test]
	fn owner_unwraps_and_m_of_n_fragments_unwrap_for_the_grantee() {
		let (owner, grantee, stranger) = (keys(1), keys(2), keys(3));
		let own = wrap(&owner.public().public_key, &[7u8; 32]).unwrap();
		assert_eq!(unwrap_own(&owner, &own).unwrap(), [7u8; 32]);
		assert!(unwrap_own(&grantee, &own).is_err());

		let (delegating, wrapped, kfrags) = granted(&owner, &grantee);
		let grantee_pk = grantee.public().public_key;
		let verifying = owner.public().verifying_key;
		let cfrags: Vec<Vec<u8>> = kfrags
			.iter()
			.map(|k| {
				let verified =
					verify_key_fragment(k, &verifying, &delegating, &grantee_pk).unwrap();
				reencrypt(&wrapped.capsule, verified).unwrap()
			})
			.collect();
		let verified = |bytes: &Vec<u8>| {
			verify_capsule_fragment(
				bytes,
				&wrapped.capsule,
				&verifying,
				&delegating,
				&grantee_pk,
			)
			.unwrap()
		};
		// Any two of three suffice.
		for pair in [[0, 1], [1, 2], [0, 2]] {
			let chosen = pair.iter().map(|&i| verified(&cfrags[i])).collect();
			assert_eq!(
				unwrap_delegated(&grantee, &delegating, &wrapped, chosen).unwrap(),
				[42u8; 32]
			);
		}
		// Fewer than m cannot decrypt.
		assert!(
			unwrap_delegated(&grantee, &delegating, &wrapped, vec![verified(&cfrags[0])]).is_err()
		);
		// Nor can anyone but the grantee, with m fragments.
		assert!(unwrap_delegated(
			&stranger,
			&delegating,
			&wrapped,
			vec![verified(&cfrags[0]), verified(&cfrags[1])]
		)
		.is_err());
	}

	#[test]
	fn fragments_are_checked_against_owner_grant_key_and_grantee() {
		let (owner, grantee, stranger) = (keys(1), keys(2), keys(3));
		let (delegating, wrapped, kfrags) = granted(&owner, &grantee);
		let grantee_pk = grantee.public().public_key;
		let verifying = owner.public().verifying_key;
		assert!(verify_key_fragment(&kfrags[0], &verifying, &delegating, &grantee_pk).is_ok());
		// Not signed by this owner, not for this grant key, not for this grantee, not a kfrag.
		let other_signer = stranger.public().verifying_key;
		assert!(verify_key_fragment(&kfrags[0], &other_signer, &delegating, &grantee_pk).is_err());
		let other_key = public_of(&grant_key());
		assert!(verify_key_fragment(&kfrags[0], &verifying, &other_key, &grantee_pk).is_err());
		let other_grantee = stranger.public().public_key;
		assert!(verify_key_fragment(&kfrags[0], &verifying, &delegating, &other_grantee).is_err());
		assert!(verify_key_fragment(&[1, 2, 3], &verifying, &delegating, &grantee_pk).is_err());
		assert!(key_fragments(&grant_key(), owner.signing(), &grantee_pk, 3, 2).is_err());

		// A capsule fragment made for another capsule is refused.
		let other = wrap(&delegating, b"other").unwrap();
		let verified =
			verify_key_fragment(&kfrags[0], &verifying, &delegating, &grantee_pk).unwrap();
		let cfrag = reencrypt(&other.capsule, verified).unwrap();
		assert!(verify_capsule_fragment(
			&cfrag,
			&wrapped.capsule,
			&verifying,
			&delegating,
			&grantee_pk
		)
		.is_err());
	}

	#[test]
	fn keys_are_deterministic_per_seed() {
		assert_eq!(keys(9).public(), keys(9).public());
		assert_ne!(keys(9).public(), keys(8).public());
		assert_ne!(keys(9).public().public_key, keys(9).public().verifying_key);
	}
}
