//! libFuzzer entry point: `scripts/fuzz.sh` builds and runs it. With
//! `MEDCHAIN_FUZZ_SEEDS` set to a directory, the seed inputs are written there first.
#![no_main]

libfuzzer_sys::fuzz_target!(
	init: {
		if let Some(dir) = std::env::var_os("MEDCHAIN_FUZZ_SEEDS") {
			let dir = std::path::PathBuf::from(dir);
			std::fs::create_dir_all(&dir).expect("the seed directory can be created");
			for (name, bytes) in medchain_runtime_fuzzer::seeds() {
				std::fs::write(dir.join(name), bytes).expect("a seed can be written");
			}
		}
	},
	|data: &[u8]| {
		medchain_runtime_fuzzer::run(data);
	}
);
