"""Batch timers: how long a model server takes for a batch of b requests.

A model server's batch time comes from a BatchTimer. Measured profiles of real models give a
`ProfileBatchTimer` (looked up through `simulator.models.get_batch_timer(model_id, instance)`);
a model server with no profile for its model uses the default derived from its service_time:

    T(b) = X * (0.8 + 0.2 * b),   X drawn from the node's service_time

so a batch of one takes exactly the node's service time, 80% of it is a fixed per-batch overhead
(framework dispatch, feature assembly, memory transfers) and 20% grows with each item. A batch of
16 then takes 4 X: four times the throughput of unbatched serving, the order of gain vectorised
prediction gives small models on a CPU. Which requests form a batch, and when, is the batching
policy's business (simulator/dynamic_batching.py).

A profile times `predict` alone, in a tight loop. A model server also does work of its own around
it that keeps its replica just as busy: per batch (its event loop's turns, assembling the batch's
input) and per request (parsing the HTTP request and its JSON, writing the answer). A
`ServingOverheadTimer` adds that to a measured timer:

    T'(b) = T(b) + batch_overhead_ms + b * request_overhead_ms

(benchmarks/fidelity measures both on a real server; see the `model_server` kind's defaults).
"""

from __future__ import annotations

from typing import Any, Protocol, runtime_checkable

import numpy as np

from simulator.distributions import ServiceTime

BATCH_OVERHEAD_SHARE = 0.8


@runtime_checkable
class BatchTimer(Protocol):
    """Gives the time, in ms, to run batches of a given size."""

    def sample_ms(self, batch_size: int, rng: np.random.Generator, n: int) -> np.ndarray:
        """n independent batch times for batches of batch_size requests."""
        ...


class ServiceTimeBatchTimer:
    """The default BatchTimer: T(b) = X * (0.8 + 0.2 b) with X from the node's service_time."""

    def __init__(self, service: ServiceTime) -> None:
        self.service = service

    def scale(self, batch_size: int) -> float:
        return BATCH_OVERHEAD_SHARE + (1.0 - BATCH_OVERHEAD_SHARE) * batch_size

    def sample_ms(self, batch_size: int, rng: np.random.Generator, n: int) -> np.ndarray:
        return self.service.sample(rng, n) * self.scale(batch_size)

    def mean_ms(self, batch_size: int) -> float:
        return self.service.mean() * self.scale(batch_size)


def mean_batch_ms(timer: BatchTimer, batch_size: int, rng: np.random.Generator) -> float:
    """Mean batch time, exact for the default timer and estimated from 2,000 draws otherwise."""
    if isinstance(timer, ServiceTimeBatchTimer):
        return timer.mean_ms(batch_size)
    return float(np.mean(timer.sample_ms(batch_size, rng, 2000)))


class ProfileBatchTimer:
    """A model server's BatchTimer backed by measured predict wall times.

    A batch of a measured size draws from that size's samples. Between two measured sizes the
    same quantile is taken from both (one uniform draw) and interpolated linearly in the batch
    size, so the shape of the distribution carries over; above the largest size the last
    per-request slope is extended. Every time is multiplied by `factor` (the instance's speed).
    """

    def __init__(self, profile: dict[str, Any], factor: float = 1.0, info: dict[str, Any] | None = None) -> None:
        self.profile = profile
        self.factor = factor
        self.info = info or {}
        timings = profile["timings"]
        self.sizes = np.array(sorted(int(s) for s in timings))
        self._sorted = [np.sort(np.asarray(timings[str(s)]["samples_ms"], dtype=float)) for s in self.sizes]

    def _quantile(self, k: int, u: np.ndarray) -> np.ndarray:
        """Values of size index k at quantiles u, reading the sorted samples with linear interpolation."""
        values = self._sorted[k]
        return np.interp(u * (len(values) - 1), np.arange(len(values)), values)

    def sample_ms(self, batch_size: int, rng: np.random.Generator, n: int) -> np.ndarray:
        """n batch times in ms for batches of batch_size requests."""
        if batch_size < 1:
            raise ValueError("batch_size must be at least 1")
        exact = np.flatnonzero(self.sizes == batch_size)
        if exact.size:
            samples = self._sorted[exact[0]]
            return samples[rng.integers(0, len(samples), n)] * self.factor
        u = rng.random(n)
        if batch_size < self.sizes[0]:
            return self._quantile(0, u) * self.factor
        upper = int(np.searchsorted(self.sizes, batch_size))
        if upper == len(self.sizes):  # beyond the largest measured size: extend the last slope
            upper = len(self.sizes) - 1
        lower = upper - 1
        lo, hi = self._quantile(lower, u), self._quantile(upper, u)
        weight = (batch_size - self.sizes[lower]) / (self.sizes[upper] - self.sizes[lower])
        return np.maximum(lo + weight * (hi - lo), np.minimum(lo, hi)) * self.factor

    def median_ms(self, batch_size: int) -> float:
        """Median batch time on this instance, from the profile's measured medians."""
        p50 = [self.profile["timings"][str(s)]["p50_ms"] for s in self.sizes]
        return float(np.interp(batch_size, self.sizes, p50)) * self.factor


class ServingOverheadTimer:
    """A measured timer plus the server's own work around predict: T(b) + per_batch + b * per_request.

    Everything else (the profile, the model information results show) is the wrapped timer's.
    """

    def __init__(self, base: BatchTimer, per_batch_ms: float, per_request_ms: float) -> None:
        self.base = base
        self.per_batch_ms = per_batch_ms
        self.per_request_ms = per_request_ms

    def overhead_ms(self, batch_size: int) -> float:
        return self.per_batch_ms + batch_size * self.per_request_ms

    def sample_ms(self, batch_size: int, rng: np.random.Generator, n: int) -> np.ndarray:
        return self.base.sample_ms(batch_size, rng, n) + self.overhead_ms(batch_size)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.base, name)


class ScaledTimer:
    """A measured timer whose every time is multiplied by a factor (an index larger than the one measured)."""

    def __init__(self, base: BatchTimer, factor: float) -> None:
        self.base = base
        self.factor = factor

    def sample_ms(self, batch_size: int, rng: np.random.Generator, n: int) -> np.ndarray:
        return self.base.sample_ms(batch_size, rng, n) * self.factor

    def __getattr__(self, name: str) -> Any:
        return getattr(self.base, name)
