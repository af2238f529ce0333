//! Builds the runtime to WASM (`WASM_BINARY`) with substrate-wasm-builder.
//! `SKIP_WASM_BUILD=1` skips it, for unit tests that need only the native runtime.
//!
//! Development builds also produce the **upgrade rehearsal** runtime: the same code with
//! `spec_version` one higher (feature `upgrade-rehearsal`), which test networks apply to
//! rehearse a council-voted upgrade (`medchain_runtime::upgrade_rehearsal::WASM_BINARY`; the
//! end-to-end governance test uses it). Production builds (`metadata-hash`) skip it.

#[cfg(all(feature = "std", feature = "wasm-builder", feature = "metadata-hash"))]
fn main() {
	substrate_wasm_builder::WasmBuilder::init_with_defaults()
		.enable_metadata_hash(medchain_token::SYMBOL, medchain_token::DECIMALS)
		.build();
}

#[cfg(all(
	feature = "std",
	feature = "wasm-builder",
	not(feature = "metadata-hash")
))]
fn main() {
	substrate_wasm_builder::WasmBuilder::build_using_defaults();
	// Its own file name, so that it never replaces the runtime above.
	substrate_wasm_builder::WasmBuilder::init_with_defaults()
		.enable_feature("upgrade-rehearsal")
		.set_file_name("upgrade_rehearsal")
		.build();
}
/// Compiling the runtime itself for WASM, or natively without the WASM builder: nothing to
/// build.
#[cfg(not(all(feature = "std", feature = "wasm-builder")))]
fn main() {}

/// The token's symbol and decimals, repeated from `src/lib.rs` (a build script cannot import
/// the crate it builds). `tests::token_constants_match_build_script` keeps the two in step.
#[cfg(all(feature = "std", feature = "wasm-builder", feature = "metadata-hash"))]
mod medchain_token {
	pub const SYMBOL: &str = "MED";
	pub const DECIMALS: u8 = 12;
}
