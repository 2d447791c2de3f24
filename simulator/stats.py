"""Statistics of one run: per-node summaries from visit arrays and end-to-end latency summaries."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from simulator.buckets import sums_into
from simulator.models.timer import mean_batch_ms
from simulator.nodespec import NodeSpec
from simulator.reasons import DROP_REASONS, NODE_ERROR_REASONS, QUEUE_FULL, TIMEOUT  # noqa: F401

REASONS = DROP_REASONS  # what a node sheds on purpose: its visits' drop reasons
NODE_SERIES_POINTS = 120  # per-node buckets over the measured window: the timeline's resolution
NO_WEIGHTS = np.empty(0)
CI_BATCHES = 20
CI_MIN_PER_BATCH = 500  # below this a batch's P99 rests on too few tail samples
T_975_19 = 2.093024054408263  # Student t quantile 0.975 with 19 degrees of freedom


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
    failed: int = 0  # visits that failed at the node (a lost replica, an outage, an error)
    errors: dict[str, int] = field(default_factory=lambda: dict.fromkeys(NODE_ERROR_REASONS.values(), 0))


def capacity_rps(spec: NodeSpec, rng: np.random.Generator) -> float | None:
    """Requests per second the node's servers can finish when always busy; None if unlimited."""
    if spec.servers == 0 or spec.llm is not None:  # an LLM server's capacity depends on its traffic's tokens
        return None
    batch = spec.batch.max_size if spec.batch is not None else 1
    mean_ms = mean_batch_ms(spec.timer, batch, rng) if spec.timer is not None else spec.service.mean()
    return math.inf if mean_ms <= 0 else spec.servers * batch * 1000.0 / mean_ms * running_share(spec)


def running_share(spec: NodeSpec) -> float:
    """The share of time a node's servers run: 1, or every / (every + mean) when it pauses."""
    pauses = spec.config.get("pauses")
    return 1.0 if not pauses else pauses["every_ms"] / (pauses["every_ms"] + pauses["mean_ms"])


def bucket_width(window: tuple[float, float]) -> float:
    """Width in ms of one of the NODE_SERIES_POINTS buckets of a node's timeline over the window."""
    return max((window[1] - window[0]) / NODE_SERIES_POINTS, 1e-9)


def _overlap(start: np.ndarray, end: np.ndarray, window: tuple[float, float]) -> float:
    """Total length of the parts of [start, end] inside the window."""
    lo, hi = window
    return float(np.sum(np.clip(np.minimum(end, hi) - np.maximum(start, lo), 0.0, None)))


class NodeAccumulator:
    """Sums a node's visits, fed in chunks, into its NodeStats for the measured window.

    Visits count when they arrive at the node inside the window; utilisation and queue length
    are time averages over the window. Waits are kept as float32 for the P99 only.
    """

    def __init__(self, spec: NodeSpec, window: tuple[float, float], capacity: float | None) -> None:
        self.spec = spec
        self.window = window
        self.capacity = capacity
        self.busy_ms = 0.0
        self.queue_area = 0.0
        self.wait_sum = 0.0
        self.waits: list[np.ndarray] = []
        self.finished = 0
        self.served = 0
        self.offered = 0
        self.drops = dict.fromkeys(REASONS, 0)
        self.batch_sizes: np.ndarray | None = None  # set for batching nodes
        self.width = bucket_width(window)
        self.series_busy = np.zeros(NODE_SERIES_POINTS)
        self.series_errors = np.zeros(NODE_SERIES_POINTS)
        self.series_kv: np.ndarray | None = None  # an LLM server's KV token-ms and running sequence-ms
        self.series_running: np.ndarray | None = None

    def add(self, arrival: np.ndarray, left: np.ndarray, end: np.ndarray, reason: np.ndarray | None,
            busy: bool = True) -> None:
        """Visits: arrival, when each left the queue, service end (or drop time), drop reason.

        busy=False when server-busy time is given apart through add_busy (batches).
        """
        lo, hi = self.window
        inside = (arrival >= lo) & (arrival <= hi)
        served = inside if reason is None else inside & (reason == 0)
        waits = (left - arrival)[served]
        self.wait_sum += float(waits.sum())
        self.served += len(waits)
        self.waits.append(waits[waits > 0].astype(np.float32))  # most waits are 0: keep the rest
        self.queue_area += _overlap(arrival, left, self.window)
        self.offered += int(np.count_nonzero(inside))
        if reason is None:
            self.finished += int(np.count_nonzero((end >= lo) & (end <= hi)))
            if busy:
                self.add_busy(left, end)
            return
        all_served = reason == 0
        self.finished += int(np.count_nonzero(all_served & (end >= lo) & (end <= hi)))
        for code in REASONS:
            self.drops[code] += int(np.count_nonzero(inside & (reason == code) & (end <= hi)))
        sums_into(self.series_errors, lo, self.width, end[~all_served], NO_WEIGHTS)
        if busy:
            self.add_busy(left[all_served], end[all_served])

    def add_busy(self, start: np.ndarray, end: np.ndarray) -> None:
        self.busy_ms += _overlap(start, end, self.window)
        sums_into(self.series_busy, self.window[0], self.width, start, end - start)

    def series(self) -> dict[str, np.ndarray]:
        """The node's timeline: busy server-ms and failed visits per bucket (an LLM server's KV and batch too)."""
        series = {"busy_ms": self.series_busy, "errors": self.series_errors}
        if self.series_kv is not None:
            series.update(kv_token_ms=self.series_kv, running_ms=self.series_running)
        return series

    def result(self, batch_sizes: np.ndarray | None = None) -> NodeStats:
        lo, hi = self.window
        batch_sizes = self.batch_sizes if batch_sizes is None else batch_sizes
        span_ms = hi - lo
        waits = np.concatenate(self.waits) if self.waits else np.empty(0, dtype=np.float32)
        self.waits = []
        served = self.served
        drops = {REASONS[code]: count for code, count in self.drops.items()}
        servers = self.spec.servers
        return NodeStats(
            kind=self.spec.kind,
            servers=servers,
            utilization=self.busy_ms / (servers * span_ms) if servers else 0.0,
            mean_queue_length=self.queue_area / span_ms,
            mean_wait_ms=self.wait_sum / served if served else 0.0,
            p99_wait_ms=percentile_with_zeros(waits, served - len(waits), 99),
            throughput_rps=self.finished * 1000.0 / span_ms,
            offered_rps=self.offered * 1000.0 / span_ms,
            capacity_rps=self.capacity,
            dropped=sum(drops.values()),
            drops=drops,
            mean_batch_size=float(np.mean(batch_sizes)) if batch_sizes is not None and len(batch_sizes) else None,
        )


def percentile_with_zeros(positive: np.ndarray, zeros: int, q: float) -> float:
    """np.percentile (linear) of `positive` together with `zeros` zeros; reorders `positive`."""
    n = len(positive) + zeros
    if n == 0:
        return 0.0
    rank = q / 100.0 * (n - 1)
    below = int(math.floor(rank))
    above = min(below + 1, n - 1)
    wanted = sorted({k - zeros for k in (below, above) if k >= zeros})
    if wanted:
        positive.partition(wanted)

    def value(k: int) -> float:
        return 0.0 if k < zeros else float(positive[k - zeros])

    return value(below) + (rank - below) * (value(above) - value(below))


def p99_interval(latencies: np.ndarray) -> tuple[float, float]:
    """95% confidence interval of the P99 of latencies listed in arrival order.

    Successive latencies are correlated (they share queues), so with enough data the interval
    comes from batch means: the P99 of each of 20 consecutive batches, Student t over them.
    With less, from the binomial order-statistic interval, which assumes independence.
    """
    n = len(latencies)
    if n == 0:
        return (math.nan, math.nan)
    if n >= CI_BATCHES * CI_MIN_PER_BATCH:
        usable = n - n % CI_BATCHES
        per_batch = np.array([np.percentile(batch, 99) for batch in np.split(latencies[:usable], CI_BATCHES)])
        half = T_975_19 * per_batch.std(ddof=1) / math.sqrt(CI_BATCHES)
        low, high = per_batch.mean() - half, per_batch.mean() + half
    else:
        # Ranks of the order statistics bracketing the P99, normal approximation to Binomial(n, 0.99).
        spread = 1.96 * math.sqrt(n * 0.99 * 0.01)
        ordered = np.sort(latencies)
        low = ordered[max(int(math.floor(n * 0.99 - spread)) - 1, 0)]
        high = ordered[min(int(math.ceil(n * 0.99 + spread)), n - 1)]
    return (float(low), float(high))
