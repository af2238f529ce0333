"""End to end against a running MedChain node: three hospitals and an aggregator run a
Flower federation (one SuperLink, one SuperNode per site, `flwr run`) on a task the chain
coordinates, and every promise is checked afterwards.

    python -m medchain_fl.demo --url ws://127.0.0.1:9944 --workdir /tmp/medchain-fl

What it sets up (dev accounts): Alice is governance (sudo) and the IRB authority, Charlie the
registry of organisation types, Bob the coordinator and designated aggregator, Dave, Eve and
Ferdie the hospitals (sites 0, 1, 2). Ferdie sends a poisoned update in round
`--poison-round`; Eve's `irb:approved` is revoked once round `--revoke-after`'s aggregate is
published. Checked at the end (exit status 1 if any fails): the global model's test AUC beats
every site's local-only model; the poisoned update was flagged and Ferdie's bond slashed; Eve
took no part after the revocation; each site's ε spent (its own accountant) equals the chain's
ledger; `FlApi.lineage` lists every checkpoint, whose bytes match its digest and equal the
aggregate recomputed from the committed updates it names.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

from . import data, dp, model
from .aggregate import recompute
from .chain import UNIT, Chain, ChainError, keypair, lineage
from .site import PrivacyLedger
from .store import Store, encode

POLICY = '"org-type:hospital" and "irb:approved"'
SITES = ["//Dave", "//Eve", "//Ferdie"]
GOVERNANCE, COORDINATOR, REGISTRY = "//Alice", "//Bob", "//Charlie"
BOND = 10 * UNIT
REWARD_POOL = 100 * UNIT


class Failed(Exception):
    """A check of the demonstration failed."""


def _say(message: str) -> None:
    print(f"[fl-demo] {message}", flush=True)


def setup_consent(chain: Chain) -> int:
    """Authorities, attributes and the participation policy; returns the policy id."""
    governance, registry, coordinator = (keypair(u) for u in (GOVERNANCE, REGISTRY, COORDINATOR))
    # Two authorities (sudo stands in for the council) and the policy, in one block.
    accredited = chain.submit_all([
        (governance, "Consent", "accredit_authority",
         {"authority": registry.ss58_address, "scopes": ["org-type:*"]}, True),
        (governance, "Consent", "accredit_authority",
         {"authority": governance.ss58_address, "scopes": ["irb:*"]}, True),
        (coordinator, "Consent", "create_policy", {"text": POLICY}, False),
    ])
    policy = accredited[2].find("Consent", "PolicyCreated")[0]["policy"]
    # Each site's two attributes, from the two authorities, in the next.
    issues = []
    for uri in SITES:
        site = keypair(uri).ss58_address
        issues.append((registry, "Consent", "issue_attribute",
                       {"holder": site, "attribute": "org-type:hospital", "expires_at": None}, False))
        issues.append((governance, "Consent", "issue_attribute",
                       {"holder": site, "attribute": "irb:approved", "expires_at": None}, False))
    chain.submit_all(issues)
    return int(policy)


def create_task(chain: Chain, store: Store, policy: int, rounds: int, round_length: int) -> int:
    """Opens the task (round 1 starts in its block); returns its id."""
    coordinator = keypair(COORDINATOR)
    architecture = json.dumps(
        {"model": "logistic-regression", "features": data.NUM_FEATURES,
         "dataset": "sklearn.load_diabetes, progression > median", "dp": dp.DpConfig().__dict__},
        sort_keys=True,
    ).encode()
    arch_cid, arch_digest = store.put(architecture)
    init_cid, init_digest = store.put(encode(model.initial()))
    challenge = int(chain.constant("Fl", "MinChallengePeriod"))
    task = chain.submit(
        coordinator,
        "Fl",
        "create_task",
        {
            "params": {
                "architecture": {"cid": arch_cid, "digest": "0x" + arch_digest.hex()},
                "initial": {"cid": init_cid, "digest": "0x" + init_digest.hex()},
                "policy": policy,
                "min_participants": 2,
                "max_rounds": rounds,
                "round_length": round_length,
                "challenge_period": challenge,
                "rule": "FedAvg",
                "aggregator": {"Designated": coordinator.ss58_address},
                # The whole task's budget: exactly what `rounds` DP-SGD rounds spend.
                "epsilon_budget": dp.milli_epsilon_total(rounds, dp.DpConfig()),
                "reward_pool": REWARD_POOL,
                "bond": BOND,
                # Rewards grow with claimed samples: no update may claim more than the
                # largest site holds.
                "max_samples": max(len(data.partition(i)) for i in range(len(SITES))),
            }
        },
    )
    return int(task.find("Fl", "TaskCreated")[0]["task"])


class Federation:
    """The Flower processes: one SuperLink, one SuperNode per site, and `flwr run`."""

    def __init__(self, workdir: Path, url: str, port: int, poison_round: int) -> None:
        self.workdir = workdir
        self.url = url
        self.port = port
        self.poison_round = poison_round
        self.processes: list[subprocess.Popen[bytes]] = []
        self.env = dict(os.environ, FLWR_HOME=str(workdir / "flwr-home"))
        self.env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{self.env['PATH']}"

    def _spawn(self, name: str, args: list[str]) -> subprocess.Popen[bytes]:
        log = open(self.workdir / f"{name}.log", "wb")  # noqa: SIM115 (closed with the process)
        process = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT, env=self.env,
                                   start_new_session=True)
        self.processes.append(process)
        return process

    def start(self) -> None:
        """Starts the SuperLink and the SuperNodes."""
        self._spawn("superlink", ["flower-superlink", "--insecure", "--port", str(self.port),
                                  "--disable-runtime-dependency-installation",
                                  "--database", str(self.workdir / "superlink.db")])
        for index, uri in enumerate(SITES):
            config = (f'site={index} key="{uri}" chain-url="{self.url}" '
                      f'store="{self.workdir / "store"}" state="{self.workdir / "state"}"')
            if index == 2 and self.poison_round:
                config += f" poison-round={self.poison_round}"
            self._spawn(f"supernode-{index}", [
                "flower-supernode", "--insecure", "--superlink", f"127.0.0.1:{self.port}",
                "--port", str(self.port + 1 + index), "--node-config", config,
            ])
        home = self.workdir / "flwr-home"
        home.mkdir(parents=True, exist_ok=True)
        (home / "config.toml").write_text(
            '[superlink]\ndefault = "medchain"\n\n'
            f'[superlink.medchain]\naddress = "127.0.0.1:{self.port}"\ninsecure = true\n'
        )

    def run(self, app_dir: Path, task: int, rounds: int) -> subprocess.Popen[bytes]:
        """Submits the app's run (`flwr run --stream`), which returns when the run ends."""
        overrides = (f'task={task} num-rounds={rounds} chain-url="{self.url}" '
                     f'store="{self.workdir / "store"}" aggregator-key="{COORDINATOR}" '
                     f"sites={len(SITES)}")
        return self._spawn("flwr-run", ["flwr", "run", str(app_dir), "medchain",
                                        "--run-config", overrides, "--stream"])

    def stop(self) -> None:
        """Stops every process it started (and their children)."""
        for process in self.processes:
            if process.poll() is None:
                try:
                    os.killpg(process.pid, signal.SIGTERM)
                except ProcessLookupError:
                    pass
        for process in self.processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)


def watch(chain: Chain, federation: Federation, run: subprocess.Popen[bytes], task: int,
          revoke_after: int, timeout: float) -> dict[str, int]:
    """Follows the task until it completes; revokes Eve's IRB approval once round
    `revoke_after`'s aggregate is published; returns Ferdie's bond seen in each round."""
    governance, eve, ferdie = keypair(GOVERNANCE), keypair(SITES[1]), keypair(SITES[2])
    deadline = time.monotonic() + timeout
    revoked = False
    bonds: dict[str, int] = {}
    while True:
        stored = chain.task(task)
        if stored is None:
            raise Failed(f"task {task} disappeared")
        round_ = int(stored["round"])
        if not revoked and revoke_after and chain.checkpoint(task, revoke_after) is not None:
            chain.submit(governance, "Consent", "revoke_attribute",
                         {"holder": eve.ss58_address, "attribute": "irb:approved"})
            revoked = True
            _say(f"revoked Eve's irb:approved after round {revoke_after}'s aggregate")
        participant = chain.participant(task, ferdie.ss58_address)
        if participant is not None and stored["status"] == "Running":
            bonds[str(round_)] = int(participant["bond"])
        if stored["status"] != "Running":
            break
        if run.poll() is not None:
            raise Failed(f"flwr run ended (status {run.returncode}) with the task in round "
                         f"{round_}: see {federation.workdir / 'flwr-run.log'}")
        if time.monotonic() > deadline:
            raise Failed(f"task {task} still in round {round_} after {timeout} s")
        time.sleep(2)
    if stored["status"] != "Completed":
        raise Failed(f"task {task} ended {stored['status']}")
    try:
        run.wait(timeout=60)
    except subprocess.TimeoutExpired:
        pass
    return bonds


def check(chain: Chain, store: Store, workdir: Path, task: int, rounds: int,
          poison_round: int, revoke_after: int, bonds: dict[str, int]) -> list[str]:
    """Every promise of the demonstration; returns the failures (empty: all held)."""
    failures: list[str] = []
    accounts = [keypair(uri).ss58_address for uri in SITES]
    names = dict(zip(accounts, ["Dave", "Eve", "Ferdie"]))

    entries = lineage(chain.url, task)
    _say(f"FlApi.lineage: {len(entries)} rounds")
    if [int(e["round"]) for e in entries] != list(range(1, rounds + 1)):
        failures.append(f"lineage rounds {[e['round'] for e in entries]}, expected 1..{rounds}")
    final = None
    for entry in entries:
        round_ = int(entry["round"])
        checkpoint = entry["checkpoint"]
        committed = {u["account"]: {"input": u["update"]["input"], "rogue": u["update"]["rogue"]}
                     for u in entry["updates"]}
        stored = chain.checkpoint(task, round_)
        if stored is None or stored["model"]["digest"] != checkpoint["model"]["digest"]:
            failures.append(f"round {round_}: lineage and storage disagree on the checkpoint")
        digest = bytes.fromhex(checkpoint["model"]["digest"][2:])
        params = store.get_model(checkpoint["model"]["cid"], digest)
        again = recompute(checkpoint["used"], committed, store)
        if encode(again) != encode(params):
            failures.append(f"round {round_}: the aggregate is not recomputable from its updates")
        used = [names.get(a, a) for a in checkpoint["used"]]
        rogue = {names.get(u["account"], u["account"]): u["update"]["rogue"]
                 for u in entry["updates"] if u["update"]["rogue"]}
        _say(f"round {round_}: used {used}, rogue {rogue}, "
             f"test AUC {model.auc(params, data.test_set()):.4f}, recomputed: "
             f"{'yes' if encode(again) == encode(params) else 'NO'}")
        if round_ == poison_round and rogue.get("Ferdie") is None:
            failures.append(f"round {round_}: Ferdie's poisoned update was not flagged")
        if round_ > revoke_after and "Eve" in used + list(rogue):
            failures.append(f"round {round_}: Eve took part after her IRB approval was revoked")
        final = params

    test = data.test_set()
    local = [model.auc(model.train_local_only(data.partition(i)), test) for i in range(3)]
    global_auc = model.auc(final, test) if final is not None else float("nan")
    for i, auc in enumerate(local):
        _say(f"local-only model of site {i} ({['Dave', 'Eve', 'Ferdie'][i]}): test AUC {auc:.4f}")
    _say(f"federated model after {rounds} rounds: test AUC {global_auc:.4f}")
    if not all(global_auc > auc for auc in local):
        failures.append(f"global AUC {global_auc:.4f} does not beat every local model {local}")

    slash = chain.constant("Fl", "RogueSlash")
    slashed_bond = BOND - BOND * int(slash) // 1_000_000_000
    after_poison = bonds.get(str(poison_round + 1))
    _say(f"Ferdie's bond: {bonds.get(str(poison_round))} in round {poison_round}, "
         f"{after_poison} after it (expected {slashed_bond})")
    if after_poison != slashed_bond:
        failures.append(f"Ferdie's bond after round {poison_round} is {after_poison}, "
                        f"not {slashed_bond}")

    config = dp.DpConfig()
    for account, uri in zip(accounts, SITES):
        released = PrivacyLedger(workdir / "state" / f"site-{account}.json").released(task)
        accountant = dp.milli_epsilon_total(released, config)
        participant = chain.participant(task, account) or {}
        on_chain = int(participant.get("epsilon_spent", -1))
        _say(f"{names[account]}: {released} updates released, accountant ε "
             f"{dp.epsilon_after(released, config):.3f} ({accountant} milli), chain ledger "
             f"{on_chain} milli, score {participant.get('score')}")
        if accountant != on_chain:
            failures.append(f"{names[account]}: accountant {accountant} != ledger {on_chain}")
    return failures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default="ws://127.0.0.1:9944")
    parser.add_argument("--workdir", default="/tmp/medchain-fl", type=Path)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--round-length", type=int, default=5,
                        help="blocks a round accepts updates (round 1 includes joining)")
    parser.add_argument("--poison-round", type=int, default=2)
    parser.add_argument("--revoke-after", type=int, default=3)
    parser.add_argument("--port", type=int, default=18000, help="SuperLink port (+1.. nodes)")
    parser.add_argument("--timeout", type=float, default=900.0)
    args = parser.parse_args(argv)

    if args.workdir.exists():
        shutil.rmtree(args.workdir)
    args.workdir.mkdir(parents=True)
    store = Store(args.workdir / "store")
    chain = Chain(args.url)
    started = time.monotonic()
    federation = Federation(args.workdir, args.url, args.port, args.poison_round)
    try:
        # The federation is up and the aggregator waits for the task before it exists, so that
        # round 1's clock (it starts with the task) is not spent starting processes.
        federation.start()
        policy = setup_consent(chain)
        task = int(chain.query("Fl", "NextTaskId"))
        run = federation.run(Path(__file__).resolve().parent.parent, task, args.rounds)
        created = create_task(chain, store, policy, args.rounds, args.round_length)
        if created != task:
            raise Failed(f"created task {created}, the aggregator waits for {task}")
        _say(f"task {task} created ({time.monotonic() - started:.0f} s)")
        bonds = watch(chain, federation, run, task, args.revoke_after, args.timeout)
        _say(f"task {task} completed ({time.monotonic() - started:.0f} s)")
        failures = check(chain, store, args.workdir, task, args.rounds, args.poison_round,
                         args.revoke_after, bonds)
    except (ChainError, Failed) as err:
        _say(f"FAILED: {err}")
        return 1
    finally:
        federation.stop()
    for failure in failures:
        _say(f"FAILED: {failure}")
    _say("all checks passed" if not failures else f"{len(failures)} checks failed")
    return 0 if not failures else 1


if __name__ == "__main__":
    sys.exit(main())
