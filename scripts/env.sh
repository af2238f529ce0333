# Shared environment for every MedChain script. Source it; do not run it.
#
# One persistent cargo target directory outside the checkout: a fresh clone (CI) reuses the
# dependencies compiled by earlier builds instead of spending ~40 minutes rebuilding them.

MEDCHAIN_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export MEDCHAIN_ROOT
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/medchain/target}"
# The runtime's WASM build looks for Cargo.lock above the target dir; with the target dir
# outside the checkout it must be told where the workspace is, or it resolves versions afresh.
export WASM_BUILD_WORKSPACE_HINT="$MEDCHAIN_ROOT"
# Make rustup's cargo visible to non-login shells (CI, fresh machines).
if [ -f "$HOME/.cargo/env" ]; then
	# shellcheck disable=SC1091
	. "$HOME/.cargo/env"
fi
export PATH="$HOME/.cargo/bin:$PATH"

# Every build and test uses the same profile and package selection, so cargo's feature
# unification never differs between runs and nothing is rebuilt needlessly.
export MEDCHAIN_PROFILE=release
MEDCHAIN_CARGO_SELECTION=(--workspace --locked)
export MEDCHAIN_NODE_BIN="$CARGO_TARGET_DIR/$MEDCHAIN_PROFILE/medchain-node"
export MEDCHAIN_CLI_BIN="$CARGO_TARGET_DIR/$MEDCHAIN_PROFILE/medchain"
# The federated-learning package's virtualenv (scripts/setup.sh, scripts/fl.sh).
export MEDCHAIN_FL_VENV="${MEDCHAIN_FL_VENV:-$HOME/.cache/medchain/fl-venv}"
# litep2p asks for a vendored OpenSSL (str0m's `vendored` feature), which compiles OpenSSL from
# source (~5 min on 2 cores); link the system's libssl instead (setup.sh installs libssl-dev).
export OPENSSL_NO_VENDOR=1

# The browser dApp (scripts/dapp.sh): the client compiled to WebAssembly with its own profile
# (`dapp`: the release profile with panic=abort, which is all wasm32-unknown-unknown's std
# supports), bound to JavaScript by the wasm-bindgen CLI of the crate's exact version, tested in
# Debian's Chromium.
export MEDCHAIN_WASM_BINDGEN_VERSION=0.2.130
export MEDCHAIN_CHROMIUM="${MEDCHAIN_CHROMIUM:-/usr/bin/chromium}"

# Dev-chain endpoints used by start.sh and printed for polkadot.js.
export MEDCHAIN_RPC_PORT="${MEDCHAIN_RPC_PORT:-9944}"
export MEDCHAIN_P2P_PORT="${MEDCHAIN_P2P_PORT:-30333}"
export MEDCHAIN_PROMETHEUS_PORT="${MEDCHAIN_PROMETHEUS_PORT:-9615}"
export MEDCHAIN_GATEWAY_PORT="${MEDCHAIN_GATEWAY_PORT:-8787}"
export MEDCHAIN_DAPP_PORT="${MEDCHAIN_DAPP_PORT:-4173}"

log() { printf '\033[1;34m[medchain]\033[0m %s\n' "$*" >&2; }
die() { printf '\033[1;31m[medchain] error:\033[0m %s\n' "$*" >&2; exit 1; }

# Builds the node (and with it the runtime WASM) and every workspace crate.
build_workspace() {
	log "building the workspace ($MEDCHAIN_PROFILE) into $CARGO_TARGET_DIR"
	cargo build --profile "$MEDCHAIN_PROFILE" "${MEDCHAIN_CARGO_SELECTION[@]}" "$@"
}

# Builds the dApp: medchain-wasm for wasm32-unknown-unknown, its JavaScript bindings
# (dapp/src/wasm-pkg), then the type-checked Vite bundle (dapp/dist).
dapp_build() {
	log "building the client for browsers (medchain-wasm, wasm32-unknown-unknown)"
	cargo build --profile dapp --locked -p medchain-wasm --target wasm32-unknown-unknown
	command -v wasm-bindgen >/dev/null 2>&1 || die "wasm-bindgen not found: run scripts/setup.sh"
	wasm-bindgen --target web --out-dir "$MEDCHAIN_ROOT/dapp/src/wasm-pkg" \
		"$CARGO_TARGET_DIR/wasm32-unknown-unknown/dapp/medchain_wasm.wasm"
	log "building the dApp (tsc, vite)"
	(cd "$MEDCHAIN_ROOT/dapp" && npm run --silent build)
}
