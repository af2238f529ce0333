#!/usr/bin/env bash
# Regenerates metadata/medchain.scale, the runtime metadata the typed chain API (chain-api/)
# is generated from, from the native runtime (the same code as the WASM the node runs).
# Run it after changing a call, event, storage item, type or runtime API; `scripts/test.sh`
# fails (runtime test `metadata_file_is_current`) while the file is stale.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$MEDCHAIN_ROOT"
mkdir -p metadata
# With the workspace's selection (so nothing rebuilds for other features) when the workspace
# compiles; when off-chain code already uses what the new metadata adds (a new event, say), it
# cannot compile until the file is written, so then the runtime alone (its dependencies
# rebuild once for that feature set, ~10 min).
if ! MEDCHAIN_WRITE_METADATA=1 cargo test --profile "$MEDCHAIN_PROFILE" "${MEDCHAIN_CARGO_SELECTION[@]}" \
	-p medchain-runtime --lib metadata_file_is_current; then
	log "the workspace does not compile against the old metadata: writing it from the runtime alone"
	MEDCHAIN_WRITE_METADATA=1 cargo test --profile "$MEDCHAIN_PROFILE" --locked \
		-p medchain-runtime --lib metadata_file_is_current
fi
log "wrote metadata/medchain.scale ($(wc -c <metadata/medchain.scale) bytes)"
