//! The SDK's flows: what the `medchain` CLI and a dApp run, usable from any Rust program.
//!
//! Every flow checks what it can before it changes anything: a record is uploaded only after
//! it was sealed, registered only after the gateway's CID matched ours, and decrypted only
//! after the downloaded bytes matched the CID and digest on chain. Plaintext is written to a
//! temporary file next to the destination and renamed into place only when every chunk
//! authenticated, so a failure never leaves a partial or unauthenticated file behind.
//!
//! - [`keys`]: PRE keys, proxies, policies, custodians, attributes, CP-ABE authority keys;
//! - [`put`], [`get`], [`erase`]: a record's life;
//! - [`grant`]: delegation through re-encryption proxies;
//! - [`list`]: records and receipts.

pub mod erase;
pub mod get;
pub mod grant;
pub mod keys;
pub mod list;
pub mod put;

pub use erase::*;
pub use get::*;
pub use grant::*;
pub use keys::*;
pub use list::*;
pub use put::*;

use rand::RngCore;

/// How many blocks a signed request to a gateway stays valid.
pub const REQUEST_VALIDITY: u32 = 8;

/// A fresh random nonce for a signed request.
fn random_nonce() -> u64 {
	rand::rngs::OsRng.next_u64()
}
