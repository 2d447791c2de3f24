"""Batch times of a model server: the BatchTimer protocol and the default derived from service_time.

A model server's batch time comes from a pluggable BatchTimer. Measured profiles of real models
are looked up through `simulator.models.get_batch_timer(model_id, instance)` when that package is
present; otherwise (or when it knows no profile for the model) the default below is used.

Default batch time for a batch of b requests:

    T(b) = X * (0.8 + 0.2 * b),   X drawn from the node's service_time

so a batch of one takes exactly the node's service time, 80% of it is a fixed per-batch overhead
(framework dispatch, feature assembly, memory transfers) and 20% grows with each item. A batch of
16 then takes 4 X: four times the throughput of unbatched serving, the order of gain vectorised
prediction gives small models on a CPU.
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


def batch_timer_for(config: dict[str, Any], service: ServiceTime) -> BatchTimer:
    """The measured timer for the node's model and instance if one exists, else the default."""
    model = config.get("model")
    if model:
        try:
            from simulator.models import get_batch_timer
        except ImportError:
            get_batch_timer = None
        if get_batch_timer is not None:
            timer = get_batch_timer(model, config.get("instance", ""))
            if timer is not None:
                return timer
    return ServiceTimeBatchTimer(service)


def mean_batch_ms(timer: BatchTimer, batch_size: int, rng: np.random.Generator) -> float:
    """Mean batch time, exact for the default timer and estimated from 2,000 draws otherwise."""
    if isinstance(timer, ServiceTimeBatchTimer):
        return timer.mean_ms(batch_size)
    return float(np.mean(timer.sample_ms(batch_size, rng, 2000)))
