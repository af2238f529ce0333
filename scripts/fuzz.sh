#!/usr/bin/env bash
# Fuzzes the MedChain runtime with libFuzzer (crate `fuzz/`, engine `libfuzzer-sys`):
# decoded (origin, call) sequences for the records, consent, key-grants, federated-learning,
# upgrades, validators, council and balances pallets are dispatched through Executive on the
# development genesis; after every call the pre-dispatch weight must cover the actual weight,
# after every block every pallet's `try_state` must hold and the total issuance must equal the
# sum of all balances.
#
#   scripts/fuzz.sh            one hour
#   scripts/fuzz.sh 120        two minutes (what scripts/test.sh runs)
#
# Builds in the shared target directory with `--target`, so build scripts and host crates are
# the node build's while coverage instrumentation, debug assertions and overflow checks apply
# to the fuzzed crates only. The corpus is kept in ~/.cache/medchain/fuzz-corpus between runs;
# a crashing input is written to fuzz/artifacts/ and the script fails.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
"$MEDCHAIN_ROOT/scripts/setup.sh"
cd "$MEDCHAIN_ROOT"

seconds="${1:-3600}"
triple="$(rustc -vV | sed -n 's/^host: //p')"
corpus="${MEDCHAIN_FUZZ_CORPUS:-$HOME/.cache/medchain/fuzz-corpus}"
artifacts="$MEDCHAIN_ROOT/fuzz/artifacts"
mkdir -p "$corpus" "$artifacts"

log "building the runtime fuzzer (instrumented, $triple)"
# No WASM runtime is needed: the fuzzer runs the native runtime.
SKIP_WASM_BUILD=1 RUSTFLAGS="-Cpasses=sancov-module \
-Cllvm-args=-sanitizer-coverage-level=4 \
-Cllvm-args=-sanitizer-coverage-inline-8bit-counters \
-Cllvm-args=-sanitizer-coverage-pc-table \
-Cllvm-args=-sanitizer-coverage-trace-compares \
--cfg fuzzing -Cdebug-assertions -Coverflow-checks" \
	cargo build --manifest-path fuzz/Cargo.toml --locked --profile "$MEDCHAIN_PROFILE" \
	--target "$triple" --bin runtime

log "fuzzing for $seconds s (corpus $corpus; seed inputs from medchain_runtime_fuzzer::seeds)"
seeds="$CARGO_TARGET_DIR/fuzz-seeds"
MEDCHAIN_FUZZ_SEEDS="$seeds" "$CARGO_TARGET_DIR/$triple/$MEDCHAIN_PROFILE/runtime" \
	-max_total_time="$seconds" \
	-max_len=2048 \
	-rss_limit_mb=4096 \
	-timeout=20 \
	-print_final_stats=1 \
	-artifact_prefix="$artifacts/" \
	"$corpus" "$seeds"
