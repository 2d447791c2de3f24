"""The compiled event queue: a binary min-heap ordered by (time, key, sequence number)."""

from __future__ import annotations

from simulator.events.layout import G_HSIZE, G_SEQ, K_A, K_B, K_KEY, K_SEQ
from simulator.fifo import njit


@njit(cache=True, nogil=True, inline="always")
def _before(t1, k1, q1, t2, k2, q2):  # pragma: no cover - compiled
    return t1 < t2 or (t1 == t2 and (k1 < k2 or (k1 == k2 and q1 < q2)))


@njit(cache=True, nogil=True)
def push(s, time, key, a, b):  # pragma: no cover - compiled
    """Add an event; ties in time and key are broken by the order of pushing (FIFO)."""
    ht, hk, g = s.HT, s.HK, s.G
    seq = g[G_SEQ]
    g[G_SEQ] = seq + 1
    i = g[G_HSIZE]
    g[G_HSIZE] = i + 1
    while i > 0:
        parent = (i - 1) >> 1
        if not _before(time, key, seq, ht[parent], hk[parent, K_KEY], hk[parent, K_SEQ]):
            break
        ht[i] = ht[parent]
        hk[i, K_KEY], hk[i, K_SEQ], hk[i, K_A], hk[i, K_B] = \
            hk[parent, K_KEY], hk[parent, K_SEQ], hk[parent, K_A], hk[parent, K_B]
        i = parent
    ht[i] = time
    hk[i, K_KEY], hk[i, K_SEQ], hk[i, K_A], hk[i, K_B] = key, seq, a, b


@njit(cache=True, nogil=True)
def pop(s):  # pragma: no cover - compiled
    """Remove the earliest event; return (time, key, a, b)."""
    ht, hk, g = s.HT, s.HK, s.G
    time, key, a, b = ht[0], hk[0, K_KEY], hk[0, K_A], hk[0, K_B]
    n = g[G_HSIZE] - 1
    g[G_HSIZE] = n
    if n > 0:
        lt, lk, lq, la, lb = ht[n], hk[n, K_KEY], hk[n, K_SEQ], hk[n, K_A], hk[n, K_B]
        i = 0
        while True:
            child = 2 * i + 1
            if child >= n:
                break
            if child + 1 < n and _before(ht[child + 1], hk[child + 1, K_KEY], hk[child + 1, K_SEQ],
                                         ht[child], hk[child, K_KEY], hk[child, K_SEQ]):
                child += 1
            if not _before(ht[child], hk[child, K_KEY], hk[child, K_SEQ], lt, lk, lq):
                break
            ht[i] = ht[child]
            hk[i, K_KEY], hk[i, K_SEQ], hk[i, K_A], hk[i, K_B] = \
                hk[child, K_KEY], hk[child, K_SEQ], hk[child, K_A], hk[child, K_B]
            i = child
        ht[i] = lt
        hk[i, K_KEY], hk[i, K_SEQ], hk[i, K_A], hk[i, K_B] = lk, lq, la, lb
    return time, key, a, b
