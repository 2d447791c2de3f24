"""What the engines know of one request-path node: its servers, queue, service times and batching."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from simulator.distributions import ZERO, ServiceTime
from simulator.dynamic_batching import BatchPolicy
from simulator.models.timer import BatchTimer


@dataclass(frozen=True)
class LlmPlan:
    """How an LLM server's replicas schedule and what a step costs (simulator/llm_serving.py)."""

    max_num_seqs: int
    max_batched_tokens: int
    kv_capacity_tokens: int
    static: bool
    cost: tuple[float, ...]  # the eight step-cost parameters, in llm_serving's C_* order
    info: dict[str, Any] = field(repr=False, compare=False, default_factory=dict)  # shown in results


@dataclass(frozen=True)
class NodeSpec:
    """One request-path node with its config resolved to numbers (built by its kind, simulator/kinds/)."""

    index: int
    id: str
    kind: str
    servers: int  # 0 means no queue and no service time (a source such as a client)
    queue_limit: int  # -1 means unbounded
    timeout_ms: float  # inf means never
    service: ServiceTime
    hit_rate: float  # share of visits answered here without calling the sync children
    parallel: bool  # calls its sync children all at once
    batch: BatchPolicy | None = None  # dynamic batching; None serves one request at a time
    timer: BatchTimer | None = None  # where service (and batch) times come from, when not `service`
    llm: LlmPlan | None = None  # an LLM server: its replicas run steps of continuous or static batching
    config: dict[str, Any] = field(repr=False, compare=False, default_factory=dict)

    @property
    def batching(self) -> bool:
        return self.batch is not None

    @property
    def can_drop(self) -> bool:
        return self.servers > 0 and (self.queue_limit >= 0 or math.isfinite(self.timeout_ms))


def source_spec(index: int, node_id: str, kind: str) -> NodeSpec:
    """A node that only originates requests: no queue, no servers, no service time."""
    return NodeSpec(index, node_id, kind, 0, -1, math.inf, ZERO, 0.0, False)
