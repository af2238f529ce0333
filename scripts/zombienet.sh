#!/usr/bin/env bash
# Runs MedChain's four-validator consortium network under zombienet (npm `@zombienet/cli`,
# native provider) with this workspace's own `medchain-node`:
#
#   scripts/zombienet.sh           spawn it, run zombienet/consortium.zndsl, tear it down
#   scripts/zombienet.sh --spawn   spawn it and keep it running (Ctrl-C stops it)
#
# The tests: four validators author and finalise, every MedChain pallet is in the metadata, a
# record registered through Bob's node is read back from Dave's, finality survives one of four
# validators stopping, stalls with two stopped and resumes when one returns; a validator killed
# with SIGKILL and restarted on its base path keeps what it had finalised and catches up. Needs the release
# build (scripts/start.sh or scripts/test.sh builds it); setup.sh installs zombienet from
# zombienet/package-lock.json.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$MEDCHAIN_ROOT"

mode=test
for arg in "$@"; do
	case "$arg" in
		--spawn) mode=spawn ;;
		-h | --help) sed -n '2,12p' "$0"; exit 0 ;;
		*) die "unknown option: $arg" ;;
	esac
done

[ -x "$MEDCHAIN_NODE_BIN" ] || die "no $MEDCHAIN_NODE_BIN: build the workspace first (scripts/start.sh)"
zombienet="$MEDCHAIN_ROOT/zombienet/node_modules/.bin/zombienet"
[ -x "$zombienet" ] || die "zombienet is not installed: run scripts/setup.sh"
# zombienet starts `medchain-node` from PATH; spec.py finds it through MEDCHAIN_NODE_BIN.
export PATH="$(dirname "$MEDCHAIN_NODE_BIN"):$PATH"

if [ "$mode" = spawn ]; then
	exec "$zombienet" spawn --provider native zombienet/consortium.toml
fi
log "zombienet: four validators, zombienet/consortium.zndsl"
# record.js notes what it wrote here; persisted.js checks it after Bob's node is killed.
MEDCHAIN_ZOMBIENET_STATE="$(mktemp)"
export MEDCHAIN_ZOMBIENET_STATE
trap 'rm -f "$MEDCHAIN_ZOMBIENET_STATE"' EXIT
"$zombienet" test --provider native zombienet/consortium.zndsl
