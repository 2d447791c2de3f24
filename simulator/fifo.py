"""The compiled inner loop of the fast path: a multi-server FIFO queue over sorted arrival times.

Each visit starts at max(arrival, earliest server free time) (a heap of server free times, a
Lindley-type recursion generalised to c servers), unless the waiting room is full (dropped as
queue_full) or it would wait longer than the timeout (dropped as timeout at arrival + timeout;
it never takes a server, so later visits are unaffected). With a bounded queue the number
waiting when a visit arrives is counted with a pointer into `history` (when each earlier visit
left the waiting room), because in a FIFO queue those times never decrease in arrival order;
visits dropped at a full queue are marked -inf there and counted apart.
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
def replace_root(free, value):  # pragma: no cover - compiled
    """Replace the smallest server free time in the min-heap `free` with value and sift down."""
    servers = free.shape[0]
    pos = 0
    while True:
        child = 2 * pos + 1
        if child >= servers:
            break
        if child + 1 < servers and free[child + 1] < free[child]:
            child += 1
        if free[child] >= value:
            break
        free[pos] = free[child]
        pos = child
    free[pos] = value


@njit(cache=True, nogil=True)
def fifo_chunk(arrival, service, free, state, lo, hi, queue_limit, timeout,
               history, left, end, reason):  # pragma: no cover - compiled
    """Serve visits lo..hi-1 into left/end/reason[0:hi-lo]; return how many service samples were used.

    free: min-heap of server free times, and state: [head, drops, drops before head], both kept
    between chunks. left: when each visit left the waiting room (its start, its timeout, or its
    arrival when dropped at a full queue). end: service end, or the drop time.
    """
    head, drops, drops_before_head = state[0], state[1], state[2]
    bounded = queue_limit >= 0
    used = 0
    for i in range(lo, hi):
        j = i - lo
        a = arrival[i]
        earliest = free[0]
        start = a
        reason[j] = 0
        if earliest > a:
            if bounded:
                while head < i and history[head] <= a:
                    if history[head] == -np.inf:
                        drops_before_head += 1
                    head += 1
                if (i - head) - (drops - drops_before_head) >= queue_limit:
                    left[j] = a
                    end[j] = a
                    reason[j] = QUEUE_FULL
                    history[i] = -np.inf
                    drops += 1
                    continue
            if earliest - a > timeout:
                left[j] = a + timeout
                end[j] = a + timeout
                reason[j] = TIMEOUT
                if bounded:
                    history[i] = a + timeout
                continue
            start = earliest
        finish = start + service[used]
        used += 1
        left[j] = start
        end[j] = finish
        if bounded:
            history[i] = start
        replace_root(free, finish)  # the server just taken is busy until finish
    state[0], state[1], state[2] = head, drops, drops_before_head
    return used


def new_state(servers: int) -> tuple[np.ndarray, np.ndarray]:
    """Server free times (all free at 0) and the queue-pointer state of an empty node."""
    return np.zeros(servers), np.zeros(3, dtype=np.int64)
