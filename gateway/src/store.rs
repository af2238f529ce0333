//! The gateway's files: blobs by CID, key fragments by grant, the audit log, the erase cursor.
//!
//! ```text
//! <data>/blobs/<cid>        ciphertext envelopes, named by their CIDv1
//! <data>/owners/<cid>       who uploaded each blob and its size (for per-account quotas)
//! <data>/tmp/               uploads in progress (renamed into blobs/ once complete)
//! <data>/grants/<id>.json   key-fragment deliveries (the fragment is encrypted to us)
//! <data>/grants/<id>.cfrag  the capsule fragment served for a grant, saved before it is attested
//! <data>/grants/<id>.attested  the block its attestation was seen in (written once on chain)
//! <data>/audit.jsonl        one line per served read or re-encryption
//! <data>/erase-cursor       last finalised block scanned for erasures
//! ```
//!
//! Every file is written to a temporary name and renamed, so a crash leaves either the old
//! or the new file, never half of one.

use std::{
	collections::HashMap,
	fs,
	io::Write,
	path::{Path, PathBuf},
	sync::Mutex,
};

use medchain_client::{content_id::ContentHasher, keystore::write_private, Error};

/// Where everything lives.
pub struct Store {
	root: PathBuf,
	audit: Mutex<()>,
	usage: Mutex<Usage>,
}

/// Bytes stored, per uploader and in total.
#[derive(Default)]
struct Usage {
	per_account: HashMap<String, u64>,
	total: u64,
}

/// Why an upload does not fit.
#[derive(Debug, PartialEq, Eq)]
pub enum NoRoom {
	/// The uploader's quota would be exceeded.
	Quota { used: u64, quota: u64 },
	/// The store's budget would be exceeded.
	Store { used: u64, budget: u64 },
}

/// Why a complete upload was not stored.
#[derive(Debug, PartialEq, Eq)]
pub enum Rejected {
	/// Its bytes have another CID (given) than the one signed for.
	CidMismatch(String),
	/// It does not fit.
	NoRoom(NoRoom),
}

/// How much an upload may take.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
	/// Bytes one uploader may keep stored.
	pub per_account: u64,
	/// Bytes the whole store may hold.
	pub total: u64,
}

impl Store {
	/// Opens (creating if needed) the store under `root`.
	pub fn open(root: &Path) -> Result<Self, Error> {
		for dir in ["blobs", "tmp", "grants", "owners"] {
			fs::create_dir_all(root.join(dir))?;
		}
		// Uploads interrupted by a crash or restart are garbage.
		for entry in fs::read_dir(root.join("tmp"))? {
			let _ = fs::remove_file(entry?.path());
		}
		let mut usage = Usage::default();
		for entry in fs::read_dir(root.join("blobs"))? {
			let entry = entry?;
			let size = entry.metadata()?.len();
			usage.total = usage.total.saturating_add(size);
			let name = entry.file_name();
			if let Some((uploader, _)) = read_owner(&root.join("owners").join(&name))? {
				let used = usage.per_account.entry(uploader).or_default();
				*used = used.saturating_add(size);
			}
		}
		Ok(Self {
			root: root.to_path_buf(),
			audit: Mutex::new(()),
			usage: Mutex::new(usage),
		})
	}

	/// Whether `size` more bytes from `uploader` fit within `limits` now.
	pub fn room_for(&self, uploader: &str, size: u64, limits: Limits) -> Result<(), NoRoom> {
		let usage = self.usage.lock().unwrap_or_else(|p| p.into_inner());
		usage.room_for(uploader, size, limits)
	}

	fn owner_path(&self, cid: &str) -> Result<PathBuf, Error> {
		let parsed = medchain_client::content_id::parse(cid)
			.map_err(|e| Error::Invalid(format!("not a CID: {cid}: {e}")))?;
		Ok(self.root.join("owners").join(parsed.to_string()))
	}

	/// Path of the blob named `cid` (a CID's canonical text; anything else is refused).
	pub fn blob_path(&self, cid: &str) -> Result<PathBuf, Error> {
		let parsed = medchain_client::content_id::parse(cid)
			.map_err(|e| Error::Invalid(format!("not a CID: {cid}: {e}")))?;
		Ok(self.root.join("blobs").join(parsed.to_string()))
	}

	/// Whether blob `cid` is stored.
	pub fn has_blob(&self, cid: &str) -> bool {
		self.blob_path(cid).is_ok_and(|p| p.is_file())
	}

	/// Deletes a blob and its owner entry, giving its bytes back to the uploader's quota;
	/// `true` if there was one.
	pub fn delete_blob(&self, cid: &str) -> Result<bool, Error> {
		let path = self.blob_path(cid)?;
		let size = match fs::metadata(&path) {
			Ok(meta) => meta.len(),
			Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(false),
			Err(e) => return Err(e.into()),
		};
		let owner_path = self.owner_path(cid)?;
		let owner = read_owner(&owner_path)?;
		let mut usage = self.usage.lock().unwrap_or_else(|p| p.into_inner());
		match fs::remove_file(&path) {
			Ok(()) => {}
			Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(false),
			Err(e) => return Err(e.into()),
		}
		let _ = fs::remove_file(&owner_path);
		usage.total = usage.total.saturating_sub(size);
		if let Some((uploader, _)) = owner {
			if let Some(used) = usage.per_account.get_mut(&uploader) {
				*used = used.saturating_sub(size);
			}
		}
		Ok(true)
	}

	/// A new upload's temporary file.
	pub fn new_upload(&self) -> Result<Upload, Error> {
		Ok(Upload {
			file: tempfile::NamedTempFile::new_in(self.root.join("tmp"))?,
			hasher: ContentHasher::new(),
			size: 0,
		})
	}

	fn grant_path(&self, grant: u64, extension: &str) -> PathBuf {
		self.root
			.join("grants")
			.join(format!("{grant}.{extension}"))
	}

	/// Writes grant `grant`'s file with `extension` (its key fragment, capsule, attestation marker).
	pub fn save_grant_file(&self, grant: u64, extension: &str, bytes: &[u8]) -> Result<(), Error> {
		write_private(&self.grant_path(grant, extension), bytes)
	}

	/// Reads grant `grant`'s file with `extension`, if present.
	pub fn grant_file(&self, grant: u64, extension: &str) -> Result<Option<Vec<u8>>, Error> {
		read_optional(&self.grant_path(grant, extension))
	}

	/// The grants this store keeps files for.
	pub fn grant_ids(&self) -> Result<Vec<u64>, Error> {
		let mut ids = std::collections::BTreeSet::new();
		for entry in fs::read_dir(self.root.join("grants"))? {
			let name = entry?.file_name();
			if let Some(id) = name
				.to_str()
				.and_then(|n| n.split('.').next())
				.and_then(|n| n.parse().ok())
			{
				ids.insert(id);
			}
		}
		Ok(ids.into_iter().collect())
	}

	/// Removes every file kept for `grant` (its key fragment and capsule fragment).
	pub fn remove_grant_files(&self, grant: u64) -> Result<(), Error> {
		for extension in ["json", "cfrag", "attested"] {
			match fs::remove_file(self.grant_path(grant, extension)) {
				Ok(()) => {}
				Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
				Err(e) => return Err(e.into()),
			}
		}
		Ok(())
	}

	/// Appends one line to the audit log (flushed and synced before returning).
	pub fn audit(&self, entry: &serde_json::Value) -> Result<(), Error> {
		self.append_audit(entry, true)
	}

	/// Appends one line to the audit log without waiting for the disk: for entries whose
	/// durable record is elsewhere (a served read's is the receipts journal, synced before
	/// the read is served), so that concurrent reads do not queue behind one `fsync` each.
	pub fn audit_unsynced(&self, entry: &serde_json::Value) -> Result<(), Error> {
		self.append_audit(entry, false)
	}

	fn append_audit(&self, entry: &serde_json::Value, sync: bool) -> Result<(), Error> {
		let _guard = self.audit.lock().unwrap_or_else(|p| p.into_inner());
		let mut file = fs::OpenOptions::new()
			.create(true)
			.append(true)
			.open(self.root.join("audit.jsonl"))?;
		writeln!(file, "{entry}")?;
		if sync {
			file.sync_data()?;
		}
		Ok(())
	}

	/// Path of the erase cursor (for error messages).
	pub fn erase_cursor_path(&self) -> PathBuf {
		self.root.join("erase-cursor")
	}

	/// The last finalised block scanned for erasures; `None` for a new store. A cursor that
	/// exists but cannot be read or parsed is an error, never "start from now": that would
	/// silently skip every erasure finalised while the gateway was down.
	pub fn erase_cursor(&self) -> Result<Option<u64>, Error> {
		let path = self.erase_cursor_path();
		let Some(bytes) = read_optional(&path)? else {
			return Ok(None);
		};
		String::from_utf8(bytes)
			.ok()
			.and_then(|text| text.trim().parse().ok())
			.map(Some)
			.ok_or_else(|| {
				Error::Invalid(format!(
					"the erase cursor {} is not a block number",
					path.display()
				))
			})
	}

	/// Every stored blob's CID text with the time it was last written.
	pub fn blobs(&self) -> Result<Vec<(String, std::time::SystemTime)>, Error> {
		let mut found = Vec::new();
		for entry in fs::read_dir(self.root.join("blobs"))? {
			let entry = entry?;
			let Ok(name) = entry.file_name().into_string() else {
				continue;
			};
			let modified = entry.metadata()?.modified()?;
			found.push((name, modified));
		}
		Ok(found)
	}

	/// Saves the last finalised block the erasure follower scanned.
	pub fn set_erase_cursor(&self, block: u64) -> Result<(), Error> {
		write_private(
			&self.root.join("erase-cursor"),
			block.to_string().as_bytes(),
		)
	}
}

impl Usage {
	fn room_for(&self, uploader: &str, size: u64, limits: Limits) -> Result<(), NoRoom> {
		let used = self.per_account.get(uploader).copied().unwrap_or(0);
		if used.saturating_add(size) > limits.per_account {
			return Err(NoRoom::Quota {
				used,
				quota: limits.per_account,
			});
		}
		if self.total.saturating_add(size) > limits.total {
			return Err(NoRoom::Store {
				used: self.total,
				budget: limits.total,
			});
		}
		Ok(())
	}
}

/// The uploader and size recorded for a blob, if any (an unreadable entry counts as none:
/// the blob is then charged to nobody, never lost).
fn read_owner(path: &Path) -> Result<Option<(String, u64)>, Error> {
	let Some(bytes) = read_optional(path)? else {
		return Ok(None);
	};
	let entry: serde_json::Value = match serde_json::from_slice(&bytes) {
		Ok(entry) => entry,
		Err(_) => return Ok(None),
	};
	Ok(entry["uploader"]
		.as_str()
		.zip(entry["size"].as_u64())
		.map(|(uploader, size)| (uploader.to_string(), size)))
}

/// The bytes of the file at `path`, or `None` if there is none.
fn read_optional(path: &Path) -> Result<Option<Vec<u8>>, Error> {
	match fs::read(path) {
		Ok(bytes) => Ok(Some(bytes)),
		Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
		Err(e) => Err(e.into()),
	}
}

/// An upload being received: bytes go to a temporary file and through the CID hasher.
pub struct Upload {
	file: tempfile::NamedTempFile,
	hasher: ContentHasher,
	size: u64,
}

impl Upload {
	/// Bytes written so far.
	pub fn size(&self) -> u64 {
		self.size
	}

	/// Appends `bytes` to the upload.
	pub fn write(&mut self, bytes: &[u8]) -> Result<(), Error> {
		self.file.write_all(bytes)?;
		self.hasher.update(bytes);
		self.size += bytes.len() as u64;
		Ok(())
	}

	/// Syncs and moves the upload to `blobs/<cid>`, charged to `uploader`, if its CID is
	/// `expected` (binary) and it still fits within `limits` (checked again here, under the
	/// lock, so concurrent uploads cannot overshoot together). Otherwise the upload is
	/// discarded. Storing a blob that is already stored changes nothing.
	pub fn finish(
		mut self,
		store: &Store,
		uploader: &str,
		limits: Limits,
		expected: &[u8],
	) -> Result<Result<medchain_client::content_id::ContentSummary, Rejected>, Error> {
		self.file.flush()?;
		self.file.as_file().sync_all()?;
		let summary = self.hasher.finish();
		if summary.cid.to_bytes() != expected {
			return Ok(Err(Rejected::CidMismatch(summary.cid.to_string())));
		}
		let cid = summary.cid.to_string();
		let path = store.blob_path(&cid)?;
		let mut usage = store.usage.lock().unwrap_or_else(|p| p.into_inner());
		if path.is_file() {
			return Ok(Ok(summary));
		}
		if let Err(no_room) = usage.room_for(uploader, self.size, limits) {
			return Ok(Err(Rejected::NoRoom(no_room)));
		}
		write_private(
			&store.owner_path(&cid)?,
			serde_json::json!({ "uploader": uploader, "size": self.size })
				.to_string()
				.as_bytes(),
		)?;
		self.file.persist(&path).map_err(|e| Error::Io(e.error))?;
		usage.total = usage.total.saturating_add(self.size);
		let used = usage.per_account.entry(uploader.to_string()).or_default();
		*used = used.saturating_add(self.size);
		Ok(Ok(summary))
	}
}

#[cfg(test)]
mod tests {
	use super::*;

	const LIMITS: Limits = Limits {
		per_account: 1_000,
		total: 1_500,
	};

	fn cid_of(bytes: &[u8]) -> Vec<u8> {
		let mut hasher = ContentHasher::new();
		hasher.update(bytes);
		hasher.finish().cid.to_bytes()
	}

	fn put(store: &Store, uploader: &str, bytes: &[u8]) -> Result<String, Rejected> {
		let mut upload = store.new_upload().unwrap();
		upload.write(bytes).unwrap();
		upload
			.finish(store, uploader, LIMITS, &cid_of(bytes))
			.unwrap()
			.map(|summary| summary.cid.to_string())
	}

	#[test]
	fn quotas_are_charged_per_uploader_and_given_back_on_delete() {
		let dir = tempfile::tempdir().unwrap();
		let store = Store::open(dir.path()).unwrap();
		let first = put(&store, "alice", &[1u8; 600]).unwrap();
		assert_eq!(
			store.room_for("alice", 600, LIMITS),
			Err(NoRoom::Quota {
				used: 600,
				quota: 1_000
			})
		);
		assert!(matches!(
			put(&store, "alice", &[2u8; 600]),
			Err(Rejected::NoRoom(NoRoom::Quota { .. }))
		));
		// Storing the same blob again charges nothing.
		assert_eq!(put(&store, "alice", &[1u8; 600]).unwrap(), first);
		put(&store, "bob", &[3u8; 800]).unwrap();
		assert!(matches!(
			put(&store, "carol", &[4u8; 200]),
			Err(Rejected::NoRoom(NoRoom::Store {
				used: 1_400,
				budget: 1_500
			}))
		));
		assert!(store.delete_blob(&first).unwrap());
		assert!(!store.delete_blob(&first).unwrap());
		assert_eq!(
			store.room_for("alice", 1_000, LIMITS),
			Err(NoRoom::Store {
				used: 800,
				budget: 1_500
			})
		);
		assert_eq!(store.room_for("alice", 600, LIMITS), Ok(()));
		// Usage survives a restart.
		drop(store);
		let reopened = Store::open(dir.path()).unwrap();
		assert_eq!(
			reopened.room_for("bob", 300, LIMITS),
			Err(NoRoom::Quota {
				used: 800,
				quota: 1_000
			})
		);
	}

	#[test]
	fn bytes_with_another_cid_are_not_stored() {
		let dir = tempfile::tempdir().unwrap();
		let store = Store::open(dir.path()).unwrap();
		let mut upload = store.new_upload().unwrap();
		upload.write(&[5u8; 100]).unwrap();
		let rejected = upload
			.finish(&store, "mallory", LIMITS, &cid_of(&[6u8; 100]))
			.unwrap();
		assert!(matches!(rejected, Err(Rejected::CidMismatch(_))));
		assert!(store.blobs().unwrap().is_empty());
		assert_eq!(fs::read_dir(dir.path().join("tmp")).unwrap().count(), 0);
	}

	#[test]
	fn an_unreadable_erase_cursor_is_an_error_not_a_fresh_start() {
		let dir = tempfile::tempdir().unwrap();
		let store = Store::open(dir.path()).unwrap();
		assert_eq!(store.erase_cursor().unwrap(), None);
		store.set_erase_cursor(42).unwrap();
		assert_eq!(store.erase_cursor().unwrap(), Some(42));
		fs::write(store.erase_cursor_path(), b"garbage").unwrap();
		assert!(store.erase_cursor().is_err());
	}
}
