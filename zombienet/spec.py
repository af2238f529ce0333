#!/usr/bin/env python3
"""Prints the raw chain spec of MedChain's four-validator consortium network (zombienet).

The node's `local` preset (validators Alice, Bob and Charlie; council Alice to Dave) with Dave
as a fourth validator: his account joins `validators.validators` and his session keys (Aura
sr25519, GRANDPA ed25519, the keys `medchain-node --dave` inserts) join `session.keys`. The
node then turns the patched spec into the raw spec zombienet starts every node with.

Uses `medchain-node` from `$MEDCHAIN_NODE_BIN`, else from PATH. `$MEDCHAIN_SESSION_BLOCKS`, if
set, replaces the preset's 10 blocks a session (`scripts/load.sh --network` sets 600, a
consortium's hour: pallet-session charges a whole block for each rotation, so a session's first
block carries no transactions).
"""

import json
import os
import subprocess
import sys
import tempfile

NODE = os.environ.get("MEDCHAIN_NODE_BIN") or "medchain-node"
EXTRA_VALIDATORS = ["Dave"]
SESSION_BLOCKS = os.environ.get("MEDCHAIN_SESSION_BLOCKS")


def node(*args: str) -> str:
    result = subprocess.run([NODE, *args], capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"{NODE} {' '.join(args)} failed:\n{result.stderr}")
    return result.stdout


def public(scheme: str, name: str) -> str:
    """The SS58 address of the dev key `//<name>` in `scheme`."""
    inspected = json.loads(node("key", "inspect", "--scheme", scheme, "--output-type", "json", f"//{name}"))
    return inspected["ss58Address"]


def main() -> None:
    spec = json.loads(node("export-chain-spec", "--chain", "local"))
    patch = spec["genesis"]["runtimeGenesis"]["patch"]
    validators = patch["validators"]["validators"]
    keys = patch["session"]["keys"]
    for name in EXTRA_VALIDATORS:
        account = public("sr25519", name)
        if account in validators:
            continue
        validators.append(account)
        keys.append([account, account, {"aura": account, "grandpa": public("ed25519", name)}])
    if SESSION_BLOCKS:
        if not SESSION_BLOCKS.isdigit() or int(SESSION_BLOCKS) == 0:
            sys.exit(f"MEDCHAIN_SESSION_BLOCKS must be a positive number of blocks, not {SESSION_BLOCKS!r}")
        patch["validators"]["sessionLength"] = int(SESSION_BLOCKS)
    spec["name"] = "MedChain consortium (4 validators)"
    spec["id"] = "medchain_consortium4"
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as plain:
        json.dump(spec, plain)
    try:
        sys.stdout.write(node("export-chain-spec", "--chain", plain.name, "--raw"))
    finally:
        os.unlink(plain.name)


if __name__ == "__main__":
    main()
