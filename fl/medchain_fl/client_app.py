"""The Flower ClientApp: one per hospital, run by that hospital's SuperNode.

Node configuration (`flower-supernode --node-config`): `site` (0-based index of the hospital's
data partition), `key` (its chain account's secret URI), `chain-url`, `store` (directory of the
CID store), `state` (directory of its privacy ledger) and optionally `poison-round` (a round in
which it sends a corrupted update, for the demonstration of rogue-update detection).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from flwr.app import ArrayRecord, ConfigRecord, Context, Error, Message, MetricRecord, RecordDict
from flwr.clientapp import ClientApp

from . import dp
from .chain import Chain, ChainError
from .site import Excluded, Site
from .store import Store

app = ClientApp()

#: Error code of a reply from a site that takes no part in a round.
EXCLUDED = 4001


def _site(context: Context) -> Site:
    node = context.node_config
    return Site(
        index=int(node["site"]),
        uri=str(node["key"]),
        chain=Chain(str(node["chain-url"])),
        store=Store(str(node["store"])),
        state_dir=Path(str(node["state"])),
        config=dp.DpConfig(),
        poison_round=int(node.get("poison-round", 0)),
    )


@app.train()
def train(msg: Message, context: Context) -> Message:
    """One round: the global model in, the committed update out (or the reason for none)."""
    config = msg.content["config"]
    task, round_ = int(config["task"]), int(config["round"])
    global_params = msg.content["arrays"].to_numpy_ndarrays()[0]
    try:
        site = _site(context)
        committed = site.train_round(task, round_, np.asarray(global_params, dtype=np.float64))
    except (Excluded, ChainError) as err:
        return Message(Error(code=EXCLUDED, reason=str(err)), reply_to=msg)
    content = RecordDict(
        {
            "arrays": ArrayRecord([committed.params]),
            "metrics": MetricRecord(
                {"num-examples": committed.samples, "milli-epsilon": committed.milli_epsilon}
            ),
            "commitment": ConfigRecord({"cid": committed.cid, "account": site.account}),
        }
    )
    return Message(content=content, reply_to=msg)
