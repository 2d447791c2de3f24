"""What training a catalog model yields: its predict function, serving batches and held-out quality."""

from __future__ import annotations

import pickle
import time
from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np
from sklearn.metrics import average_precision_score, log_loss, ndcg_score, roc_auc_score


@dataclass
class Trained:
    """A fitted model ready to be timed.

    `predict(batch)` is exactly what a model server runs per batch; `batch(size, offset)` cuts a
    serving batch of held-out inputs; `quality` and `baseline` hold the same held-out measures for
    the model and for a trivial baseline; `train_seconds` is the wall time of fitting `train_rows`.
    """

    predict: Callable[[Any], Any]
    batch: Callable[[int, int], Any]
    quality: dict[str, float]
    baseline: dict[str, float]
    train_rows: int
    train_seconds: float
    artefact: Any
    extra: dict[str, Any] = field(default_factory=dict)

    def size_bytes(self) -> int:
        return len(pickle.dumps(self.artefact, protocol=pickle.HIGHEST_PROTOCOL))


def timed_fit(fit: Callable[[], Any]) -> tuple[Any, float]:
    """Run fit() and return its result with the wall seconds it took."""
    start = time.perf_counter()
    result = fit()
    return result, time.perf_counter() - start


def rows_cutter(data: Any) -> Callable[[int, int], Any]:
    """batch(size, offset): `size` consecutive rows of data starting at offset, wrapping around."""
    n = data.shape[0] if hasattr(data, "shape") else len(data)

    def batch(size: int, offset: int) -> Any:
        index = (offset + np.arange(size)) % n
        if isinstance(data, list):
            return [data[i] for i in index]
        return data[index]
    return batch


def click_quality(y: np.ndarray, p: np.ndarray) -> dict[str, float]:
    """ROC-AUC, PR-AUC (average precision) and log loss of click probabilities."""
    p = np.clip(p, 1e-7, 1 - 1e-7)
    return {"roc_auc": float(roc_auc_score(y, p)), "pr_auc": float(average_precision_score(y, p)),
            "log_loss": float(log_loss(y, p, labels=[0, 1]))}


def ndcg_at_10(grades: np.ndarray, scores: np.ndarray, group_size: int) -> float:
    """Mean NDCG@10 over query groups of equal size laid out one after another."""
    return float(ndcg_score(grades.reshape(-1, group_size), scores.reshape(-1, group_size), k=10))


def recall_at_k(found: np.ndarray, relevant: list[np.ndarray]) -> float:
    """Mean share of each query's relevant items that appear among its found items."""
    shares = [np.isin(rel, row).mean() for row, rel in zip(found, relevant) if len(rel)]
    return float(np.mean(shares))
