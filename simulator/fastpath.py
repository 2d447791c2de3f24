"""The fast path: a feed-forward board simulated node by node over arrays of times.

Nodes run in an order where every visit's arrival time is already known (topology.fast_order).
At each node the visits of all the call-tree positions that reach it are merged in arrival
order and run through a compiled loop: the multi-server FIFO queue (fifo.py) in chunks, or, for a
batching model server, the dynamic batcher (dynamic_batching.py); service ends then give the
arrivals of the children. One pass per node instead of one Python event per step. Per-request arrays are
released as soon as nothing needs them, so memory stays a few arrays of the request count.
"""

from __future__ import annotations

import numpy as np

from simulator.dynamic_batching import DONE, batch_loop
from simulator.llm_node import serve_llm
from simulator.fifo import fifo_chunk, new_state
from simulator.outcome import BATCH_CHUNK, Outcome, RunInputs, request_fates
from simulator.progress import Ticker
from simulator.stats import NodeAccumulator

CHUNK = 1 << 20  # visits per compiled call: bounds the time between progress updates


class _Arrays:
    """Per-position arrays of times (NaN where a request does not get there), built on demand."""

    def __init__(self, inputs: RunInputs) -> None:
        self.inputs = inputs
        self.topo = inputs.topology
        self.dep: dict[int, np.ndarray] = {}  # own service end per position
        self.uses: dict[int, int] = {}  # reads of dep[p] still to come
        self.drop: dict[int, tuple[np.ndarray, np.ndarray]] = {}  # (drop time, reason)
        self._completion: dict[int, np.ndarray] = {}

    def set_dep(self, p: int, ends: np.ndarray) -> None:
        pos = self.topo.positions[p]
        parallel = self.topo.nodes[pos.node].parallel
        calls = len(pos.sync_children) if parallel else min(len(pos.sync_children), 1)
        answers_itself = not pos.sync_children or p in self.inputs.hits
        self.dep[p] = ends
        self.uses[p] = len(pos.async_children) + calls + int(answers_itself)

    def _use(self, p: int) -> tuple[np.ndarray, bool]:
        """dep[p] and whether this was its last read (the caller may then change it in place)."""
        self.uses[p] -= 1
        if self.uses[p] == 0:
            return self.dep.pop(p), True
        return self.dep[p], False

    def arrival(self, p: int) -> tuple[np.ndarray, bool]:
        """Arrival times at position p, and whether the array is the caller's to change."""
        pos = self.topo.positions[p]
        if pos.parent < 0:
            if len(self.topo.roots) == 1:
                return self.inputs.arrivals, False
            return np.where(self.inputs.entry == pos.entry, self.inputs.arrivals, np.nan), True
        parent = self.topo.positions[pos.parent]
        if p in parent.async_children:
            base, owned = self._use(parent.index)
        else:
            i = parent.sync_children.index(p)
            if self.topo.nodes[parent.node].parallel or i == 0:
                base, owned = self._use(parent.index)
                hits = self.inputs.hits.get(parent.index)
                if hits is not None:
                    base, owned = np.where(hits, np.nan, base), True
            else:
                base, owned = self.completion(parent.sync_children[i - 1]), False
        hop = self.inputs.hop_ms(p)
        if not owned:
            return base + hop, True
        if np.any(hop):
            base += hop
        return base, True

    def completion(self, p: int) -> np.ndarray:
        """When the visit at p answers its caller: its service end plus its sync calls."""
        if p in self._completion:
            return self._completion[p]
        pos = self.topo.positions[p]
        if not pos.sync_children:
            done = self._use(p)[0]
        else:
            if self.topo.nodes[pos.node].parallel:
                done = np.maximum.reduce([self.completion(c) for c in pos.sync_children])
            else:
                done = self.completion(pos.sync_children[-1])
            hits = self.inputs.hits.get(p)
            if hits is not None:
                done = np.where(hits, self._use(p)[0], done)
        self._completion[p] = done
        return done


def simulate_fast(inputs: RunInputs, ticker: Ticker) -> Outcome:
    topo = inputs.topology
    n = len(inputs.arrivals)
    arrays = _Arrays(inputs)
    stats, series, llm = {}, {}, {}
    progress = _Progress(ticker, max(1, n * len(topo.positions)))
    for node_index in topo.fast_order:
        plist = topo.positions_of(node_index)
        spec = topo.nodes[node_index]
        if plist:
            stats[spec.id], series[spec.id], figures = _run_node(inputs, arrays, node_index, plist, n, progress)
            if figures is not None:
                llm[spec.id] = figures
        else:  # no request reaches it
            idle = NodeAccumulator(spec, inputs.window, inputs.capacities[node_index])
            stats[spec.id], series[spec.id] = idle.result(), idle.series()
    answers = [arrays.completion(r) for r in topo.roots]
    fate = answers[0] if len(answers) == 1 else np.fmin.reduce(answers)
    del answers
    drops = [arrays.drop[p] for p in arrays.drop if not topo.positions[p].detached]
    fate, status = request_fates(fate, drops)
    return Outcome(fate_ms=fate, status=status, nodes=stats, path="fast", node_series=series, llm=llm)


class _Progress:
    def __init__(self, ticker: Ticker, total: int) -> None:
        self.ticker, self.total, self.done = ticker, total, 0

    def advance(self, visits: int) -> None:
        self.done += visits
        self.ticker.update(self.done / self.total)


def _run_node(inputs: RunInputs, arrays: _Arrays, node_index: int, plist: list[int], n: int,
              progress: _Progress):
    spec = inputs.topology.nodes[node_index]
    parts = []  # (position, rows visited or None for all)
    merged: np.ndarray | None = None
    requests = []  # an LLM server needs each visit's request, for its token counts
    for p in plist:
        arr, owned = arrays.arrival(p)
        visited = np.flatnonzero(~np.isnan(arr)) if np.isnan(arr).any() else None
        if visited is not None:
            arr, owned = arr[visited], True
        parts.append((p, visited, len(arr)))
        if spec.llm is not None:
            requests.append(np.arange(n) if visited is None else visited)
        if merged is not None:
            arr, owned = np.concatenate([merged, arr]), True
        merged = arr
        del arr  # the merged copy is all that is needed now
    if merged is None or len(merged) == 0:
        merged = np.empty(0)
    if not owned:  # the board's own arrival times: service ends will be written over them
        merged = merged.copy()
    order = None
    if len(merged) > 1 and not np.all(merged[1:] >= merged[:-1]):
        order = np.argsort(merged, kind="stable")
        if len(merged) < 2 ** 31:
            order = order.astype(np.int32)
        merged.sort(kind="stable")  # in place: equal to merged[order] without a second array
    acc = NodeAccumulator(spec, inputs.window, inputs.capacities[node_index])
    # Service ends overwrite the arrivals chunk by chunk (each chunk is read before), in arrival
    # order; they are put back in request order at the end. Drops are NaN there.
    reasons = np.zeros(len(merged), dtype=np.int8) if spec.can_drop else None
    history = np.empty(len(merged) if spec.queue_limit >= 0 and spec.llm is None else 0)
    figures = None
    if spec.llm is not None:
        visits = np.concatenate(requests) if requests else np.empty(0, dtype=np.int64)
        figures = serve_llm(inputs, node_index, merged, visits if order is None else visits[order], reasons, acc)
        progress.advance(len(merged))
    elif spec.batching:
        _serve_batches(inputs, node_index, merged, history, reasons, acc, progress)
    else:
        _serve_fifo(inputs, node_index, merged, history, reasons, acc, progress)
    del history
    stats, series = acc.result(), acc.series()
    del acc
    ends = _request_order(merged, order)
    del merged
    drop_times = None
    if spec.can_drop:
        reasons = _request_order(reasons, order)
        dropped = reasons > 0
        drop_times = np.where(dropped, -ends - 1.0, np.nan)
        ends[dropped] = np.nan
    del order
    offset = 0
    for p, visited, count in parts:
        part = slice(offset, offset + count)
        offset += count
        arrays.set_dep(p, ends[part] if visited is None and len(parts) == 1 else _spread(ends[part], visited, n))
        if spec.can_drop and not inputs.topology.positions[p].detached:
            reason_full = np.zeros(n, dtype=np.int8)
            reason_full[slice(None) if visited is None else visited] = reasons[part]
            arrays.drop[p] = (_spread(drop_times[part], visited, n), reason_full)
    return stats, series, figures


def _serve_fifo(inputs: RunInputs, node_index: int, merged: np.ndarray, history: np.ndarray,
                reasons: np.ndarray | None, acc: NodeAccumulator, progress: _Progress) -> None:
    """Serve sorted arrivals one at a time; service ends (drops encoded) overwrite `merged`."""
    spec = inputs.topology.nodes[node_index]
    stream = inputs.streams[node_index]
    free, state = new_state(max(spec.servers, 1))
    for lo in range(0, len(merged), CHUNK):
        hi = min(lo + CHUNK, len(merged))
        arrival = merged[lo:hi]
        if spec.servers == 0:  # a client answers at once
            acc.add(arrival, arrival, arrival, None, busy=False)
            progress.advance(hi - lo)
            continue
        left, end, reason = np.empty(hi - lo), np.empty(hi - lo), np.empty(hi - lo, dtype=np.int8)
        used = fifo_chunk(merged, stream.peek(hi - lo), free, state, lo, hi, spec.queue_limit, spec.timeout_ms,
                          history, left, end, reason)
        stream.advance(used)
        acc.add(arrival, left, end, reason if spec.can_drop else None)
        _settle(merged, lo, end, reason, reasons)
        progress.advance(hi - lo)


def _settle(merged: np.ndarray, lo: int, end: np.ndarray, reason: np.ndarray, reasons: np.ndarray | None) -> None:
    """Write service ends over the arrivals from lo; a drop time is stored as -time - 1."""
    if reasons is not None:
        reasons[lo:lo + len(end)] = reason
        end[reason > 0] = -end[reason > 0] - 1.0
    merged[lo:lo + len(end)] = end


def _serve_batches(inputs: RunInputs, node_index: int, merged: np.ndarray, history: np.ndarray,
                   reasons: np.ndarray | None, acc: NodeAccumulator, progress: _Progress) -> None:
    """Serve sorted arrivals in dynamic batches; service ends (drops encoded) overwrite `merged`."""
    spec = inputs.topology.nodes[node_index]
    m = len(merged)
    free = np.zeros(spec.servers)
    state = np.zeros(5, dtype=np.int64)
    left, end, reason = np.empty(m), np.empty(m), np.zeros(m, dtype=np.int8)
    busy_start, busy_end, sizes = np.empty(m), np.empty(m), np.empty(m, dtype=np.int32)
    policy = spec.batch
    times = np.empty((policy.max_size + 1, BATCH_CHUNK))
    times_pos = np.zeros(policy.max_size + 1, dtype=np.int64)
    times_len = np.zeros(policy.max_size + 1, dtype=np.int64)
    timeout = spec.timeout_ms
    while True:
        before = int(state[0])
        code = batch_loop(merged, free, state, policy.max_size, policy.max_delay_ms, spec.queue_limit, timeout,
                          history, left, end, reason, times, times_pos, times_len, busy_start, busy_end, sizes, CHUNK)
        progress.advance(int(state[0]) - before)
        if code == DONE:
            break
        if code > 0:  # that batch size ran out of pre-drawn times
            times[code] = inputs.batch_stream(node_index, code).take(BATCH_CHUNK)
            times_pos[code], times_len[code] = 0, BATCH_CHUNK
    batches = int(state[4])
    for lo in range(0, m, CHUNK):
        hi = min(lo + CHUNK, m)
        acc.add(merged[lo:hi], left[lo:hi], end[lo:hi], reason[lo:hi] if spec.can_drop else None, busy=False)
    acc.add_busy(busy_start[:batches], busy_end[:batches])
    acc.batch_sizes = sizes[:batches]
    _settle(merged, 0, end, reason, reasons)


def _request_order(values: np.ndarray, order: np.ndarray | None) -> np.ndarray:
    """Values listed in arrival order put back in the order the visits were gathered."""
    if order is None:
        return values
    out = np.empty_like(values)
    out[order] = values
    return out


def _spread(values: np.ndarray, visited: np.ndarray | None, n: int) -> np.ndarray:
    """Values of the visited rows as a full per-request array, NaN elsewhere."""
    if visited is None:
        return values.copy()
    full = np.full(n, np.nan)
    full[visited] = values
    return full
