"""Checking committed updates and aggregating them: the aggregator's rules, and what any
participant runs to recompute a published aggregate.

An update is *rogue* when its bytes are not what its sender committed on chain (missing, digest
mismatch, not a model), when it has the wrong shape or non-finite values, or when its distance
from the global model is more than :data:`NORM_FACTOR` times the lower median of all distances
(a scaled or otherwise poisoned update). The aggregate is the sample-weighted mean (FedAvg) of
the used updates, summed in the order of their senders' accounts, so that anyone recomputing it
from the committed updates gets the same bytes and so the same digest.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .store import Store, StoreError

#: How many times the lower median of the updates' distances from the global model an update
#: may be before it is flagged.
NORM_FACTOR = 5.0


@dataclass(frozen=True)
class Verdict:
    """The updates an aggregate uses (account, params, samples) and the flagged ones
    (account, reason: at most 32 bytes, the chain's bound)."""

    used: list[tuple[str, np.ndarray, int]]
    rogue: list[tuple[str, str]]


def _committed(update: dict) -> tuple[str, bytes, int]:
    model = update["input"]["model"]
    cid = model["cid"]
    if not isinstance(cid, str):
        cid = bytes(cid).decode()
    elif cid.startswith("0x"):
        cid = bytes.fromhex(cid[2:]).decode()
    return cid, bytes.fromhex(model["digest"][2:]), int(update["input"]["samples"])


def inspect(
    committed: dict[str, dict], store: Store, global_params: np.ndarray
) -> Verdict:
    """Sorts a round's committed updates (`Fl.Updates` by account) into used and rogue."""
    candidates: list[tuple[str, np.ndarray, int]] = []
    rogue: list[tuple[str, str]] = []
    for account in sorted(committed):
        if committed[account].get("rogue"):
            continue
        cid, digest, samples = _committed(committed[account])
        try:
            params = store.get_model(cid, digest)
        except StoreError:
            rogue.append((account, "commitment-mismatch"))
            continue
        if params.shape != global_params.shape:
            rogue.append((account, "wrong-shape"))
        elif not np.all(np.isfinite(params)):
            rogue.append((account, "non-finite"))
        else:
            candidates.append((account, params, samples))
    if candidates:
        distances = np.array([np.linalg.norm(p - global_params) for _, p, _ in candidates])
        lower_median = float(np.sort(distances)[(len(distances) - 1) // 2])
        bound = NORM_FACTOR * max(lower_median, 1e-12)
        used = []
        for (account, params, samples), distance in zip(candidates, distances):
            if distance > bound:
                rogue.append((account, "norm-outlier"))
            else:
                used.append((account, params, samples))
    else:
        used = []
    return Verdict(used=used, rogue=rogue)


def fedavg(used: list[tuple[str, np.ndarray, int]]) -> np.ndarray:
    """The sample-weighted mean of `used`, summed in account order."""
    if not used:
        raise ValueError("no update to aggregate")
    ordered = sorted(used, key=lambda entry: entry[0])
    total = sum(samples for _, _, samples in ordered)
    result = np.zeros_like(ordered[0][1])
    for _, params, samples in ordered:
        result = result + params * (samples / total)
    return result


def recompute(
    used_accounts: list[str], committed: dict[str, dict], store: Store
) -> np.ndarray:
    """Recomputes an aggregate from the committed updates of the accounts it names."""
    used = []
    for account in used_accounts:
        cid, digest, samples = _committed(committed[account])
        used.append((account, store.get_model(cid, digest), samples))
    return fedavg(used)
