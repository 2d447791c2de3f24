"""The compiled event queue: a binary min-heap of (time, key) with two payload words.

The key orders events at equal times: the kind first (simulator/events/layout.py), then, for
arrivals, the call-tree position and the request (the order in which the fast path merges a
node's arrivals), for an LLM replica's step its replica, and for every other kind the order of
pushing. Both fit in one int64, so a
comparison is two loads and the heap moves four flat arrays. Events for the current instant (a
call over an edge without latency) go to a small "now" bucket kept sorted by key instead: the same
order of events, without the heap's cost for the commonest push.
"""

from __future__ import annotations

from simulator.events.layout import EV_ARRIVE, EV_LLM_STEP, G_HSIZE, G_NOWN, G_SEQ, GF_NOW, KIND_SHIFT
from simulator.events.jit import inlined

TIE_MASK = (1 << KIND_SHIFT) - 1


@inlined
def push(s, time, key, a, b):  # pragma: no cover - compiled
    """Add an event; an event other than an arrival or an LLM step is keyed by its kind and the order of pushing."""
    ht, hk, ha, hb, g = s.HT, s.HK, s.HPA, s.HPB, s.G
    kind = key >> KIND_SHIFT
    if kind != EV_ARRIVE and kind != EV_LLM_STEP:
        key |= g[G_SEQ] & TIE_MASK
        g[G_SEQ] += 1
    if time == s.GF[GF_NOW]:
        _now_insert(s, key, a, b)
        return
    i = g[G_HSIZE]
    g[G_HSIZE] = i + 1
    while i > 0:
        parent = (i - 1) >> 1
        pt = ht[parent]
        if pt < time or (pt == time and hk[parent] < key):
            break
        ht[i], hk[i], ha[i], hb[i] = pt, hk[parent], ha[parent], hb[parent]
        i = parent
    ht[i], hk[i], ha[i], hb[i] = time, key, a, b


@inlined
def pop(s):  # pragma: no cover - compiled
    """Remove the earliest event; return (time, key, a, b)."""
    ht, hk, ha, hb, g = s.HT, s.HK, s.HPA, s.HPB, s.G
    time, key, a, b = ht[0], hk[0], ha[0], hb[0]
    n = g[G_HSIZE] - 1
    g[G_HSIZE] = n
    if n > 0:
        lt, lk, la, lb = ht[n], hk[n], ha[n], hb[n]
        i = 0
        while True:
            child = 2 * i + 1
            if child >= n:
                break
            ct, ck = ht[child], hk[child]
            right = child + 1
            if right < n:
                rt, rk = ht[right], hk[right]
                if rt < ct or (rt == ct and rk < ck):
                    child, ct, ck = right, rt, rk
            if lt < ct or (lt == ct and lk < ck):
                break
            ht[i], hk[i], ha[i], hb[i] = ct, ck, ha[child], hb[child]
            i = child
        ht[i], hk[i], ha[i], hb[i] = lt, lk, la, lb
    return time, key, a, b


@inlined
def _now_insert(s, key, a, b):  # pragma: no cover - compiled
    """Insert into the now bucket, kept sorted by decreasing key so the next event is the last."""
    nk, na, nb, g = s.NWK, s.NWA, s.NWB, s.G
    i = g[G_NOWN]
    g[G_NOWN] = i + 1
    while i > 0 and nk[i - 1] < key:
        nk[i], na[i], nb[i] = nk[i - 1], na[i - 1], nb[i - 1]
        i -= 1
    nk[i], na[i], nb[i] = key, a, b


@inlined
def now_pop(s):  # pragma: no cover - compiled
    """Remove the now bucket's next event; return (key, a, b)."""
    i = s.G[G_NOWN] - 1
    s.G[G_NOWN] = i
    return s.NWK[i], s.NWA[i], s.NWB[i]
