#!/usr/bin/env bash
# Measures reads on this machine: starts a dev node and a gateway on loopback, puts a 1 MiB and
# a 4 KiB record, and has an allowed clinician read them (integration-tests/src/bin/bench_reads.rs):
#
#   scripts/bench-reads.sh                      50 reads/s of 1 MiB for 30 s (time to first byte),
#                                               then 128 readers of 4 KiB for 60 s (reads/s; the
#                                               gateway lets 16,384 reads await receipts), then
#                                               every served read's finalised receipt
#   scripts/bench-reads.sh --crash              the same, with the gateway killed (SIGKILL) and
#                                               restarted a third of the way into the 60 s
#   scripts/bench-reads.sh --rate 20 --latency-secs 10 --workers 8 --throughput-secs 10
#                                               a short run
#
# Exits non-zero if a served read has no receipt in a finalised block. Needs the release build.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$MEDCHAIN_ROOT"
case "${1:-}" in -h | --help) sed -n '2,13p' "$0"; exit 0 ;; esac
bench="$CARGO_TARGET_DIR/$MEDCHAIN_PROFILE/medchain-bench-reads"
[ -x "$bench" ] || die "no $bench: build the workspace first (scripts/start.sh or scripts/test.sh)"
[ -x "$MEDCHAIN_NODE_BIN" ] || die "no $MEDCHAIN_NODE_BIN: build the workspace first"
exec "$bench" "$@"
