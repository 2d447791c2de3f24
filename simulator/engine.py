"""The general event loop: one event per arrival, service end, timeout and batch wake-up.

It runs every board, including those the fast path cannot (a node whose later calls depend on
its own earlier answers). Batching model servers follow the same policy as on the fast path
(simulator/dynamic_batching.py), decided event by event. It reads the same per-node sample
streams as the fast path, so on boards both can run, with continuous times, they give the same
results.
"""

from __future__ import annotations

import heapq
import math
from array import array
from collections import deque

import numpy as np

from simulator.outcome import COMPLETED, IN_FLIGHT, Outcome, RunInputs
from simulator.progress import Ticker
from simulator.stats import QUEUE_FULL, TIMEOUT, NodeAccumulator

# Event kinds double as tie-break priorities at equal times: a server freed at t serves a visit
# whose timeout is t, and an arrival at t sees the queue after both.
END, EXPIRE, ARRIVE, WAKE = 0, 1, 2, 3
REPORT_EVERY = 8192


class _Node:
    """Queue, servers and visit records of one node."""

    def __init__(self, spec) -> None:
        self.spec = spec
        self.free = spec.servers
        self.waiting: deque = deque()
        self.n_waiting = 0
        self.wake_at = math.nan
        # Typed arrays, not lists: eight bytes a visit instead of a Python float object each.
        self.arrival = array("d")
        self.left = array("d")
        self.end = array("d")
        self.reason = array("b")
        self.busy_start = array("d")
        self.busy_end = array("d")
        self.batch_sizes = array("q")


class EventLoop:
    def __init__(self, inputs: RunInputs, ticker: Ticker) -> None:
        self.inputs = inputs
        self.ticker = ticker
        self.topo = inputs.topology
        self.tree = self.topo.positions
        self.nodes = [_Node(spec) for spec in self.topo.nodes]
        n = len(inputs.arrivals)
        self.fate = np.full(n, np.nan)
        self.status = np.full(n, IN_FLIGHT, dtype=np.int8)
        self.heap: list = []
        self.seq = 0
        self.joins: dict[tuple[int, int], int] = {}
        self.next_sibling = {c: (p.sync_children[i + 1] if i + 1 < len(p.sync_children) else -1)
                             for p in self.tree for i, c in enumerate(p.sync_children)}
        self.async_roots = {c for p in self.tree for c in p.async_children}

    def push(self, time: float, kind: int, a, b) -> None:
        # Arrivals at one instant (the members of one batch) go in call-tree position, then
        # request order: the order in which the fast path merges and sorts a node's arrivals.
        self.seq += 1
        tie = (b, a) if kind == ARRIVE else (0, 0)
        heapq.heappush(self.heap, (time, kind, tie, self.seq, a, b))

    def run(self) -> Outcome:
        arrivals = self.inputs.arrivals
        n = len(arrivals)
        entry = self.inputs.entry
        roots = self.topo.roots
        if n:
            self.push(float(arrivals[0]), ARRIVE, 0, roots[0] if entry is None else roots[entry[0]])
        events = 0
        last = float(arrivals[-1]) if n and arrivals[-1] > 0 else 1.0
        while self.heap:
            time, kind, _, _, a, b = heapq.heappop(self.heap)
            if kind == ARRIVE:
                if self.tree[b].parent < 0 and a + 1 < n:  # the next external arrival
                    nxt = a + 1
                    self.push(float(arrivals[nxt]), ARRIVE, nxt, roots[0] if entry is None else roots[entry[nxt]])
                self.arrive(a, b, time)
            elif kind == END:
                self.end_service(a, b, time)
            elif kind == EXPIRE:
                self.expire(a, b, time)
            else:
                self.dispatch(self.nodes[a], time)
            events += 1
            if events % REPORT_EVERY == 0:
                self.ticker.update(min(1.0, time / last))
        stats = {}
        for i, node in enumerate(self.nodes):
            acc = NodeAccumulator(node.spec, self.inputs.window, self.inputs.capacities[i])
            acc.add(np.frombuffer(node.arrival), np.frombuffer(node.left), np.frombuffer(node.end),
                    np.frombuffer(node.reason, dtype=np.int8), busy=False)
            acc.add_busy(np.frombuffer(node.busy_start), np.frombuffer(node.busy_end))
            stats[node.spec.id] = acc.result(np.frombuffer(node.batch_sizes, dtype=np.int64)
                                             if node.spec.batching else None)
        return Outcome(fate_ms=self.fate, status=self.status, nodes=stats, path="event")

    def arrive(self, req: int, pos: int, time: float) -> None:
        node = self.nodes[self.tree[pos].node]
        spec = node.spec
        if spec.servers == 0:
            self.served(req, pos, time)
            return
        record = len(node.arrival)
        node.arrival.append(time)
        node.left.append(time)
        node.end.append(time)
        node.reason.append(0)
        if node.free == 0 and 0 <= spec.queue_limit <= node.n_waiting:
            self.drop(node, record, req, pos, time, QUEUE_FULL)
            return
        visit = [req, pos, time, record, False]  # the last field: left the waiting room
        node.waiting.append(visit)
        node.n_waiting += 1
        if math.isfinite(spec.timeout_ms):
            self.push(time + spec.timeout_ms, EXPIRE, spec.index, visit)
        self.dispatch(node, time)

    def expire(self, node_index: int, visit: list, time: float) -> None:
        if visit[4]:
            return
        node = self.nodes[node_index]
        visit[4] = True
        node.n_waiting -= 1
        node.left[visit[3]] = time
        self.drop(node, visit[3], visit[0], visit[1], time, TIMEOUT)

    def dispatch(self, node: _Node, now: float) -> None:
        spec = node.spec
        while node.free > 0 and node.n_waiting > 0:
            while node.waiting[0][4]:
                node.waiting.popleft()
            if spec.batch is not None:
                wake = spec.batch.wait_until(now, node.waiting[0][2], node.n_waiting)
                if wake is not None:
                    if wake != node.wake_at:
                        node.wake_at = wake
                        self.push(wake, WAKE, spec.index, None)
                    return
                size = spec.batch.size(node.n_waiting)
                duration = self.batch_time(spec, size)
            else:
                size = 1
                duration = self.inputs.streams[spec.index].next()
            batch = []
            while len(batch) < size:
                visit = node.waiting.popleft()
                if not visit[4]:
                    visit[4] = True
                    node.left[visit[3]] = now
                    batch.append(visit)
            node.n_waiting -= size
            node.free -= 1
            node.busy_start.append(now)
            node.busy_end.append(now + duration)
            if spec.batching:
                node.batch_sizes.append(size)
            self.push(now + duration, END, spec.index, batch)

    def batch_time(self, spec, size: int) -> float:
        return self.inputs.batch_stream(spec.index, size).next()

    def end_service(self, node_index: int, batch: list, time: float) -> None:
        node = self.nodes[node_index]
        node.free += 1
        for req, pos, _, record, _ in batch:
            node.end[record] = time
            self.served(req, pos, time)
        self.dispatch(node, time)

    def served(self, req: int, pos: int, time: float) -> None:
        """After a visit's own service: async copies, then the sync calls or the answer."""
        p = self.tree[pos]
        for child in p.async_children:
            self.push(time + self.tree[child].latency_ms, ARRIVE, req, child)
        hits = self.inputs.hits.get(pos)
        if not p.sync_children or (hits is not None and hits[req]):
            self.complete(req, pos, time)
        elif self.topo.nodes[p.node].parallel:
            self.joins[(req, pos)] = len(p.sync_children)
            for child in p.sync_children:
                self.push(time + self.tree[child].latency_ms, ARRIVE, req, child)
        else:
            child = p.sync_children[0]
            self.push(time + self.tree[child].latency_ms, ARRIVE, req, child)

    def complete(self, req: int, pos: int, time: float) -> None:
        """The visit at pos answers its caller at time."""
        p = self.tree[pos]
        if p.parent < 0:
            if self.status[req] == IN_FLIGHT:
                self.fate[req] = time
                self.status[req] = COMPLETED
            return
        if pos in self.async_roots:
            return
        parent = self.tree[p.parent]
        if self.topo.nodes[parent.node].parallel:
            key = (req, parent.index)
            self.joins[key] -= 1
            if self.joins[key] == 0:
                del self.joins[key]
                self.complete(req, parent.index, time)
            return
        nxt = self.next_sibling[pos]
        if nxt >= 0:
            self.push(time + self.tree[nxt].latency_ms, ARRIVE, req, nxt)
        else:
            self.complete(req, parent.index, time)

    def drop(self, node: _Node, record: int, req: int, pos: int, time: float, reason: int) -> None:
        node.end[record] = time
        node.reason[record] = reason
        if not self.tree[pos].detached and self.status[req] == IN_FLIGHT:
            self.fate[req] = time
            self.status[req] = reason


def simulate_events(inputs: RunInputs, ticker: Ticker) -> Outcome:
    return EventLoop(inputs, ticker).run()
