//! # MedChain in the browser
//!
//! The read path of the `medchain` client for the dApp (`dapp/`), compiled to WebAssembly:
//! the clinician's keystore file is opened in the page (Argon2id + XChaCha20-Poly1305, the
//! CLI's format) and never leaves it; a record is read with one signed request to a gateway,
//! checked against the CID and digest on chain and decrypted (CP-ABE, the patient's own PRE
//! key, or a grant's proxies) by exactly the code the CLI runs
//! (`medchain_client::flows::get_record_bytes`; not a link: natively this crate has no dependencies).
//!
//! JavaScript sees three things (`wasm-bindgen --target web`):
//! - `Keys.open(bytes, passphrase)`: an opened keystore (`address`, `authorities`);
//! - `Session.connect(nodeUrl, gatewayUrl)`: a connection to a node and a gateway;
//! - `session.read(keys, record, purpose, grant)`: a promise of a `Read` (`plaintext`, `cid`,
//!   `version`, `keyFrom`), or an `Error` whose `code` is the gateway's refusal code
//!   (`not-allowed`, ...) or the client's error kind (`refused`, `tampered`, `decrypt`, ...),
//!   and whose message carries the chain's reason (`Consent::ExplicitlyDenied`).
//!
//! Transactions are not signed here: the dApp signs them with polkadot.js (an injected wallet,
//! or the dev accounts on a dev chain). Only the read request, which is not a transaction, is
//! signed with the keystore's account key, as the CLI does.

#[cfg(target_arch = "wasm32")]
mod browser;
#[cfg(target_arch = "wasm32")]
pub use browser::{Keys, Read, Session};
