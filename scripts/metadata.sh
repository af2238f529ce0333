#!/usr/bin/env bash
# Regenerates metadata/medchain.scale, the runtime metadata the typed chain API (chain-api/)
# is generated from, from the native runtime (the same code as the WASM the node runs).
# Run it after changing a call, event, storage item, type or runtime API; `scripts/test.sh`
# fails (runtime test `metadata_file_is_current`) while the file is stale.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$MEDCHAIN_ROOT"
mkdir -p metadata
MEDCHAIN_WRITE_METADATA=1 cargo test --profile "$MEDCHAIN_PROFILE" "${MEDCHAIN_CARGO_SELECTION[@]}" \
	-p medchain-runtime --lib metadata_file_is_current
log "wrote metadata/medchain.scale ($(wc -c <metadata/medchain.scale) bytes)"
