#!/usr/bin/env bash
# Installs what a fresh Debian/Ubuntu machine lacks to build MedChain. Idempotent: it checks
# before it installs, so running it on a prepared machine takes a second.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"

as_root() {
	if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

# System packages: protoc (libp2p's protobuf definitions), clang (C parts of some crates),
# libssl-dev (OpenSSL for the node's networking).
missing=()
command -v protoc >/dev/null 2>&1 || missing+=(protobuf-compiler)
command -v clang >/dev/null 2>&1 || missing+=(clang)
command -v cc >/dev/null 2>&1 || missing+=(build-essential)
command -v pkg-config >/dev/null 2>&1 || missing+=(pkg-config)
command -v git >/dev/null 2>&1 || missing+=(git)
# OpenSSL's headers and pkg-config file: the node links the system's libssl (env.sh).
[ -f /usr/include/openssl/ssl.h ] || missing+=(libssl-dev)
# Debian's Chromium for the dApp's browser tests (Playwright drives it; no browser download).
[ -x "$MEDCHAIN_CHROMIUM" ] || missing+=(chromium)
if [ "${#missing[@]}" -gt 0 ]; then
	command -v apt-get >/dev/null 2>&1 ||
		die "missing ${missing[*]} and no apt-get: install them with your package manager"
	log "installing system packages: ${missing[*]}"
	as_root apt-get update -qq
	DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# Rust: rustup's toolchain with the WASM targets the runtime builds for.
command -v rustup >/dev/null 2>&1 ||
	die "rustup not found: install it from https://rustup.rs, then run this script again"
installed_targets="$(rustup target list --installed)"
for target in wasm32-unknown-unknown wasm32v1-none; do
	if ! grep -qx "$target" <<<"$installed_targets"; then
		log "adding rustup target $target"
		rustup target add "$target"
	fi
done
installed_components="$(rustup component list --installed)"
for component in rust-src clippy rustfmt; do
	if ! grep -q "^$component" <<<"$installed_components"; then
		log "adding rustup component $component"
		rustup component add "$component"
	fi
done

# cargo-nextest runs the test suites side by side (scripts/test.sh).
if ! cargo nextest --version >/dev/null 2>&1; then
	log "installing cargo-nextest (from crates.io)"
	cargo install cargo-nextest --locked
fi

# The wasm-bindgen CLI (scripts/dapp.sh) at exactly the version of the crate in Cargo.lock.
if [ "$(wasm-bindgen --version 2>/dev/null)" != "wasm-bindgen $MEDCHAIN_WASM_BINDGEN_VERSION" ]; then
	log "installing wasm-bindgen-cli $MEDCHAIN_WASM_BINDGEN_VERSION (from crates.io)"
	# Not `--locked`: its lock file names webpki-roots 1.0.11, which the registry does not
	# serve (seen 2026-12-06); the CLI's own version is pinned all the same.
	cargo install wasm-bindgen-cli --version "$MEDCHAIN_WASM_BINDGEN_VERSION"
fi

# The dApp's packages (polkadot.js, Vite, TypeScript, Playwright) exactly as locked; Playwright
# is told not to download browsers (the tests use Debian's Chromium).
dapp_dir="$MEDCHAIN_ROOT/dapp"
if ! cmp -s "$dapp_dir/package-lock.json" "$dapp_dir/node_modules/.medchain-lock" 2>/dev/null; then
	command -v npm >/dev/null 2>&1 || die "npm not found: install Node.js 20 and npm"
	log "installing the dApp's packages (npm ci in dapp/)"
	(cd "$dapp_dir" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error)
	cp "$dapp_dir/package-lock.json" "$dapp_dir/node_modules/.medchain-lock"
fi

# Zombienet (scripts/zombienet.sh) from the npm registry, exactly as locked.
zombienet_dir="$MEDCHAIN_ROOT/zombienet"
if ! cmp -s "$zombienet_dir/package-lock.json" "$zombienet_dir/node_modules/.medchain-lock" 2>/dev/null; then
	command -v npm >/dev/null 2>&1 || die "npm not found: install Node.js 20 and npm"
	log "installing zombienet (npm ci in zombienet/)"
	(cd "$zombienet_dir" && npm ci --no-audit --no-fund --loglevel=error)
	cp "$zombienet_dir/package-lock.json" "$zombienet_dir/node_modules/.medchain-lock"
fi

# The federated-learning package (fl/: Flower, substrate-interface, dp-accounting,
# scikit-learn) in its own virtualenv, exactly as locked.
fl_venv="$MEDCHAIN_FL_VENV"
if ! cmp -s "$MEDCHAIN_ROOT/fl/requirements.lock" "$fl_venv/.medchain-lock" 2>/dev/null; then
	command -v python3 >/dev/null 2>&1 || die "python3 not found: install Python 3.11 or newer"
	python3 -c 'import sys; sys.exit(sys.version_info < (3, 11))' ||
		die "fl/ needs Python 3.11 or newer (found $(python3 --version))"
	log "installing the federated-learning package (fl/) into $fl_venv"
	[ -x "$fl_venv/bin/python" ] || python3 -m venv "$fl_venv"
	"$fl_venv/bin/pip" install --quiet --disable-pip-version-check -r "$MEDCHAIN_ROOT/fl/requirements.lock"
	"$fl_venv/bin/pip" install --quiet --disable-pip-version-check --no-deps --no-build-isolation \
		-e "$MEDCHAIN_ROOT/fl"
	cp "$MEDCHAIN_ROOT/fl/requirements.lock" "$fl_venv/.medchain-lock"
fi

mkdir -p "$CARGO_TARGET_DIR"
log "set-up complete (cargo target dir: $CARGO_TARGET_DIR)"
