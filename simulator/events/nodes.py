"""Compiled node mechanics of the event loop: queues, servers, jobs, statistics and capacity changes."""

from __future__ import annotations

import math

import numpy as np

from simulator.events import heap
from simulator.events.layout import (
    EV_END, EV_EXPIRE, EV_WAKE, F_FLAGS, F_FREE, F_GEN, F_JNEXT, F_JOB, F_POS, F_QNEXT, F_QPREV, F_STATE, FF_AFTER,
    FF_ARRIVAL, FF_LEFT, FL_AFTER, FS_FREE, FS_SERVICE, FS_WAITING, G_DIRTY_TOP, G_FFREE, G_FUSED, G_JFREE, G_JUSED, G_NEED_A, G_NEED_B, G_NREPL, G_NWAITS, GF_BUCKET_MS,
    GF_HI, GF_LO, J_FIRST, J_FREE, J_GEN, J_NEXT, J_NODE, J_PREV, J_SIZE, JF_END, JF_START, KIND_SHIFT,
    N_AS, N_BATCH, N_BSLOT, N_CONC, N_NPAUSE, N_PAUSE0, NEED_BATCH, NEED_SERVICE, NF_AFTER, NF_DELAY, NF_TIMEOUT, P_NODE, P_NSYNC, S_ACTIVE, S_BUSY,
    S_DIRTY, S_DOWN, S_JHEAD, S_OUTAGE, S_PENDING, S_QHEAD, S_QTAIL, S_SLOWN, S_TOTAL, S_WAITING, SF_AREA_T,
    SF_BUSY_AREA, SF_CAP_AREA, SF_Q_AREA, SF_REPL_T, SF_SLOW, SF_WAKE_AT, T_BATCH_SUM, T_BATCHES, T_FAILS,
    T_FINISHED, T_OFFERED, T_SERVED, TF_BUSY, TF_QUEUE_AREA, TF_WAIT_SUM,
)
from simulator.buckets import count_into, span_into
from simulator.events.jit import compiled, inlined

NO_WORK, DID_WORK = -1, -2  # dispatch_one's answers besides the NEED_* codes


@inlined
def paused_end(s, node, now, work):  # pragma: no cover - compiled
    """When work of `work` ms started at `now` ends on a node that pauses: each of its pause windows
    [start, end) from now on stops the work, which resumes after it (one started inside a window
    waits for its end). Without pauses, now + work."""
    count = s.NI[node, N_NPAUSE]
    if count == 0:
        return now + work
    first = s.NI[node, N_PAUSE0]
    lo, hi = 0, count  # the first window ending after now
    while lo < hi:
        mid = (lo + hi) // 2
        if s.PW[first + mid, 1] <= now:
            lo = mid + 1
        else:
            hi = mid
    t = now
    for k in range(first + lo, first + count):
        start = s.PW[k, 0]
        if start > t + work:
            break
        if start > t:
            work -= start - t
        t = s.PW[k, 1]
    return t + work


@inlined
def _overlap(start, end, lo, hi):  # pragma: no cover - compiled
    length = min(end, hi) - max(start, lo)
    return length if length > 0.0 else 0.0


@compiled
def visit_settled(s, node, arrival, left, end, reason):  # pragma: no cover - compiled
    """Count one finished visit the way NodeAccumulator counts a visit array (reason 0: served)."""
    GF, NTF, NTI, G = s.GF, s.NTF, s.NTI, s.G
    lo, hi = GF[GF_LO], GF[GF_HI]
    inside = lo <= arrival <= hi
    NTF[node, TF_QUEUE_AREA] += _overlap(arrival, left, lo, hi)
    if inside:
        NTI[node, T_OFFERED] += 1
    if reason == 0:
        if inside:
            wait = left - arrival
            NTI[node, T_SERVED] += 1
            NTF[node, TF_WAIT_SUM] += wait
            if wait > 0.0:
                k = G[G_NWAITS]
                s.WV[k] = np.float32(wait)
                s.WN[k] = node
                G[G_NWAITS] = k + 1
        if lo <= end <= hi:
            NTI[node, T_FINISHED] += 1
    else:
        if inside and end <= hi:
            NTI[node, T_FAILS + reason] += 1
        count_into(s.NB_ERR[node], GF[GF_LO], GF[GF_BUCKET_MS], end, 1.0)


@inlined
def mark_dirty(s, node):  # pragma: no cover - compiled
    """Ask for the node's queue to be looked at before the next event (dispatch, cancellations)."""
    if s.NSI[node, S_DIRTY] == 0:
        s.NSI[node, S_DIRTY] = 1
        top = s.G[G_DIRTY_TOP]
        s.DS[top] = node
        s.G[G_DIRTY_TOP] = top + 1


@inlined
def areas(s, node, now):  # pragma: no cover - compiled
    """Advance an autoscaled node's time integrals (busy and offered servers, queue, replicas) to now."""
    if s.NI[node, N_AS] != 0:  # looked at here, so the nodes that are not autoscaled cost no call
        _advance_areas(s, node, now)


@compiled
def _advance_areas(s, node, now):  # pragma: no cover - compiled
    dt = now - s.NSF[node, SF_AREA_T]
    if dt > 0.0:
        s.NSF[node, SF_BUSY_AREA] += s.NSI[node, S_BUSY] * dt
        s.NSF[node, SF_CAP_AREA] += s.NSI[node, S_TOTAL] * dt
        s.NSF[node, SF_Q_AREA] += s.NSI[node, S_WAITING] * dt
        s.NSF[node, SF_AREA_T] = now
    replicas_until(s, node, now)


@compiled
def replicas_until(s, node, now):  # pragma: no cover - compiled
    """Bill the replicas held (serving or starting) from the last change to now, per bucket."""
    start = s.NSF[node, SF_REPL_T]
    if now > start:
        held = s.NSI[node, S_ACTIVE] + s.NSI[node, S_PENDING]
        span_into(s.NB_REPL[node], s.GF[GF_LO], s.GF[GF_BUCKET_MS], start, now, float(held))
        s.NSF[node, SF_REPL_T] = now


@compiled
def record_replicas(s, node, now):  # pragma: no cover - compiled
    k = s.G[G_NREPL]
    if k < s.RST.shape[0]:
        s.RST[k] = now
        s.RSI[k, 0] = node
        s.RSI[k, 1] = s.NSI[node, S_ACTIVE]
        s.RSI[k, 2] = s.NSI[node, S_PENDING]
        s.G[G_NREPL] = k + 1


@compiled
def set_capacity(s, node, now):  # pragma: no cover - compiled
    """Servers = (serving replicas - lost replicas) x concurrency; work beyond it retires as it ends."""
    areas(s, node, now)
    up = s.NSI[node, S_ACTIVE] - s.NSI[node, S_DOWN]
    s.NSI[node, S_TOTAL] = max(up, 0) * s.NI[node, N_CONC]
    mark_dirty(s, node)


@inlined
def _link(s, node, f, now):  # pragma: no cover - compiled
    """Put a frame at the tail of its node's queue."""
    areas(s, node, now)
    tail = s.NSI[node, S_QTAIL]
    s.FI[f, F_QPREV] = tail
    s.FI[f, F_QNEXT] = -1
    if tail >= 0:
        s.FI[tail, F_QNEXT] = f
    else:
        s.NSI[node, S_QHEAD] = f
    s.NSI[node, S_QTAIL] = f
    s.NSI[node, S_WAITING] += 1
    s.FI[f, F_STATE] = FS_WAITING


@inlined
def enqueue(s, node, f, now):  # pragma: no cover - compiled
    _link(s, node, f, now)
    timeout = s.NF[node, NF_TIMEOUT]
    if timeout < math.inf:
        heap.push(s, now + timeout, EV_EXPIRE << KIND_SHIFT, f, s.FI[f, F_GEN])


@compiled
def enqueue_after(s, node, f, now):  # pragma: no cover - compiled
    """Queue a visit's after-calls part at its node, behind the work already waiting there.

    It is the same request going on, so the queue limit does not refuse it and the node's
    timeout_ms (a wait for a server before the visit starts) does not apply to it.
    """
    s.FI[f, F_FLAGS] |= FL_AFTER
    s.FF[f, FF_ARRIVAL] = now
    _link(s, node, f, now)
    mark_dirty(s, node)


@compiled
def after_settled(s, node, f):  # pragma: no cover - compiled
    """Count an after part's wait in the node's queue area and wait sum (the visit itself was
    counted when its first part ended)."""
    joined, left = s.FF[f, FF_ARRIVAL], s.FF[f, FF_LEFT]
    lo, hi = s.GF[GF_LO], s.GF[GF_HI]
    s.NTF[node, TF_QUEUE_AREA] += _overlap(joined, left, lo, hi)
    if lo <= joined <= hi:
        s.NTF[node, TF_WAIT_SUM] += left - joined


@compiled
def visit_failed(s, node, f, left, now, reason):  # pragma: no cover - compiled
    """A visit ends in failure at its node (a lost replica, an outage): counted once, even when it
    fails in its after part, whose visit was already counted as served."""
    if s.FI[f, F_FLAGS] & FL_AFTER:
        after_settled(s, node, f)
        joined = s.FF[f, FF_ARRIVAL]
        if s.GF[GF_LO] <= joined and now <= s.GF[GF_HI]:
            s.NTI[node, T_FAILS + reason] += 1
        count_into(s.NB_ERR[node], s.GF[GF_LO], s.GF[GF_BUCKET_MS], now, 1.0)
    else:
        visit_settled(s, node, s.FF[f, FF_ARRIVAL], left, now, reason)


@inlined
def unlink(s, node, f, now):  # pragma: no cover - compiled
    """Take a waiting frame out of its node's queue."""
    areas(s, node, now)
    prev, nxt = s.FI[f, F_QPREV], s.FI[f, F_QNEXT]
    if prev >= 0:
        s.FI[prev, F_QNEXT] = nxt
    else:
        s.NSI[node, S_QHEAD] = nxt
    if nxt >= 0:
        s.FI[nxt, F_QPREV] = prev
    else:
        s.NSI[node, S_QTAIL] = prev
    s.NSI[node, S_WAITING] -= 1
    s.FF[f, FF_LEFT] = now


@inlined
def _take_sample(s, node, size):  # pragma: no cover - compiled
    """The next service (size 1) or batch time of the node, or -1.0 after asking Python for more."""
    if size == 1:
        position = s.SVP[node, 0]
        if position >= s.SVP[node, 1]:
            s.G[G_NEED_A], s.G[G_NEED_B] = node, 1
            return -1.0
        s.SVP[node, 0] = position + 1
        return s.SV[node, position]
    slot = s.NI[node, N_BSLOT]
    position = s.BTP[slot, size, 0]
    if position >= s.BTP[slot, size, 1]:
        s.G[G_NEED_A], s.G[G_NEED_B] = node, size
        return -1.0
    s.BTP[slot, size, 0] = position + 1
    return s.BT[slot, size, position]


@inlined
def dispatch_one(s, node, now):  # pragma: no cover - compiled
    """Start one job on a free server if the queue and the batching policy allow it.

    Returns DID_WORK, NO_WORK (nothing to start now), or a NEED_* code when a sample stream ran dry
    (nothing has changed then: Python refills the stream and the same call is made again).
    """
    NSI, NSF, G, JI, JF, FI, NTI = s.NSI, s.NSF, s.G, s.JI, s.JF, s.FI, s.NTI
    waiting = NSI[node, S_WAITING]
    if NSI[node, S_OUTAGE] > 0 or waiting == 0 or NSI[node, S_TOTAL] - NSI[node, S_BUSY] <= 0:
        return NO_WORK
    head = NSI[node, S_QHEAD]
    max_batch = s.NI[node, N_BATCH]
    size = 1
    if max_batch > 1:
        deadline = s.FF[head, FF_ARRIVAL] + s.NF[node, NF_DELAY]
        if waiting < max_batch and now < deadline:
            if deadline != NSF[node, SF_WAKE_AT]:
                NSF[node, SF_WAKE_AT] = deadline
                heap.push(s, deadline, EV_WAKE << KIND_SHIFT, node, 0)
            return NO_WORK
        size = min(max_batch, waiting)
    if FI[head, F_FLAGS] & FL_AFTER:  # a visit's after-calls part (never batched): its time was drawn already
        duration = s.FF[head, FF_AFTER]
    else:
        duration = _take_sample(s, node, size)
        if duration < 0.0:
            return NEED_SERVICE if size == 1 else NEED_BATCH
        share = s.NF[node, NF_AFTER]
        if share > 0.0 and size == 1 and s.PI[FI[head, F_POS], P_NSYNC] > 0:
            after = share * duration  # done when its calls return, queued like any other work then
            s.FF[head, FF_AFTER] = after
            duration -= after
    if NSI[node, S_SLOWN] > 0:
        duration *= NSF[node, SF_SLOW]
    areas(s, node, now)
    j = G[G_JFREE]
    G[G_JFREE] = JI[j, J_FREE]
    G[G_JUSED] += 1
    JI[j, J_NODE], JI[j, J_SIZE] = node, size
    JF[j, JF_START], JF[j, JF_END] = now, paused_end(s, node, now, duration)
    last = -1
    for _ in range(size):
        f = NSI[node, S_QHEAD]
        unlink(s, node, f, now)
        FI[f, F_STATE] = FS_SERVICE
        FI[f, F_JOB] = j
        FI[f, F_JNEXT] = -1
        if last < 0:
            JI[j, J_FIRST] = f
        else:
            FI[last, F_JNEXT] = f
        last = f
    NSI[node, S_BUSY] += 1
    first = NSI[node, S_JHEAD]  # the node's running jobs, newest first
    JI[j, J_PREV], JI[j, J_NEXT] = -1, first
    if first >= 0:
        JI[first, J_PREV] = j
    NSI[node, S_JHEAD] = j
    if max_batch > 1:
        NTI[node, T_BATCHES] += 1
        NTI[node, T_BATCH_SUM] += size
    heap.push(s, JF[j, JF_END], EV_END << KIND_SHIFT, j, JI[j, J_GEN])
    return DID_WORK


@inlined
def job_done(s, j, now):  # pragma: no cover - compiled
    """Free a job's server and record its busy time; its frames are the caller's to settle."""
    node = s.JI[j, J_NODE]
    areas(s, node, now)
    s.NSI[node, S_BUSY] -= 1
    prev, nxt = s.JI[j, J_PREV], s.JI[j, J_NEXT]
    if prev >= 0:
        s.JI[prev, J_NEXT] = nxt
    else:
        s.NSI[node, S_JHEAD] = nxt
    if nxt >= 0:
        s.JI[nxt, J_PREV] = prev
    start = s.JF[j, JF_START]
    s.NTF[node, TF_BUSY] += _overlap(start, now, s.GF[GF_LO], s.GF[GF_HI])
    count_into(s.NB_BUSY[node], s.GF[GF_LO], s.GF[GF_BUCKET_MS], start, now - start)


@inlined
def release_job(s, j):  # pragma: no cover - compiled
    s.JI[j, J_GEN] += 1  # its END event, still queued when the job is cancelled, is then ignored
    s.JI[j, J_FREE] = s.G[G_JFREE]
    s.G[G_JFREE] = j
    s.G[G_JUSED] -= 1


@inlined
def node_of(s, f):  # pragma: no cover - compiled
    return s.PI[s.FI[f, F_POS], P_NODE]


@inlined
def release_frame(s, f):  # pragma: no cover - compiled
    s.FI[f, F_GEN] += 1
    s.FI[f, F_STATE] = FS_FREE
    s.FI[f, F_FREE] = s.G[G_FFREE]
    s.G[G_FFREE] = f
    s.G[G_FUSED] -= 1
