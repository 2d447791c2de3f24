"""Statistics of one run: per-node summaries from visit arrays and end-to-end latency summaries."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import stats as scipy_stats

from simulator.batching import mean_batch_ms
from simulator.topology import NodeSpec

QUEUE_FULL, TIMEOUT = 1, 2
REASONS = {QUEUE_FULL: "queue_full", TIMEOUT: "timeout"}
CI_BATCHES = 20
CI_MIN_PER_BATCH = 500  # below this a batch's P99 rests on too few tail samples


@dataclass(frozen=True)
class NodeStats:
    """What happened at one node inside the measured window."""

    kind: str
    servers: int
    utilization: float
    mean_queue_length: float
    mean_wait_ms: float
    p99_wait_ms: float
    throughput_rps: float
    offered_rps: float
    capacity_rps: float | None
    dropped: int
    drops: dict[str, int]
    mean_batch_size: float | None = None


def capacity_rps(spec: NodeSpec, rng: np.random.Generator) -> float | None:
    """Requests per second the node's servers can finish when always busy; None if unlimited."""
    if spec.servers == 0:
        return None
    batch = spec.max_batch if spec.batching else 1
    mean_ms = mean_batch_ms(spec.timer, batch, rng) if spec.timer is not None else spec.service.mean()
    return math.inf if mean_ms <= 0 else spec.servers * batch * 1000.0 / mean_ms


def _overlap(start: np.ndarray, end: np.ndarray, window: tuple[float, float]) -> float:
    """Total length of the parts of [start, end] inside the window."""
    lo, hi = window
    return float(np.sum(np.clip(np.minimum(end, hi) - np.maximum(start, lo), 0.0, None)))


def node_stats(spec: NodeSpec, arrival: np.ndarray, left: np.ndarray, end: np.ndarray,
               reason: np.ndarray, window: tuple[float, float], capacity: float | None,
               busy: tuple[np.ndarray, np.ndarray] | None = None,
               batch_sizes: np.ndarray | None = None) -> NodeStats:
    """Summarise a node's visits: arrival, time it left the queue, service end (or drop time), reason.

    Visits count when they arrive at the node inside the measured window. `busy` gives the
    server-busy intervals when they are not one per served visit (batches).
    """
    lo, hi = window
    span_s = (hi - lo) / 1000.0
    served = reason == 0
    if busy is None:
        busy = (left[served], end[served])
    inside = (arrival >= lo) & (arrival <= hi)
    waits = (left - arrival)[inside & served]
    drops = {name: int(np.count_nonzero(inside & (reason == code) & (end <= hi)))
             for code, name in REASONS.items()}
    servers = max(spec.servers, 1)
    return NodeStats(
        kind=spec.kind,
        servers=spec.servers,
        utilization=_overlap(*busy, window) / (servers * (hi - lo)) if spec.servers else 0.0,
        mean_queue_length=_overlap(arrival, left, window) / (hi - lo),
        mean_wait_ms=float(waits.mean()) if len(waits) else 0.0,
        p99_wait_ms=float(np.percentile(waits, 99)) if len(waits) else 0.0,
        throughput_rps=int(np.count_nonzero(served & (end >= lo) & (end <= hi))) / span_s,
        offered_rps=int(np.count_nonzero(inside)) / span_s,
        capacity_rps=capacity,
        dropped=sum(drops.values()),
        drops=drops,
        mean_batch_size=float(np.mean(batch_sizes)) if batch_sizes is not None and len(batch_sizes) else None,
    )


def p99_interval(latencies: np.ndarray) -> tuple[float, float]:
    """95% confidence interval of the P99 of latencies listed in arrival order.

    Successive latencies are correlated (they share queues), so with enough data the interval
    comes from batch means: the P99 of each of 20 consecutive batches, Student t over them.
    With less, from the binomial order-statistic interval, which assumes independence.
    """
    n = len(latencies)
    if n == 0:
        return (math.nan, math.nan)
    point = float(np.percentile(latencies, 99))
    if n >= CI_BATCHES * CI_MIN_PER_BATCH:
        usable = n - n % CI_BATCHES
        per_batch = np.percentile(latencies[:usable].reshape(CI_BATCHES, -1), 99, axis=1)
        half = scipy_stats.t.ppf(0.975, CI_BATCHES - 1) * per_batch.std(ddof=1) / math.sqrt(CI_BATCHES)
        low, high = per_batch.mean() - half, per_batch.mean() + half
    else:
        ordered = np.sort(latencies)
        k_lo = int(scipy_stats.binom.ppf(0.025, n, 0.99))
        k_hi = int(scipy_stats.binom.ppf(0.975, n, 0.99))
        low, high = ordered[max(k_lo - 1, 0)], ordered[min(k_hi, n - 1)]
    return (float(min(low, point)), float(max(high, point)))
