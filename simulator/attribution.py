"""Where a run's P99 is spent, and so which component most limits meeting the SLO (or, passing, has least room).

The engines record per-node figures (utilisation, mean and P99 wait), not each request's path, so
the P99 is attributed from those figures along the call tree:

1. Each component's part of a slow request is its P99 wait and its service time at P99. On a
   batching component the wait up to `max_batch_delay_ms` is batching delay, the rest queueing.
   An LLM server's service is its time to first token (streamed) or whole answer at P99, less
   its P99 wait. A service time at P99 comes from 4,000 draws of the node's own distribution.
2. Each sync call adds its edge's `latency_ms`, or its `latency_p99_ms` when it has a tail.
3. The slowest path is followed down the tree: a sequential caller adds all its sync calls, a
   parallel one its slowest; a cache that answers 99% or more itself adds none. With several
   entry components, the slowest entry's path.

The parts of that path add up to the P99 budget, an estimate that is larger than the measured
P99 (a request is rarely at P99 everywhere at once); only their shares are used. A failing
board's limit is the largest part: a link's latency when network time is the largest share, a
chain of sync calls when no component takes a third of it, else the component with its largest
part (queue wait, batching delay or service). A board that is unstable or drops requests is
limited by capacity instead; one that misses its peak otherwise was run below it, which it says.
A passing board gets headroom: the busiest component and how much more load it takes before it
saturates, how far the P99 is under its SLO, and the largest part of its slowest path.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from simulator.nodespec import NodeSpec
from simulator.stats import NodeStats
from simulator.topology import Topology

SERVICE_DRAWS = 4000
CACHE_SKIP = 0.99  # a cache answering this share itself keeps its calls out of the P99
NETWORK_SHARE = 0.4  # network time above this share of the budget is what to fix first
CHAIN_LENGTH = 3
CHAIN_TOP_SHARE = 1 / 3  # no component above this share: the chain's length is the problem
DROP_SHARE = 0.01  # as the peak requirement allows

PART_WORDS = {"wait": "queue wait", "batching": "batching delay", "service": "service time",
              "network": "network latency"}
REMEDIES = {"wait": "add replicas or concurrency", "batching": "lower max_batch_delay_ms",
            "service": "a faster model, machine or cache in front"}


def _service_p99(spec: NodeSpec, stats: NodeStats, llm: dict[str, Any], streaming: bool) -> float:
    rng = np.random.default_rng(0)
    if spec.llm is not None:
        figures = llm.get(spec.id) or {}
        summary = figures.get("ttft_ms" if streaming else "e2e_ms") or {}
        return max(0.0, (summary.get("p99") or 0.0) - stats.p99_wait_ms)
    if spec.timer is not None:
        size = max(1, round(stats.mean_batch_size or 1))
        return float(np.percentile(spec.timer.sample_ms(size, rng, SERVICE_DRAWS), 99))
    return float(np.percentile(spec.service.sample(rng, SERVICE_DRAWS), 99))


def node_parts(spec: NodeSpec, stats: NodeStats, llm: dict[str, Any], streaming: bool) -> dict[str, float]:
    """A slow request's time at one component: {"wait", "batching", "service"} in ms."""
    if spec.servers == 0:
        return {"wait": 0.0, "batching": 0.0, "service": 0.0}
    wait = stats.p99_wait_ms or 0.0
    batching = min(wait, spec.batch.max_delay_ms) if spec.batch is not None else 0.0
    return {"wait": wait - batching, "batching": batching, "service": _service_p99(spec, stats, llm, streaming)}


def slowest_path(topology: Topology, parts: dict[str, dict[str, float]],
                 edge_ids: list[str]) -> list[dict[str, Any]]:
    """The parts along the slowest path of the call tree, in call order."""
    tree = topology.positions

    def walk(p: int) -> tuple[float, list[dict[str, Any]]]:
        pos = tree[p]
        spec = topology.nodes[pos.node]
        items: list[dict[str, Any]] = []
        hop_ms = pos.latency_p99_ms or pos.latency_ms
        if pos.parent >= 0 and hop_ms > 0:
            items.append({"part": "network", "ms": hop_ms, "edge": edge_ids[pos.edge],
                          "source": topology.nodes[tree[pos.parent].node].id, "node": spec.id})
        items += [{"part": part, "ms": ms, "node": spec.id} for part, ms in parts[spec.id].items() if ms > 0]
        children = [walk(c) for c in pos.sync_children] if spec.hit_rate < CACHE_SKIP else []
        if spec.parallel and children:
            items += max(children, key=lambda child: child[0])[1]
        else:
            for _, child in children:
                items += child
        return sum(item["ms"] for item in items), items

    return max((walk(root) for root in topology.roots), key=lambda path: path[0])[1]


def _ms(value: float) -> str:
    return f"{value:.1f} ms" if value < 100 else f"{value:.0f} ms"


def _by_node(path: list[dict[str, Any]]) -> dict[str, float]:
    totals: dict[str, float] = {}
    for item in path:
        if item["part"] != "network":
            totals[item["node"]] = totals.get(item["node"], 0.0) + item["ms"]
    return totals


def _capacity_limit(nodes: dict[str, NodeStats], unstable: list[str]) -> dict[str, Any] | None:
    """The component whose capacity sets the limit: the most overloaded unstable one, else the one dropping most."""
    served = {k: s for k, s in nodes.items() if s.servers > 0}
    if unstable:
        node_id = max(unstable, key=lambda k: nodes[k].offered_rps / (nodes[k].capacity_rps or 1.0))
        s = nodes[node_id]
        why = (f"capacity: offered {s.offered_rps:.0f} req/s against a capacity of {s.capacity_rps:.0f} req/s, "
               f"so its queue grows without bound (P99 wait {_ms(s.p99_wait_ms)}); add replicas or concurrency")
        return {"node": node_id, "cause": "capacity", "why": why}
    dropping = {k: s for k, s in served.items() if s.dropped}
    if dropping:
        node_id = max(dropping, key=lambda k: dropping[k].dropped)
        s = dropping[node_id]
        return {"node": node_id, "cause": "drops",
                "why": f"drops: {s.dropped} requests shed at {s.utilization:.0%} busy (P99 wait {_ms(s.p99_wait_ms)})"}
    return None


def _p99_limit(path: list[dict[str, Any]], nodes: dict[str, NodeStats], labels: dict[str, str]) -> dict[str, Any] | None:
    budget = sum(item["ms"] for item in path)
    if budget <= 0:
        return None
    network = [item for item in path if item["part"] == "network"]
    network_ms = sum(item["ms"] for item in network)
    totals = _by_node(path)
    if network and network_ms >= NETWORK_SHARE * budget:
        link = max(network, key=lambda item: item["ms"])
        why = (f"network latency: {len(network)} sync call{'s' if len(network) > 1 else ''} on the slowest path add "
               f"{_ms(network_ms)}, {network_ms / budget:.0%} of where its P99 is spent; the longest is "
               f"{labels.get(link['source'], link['source'])} → {labels.get(link['node'], link['node'])} at {_ms(link['ms'])} a call")
        return {"node": link["node"], "edge": link["edge"], "cause": "network", "why": why, "share": network_ms / budget}
    if not totals:
        return None
    top = max(totals, key=totals.get)
    if len(totals) >= CHAIN_LENGTH and totals[top] < CHAIN_TOP_SHARE * budget:
        chain = " → ".join(f"{labels.get(node, node)} {_ms(ms)}" for node, ms in totals.items())
        why = (f"a sync chain: {len(totals)} components called one after another, none taking a third of the "
               f"P99 ({chain}); call some in parallel, cache, or cut a hop")
        return {"node": top, "cause": "sync_chain", "why": why, "share": totals[top] / budget}
    parts = {item["part"]: item["ms"] for item in path if item.get("node") == top and item["part"] != "network"}
    part = max(parts, key=parts.get)
    s = nodes[top]
    why = (f"{PART_WORDS[part]}: {_ms(parts[part])} at P99 of a slow request, {totals[top] / budget:.0%} of where the P99 "
           f"is spent ({s.utilization:.0%} busy, P99 wait {_ms(s.p99_wait_ms)}); {REMEDIES[part]}")
    return {"node": top, "cause": {"wait": "queue_wait"}.get(part, part), "why": why, "share": totals[top] / budget}


def _largest_part(path: list[dict[str, Any]], labels: dict[str, str]) -> str:
    """Where most of a slow request's time goes, for a passing board's line: what to watch as the SLO tightens."""
    budget = sum(item["ms"] for item in path)
    if budget <= 0:
        return ""
    top = max(path, key=lambda item: item["ms"])
    where = (f"the call {labels.get(top['source'], top['source'])} → {labels.get(top['node'], top['node'])}"
             if top["part"] == "network" else labels.get(top["node"], top["node"]))
    return f"; the largest part of a slow request is {PART_WORDS[top['part']]} at {where} ({top['ms'] / budget:.0%})"


def limit(topology: Topology, nodes: dict[str, NodeStats], *, edge_ids: list[str], slo: dict[str, dict[str, Any]],
          p99_ms: float, unstable: list[str], drop_share: float, llm: dict[str, Any] | None = None,
          streaming: bool = False, labels: dict[str, str] | None = None,
          offered_rps: float = 0.0) -> dict[str, Any] | None:
    """The run's limit: {"node", "verdict": "bottleneck" | "headroom", "cause", "reason", "utilization", "path"...}."""
    served = {k: s for k, s in nodes.items() if s.servers > 0}
    if not served:
        return None
    specs = {spec.id: spec for spec in topology.nodes}
    parts = {k: node_parts(specs[k], s, llm or {}, streaming) for k, s in nodes.items()}
    path = slowest_path(topology, parts, edge_ids)
    failed = [name for name, verdict in slo.items() if not verdict.get("passed")]
    found = None
    if unstable or drop_share > DROP_SHARE:
        found = _capacity_limit(nodes, unstable)
    if found is None and "p99_ms" in failed:
        found = _p99_limit(path, nodes, labels or {})
    if found is None and "peak_rps" in failed:
        # Nothing dropped and nothing unstable: the run simply sent less than the peak.
        busiest = max(served, key=lambda k: (served[k].utilization, served[k].mean_wait_ms))
        found = {"node": busiest, "cause": "traffic",
                 "why": f"the run simulated {offered_rps:.0f} req/s, below the peak requirement of "
                        f"{slo['peak_rps']['target']:g} req/s, so it does not test the peak: set the simulated "
                        f"traffic to the peak (at this rate the busiest component is {served[busiest].utilization:.0%} busy)"}
    if found is None and (failed or unstable):
        busiest = max(served, key=lambda k: (served[k].utilization, served[k].mean_wait_ms))
        found = {"node": busiest, "cause": "utilization",
                 "why": f"the busiest component, {served[busiest].utilization:.0%} busy "
                        f"(P99 wait {_ms(served[busiest].p99_wait_ms)})"}
    breakdown = [{**item, "ms": round(item["ms"], 3)} for item in path]
    if found is not None:
        s = nodes[found["node"]]
        return {"node": found["node"], "verdict": "bottleneck", "cause": found["cause"], "edge": found.get("edge"),
                "utilization": s.utilization, "share": found.get("share"), "reason": found["why"],
                "path": breakdown}
    node_id = max(served, key=lambda k: (served[k].utilization, served[k].mean_wait_ms))
    s = served[node_id]
    room = f"about {1 / s.utilization:.1f}x today's load before it saturates" if s.utilization > 0.01 else "far from saturating"
    target = (slo.get("p99_ms") or {}).get("target")
    p99_room = (f"; the P99 of {_ms(p99_ms)} is {1 - p99_ms / target:.0%} under the {target:g} ms SLO"
                if target and p99_ms == p99_ms else "")
    why = f"closest to its limit at {s.utilization:.0%} busy: {room}{p99_room}{_largest_part(path, labels or {})}"
    return {"node": node_id, "verdict": "headroom", "cause": "utilization", "edge": None, "utilization": s.utilization,
            "share": None, "reason": why, "path": breakdown}
