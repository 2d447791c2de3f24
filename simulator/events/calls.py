"""Compiled calls of the event loop: a frame's calls to its children, attempts, retries, breakers, fallbacks.

After its own service a frame sends its async copies, then calls its sync children in edge order
(or all at once when the node fans out in parallel). A call is one or more attempts: an attempt
that fails (the callee failed, or the edge's timeout passed, or the connection is partitioned)
is retried after an exponential backoff while attempts and the retry budget allow, unless it was
refused by an open circuit breaker. A call that fails for good makes its caller try the next
fallback child after it in edge order; with none, the caller fails too. Successes and failures
travel up the call tree as notes settled in order at the end of each event, so the compiled code
needs no recursion.
"""

from __future__ import annotations

import math

from simulator.events import heap
from simulator.events.layout import (
    BUDGET_WINDOW_MS, C_ATTEMPT, C_CI, C_FGEN, C_FRAME, C_FREE, C_GEN, C_PARENT, C_PGEN, C_STATE, CB_CLOSED,
    CB_HALF_OPEN, CB_OPEN, CC_FALLBACK, CC_POS, CS_ACTIVE, CS_BACKOFF, CS_FREE, E_BUDGET, E_CB, E_CB_MIN,
    E_JITTER, E_MAX_ATTEMPTS, EF_BACKOFF, EF_BUDGET, EF_CB_OPEN, EF_CB_RATIO, EF_CB_WINDOW, EF_MULT,
    EF_TIMEOUT, ES_CB_STATE, ES_PARTITION, ES_PROBE_CALL, ES_PROBE_GEN, ESF_ADDED, ESF_OPEN_UNTIL, ET_ATTEMPTS,
    ET_BUDGET_DENIED, ET_CALLS, ET_FAILS, ET_LOST_COPIES, ET_RETRIES, ET_SUCCESSES, ET_TRANSITIONS, EV_ARRIVE,
    EV_CALL_TIMEOUT, EV_RETRY, EV_UNREACHABLE, F_CALL, F_CALLGEN, F_FLAGS, F_FREE, F_GEN, F_NEXT, F_PENDING, F_POS,
    F_REQ, F_STATE, FF_AFTER, FL_AFTER, FL_DEGRADED, FL_FALLBACK, FS_CALLING, FS_WIRE, FTF_AT, FTF_END, FTF_RECOVERY, G_CFREE,
    G_CUSED, G_FFREE, G_FUSED, G_NOTE_HEAD, G_NOTE_TAIL, G_NTRANS, GF_HI, GF_LO, KIND_SHIFT, N_FLUSH0,
    N_NFLUSH, N_PARALLEL, NF_HIT, NOTE_ATTEMPT_FAILED, NOTE_CHILD_DONE, NOTE_FAIL, NOTE_SUCCEED, NT_A, NT_B,
    NT_C, NT_FLAGS, NT_KIND, NT_REASON, P_ASYNC0, P_ASYNC_ROOT, P_CALL0, P_EDGE, P_HIT, P_HITU, P_HOP,
    P_NASYNC, P_NCALL, P_NODE, P_NSYNC, P_PARENT, PF_LATENCY, PF_SIGMA, POS_SHIFT, W_A, W_B, W_ID, WINDOW_BUCKETS,
)
from simulator.events.nodes import enqueue_after, release_frame
from simulator.events.rng import uniform
from simulator.events.jit import compiled, inlined
from simulator.reasons import CIRCUIT_OPEN, COMPLETED, IN_FLIGHT, UNREACHABLE


@inlined
def note(s, kind, a, b, c, reason, flags):  # pragma: no cover - compiled
    k = s.G[G_NOTE_TAIL]
    if k >= s.NQ.shape[0]:  # a ring: the queue restarts at 0 with every event, so this is rare
        k %= s.NQ.shape[0]
    s.NQ[k, NT_KIND], s.NQ[k, NT_A], s.NQ[k, NT_B] = kind, a, b
    s.NQ[k, NT_C], s.NQ[k, NT_REASON], s.NQ[k, NT_FLAGS] = c, reason, flags
    s.G[G_NOTE_TAIL] += 1


@inlined
def fail_frame(s, f, reason):  # pragma: no cover - compiled
    """f fails (a drop or an error at its node); settled with the event's other notes."""
    note(s, NOTE_FAIL, f, s.FI[f, F_GEN], 0, reason, 0)


@inlined
def new_frame(s, req, pos, call, call_gen):  # pragma: no cover - compiled
    f = s.G[G_FFREE]
    s.G[G_FFREE] = s.FI[f, F_FREE]
    s.G[G_FUSED] += 1
    s.FI[f, F_REQ], s.FI[f, F_POS], s.FI[f, F_STATE] = req, pos, FS_WIRE
    s.FI[f, F_CALL], s.FI[f, F_CALLGEN], s.FI[f, F_FLAGS] = call, call_gen, 0
    s.FF[f, FF_AFTER] = 0.0
    return f


@inlined
def _arrive_key(pos, req):  # pragma: no cover - compiled
    return (EV_ARRIVE << KIND_SHIFT) | (pos << POS_SHIFT) | req


@inlined
def _in_window(s, now):  # pragma: no cover - compiled
    return s.GF[GF_LO] <= now <= s.GF[GF_HI]


@compiled
def _bucket(table, e, now, width):  # pragma: no cover - compiled
    """The slot of now's bucket in an edge's sliding window, cleared when it last held an older bucket."""
    bucket = int(math.floor(now / width))
    slot = bucket % WINDOW_BUCKETS
    if table[e, slot, W_ID] != bucket:
        table[e, slot, W_ID], table[e, slot, W_A], table[e, slot, W_B] = bucket, 0, 0
    return slot


@compiled
def _window(table, e, now, width):  # pragma: no cover - compiled
    """(a, b) summed over the buckets of the last WINDOW_BUCKETS widths."""
    bucket = int(math.floor(now / width))
    a = 0
    b = 0
    for slot in range(WINDOW_BUCKETS):
        if bucket - WINDOW_BUCKETS < table[e, slot, W_ID] <= bucket:
            a += table[e, slot, W_A]
            b += table[e, slot, W_B]
    return a, b


@compiled
def _transition(s, e, state, now):  # pragma: no cover - compiled
    s.ESI[e, ES_CB_STATE] = state
    if _in_window(s, now):
        s.EST[e, ET_TRANSITIONS] += 1
    k = s.G[G_NTRANS]
    if k < s.BTT.shape[0]:
        s.BTT[k] = now
        s.BTI[k, 0], s.BTI[k, 1] = e, state
        s.G[G_NTRANS] = k + 1


@compiled
def _breaker_allows(s, e, c, now):  # pragma: no cover - compiled
    """Whether the edge's breaker lets this attempt through; an open breaker past open_s lets one probe."""
    state = s.ESI[e, ES_CB_STATE]
    if state == CB_CLOSED:
        return True
    if state == CB_OPEN:
        if now < s.ESF[e, ESF_OPEN_UNTIL]:
            return False
        _transition(s, e, CB_HALF_OPEN, now)
    else:  # half-open: only while the probe's call is still waiting for its answer
        probe = s.ESI[e, ES_PROBE_CALL]
        if probe >= 0 and s.CI[probe, C_GEN] == s.ESI[e, ES_PROBE_GEN] and s.CI[probe, C_STATE] != CS_FREE:
            return False
    s.ESI[e, ES_PROBE_CALL], s.ESI[e, ES_PROBE_GEN] = c, s.CI[c, C_GEN]
    return True


@compiled
def _breaker_outcome(s, e, c, failed, now):  # pragma: no cover - compiled
    """Record an attempt's outcome in the breaker's window; open, close or reopen it."""
    width = s.EF[e, EF_CB_WINDOW] / WINDOW_BUCKETS
    slot = _bucket(s.CBW, e, now, width)
    s.CBW[e, slot, W_A] += 1
    s.CBW[e, slot, W_B] += 1 if failed else 0
    state = s.ESI[e, ES_CB_STATE]
    if state == CB_HALF_OPEN:
        if s.ESI[e, ES_PROBE_CALL] == c and s.ESI[e, ES_PROBE_GEN] == s.CI[c, C_GEN]:
            s.ESI[e, ES_PROBE_CALL] = -1
            if failed:
                s.ESF[e, ESF_OPEN_UNTIL] = now + s.EF[e, EF_CB_OPEN]
                _transition(s, e, CB_OPEN, now)
            else:
                for k in range(WINDOW_BUCKETS):
                    s.CBW[e, k, W_ID] = -(1 << 40)
                _transition(s, e, CB_CLOSED, now)
    elif state == CB_CLOSED and failed:
        calls, failures = _window(s.CBW, e, now, width)
        if calls >= s.EI[e, E_CB_MIN] and failures >= s.EF[e, EF_CB_RATIO] * calls:
            s.ESF[e, ESF_OPEN_UNTIL] = now + s.EF[e, EF_CB_OPEN]
            _transition(s, e, CB_OPEN, now)


@compiled
def hit_rate_at(s, node, now):  # pragma: no cover - compiled
    """A cache's hit rate at now: its configured rate, lowered by cache flushes and their recovery."""
    rate = s.NF[node, NF_HIT]
    factor = 1.0
    for k in range(s.NI[node, N_FLUSH0], s.NI[node, N_FLUSH0] + s.NI[node, N_NFLUSH]):
        i = s.FLUSH[k]
        at, end, recovery = s.FTF[i, FTF_AT], s.FTF[i, FTF_END], s.FTF[i, FTF_RECOVERY]
        if at <= now < end:
            factor = 0.0
        elif end <= now < end + recovery:
            factor = min(factor, (now - end) / recovery)
    return rate * factor


@inlined
def _hop_ms(s, pos, req, attempt, stream):  # pragma: no cover - compiled
    """The network time of an attempt to call pos for request req: its edge's latency, or with a tail
    the request's draw (shared with the fast path) and, for a retry, a fresh draw from `stream`."""
    row = s.PI[pos, P_HOP]
    if row < 0:
        return s.PF[pos, PF_LATENCY]
    if attempt <= 1:
        return s.HOP[row, req]
    # A retry is a new trip over the network: the same lognormal drawn again (Box-Muller).
    radius = math.sqrt(-2.0 * math.log(1.0 - uniform(s.RNG, stream)))
    z = radius * math.cos(2.0 * math.pi * uniform(s.RNG, stream))
    return s.PF[pos, PF_LATENCY] * math.exp(s.PF[pos, PF_SIGMA] * z)


@compiled
def _issue_async(s, f, apos, now):  # pragma: no cover - compiled
    e = s.PI[apos, P_EDGE]
    if s.ESI[e, ES_PARTITION] > 0:
        if _in_window(s, now):
            s.EST[e, ET_LOST_COPIES] += 1
        return
    req = s.FI[f, F_REQ]
    g = new_frame(s, req, apos, -1, 0)
    heap.push(s, now + _hop_ms(s, apos, req, 1, e) + s.ESF[e, ESF_ADDED], _arrive_key(apos, req), g, s.FI[g, F_GEN])


@compiled
def issue_call(s, f, ci, now):  # pragma: no cover - compiled
    """Frame f calls its ci-th child (an index into the call-children table) at now."""
    c = s.G[G_CFREE]
    s.G[G_CFREE] = s.CI[c, C_FREE]
    s.G[G_CUSED] += 1
    s.CI[c, C_PARENT], s.CI[c, C_PGEN], s.CI[c, C_CI] = f, s.FI[f, F_GEN], ci
    s.CI[c, C_ATTEMPT], s.CI[c, C_FRAME], s.CI[c, C_STATE] = 0, -1, CS_ACTIVE
    start_attempt(s, c, now)


@inlined
def start_attempt(s, c, now):  # pragma: no cover - compiled
    CI, EST, EI, FI = s.CI, s.EST, s.EI, s.FI
    ci = CI[c, C_CI]
    cpos = s.CC[ci, CC_POS]
    e = s.PI[cpos, P_EDGE]
    attempt = CI[c, C_ATTEMPT] + 1
    CI[c, C_ATTEMPT] = attempt
    counted = _in_window(s, now)
    if attempt == 1:
        if counted:
            EST[e, ET_CALLS] += 1
        if EI[e, E_BUDGET]:
            slot = _bucket(s.RBW, e, now, BUDGET_WINDOW_MS / WINDOW_BUCKETS)
            s.RBW[e, slot, W_A] += 1
    elif counted:
        EST[e, ET_RETRIES] += 1
    if EI[e, E_CB] and not _breaker_allows(s, e, c, now):
        note(s, NOTE_ATTEMPT_FAILED, c, CI[c, C_GEN], 0, CIRCUIT_OPEN, 0)
        return
    if counted:
        EST[e, ET_ATTEMPTS] += 1
    timeout = s.EF[e, EF_TIMEOUT]
    token = CI[c, C_GEN] * 16 + attempt
    if s.ESI[e, ES_PARTITION] > 0:
        if timeout < math.inf:
            heap.push(s, now + timeout, EV_UNREACHABLE << KIND_SHIFT, c, token)
        else:
            note(s, NOTE_ATTEMPT_FAILED, c, CI[c, C_GEN], 0, UNREACHABLE, 0)
        return
    req = FI[CI[c, C_PARENT], F_REQ]
    g = new_frame(s, req, cpos, c, CI[c, C_GEN])
    CI[c, C_FRAME], CI[c, C_FGEN] = g, FI[g, F_GEN]
    heap.push(s, now + _hop_ms(s, cpos, req, attempt, e) + s.ESF[e, ESF_ADDED], _arrive_key(cpos, req), g, FI[g, F_GEN])
    if timeout < math.inf:
        heap.push(s, now + timeout, EV_CALL_TIMEOUT << KIND_SHIFT, c, token)


@compiled
def attempt_timed_out(s, c, token, reason, now):  # pragma: no cover - compiled
    """A CALL_TIMEOUT or UNREACHABLE event: the attempt it names fails if it is still the call's current one."""
    gen, attempt = token // 16, token % 16
    if s.CI[c, C_GEN] != gen or s.CI[c, C_ATTEMPT] != attempt or s.CI[c, C_STATE] != CS_ACTIVE:
        return
    s.CI[c, C_FRAME] = -1  # an attempt still running goes on, wasted; its answer is ignored
    note(s, NOTE_ATTEMPT_FAILED, c, gen, 0, reason, 0)


@compiled
def retry_due(s, c, gen, now):  # pragma: no cover - compiled
    if s.CI[c, C_GEN] != gen or s.CI[c, C_STATE] != CS_BACKOFF:
        return
    parent = s.CI[c, C_PARENT]
    if s.FI[parent, F_GEN] != s.CI[c, C_PGEN]:  # the caller is gone: nobody wants the answer
        _release_call(s, c)
        return
    s.CI[c, C_STATE] = CS_ACTIVE
    start_attempt(s, c, now)


@inlined
def frame_served(s, f, now):  # pragma: no cover - compiled
    """After f's own service: its async copies, then its sync calls, or its answer."""
    FI, PI = s.FI, s.PI
    pos = FI[f, F_POS]
    for k in range(PI[pos, P_ASYNC0], PI[pos, P_ASYNC0] + PI[pos, P_NASYNC]):
        _issue_async(s, f, s.AC[k], now)
    nsync = PI[pos, P_NSYNC]
    hit = False
    row = PI[pos, P_HIT]
    if row >= 0:
        hit = s.HB[row, FI[f, F_REQ]] != 0
    else:
        row = PI[pos, P_HITU]
        if row >= 0:
            hit = s.HU[row, FI[f, F_REQ]] < hit_rate_at(s, PI[pos, P_NODE], now)
    if nsync == 0 or hit:
        if s.FF[f, FF_AFTER] > 0.0:  # a hit makes no calls: its after part is queued at once
            enqueue_after(s, PI[pos, P_NODE], f, now)
        else:
            note(s, NOTE_SUCCEED, f, FI[f, F_GEN], 0, 0, 0)
        return
    FI[f, F_STATE] = FS_CALLING
    first = PI[pos, P_CALL0]
    if s.NI[PI[pos, P_NODE], N_PARALLEL]:
        FI[f, F_PENDING] = nsync
        for ci in range(first, first + PI[pos, P_NCALL]):
            if s.CC[ci, CC_FALLBACK] == 0:
                issue_call(s, f, ci, now)
    else:
        FI[f, F_NEXT] = first
        issue_call(s, f, first, now)


@inlined
def _release_call(s, c):  # pragma: no cover - compiled
    s.CI[c, C_GEN] += 1
    s.CI[c, C_STATE] = CS_FREE
    s.CI[c, C_FREE] = s.G[G_CFREE]
    s.G[G_CFREE] = c
    s.G[G_CUSED] -= 1


@inlined
def _next_call(s, pos, after, fallback):  # pragma: no cover - compiled
    """The first call child after index `after` of the given mode (sync or fallback), or -1."""
    end = s.PI[pos, P_CALL0] + s.PI[pos, P_NCALL]
    for ci in range(after + 1, end):
        if (s.CC[ci, CC_FALLBACK] != 0) == fallback:
            return ci
    return -1


@inlined
def _settle_frame(s, f, reason, now):  # pragma: no cover - compiled
    """f answers (reason 0) or fails: the request's fate at a root, else its call's attempt."""
    pos = s.FI[f, F_POS]
    flags = s.FI[f, F_FLAGS]
    if s.PI[pos, P_PARENT] < 0:
        req = s.FI[f, F_REQ]
        if s.STATUS[req] == IN_FLIGHT:
            s.FATE[req] = now
            s.STATUS[req] = reason
            s.DEG[req] = 1 if (reason == COMPLETED and flags & FL_DEGRADED) else 0
    elif s.PI[pos, P_ASYNC_ROOT] == 0:
        c, gen = s.FI[f, F_CALL], s.FI[f, F_CALLGEN]
        if s.CI[c, C_GEN] == gen and s.CI[c, C_FRAME] == f and s.CI[c, C_FGEN] == s.FI[f, F_GEN] \
                and s.CI[c, C_STATE] == CS_ACTIVE:
            if reason == COMPLETED:
                _attempt_succeeded(s, c, flags & FL_DEGRADED, now)
            else:
                note(s, NOTE_ATTEMPT_FAILED, c, gen, 0, reason, 0)
    release_frame(s, f)


@inlined
def _answer(s, f, reason, now):  # pragma: no cover - compiled
    """f's calls are over: it answers (or fails), or, with work left after its calls, queues that first."""
    if reason == COMPLETED and s.FF[f, FF_AFTER] > 0.0 and not s.FI[f, F_FLAGS] & FL_AFTER:
        enqueue_after(s, s.PI[s.FI[f, F_POS], P_NODE], f, now)
    else:
        _settle_frame(s, f, reason, now)


@compiled
def after_served(s, f):  # pragma: no cover - compiled
    """f's after-calls part has ended: it answers, settled with the event's other notes."""
    note(s, NOTE_SUCCEED, f, s.FI[f, F_GEN], 0, 0, 0)


@inlined
def _attempt_succeeded(s, c, degraded, now):  # pragma: no cover - compiled
    e = s.PI[s.CC[s.CI[c, C_CI], CC_POS], P_EDGE]
    if _in_window(s, now):
        s.EST[e, ET_SUCCESSES] += 1
    if s.EI[e, E_CB]:
        _breaker_outcome(s, e, c, False, now)
    note(s, NOTE_CHILD_DONE, s.CI[c, C_PARENT], s.CI[c, C_PGEN], s.CI[c, C_CI], COMPLETED, degraded)
    _release_call(s, c)


@compiled
def _attempt_failed(s, c, reason, now):  # pragma: no cover - compiled
    """Retry after a backoff when attempts and the budget allow it, else the call fails for good."""
    ci = s.CI[c, C_CI]
    e = s.PI[s.CC[ci, CC_POS], P_EDGE]
    if _in_window(s, now):
        s.EST[e, ET_FAILS + reason] += 1
    s.CI[c, C_FRAME] = -1
    if reason != CIRCUIT_OPEN:
        if s.EI[e, E_CB]:
            _breaker_outcome(s, e, c, True, now)
        attempt = s.CI[c, C_ATTEMPT]
        if attempt < s.EI[e, E_MAX_ATTEMPTS] and s.FI[s.CI[c, C_PARENT], F_GEN] == s.CI[c, C_PGEN]:
            allowed = True
            if s.EI[e, E_BUDGET]:
                width = BUDGET_WINDOW_MS / WINDOW_BUCKETS
                firsts, retries = _window(s.RBW, e, now, width)
                allowed = retries + 1 <= s.EF[e, EF_BUDGET] * firsts
                if allowed:
                    slot = _bucket(s.RBW, e, now, width)
                    s.RBW[e, slot, W_B] += 1
                elif _in_window(s, now):
                    s.EST[e, ET_BUDGET_DENIED] += 1
            if allowed:
                delay = s.EF[e, EF_BACKOFF] * s.EF[e, EF_MULT] ** (attempt - 1)
                if s.EI[e, E_JITTER]:
                    delay *= uniform(s.RNG, e)
                s.CI[c, C_STATE] = CS_BACKOFF
                heap.push(s, now + delay, EV_RETRY << KIND_SHIFT, c, s.CI[c, C_GEN])
                return
    note(s, NOTE_CHILD_DONE, s.CI[c, C_PARENT], s.CI[c, C_PGEN], ci, reason, 0)
    _release_call(s, c)


@inlined
def _child_done(s, f, ci, reason, degraded, now):  # pragma: no cover - compiled
    """A call of f settled: go on to the next call, use a fallback, or answer or fail."""
    pos = s.FI[f, F_POS]
    fallback = s.CC[ci, CC_FALLBACK] != 0
    ok = reason == COMPLETED
    if ok and (degraded or fallback):
        s.FI[f, F_FLAGS] |= FL_DEGRADED
    if s.NI[s.PI[pos, P_NODE], N_PARALLEL]:
        if not fallback:
            if s.FI[f, F_FLAGS] & FL_FALLBACK:
                return  # already answering from a fallback after an earlier failure
            if ok:
                s.FI[f, F_PENDING] -= 1
                if s.FI[f, F_PENDING] == 0:
                    _answer(s, f, COMPLETED, now)
                return
        elif ok:
            _answer(s, f, COMPLETED, now)
            return
        nxt = _next_call(s, pos, ci if fallback else s.PI[pos, P_CALL0] - 1, True)
        if nxt < 0:
            _settle_frame(s, f, reason, now)
        else:
            s.FI[f, F_FLAGS] |= FL_FALLBACK
            s.FI[f, F_NEXT] = nxt
            issue_call(s, f, nxt, now)
        return
    nxt = _next_call(s, pos, ci, not ok)
    if nxt < 0:
        _answer(s, f, reason, now)
    else:
        s.FI[f, F_NEXT] = nxt
        issue_call(s, f, nxt, now)


@compiled
def drain_notes(s, now):  # pragma: no cover - compiled
    """Settle every note of the current event, in order, including those they give rise to."""
    while s.G[G_NOTE_HEAD] < s.G[G_NOTE_TAIL]:
        k = s.G[G_NOTE_HEAD]
        if k >= s.NQ.shape[0]:
            k %= s.NQ.shape[0]
        s.G[G_NOTE_HEAD] += 1
        kind, a, b = s.NQ[k, NT_KIND], s.NQ[k, NT_A], s.NQ[k, NT_B]
        c, reason, flags = s.NQ[k, NT_C], s.NQ[k, NT_REASON], s.NQ[k, NT_FLAGS]
        if kind == NOTE_SUCCEED or kind == NOTE_FAIL:
            if s.FI[a, F_GEN] == b:
                _settle_frame(s, a, reason, now)
        elif kind == NOTE_ATTEMPT_FAILED:
            if s.CI[a, C_GEN] == b and s.CI[a, C_STATE] == CS_ACTIVE:
                _attempt_failed(s, a, reason, now)
        elif s.FI[a, F_GEN] == b and s.FI[a, F_STATE] == FS_CALLING:  # NOTE_CHILD_DONE
            _child_done(s, a, c, reason, flags, now)
    s.G[G_NOTE_HEAD] = 0
    s.G[G_NOTE_TAIL] = 0
