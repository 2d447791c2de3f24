"""What a run takes in and gives out, shared by the fast path and the event loop."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from simulator.distributions import SampleStream
from simulator.reasons import COMPLETED, IN_FLIGHT  # noqa: F401  (request status; failures use their reason code)
from simulator.stats import NodeStats
from simulator.topology import Topology

BATCH_CHUNK = 1024


@dataclass
class RunInputs:
    """Everything random is drawn up front or from per-node streams, so both paths agree."""

    topology: Topology
    arrivals: np.ndarray  # ms, sorted
    entry: np.ndarray | None  # entry index per request when there are several
    streams: list[SampleStream]  # per node: service (or batch-of-one) times
    batch_rngs: list[np.random.Generator]  # per node: for batches of more than one
    hits: dict[int, np.ndarray]  # per cache position: which requests it answers itself
    window: tuple[float, float]  # measured window in ms: (warm-up end, horizon)
    capacities: list[float | None]
    batch_streams: dict[tuple[int, int], SampleStream] = field(default_factory=dict)
    document: dict = field(default_factory=dict)  # the board, defaults filled in (edges, faults: event loop)
    event_rng: np.random.Generator | None = None  # draws only the event loop makes (jitter, errors)
    hit_uniforms: dict[int, np.ndarray] = field(default_factory=dict)  # per cache position under a flush
    time_compression: float = 1.0
    prompt_tokens: np.ndarray | None = None  # per request, when the board has an LLM server
    output_tokens: np.ndarray | None = None
    streaming: bool = False
    hops: dict[int, np.ndarray] = field(default_factory=dict)  # per position with a latency tail: ms per request
    pauses: dict[int, np.ndarray] = field(default_factory=dict)  # per node with pauses: [start, end) ms rows

    def hop_ms(self, position: int) -> float | np.ndarray:
        """The network time of the call to a position: its edge's latency, or each request's draw."""
        drawn = self.hops.get(position)
        return self.topology.positions[position].latency_ms if drawn is None else drawn

    def batch_stream(self, node: int, size: int) -> SampleStream:
        """Times of batches of `size` at a batching node; a batch of one reads the service stream.

        Each size has its own stream drawing from the node's batch generator in chunks of
        BATCH_CHUNK, filled the first time the size is needed, by either engine alike.
        """
        if size == 1:
            return self.streams[node]
        key = (node, size)
        if key not in self.batch_streams:
            timer = self.topology.nodes[node].timer
            stream = SampleStream(lambda rng, k: timer.sample_ms(size, rng, k), self.batch_rngs[node])
            stream.CHUNK = BATCH_CHUNK
            self.batch_streams[key] = stream
        return self.batch_streams[key]


@dataclass
class Outcome:
    fate_ms: np.ndarray  # completion or failure time per request
    status: np.ndarray  # COMPLETED or the reason it failed (simulator/reasons.py)
    nodes: dict[str, NodeStats]
    path: str
    # Per node, per bucket of the measured window (NODE_SERIES_POINTS of them): busy server-ms and
    # failed visits; replica-ms held for autoscaled nodes.
    node_series: dict[str, dict[str, np.ndarray]] = field(default_factory=dict)
    degraded: np.ndarray | None = None  # per request: succeeded through a fallback
    edges: dict[str, dict] = field(default_factory=dict)  # per edge with calls settings or faults
    breaker_changes: list[dict] = field(default_factory=list)
    replica_changes: dict[str, list[dict]] = field(default_factory=dict)
    llm: dict[str, dict] = field(default_factory=dict)  # per LLM server: its sequences' and steps' figures


def request_fates(completion: np.ndarray, drops: list[tuple[np.ndarray, np.ndarray]]) -> tuple[np.ndarray, np.ndarray]:
    """Each request's fate: its first drop on the critical path if any, else its completion.

    `completion` is overwritten with the fates (it is the caller's last use of it).
    """
    status = np.full(len(completion), COMPLETED, dtype=np.int8)
    status[np.isnan(completion)] = IN_FLIGHT
    fate = completion
    if drops:
        times = np.vstack([t for t, _ in drops])
        reasons = np.vstack([r for _, r in drops])
        first = np.argmin(np.where(np.isnan(times), np.inf, times), axis=0)
        cols = np.arange(times.shape[1])
        first_time = times[first, cols]
        dropped = ~np.isnan(first_time)
        fate[dropped] = first_time[dropped]
        status[dropped] = reasons[first, cols][dropped]
    return fate, status
