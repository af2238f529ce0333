//! libFuzzer entry point: `scripts/fuzz.sh` builds and runs it.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
	medchain_runtime_fuzzer::run(data);
});
