"""The event loop engine: every board, including faults, retries, breakers, fallbacks and autoscaling.

The loop itself is compiled (simulator/events/loop.py); this module drives it: it lays the run
out into tables (state.py), calls the loop, refills the sample streams it asks for, grows tables
it fills, reports progress between calls, and turns the tables into an Outcome. It reads the
same per-node sample streams as the fast path, so on boards both can run they give the same
results.
"""

from __future__ import annotations

from simulator import llm_serving as scheduler
from simulator.events import layout as L
from simulator.llm_node import figures_of
from simulator.events.loop import prime, run
from simulator.events.state import BATCH_CHUNK, SERVICE_CHUNK, State, build_state, compiled, grow
from simulator.outcome import Outcome, RunInputs
from simulator.progress import Ticker
from simulator.reasons import DROP_REASONS, ERROR_REASONS, NODE_ERROR_REASONS
from simulator.stats import NodeStats, percentile_with_zeros

PAUSE_EVERY = 1 << 16  # events between two progress reports (and cancellation checks)
BREAKER_STATES = ("closed", "open", "half_open")


def _headroom(state: State) -> int:
    """Rows one event may need at most: a batch's frames, each sending its copies and making its calls."""
    max_batch = int(state.NI[:, L.N_BATCH].max(initial=1))
    per_frame = int(state.PI[:, L.P_NCALL].max(initial=0) + state.PI[:, L.P_NASYNC].max(initial=0)) + 2
    return 64 + 3 * max(max_batch, 1) * per_frame


def simulate_events(inputs: RunInputs, ticker: Ticker) -> Outcome:
    state, slots = build_state(inputs)
    headroom = _headroom(state)
    last = float(inputs.arrivals[-1]) if len(inputs.arrivals) and inputs.arrivals[-1] > 0 else 1.0
    ref = compiled(state)
    prime(ref)
    while True:
        code = run(ref, PAUSE_EVERY, headroom)
        if code == L.DONE:
            break
        if code == L.PAUSE:
            ticker.update(min(1.0, state.GF[L.GF_NOW] / last))
        elif code == L.GROW:
            state = grow(state, headroom)
            ref = compiled(state)
        elif code == L.NEED_SERVICE:
            node = int(state.G[L.G_NEED_A])
            state.SV[node, :] = inputs.streams[node].take(SERVICE_CHUNK)
            state.SVP[node, 0], state.SVP[node, 1] = 0, SERVICE_CHUNK
        else:  # NEED_BATCH
            node, size = int(state.G[L.G_NEED_A]), int(state.G[L.G_NEED_B])
            slot = slots[node]
            state.BT[slot, size, :] = inputs.batch_stream(node, size).take(BATCH_CHUNK)
            state.BTP[slot, size, 0], state.BTP[slot, size, 1] = 0, BATCH_CHUNK
    return _outcome(state, inputs)


def _node_stats(state: State, inputs: RunInputs) -> dict[str, NodeStats]:
    lo, hi = inputs.window
    span = hi - lo
    waits = state.WV[:state.G[L.G_NWAITS]]
    owners = state.WN[:state.G[L.G_NWAITS]]
    stats = {}
    for spec in inputs.topology.nodes:
        i = spec.index
        t, tf = state.NTI[i], state.NTF[i]
        positive = waits[owners == i]
        served = int(t[L.T_SERVED])
        drops = {name: int(t[L.T_FAILS + code]) for code, name in DROP_REASONS.items()}
        errors = {name: int(t[L.T_FAILS + code]) for code, name in NODE_ERROR_REASONS.items()}
        offered_servers = _server_ms(state, i, spec.servers, span)
        stats[spec.id] = NodeStats(
            kind=spec.kind, servers=spec.servers,
            utilization=tf[L.TF_BUSY] / offered_servers if offered_servers > 0 else 0.0,
            mean_queue_length=tf[L.TF_QUEUE_AREA] / span,
            mean_wait_ms=tf[L.TF_WAIT_SUM] / served if served else 0.0,
            p99_wait_ms=percentile_with_zeros(positive, served - len(positive), 99),
            throughput_rps=t[L.T_FINISHED] * 1000.0 / span, offered_rps=t[L.T_OFFERED] * 1000.0 / span,
            capacity_rps=inputs.capacities[i], dropped=sum(drops.values()), drops=drops,
            mean_batch_size=(t[L.T_BATCH_SUM] / t[L.T_BATCHES] if spec.batching and t[L.T_BATCHES] else None),
            failed=sum(errors.values()), errors=errors,
        )
    return stats


def _server_ms(state: State, node: int, servers: int, span: float) -> float:
    """Server-ms the node offered over the window: its servers all along, or, autoscaled, what it held."""
    if state.NI[node, L.N_AS]:
        return float(state.NB_REPL[node].sum()) * int(state.NI[node, L.N_CONC])
    return servers * span


def _edges(state: State, inputs: RunInputs) -> dict[str, dict]:
    """Per edge with calls settings, or touched by a fault: calls, attempts, retries, failures."""
    document = inputs.document
    faulted = {fault["target"] for fault in document.get("faults") or []}
    found = {}
    for i, edge in enumerate(document["edges"]):
        settings = [name for name in ("timeout_ms", "retry", "circuit_breaker") if edge.get(name) is not None]
        if not settings and edge["id"] not in faulted and edge["mode"] != "fallback":
            continue
        t = state.EST[i]
        calls = int(t[L.ET_CALLS])
        found[edge["id"]] = {
            "source": edge["source"], "target": edge["target"], "mode": edge["mode"],
            "calls": calls, "attempts": int(t[L.ET_ATTEMPTS]), "retries": int(t[L.ET_RETRIES]),
            "successes": int(t[L.ET_SUCCESSES]),
            "failures": {name: int(t[L.ET_FAILS + code]) for code, name in {**DROP_REASONS, **ERROR_REASONS}.items()
                         if t[L.ET_FAILS + code]},
            "amplification": int(t[L.ET_ATTEMPTS]) / calls if calls else None,
            "retries_refused_by_budget": int(t[L.ET_BUDGET_DENIED]),
            "breaker_changes": int(t[L.ET_TRANSITIONS]), "copies_lost": int(t[L.ET_LOST_COPIES]),
        }
    return found


def _outcome(state: State, inputs: RunInputs) -> Outcome:
    topo, document = inputs.topology, inputs.document
    compression = inputs.time_compression
    series, llm_figures = {}, {}
    for spec in topo.nodes:
        row = {"busy_ms": state.NB_BUSY[spec.index].copy(), "errors": state.NB_ERR[spec.index].copy()}
        if state.NI[spec.index, L.N_AS]:
            row["replica_ms"] = state.NB_REPL[spec.index].copy()
        k = int(state.NI[spec.index, L.N_LLM])
        if k >= 0:
            row.update(busy_ms=state.LROWS[k, 0].copy(), kv_token_ms=state.LROWS[k, 1].copy(),
                       running_ms=state.LROWS[k, 2].copy())
            mine = state.LFIGN[:state.G[L.G_NFIG]] == k
            answered = state.LFIG[:state.G[L.G_NFIG]][mine]
            r0 = int(state.LLI[k, scheduler.L_FIRST_REPLICA])
            preempted = int(state.LRI[r0:r0 + spec.servers, scheduler.R_PREEMPTED].sum())
            llm_figures[spec.id] = figures_of(spec, inputs, answered[:, 0], answered[:, 1], answered[:, 2],
                                              answered[:, 3], state.LLT[k], preempted)
        series[spec.id] = row
    names = [spec.id for spec in topo.nodes]
    changes: dict[str, list[dict]] = {}
    for k in range(int(state.G[L.G_NREPL])):
        node, active, pending = (int(v) for v in state.RSI[k])
        changes.setdefault(names[node], []).append({"t_s": state.RST[k] * compression / 1000.0,
                                                    "replicas": active, "starting": pending})
    edge_ids = [edge["id"] for edge in document["edges"]]
    breakers = [{"t_s": state.BTT[k] * compression / 1000.0, "edge": edge_ids[int(state.BTI[k, 0])],
                 "state": BREAKER_STATES[int(state.BTI[k, 1])]} for k in range(int(state.G[L.G_NTRANS]))]
    degraded = state.DEG.astype(bool) if state.DEG.any() else None
    return Outcome(fate_ms=state.FATE, status=state.STATUS, nodes=_node_stats(state, inputs), path="event",
                   node_series=series, degraded=degraded, edges=_edges(state, inputs), breaker_changes=breakers,
                   replica_changes=changes, llm=llm_figures)

