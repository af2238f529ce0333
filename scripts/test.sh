#!/usr/bin/env bash
# Runs every check CI runs: formatting, clippy (warnings denied), the build, unit tests of
# every crate and the end-to-end tests against real medchain-node processes.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"

"$MEDCHAIN_ROOT/scripts/setup.sh"
cd "$MEDCHAIN_ROOT"
started=$(date +%s)
step() { log "[$(($(date +%s) - started))s] $*"; }

step "cargo fmt --check"
cargo fmt --all -- --check

step "cargo clippy (warnings are errors)"
# Without the runtime's WASM: clippy's run of the runtime build script is a unit of its own but
# writes the same files in the WASM builder's directory, which the build's run watches, so the
# build after it would rebuild the runtime and the node (seen: 9 min after a client-only change).
SKIP_WASM_BUILD=1 cargo clippy --profile "$MEDCHAIN_PROFILE" "${MEDCHAIN_CARGO_SELECTION[@]}" \
	--all-targets -- -D warnings

step "cargo doc (missing docs and broken intra-doc links are errors)"
# The generated chain API is left out: its docs are the pallets' own (and rustdoc on 8 MB of
# generated code would cost minutes); links into it from other crates are still checked.
# Without the runtime's WASM, like clippy: docs do not need it, and rustdoc shares clippy's
# (check-mode) run of the runtime build script, which without SKIP_WASM_BUILD compiled the
# runtime to WASM here and the build step compiled it again for its own run.
SKIP_WASM_BUILD=1 cargo doc --profile "$MEDCHAIN_PROFILE" "${MEDCHAIN_CARGO_SELECTION[@]}" --no-deps \
	--exclude medchain-chain-api

step "the client for browsers: clippy for wasm32-unknown-unknown (medchain-wasm, the SDK's feature web)"
# What the dApp runs: the SDK without files or threads, and its wasm-bindgen exports. Built
# (with its JavaScript bindings and the Vite bundle) by scripts/dapp.sh below.
cargo clippy --profile dapp --locked --target wasm32-unknown-unknown -p medchain-wasm -- -D warnings

step "build"
build_workspace --all-targets

step "tests (unit + end-to-end, side by side)"
# cargo-nextest runs the tests of all binaries at once (the end-to-end ones, mostly waiting for
# blocks, six at a time); it reports every failure and prints what passing end-to-end tests
# measured (block time, finality lag). Settings: .config/nextest.toml.
cargo nextest run --cargo-profile "$MEDCHAIN_PROFILE" "${MEDCHAIN_CARGO_SELECTION[@]}" --all-targets

step "load harness, short (scripts/load.sh runs 60 s per load)"
# Every load for 12 s on a dev node, fewer accounts: the harness still works, and it fails if
# the pool refused a transaction or one failed in its block.
"$MEDCHAIN_ROOT/scripts/load.sh" --secs 12 --senders 16 --hospitals 4 --batch 16 --tasks 8

# Federated learning waits for blocks most of its ~4.5 min (five rounds of on-chain windows), so
# it runs in the background, on its own ports, while zombienet, the dApp, the pallets' benchmark
# tests and the fuzzer run; its output is printed when it is waited for at the end. (Not beside
# the load harness, which measures throughput and must have the machine to itself: it runs
# first.)
step "federated learning: Flower sites and aggregator on a dev node (scripts/fl.sh), in the background"
# Unit tests of fl/, then three sites and an aggregator train five rounds on chain: the global
# model beats every local one, a poisoned update is flagged and slashed, a revoked site is
# excluded, ε ledgers agree, and every checkpoint is recomputed from the committed updates.
fl_log="$(mktemp -t medchain-fl-log.XXXXXX)"
# In a process group of its own (setsid), so that a failing step before the wait stops all of
# it (node, Flower processes) with one signal; `-w` passes fl.sh's exit status on even if
# setsid had to fork.
setsid -w "$MEDCHAIN_ROOT/scripts/fl.sh" >"$fl_log" 2>&1 &
fl_pid=$!
fl_started=$(date +%s)
trap 'kill -TERM -- "-$fl_pid" 2>/dev/null || true; rm -f "$fl_log"' EXIT

step "zombienet: four validators (zombienet/consortium.zndsl)"
# Authoring, finality, the pallets in the metadata, a record written through one node and read
# from another, finality with one of four validators stopped, stalled with two, resumed.
"$MEDCHAIN_ROOT/scripts/zombienet.sh"

step "the dApp in Chromium (scripts/dapp.sh: wasm-bindgen, Vite, Playwright)"
# A doctor opens records in the browser (decrypted there, equal to the originals), the patient
# audits, denies and revokes, a break-glass read is highlighted and acknowledged; screenshots
# in dapp/test-results/screenshots.
"$MEDCHAIN_ROOT/scripts/dapp.sh"

step "scripts/start.sh --check: what a newcomer starts (node, gateway, dApp) answers"
# On ports of its own, with the binaries and the dApp bundle built above.
MEDCHAIN_RPC_PORT=39944 MEDCHAIN_P2P_PORT=30433 MEDCHAIN_PROMETHEUS_PORT=39615 \
	MEDCHAIN_GATEWAY_PORT=38787 MEDCHAIN_DAPP_PORT=34173 "$MEDCHAIN_ROOT/scripts/start.sh" --check

# Pallet benchmarks run as tests against each pallet's mock runtime. They need the
# `runtime-benchmarks` feature, which changes FRAME's features, so they build apart from the
# workspace; all MedChain pallets build together, in one feature set, so FRAME is compiled once
# for them (it was once per pallet, six times).
pallet_args=()
pallet_features=()
for pallet in pallets/*/; do
	name="$(basename "$pallet")"
	pallet_args+=(-p "pallet-$name")
	pallet_features+=("pallet-$name/runtime-benchmarks")
done
features="$(IFS=,; echo "${pallet_features[*]}")"
step "pallets: clippy and benchmark tests (runtime-benchmarks)"
cargo clippy --profile "$MEDCHAIN_PROFILE" --locked "${pallet_args[@]}" --features "$features" \
	--all-targets -- -D warnings
cargo test --profile "$MEDCHAIN_PROFILE" --locked "${pallet_args[@]}" --features "$features" \
	--lib benchmarking

# A short coverage-guided run of the runtime fuzzer (scripts/fuzz.sh runs an hour).
step "runtime fuzzer (${MEDCHAIN_FUZZ_SECONDS:-120} s)"
"$MEDCHAIN_ROOT/scripts/fuzz.sh" "${MEDCHAIN_FUZZ_SECONDS:-120}"

step "federated learning: waiting for scripts/fl.sh (started $(($(date +%s) - fl_started)) s ago)"
fl_status=0
wait "$fl_pid" || fl_status=$?
cat "$fl_log"
[ "$fl_status" -eq 0 ] || die "scripts/fl.sh failed (exit status $fl_status)"

step "all checks passed"
