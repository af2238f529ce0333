#!/usr/bin/env bash
# The browser dApp (dapp/): builds it and tests it in Chromium against a real dev chain.
#
#   scripts/dapp.sh            build, then the Playwright suite (dapp/e2e) against the world of
#                              medchain-dapp-fixture (dev node, gateway, authority, patient,
#                              records, grant); screenshots and results in $MEDCHAIN_DAPP_OUT
#   scripts/dapp.sh --build    build only: the client for browsers (WebAssembly, wasm-bindgen)
#                              and the Vite bundle in dapp/dist (scripts/start.sh serves it)
#
# Needs the workspace built (the fixture, node, gateway and CLI binaries) and scripts/setup.sh
# (wasm-bindgen CLI, Debian's Chromium, dapp/node_modules).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$MEDCHAIN_ROOT"

build_only=false
case "${1:-}" in
	--build) build_only=true ;;
	"") ;;
	-h | --help) sed -n '2,11p' "$0"; exit 0 ;;
	*) die "unknown option: $1" ;;
esac

dapp_build

$build_only && exit 0

out="${MEDCHAIN_DAPP_OUT:-$MEDCHAIN_ROOT/dapp/test-results}"
rm -rf "$out"
mkdir -p "$out"
work="$(mktemp -d)"
fixture_pid=""
cleanup() {
	if [ -n "$fixture_pid" ]; then
		kill -TERM "$fixture_pid" 2>/dev/null || true
		wait "$fixture_pid" 2>/dev/null || true
	fi
	rm -rf "$work"
}
trap cleanup EXIT INT TERM

log "starting the fixture world (dev node, gateway, records; log: $out/fixture.log)"
"$CARGO_TARGET_DIR/$MEDCHAIN_PROFILE/medchain-dapp-fixture" --out "$out/fixture.json" --dir "$work" \
	--origin "http://127.0.0.1:$MEDCHAIN_DAPP_PORT" >"$out/fixture.log" 2>&1 &
fixture_pid=$!
for _ in $(seq 1 600); do
	[ -f "$out/fixture.json" ] && break
	kill -0 "$fixture_pid" 2>/dev/null || { tail -20 "$out/fixture.log" >&2; die "the fixture stopped"; }
	sleep 0.5
done
[ -f "$out/fixture.json" ] || die "the fixture was not ready after 5 minutes"

log "Playwright in Chromium ($MEDCHAIN_CHROMIUM)"
(
	cd dapp
	MEDCHAIN_DAPP_FIXTURE="$out/fixture.json" MEDCHAIN_DAPP_OUT="$out" CHROMIUM="$MEDCHAIN_CHROMIUM" \
		npx --no-install playwright test
)
log "screenshots: $out/screenshots; results: $out/results.json"
