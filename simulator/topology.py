"""The board as the simulator sees it: nodes with their servers, and the call tree a request follows.

A request enters at an entry node: a request-path node with no incoming edge of any kind (so an
async-only target such as logging is not one). With several entry nodes each request picks one
uniformly at random, which splits a Poisson stream into equal Poisson streams.

Each node's kind (simulator/kinds/) turns it into a NodeSpec. A visit to a node queues for one of
its `replicas * concurrency` servers, is served, then calls the node's sync edges in edge order
(or all at once with fanout parallel, joined at the slowest) and sends a copy down each async
edge. A call over an edge adds the edge's `latency_ms` once per call, on the way out (drawn per
request around it as a median when the edge has a `latency_p99_ms`; `hop_time`). A cache
kind (`cache`, `cdn`) answers a `hit_rate` share itself and skips its sync children. The tree of
these calls, one position per path from the entry, is what both the fast path and the event
loop run; nodes reached on several paths share one queue.
"""

from __future__ import annotations

from dataclasses import dataclass
from graphlib import CycleError, TopologicalSorter
from typing import Any

from simulator.distributions import ServiceTime
from simulator.errors import SimulationError
from simulator.kinds import KINDS
from simulator.nodespec import NodeSpec

MAX_POSITIONS = 5000  # call-tree size limit: diamonds of sync edges multiply paths


@dataclass(frozen=True)
class Position:
    """One place in the call tree: a visit to `node` reached over one path."""

    index: int
    node: int
    parent: int  # -1 for an entry
    latency_ms: float  # of the edge that leads here
    detached: bool  # inside an async copy: never on a request's critical path
    sync_children: tuple[int, ...]
    async_children: tuple[int, ...]
    entry: int = -1  # which entry this root serves, -1 below the root
    edge: int = -1  # index in the document's edges of the edge that leads here, -1 for a root
    fallback_children: tuple[int, ...] = ()  # called only when a sync call before them failed
    call_children: tuple[int, ...] = ()  # sync and fallback children together, in edge order
    latency_p99_ms: float | None = None  # of the edge that leads here: its network time has a tail

    def hop_time(self) -> ServiceTime:
        """The network time of the call that leads here: the edge's latency, or a lognormal around it."""
        if self.latency_p99_ms is None or self.latency_p99_ms <= self.latency_ms:
            return ServiceTime("constant", mean_ms=self.latency_ms)
        return ServiceTime("lognormal", median_ms=self.latency_ms, p99_ms=self.latency_p99_ms)


@dataclass(frozen=True)
class Topology:
    nodes: tuple[NodeSpec, ...]
    positions: tuple[Position, ...]
    roots: tuple[int, ...]  # one root position per entry node
    fast_order: tuple[int, ...] | None  # node order for the fast path, None when it cannot apply

    def positions_of(self, node: int) -> list[int]:
        return [p.index for p in self.positions if p.node == node]


def build_topology(document: dict[str, Any]) -> Topology:
    """Resolve a validated document (with defaults filled in) into nodes and a call tree."""
    nodes_doc = [n for n in document["nodes"] if KINDS[n["kind"]].request_path]
    if not nodes_doc:
        raise SimulationError("the board has no request-path component to send traffic to", "nodes")
    index = {n["id"]: i for i, n in enumerate(nodes_doc)}
    nodes = tuple(KINDS[n["kind"]].node_spec(i, n) for i, n in enumerate(nodes_doc))
    # Per node, its outgoing calls (sync and fallback, in edge order) and async copies:
    # (target node, latency, edge index, is a fallback).
    calls: dict[int, list[tuple[int, float, int, bool]]] = {i: [] for i in range(len(nodes))}
    copies: dict[int, list[tuple[int, float, int, bool]]] = {i: [] for i in range(len(nodes))}
    tails = [edge.get("latency_p99_ms") for edge in document["edges"]]
    has_incoming: set[str] = set()
    for number, edge in enumerate(document["edges"]):
        has_incoming.add(edge["target"])
        if edge["source"] in index and edge["target"] in index:
            table = copies if edge["mode"] == "async" else calls
            table[index[edge["source"]]].append((index[edge["target"]], float(edge["latency_ms"]), number,
                                                 edge["mode"] == "fallback"))
    _reject_cycles(nodes, calls, copies)
    entries = [i for i, n in enumerate(nodes) if n.id not in has_incoming]
    if not entries:
        raise SimulationError("no entry node: every request-path component has an incoming edge, "
                              "so traffic has nowhere to enter", "edges")

    positions: list[dict[str, Any]] = []

    def expand(node: int, parent: int, latency: float, detached: bool, edge: int) -> int:
        if len(positions) >= MAX_POSITIONS:
            raise SimulationError(f"the edges give more than {MAX_POSITIONS} distinct call paths; "
                                  "simplify the diamonds of sync edges", "edges")
        me = len(positions)
        positions.append({"index": me, "node": node, "parent": parent, "latency_ms": latency,
                          "detached": detached, "edge": edge,
                          "latency_p99_ms": None if edge < 0 or tails[edge] is None else float(tails[edge])})
        called = [(expand(c, me, lat, detached, e), fallback) for c, lat, e, fallback in calls[node]]
        positions[me]["call_children"] = tuple(child for child, _ in called)
        positions[me]["sync_children"] = tuple(child for child, fallback in called if not fallback)
        positions[me]["fallback_children"] = tuple(child for child, fallback in called if fallback)
        positions[me]["async_children"] = tuple(expand(c, me, lat, True, e) for c, lat, e, _ in copies[node])
        return me

    roots = []
    for k, entry in enumerate(entries):
        root = expand(entry, -1, 0.0, False, -1)
        positions[root]["entry"] = k
        roots.append(root)
    tree = tuple(Position(**p) for p in positions)
    return Topology(nodes, tree, tuple(roots), _fast_order(nodes, tree))


def _reject_cycles(nodes: tuple[NodeSpec, ...], calls: dict, copies: dict) -> None:
    graph = {i: [edge[0] for edge in calls[i] + copies[i]] for i in calls}
    try:
        tuple(TopologicalSorter(graph).static_order())
    except CycleError as error:
        cycle = " -> ".join(nodes[i].id for i in reversed(error.args[1]))
        raise SimulationError(f"edges form a cycle through async edges: {cycle}; every copy would "
                              "circulate for ever, so remove one of these edges", "edges") from None


def _sync_subtree_nodes(tree: tuple[Position, ...], p: int) -> set[int]:
    found = {tree[p].node}
    for c in tree[p].sync_children:
        found |= _sync_subtree_nodes(tree, c)
    return found


def _fast_order(nodes: tuple[NodeSpec, ...], tree: tuple[Position, ...]) -> tuple[int, ...] | None:
    """An order in which every node's arrivals are known before it runs, or None.

    A node can run once its callers have run, and, for a sequential caller, once everything the
    earlier siblings call has run. When that order has a cycle (a node calls B and then C which
    calls B again), only the event loop can simulate the board; so too with fallback calls, which
    happen only when another call failed.
    """
    if any(p.fallback_children for p in tree):
        return None
    depends: dict[int, set[int]] = {n.index: set() for n in nodes}
    for p in tree:
        if p.parent >= 0:
            depends[p.node].add(tree[p.parent].node)
        if not nodes[p.node].parallel:
            for i, later in enumerate(p.sync_children[1:], start=1):
                for earlier in p.sync_children[:i]:
                    depends[tree[later].node] |= _sync_subtree_nodes(tree, earlier)
    if any(n in deps for n, deps in depends.items()):
        return None
    try:
        return tuple(TopologicalSorter(depends).static_order())
    except CycleError:
        return None
