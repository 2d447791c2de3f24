"""LLM serving, step by step: the scheduler of an LLM server's replicas, compiled, for both engines.

An LLM server's requests ("sequences") wait in one queue; each replica runs steps, as vLLM and
TGI do. A step of continuous batching runs one decode token for every running sequence that has
its prompt done, then the prefill of sequences still reading their prompt (chunks, within the
step's token budget `max_batched_tokens`), admitting new sequences from the queue while the
budget, `max_num_seqs` and the KV cache allow. Every token a step processes takes a token's room
in the KV cache; when the running sequences outgrow it, the most recently admitted is preempted
(recompute: its cache is dropped and it queues again at the front, to read its prompt and what
it had generated again). The step that finishes a prompt yields the sequence's first token;
each decode step one more; a sequence that has all its output tokens leaves at once. Static
batching (`scheduling: "static"`) instead takes a batch of waiting sequences whose prompts and
outputs all fit the cache, prefills them in one step and decodes every one of them until the
longest is done, and answers them together.

A step's time comes from the node's eight cost parameters, the roofline of
simulator/models/roofline.py (which fits or derives them per model, precision and instance):

    step_ms = overhead + ((token * (n + b) + logit * b) ** p + (weights + repack * [n + b > 1]) ** p) ** (1 / p)
              + context * c + pair * a

for n prefill tokens, b decoding sequences, c context tokens those sequences attend to (new
tokens included) and a causal attention pairs of the prompt chunks (a chunk of k tokens after o
cached ones has k * o + k * (k + 1) / 2).

The engines own the time and the calls: they queue arrivals (`enqueue`), start a step on an idle
replica (`start_step`) and, when the step they scheduled ends, settle it (`end_step`), which
lists the sequences that got their first token or finished.
"""

from __future__ import annotations

import numpy as np

from simulator.buckets import count_into
from simulator.fifo import njit

# Step cost parameters, per node (a row of LP): roofline.PARAM_NAMES, in that order.
C_OVERHEAD, C_WEIGHTS, C_REPACK, C_TOKEN, C_LOGIT, C_CONTEXT, C_PAIR, C_OVERLAP = range(8)
COST_PARAMETERS = 8
# Node settings (LI) and node state (LN).
L_REPLICAS, L_MAX_SEQS, L_MAX_TOKENS, L_KV_CAPACITY, L_STATIC, L_FIRST_REPLICA, L_QLIMIT = range(7)
Q_HEAD, Q_TAIL, Q_WAITING = range(3)
# Replica state (RI): its node, whether a step runs, sequences running, KV tokens held; static batch size.
R_NODE, R_BUSY, R_RUNNING, R_KV, R_BATCH, R_STEPS, R_PREEMPTED = range(7)
# Sequence state (SI), per visit: its prompt's tokens, the tokens to read before decoding (the prompt,
# or after a preemption the prompt and all it had generated), output tokens wanted, tokens read,
# tokens generated, decode steps since it last read, tokens scheduled this step, replica, flags.
S_BASE, S_PROMPT, S_OUTPUT, S_READ, S_MADE, S_DECODED, S_CHUNK, S_REPLICA, S_FLAGS = range(9)
SEQUENCE_COLUMNS = 9
SF_FIRST, SF_ADMITTED = 1, 2  # its first token is out; it has left the queue once
# A node's figures (LT): busy ms in the window, steps begun in it, their running sequences and KV token-ms.
T_BUSY, T_STEPS, T_BATCH, T_KV = range(4)
# What end_step reports per sequence.
OUT_FIRST, OUT_DONE = 1, 2


@njit(cache=True, nogil=True, inline="always")
def step_ms(cost, prefill, decode, context, pairs):  # pragma: no cover - compiled
    """roofline.step_ms, compiled: a step of no tokens takes no time."""
    tokens = prefill + decode
    if tokens <= 0:
        return 0.0
    compute = cost[C_TOKEN] * tokens + cost[C_LOGIT] * decode
    read = cost[C_WEIGHTS] + (cost[C_REPACK] if tokens > 1 else 0.0)
    p = cost[C_OVERLAP]
    return cost[C_OVERHEAD] + (compute ** p + read ** p) ** (1.0 / p) + cost[C_CONTEXT] * context \
        + cost[C_PAIR] * pairs


@njit(cache=True, nogil=True, inline="always")
def _pairs(tokens, offset):  # pragma: no cover - compiled
    return tokens * offset + tokens * (tokens + 1) // 2


@njit(cache=True, nogil=True)
def enqueue(LI, LN, QB, node, v, front):  # pragma: no cover - compiled
    """Put sequence v in the node's queue (at its front for a preempted one); False when the queue is full."""
    limit = LI[node, L_QLIMIT]
    if not front and 0 <= limit <= LN[node, Q_WAITING]:
        return False
    capacity = QB.shape[1]
    if front:
        LN[node, Q_HEAD] -= 1
        QB[node, LN[node, Q_HEAD] % capacity] = v
    else:
        QB[node, LN[node, Q_TAIL] % capacity] = v
        LN[node, Q_TAIL] += 1
    LN[node, Q_WAITING] += 1
    return True


@njit(cache=True, nogil=True)
def take(LN, QB, node):  # pragma: no cover - compiled
    v = QB[node, LN[node, Q_HEAD] % QB.shape[1]]
    LN[node, Q_HEAD] += 1
    LN[node, Q_WAITING] -= 1
    return v


@njit(cache=True, nogil=True)
def drop_running(RI, RUN, SI, r, slot):  # pragma: no cover - compiled
    """Take the sequence in `slot` off replica r (its cache freed) and return it."""
    v = RUN[r, slot]
    RI[r, R_KV] -= _context(SI, v)
    last = RI[r, R_RUNNING] - 1
    RUN[r, slot] = RUN[r, last]
    RI[r, R_RUNNING] = last
    return v


@njit(cache=True, nogil=True)
def idle_replica(LI, RI, node):  # pragma: no cover - compiled
    """A replica of the node with no step running, or -1."""
    first = LI[node, L_FIRST_REPLICA]
    for r in range(first, first + LI[node, L_REPLICAS]):
        if RI[r, R_BUSY] == 0:
            return r
    return -1


@njit(cache=True, nogil=True)
def _context(SI, v):  # pragma: no cover - compiled
    """Tokens of v held in the KV cache: those read, and the inputs of its decode steps since."""
    return SI[v, S_READ] + SI[v, S_DECODED]


@njit(cache=True, nogil=True)
def _preempt(LI, LN, QB, RI, RUN, SI, r, slot):  # pragma: no cover - compiled
    """Drop the cache of the sequence in `slot` and queue it again first: it will read all it had again."""
    v = RUN[r, slot]
    RI[r, R_KV] -= _context(SI, v)
    SI[v, S_PROMPT] = SI[v, S_BASE] + SI[v, S_MADE]
    SI[v, S_READ], SI[v, S_DECODED], SI[v, S_CHUNK] = 0, 0, 0
    last = RI[r, R_RUNNING] - 1
    RUN[r, slot] = RUN[r, last]
    RI[r, R_RUNNING] = last
    RI[r, R_PREEMPTED] += 1
    enqueue(LI, LN, QB, RI[r, R_NODE], v, True)


@njit(cache=True, nogil=True)
def start_step(LI, LP, LN, QB, RI, RUN, SI, SAD, r, now):  # pragma: no cover - compiled
    """Plan replica r's next step at now and return its duration in ms, or -1.0 when it has nothing to do.

    SAD: per sequence, when it was first admitted (it left the queue), written here.
    """
    node = RI[r, R_NODE]
    if LI[node, L_STATIC]:
        return _start_static(LI, LP, LN, QB, RI, RUN, SI, SAD, r, now)
    budget = LI[node, L_MAX_TOKENS]
    capacity = LI[node, L_KV_CAPACITY]
    # Running sequences first: a decode token each, then the rest of prompts being read.
    while True:
        decode = 0
        for k in range(RI[r, R_RUNNING]):
            v = RUN[r, k]
            if SI[v, S_READ] >= SI[v, S_PROMPT]:
                decode += 1
        if RI[r, R_KV] + decode <= capacity or RI[r, R_RUNNING] <= 1:
            break
        _preempt(LI, LN, QB, RI, RUN, SI, r, RI[r, R_RUNNING] - 1)  # the newest goes back to the queue
    left = budget - decode
    planned = RI[r, R_KV] + decode
    prefill = 0
    context = 0
    pairs = 0
    for k in range(RI[r, R_RUNNING]):
        v = RUN[r, k]
        if SI[v, S_READ] >= SI[v, S_PROMPT]:
            SI[v, S_CHUNK] = 0
            context += _context(SI, v) + 1
        else:
            chunk = min(SI[v, S_PROMPT] - SI[v, S_READ], left, capacity - planned)
            chunk = max(chunk, 0)
            SI[v, S_CHUNK] = chunk
            left -= chunk
            planned += chunk
            prefill += chunk
            pairs += _pairs(chunk, SI[v, S_READ])
    # Then new sequences from the queue, while slots, the budget and the cache allow.
    while (LN[node, Q_WAITING] > 0 and RI[r, R_RUNNING] < LI[node, L_MAX_SEQS] and left > 0
           and planned < capacity):
        v = take(LN, QB, node)
        if SI[v, S_FLAGS] & SF_ADMITTED == 0:
            SI[v, S_FLAGS] |= SF_ADMITTED
            SAD[v] = now
        chunk = min(SI[v, S_PROMPT], left, capacity - planned)
        SI[v, S_READ], SI[v, S_DECODED] = 0, 0
        SI[v, S_CHUNK] = chunk
        SI[v, S_REPLICA] = r
        RUN[r, RI[r, R_RUNNING]] = v
        RI[r, R_RUNNING] += 1
        left -= chunk
        planned += chunk
        prefill += chunk
        pairs += _pairs(chunk, 0)
    if prefill == 0 and decode == 0:
        return -1.0
    RI[r, R_BUSY] = 1
    RI[r, R_STEPS] += 1
    return step_ms(LP[node], prefill, decode, context, pairs)


@njit(cache=True, nogil=True)
def _start_static(LI, LP, LN, QB, RI, RUN, SI, SAD, r, now):  # pragma: no cover - compiled
    node = RI[r, R_NODE]
    capacity = LI[node, L_KV_CAPACITY]
    if RI[r, R_RUNNING] == 0:  # a new batch: prompts and whole outputs must fit the cache
        held = 0
        while LN[node, Q_WAITING] > 0 and RI[r, R_RUNNING] < LI[node, L_MAX_SEQS]:
            v = QB[node, LN[node, Q_HEAD] % QB.shape[1]]
            need = SI[v, S_PROMPT] + SI[v, S_OUTPUT]
            if held + need > capacity and RI[r, R_RUNNING] > 0:
                break
            take(LN, QB, node)
            SI[v, S_FLAGS] |= SF_ADMITTED
            SAD[v] = now
            held += need
            SI[v, S_READ], SI[v, S_MADE], SI[v, S_DECODED], SI[v, S_REPLICA] = 0, 0, 0, r
            RUN[r, RI[r, R_RUNNING]] = v
            RI[r, R_RUNNING] += 1
        if RI[r, R_RUNNING] == 0:
            return -1.0
        RI[r, R_BATCH] = RI[r, R_RUNNING]
        RI[r, R_KV] = held
        prefill = 0
        pairs = 0
        for k in range(RI[r, R_RUNNING]):
            v = RUN[r, k]
            SI[v, S_CHUNK] = SI[v, S_PROMPT]
            prefill += SI[v, S_PROMPT]
            pairs += _pairs(SI[v, S_PROMPT], 0)
        RI[r, R_BUSY] = 1
        RI[r, R_STEPS] += 1
        return step_ms(LP[node], prefill, 0, 0, pairs)
    # Decode the whole batch, finished members included (they still take their place in the batch).
    context = 0
    for k in range(RI[r, R_RUNNING]):
        v = RUN[r, k]
        SI[v, S_CHUNK] = 0
        context += SI[v, S_PROMPT] + SI[v, S_MADE] + 1
    RI[r, R_BUSY] = 1
    RI[r, R_STEPS] += 1
    return step_ms(LP[node], 0, RI[r, R_RUNNING], context, 0)


@njit(cache=True, nogil=True)
def end_step(LI, RI, RUN, SI, r, out_v, out_what):  # pragma: no cover - compiled
    """Settle replica r's step: returns how many (sequence, OUT_FIRST | OUT_DONE) pairs it wrote to out_*."""
    node = RI[r, R_NODE]
    RI[r, R_BUSY] = 0
    n = 0
    if LI[node, L_STATIC]:
        longest = 0
        for k in range(RI[r, R_RUNNING]):
            v = RUN[r, k]
            if SI[v, S_CHUNK] > 0:
                SI[v, S_READ] = SI[v, S_PROMPT]
                SI[v, S_CHUNK] = 0
            if SI[v, S_MADE] < SI[v, S_OUTPUT]:
                SI[v, S_MADE] += 1
                if SI[v, S_MADE] == 1:
                    SI[v, S_FLAGS] |= SF_FIRST
                    out_v[n], out_what[n] = v, OUT_FIRST
                    n += 1
            longest = max(longest, SI[v, S_OUTPUT] - SI[v, S_MADE])
        if longest == 0:  # the batch is done: every answer goes out now
            for k in range(RI[r, R_RUNNING]):
                out_v[n], out_what[n] = RUN[r, k], OUT_DONE
                n += 1
            RI[r, R_RUNNING] = 0
            RI[r, R_KV] = 0
        return n
    k = 0
    while k < RI[r, R_RUNNING]:
        v = RUN[r, k]
        chunk = SI[v, S_CHUNK]
        if SI[v, S_READ] < SI[v, S_PROMPT]:  # it was reading its prompt
            SI[v, S_READ] += chunk
            RI[r, R_KV] += chunk
            SI[v, S_CHUNK] = 0
            if SI[v, S_READ] < SI[v, S_PROMPT]:
                k += 1
                continue
        else:  # a decode step: its last token went in as input
            SI[v, S_DECODED] += 1
            RI[r, R_KV] += 1
        SI[v, S_MADE] += 1  # the step that finishes reading yields a token, as each decode step does
        if SI[v, S_FLAGS] & SF_FIRST == 0:
            SI[v, S_FLAGS] |= SF_FIRST
            out_v[n], out_what[n] = v, OUT_FIRST
            n += 1
        if SI[v, S_MADE] >= SI[v, S_OUTPUT]:
            RI[r, R_KV] -= _context(SI, v)
            out_v[n], out_what[n] = v, OUT_DONE
            n += 1
            last = RI[r, R_RUNNING] - 1
            RUN[r, k] = RUN[r, last]
            RI[r, R_RUNNING] = last
            continue
        k += 1
    return n


@njit(cache=True, nogil=True)
def account_step(LT, rows, LI, r, RI, start, end, lo, hi, width):  # pragma: no cover - compiled
    """Add a step to the node's figures: busy time, steps, batch sizes and KV use in the window, and
    its timeline (busy ms, KV token-ms, running sequence-ms per bucket, counted where the step began);
    returns the step's busy ms in the window.

    A replica with a step running is not full: it counts as busy by how full the step is, the
    larger of its sequences against `max_num_seqs` and its KV cache against its capacity (vLLM's
    saturation signals), so the node's utilisation says how much more it can take."""
    length = end - start
    node = RI[r, R_NODE]
    occupancy = min(1.0, max(RI[r, R_RUNNING] / LI[node, L_MAX_SEQS], RI[r, R_KV] / LI[node, L_KV_CAPACITY]))
    busy = max(min(end, hi) - max(start, lo), 0.0) * occupancy
    LT[T_BUSY] += busy
    if lo <= start <= hi:
        LT[T_STEPS] += 1.0
        LT[T_BATCH] += RI[r, R_RUNNING]
        LT[T_KV] += RI[r, R_KV] * length
    count_into(rows[0], lo, width, start, length * occupancy)
    count_into(rows[1], lo, width, start, RI[r, R_KV] * length)
    count_into(rows[2], lo, width, start, RI[r, R_RUNNING] * length)
    return busy


@njit(cache=True, nogil=True)
def node_loop(arrival, LI, LP, LN, QB, RI, RUN, SI, SAD, node, first, done, dropped, LT, rows,
              lo, hi, width):  # pragma: no cover - compiled
    """The fast path's LLM server: sequences 0..m-1 arriving at the sorted times `arrival`, served to the end.

    Writes each sequence's admission (SAD), first token and last token times (first, done; NaN if
    refused) and whether a full queue refused it (dropped); the node's figures go to LT and its
    timeline to rows (see account_step). A step ending at the instant a sequence arrives is
    settled first, and steps ending together are settled in replica order, as the event loop
    orders them.
    """
    m = arrival.shape[0]
    r0, count = LI[node, L_FIRST_REPLICA], LI[node, L_REPLICAS]
    ends = np.full(count, np.inf)
    begins = np.zeros(count)
    out_v = np.empty(2 * RUN.shape[1], dtype=np.int64)
    out_what = np.empty(2 * RUN.shape[1], dtype=np.int64)
    i = 0
    while True:
        k = 0
        for j in range(1, count):
            if ends[j] < ends[k]:
                k = j
        t_end = ends[k]
        if i < m and arrival[i] < t_end:
            now = arrival[i]
            v = i
            i += 1
            if not enqueue(LI, LN, QB, node, v, False):
                dropped[v] = 1
                continue
            r = idle_replica(LI, RI, node)
            if r >= 0:
                duration = start_step(LI, LP, LN, QB, RI, RUN, SI, SAD, r, now)
                if duration >= 0.0:
                    begins[r - r0], ends[r - r0] = now, now + duration
        elif t_end < np.inf:
            now = t_end
            r = r0 + k
            account_step(LT, rows, LI, r, RI, begins[k], now, lo, hi, width)
            ends[k] = np.inf
            n = end_step(LI, RI, RUN, SI, r, out_v, out_what)
            for j in range(n):
                if out_what[j] == OUT_FIRST:
                    first[out_v[j]] = now
                else:
                    done[out_v[j]] = now
            # This replica goes on; a preemption may also have left work an idle replica can take.
            for q in range(count):
                rr = r0 + (k + q) % count
                if RI[rr, R_BUSY] == 0 and (rr == r or LN[node, Q_WAITING] > 0):
                    duration = start_step(LI, LP, LN, QB, RI, RUN, SI, SAD, rr, now)
                    if duration >= 0.0:
                        begins[rr - r0], ends[rr - r0] = now, now + duration
        else:
            break


def new_tables(node_settings: np.ndarray, sequences: int, queue_capacity: int) -> tuple[np.ndarray, ...]:
    """(LN, QB, RI, RUN, SI) for the LLM nodes whose settings rows are LI, with room for `sequences`."""
    nodes = node_settings.shape[0]
    replicas = int(node_settings[:, L_REPLICAS].sum()) if nodes else 0
    ri = np.zeros((max(replicas, 1), 7), dtype=np.int64)
    for node in range(nodes):
        first = node_settings[node, L_FIRST_REPLICA]
        ri[first:first + node_settings[node, L_REPLICAS], R_NODE] = node
    max_seqs = int(node_settings[:, L_MAX_SEQS].max(initial=1))
    return (np.zeros((max(nodes, 1), 3), dtype=np.int64), np.zeros((max(nodes, 1), queue_capacity), dtype=np.int64),
            ri, np.zeros((max(replicas, 1), max_seqs), dtype=np.int64),
            np.zeros((sequences, SEQUENCE_COLUMNS), dtype=np.int64))
