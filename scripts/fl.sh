#!/usr/bin/env bash
# Federated learning end to end: a dev node, then three Flower sites and an aggregator
# (fl/medchain_fl/demo.py: one SuperLink, one SuperNode per site, `flwr run`) train on the
# diabetes study for five rounds on a task the chain coordinates. It prints each round's used
# and flagged updates, the test AUC of the federated model and of each site's local-only model,
# every site's ε (its accountant and the chain's ledger) and checks that the global model beats
# every local one, the poisoned update was flagged and slashed, the site whose IRB approval was
# revoked took no further part, the ledgers agree, and `FlApi.lineage` reproduces every
# checkpoint (each aggregate recomputed from the committed updates). Exit status 1 if not.
#
#   scripts/fl.sh                 unit tests of fl/, then the demonstration (about 6 minutes)
#   scripts/fl.sh --unit          the unit tests only
#
# Needs the release build (scripts/start.sh or scripts/test.sh builds it) and the fl/ virtualenv
# (scripts/setup.sh installs it from fl/requirements.lock).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$MEDCHAIN_ROOT"

unit_only=false
for arg in "$@"; do
	case "$arg" in
		--unit) unit_only=true ;;
		-h | --help) sed -n '2,15p' "$0"; exit 0 ;;
		*) die "unknown option: $arg" ;;
	esac
done

python="$MEDCHAIN_FL_VENV/bin/python"
[ -x "$python" ] || die "no $python: run scripts/setup.sh"
log "fl/ unit tests"
(cd fl && "$python" -m unittest discover -s tests -t . -q)
$unit_only && exit 0

[ -x "$MEDCHAIN_NODE_BIN" ] || die "no $MEDCHAIN_NODE_BIN: build the workspace first (scripts/start.sh)"
[ -x "$MEDCHAIN_CLI_BIN" ] || die "no $MEDCHAIN_CLI_BIN: build the workspace first (scripts/start.sh)"

# Ports of their own, so that a running scripts/start.sh is left alone.
rpc_port="${MEDCHAIN_FL_RPC_PORT:-9977}"
flower_port="${MEDCHAIN_FL_FLOWER_PORT:-18000}"
work="$(mktemp -d -t medchain-fl.XXXXXX)"
node_pid=""
stop() {
	[ -z "$node_pid" ] || kill "$node_pid" 2>/dev/null || true
	wait 2>/dev/null || true
	if [ "${keep_work:-false}" = true ]; then
		log "logs kept in $work"
	else
		rm -rf "$work"
	fi
}
trap stop EXIT INT TERM

"$MEDCHAIN_NODE_BIN" --dev --base-path "$work/node" --rpc-port "$rpc_port" --port 0 \
	--no-prometheus >"$work/node.log" 2>&1 &
node_pid=$!
for _ in $(seq 1 120); do
	(exec 3<>"/dev/tcp/127.0.0.1/$rpc_port") 2>/dev/null && break
	sleep 0.5
done

log "federated learning on a dev node (logs: $work)"
export MEDCHAIN_CLI="$MEDCHAIN_CLI_BIN"
if ! "$python" -m medchain_fl.demo --url "ws://127.0.0.1:$rpc_port" --workdir "$work/fl" \
	--port "$flower_port"; then
	keep_work=true
	for log_file in "$work"/fl/*.log; do
		echo "----- $(basename "$log_file") (last 30 lines)" >&2
		tail -n 30 "$log_file" >&2
	done
	die "federated learning failed"
fi
