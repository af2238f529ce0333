//! The exports (WebAssembly only).

use medchain_client::{
	chain::{consent, Chain},
	flows::{self, Via},
	keystore::{self, KeyMaterial},
	protocol::{self, GatewayClient},
	Error,
};
use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
	/// `console.error`.
	#[wasm_bindgen(js_namespace = console, js_name = error)]
	fn console_error(message: &str);
}

/// Runs when the module is instantiated: a Rust panic (a bug; the client returns errors, it
/// does not panic on bad input) is reported in words before the module traps. The message goes
/// to the console and to `globalThis.medchainWasmPanic`, which the dApp shows instead of
/// WebAssembly's bare `unreachable`.
#[wasm_bindgen(start)]
pub fn install_panic_hook() {
	std::panic::set_hook(Box::new(|info| {
		let message = format!("the in-browser MedChain client failed: {info}");
		console_error(&message);
		let _ = js_sys::Reflect::set(
			&js_sys::global(),
			&"medchainWasmPanic".into(),
			&message.as_str().into(),
		);
	}));
}

/// A client error as a JavaScript `Error` with a `code` property: the gateway's refusal code
/// when a gateway refused, the error's kind otherwise. The message is the CLI's.
fn js_error(error: Error) -> JsValue {
	let code = match &error {
		Error::Gateway(refusal) => refusal
			.code
			.map(|code| code.to_string())
			.unwrap_or_else(|| "gateway".into()),
		Error::Invalid(_) => "invalid".into(),
		Error::Crypto(_) => "crypto".into(),
		Error::Decrypt(_) => "decrypt".into(),
		Error::Tampered(_) => "tampered".into(),
		Error::Keystore(_) => "keystore".into(),
		Error::Chain(_) => "chain".into(),
		Error::Refused(_) => "refused".into(),
		Error::Io(_) => "io".into(),
	};
	let js = js_sys::Error::new(&error.to_string());
	// Setting a property on a fresh Error cannot fail; if it did, the message still says it all.
	let _ = js_sys::Reflect::set(&js, &"code".into(), &code.into());
	js.into()
}

/// An opened keystore: the account's keys, held in the page's memory only.
#[wasm_bindgen]
pub struct Keys {
	material: KeyMaterial,
}

#[wasm_bindgen]
impl Keys {
	/// Opens a keystore file's bytes (the CLI's `--keystore` file) with its passphrase.
	pub fn open(bytes: &[u8], passphrase: &str) -> Result<Keys, JsValue> {
		let material = keystore::open(passphrase, bytes).map_err(js_error)?;
		// A keystore whose account key does not parse is useless: say so now, not at a read.
		material.keypair().map_err(js_error)?;
		Ok(Keys { material })
	}

	/// The account (SS58) the keystore's key signs for.
	#[wasm_bindgen(getter)]
	pub fn address(&self) -> Result<String, JsValue> {
		let keypair = self.material.keypair().map_err(js_error)?;
		Ok(medchain_client::chain::ss58(
			&medchain_client::chain::account_id(&keypair),
		))
	}

	/// The authorities (SS58) whose CP-ABE keys the keystore holds.
	#[wasm_bindgen(getter)]
	pub fn authorities(&self) -> Vec<String> {
		self.material.abe_keys.keys().cloned().collect()
	}
}

/// A record read and decrypted.
#[wasm_bindgen]
pub struct Read {
	plaintext: Vec<u8>,
	cid: String,
	version: u32,
	key_from: String,
}

#[wasm_bindgen]
impl Read {
	/// The plaintext, every chunk authenticated.
	#[wasm_bindgen(getter)]
	pub fn plaintext(&self) -> Vec<u8> {
		self.plaintext.clone()
	}

	/// The envelope's CID (as on chain).
	#[wasm_bindgen(getter)]
	pub fn cid(&self) -> String {
		self.cid.clone()
	}

	/// The version read.
	#[wasm_bindgen(getter)]
	pub fn version(&self) -> u32 {
		self.version
	}

	/// How the data key was obtained (CP-ABE keys, own PRE key, a grant).
	#[wasm_bindgen(getter, js_name = keyFrom)]
	pub fn key_from(&self) -> String {
		self.key_from.clone()
	}
}

/// A connection to a node (for the chain's checks) and a gateway (for the bytes).
#[wasm_bindgen]
pub struct Session {
	chain: Chain,
	gateway: GatewayClient,
}

/// The purpose named `name` as the CLI names it (`treatment`, `public-health`, ...).
fn purpose(name: &str) -> Result<consent::Purpose, Error> {
	consent::PURPOSES
		.into_iter()
		.find(|p| consent::purpose_name(*p) == name)
		.ok_or_else(|| {
			let names: Vec<&str> = consent::PURPOSES
				.into_iter()
				.map(consent::purpose_name)
				.collect();
			Error::Invalid(format!("no purpose {name:?}: one of {}", names.join(", ")))
		})
}

#[wasm_bindgen]
impl Session {
	/// Connects to the node at `node` (`ws://127.0.0.1:9944`) and the gateway at `gateway`
	/// (`http://127.0.0.1:8787`).
	pub async fn connect(node: String, gateway: String) -> Result<Session, JsValue> {
		let gateway = GatewayClient::new(&gateway).map_err(js_error)?;
		let chain = Chain::connect(&node).await.map_err(js_error)?;
		Ok(Session { chain, gateway })
	}

	/// Reads `record` for `purpose` (the chain's consent decision, or the reader's live
	/// break-glass ticket), or through grant `grant` when given, and decrypts it. Resolves to a
	/// [`Read`]; rejects with an `Error` carrying `code` and the chain's reason.
	pub fn read(
		&self,
		keys: &Keys,
		record: u64,
		purpose: String,
		grant: Option<u64>,
	) -> js_sys::Promise {
		let chain = self.chain.clone();
		let gateway = self.gateway.clone();
		let material = keys.material.clone();
		wasm_bindgen_futures::future_to_promise(async move {
			let via = match grant {
				Some(grant) => Via::Grant(grant),
				None => Via::Consent(self::purpose(&purpose).map_err(js_error)?),
			};
			let read = flows::get_record_bytes(
				&chain,
				&material,
				&gateway,
				record,
				via,
				protocol::no_progress(),
			)
			.await
			.map_err(js_error)?;
			Ok(Read {
				plaintext: read.plaintext,
				cid: read.cid,
				version: read.version,
				key_from: read.key_from,
			}
			.into())
		})
	}
}
