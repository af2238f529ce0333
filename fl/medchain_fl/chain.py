"""The chain, from Python: MedChain's `Fl` and `Consent` pallets through `substrate-interface`.

Calls, storage and events are encoded and decoded with the types in the node's metadata (no
SCALE type is written here). Runtime APIs (`FlApi`) are not reachable this way, since
`substrate-interface` needs hand-written definitions for them; `lineage()` asks the `medchain`
CLI instead, which has the runtime's generated types.

Every refusal surfaces as :class:`ChainError` with the pallet's error name (`Fl::BudgetExceeded`),
the form the project's Rust tests use.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
from dataclasses import dataclass
from typing import Any

from substrateinterface import Keypair, SubstrateInterface
from substrateinterface.exceptions import SubstrateRequestException

#: One token in plancks (the runtime's `UNIT`).
UNIT = 10**12


class ChainError(Exception):
    """The chain refused a transaction or a query failed; `name` is `Pallet::Error` when the
    chain said why."""

    def __init__(self, name: str, detail: str = "") -> None:
        super().__init__(f"{name}{': ' + detail if detail else ''}")
        self.name = name


@dataclass(frozen=True)
class Included:
    """A transaction in a block: its block and the events it emitted (module, event, fields)."""

    block_hash: str
    block_number: int
    events: list[tuple[str, str, Any]]

    def find(self, module: str, event: str) -> list[Any]:
        """The fields of each `module.event` the transaction emitted."""
        return [fields for (m, e, fields) in self.events if (m, e) == (module, event)]


#: Which of the metadata's types are the runtime's call and event enums and bounded vectors.
#: `scalecodec` recognises them by path, and knows the paths of older polkadot-sdk releases
#: (`*::RuntimeCall`, `frame_support::..::BoundedVec`); stable2609's are
#: `medchain_runtime::construct::RuntimeCall` and `bounded_collections::..::BoundedVec`. This
#: names no layout: every field and variant still comes from the node's metadata.
TYPE_PATHS = {
    "types": {
        "*::*::RuntimeCall": "GenericCall",
        "*::*::RuntimeEvent": {
            "type": "struct",
            "base_class": "GenericScaleInfoEvent",
            "type_mapping": [],
        },
        "bounded_collections::bounded_vec::BoundedVec": "BoundedVec",
        "bounded_collections::weak_bounded_vec::WeakBoundedVec": "BoundedVec",
    }
}


def keypair(uri: str) -> Keypair:
    """An sr25519 key from a secret URI (`//Alice` on dev chains)."""
    return Keypair.create_from_uri(uri)


class Chain:
    """A connection to a MedChain node."""

    def __init__(self, url: str, retries: int = 60) -> None:
        last: Exception | None = None
        for _ in range(retries):
            try:
                self.substrate = SubstrateInterface(url=url, type_registry=TYPE_PATHS)
                break
            except (ConnectionError, OSError, SubstrateRequestException) as err:
                last = err
                time.sleep(1)
        else:
            raise ChainError("Unreachable", f"{url}: {last}")
        self.url = url

    # Transactions

    def submit(
        self,
        signer: Keypair,
        module: str,
        function: str,
        params: dict[str, Any],
        sudo: bool = False,
    ) -> Included:
        """Signs and submits `module.function(params)` (wrapped in `Sudo.sudo` if `sudo`), waits
        for its block and returns its events; `ChainError` if it failed."""
        return self.submit_all([(signer, module, function, params, sudo)])[0]

    def submit_all(
        self, transactions: list[tuple[Keypair, str, str, dict[str, Any], bool]], timeout: float = 120.0
    ) -> list[Included]:
        """Submits every `(signer, module, function, params, sudo)` at once (one signer's in
        order, with consecutive nonces), waits until all are in blocks and returns their events
        in the same order; `ChainError` for the first that failed."""
        nonces: dict[str, int] = {}
        pending: dict[str, int] = {}
        for index, (signer, module, function, params, sudo) in enumerate(transactions):
            call = self.substrate.compose_call(module, function, params)
            if sudo:
                call = self.substrate.compose_call("Sudo", "sudo", {"call": call})
            address = signer.ss58_address
            if address not in nonces:
                nonces[address] = self.substrate.get_account_nonce(address)
            extrinsic = self.substrate.create_signed_extrinsic(
                call=call, keypair=signer, nonce=nonces[address]
            )
            nonces[address] += 1
            try:
                receipt = self.substrate.submit_extrinsic(extrinsic, wait_for_inclusion=False)
            except SubstrateRequestException as err:
                raise ChainError("Refused", f"{module}.{function}: {err}") from err
            pending[receipt.extrinsic_hash] = index
        found: dict[int, Included] = {}
        deadline = time.monotonic() + timeout
        number = self.best_number()
        while pending:
            if time.monotonic() > deadline:
                raise ChainError("Timeout", f"{len(pending)} transactions not included")
            if self.best_number() < number:
                time.sleep(0.5)
                continue
            block_hash = self.substrate.get_block_hash(number)
            block = self.substrate.get_block(block_hash=block_hash)
            for extrinsic in block["extrinsics"]:
                tx_hash = "0x" + extrinsic.extrinsic_hash.hex() if extrinsic.extrinsic_hash else None
                if tx_hash in pending:
                    index = pending.pop(tx_hash)
                    receipt = self.substrate.retrieve_extrinsic_by_hash(block_hash, tx_hash)
                    _, module, function, _, _ = transactions[index]
                    found[index] = self._included(receipt, number, f"{module}.{function}")
            number += 1
        return [found[i] for i in range(len(transactions))]

    def _included(self, receipt: Any, number: int, what: str) -> Included:
        events = []
        for record in receipt.triggered_events:
            event = record.value["event"]
            events.append((event["module_id"], event["event_id"], event["attributes"]))
        for fields in [f for (m, e, f) in events if (m, e) == ("System", "ExtrinsicFailed")]:
            raise ChainError(_dispatch_error_name(self.substrate, fields["dispatch_error"]), what)
        for fields in [f for (m, e, f) in events if (m, e) == ("Sudo", "Sudid")]:
            result = fields["sudo_result"]
            if isinstance(result, dict) and "Err" in result:
                raise ChainError(_dispatch_error_name(self.substrate, result["Err"]), f"sudo {what}")
        return Included(receipt.block_hash, number, events)

    # State

    def best_number(self) -> int:
        """Number of the best block."""
        return int(self.substrate.get_block_number(self.substrate.get_chain_head()))

    def wait_for_block(self, number: int, timeout: float = 300.0) -> None:
        """Waits until the best block is at least `number`."""
        deadline = time.monotonic() + timeout
        while self.best_number() < number:
            if time.monotonic() > deadline:
                raise ChainError("Timeout", f"block {number} not reached in {timeout} s")
            time.sleep(1)

    def query(self, module: str, item: str, params: list[Any] | None = None) -> Any:
        """A storage entry's value at the best block (None if absent)."""
        result = self.substrate.query(module, item, params or [])
        return None if result is None else result.value

    def constant(self, module: str, name: str) -> Any:
        """A runtime constant."""
        return self.substrate.get_constant(module, name).value

    def task(self, task: int) -> dict[str, Any] | None:
        """`Fl.Tasks(task)`."""
        return self.query("Fl", "Tasks", [task])

    def participant(self, task: int, who: str) -> dict[str, Any] | None:
        """`Fl.Participants(task, who)`."""
        return self.query("Fl", "Participants", [task, who])

    def updates(self, task: int, round_: int) -> dict[str, dict[str, Any]]:
        """`Fl.Updates((task, round), *)`: the round's committed updates by participant."""
        entries = self.substrate.query_map("Fl", "Updates", [[task, round_]])
        return {str(key.value): value.value for key, value in entries}

    def checkpoint(self, task: int, round_: int) -> dict[str, Any] | None:
        """`Fl.Checkpoints(task, round)`."""
        return self.query("Fl", "Checkpoints", [task, round_])

    def free_and_reserved(self, who: str) -> tuple[int, int]:
        """An account's free and reserved (held) balance."""
        data = self.query("System", "Account", [who])["data"]
        return int(data["free"]), int(data["reserved"])


def lineage(url: str, task: int) -> list[dict[str, Any]]:
    """`FlApi.lineage(task)` at the best block, through `medchain fl lineage --json`."""
    binary = os.environ.get("MEDCHAIN_CLI") or shutil.which("medchain")
    if not binary:
        raise ChainError("NoCli", "set MEDCHAIN_CLI to the medchain binary")
    out = subprocess.run(
        [binary, "--node", url, "--json", "fl", "lineage", "--task", str(task)],
        check=False,
        capture_output=True,
        text=True,
    )
    if out.returncode != 0:
        raise ChainError("Cli", out.stderr.strip())
    return json.loads(out.stdout)


def _dispatch_error_name(substrate: SubstrateInterface, error: Any) -> str:
    """`Pallet::Error` for a decoded `DispatchError::Module` (names from the metadata), else the
    `DispatchError` variant (`BadOrigin`, ...)."""
    if isinstance(error, dict) and "Module" in error:
        module = error["Module"]
        if isinstance(module, (tuple, list)):
            index, raw = module[0], module[1]
        else:
            index, raw = module["index"], module["error"]
        # The error index is the first byte of the `[u8; 4]`, decoded as hex text.
        code = int(raw[2:4], 16) if isinstance(raw, str) else int(raw)
        pallet = next(
            (p.name for p in substrate.metadata.pallets if p.value["index"] == index), str(index)
        )
        return f"{pallet}::{substrate.metadata.get_module_error(index, code).name}"
    if isinstance(error, dict):
        return next(iter(error))
    return str(error)
