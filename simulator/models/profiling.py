"""Measure a trained model: predict wall time per batch size, size, training speed and quality."""

from __future__ import annotations

import os
import time
from dataclasses import asdict, dataclass, replace
from datetime import datetime, timezone
from typing import Any

import numpy as np
from threadpoolctl import threadpool_limits

from simulator.models.names import CATALOG_VERSION
from simulator.models.registry import ModelSpec
from simulator.models.store import machine
from simulator.models.trained import Trained

FULL_BATCH_SIZES = tuple(2 ** k for k in range(10))  # 1, 2, 4, ... 512
MAX_KEPT_SAMPLES = 200


@dataclass(frozen=True)
class Settings:
    """How hard to measure: batch sizes, repetitions per size and a time budget per size."""

    batch_sizes: tuple[int, ...]
    min_repetitions: int
    max_repetitions: int
    budget_s: float
    warmup: int = 3
    quick: bool = False
    # How a model server sees the model: each predict after an idle moment of this many ms (a server
    # between requests). The core and its caches cool in it: predict then takes longer.
    idle_ms: float = 0.0


FULL = Settings(FULL_BATCH_SIZES, min_repetitions=30, max_repetitions=MAX_KEPT_SAMPLES, budget_s=0.4)
QUICK = Settings((1, 8, 64), min_repetitions=5, max_repetitions=12, budget_s=0.03, warmup=1, quick=True)
SERVED_IDLE_MS = 5.0  # a FIFO server of a 5 ms model between requests at 30-70% of its capacity


def as_served(settings: Settings) -> Settings:
    """`settings` timed as a model server below its capacity sees the model: each predict after an
    idle moment (batch 1 of ctr_gbdt 17% slower after 6 ms than back to back: benchmarks/profile_modes.py)."""
    return replace(settings, idle_ms=SERVED_IDLE_MS)


def _wants_more(samples: list[float], spent: float, settings: Settings) -> bool:
    return len(samples) < settings.max_repetitions and (len(samples) < settings.min_repetitions
                                                         or spent < settings.budget_s)


def time_batches(trained: Trained, settings: Settings) -> dict[int, np.ndarray]:
    """Wall ms of predict on consecutive held-out batches, per batch size: at least
    min_repetitions each, then more until the size's budget is spent or max_repetitions is reached.

    Sizes are measured in turns, one call each per round, so a burst of other work on the
    machine lands on all sizes alike instead of skewing one of them. With `idle_ms`, each call
    comes after that long asleep, as a request to a server that is not saturated does.
    """
    for size in settings.batch_sizes:
        for k in range(settings.warmup):
            trained.predict(trained.batch(size, k * size))
    samples: dict[int, list[float]] = {size: [] for size in settings.batch_sizes}
    spent = dict.fromkeys(settings.batch_sizes, 0.0)
    idle_s = settings.idle_ms / 1000.0
    while True:
        active = [size for size in settings.batch_sizes if _wants_more(samples[size], spent[size], settings)]
        if not active:
            return {size: np.array(values) for size, values in samples.items()}
        for size in active:
            batch = trained.batch(size, len(samples[size]) * size)
            if idle_s:
                time.sleep(idle_s)
            start = time.perf_counter()
            trained.predict(batch)
            elapsed = time.perf_counter() - start
            spent[size] += elapsed
            samples[size].append(elapsed * 1000.0)


def summarise(samples: np.ndarray) -> dict[str, Any]:
    p50, p90, p99 = np.percentile(samples, [50, 90, 99])
    return {"p50_ms": round(float(p50), 5), "p90_ms": round(float(p90), 5), "p99_ms": round(float(p99), 5),
            "mean_ms": round(float(samples.mean()), 5), "n": int(len(samples)),
            "samples_ms": [round(float(s), 5) for s in samples]}


def profile_model(spec: ModelSpec, trained: Trained, settings: Settings = FULL) -> dict[str, Any]:
    """The profile record of one trained model (JSON-ready)."""
    with threadpool_limits(limits=1):
        timings = {str(size): summarise(samples) for size, samples in time_batches(trained, settings).items()}
        growth = trained.extra.get("index_growth")
        index_growth = growth() if growth is not None and not settings.quick else None
    profile = {
        "model": spec.id, "title": spec.title, "case_study": spec.case_study, "family": spec.family,
        "description": spec.description, "distilled_from": spec.distilled_from,
        "quality": {k: round(v, 5) for k, v in trained.quality.items()},
        "baseline": {k: round(v, 5) for k, v in trained.baseline.items()},
        "size_bytes": trained.size_bytes(),
        "train_rows": trained.train_rows,
        "train_seconds": round(trained.train_seconds, 4),
        "train_seconds_per_10k_rows": round(trained.train_seconds * 10_000 / trained.train_rows, 5),
        "timings": timings,
        "machine": machine(),
        "catalog_version": CATALOG_VERSION,
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "quick": settings.quick,
        "settings": asdict(settings),
        "threads": 1,
        # Other work on the machine inflates timings; the load at the end of measuring says how much.
        "load_average_1m": round(os.getloadavg()[0], 2),
    }
    if index_growth is not None:
        profile["index_growth"] = {"sizes": index_growth, "index_size": trained.extra["index_size"]}
    return profile
