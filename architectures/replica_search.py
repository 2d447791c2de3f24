"""Right-sizing's replica search: best first from a stability floor, so the first passing configuration is the cheapest.

The search knows nothing of Celery or the database: it is handed each round's summaries and answers
the next round's replica counts, and its state is plain JSON so a chord callback can resume it.

Why it finds the cheapest: cost is a sum of price x replicas over the nodes, so adding a replica
never makes a configuration cheaper, and (with the same seed) adding a replica never makes a
request wait longer. A configuration below the floor (a node offered at least what its replicas
can finish) is unstable and fails. Starting from the floor and trying configurations in order of
cost, each failing one followed by its one-replica-more neighbours, every configuration cheaper
than the first passing one has been tried and failed, so none cheaper can pass. Only nodes near
saturation (at least NEAR_SATURATION busy, or unstable) get a replica more: a component that is
a few percent busy shortens no queue by growing, and growing it is what made proposals dear.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Any, Callable

NEAR_SATURATION = 0.5
ROUND_SIZE = 6  # runs per round: a chord of this many fills the workers without queueing a long tail
MAX_EVALUATIONS = 120  # past this the best found is returned, marked as not proven cheapest
STABILITY_SLACK = 0.99  # the floor uses 99% of the offered rate seen, so noise never lifts it past a stable count
MAX_REPLICAS = 1000  # the replicas field's own limit


def key_of(replicas: dict[str, int]) -> str:
    return ",".join(f"{node}={count}" for node, count in sorted(replicas.items()))


def results_summary(results: dict[str, Any], nodes: list[str]) -> dict[str, Any]:
    """What the search needs of one run's results: the verdict's inputs, and the sizable nodes' load and price."""
    counts = results.get("requests") or {}
    arrived = counts.get("arrived") or 0
    warnings = results.get("warnings") or []
    by_node = (results.get("cost") or {}).get("by_node") or {}
    stats = results.get("nodes") or {}
    load = {}
    for node in nodes:
        s = stats.get(node) or {}
        compute = [item["usd"] for item in by_node.get(node, {}).get("items", []) if item.get("what") == "compute"]
        load[node] = {"utilization": s.get("utilization") or 0.0, "offered_rps": s.get("offered_rps") or 0.0,
                      "capacity_rps": s.get("capacity_rps"),
                      "compute_usd": compute[0] if compute else by_node.get(node, {}).get("monthly_usd")}
    return {
        "p99_ms": (results.get("latency_ms") or {}).get("p99"),
        "throughput_rps": results.get("throughput_rps"),
        "drop_rate": (counts.get("dropped", 0) / arrived) if arrived else None,
        "monthly_usd": (results.get("cost") or {}).get("monthly_usd"),
        "unstable": [w.get("node") for w in warnings if w.get("code") == "unstable"],
        # Most measured requests still unanswered at the end: its P99 is that of the few that completed.
        "overloaded": any(w.get("code") == "overloaded" for w in warnings),
        "load": load,
    }


@dataclass
class ReplicaSearch:
    """The search's state between rounds (see the module docstring for why its answer is the cheapest)."""

    start: dict[str, int]
    prices: dict[str, float] = field(default_factory=dict)  # monthly USD per replica, learnt from the runs
    floor: dict[str, int] = field(default_factory=dict)
    tried: dict[str, dict[str, Any]] = field(default_factory=dict)  # key -> {replicas, passed, saturated, run_id}
    frontier: list[dict[str, int]] = field(default_factory=list)
    best: str | None = None
    evaluations: int = 0
    probed: bool = False

    @classmethod
    def from_state(cls, state: dict[str, Any]) -> "ReplicaSearch":
        return cls(**state)

    def to_state(self) -> dict[str, Any]:
        return asdict(self)

    def first_round(self) -> list[dict[str, int]]:
        """The board as it is and four times its replicas: their runs show each node's offered load and price.

        At the larger counts nothing upstream holds requests back, so the offered rates seen there are the real ones.
        """
        generous = {node: min(MAX_REPLICAS, count * 4) for node, count in self.start.items()}
        return [dict(self.start)] + ([generous] if generous != self.start else [])

    def cost(self, replicas: dict[str, int]) -> tuple[float, int]:
        # Priced nodes by their price; the replica total breaks ties and stands in when nothing is priced.
        return (sum(self.prices.get(node, 0.0) * count for node, count in replicas.items()), sum(replicas.values()))

    def record(self, replicas: dict[str, int], summary: dict[str, Any], passed: bool, run_id: str | None = None) -> None:
        """One finished run: learn prices and the floor from it, and remember its verdict."""
        self.evaluations += 1
        saturated = []
        for node, load in summary.get("load", {}).items():
            count = replicas[node]
            if load.get("compute_usd") is not None and count:
                self.prices[node] = load["compute_usd"] / count
            demand = self._demand(load, count)  # replicas kept fully busy
            self.floor[node] = max(self.floor.get(node, 1), min(MAX_REPLICAS, math.floor(demand * STABILITY_SLACK) + 1))
            if load["utilization"] >= NEAR_SATURATION or node in (summary.get("unstable") or []):
                saturated.append(node)
        self.tried[key_of(replicas)] = {"replicas": dict(replicas), "passed": passed, "saturated": saturated,
                                        "run_id": run_id, "summary": {k: v for k, v in summary.items() if k != "load"}}
        if passed and (self.best is None or self.cost(replicas) < self.cost(self.tried[self.best]["replicas"])):
            self.best = key_of(replicas)
        if not passed:
            self._grow(replicas, saturated)

    @staticmethod
    def _demand(load: dict[str, Any], count: int) -> float:
        capacity = load.get("capacity_rps")
        if capacity is not None and capacity > 0 and math.isfinite(capacity):
            return load["offered_rps"] / (capacity / count)
        if capacity is not None:  # infinite capacity: no service time to keep busy
            return 0.0
        # No stated capacity (an LLM server): the busy share of its replicas, which never exceeds the demand.
        return load["utilization"] * count

    def _grow(self, replicas: dict[str, int], saturated: list[str]) -> None:
        for node in saturated:
            if replicas[node] < MAX_REPLICAS:
                self.frontier.append({**replicas, node: replicas[node] + 1})

    def _lifted(self, replicas: dict[str, int]) -> dict[str, int]:
        return {node: max(count, self.floor.get(node, 1)) for node, count in replicas.items()}

    def _failed_above(self, replicas: dict[str, int]) -> dict[str, Any] | None:
        """A failed run with at least these replicas everywhere: fewer replicas fail too."""
        for entry in self.tried.values():
            if not entry["passed"] and all(entry["replicas"][n] >= c for n, c in replicas.items()):
                return entry
        return None

    def next_round(self) -> list[dict[str, int]]:
        """The cheapest untried configurations that could still beat the best, or [] when the search is over."""
        if not self.probed:
            self.probed = True
            self.frontier.append({node: 1 for node in self.start})  # lifted to the floor below
        if self.evaluations >= MAX_EVALUATIONS:
            return []
        bound = self.cost(self.tried[self.best]["replicas"]) if self.best else None
        chosen: list[dict[str, int]] = []
        seen = set(self.tried)
        while self.frontier and len(chosen) < ROUND_SIZE:
            self.frontier = [self._lifted(r) for r in self.frontier]
            self.frontier.sort(key=self.cost)
            candidate = self.frontier.pop(0)
            key = key_of(candidate)
            if key in seen:
                continue
            seen.add(key)
            if bound is not None and self.cost(candidate) >= bound:
                self.frontier.clear()  # sorted: everything left costs at least as much
                break
            known = self._failed_above(candidate)
            if known is not None:  # fails without a run; grow it where its dominating run was saturated
                self._grow(candidate, known["saturated"])
                continue
            chosen.append(candidate)
        return chosen[:max(0, MAX_EVALUATIONS - self.evaluations)]

    @property
    def proven(self) -> bool:
        """True when every configuration cheaper than the best (within the saturation rule) was ruled out."""
        return self.evaluations < MAX_EVALUATIONS and not self.frontier


def search(start: dict[str, int], evaluate: Callable[[list[dict[str, int]]], list[tuple[dict[str, Any], bool]]]
           ) -> ReplicaSearch:
    """Run a whole search in-process: `evaluate` returns (summary, passed) for each configuration of a round."""
    state = ReplicaSearch(start=dict(start))
    batch = state.first_round()
    while batch:
        for replicas, (summary, passed) in zip(batch, evaluate(batch)):
            state.record(replicas, summary, passed)
        batch = state.next_round()
    return state
