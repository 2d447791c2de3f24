"""The compiled inner loop of the fast path: a multi-server FIFO queue over sorted arrival times.

Each visit starts at max(arrival, earliest server free time) (a heap of server free times, a
Lindley-type recursion generalised to c servers), unless the waiting room is full (dropped as
queue_full) or it would wait longer than the timeout (dropped as timeout at arrival + timeout;
it never takes a server, so later visits are unaffected). The number waiting when a visit
arrives is counted with a pointer, because in a FIFO queue the times at which admitted visits
leave the waiting room never decrease in arrival order.
"""

from __future__ import annotations

import numpy as np

try:
    from numba import njit
except ImportError:  # the same loop runs as plain Python, only slower
    def njit(*args, **kwargs):
        return lambda function: function

QUEUE_FULL, TIMEOUT = 1, 2


@njit(cache=True, nogil=True)
def fifo_chunk(arrival, service, free, state, lo, hi, queue_limit, timeout, left, end, reason):  # pragma: no cover
    """Serve visits lo..hi-1; return how many service samples were used.

    free: min-heap of server free times (kept between chunks). state: [head, drops, drops before
    head] (kept between chunks). left: when each visit left the waiting room (its start, its
    timeout, or its arrival when dropped at a full queue). end: service end or drop time.
    """
    servers = free.shape[0]
    head, drops, drops_before_head = state[0], state[1], state[2]
    used = 0
    for i in range(lo, hi):
        a = arrival[i]
        while head < i and left[head] <= a:
            if reason[head] == QUEUE_FULL:
                drops_before_head += 1
            head += 1
        earliest = free[0]
        start = a
        if earliest > a:
            waiting = (i - head) - (drops - drops_before_head)
            if queue_limit >= 0 and waiting >= queue_limit:
                left[i] = a
                end[i] = a
                reason[i] = QUEUE_FULL
                drops += 1
                continue
            if earliest - a > timeout:
                left[i] = a + timeout
                end[i] = a + timeout
                reason[i] = TIMEOUT
                continue
            start = earliest
        finish = start + service[used]
        used += 1
        left[i] = start
        end[i] = finish
        reason[i] = 0
        # Replace the heap's root (the server just taken) with its new free time and sift down.
        pos = 0
        while True:
            child = 2 * pos + 1
            if child >= servers:
                break
            if child + 1 < servers and free[child + 1] < free[child]:
                child += 1
            if free[child] >= finish:
                break
            free[pos] = free[child]
            pos = child
        free[pos] = finish
    state[0], state[1], state[2] = head, drops, drops_before_head
    return used


def new_state(servers: int) -> tuple[np.ndarray, np.ndarray]:
    return np.zeros(servers), np.zeros(3, dtype=np.int64)
