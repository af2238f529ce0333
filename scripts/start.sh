#!/usr/bin/env bash
# Builds MedChain and runs a development chain in the foreground (Ctrl-C stops it).
#
#   scripts/start.sh            a fresh, temporary dev chain (state is discarded on exit)
#   scripts/start.sh --persist  keep the chain in $MEDCHAIN_DEV_BASE_PATH between runs
#
# The first build on a fresh machine takes ~50 minutes on 2 cores; later ones reuse the cache.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"

persist=false
for arg in "$@"; do
	case "$arg" in
		--persist) persist=true ;;
		-h | --help) sed -n '2,7p' "$0"; exit 0 ;;
		*) die "unknown option: $arg" ;;
	esac
done

"$MEDCHAIN_ROOT/scripts/setup.sh"
cd "$MEDCHAIN_ROOT"
build_workspace

base_path_args=(--tmp)
if $persist; then
	export MEDCHAIN_DEV_BASE_PATH="${MEDCHAIN_DEV_BASE_PATH:-$HOME/.local/share/medchain/dev}"
	base_path_args=(--base-path "$MEDCHAIN_DEV_BASE_PATH")
fi

cat >&2 <<INFO

  MedChain dev chain
  ------------------
  JSON-RPC (WebSocket + HTTP): ws://127.0.0.1:$MEDCHAIN_RPC_PORT
  polkadot.js apps:            https://polkadot.js.org/apps/?rpc=ws%3A%2F%2F127.0.0.1%3A$MEDCHAIN_RPC_PORT#/explorer
  Prometheus metrics:          http://127.0.0.1:$MEDCHAIN_PROMETHEUS_PORT/metrics
  p2p:                         /ip4/127.0.0.1/tcp/$MEDCHAIN_P2P_PORT
  Dev accounts:                //Alice (validator, sudo), //Bob, //Charlie, ... (1,000,000 MED each)

INFO

exec "$MEDCHAIN_NODE_BIN" --dev "${base_path_args[@]}" \
	--rpc-port "$MEDCHAIN_RPC_PORT" --port "$MEDCHAIN_P2P_PORT" \
	--prometheus-port "$MEDCHAIN_PROMETHEUS_PORT" \
	--rpc-cors all
