//! The local keystore: one file per account, encrypted under a passphrase.
//!
//! It holds the account's sr25519 secret (a secret URI: a dev path such as `//Alice`, a
//! mnemonic or a `0x` seed), the seed of its Umbral PRE keys, the CP-ABE user keys it was
//! issued (per authority), the public parameters of authorities it trusts, and, for an
//! attribute authority, its CP-ABE master key.
//!
//! On disk: JSON with the Argon2id parameters and salt, a random XChaCha20-Poly1305 nonce and
//! the ciphertext of the key material (associated data: the format tag). The key is Argon2id
//! of the passphrase (RFC 9106 second recommendation, 19 MiB / 2 passes). Files are written
//! atomically (temporary file, then rename) with mode 0600, so a crash never leaves a
//! half-written keystore.
//!
//! The same bytes without a file ([`seal`], [`open`]) are what a browser keeps (the dApp, with
//! no file system); [`Keystore`] is the file, for native programs (feature `native`).

use std::collections::BTreeMap;
#[cfg(feature = "native")]
use std::{
	fs,
	io::Write,
	path::{Path, PathBuf},
};

use argon2::{Algorithm, Argon2, Params, Version};
use chacha20poly1305::{aead::Aead, aead::Payload, KeyInit, XChaCha20Poly1305, XNonce};
use rand::RngCore;
use serde::{Deserialize, Serialize};
use subxt_signer::{sr25519::Keypair, SecretUri};
use zeroize::Zeroizing;

use crate::{abe, pre, Error};

const FORMAT: &str = "medchain-keystore/v1";

/// Everything secret an account holds.
#[derive(Clone, Serialize, Deserialize)]
pub struct KeyMaterial {
	/// The account's sr25519 secret URI.
	pub suri: String,
	/// Seed of the account's Umbral PRE keys.
	#[serde(with = "hex::serde")]
	pub pre_seed: [u8; pre::SEED_LEN],
	/// CP-ABE user keys, by issuing authority (SS58).
	#[serde(default)]
	pub abe_keys: BTreeMap<String, abe::UserKey>,
	/// Public parameters of trusted authorities, by authority (SS58).
	#[serde(default)]
	pub trusted_authorities: BTreeMap<String, abe::PublicParams>,
	/// This account's authority keys, if it is an attribute authority.
	#[serde(default)]
	pub authority: Option<abe::AuthorityKeys>,
}

impl KeyMaterial {
	/// New material for the account at `suri` with fresh PRE keys.
	pub fn new(suri: &str) -> Result<Self, Error> {
		keypair(suri)?;
		let mut pre_seed = [0u8; pre::SEED_LEN];
		rand::rngs::OsRng.fill_bytes(&mut pre_seed);
		Ok(Self {
			suri: suri.to_string(),
			pre_seed,
			abe_keys: BTreeMap::new(),
			trusted_authorities: BTreeMap::new(),
			authority: None,
		})
	}

	/// The account's sr25519 key pair.
	pub fn keypair(&self) -> Result<Keypair, Error> {
		keypair(&self.suri)
	}

	/// The account's Umbral keys.
	pub fn pre_keys(&self) -> Result<pre::PreKeys, Error> {
		pre::PreKeys::from_seed(&self.pre_seed)
	}
}

fn keypair(suri: &str) -> Result<Keypair, Error> {
	let uri: SecretUri = suri
		.parse()
		.map_err(|e| Error::Invalid(format!("secret URI: {e}")))?;
	Keypair::from_uri(&uri).map_err(|e| Error::Invalid(format!("secret URI: {e}")))
}

#[derive(Serialize, Deserialize)]
struct KdfParams {
	algorithm: String,
	#[serde(with = "hex::serde")]
	salt: [u8; 16],
	memory_kib: u32,
	passes: u32,
	lanes: u32,
}

#[derive(Serialize, Deserialize)]
struct KeystoreFile {
	format: String,
	kdf: KdfParams,
	#[serde(with = "hex::serde")]
	nonce: [u8; 24],
	#[serde(with = "hex::serde")]
	ciphertext: Vec<u8>,
}

fn derive_key(passphrase: &str, kdf: &KdfParams) -> Result<Zeroizing<[u8; 32]>, Error> {
	if kdf.algorithm != "argon2id" {
		return Err(Error::Keystore(format!("unknown KDF {}", kdf.algorithm)));
	}
	let params = Params::new(kdf.memory_kib, kdf.passes, kdf.lanes, Some(32))
		.map_err(|e| Error::Keystore(format!("KDF parameters: {e}")))?;
	let mut key = Zeroizing::new([0u8; 32]);
	Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
		.hash_password_into(passphrase.as_bytes(), &kdf.salt, key.as_mut())
		.map_err(|e| Error::Keystore(format!("KDF: {e}")))?;
	Ok(key)
}

/// Encrypts `material` under `passphrase`: the keystore's bytes (JSON), with a fresh salt and
/// nonce every time.
///
/// # Errors
/// [`Error::Keystore`] if the key derivation or encryption fails.
pub fn seal(passphrase: &str, material: &KeyMaterial) -> Result<Vec<u8>, Error> {
	let mut kdf = KdfParams {
		algorithm: "argon2id".into(),
		salt: [0u8; 16],
		memory_kib: Params::DEFAULT_M_COST,
		passes: Params::DEFAULT_T_COST,
		lanes: Params::DEFAULT_P_COST,
	};
	rand::rngs::OsRng.fill_bytes(&mut kdf.salt);
	let mut nonce = [0u8; 24];
	rand::rngs::OsRng.fill_bytes(&mut nonce);
	let key = derive_key(passphrase, &kdf)?;
	let plain =
		Zeroizing::new(serde_json::to_vec(material).map_err(|e| Error::Keystore(e.to_string()))?);
	let ciphertext = XChaCha20Poly1305::new(key.as_ref().into())
		.encrypt(
			XNonce::from_slice(&nonce),
			Payload {
				msg: &plain,
				aad: FORMAT.as_bytes(),
			},
		)
		.map_err(|_| Error::Keystore("encryption failed".into()))?;
	let file = KeystoreFile {
		format: FORMAT.into(),
		kdf,
		nonce,
		ciphertext,
	};
	serde_json::to_vec_pretty(&file).map_err(|e| Error::Keystore(e.to_string()))
}

/// Decrypts keystore bytes made by [`seal`]. A wrong passphrase and changed bytes give the same
/// error.
///
/// # Errors
/// [`Error::Keystore`] if the bytes are not a keystore, name an unknown format or KDF, or do not
/// open under `passphrase`.
pub fn open(passphrase: &str, bytes: &[u8]) -> Result<KeyMaterial, Error> {
	let file: KeystoreFile = serde_json::from_slice(bytes)
		.map_err(|e| Error::Keystore(format!("not a keystore: {e}")))?;
	if file.format != FORMAT {
		return Err(Error::Keystore(format!(
			"unknown keystore format {}",
			file.format
		)));
	}
	let key = derive_key(passphrase, &file.kdf)?;
	let cipher = XChaCha20Poly1305::new(key.as_ref().into());
	let plain = Zeroizing::new(
		cipher
			.decrypt(
				XNonce::from_slice(&file.nonce),
				Payload {
					msg: &file.ciphertext,
					aad: FORMAT.as_bytes(),
				},
			)
			.map_err(|_| Error::Keystore("wrong passphrase, or the keystore was changed".into()))?,
	);
	serde_json::from_slice(&plain).map_err(|e| Error::Keystore(format!("key material: {e}")))
}

/// A keystore file and its passphrase.
#[cfg(feature = "native")]
pub struct Keystore {
	path: PathBuf,
	passphrase: Zeroizing<String>,
}

#[cfg(feature = "native")]
impl Keystore {
	/// A keystore file at `path`, opened with `passphrase`.
	pub fn new(path: impl Into<PathBuf>, passphrase: &str) -> Self {
		Self {
			path: path.into(),
			passphrase: Zeroizing::new(passphrase.to_string()),
		}
	}

	/// The keystore file's path.
	pub fn path(&self) -> &Path {
		&self.path
	}

	/// Decrypts the key material. A wrong passphrase and a changed file give the same error.
	pub fn load(&self) -> Result<KeyMaterial, Error> {
		let bytes = fs::read(&self.path)
			.map_err(|e| Error::Keystore(format!("reading {}: {e}", self.path.display())))?;
		open(&self.passphrase, &bytes).map_err(|e| match e {
			Error::Keystore(why) => Error::Keystore(format!("{}: {why}", self.path.display())),
			other => other,
		})
	}

	/// Encrypts and writes `material` (a fresh salt and nonce every time).
	pub fn save(&self, material: &KeyMaterial) -> Result<(), Error> {
		write_private(&self.path, &seal(&self.passphrase, material)?)
	}

	/// Creates a keystore for `suri`; refuses to overwrite an existing file.
	pub fn create(&self, suri: &str) -> Result<KeyMaterial, Error> {
		if self.path.exists() {
			return Err(Error::Keystore(format!(
				"{} exists; refusing to overwrite a keystore",
				self.path.display()
			)));
		}
		let material = KeyMaterial::new(suri)?;
		self.save(&material)?;
		Ok(material)
	}

	/// Loads, changes and saves the material.
	pub fn update<R>(
		&self,
		change: impl FnOnce(&mut KeyMaterial) -> Result<R, Error>,
	) -> Result<R, Error> {
		let mut material = self.load()?;
		let result = change(&mut material)?;
		self.save(&material)?;
		Ok(result)
	}
}

/// Writes `bytes` to `path` atomically, readable by the owner only.
#[cfg(feature = "native")]
pub fn write_private(path: &Path, bytes: &[u8]) -> Result<(), Error> {
	let dir = path
		.parent()
		.filter(|p| !p.as_os_str().is_empty())
		.unwrap_or(Path::new("."));
	fs::create_dir_all(dir)?;
	let mut temp = tempfile::NamedTempFile::new_in(dir)?;
	#[cfg(unix)]
	{
		use std::os::unix::fs::PermissionsExt;
		temp.as_file()
			.set_permissions(fs::Permissions::from_mode(0o600))?;
	}
	temp.write_all(bytes)?;
	temp.as_file().sync_all()?;
	temp.persist(path).map_err(|e| Error::Io(e.error))?;
	Ok(())
}

#[cfg(test)]
mod tests {
	use super::*;

	#[test]
	fn keystore_bytes_open_only_under_their_passphrase() {
		let material = KeyMaterial::new("//Alice").unwrap();
		let sealed = seal("correct horse", &material).unwrap();
		let opened = open("correct horse", &sealed).unwrap();
		assert_eq!(opened.suri, "//Alice");
		assert_eq!(opened.pre_seed, material.pre_seed);
		assert!(matches!(open("wrong", &sealed), Err(Error::Keystore(_))));
		assert!(matches!(
			open("correct horse", b"{}"),
			Err(Error::Keystore(_))
		));
		// Two seals of the same material differ (fresh salt and nonce) and both open.
		let again = seal("correct horse", &material).unwrap();
		assert_ne!(sealed, again);
		assert_eq!(open("correct horse", &again).unwrap().suri, "//Alice");
	}

	#[cfg(feature = "native")]
	#[test]
	fn material_round_trips_and_the_passphrase_is_required() {
		let dir = tempfile::tempdir().unwrap();
		let path = dir.path().join("alice.json");
		let store = Keystore::new(&path, "correct horse");
		let created = store.create("//Alice").unwrap();
		assert!(store.create("//Alice").is_err(), "never overwrites");
		let loaded = store.load().unwrap();
		assert_eq!(loaded.suri, "//Alice");
		assert_eq!(loaded.pre_seed, created.pre_seed);
		assert_eq!(
			loaded.keypair().unwrap().public_key().0,
			subxt_signer::sr25519::dev::alice().public_key().0
		);
		assert!(matches!(
			Keystore::new(&path, "wrong").load(),
			Err(Error::Keystore(_))
		));
		let text = fs::read_to_string(&path).unwrap();
		assert!(
			!text.contains("Alice"),
			"the secret URI is not stored in clear"
		);

		// A changed ciphertext byte is refused like a wrong passphrase.
		let mut file: serde_json::Value = serde_json::from_str(&text).unwrap();
		let ct = file["ciphertext"].as_str().unwrap().to_string();
		let flipped = format!(
			"{}{}",
			if ct.starts_with('0') { "1" } else { "0" },
			&ct[1..]
		);
		file["ciphertext"] = flipped.into();
		fs::write(&path, file.to_string()).unwrap();
		assert!(store.load().is_err());
	}

	#[cfg(feature = "native")]
	#[test]
	fn updates_persist() {
		let dir = tempfile::tempdir().unwrap();
		let store = Keystore::new(dir.path().join("k.json"), "pw");
		store.create("//Bob").unwrap();
		let authority = abe::AuthorityKeys::generate(
			"5FHneW46xGXgs5mUiveU4sbTyGBzmstUspZC92UhjJM694ty",
			&["role:doctor".into()],
		)
		.unwrap();
		store
			.update(|m| {
				m.authority = Some(authority.clone());
				Ok(())
			})
			.unwrap();
		assert!(store.load().unwrap().authority.is_some());
	}
}
