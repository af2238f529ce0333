#!/usr/bin/env bash
# Builds MedChain and runs a development chain with a gateway and the browser dApp beside it, in
# the foreground (Ctrl-C stops all three).
#
#   scripts/start.sh            a fresh, temporary dev chain and gateway store (discarded on exit)
#   scripts/start.sh --persist  keep chain and gateway data in $MEDCHAIN_DEV_BASE_PATH between runs
#   scripts/start.sh --check    no set-up or build: start what is built, check that node, gateway
#                               and dApp answer, stop (scripts/test.sh runs it)
#
# The first build on a fresh machine takes ~40 minutes on 2 cores; later ones reuse the cache.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"

persist=false
check=false
for arg in "$@"; do
	case "$arg" in
		--persist) persist=true ;;
		--check) check=true ;;
		-h | --help) sed -n '2,10p' "$0"; exit 0 ;;
		*) die "unknown option: $arg" ;;
	esac
done

cd "$MEDCHAIN_ROOT"
if ! $check; then
	"$MEDCHAIN_ROOT/scripts/setup.sh"
	build_workspace
	dapp_build
fi

if $persist; then
	export MEDCHAIN_DEV_BASE_PATH="${MEDCHAIN_DEV_BASE_PATH:-$HOME/.local/share/medchain/dev}"
	state_dir="$MEDCHAIN_DEV_BASE_PATH"
	base_path_args=(--base-path "$MEDCHAIN_DEV_BASE_PATH/node")
else
	state_dir="$(mktemp -d)"
	base_path_args=(--base-path "$state_dir/node")
fi
mkdir -p "$state_dir/gateway"

bin_dir="$CARGO_TARGET_DIR/$MEDCHAIN_PROFILE"
gateway_url="http://127.0.0.1:$MEDCHAIN_GATEWAY_PORT"
# The dev gateway acts as //Ferdie (endowed on the dev chain) with a dev-only passphrase.
passphrase_file="$state_dir/gateway/passphrase"
keystore="$state_dir/gateway/keystore.json"
[ -f "$passphrase_file" ] || printf 'dev-gateway\n' >"$passphrase_file"
if [ ! -f "$keystore" ]; then
	"$bin_dir/medchain" --keystore "$keystore" --passphrase-file "$passphrase_file" keys init --suri //Ferdie >/dev/null
fi

cat >&2 <<INFO

  MedChain dev chain
  ------------------
  JSON-RPC (WebSocket + HTTP): ws://127.0.0.1:$MEDCHAIN_RPC_PORT
  polkadot.js apps:            https://polkadot.js.org/apps/?rpc=ws%3A%2F%2F127.0.0.1%3A$MEDCHAIN_RPC_PORT#/explorer
  Prometheus metrics:          http://127.0.0.1:$MEDCHAIN_PROMETHEUS_PORT/metrics
  p2p:                         /ip4/127.0.0.1/tcp/$MEDCHAIN_P2P_PORT
  Dev accounts:                //Alice (validator, sudo), //Bob, //Charlie, ... (1,000,000 MED each)
  Gateway (as //Ferdie):       $gateway_url   (data in $state_dir/gateway)
  Client:                      $bin_dir/medchain --help
  dApp (patients, clinicians,  http://127.0.0.1:$MEDCHAIN_DAPP_PORT/?node=ws://127.0.0.1:$MEDCHAIN_RPC_PORT&gateway=$gateway_url
        council):              (dev accounts offered on this dev chain; or the polkadot.js extension)

INFO

pids=()
stop() {
	kill "${pids[@]}" 2>/dev/null || true
	wait 2>/dev/null || true
	$persist || rm -rf "$state_dir"
}
trap stop EXIT INT TERM

"$MEDCHAIN_NODE_BIN" --dev "${base_path_args[@]}" \
	--rpc-port "$MEDCHAIN_RPC_PORT" --port "$MEDCHAIN_P2P_PORT" \
	--prometheus-port "$MEDCHAIN_PROMETHEUS_PORT" \
	--rpc-cors all &
pids+=($!)

# The gateway needs the node's RPC.
for _ in $(seq 1 120); do
	(exec 3<>"/dev/tcp/127.0.0.1/$MEDCHAIN_RPC_PORT") 2>/dev/null && break
	sleep 0.5
done

"$bin_dir/medchain-gateway" --node "ws://127.0.0.1:$MEDCHAIN_RPC_PORT" \
	--listen "127.0.0.1:$MEDCHAIN_GATEWAY_PORT" --data-dir "$state_dir/gateway/data" \
	--keystore "$keystore" --passphrase-file "$passphrase_file" \
	--cors-origin "http://127.0.0.1:$MEDCHAIN_DAPP_PORT" &
pids+=($!)

# vite itself, not npx, which would leave vite running when it is stopped.
(cd "$MEDCHAIN_ROOT/dapp" && exec node_modules/.bin/vite preview --port "$MEDCHAIN_DAPP_PORT") &
pids+=($!)

if $check; then
	# What a newcomer sees first: the node answers JSON-RPC, the gateway its info, Vite the dApp.
	# (This caught start.sh calling a CLI subcommand renamed long before, on 2026-12-07.)
	answers() { curl -sf --max-time 2 "$@" >/dev/null; }
	deadline=$((SECONDS + 60))
	while ((SECONDS < deadline)); do
		answers -H 'Content-Type: application/json' \
			-d '{"id":1,"jsonrpc":"2.0","method":"system_health","params":[]}' \
			"http://127.0.0.1:$MEDCHAIN_RPC_PORT" &&
			answers "$gateway_url/v1/info" &&
			answers "http://127.0.0.1:$MEDCHAIN_DAPP_PORT/" &&
			{ log "start.sh --check: node, gateway and dApp answer"; exit 0; }
		for pid in "${pids[@]}"; do
			kill -0 "$pid" 2>/dev/null || die "start.sh --check: a process exited (pid $pid)"
		done
		sleep 0.5
	done
	die "start.sh --check: node, gateway or dApp did not answer within 60 s"
fi

# Stop everything as soon as either process exits.
wait -n "${pids[@]}"
