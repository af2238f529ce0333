//! The gateway's files: blobs by CID, key fragments by grant, the audit log, the erase cursor.
//!
//! ```text
//! <data>/blobs/<cid>        ciphertext envelopes, named by their CIDv1
//! <data>/tmp/               uploads in progress (renamed into blobs/ once complete)
//! <data>/grants/<id>.json   key-fragment deliveries (the fragment is encrypted to us)
//! <data>/grants/<id>.cfrag  the capsule fragment served for a grant (attested once on chain)
//! <data>/audit.jsonl        one line per served read or re-encryption
//! <data>/erase-cursor       last finalised block scanned for erasures
//! ```
//!
//! Every file is written to a temporary name and renamed, so a crash leaves either the old
//! or the new file, never half of one.

use std::{
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
}

impl Store {
	pub fn open(root: &Path) -> Result<Self, Error> {
		for dir in ["blobs", "tmp", "grants"] {
			fs::create_dir_all(root.join(dir))?;
		}
		// Uploads interrupted by a crash or restart are garbage.
		for entry in fs::read_dir(root.join("tmp"))? {
			let _ = fs::remove_file(entry?.path());
		}
		Ok(Self {
			root: root.to_path_buf(),
			audit: Mutex::new(()),
		})
	}

	/// Path of the blob named `cid` (a CID's canonical text; anything else is refused).
	pub fn blob_path(&self, cid: &str) -> Result<PathBuf, Error> {
		let parsed = medchain_client::content_id::parse(cid)
			.map_err(|e| Error::Invalid(format!("not a CID: {cid}: {e}")))?;
		Ok(self.root.join("blobs").join(parsed.to_string()))
	}

	pub fn has_blob(&self, cid: &str) -> bool {
		self.blob_path(cid).is_ok_and(|p| p.is_file())
	}

	/// Deletes a blob; `true` if there was one.
	pub fn delete_blob(&self, cid: &str) -> Result<bool, Error> {
		match fs::remove_file(self.blob_path(cid)?) {
			Ok(()) => Ok(true),
			Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
			Err(e) => Err(e.into()),
		}
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

	pub fn save_grant_file(&self, grant: u64, extension: &str, bytes: &[u8]) -> Result<(), Error> {
		write_private(&self.grant_path(grant, extension), bytes)
	}

	pub fn grant_file(&self, grant: u64, extension: &str) -> Result<Option<Vec<u8>>, Error> {
		read_optional(&self.grant_path(grant, extension))
	}

	/// Appends one line to the audit log (flushed and synced before returning).
	pub fn audit(&self, entry: &serde_json::Value) -> Result<(), Error> {
		let _guard = self.audit.lock().unwrap_or_else(|p| p.into_inner());
		let mut file = fs::OpenOptions::new()
			.create(true)
			.append(true)
			.open(self.root.join("audit.jsonl"))?;
		writeln!(file, "{entry}")?;
		file.sync_data()?;
		Ok(())
	}

	pub fn erase_cursor(&self) -> Result<Option<u64>, Error> {
		Ok(read_optional(&self.root.join("erase-cursor"))?
			.and_then(|bytes| String::from_utf8(bytes).ok())
			.and_then(|text| text.trim().parse().ok()))
	}

	pub fn set_erase_cursor(&self, block: u64) -> Result<(), Error> {
		write_private(
			&self.root.join("erase-cursor"),
			block.to_string().as_bytes(),
		)
	}
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
	pub fn size(&self) -> u64 {
		self.size
	}

	pub fn write(&mut self, bytes: &[u8]) -> Result<(), Error> {
		self.file.write_all(bytes)?;
		self.hasher.update(bytes);
		self.size += bytes.len() as u64;
		Ok(())
	}

	/// Syncs and moves the upload to `blobs/<cid>`; returns its summary.
	pub fn finish(
		mut self,
		store: &Store,
	) -> Result<medchain_client::content_id::ContentSummary, Error> {
		self.file.flush()?;
		self.file.as_file().sync_all()?;
		let summary = self.hasher.finish();
		let path = store.blob_path(&summary.cid.to_string())?;
		self.file.persist(&path).map_err(|e| Error::Io(e.error))?;
		Ok(summary)
	}
}
