#!/usr/bin/env bash
# Floods MedChain with pre-signed transactions and reports what the chain included
# (integration-tests/src/bin/load.rs): per load (transfers, single registrations, batched
# registrations, Merkle anchors) the transactions and records a second over the window, the
# share of the weight-derived ceiling reached, block fill (weight and length) against the
# runtime's limits, finality lag and what the pool refused.
#
#   scripts/load.sh                    a dev node started by the harness, 60 s per load
#   scripts/load.sh --network          the four validators of zombienet/load.toml (spawned
#                                      here, torn down after), submitting through all four
#   scripts/load.sh --secs 12 --loads transfer,batch --blocks
#                                      a short run, every block printed
#
# Everything listens on 127.0.0.1. Needs the release build (scripts/start.sh).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$MEDCHAIN_ROOT"
load="$CARGO_TARGET_DIR/$MEDCHAIN_PROFILE/medchain-load"
[ -x "$load" ] || die "no $load: build the workspace first (scripts/start.sh or scripts/test.sh)"
[ -x "$MEDCHAIN_NODE_BIN" ] || die "no $MEDCHAIN_NODE_BIN: build the workspace first"

network=false
args=()
for arg in "$@"; do
	case "$arg" in
		--network) network=true ;;
		-h | --help) sed -n '2,14p' "$0"; exit 0 ;;
		*) args+=("$arg") ;;
	esac
done

if ! $network; then
	exec "$load" "${args[@]}"
fi

zombienet="$MEDCHAIN_ROOT/zombienet/node_modules/.bin/zombienet"
[ -x "$zombienet" ] || die "zombienet is not installed: run scripts/setup.sh"
export PATH="$(dirname "$MEDCHAIN_NODE_BIN"):$PATH"
# A consortium's hour-long sessions (zombienet/spec.py): each rotation empties one block.
export MEDCHAIN_SESSION_BLOCKS="${MEDCHAIN_SESSION_BLOCKS:-600}"
log "spawning four validators (zombienet/load.toml)"
zlog="$(mktemp)"
setsid "$zombienet" spawn --provider native zombienet/load.toml >"$zlog" 2>&1 &
zpid=$!
trap 'kill -- -$zpid 2>/dev/null || true; sleep 2; pkill -f "zombie-.*medchain-node" 2>/dev/null || true; rm -f "$zlog"' EXIT
for _ in $(seq 1 120); do
	if grep -q "Network launched" "$zlog"; then break; fi
	kill -0 "$zpid" 2>/dev/null || { cat "$zlog"; die "zombienet exited"; }
	sleep 1
done
grep -q "Network launched" "$zlog" || { tail -50 "$zlog"; die "the network did not launch in 120 s"; }
alice_log="$(grep -o '/tmp/zombie-[^ ]*/alice.log' "$zlog" | head -1 || true)"
log "network up; flooding it through all four nodes (Alice's log: ${alice_log:-not found})"
"$load" ${alice_log:+--log "$alice_log"} --url ws://127.0.0.1:9944 --url ws://127.0.0.1:9945 --url ws://127.0.0.1:9946 \
	--url ws://127.0.0.1:9947 "${args[@]}"
