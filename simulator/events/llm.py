"""The event loop's LLM servers: sequences in the step scheduler of simulator/llm_serving.py, steps as events.

A visit to an LLM server becomes a sequence (its own slot: a streaming answer keeps running
after its visit has answered); each replica's step ends as an event, ordered before arrivals
and, at equal times, by replica, as the fast path's node loop orders them. A visit answers at
its first token when the traffic streams, else at its last. An outage fails the node's waiting
and running sequences; a slowdown stretches its steps; an error rate fails answers.
"""

from __future__ import annotations

from simulator import llm_serving as llm
from simulator.events import heap
from simulator.events.calls import fail_frame, frame_served
from simulator.events.layout import (
    EV_LLM_STEP, F_GEN, F_REQ, F_STATE, FS_SERVICE, G_NFIG, G_SFREE, G_SUSED, GF_BUCKET_MS, GF_HI, GF_LO,
    KIND_SHIFT, N_LLM, Q_ANSWERED, Q_FRAME, Q_FREE, Q_GEN, S_ERRN, S_SLOWN, SF_ERRKEEP, SF_SLOW, TF_BUSY,
)
from simulator.events.nodes import visit_settled
from simulator.events.rng import uniform
from simulator.events.jit import compiled
from simulator.reasons import COMPLETED, ERROR, QUEUE_FULL


@compiled
def _release_sequence(s, q):  # pragma: no cover - compiled
    s.LSQ[q, Q_FREE] = s.G[G_SFREE]
    s.G[G_SFREE] = q
    s.G[G_SUSED] -= 1


@compiled
def _start(s, node, k, r, now):  # pragma: no cover - compiled
    duration = llm.start_step(s.LLI, s.LLP, s.LLN, s.LQB, s.LRI, s.LRUN, s.LSI, s.LSAD, r, now)
    if duration < 0.0:
        return
    if s.NSI[node, S_SLOWN] > 0:
        duration *= s.NSF[node, SF_SLOW]
    s.LRB[r] = now
    heap.push(s, now + duration, (EV_LLM_STEP << KIND_SHIFT) | r, r, 0)


@compiled
def arrive(s, node, f, now):  # pragma: no cover - compiled
    """A visit reaches an LLM server: it queues as a sequence, and an idle replica starts a step."""
    k = s.NI[node, N_LLM]
    q = s.G[G_SFREE]
    s.G[G_SFREE] = s.LSQ[q, Q_FREE]
    s.G[G_SUSED] += 1
    req = s.FI[f, F_REQ]
    for column in range(llm.SEQUENCE_COLUMNS):
        s.LSI[q, column] = 0
    s.LSI[q, llm.S_BASE] = s.TOKP[req]
    s.LSI[q, llm.S_PROMPT] = s.TOKP[req]
    s.LSI[q, llm.S_OUTPUT] = s.TOKO[req]
    s.LSQ[q, Q_FRAME], s.LSQ[q, Q_GEN], s.LSQ[q, Q_ANSWERED] = f, s.FI[f, F_GEN], 0
    s.LSF[q, 0] = now
    s.LSAD[q] = now
    if not llm.enqueue(s.LLI, s.LLN, s.LQB, k, q, False):
        _release_sequence(s, q)
        visit_settled(s, node, now, now, now, QUEUE_FULL)
        fail_frame(s, f, QUEUE_FULL)
        return
    s.FI[f, F_STATE] = FS_SERVICE
    r = llm.idle_replica(s.LLI, s.LRI, k)
    if r >= 0:
        _start(s, node, k, r, now)


@compiled
def _answer(s, node, q, now):  # pragma: no cover - compiled
    """The sequence's visit answers now (or fails, under an error-rate fault)."""
    s.LSQ[q, Q_ANSWERED] = 1
    f = s.LSQ[q, Q_FRAME]
    if s.FI[f, F_GEN] != s.LSQ[q, Q_GEN]:
        return
    if s.NSI[node, S_ERRN] > 0 and uniform(s.RNG, s.EI.shape[0] + node) < 1.0 - s.NSF[node, SF_ERRKEEP]:
        visit_settled(s, node, s.LSF[q, 0], s.LSAD[q], now, ERROR)
        fail_frame(s, f, ERROR)
        return
    visit_settled(s, node, s.LSF[q, 0], s.LSAD[q], now, COMPLETED)
    frame_served(s, f, now)


@compiled
def step_end(s, r, now):  # pragma: no cover - compiled
    """Replica r's step ends: first and last tokens go out, then it (and any idle replica with work) goes on."""
    k = s.LRI[r, llm.R_NODE]
    node = s.LNODE[k]
    lo, hi = s.GF[GF_LO], s.GF[GF_HI]
    begin = s.LRB[r]
    s.NTF[node, TF_BUSY] += llm.account_step(s.LLT[k], s.LROWS[k], s.LLI, r, s.LRI, begin, now, lo, hi,
                                             s.GF[GF_BUCKET_MS])
    n = llm.end_step(s.LLI, s.LRI, s.LRUN, s.LSI, r, s.LOV, s.LOW)
    streaming = s.STREAM[0] != 0
    for j in range(n):
        q = s.LOV[j]
        if s.LOW[j] == llm.OUT_FIRST:
            s.LSF[q, 1] = now
            if streaming:
                _answer(s, node, q, now)
        else:
            s.LSF[q, 2] = now
            arrival = s.LSF[q, 0]
            if lo <= arrival <= hi:
                i = s.G[G_NFIG]
                s.LFIG[i, 0], s.LFIG[i, 1], s.LFIG[i, 2] = arrival, s.LSF[q, 1], now
                s.LFIG[i, 3] = s.LSI[q, llm.S_OUTPUT]
                s.LFIGN[i] = k
                s.G[G_NFIG] = i + 1
            if not streaming:
                _answer(s, node, q, now)
            _release_sequence(s, q)
    r0, count = s.LLI[k, llm.L_FIRST_REPLICA], s.LLI[k, llm.L_REPLICAS]
    for step in range(count):
        other = r0 + (r - r0 + step) % count
        if s.LRI[other, llm.R_BUSY] == 0 and (other == r or s.LLN[k, llm.Q_WAITING] > 0):
            _start(s, node, k, other, now)


@compiled
def drain_one(s, node, reason, now):  # pragma: no cover - compiled
    """Fail one waiting or running sequence of the node (an outage); False when none is left."""
    k = s.NI[node, N_LLM]
    if s.LLN[k, llm.Q_WAITING] > 0:
        q = llm.take(s.LLN, s.LQB, k)
    else:
        q = -1
        r0, count = s.LLI[k, llm.L_FIRST_REPLICA], s.LLI[k, llm.L_REPLICAS]
        for r in range(r0, r0 + count):
            if s.LRI[r, llm.R_RUNNING] > 0:
                q = llm.drop_running(s.LRI, s.LRUN, s.LSI, r, s.LRI[r, llm.R_RUNNING] - 1)
                break
        if q < 0:
            return False
    if s.LSQ[q, Q_ANSWERED] == 0:
        f = s.LSQ[q, Q_FRAME]
        if s.FI[f, F_GEN] == s.LSQ[q, Q_GEN]:
            visit_settled(s, node, s.LSF[q, 0], s.LSAD[q], now, reason)
            fail_frame(s, f, reason)
    _release_sequence(s, q)
    return True
