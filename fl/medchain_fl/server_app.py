"""The Flower ServerApp: the task's designated aggregator.

`ChainFedAvg` is Flower's FedAvg with the chain in the loop: each round waits for the chain's
round to open, sends the global model to every site, and after the chain's submission window
checks every committed update (:mod:`medchain_fl.aggregate`), publishes the aggregate with the
updates it used and the rogue flags (`Fl.publish_aggregate`), waits out the challenge window
and finalises the round (`Fl.finalize_round`), which starts the next one.

Run configuration (`pyproject.toml`, overridable with `flwr run --run-config`): `chain-url`,
`task`, `aggregator-key` (secret URI), `store`, `num-rounds`.
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from logging import INFO

import numpy as np
from flwr.app import ArrayRecord, ConfigRecord, Context, Message, MetricRecord
from flwr.common.logger import log
from flwr.serverapp import Grid, ServerApp
from flwr.serverapp.strategy import FedAvg

from . import data, model
from .aggregate import fedavg, inspect
from .chain import Chain, keypair
from .store import Store

#: How long the aggregator waits for its task to be created.
TASK_WAIT_SECONDS = 300

app = ServerApp()


class ChainFedAvg(FedAvg):
    """FedAvg whose rounds are the chain's rounds and whose aggregate is the chain's checkpoint."""

    def __init__(self, chain: Chain, aggregator_uri: str, task: int, store: Store, sites: int):
        super().__init__(
            fraction_train=1.0,
            fraction_evaluate=0.0,
            min_train_nodes=sites,
            min_available_nodes=sites,
        )
        self.chain = chain
        self.key = keypair(aggregator_uri)
        self.task = task
        self.store = store
        self.global_params: np.ndarray | None = None

    def configure_train(
        self, server_round: int, arrays: ArrayRecord, config: ConfigRecord, grid: Grid
    ) -> Iterable[Message]:
        stored = self.chain.task(self.task)
        if stored is None or stored["status"] != "Running" or int(stored["round"]) != server_round:
            raise RuntimeError(f"task {self.task} is not in round {server_round}: {stored}")
        self.global_params = arrays.to_numpy_ndarrays()[0]
        config["task"] = self.task
        config["round"] = server_round
        return super().configure_train(server_round, arrays, config, grid)

    def aggregate_train(
        self, server_round: int, replies: Iterable[Message]
    ) -> tuple[ArrayRecord | None, MetricRecord | None]:
        replies = list(replies)
        for reply in replies:
            if reply.has_error():
                log(INFO, "round %d: node %d took no part: %s", server_round,
                    reply.metadata.src_node_id, reply.error.reason)
        assert self.global_params is not None
        stored = self.chain.task(self.task)
        round_end = int(stored["round_start"]) + int(stored["params"]["round_length"])
        # publish_aggregate is accepted from the block `round_end` on.
        self.chain.wait_for_block(round_end - 1)
        committed = self.chain.updates(self.task, server_round)
        verdict = inspect(committed, self.store, self.global_params)
        if len(verdict.used) < int(stored["params"]["min_participants"]):
            raise RuntimeError(f"round {server_round}: {len(verdict.used)} usable updates of "
                               f"{len(committed)} committed, flagged {verdict.rogue}")
        aggregate = fedavg(verdict.used)
        cid, digest = self.store.put_model(aggregate)
        published = self.chain.submit(
            self.key,
            "Fl",
            "publish_aggregate",
            {
                "task": self.task,
                "model": {"cid": cid, "digest": "0x" + digest.hex()},
                "used": [account for account, _, _ in verdict.used],
                "rogue": [(account, reason) for account, reason in verdict.rogue],
            },
        )
        challenge_ends = int(published.find("Fl", "AggregatePublished")[0]["challenge_ends"])
        log(INFO, "round %d: published %s using %d updates, flagged %s", server_round, cid,
            len(verdict.used), verdict.rogue)
        self.chain.wait_for_block(challenge_ends - 1)
        self.chain.submit(self.key, "Fl", "finalize_round", {"task": self.task})
        metrics = MetricRecord(
            {"used": len(verdict.used), "rogue": len(verdict.rogue), "committed": len(committed)}
        )
        return ArrayRecord([aggregate]), metrics


@app.main()
def main(grid: Grid, context: Context) -> None:
    """Runs the task's remaining rounds from the chain's current checkpoint."""
    run = context.run_config
    chain = Chain(str(run["chain-url"]))
    store = Store(str(run["store"]))
    task = int(run["task"])
    # The run may start before the task is created (so that round 1 is not spent starting up).
    stored = chain.task(task)
    deadline = time.monotonic() + TASK_WAIT_SECONDS
    while stored is None and time.monotonic() < deadline:
        time.sleep(1)
        stored = chain.task(task)
    if stored is None:
        raise RuntimeError(f"task {task} does not exist")
    initial = stored["params"]["initial"]
    params = store.get_model(_text(initial["cid"]), bytes.fromhex(initial["digest"][2:]))
    test = data.test_set()
    strategy = ChainFedAvg(chain, str(run["aggregator-key"]), task, store, int(run["sites"]))
    strategy.start(
        grid=grid,
        initial_arrays=ArrayRecord([params]),
        num_rounds=int(run["num-rounds"]),
        evaluate_fn=lambda rnd, arrays: MetricRecord(
            {"test-auc": model.auc(arrays.to_numpy_ndarrays()[0], test)}
        ),
    )


def _text(value: object) -> str:
    if isinstance(value, str):
        return bytes.fromhex(value[2:]).decode() if value.startswith("0x") else value
    return bytes(value).decode()  # type: ignore[arg-type]
