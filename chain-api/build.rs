//! The `subxt` macro reads `metadata/medchain.scale` at compile time, but cargo does not know
//! that: without this, a regenerated metadata file would leave a stale API compiled.
fn main() {
	println!("cargo:rerun-if-changed=../metadata/medchain.scale");
}
