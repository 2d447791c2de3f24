"""Dynamic batching of a model server, as Triton's dynamic batcher does it, for both engines.

The policy: batches form in FIFO order. A free replica takes the waiting requests into one batch
of at most `max_batch_size`; while fewer are waiting it waits, but never longer than
`max_batch_delay_ms` after the oldest waiting request arrived. So with its earliest free replica
free at f and the oldest waiting request arrived at a, a batch is dispatched at
t = max(f, min(a + delay, arrival of the max_batch_size-th request)) and takes every request
arrived by t, up to max_batch_size.

`BatchPolicy` is that rule for the event loop (engine.py), one decision per event. `batch_loop` is
the same rule compiled for the fast path (fastpath.py), over a node's sorted arrivals, including
which of several requests arriving at the same instant (the members of one upstream batch) join.
Admission (queue_limit) is decided at each arrival from the requests still waiting then; the
oldest request times out instead if t - a exceeds the timeout, and the batch is formed again from
the next. How long a batch of a given size takes is not decided here: it comes from the node's
batch timer (simulator/models/timer.py: measured profiles, or the default from service_time).
In `batch_loop` those times are read from a table of pre-drawn times per batch size; when a size
runs out the loop returns that size so the caller can refill it and call again (nothing is
committed for an unfinished batch).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from simulator.fifo import QUEUE_FULL, TIMEOUT, njit, replace_root


@dataclass(frozen=True)
class BatchPolicy:
    """Triton's two settings: the largest batch and the longest a batch may wait to fill."""

    max_size: int
    max_delay_ms: float

    def wait_until(self, now: float, oldest_arrival: float, waiting: int) -> float | None:
        """When a free replica should look again instead of dispatching now; None to dispatch now."""
        deadline = oldest_arrival + self.max_delay_ms
        if waiting < self.max_size and now < deadline:
            return deadline
        return None

    def size(self, waiting: int) -> int:
        """How many of the waiting requests a batch dispatched now takes."""
        return min(self.max_size, waiting)


DONE, PAUSE = 0, -1  # return codes; a positive code is a batch size that needs more times


@njit(cache=True, nogil=True)
def batch_loop(arrival, free, state, max_batch, delay, queue_limit, timeout, history, left, end, reason,
               times, times_pos, times_len, busy_start, busy_end, sizes, pause_every):  # pragma: no cover
    """Run batches until all visits are settled (DONE), a size needs times (that size), or a pause.

    state: [next unsettled visit, head, queue-full drops, those before head, batches so far].
    """
    m = arrival.shape[0]
    i, head, drops, drops_before_head, nb = state[0], state[1], state[2], state[3], state[4]
    bounded = queue_limit >= 0
    start_i = i
    code = DONE
    while i < m:
        if i - start_i >= pause_every:
            code = PAUSE
            break
        f = free[0]
        a_i = arrival[i]
        if bounded:
            while head < i and history[head] <= a_i:
                if history[head] == -np.inf:
                    drops_before_head += 1
                head += 1
        # The oldest unsettled request: dropped at once if every replica is busy and the room is full.
        if bounded and f > a_i and (i - head) - (drops - drops_before_head) >= queue_limit:
            left[i] = a_i
            end[i] = a_i
            reason[i] = QUEUE_FULL
            history[i] = -np.inf
            drops += 1
            i += 1
            continue
        # Scan the requests that could join its batch, deciding admission at each arrival.
        horizon = max(f, a_i + delay)
        count = 1
        full_at = a_i if max_batch == 1 else np.inf
        k = i + 1
        h = head
        dbh = drops_before_head
        while k < m and count < max_batch and arrival[k] <= horizon:
            a = arrival[k]
            reason[k] = 0
            if bounded and f > a:
                while h < i and history[h] <= a:
                    if history[h] == -np.inf:
                        dbh += 1
                    h += 1
                if (i - h) - (drops - dbh) + count >= queue_limit:
                    reason[k] = QUEUE_FULL
                    k += 1
                    continue
            count += 1
            if count == max_batch:
                full_at = a
            k += 1
        t = max(f, min(a_i + delay, full_at))
        if t - a_i > timeout:
            left[i] = a_i + timeout
            end[i] = a_i + timeout
            reason[i] = TIMEOUT
            if bounded:
                history[i] = a_i + timeout
            i += 1
            continue
        # Which requests arriving exactly at t join follows the event order at t: a replica freed
        # at t dispatches before those arrivals; with no delay, the oldest's own arrival
        # dispatches it alone; a full batch or an expired delay takes everything up to t.
        alone = delay == 0 and f <= a_i
        strict = f > a_i and f >= min(a_i + delay, full_at)
        size = 1
        last = i
        for j in range(i + 1, k if not alone else i + 1):
            if arrival[j] > t or (strict and arrival[j] >= t):
                break
            last = j
            if reason[j] == 0:
                size += 1
        if times_pos[size] >= times_len[size]:
            code = size
            break
        duration = times[size, times_pos[size]]
        times_pos[size] += 1
        finish = t + duration
        for j in range(i, last + 1):
            if j > i and reason[j] == QUEUE_FULL:
                left[j] = arrival[j]
                end[j] = arrival[j]
                if bounded:
                    history[j] = -np.inf
                drops += 1
            else:
                reason[j] = 0
                left[j] = t
                end[j] = finish
                if bounded:
                    history[j] = t
        busy_start[nb] = t
        busy_end[nb] = finish
        sizes[nb] = size
        nb += 1
        i = last + 1
        replace_root(free, finish)  # the replica just used is busy until the batch ends
    state[0], state[1], state[2], state[3], state[4] = i, head, drops, drops_before_head, nb
    return code
