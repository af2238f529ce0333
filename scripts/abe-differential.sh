#!/usr/bin/env bash
# The long run of the differential CP-ABE test (client/tests/abe_differential.rs): the runtime's
# policy evaluator against real AW11 decryption on random policies and readers. `scripts/test.sh`
# runs 300 cases; this runs $1 (default 3000). Replay a failure with MEDCHAIN_ABE_DIFF_SEED.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$MEDCHAIN_ROOT"
MEDCHAIN_ABE_DIFF_CASES="${1:-3000}" cargo test --profile "$MEDCHAIN_PROFILE" \
	"${MEDCHAIN_CARGO_SELECTION[@]}" --test abe_differential -- --nocapture
