#!/usr/bin/env bash
# Regenerates weights from benchmarks run on this machine against the real runtime.
#
#   scripts/benchmark.sh records [consent ...]   a MedChain pallet's `weights.rs`
#   scripts/benchmark.sh machine                 the runtime's own weights (runtime/src/weights/):
#       block and extrinsic base weights (`benchmark overhead`) and frame_system, its
#       transaction extensions, balances, timestamp and the fee extension (`benchmark pallet`),
#       replacing polkadot-sdk's reference-hardware defaults
#   scripts/benchmark.sh storage                 ParityDB read and write weights (`benchmark
#       storage`) on the loaded dev chain at MEDCHAIN_STORAGE_BASE_PATH (see storage() below)
#
# Builds the benchmarking node (profile `benchmarks`, feature `runtime-benchmarks`, its own
# target directory so release builds are untouched), then runs every benchmark of each pallet
# with 50 steps and 20 repeats and writes `pallets/<name>/src/weights.rs` through the template
# in `.maintain/`. `--output-analysis max` keeps, per component, the larger of the
# least-squares and median slopes, so cheap-but-real costs (a policy leaf) are not rounded away.
# Commit the result together with the code it measures.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$MEDCHAIN_ROOT"
[ $# -gt 0 ] || die "usage: scripts/benchmark.sh <pallet>|machine [...]  (e.g. records consent)"

log "building the benchmarking node"
cargo build --profile benchmarks --locked -p medchain-node --features runtime-benchmarks
node="$CARGO_TARGET_DIR/benchmarks/medchain-node"

# Runs every benchmark of pallet $1 (50 steps, 20 repeats) and writes its weights to $2; further
# arguments go to `benchmark pallet` (MedChain's pallets add their template and analysis).
benchmark_pallet() {
	local pallet="$1" output="$2"
	shift 2
	log "benchmarking $pallet"
	"$node" benchmark pallet \
		--chain dev \
		--pallet "$pallet" \
		--extrinsic '*' \
		--steps 50 \
		--repeat 20 \
		--wasm-execution compiled \
		--heap-pages 4096 \
		--header .maintain/weight-header.txt \
		--output "$output" \
		"$@"
}

# The runtime's weights: what every block and extrinsic costs before any call, and the FRAME
# pallets MedChain uses as they are.
machine() {
	local out=runtime/src/weights
	mkdir -p "$out"
	log "benchmark overhead: block and extrinsic base weights"
	"$node" benchmark overhead --chain dev --weight-path "$out" --header .maintain/weight-header.txt
	for pallet in frame_system frame_system_extensions pallet_balances pallet_timestamp \
		pallet_transaction_payment; do
		benchmark_pallet "$pallet" "$out/$pallet.rs"
	done
}

# ParityDB read and write weights, measured on a chain with real state: the dev chain's genesis
# has ~50 keys, fewer than one write batch. Load a dev chain first, e.g.
#   scripts/load.sh --base-path /tmp/loaded --secs 60
#   MEDCHAIN_STORAGE_BASE_PATH=/tmp/loaded scripts/benchmark.sh storage
storage() {
	local base="${MEDCHAIN_STORAGE_BASE_PATH:-}"
	[ -n "$base" ] || die "storage: set MEDCHAIN_STORAGE_BASE_PATH to a loaded dev chain's base path (see scripts/load.sh --base-path)"
	log "benchmark storage: ParityDB read and write weights on $base"
	# Writes are timed in batches of 10,000 keys, about what a full block writes (a block of
	# 1,488 registrations writes ~10,000 items): the default 100,000-key batches spread a
	# commit's fixed cost over ten blocks' worth of keys (measured here: 11.3 us a write
	# against 16.0 us in 10,000-key batches).
	"$node" benchmark storage --chain dev --base-path "$base" --database paritydb --state-version 1 \
		--batch-size 10000 --weight-path runtime/src/weights --header .maintain/weight-header.txt
}

for name in "$@"; do
	case "$name" in
		machine) machine; continue ;;
		storage) storage; continue ;;
	esac
	[ -d "pallets/$name" ] || die "no pallet at pallets/$name"
	benchmark_pallet "pallet_${name//-/_}" "pallets/$name/src/weights.rs" \
		--output-analysis max --template .maintain/pallet-weight-template.hbs
done
