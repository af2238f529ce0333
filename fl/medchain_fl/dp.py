"""Differentially private local training (DP-SGD) and its privacy accounting.

Each step samples every example of the site with probability `q` (Poisson sampling), clips
each sampled example's gradient to L2 norm `clip`, adds Gaussian noise of standard deviation
`noise_multiplier * clip` to the sum, and divides by the expected batch size: the mechanism of
Abadi et al. (2016). Its privacy is accounted with Google's `dp-accounting` library (Rényi-DP
accountant over `PoissonSampledDpEvent(GaussianDpEvent)` steps), not computed here.

The chain's DP ledger counts thousandths of ε. A site commits, each round, the increase of its
accountant's ε (at the task's δ) rounded so that the committed increments add up exactly to
`ceil(1000 * ε_total)`: the on-chain ledger then equals what the accountant says the site has
spent, never less.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import dp_accounting
import numpy as np

from .data import Partition
from .model import per_example_gradients


#: Rényi orders the accountant tries (from 2: lower orders do not converge for these sampling
#: rates and only ever give looser bounds here).
RDP_ORDERS = [2.0, 2.5, 3.0, 4.0, 5.0, 6.0, 8.0, 10.0, 12.0, 16.0, 20.0, 24.0, 32.0, 48.0, 64.0, 128.0]


@dataclass(frozen=True)
class DpConfig:
    """DP-SGD parameters, the same for every site of a task."""

    noise_multiplier: float = 2.0
    clip: float = 1.0
    sampling_rate: float = 0.3
    steps_per_round: int = 20
    lr: float = 0.3
    delta: float = 1e-5


def train_private(
    params: np.ndarray, data: Partition, config: DpConfig, rng: np.random.Generator
) -> np.ndarray:
    """`config.steps_per_round` DP-SGD steps from `params` on `data`."""
    params = params.copy()
    n = len(data)
    expected_batch = max(config.sampling_rate * n, 1.0)
    for _ in range(config.steps_per_round):
        rows = np.nonzero(rng.random(n) < config.sampling_rate)[0]
        total = np.zeros_like(params)
        if rows.size:
            grads = per_example_gradients(params, data.x[rows], data.y[rows])
            norms = np.linalg.norm(grads, axis=1, keepdims=True)
            grads = grads / np.maximum(1.0, norms / config.clip)
            total = grads.sum(axis=0)
        noise = rng.normal(0.0, config.noise_multiplier * config.clip, size=params.shape)
        params -= config.lr * (total + noise) / expected_batch
    return params


def epsilon_after(rounds: int, config: DpConfig) -> float:
    """ε spent, at `config.delta`, after `rounds` rounds of DP-SGD (0 for no round)."""
    if rounds <= 0:
        return 0.0
    accountant = dp_accounting.rdp.RdpAccountant(orders=RDP_ORDERS)
    step = dp_accounting.PoissonSampledDpEvent(
        config.sampling_rate, dp_accounting.GaussianDpEvent(config.noise_multiplier)
    )
    accountant.compose(dp_accounting.SelfComposedDpEvent(step, rounds * config.steps_per_round))
    return float(accountant.get_epsilon(config.delta))


def milli_epsilon_total(rounds: int, config: DpConfig) -> int:
    """The ledger's total after `rounds` released updates: ε in thousandths, rounded up."""
    return math.ceil(1000 * epsilon_after(rounds, config))


def milli_epsilon_increment(released_before: int, config: DpConfig) -> int:
    """What a site commits for its next released update, having released `released_before`."""
    return milli_epsilon_total(released_before + 1, config) - milli_epsilon_total(
        released_before, config
    )
