"""The fast path: a feed-forward board simulated node by node over arrays of times.

Nodes run in an order where every visit's arrival time is already known (topology.fast_order).
At each node the visits of all the call-tree positions that reach it are merged in arrival
order and run through the compiled FIFO loop; service ends then give the arrivals of the
children. One pass per node instead of one Python event per step.
"""

from __future__ import annotations

import numpy as np

from simulator.fifo import fifo_chunk, new_state
from simulator.outcome import Outcome, RunInputs, request_fates
from simulator.progress import Ticker
from simulator.stats import node_stats

CHUNK = 1 << 20  # visits per compiled call: bounds the time between progress updates


class _Arrays:
    """Per-position arrays (NaN where a request does not visit), computed on demand."""

    def __init__(self, inputs: RunInputs) -> None:
        self.inputs = inputs
        self.topo = inputs.topology
        self.dep: dict[int, np.ndarray] = {}  # service end per position
        self.drop: dict[int, tuple[np.ndarray, np.ndarray]] = {}  # (drop time, reason)
        self._completion: dict[int, np.ndarray] = {}

    def arrival(self, p: int) -> np.ndarray:
        pos = self.topo.positions[p]
        if pos.parent < 0:
            arrivals = self.inputs.arrivals
            if len(self.topo.roots) == 1:
                return arrivals
            return np.where(self.inputs.entry == pos.entry, arrivals, np.nan)
        parent = self.topo.positions[pos.parent]
        if p in parent.async_children:
            return self.dep[parent.index] + pos.latency_ms
        i = parent.sync_children.index(p)
        if self.topo.nodes[parent.node].parallel or i == 0:
            base = self.dep[parent.index]
            hits = self.inputs.hits.get(parent.index)
            if hits is not None:
                base = np.where(hits, np.nan, base)
        else:
            base = self.completion(parent.sync_children[i - 1])
        return base + pos.latency_ms

    def completion(self, p: int) -> np.ndarray:
        """When the visit at p answers its caller: its service end plus its sync calls."""
        if p in self._completion:
            return self._completion[p]
        pos = self.topo.positions[p]
        done = self.dep[p]
        if pos.sync_children:
            if self.topo.nodes[pos.node].parallel:
                done = np.maximum.reduce([self.completion(c) for c in pos.sync_children])
            else:
                done = self.completion(pos.sync_children[-1])
            hits = self.inputs.hits.get(p)
            if hits is not None:
                done = np.where(hits, self.dep[p], done)
        self._completion[p] = done
        return done


def simulate_fast(inputs: RunInputs, ticker: Ticker) -> Outcome:
    topo = inputs.topology
    n = len(inputs.arrivals)
    arrays = _Arrays(inputs)
    stats = {}
    total_work = max(1, n * len(topo.positions))
    done_work = 0
    for node_index in topo.fast_order:
        spec = topo.nodes[node_index]
        plist = topo.positions_of(node_index)
        if not plist:
            continue
        per_position = []
        for p in plist:
            arr = arrays.arrival(p)
            visited = np.flatnonzero(~np.isnan(arr)) if np.isnan(arr).any() else None
            per_position.append((p, arr if visited is None else arr[visited], visited))
        merged = np.concatenate([a for _, a, _ in per_position]) if len(per_position) > 1 else per_position[0][1]
        if spec.servers == 0:  # a client answers at once
            left = end = merged
            reason = np.zeros(len(merged), dtype=np.int8)
            order = None
        else:
            order = np.argsort(merged, kind="stable")
            merged = merged[order]
            left, end, reason = _serve(inputs, node_index, merged, ticker, done_work, total_work)
        stats[spec.id] = node_stats(spec, merged, left, end, reason, inputs.window, inputs.capacities[node_index])
        done_work += len(merged)
        _scatter(arrays, per_position, order, end, reason, n, spec.can_drop)
        ticker.update(done_work / total_work)
    fate = np.fmin.reduce([arrays.completion(r) for r in topo.roots])
    drops = [arrays.drop[p] for p in arrays.drop if not topo.positions[p].detached]
    fate, status = request_fates(fate, drops)
    return Outcome(fate_ms=fate, status=status, nodes=stats, path="fast")


def _serve(inputs: RunInputs, node_index: int, arrival: np.ndarray, ticker: Ticker,
           done_work: int, total_work: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    spec = inputs.topology.nodes[node_index]
    stream = inputs.streams[node_index]
    free, state = new_state(spec.servers)
    m = len(arrival)
    left, end = np.empty(m), np.empty(m)
    reason = np.zeros(m, dtype=np.int8)
    for lo in range(0, m, CHUNK):
        hi = min(lo + CHUNK, m)
        used = fifo_chunk(arrival, stream.peek(hi - lo), free, state, lo, hi,
                          spec.queue_limit, spec.timeout_ms, left, end, reason)
        stream.advance(used)
        ticker.update((done_work + hi) / total_work)
    return left, end, reason


def _scatter(arrays: _Arrays, per_position: list, order: np.ndarray | None, end: np.ndarray,
             reason: np.ndarray, n: int, can_drop: bool) -> None:
    """Write service ends (NaN for drops) and drops back to each position, in request order."""
    served_end = np.where(reason == 0, end, np.nan) if can_drop else end
    if order is not None:
        unsorted = np.empty_like(served_end)
        unsorted[order] = served_end
        served_end = unsorted
        if can_drop:
            unsorted_reason = np.empty_like(reason)
            unsorted_reason[order] = reason
            unsorted_end = np.empty_like(end)
            unsorted_end[order] = end
            reason, end = unsorted_reason, unsorted_end
    offset = 0
    for p, arr, visited in per_position:
        count = len(arr)
        chunk = slice(offset, offset + count)
        offset += count
        if visited is None:
            arrays.dep[p] = served_end[chunk]
        else:
            arrays.dep[p] = np.full(n, np.nan)
            arrays.dep[p][visited] = served_end[chunk]
        if can_drop:
            drop_time = np.full(n, np.nan)
            drop_reason = np.zeros(n, dtype=np.int8)
            rows = np.arange(n) if visited is None else visited
            dropped = reason[chunk] > 0
            drop_time[rows[dropped]] = end[chunk][dropped]
            drop_reason[rows[dropped]] = reason[chunk][dropped]
            arrays.drop[p] = (drop_time, drop_reason)
