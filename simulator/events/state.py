"""The compiled loop's `State`: every table it reads and writes, built from a run's inputs, and grown on demand."""

from __future__ import annotations

import math
from collections import namedtuple
from typing import Any

import numpy as np
from numba import types
from numba.core import cgutils, imputils
from numba.core.datamodel import default_manager, models
from numba.core.runtime.nrtdynmod import _meminfo_struct_type
from numba.core.typing.templates import AttributeTemplate, infer_getattr
from numba.experimental import structref
from numba.extending import lower_getattr_generic, lower_setattr_generic

from simulator import llm_serving as llm
from simulator.events import layout as L
from simulator.events.rng import seeded_states
from simulator.outcome import RunInputs
from simulator.reasons import IN_FLIGHT, REASON_COUNT
from simulator.stats import NODE_SERIES_POINTS

FIELDS = (
    "G", "GF", "ARR", "ENTRY", "ROOTS", "PI", "PF", "CC", "AC", "NI", "NF", "NSI", "NSF", "NTI", "NTF",
    "NB_BUSY", "NB_ERR", "NB_REPL", "EI", "EF", "ESI", "ESF", "EST", "CBW", "RBW", "FTI", "FTF", "FLUSH",
    "FI", "FF", "CI", "CF", "JI", "JF", "HT", "HK", "HPA", "HPB", "NWK", "NWA", "NWB", "SV", "SVP", "BT", "BTP", "RNG", "HB", "HU", "HOP", "PW", "FATE",
    "STATUS", "DEG", "WV", "WN", "RST", "RSI", "BTT", "BTI", "DS", "NQ",
    # LLM servers (simulator/events/llm.py): settings, costs, queues, replicas, sequences, figures, tokens.
    "LLI", "LLP", "LLN", "LQB", "LRI", "LRUN", "LSI", "LSAD", "LSF", "LSQ", "LLT", "LROWS", "LRB", "LFIG",
    "LFIGN", "LOV", "LOW", "LNODE", "TOKP", "TOKO", "STREAM",
)
State = namedtuple("State", FIELDS)  # the tables, as Python holds them


class _StateType(types.StructRef):
    def preprocess_fields(self, fields):
        return tuple((name, types.unliteral(kind)) for name, kind in fields)


# Registered by hand instead of with structref.register, whose attribute access asks the reference-
# counting runtime for the payload: these read it straight from the MemInfo (as NRT_MemInfo_data_fast
# does), so the loop's functions can be compiled without reference counting (simulator/events/jit.py).
default_manager.register(_StateType, models.StructRefModel)


def _payload(context, builder, typ, value):
    """The State payload of a StructRef value, addressed through its MemInfo's data pointer."""
    meminfo = cgutils.create_struct_proxy(typ)(context, builder, value=value).meminfo
    header = builder.bitcast(meminfo, _meminfo_struct_type.as_pointer())
    data = builder.load(cgutils.gep(builder, header, 0, 3))
    payload_type = typ.get_data_type()
    pointer = builder.bitcast(data, context.data_model_manager[payload_type].get_value_type().as_pointer())
    return cgutils.create_struct_proxy(payload_type)(context, builder, ref=pointer)


@infer_getattr
class _StateAttribute(AttributeTemplate):
    key = _StateType

    def generic_resolve(self, typ, attr):
        return typ.field_dict.get(attr)


@lower_getattr_generic(_StateType)
def _getattr(context, builder, typ, value, attr):
    field = getattr(_payload(context, builder, typ, value), attr)
    return imputils.impl_ret_borrowed(context, builder, typ.field_dict[attr], field)


@lower_setattr_generic(_StateType)
def _setattr(context, builder, signature, args, attr):
    (instance_type, value_type), (instance, value) = signature.args, args
    payload = _payload(context, builder, instance_type, instance)
    cast = context.cast(builder, value, value_type, instance_type.field_dict[attr])
    old = getattr(payload, attr)
    context.nrt.incref(builder, value_type, cast)
    context.nrt.decref(builder, value_type, old)
    setattr(payload, attr, cast)


class StateRef(structref.StructRefProxy):
    """The same tables as the compiled code sees them: one reference, so a call passes a pointer
    (a tuple of fifty arrays would be passed as hundreds of arguments to every compiled function)."""


structref.define_proxy(StateRef, _StateType, list(FIELDS))


def compiled(state: State) -> StateRef:
    """The compiled view of a State's tables (they are shared, not copied)."""
    return StateRef(*state)


SERVICE_CHUNK = 8192  # samples of a node's service stream held at once
BATCH_CHUNK = 1024  # and of each batch size's stream
MAX_SERIES = 200_000  # replica changes and breaker transitions kept (beyond: counted, not listed)


def _free_list(table: np.ndarray, column: int, start: int = 0) -> None:
    """Chain rows start.. of a table into a free list through `column` (the last row ends it)."""
    rows = np.arange(start, table.shape[0])
    table[start:, column] = rows + 1
    table[-1, column] = -1


def _edges(document: dict[str, Any]) -> tuple[np.ndarray, np.ndarray]:
    edges = document["edges"]
    ei = np.zeros((max(len(edges), 1), 5), dtype=np.int64)
    ef = np.zeros((max(len(edges), 1), 8))
    ei[:, L.E_MAX_ATTEMPTS] = 1
    ef[:, L.EF_TIMEOUT] = math.inf
    for i, edge in enumerate(edges):
        ef[i, L.EF_LATENCY] = float(edge["latency_ms"])
        if edge.get("timeout_ms") is not None:
            ef[i, L.EF_TIMEOUT] = float(edge["timeout_ms"])
        retry = edge.get("retry")
        if retry is not None:
            ei[i, L.E_MAX_ATTEMPTS] = int(retry["max_attempts"])
            ei[i, L.E_JITTER] = 1 if retry["jitter"] == "full" else 0
            ef[i, L.EF_BACKOFF] = float(retry["backoff_ms"])
            ef[i, L.EF_MULT] = float(retry["backoff_multiplier"])
            if retry["budget_ratio"] is not None:
                ei[i, L.E_BUDGET] = 1
                ef[i, L.EF_BUDGET] = float(retry["budget_ratio"])
        breaker = edge.get("circuit_breaker")
        if breaker is not None:
            ei[i, L.E_CB] = 1
            ei[i, L.E_CB_MIN] = int(breaker["min_calls"])
            ef[i, L.EF_CB_RATIO] = float(breaker["failure_ratio"])
            ef[i, L.EF_CB_WINDOW] = float(breaker["window_s"]) * 1000.0
            ef[i, L.EF_CB_OPEN] = float(breaker["open_s"]) * 1000.0
    return ei, ef


def _nodes(inputs: RunInputs, configs: list[dict[str, Any]], flushes: dict[int, list[int]]
           ) -> tuple[np.ndarray, np.ndarray, dict[int, int]]:
    topo = inputs.topology
    ni = np.zeros((len(topo.nodes), L.N_COLUMNS), dtype=np.int64)
    ni[:, L.N_LLM] = -1
    nf = np.zeros((len(topo.nodes), 11))
    slots: dict[int, int] = {}
    for spec, config in zip(topo.nodes, configs):
        i = spec.index
        if spec.servers == 0:
            ni[i, L.N_SOURCE] = 1
            continue
        concurrency = int(config.get("concurrency", 1))
        ni[i, L.N_CONC] = concurrency
        ni[i, L.N_REPLICAS] = spec.servers // concurrency
        ni[i, L.N_QLIMIT] = spec.queue_limit
        ni[i, L.N_PARALLEL] = spec.parallel
        nf[i, L.NF_TIMEOUT] = spec.timeout_ms
        nf[i, L.NF_HIT] = spec.hit_rate
        nf[i, L.NF_AFTER] = float(config.get("after_calls_share") or 0.0)
        ni[i, L.N_BSLOT] = -1
        if spec.batch is not None:
            ni[i, L.N_BATCH] = spec.batch.max_size
            nf[i, L.NF_DELAY] = spec.batch.max_delay_ms
            ni[i, L.N_BSLOT] = slots.setdefault(i, len(slots))
        limit = config.get("rate_limit")
        if limit is not None:
            ni[i, L.N_RL] = 1
            nf[i, L.NF_RL_RATE] = float(limit["rps"]) / 1000.0
            nf[i, L.NF_RL_BURST] = float(limit["burst"])
        scaling = config.get("autoscaling")
        if scaling is not None:
            ni[i, L.N_AS] = 1
            ni[i, L.N_AS_MIN], ni[i, L.N_AS_MAX] = scaling["min_replicas"], scaling["max_replicas"]
            ni[i, L.N_AS_METRIC] = (L.METRIC_UTILIZATION if scaling["metric"] == "utilization"
                                    else L.METRIC_QUEUE)
            nf[i, L.NF_AS_TARGET] = float(scaling["target"])
            for column, key in ((L.NF_AS_EVAL, "evaluation_s"), (L.NF_AS_UPCD, "scale_up_cooldown_s"),
                                (L.NF_AS_DOWNCD, "scale_down_cooldown_s"), (L.NF_AS_PROV, "provision_s")):
                nf[i, column] = float(scaling[key]) * 1000.0
    start = 0
    for i, listed in sorted(flushes.items()):
        ni[i, L.N_FLUSH0], ni[i, L.N_NFLUSH] = start, len(listed)
        start += len(listed)
    return ni, nf, slots


def _faults(document: dict[str, Any], node_index: dict[str, int], edge_index: dict[str, int]
            ) -> tuple[np.ndarray, np.ndarray, dict[int, list[int]]]:
    faults = document.get("faults") or []
    fti = np.zeros((len(faults), 3), dtype=np.int64)
    ftf = np.zeros((len(faults), 4))
    flushes: dict[int, list[int]] = {}
    for i, fault in enumerate(faults):
        code = L.FAULT_TYPE_CODES[fault["type"]]
        on_edge = code in (L.FT_LATENCY_SPIKE, L.FT_PARTITION)
        fti[i, L.FT_TYPE] = code
        fti[i, L.FT_TARGET] = edge_index[fault["target"]] if on_edge else node_index[fault["target"]]
        at = float(fault["at_s"]) * 1000.0
        ftf[i, L.FTF_AT], ftf[i, L.FTF_END] = at, at + float(fault["duration_s"]) * 1000.0
        ftf[i, L.FTF_PARAM] = float(fault.get("replicas") or fault.get("factor") or fault.get("rate")
                                    or fault.get("added_ms") or 0.0)
        if code == L.FT_CACHE_FLUSH:
            ftf[i, L.FTF_RECOVERY] = float(fault["recovery_s"]) * 1000.0
            flushes.setdefault(fti[i, L.FT_TARGET], []).append(i)
    return fti, ftf, flushes


def _positions(inputs: RunInputs) -> tuple[np.ndarray, ...]:
    topo = inputs.topology
    tree = topo.positions
    pi = np.full((len(tree), L.P_COLUMNS), -1, dtype=np.int64)
    pf = np.zeros((len(tree), 2))
    cc, ac = [], []
    async_roots = {c for p in tree for c in p.async_children}
    hit_rows: list[np.ndarray] = []
    uniform_rows: list[np.ndarray] = []
    hop_rows: list[np.ndarray] = []
    for p in tree:
        pi[p.index, L.P_NODE], pi[p.index, L.P_PARENT], pi[p.index, L.P_EDGE] = p.node, p.parent, p.edge
        pi[p.index, L.P_ASYNC_ROOT] = int(p.index in async_roots)
        pf[p.index, L.PF_LATENCY] = p.latency_ms
        children = p.call_children or p.sync_children
        pi[p.index, L.P_CALL0], pi[p.index, L.P_NCALL] = len(cc), len(children)
        pi[p.index, L.P_NSYNC] = len(p.sync_children)
        fallbacks = set(p.fallback_children)
        cc += [(child, int(child in fallbacks)) for child in children]
        pi[p.index, L.P_ASYNC0], pi[p.index, L.P_NASYNC] = len(ac), len(p.async_children)
        ac += list(p.async_children)
        if p.index in inputs.hit_uniforms:
            pi[p.index, L.P_HITU] = len(uniform_rows)
            uniform_rows.append(inputs.hit_uniforms[p.index])
        elif p.index in inputs.hits:
            pi[p.index, L.P_HIT] = len(hit_rows)
            hit_rows.append(inputs.hits[p.index].view(np.int8))
        if p.index in inputs.hops:
            pi[p.index, L.P_HOP] = len(hop_rows)
            pf[p.index, L.PF_SIGMA] = p.hop_time().sigma
            hop_rows.append(inputs.hops[p.index])
    n = len(inputs.arrivals)
    hb = np.vstack(hit_rows) if hit_rows else np.zeros((1, 1), dtype=np.int8)
    hu = np.vstack(uniform_rows) if uniform_rows else np.zeros((1, 1))
    hop = np.vstack(hop_rows) if hop_rows else np.zeros((1, 1))
    cc_table = np.array(cc, dtype=np.int64).reshape(-1, 2) if cc else np.zeros((1, 2), dtype=np.int64)
    ac_table = np.array(ac, dtype=np.int64) if ac else np.zeros(1, dtype=np.int64)
    del n
    return pi, pf, cc_table, ac_table, hb, hu, hop


def _llm_tables(inputs: RunInputs, ni: np.ndarray, capacity: int) -> dict[str, np.ndarray]:
    """The LLM servers' tables, with room for `capacity` sequences; marks each LLM node's row in ni."""
    from simulator.llm_node import settings_row  # the fast path's LLM node builds the same rows

    servers = [spec for spec in inputs.topology.nodes if spec.llm is not None]
    rows, first = [], 0
    for k, spec in enumerate(servers):
        ni[spec.index, L.N_LLM] = k
        rows.append(settings_row(spec, first))
        first += spec.servers
    lli = np.array(rows, dtype=np.int64).reshape(-1, 7) if rows else np.zeros((1, 7), dtype=np.int64)
    ln, qb, ri, run, si = llm.new_tables(lli if rows else lli[:0], capacity, capacity)
    lsq = np.zeros((capacity, 4), dtype=np.int64)
    _free_list(lsq, L.Q_FREE)
    n = len(inputs.arrivals)
    return {
        "LLI": lli, "LLP": (np.array([spec.llm.cost for spec in servers]) if servers else np.ones((1, 10))),
        "LLN": ln, "LQB": qb, "LRI": ri, "LRUN": run, "LSI": si, "LSAD": np.zeros(capacity),
        "LSF": np.zeros((capacity, 3)), "LSQ": lsq, "LLT": np.zeros((max(len(servers), 1), 4)),
        "LROWS": np.zeros((max(len(servers), 1), 3, NODE_SERIES_POINTS)), "LRB": np.zeros(ri.shape[0]),
        "LFIG": np.zeros((capacity, 4)), "LFIGN": np.zeros(capacity, dtype=np.int64),
        "LOV": np.zeros(2 * run.shape[1], dtype=np.int64), "LOW": np.zeros(2 * run.shape[1], dtype=np.int64),
        "LNODE": np.array([spec.index for spec in servers] or [0], dtype=np.int64),
        "TOKP": inputs.prompt_tokens if inputs.prompt_tokens is not None else np.zeros(max(n, 1), dtype=np.int64),
        "TOKO": inputs.output_tokens if inputs.output_tokens is not None else np.zeros(max(n, 1), dtype=np.int64),
        "STREAM": np.array([int(inputs.streaming)], dtype=np.int64),
    }


def _pause_windows(inputs: RunInputs, ni: np.ndarray) -> np.ndarray:
    """Every node's pause windows in one table, each node's rows located by N_PAUSE0 and N_NPAUSE."""
    rows = [np.zeros((0, 2))]
    start = 0
    for node, windows in sorted(inputs.pauses.items()):
        ni[node, L.N_PAUSE0], ni[node, L.N_NPAUSE] = start, len(windows)
        rows.append(windows)
        start += len(windows)
    table = np.vstack(rows)
    return table if len(table) else np.zeros((1, 2))


def build_state(inputs: RunInputs, capacity: int = 4096) -> tuple[State, dict[int, int]]:
    """The State for a run, with its tables sized for `capacity` frames in flight (they grow as needed)."""
    topo, document = inputs.topology, inputs.document
    n_nodes = len(topo.nodes)
    node_index = {spec.id: spec.index for spec in topo.nodes}
    edge_index = {edge["id"]: i for i, edge in enumerate(document["edges"])}
    configs = [spec.config for spec in topo.nodes]
    fti, ftf, flushes = _faults(document, node_index, edge_index)
    ni, nf, slots = _nodes(inputs, configs, flushes)
    ei, ef = _edges(document)
    pi, pf, cc, ac, hb, hu, hop = _positions(inputs)
    lo, hi = inputs.window
    bucket_ms = max((hi - lo) / NODE_SERIES_POINTS, 1e-9)
    n = len(inputs.arrivals)
    max_batch = int(ni[:, L.N_BATCH].max(initial=1))
    g = np.zeros(22, dtype=np.int64)
    gf = np.zeros(5)
    gf[L.GF_LO], gf[L.GF_HI], gf[L.GF_BUCKET_MS] = lo, hi, bucket_ms
    gf[L.GF_LAST_ARRIVAL] = float(inputs.arrivals[-1]) if n else 0.0
    nsi = np.zeros((n_nodes, 16), dtype=np.int64)
    nsi[:, L.S_ACTIVE] = ni[:, L.N_REPLICAS]
    nsi[:, L.S_TOTAL] = ni[:, L.N_REPLICAS] * ni[:, L.N_CONC]
    nsi[:, L.S_QHEAD] = nsi[:, L.S_QTAIL] = nsi[:, L.S_JHEAD] = -1
    nsf = np.zeros((n_nodes, 12))
    nsf[:, L.SF_WAKE_AT] = math.nan
    nsf[:, L.SF_SLOW] = nsf[:, L.SF_ERRKEEP] = 1.0
    nsf[:, L.SF_TOKENS] = nf[:, L.NF_RL_BURST]
    nsf[:, L.SF_LAST_UP] = nsf[:, L.SF_LAST_DOWN] = -math.inf
    esi = np.zeros((ei.shape[0], 4), dtype=np.int64)
    esi[:, L.ES_PROBE_CALL] = -1
    windows = np.zeros((ei.shape[0], L.WINDOW_BUCKETS, 3), dtype=np.int64)
    windows[:, :, L.W_ID] = -(1 << 40)
    frames_i = np.zeros((capacity, 14), dtype=np.int64)
    calls_i = np.zeros((capacity, 9), dtype=np.int64)
    jobs_i = np.zeros((capacity, 7), dtype=np.int64)
    _free_list(frames_i, L.F_FREE)
    _free_list(calls_i, L.C_FREE)
    _free_list(jobs_i, L.J_FREE)
    sample_slots = max(len(slots), 1)
    streams = len(document["edges"]) + n_nodes
    state = State(
        G=g, GF=gf, ARR=inputs.arrivals,
        ENTRY=(inputs.entry.astype(np.int64) if inputs.entry is not None else np.zeros(0, dtype=np.int64)),
        ROOTS=np.array(topo.roots, dtype=np.int64), PI=pi, PF=pf, CC=cc, AC=ac, NI=ni, NF=nf, NSI=nsi, NSF=nsf,
        NTI=np.zeros((n_nodes, L.T_FAILS + REASON_COUNT), dtype=np.int64), NTF=np.zeros((n_nodes, 3)),
        NB_BUSY=np.zeros((n_nodes, NODE_SERIES_POINTS)), NB_ERR=np.zeros((n_nodes, NODE_SERIES_POINTS)),
        NB_REPL=np.zeros((n_nodes, NODE_SERIES_POINTS)), EI=ei, EF=ef, ESI=esi, ESF=np.zeros((ei.shape[0], 2)),
        EST=np.zeros((ei.shape[0], L.ET_FAILS + REASON_COUNT), dtype=np.int64), CBW=windows.copy(),
        RBW=windows.copy(), FTI=fti, FTF=ftf,
        FLUSH=np.array([i for _, listed in sorted(flushes.items()) for i in listed] or [0], dtype=np.int64),
        FI=frames_i, FF=np.zeros((capacity, 3)), CI=calls_i, CF=np.zeros((capacity, 1)), JI=jobs_i,
        JF=np.zeros((capacity, 2)), HT=np.zeros(capacity), HK=np.zeros(capacity, dtype=np.int64),
        HPA=np.zeros(capacity, dtype=np.int64), HPB=np.zeros(capacity, dtype=np.int64),
        NWK=np.zeros(capacity, dtype=np.int64), NWA=np.zeros(capacity, dtype=np.int64),
        NWB=np.zeros(capacity, dtype=np.int64),
        SV=np.zeros((n_nodes, SERVICE_CHUNK)), SVP=np.zeros((n_nodes, 2), dtype=np.int64),
        BT=np.zeros((sample_slots, max_batch + 1, BATCH_CHUNK)),
        BTP=np.zeros((sample_slots, max_batch + 1, 2), dtype=np.int64),
        RNG=seeded_states(inputs.event_rng, streams), HB=hb, HU=hu, HOP=hop, PW=_pause_windows(inputs, ni),
        FATE=np.full(n, np.nan), STATUS=np.full(n, IN_FLIGHT, dtype=np.int8), DEG=np.zeros(n, dtype=np.int8),
        WV=np.zeros(capacity, dtype=np.float32), WN=np.zeros(capacity, dtype=np.int64),
        RST=np.zeros(MAX_SERIES), RSI=np.zeros((MAX_SERIES, 3), dtype=np.int64),
        BTT=np.zeros(MAX_SERIES), BTI=np.zeros((MAX_SERIES, 2), dtype=np.int64),
        **_llm_tables(inputs, ni, capacity),
        DS=np.zeros(max(n_nodes, 1), dtype=np.int64), NQ=np.zeros((4 * (max_batch + 1) * 64 + 4096, 6),
                                                                   dtype=np.int64),
    )
    g[L.G_FFREE] = g[L.G_CFREE] = g[L.G_JFREE] = 0
    g[L.G_NREPL] = 0
    return state, slots


def _grown(table: np.ndarray, rows: int, free_column: int | None) -> np.ndarray:
    bigger = np.zeros((rows, *table.shape[1:]), dtype=table.dtype)
    bigger[:table.shape[0]] = table
    if free_column is not None:
        _free_list(bigger, free_column, table.shape[0])
    return bigger


def _repacked_queues(ln: np.ndarray, qb: np.ndarray, capacity: int) -> np.ndarray:
    """The LLM queues' ring buffers moved into larger ones, each from its head at slot 0 (ln updated)."""
    bigger = np.zeros((qb.shape[0], capacity), dtype=qb.dtype)
    for node in range(qb.shape[0]):
        head, waiting = int(ln[node, llm.Q_HEAD]), int(ln[node, llm.Q_WAITING])
        bigger[node, :waiting] = qb[node, (head + np.arange(waiting)) % qb.shape[1]]
        ln[node, llm.Q_HEAD], ln[node, llm.Q_TAIL] = 0, waiting
    return bigger


def grow(state: State, headroom: int) -> State:
    """A State whose full tables are twice as large (at least `headroom` rows free), everything kept."""
    g = state.G
    changes: dict[str, np.ndarray] = {}

    def bigger(name: str, used: int, free_column: int | None, free_head: int | None) -> None:
        table = getattr(state, name)
        if table.shape[0] - used >= headroom:
            return
        rows = max(2 * table.shape[0], used + 2 * headroom)
        grown = _grown(table, rows, free_column)
        if free_column is not None:
            # The new rows go in front of the old free list (whatever is left of it).
            grown[rows - 1, free_column] = g[free_head]
            g[free_head] = table.shape[0]
        changes[name] = grown

    bigger("FI", int(g[L.G_FUSED]), L.F_FREE, L.G_FFREE)
    if "FI" in changes:
        changes["FF"] = _grown(state.FF, changes["FI"].shape[0], None)
    bigger("CI", int(g[L.G_CUSED]), L.C_FREE, L.G_CFREE)
    if "CI" in changes:
        changes["CF"] = _grown(state.CF, changes["CI"].shape[0], None)
    bigger("JI", int(g[L.G_JUSED]), L.J_FREE, L.G_JFREE)
    if "JI" in changes:
        changes["JF"] = _grown(state.JF, changes["JI"].shape[0], None)
    bigger("HT", int(g[L.G_HSIZE]), None, None)
    if "HT" in changes:
        for name in ("HK", "HPA", "HPB"):
            changes[name] = _grown(getattr(state, name), changes["HT"].shape[0], None)
    bigger("NWK", int(g[L.G_NOWN]), None, None)
    if "NWK" in changes:
        for name in ("NWA", "NWB"):
            changes[name] = _grown(getattr(state, name), changes["NWK"].shape[0], None)
    bigger("LSQ", int(g[L.G_SUSED]), L.Q_FREE, L.G_SFREE)
    if "LSQ" in changes:
        rows = changes["LSQ"].shape[0]
        for name in ("LSI", "LSAD", "LSF"):
            changes[name] = _grown(getattr(state, name), rows, None)
        changes["LQB"] = _repacked_queues(state.LLN, state.LQB, rows)
    bigger("LFIG", int(g[L.G_NFIG]), None, None)
    if "LFIG" in changes:
        changes["LFIGN"] = _grown(state.LFIGN, changes["LFIG"].shape[0], None)
    bigger("WV", int(g[L.G_NWAITS]), None, None)
    if "WV" in changes:
        changes["WN"] = _grown(state.WN, changes["WV"].shape[0], None)
    return state._replace(**changes)
