"""The compiled event loop: one event per arrival, service end, timeout, retry, fault and scaling step.

`run(state, pause_every, headroom)` processes events in time order until the run is over (DONE),
until it has processed `pause_every` events (PAUSE, so Python can report progress and poll for
cancellation), until a table needs more room (GROW) or a sample stream needs refilling (NEED_*).
It only ever stops between two steps, so calling it again carries on exactly where it was. Before
each event, nodes marked dirty by the last one get their queue looked at (a dispatch, or the
cancellations a fault asked for): one job at a time, as the Python loop did after each event.
"""

from __future__ import annotations

import math

from simulator.events import heap
from simulator.events.calls import after_served, attempt_timed_out, drain_notes, fail_frame, frame_served, new_frame, \
    retry_due
from simulator.events.layout import (
    DONE, EV_ARRIVE, EV_AUTOSCALE, EV_CALL_TIMEOUT, EV_END, EV_EXPIRE, EV_FAULT, EV_LLM_STEP, EV_PROVISION, EV_RETRY,
    EV_UNREACHABLE, EV_WAKE, F_FLAGS, F_GEN, F_JNEXT, F_POS, F_STATE, FF_ARRIVAL, FF_LEFT, FL_AFTER, FS_WAITING, FT_ACTIVE,
    FT_CACHE_FLUSH, FT_ERROR_RATE, FT_LATENCY_SPIKE, FT_OUTAGE, FT_PARTITION, FT_REPLICAS_DOWN, FT_SLOWDOWN,
    FT_TARGET, FT_TYPE, FTF_AT, FTF_END, FTF_PARAM, G_CUSED, G_DIRTY_TOP, G_EVENTS, G_FUSED, G_HSIZE, G_JUSED, G_NFIG, G_NOTE_TAIL, G_NOWN, G_SUSED, G_NEXT_ARRIVAL,
    G_NWAITS, GF_HI, GF_NOW, GROW, J_FIRST, J_GEN, J_NODE, KIND_SHIFT, METRIC_UTILIZATION, N_AS, N_AS_MAX,
    N_AS_METRIC, N_AS_MIN, N_LLM, N_QLIMIT, N_RL, N_SOURCE, NF_AS_DOWNCD, NF_AS_EVAL, NF_AS_PROV, NF_AS_TARGET,
    NF_AS_UPCD, NF_RL_BURST, NF_RL_RATE, P_NODE, PAUSE, POS_SHIFT, S_ACTIVE, S_BUSY, S_CANCEL, S_CANCEL_REASON,
    S_DIRTY, S_DOWN, S_DRAIN, S_ERRN, S_JHEAD, S_OUTAGE, S_PENDING, S_QHEAD, S_SLOWN, S_TOTAL, S_WAITING,
    SF_BUSY_AREA, SF_CAP_AREA, SF_ERRKEEP, SF_LAST_DOWN, SF_LAST_UP, SF_Q_AREA, SF_RL_LAST, SF_SLOW,
    SF_TOKENS, ES_PARTITION, ESF_ADDED,
)
from simulator.events.llm import arrive as llm_arrive
from simulator.events.llm import drain_one as llm_drain_one
from simulator.events.llm import step_end as llm_step_end
from simulator.events.nodes import (
    DID_WORK, NO_WORK, after_settled, areas, dispatch_one, enqueue, job_done, mark_dirty, record_replicas,
    release_job, set_capacity, unlink, visit_failed, visit_settled,
)
from simulator.events.rng import uniform
from simulator.events.jit import compiled, inlined
from simulator.fifo import njit
from simulator.reasons import COMPLETED, ERROR, QUEUE_FULL, RATE_LIMITED, REPLICA_LOST, TIMEOUT, UNAVAILABLE, \
    UNREACHABLE, CALL_TIMEOUT

SCALING_TOLERANCE = 0.1  # Kubernetes' horizontal autoscaler leaves the count alone within 10% of the target


@inlined
def _dispatch(s, node, now):  # pragma: no cover - compiled
    """Start what the node can start now, as the event that freed or queued work ends; should a
    sample stream run dry, leave the rest to the loop, which refills it first."""
    while True:
        code = dispatch_one(s, node, now)
        if code == NO_WORK:
            return
        if code != DID_WORK:
            mark_dirty(s, node)
            return


@compiled
def _arrive(s, f, now):  # pragma: no cover - compiled
    NI, FF, NSI, NF, NSF = s.NI, s.FF, s.NSI, s.NF, s.NSF
    node = s.PI[s.FI[f, F_POS], P_NODE]
    if NI[node, N_SOURCE]:
        visit_settled(s, node, now, now, now, COMPLETED)  # a source's visit is counted, as the fast path counts it
        frame_served(s, f, now)
        return
    FF[f, FF_ARRIVAL] = now
    FF[f, FF_LEFT] = now
    if NSI[node, S_OUTAGE] > 0:
        visit_settled(s, node, now, now, now, UNAVAILABLE)
        fail_frame(s, f, UNAVAILABLE)
        return
    if NI[node, N_RL]:
        tokens = min(NF[node, NF_RL_BURST], NSF[node, SF_TOKENS] + (now - NSF[node, SF_RL_LAST])
                     * NF[node, NF_RL_RATE])
        NSF[node, SF_RL_LAST] = now
        if tokens < 1.0:
            NSF[node, SF_TOKENS] = tokens
            visit_settled(s, node, now, now, now, RATE_LIMITED)
            fail_frame(s, f, RATE_LIMITED)
            return
        NSF[node, SF_TOKENS] = tokens - 1.0
    if NI[node, N_LLM] >= 0:
        llm_arrive(s, node, f, now)
        return
    limit = NI[node, N_QLIMIT]
    if NSI[node, S_TOTAL] - NSI[node, S_BUSY] <= 0 and 0 <= limit <= NSI[node, S_WAITING]:
        visit_settled(s, node, now, now, now, QUEUE_FULL)
        fail_frame(s, f, QUEUE_FULL)
        return
    enqueue(s, node, f, now)
    _dispatch(s, node, now)


@compiled
def _end(s, j, gen, now):  # pragma: no cover - compiled
    JI, FF = s.JI, s.FF
    if JI[j, J_GEN] != gen:
        return  # cancelled by a fault
    node = JI[j, J_NODE]
    job_done(s, j, now)
    f = JI[j, J_FIRST]
    if s.FI[f, F_FLAGS] & FL_AFTER:  # a visit's after-calls part (alone in its job): the visit answers
        after_settled(s, node, f)
        after_served(s, f)
        release_job(s, j)
        _dispatch(s, node, now)
        return
    erring = s.NSI[node, S_ERRN] > 0
    rate = 1.0 - s.NSF[node, SF_ERRKEEP]
    errors_row = s.EI.shape[0] + node
    while f >= 0:
        nxt = s.FI[f, F_JNEXT]
        if erring and uniform(s.RNG, errors_row) < rate:
            visit_settled(s, node, FF[f, FF_ARRIVAL], FF[f, FF_LEFT], now, ERROR)
            fail_frame(s, f, ERROR)
        else:
            visit_settled(s, node, FF[f, FF_ARRIVAL], FF[f, FF_LEFT], now, COMPLETED)
            frame_served(s, f, now)
        f = nxt
    release_job(s, j)
    _dispatch(s, node, now)


@compiled
def _expire(s, f, gen, now):  # pragma: no cover - compiled
    if s.FI[f, F_GEN] != gen or s.FI[f, F_STATE] != FS_WAITING or s.FI[f, F_FLAGS] & FL_AFTER:
        return  # an after part is the visit going on, not a wait for its start
    node = s.PI[s.FI[f, F_POS], P_NODE]
    unlink(s, node, f, now)
    visit_settled(s, node, s.FF[f, FF_ARRIVAL], now, now, TIMEOUT)
    fail_frame(s, f, TIMEOUT)


@compiled
def _node_work(s, node, now):  # pragma: no cover - compiled
    """One unit of a dirty node's pending work: a cancelled job, a drained visit, or a dispatch."""
    if s.NSI[node, S_CANCEL] > 0:
        j = s.NSI[node, S_JHEAD]
        if j < 0:
            s.NSI[node, S_CANCEL] = 0
            return DID_WORK
        reason = s.NSI[node, S_CANCEL_REASON]
        job_done(s, j, now)
        f = s.JI[j, J_FIRST]
        while f >= 0:
            nxt = s.FI[f, F_JNEXT]
            visit_failed(s, node, f, s.FF[f, FF_LEFT], now, reason)
            fail_frame(s, f, reason)
            f = nxt
        release_job(s, j)
        s.NSI[node, S_CANCEL] -= 1
        return DID_WORK
    if s.NSI[node, S_DRAIN] > 0:
        if s.NI[node, N_LLM] >= 0:
            if llm_drain_one(s, node, s.NSI[node, S_DRAIN], now):
                return DID_WORK
            s.NSI[node, S_DRAIN] = 0
            return NO_WORK
        if s.NSI[node, S_WAITING] > 0:
            f = s.NSI[node, S_QHEAD]
            unlink(s, node, f, now)
            visit_failed(s, node, f, now, now, s.NSI[node, S_DRAIN])
            fail_frame(s, f, s.NSI[node, S_DRAIN])
            return DID_WORK
        s.NSI[node, S_DRAIN] = 0
    return dispatch_one(s, node, now)


@compiled
def _active_faults(s, kind, target):  # pragma: no cover - compiled
    """(count, product of 1 - parameter, product of parameter, sum of parameter) over the active faults."""
    count = 0
    keep = 1.0
    product = 1.0
    total = 0.0
    for i in range(s.FTI.shape[0]):
        if s.FTI[i, FT_ACTIVE] and s.FTI[i, FT_TYPE] == kind and s.FTI[i, FT_TARGET] == target:
            value = s.FTF[i, FTF_PARAM]
            count += 1
            keep *= 1.0 - value
            product *= value
            total += value
    return count, keep, product, total


@compiled
def _fault(s, i, phase, now):  # pragma: no cover - compiled
    """A fault starts (phase 0) or ends (phase 1)."""
    kind, target = s.FTI[i, FT_TYPE], s.FTI[i, FT_TARGET]
    starting = phase == 0
    s.FTI[i, FT_ACTIVE] = 1 if starting else 0
    if kind == FT_REPLICAS_DOWN:
        lost = int(s.FTF[i, FTF_PARAM])
        s.NSI[target, S_DOWN] += lost if starting else -lost
        set_capacity(s, target, now)
        excess = s.NSI[target, S_BUSY] - s.NSI[target, S_TOTAL]
        if starting and excess > 0:
            s.NSI[target, S_CANCEL] += excess
            s.NSI[target, S_CANCEL_REASON] = REPLICA_LOST
    elif kind == FT_OUTAGE:
        s.NSI[target, S_OUTAGE] += 1 if starting else -1
        if starting:
            s.NSI[target, S_CANCEL] = s.NSI[target, S_BUSY]
            s.NSI[target, S_CANCEL_REASON] = UNAVAILABLE
            s.NSI[target, S_DRAIN] = UNAVAILABLE
        mark_dirty(s, target)
    elif kind == FT_SLOWDOWN:
        count, keep, product, total = _active_faults(s, kind, target)
        s.NSI[target, S_SLOWN] = count
        s.NSF[target, SF_SLOW] = product if count else 1.0
    elif kind == FT_ERROR_RATE:
        count, keep, product, total = _active_faults(s, kind, target)
        s.NSI[target, S_ERRN] = count
        s.NSF[target, SF_ERRKEEP] = keep if count else 1.0
    elif kind == FT_LATENCY_SPIKE:
        count, keep, product, total = _active_faults(s, kind, target)
        s.ESF[target, ESF_ADDED] = total if count else 0.0
    elif kind == FT_PARTITION:
        count, keep, product, total = _active_faults(s, kind, target)
        s.ESI[target, ES_PARTITION] = count
    # FT_CACHE_FLUSH: the hit rate is read from the fault's window when a visit asks for it.
    if kind == FT_CACHE_FLUSH:
        return


@compiled
def _autoscale(s, node, now):  # pragma: no cover - compiled
    """One look at the metric: replicas x metric / target, within the bounds and after the cooldowns."""
    areas(s, node, now)
    interval = s.NF[node, NF_AS_EVAL]
    active, pending = s.NSI[node, S_ACTIVE], s.NSI[node, S_PENDING]
    if s.NI[node, N_AS_METRIC] == METRIC_UTILIZATION:
        offered = s.NSF[node, SF_CAP_AREA]
        metric = s.NSF[node, SF_BUSY_AREA] / offered if offered > 0.0 else (1.0 if s.NSI[node, S_WAITING] else 0.0)
    else:
        metric = s.NSF[node, SF_Q_AREA] / interval / max(active, 1)
    s.NSF[node, SF_BUSY_AREA] = 0.0
    s.NSF[node, SF_CAP_AREA] = 0.0
    s.NSF[node, SF_Q_AREA] = 0.0
    ratio = metric / s.NF[node, NF_AS_TARGET]
    if abs(ratio - 1.0) > SCALING_TOLERANCE:
        desired = min(max(int(math.ceil(active * ratio)), s.NI[node, N_AS_MIN]), s.NI[node, N_AS_MAX])
        held = active + pending
        if desired > held and now - s.NSF[node, SF_LAST_UP] >= s.NF[node, NF_AS_UPCD]:
            s.NSI[node, S_PENDING] = pending + desired - held
            s.NSF[node, SF_LAST_UP] = now
            heap.push(s, now + s.NF[node, NF_AS_PROV], EV_PROVISION << KIND_SHIFT, node, desired - held)
            record_replicas(s, node, now)
        elif desired < active and pending == 0 and now - s.NSF[node, SF_LAST_DOWN] >= s.NF[node, NF_AS_DOWNCD]:
            s.NSI[node, S_ACTIVE] = desired  # idle servers go now; busy ones retire when their work ends
            s.NSF[node, SF_LAST_DOWN] = now
            set_capacity(s, node, now)
            record_replicas(s, node, now)
    following = now + interval
    if following <= s.GF[GF_HI]:
        heap.push(s, following, EV_AUTOSCALE << KIND_SHIFT, node, 0)


@compiled
def _provisioned(s, node, count, now):  # pragma: no cover - compiled
    areas(s, node, now)
    s.NSI[node, S_PENDING] -= count
    s.NSI[node, S_ACTIVE] += count
    set_capacity(s, node, now)
    record_replicas(s, node, now)


@compiled
def _unmark(s, node):  # pragma: no cover - compiled
    s.NSI[node, S_DIRTY] = 0
    top = s.G[G_DIRTY_TOP]
    for k in range(top - 1, -1, -1):
        if s.DS[k] == node:
            s.DS[k] = s.DS[top - 1]
            break
    s.G[G_DIRTY_TOP] = top - 1


@njit(cache=True, nogil=True)
def run(s, pause_every, headroom):  # pragma: no cover - compiled
    """Process events until DONE, PAUSE, GROW or a NEED_* code (the module's docstring says when)."""
    return _run(s, pause_every, headroom)  # what Python calls counts references; _run (jit.py) does not


@compiled
def _run(s, pause_every, headroom):  # pragma: no cover - compiled
    n = s.ARR.shape[0]
    several_entries = s.ENTRY.shape[0] > 0
    events = 0
    steps_left = 0  # steps that may run before the tables' free rows are counted again
    while True:
        if steps_left == 0:
            # A step (an event or a unit of node work) takes at most `headroom` rows of any table,
            # so with R rows free the next R // headroom steps cannot run out.
            room = min(s.HT.shape[0] - s.G[G_HSIZE], s.FI.shape[0] - s.G[G_FUSED], s.NWK.shape[0] - s.G[G_NOWN],
                       s.LSQ.shape[0] - s.G[G_SUSED], s.LFIG.shape[0] - s.G[G_NFIG],
                       s.CI.shape[0] - s.G[G_CUSED], s.JI.shape[0] - s.G[G_JUSED],
                       s.WV.shape[0] - s.G[G_NWAITS])
            if room < headroom:
                s.G[G_EVENTS] += events
                return GROW
            steps_left = room // headroom
        steps_left -= 1
        now = s.GF[GF_NOW]
        top = s.G[G_DIRTY_TOP]
        if top > 0:
            node = s.DS[top - 1]
            code = _node_work(s, node, now)
            if code == NO_WORK:
                _unmark(s, node)
            elif code != DID_WORK:
                s.G[G_EVENTS] += events
                return code
            drain_notes(s, now)
            continue
        k = s.G[G_NEXT_ARRIVAL]
        size = s.G[G_HSIZE]
        waiting_now = s.G[G_NOWN]
        if k >= n and size == 0 and waiting_now == 0:
            s.G[G_EVENTS] += events
            return DONE
        # The earliest of: the next external arrival, the now bucket's next event, the heap's top.
        best_t, best_k, source = math.inf, 0, 0
        if size > 0:
            best_t, best_k, source = s.HT[0], s.HK[0], 2
        if waiting_now > 0:
            key_now = s.NWK[waiting_now - 1]
            if now < best_t or (now == best_t and key_now < best_k):
                best_t, best_k, source = now, key_now, 1
        if k < n:
            t_next = s.ARR[k]
            root = s.ROOTS[s.ENTRY[k]] if several_entries else s.ROOTS[0]
            key_next = (EV_ARRIVE << KIND_SHIFT) | (root << POS_SHIFT) | k
            if t_next < best_t or (t_next == best_t and key_next < best_k):
                source = 0
        if source == 0:
            now = t_next
            s.GF[GF_NOW] = now
            s.G[G_NEXT_ARRIVAL] = k + 1
            _arrive(s, new_frame(s, k, root, -1, 0), now)
        else:
            if source == 1:
                key, a, b = heap.now_pop(s)
            else:
                now, key, a, b = heap.pop(s)
                s.GF[GF_NOW] = now
            kind = key >> KIND_SHIFT
            if kind == EV_ARRIVE:
                if s.FI[a, F_GEN] == b:
                    _arrive(s, a, now)
            elif kind == EV_END:
                _end(s, a, b, now)
            elif kind == EV_LLM_STEP:
                llm_step_end(s, a, now)
            elif kind == EV_EXPIRE:
                _expire(s, a, b, now)
            elif kind == EV_WAKE:
                mark_dirty(s, a)
            elif kind == EV_CALL_TIMEOUT:
                attempt_timed_out(s, a, b, CALL_TIMEOUT, now)
            elif kind == EV_UNREACHABLE:
                attempt_timed_out(s, a, b, UNREACHABLE, now)
            elif kind == EV_RETRY:
                retry_due(s, a, b, now)
            elif kind == EV_FAULT:
                _fault(s, a, b, now)
            elif kind == EV_AUTOSCALE:
                _autoscale(s, a, now)
            elif kind == EV_PROVISION:
                _provisioned(s, a, b, now)
        if s.G[G_NOTE_TAIL] > 0:  # most events leave no notes (the queue is back at 0 after each drain)
            drain_notes(s, now)
        events += 1
        if events >= pause_every:
            s.G[G_EVENTS] += events
            return PAUSE


@njit(cache=True, nogil=True)
def prime(s):  # pragma: no cover - compiled
    """Queue each fault's start and end and each autoscaler's first look, before the first event.

    Ends are queued before starts, so a fault ending at the instant another starts is over first.
    """
    for i in range(s.FTI.shape[0]):
        heap.push(s, s.FTF[i, FTF_END], EV_FAULT << KIND_SHIFT, i, 1)
    for i in range(s.FTI.shape[0]):
        heap.push(s, s.FTF[i, FTF_AT], EV_FAULT << KIND_SHIFT, i, 0)
    for node in range(s.NI.shape[0]):
        if s.NI[node, N_AS] and s.NF[node, NF_AS_EVAL] <= s.GF[GF_HI]:
            heap.push(s, s.NF[node, NF_AS_EVAL], EV_AUTOSCALE << KIND_SHIFT, node, 0)
