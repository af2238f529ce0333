"""What a hospital does in a round, independent of Flower: check the task on chain, train with
DP-SGD on its own data, store the update by CID and commit it on chain.

The site's privacy ledger (how many updates it has released for each task) is a small JSON
file it keeps itself; the ε it commits for an update is the increase of the accountant's ε
(see :mod:`medchain_fl.dp`), and an update counts as released only once the chain accepted its
commitment, so a refused update spends nothing on either ledger.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from . import data, dp
from .chain import Chain, ChainError, keypair
from .store import Store

#: How a poisoned site corrupts its update: scaled far outside the honest updates' norms.
POISON_SCALE = 1_000.0


class Excluded(Exception):
    """The site takes no part in this round; the message says why (the chain's reason)."""


@dataclass(frozen=True)
class Commitment:
    """An update the chain accepted."""

    cid: str
    digest: bytes
    samples: int
    milli_epsilon: int
    params: np.ndarray


class PrivacyLedger:
    """Released updates per task, in a JSON file written atomically."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.path.parent.mkdir(parents=True, exist_ok=True)

    def _load(self) -> dict[str, int]:
        try:
            return {k: int(v) for k, v in json.loads(self.path.read_text()).items()}
        except FileNotFoundError:
            return {}

    def released(self, task: int) -> int:
        """Updates released for `task`."""
        return self._load().get(str(task), 0)

    def record_release(self, task: int) -> None:
        """Counts one more released update for `task`."""
        ledger = self._load()
        ledger[str(task)] = ledger.get(str(task), 0) + 1
        temporary = self.path.with_suffix(f".{os.getpid()}.partial")
        temporary.write_text(json.dumps(ledger))
        os.replace(temporary, self.path)


class Site:
    """One hospital of a federation."""

    def __init__(
        self,
        index: int,
        uri: str,
        chain: Chain,
        store: Store,
        state_dir: Path,
        config: dp.DpConfig,
        poison_round: int = 0,
    ) -> None:
        self.index = index
        self.key = keypair(uri)
        self.chain = chain
        self.store = store
        self.config = config
        self.poison_round = poison_round
        self.data = data.partition(index)
        self.ledger = PrivacyLedger(state_dir / f"site-{self.key.ss58_address}.json")

    @property
    def account(self) -> str:
        """The site's chain account (SS58)."""
        return self.key.ss58_address

    def ensure_participant(self, task: int) -> None:
        """Joins `task` if the site has not: the chain checks its attributes against the task's
        policy. `Excluded` with the chain's reason if it refuses."""
        if self.chain.participant(task, self.account) is not None:
            return
        try:
            self.chain.submit(self.key, "Fl", "join_task", {"task": task})
        except ChainError as err:
            raise Excluded(f"cannot join task {task}: {err.name}") from err

    def train_round(self, task: int, round_: int, global_params: np.ndarray) -> Commitment:
        """Round `round_` of `task` from `global_params`: train, store, commit."""
        stored = self.chain.task(task)
        if stored is None:
            raise Excluded(f"task {task} does not exist")
        if stored["status"] != "Running" or int(stored["round"]) != round_:
            raise Excluded(f"task {task} is not in round {round_} (it is {stored['status']}, "
                           f"round {stored['round']})")
        self.ensure_participant(task)
        # DP noise must be unpredictable: fresh OS entropy, never a seed derived from the round.
        params = dp.train_private(global_params, self.data, self.config, np.random.default_rng())
        if self.poison_round and round_ == self.poison_round:
            params = params * POISON_SCALE
        cid, digest = self.store.put_model(params)
        released = self.ledger.released(task)
        milli_epsilon = dp.milli_epsilon_increment(released, self.config)
        try:
            self.chain.submit(
                self.key,
                "Fl",
                "submit_update",
                {
                    "task": task,
                    "update": {
                        "model": {"cid": cid, "digest": "0x" + digest.hex()},
                        "samples": len(self.data),
                        "epsilon": milli_epsilon,
                        "metrics": None,
                    },
                },
            )
        except ChainError as err:
            raise Excluded(f"update refused by the chain: {err.name}") from err
        self.ledger.record_release(task)
        return Commitment(cid, digest, len(self.data), milli_epsilon, params)
