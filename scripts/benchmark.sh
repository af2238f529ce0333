#!/usr/bin/env bash
# Regenerates a pallet's `weights.rs` from its benchmarks, run on this machine against the real
# runtime. Usage: scripts/benchmark.sh records [consent ...]
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
[ $# -gt 0 ] || die "usage: scripts/benchmark.sh <pallet> [<pallet> ...]  (e.g. records consent)"

log "building the benchmarking node"
cargo build --profile benchmarks --locked -p medchain-node --features runtime-benchmarks
node="$CARGO_TARGET_DIR/benchmarks/medchain-node"

for name in "$@"; do
	[ -d "pallets/$name" ] || die "no pallet at pallets/$name"
	pallet="pallet_${name//-/_}"
	log "benchmarking $pallet"
	"$node" benchmark pallet \
		--chain dev \
		--pallet "$pallet" \
		--extrinsic '*' \
		--steps 50 \
		--repeat 20 \
		--wasm-execution compiled \
		--heap-pages 4096 \
		--output-analysis max \
		--template .maintain/pallet-weight-template.hbs \
		--header .maintain/weight-header.txt \
		--output "pallets/$name/src/weights.rs"
done
