"""The model every site trains: logistic regression over the study's features, in NumPy.

Small enough that its parameters travel as one array and its training is exact and fast, so a
federation of three sites runs five rounds in seconds of compute; the chain, not the model, is
what this package demonstrates. Parameters are one float64 vector: the weights, then the bias.
"""

from __future__ import annotations

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score

from .data import NUM_FEATURES, Partition

NUM_PARAMS = NUM_FEATURES + 1


def initial() -> np.ndarray:
    """The task's initial model: all zeros (its digest is committed when the task is created)."""
    return np.zeros(NUM_PARAMS, dtype=np.float64)


def _logits(params: np.ndarray, x: np.ndarray) -> np.ndarray:
    return x @ params[:NUM_FEATURES] + params[NUM_FEATURES]


def predict(params: np.ndarray, x: np.ndarray) -> np.ndarray:
    """Probability of malignancy for each row of `x`."""
    return 1.0 / (1.0 + np.exp(-np.clip(_logits(params, x), -30.0, 30.0)))


def per_example_gradients(params: np.ndarray, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Gradient of each example's log-loss: one row per example, NUM_PARAMS columns."""
    residual = predict(params, x) - y
    return np.hstack([x * residual[:, None], residual[:, None]])


def auc(params: np.ndarray, data: Partition) -> float:
    """Area under the ROC curve of `params` on `data`."""
    if not np.all(np.isfinite(params)):
        return float("nan")
    return float(roc_auc_score(data.y, predict(params, data.x)))


def train_local_only(data: Partition) -> np.ndarray:
    """The model a site would have without the federation: scikit-learn's L2-regularised
    logistic regression fitted to convergence on its own data, without DP noise (it is never
    released)."""
    fitted = LogisticRegression(max_iter=1000).fit(data.x, data.y)
    return np.concatenate([fitted.coef_[0], fitted.intercept_]).astype(np.float64)
