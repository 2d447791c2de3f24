"""Column numbers of the compiled event loop's tables, event kinds and return codes.

Every record the loop works on (a frame, a call, a job, a node, an edge) is a row of an int64
table and, where it has times, of a float64 table, with the columns below; the tables live in
one `State` (simulator/events/state.py) that Python grows and refills between calls.
"""

# Event kinds double as priorities at equal times: a fault starting at t acts on what happens at t;
# a server freed at t serves a visit whose timeout is t; an arrival at t sees the queue after both.
EV_FAULT, EV_END, EV_LLM_STEP, EV_EXPIRE, EV_CALL_TIMEOUT, EV_UNREACHABLE, EV_ARRIVE, EV_RETRY, EV_WAKE, \
    EV_AUTOSCALE, EV_PROVISION = range(11)
# An LLM replica's step end is keyed by its replica (one step each at a time), as the fast path orders them.
KIND_SHIFT, POS_SHIFT = 38, 25  # key = kind << 38 | position << 25 | request (for arrivals)


# Frames: one visit of a call-tree position by one attempt of one request.
F_REQ, F_POS, F_STATE, F_CALL, F_CALLGEN, F_GEN, F_QPREV, F_QNEXT, F_JNEXT, F_JOB, F_NEXT, F_PENDING, F_FLAGS, \
    F_FREE = range(14)
# FF_ARRIVAL and FF_LEFT: when the visit (or, in its after part, the after part) joined and left the queue;
# FF_AFTER: the visit's work after its calls return, kept from its service draw until it is queued.
FF_ARRIVAL, FF_LEFT, FF_AFTER = range(3)
FS_FREE, FS_WIRE, FS_WAITING, FS_SERVICE, FS_CALLING = range(5)
FL_DEGRADED, FL_FALLBACK, FL_AFTER = 1, 2, 4  # FL_AFTER: the frame is in its after-calls part

# Calls: a frame calling one of its children, over one or more attempts.
C_PARENT, C_PGEN, C_CI, C_ATTEMPT, C_FRAME, C_FGEN, C_GEN, C_STATE, C_FREE = range(9)
CS_FREE, CS_ACTIVE, CS_BACKOFF = range(3)

# Jobs: one batch (or one request) on one server.
J_NODE, J_FIRST, J_SIZE, J_GEN, J_PREV, J_NEXT, J_FREE = range(7)
JF_START, JF_END = range(2)

# Positions of the call tree (static).
P_NODE, P_PARENT, P_EDGE, P_ASYNC_ROOT, P_CALL0, P_NCALL, P_NSYNC, P_ASYNC0, P_NASYNC, P_HIT, P_HITU, P_HOP = range(12)
P_COLUMNS = 12  # P_HOP: the position's row of per-request network times (an edge with a latency tail), or -1
PF_LATENCY, PF_SIGMA = range(2)  # PF_SIGMA: the lognormal sigma of a network time with a tail, else 0
CC_POS, CC_FALLBACK = range(2)

# Nodes: config (static) and state.
N_SOURCE, N_CONC, N_REPLICAS, N_QLIMIT, N_BATCH, N_PARALLEL, N_RL, N_AS, N_AS_MIN, N_AS_MAX, N_AS_METRIC, \
    N_BSLOT, N_FLUSH0, N_NFLUSH, N_LLM, N_PAUSE0, N_NPAUSE = range(17)  # N_LLM: the node's row in the LLM tables, or -1
N_COLUMNS = 17  # N_PAUSE0, N_NPAUSE: the node's first row in the pause windows and how many it has
NF_TIMEOUT, NF_DELAY, NF_HIT, NF_RL_RATE, NF_RL_BURST, NF_AS_TARGET, NF_AS_EVAL, NF_AS_UPCD, NF_AS_DOWNCD, \
    NF_AS_PROV, NF_AFTER = range(11)  # NF_AFTER: the share of a visit's service done after its calls return
S_TOTAL, S_BUSY, S_WAITING, S_QHEAD, S_QTAIL, S_JHEAD, S_DOWN, S_OUTAGE, S_SLOWN, S_ERRN, S_ACTIVE, S_PENDING, \
    S_DIRTY, S_CANCEL, S_CANCEL_REASON, S_DRAIN = range(16)
SF_WAKE_AT, SF_SLOW, SF_ERRKEEP, SF_TOKENS, SF_RL_LAST, SF_LAST_UP, SF_LAST_DOWN, SF_AREA_T, SF_BUSY_AREA, \
    SF_CAP_AREA, SF_Q_AREA, SF_REPL_T = range(12)
METRIC_UTILIZATION, METRIC_QUEUE = 0, 1
# Node statistics (NodeAccumulator's sums, kept on the fly): ints then floats.
T_OFFERED, T_SERVED, T_FINISHED, T_BATCHES, T_BATCH_SUM = range(5)
T_FAILS = 5  # T_FAILS + reason: visits that arrived in the window and failed for that reason by its end
TF_WAIT_SUM, TF_QUEUE_AREA, TF_BUSY = range(3)

# Edges: config (static), state and statistics.
E_MAX_ATTEMPTS, E_JITTER, E_CB, E_CB_MIN, E_BUDGET = range(5)
EF_TIMEOUT, EF_BACKOFF, EF_MULT, EF_BUDGET, EF_CB_RATIO, EF_CB_WINDOW, EF_CB_OPEN, EF_LATENCY = range(8)
ES_CB_STATE, ES_PROBE_CALL, ES_PROBE_GEN, ES_PARTITION = range(4)
ESF_OPEN_UNTIL, ESF_ADDED = range(2)
CB_CLOSED, CB_OPEN, CB_HALF_OPEN = range(3)
ET_CALLS, ET_ATTEMPTS, ET_RETRIES, ET_SUCCESSES, ET_BUDGET_DENIED, ET_TRANSITIONS, ET_LOST_COPIES = range(7)
ET_FAILS = 7  # ET_FAILS + reason
WINDOW_BUCKETS = 10  # sliding windows (breaker, retry budget) are kept as 10 buckets
W_ID, W_A, W_B = range(3)  # bucket id, then (calls, failures) or (first attempts, retries)
BUDGET_WINDOW_MS = 10_000.0

# Faults.
FT_TYPE, FT_TARGET, FT_ACTIVE = range(3)
FTF_AT, FTF_END, FTF_PARAM, FTF_RECOVERY = range(4)
FAULT_TYPE_CODES = {"replicas_down": 0, "outage": 1, "slowdown": 2, "error_rate": 3, "latency_spike": 4,
                    "partition": 5, "cache_flush": 6}
FT_REPLICAS_DOWN, FT_OUTAGE, FT_SLOWDOWN, FT_ERROR_RATE, FT_LATENCY_SPIKE, FT_PARTITION, FT_CACHE_FLUSH = range(7)

# Globals.
G_SEQ, G_NEXT_ARRIVAL, G_FFREE, G_FUSED, G_CFREE, G_CUSED, G_JFREE, G_JUSED, G_HSIZE, G_EVENTS, G_NWAITS, \
    G_NREPL, G_NTRANS, G_DIRTY_TOP, G_NEED_A, G_NEED_B, G_NOTE_HEAD, G_NOTE_TAIL, G_NOWN, G_SFREE, G_SUSED, \
    G_NFIG = range(22)

# LLM sequences (LSQ): the visit's frame and its generation, the free list, whether the visit has answered.
Q_FRAME, Q_GEN, Q_FREE, Q_ANSWERED = range(4)

# Notes: what an event sets going, settled in order at the end of the event (no recursion in compiled code).
NOTE_SUCCEED, NOTE_FAIL, NOTE_ATTEMPT_FAILED, NOTE_CHILD_DONE = range(4)
NT_KIND, NT_A, NT_B, NT_C, NT_REASON, NT_FLAGS = range(6)
GF_NOW, GF_LO, GF_HI, GF_BUCKET_MS, GF_LAST_ARRIVAL = range(5)

# Return codes of the loop.
DONE, PAUSE, GROW, NEED_SERVICE, NEED_BATCH = range(5)
