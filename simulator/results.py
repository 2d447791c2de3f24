"""The results record of a run: frozen dataclasses assembled from per-request fates and node stats.

`build_results` is the one place the record is put together: the cost model adds its `cost`
section and per-node `model` information there (through dataclasses.replace on the record or
the `cost` and `node_models` arguments), without touching the engine.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from simulator.arrivals import mean_rate_rps
from simulator.attribution import limit
from simulator.outcome import COMPLETED, Outcome, RunInputs
from simulator.reasons import DROP_REASONS, ERROR_REASONS
from simulator.stats import NodeStats, p99_interval
from simulator.timeline import fault_impacts, node_timeline

HISTOGRAM_BINS = 50
MAX_TIMESERIES_POINTS = 600  # longer runs get buckets of several seconds
MAX_DROP_SHARE = 0.01  # above this the peak_rps requirement is not met
FEW_REQUESTS = 1000
UNFINISHED_SHARE = 0.01  # above this the run is said to be overloaded


@dataclass(frozen=True)
class LatencySummary:
    mean: float
    p50: float
    p90: float
    p95: float
    p99: float
    p999: float
    max: float
    p99_ci95: tuple[float, float]


@dataclass(frozen=True)
class RequestCounts:
    """arrived = completed + dropped + failed + in_flight; degraded ones are among the completed."""

    arrived: int
    completed: int
    dropped: int
    in_flight: int
    failed: int = 0
    degraded: int = 0


@dataclass(frozen=True)
class Results:
    latency_ms: LatencySummary
    throughput_rps: float
    requests: RequestCounts
    drops: dict[str, int]
    nodes: dict[str, NodeStats]
    timeseries: list[dict[str, Any]]
    histogram: dict[str, Any]
    bottleneck: dict[str, Any] | None
    slo: dict[str, dict[str, Any]]
    warnings: list[dict[str, Any]]
    run: dict[str, Any]
    cost: dict[str, Any] | None = None
    node_models: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, int] = field(default_factory=dict)  # failed requests by reason
    availability: float | None = None  # completed (degraded included) over measured requests
    degraded_share: float = 0.0
    unfinished_share: float = 0.0  # measured requests not answered when the run ended
    goodput_rps: float = 0.0  # completed within the P99 SLO, per second (all completed with no SLO)
    node_timeseries: dict[str, Any] = field(default_factory=dict)
    edges: dict[str, Any] = field(default_factory=dict)
    breaker_changes: list[dict[str, Any]] = field(default_factory=list)
    replica_changes: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    faults: list[dict[str, Any]] = field(default_factory=list)
    llm: dict[str, Any] = field(default_factory=dict)  # per LLM server: TTFT, TPOT, tokens per second...

    def to_dict(self) -> dict[str, Any]:
        """The results as JSON-ready data (NaN and infinity become null)."""
        data = asdict(self)
        for node_id, model in data.pop("node_models").items():
            data["nodes"][node_id]["model"] = model
        if data["cost"] is None:
            del data["cost"]
        return _json_safe(data)


def _json_safe(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_json_safe(v) for v in value]
    if isinstance(value, (float, np.floating)):
        return float(value) if math.isfinite(value) else None
    if isinstance(value, np.integer):
        return int(value)
    return value


def _counts(times: np.ndarray, mask: np.ndarray | None, lo: float, width_s: float, count: int) -> np.ndarray:
    """How many of the (masked) times fall in each of `count` buckets from lo, a million at a time."""
    total = np.zeros(count, dtype=np.int64)
    span = (lo, lo + count * width_s * 1000.0)
    for start in range(0, len(times), 1 << 20):
        part = times[start:start + (1 << 20)]
        if mask is not None:
            part = part[mask[start:start + (1 << 20)]]
        total += np.histogram(part, count, range=span)[0]
    return total


def _fates_in_window(arrival: np.ndarray, fate: np.ndarray, status: np.ndarray,
                     window: tuple[float, float]) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
    """Masks of the measured requests completed, dropped and failed by the horizon, and how many arrived."""
    lo, hi = window
    done, dropped, failed = (np.empty(len(fate), dtype=bool) for _ in range(3))
    drop_codes = np.array(list(DROP_REASONS), dtype=np.int8)
    arrived = 0
    for start in range(0, len(fate), 1 << 20):
        rows = slice(start, start + (1 << 20))
        measured = arrival[rows] >= lo
        settled = measured & (fate[rows] <= hi)
        done[rows] = settled & (status[rows] == COMPLETED)
        shed = np.isin(status[rows], drop_codes)
        dropped[rows] = settled & shed
        failed[rows] = settled & (status[rows] > 0) & ~shed
        arrived += int(np.count_nonzero(measured))
    return done, dropped, failed, arrived


def _masked_difference(fate: np.ndarray, arrival: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """(fate - arrival)[mask], a million rows at a time so no full-size temporary is made."""
    out = np.empty(int(np.count_nonzero(mask)))
    filled = 0
    for lo in range(0, len(mask), 1 << 20):
        rows = slice(lo, lo + (1 << 20))
        part = fate[rows][mask[rows]] - arrival[rows][mask[rows]]
        out[filled:filled + len(part)] = part
        filled += len(part)
    return out


def _latency_summary(latencies: np.ndarray, interval: tuple[float, float]) -> LatencySummary:
    """Summary of the latencies; reorders them in place (no copy of them)."""
    if len(latencies) == 0:
        return LatencySummary(*([math.nan] * 7), p99_ci95=(math.nan, math.nan))
    mean, top = float(latencies.mean()), float(latencies.max())
    p50, p90, p95, p99, p999 = np.percentile(latencies, [50, 90, 95, 99, 99.9], overwrite_input=True)
    interval = (min(interval[0], float(p99)), max(interval[1], float(p99)))  # always holds the estimate
    return LatencySummary(mean, float(p50), float(p90), float(p95), float(p99), float(p999), top, interval)


def _timeseries(arrival: np.ndarray, fate: np.ndarray, done: np.ndarray, dropped: np.ndarray,
                failed: np.ndarray, latencies: np.ndarray, window: tuple[float, float]) -> list[dict[str, Any]]:
    """Per second (or per few seconds for long runs): arrivals, completions, drops and errors at
    their times, and the P99 latency of the requests that arrived in it.

    The latencies are in arrival order, so each bucket's are a contiguous slice; each slice is
    partitioned in place for its P99 (the order inside a slice is lost, nothing else).
    """
    lo, hi = window
    width_s = max(1, math.ceil((hi - lo) / 1000.0 / MAX_TIMESERIES_POINTS))
    count = max(1, math.ceil((hi - lo) / 1000.0 / width_s))
    edges = lo + np.arange(count + 1) * width_s * 1000.0
    arrivals = _counts(arrival, None, lo, width_s, count)
    drops = _counts(fate, dropped, lo, width_s, count)
    errors = _counts(fate, failed, lo, width_s, count)
    completions = _counts(fate, done, lo, width_s, count)
    rows = np.searchsorted(arrival, edges)
    bounds = np.cumsum([0] + [np.count_nonzero(done[a:b]) for a, b in zip(rows[:-1], rows[1:])])
    bounds += np.count_nonzero(done[:rows[0]])
    series = []
    for k in range(count):
        chunk = latencies[bounds[k]:bounds[k + 1]]
        p99 = float(np.percentile(chunk, 99, overwrite_input=True)) if len(chunk) else math.nan
        series.append({"t_s": (edges[k] - lo) / 1000.0, "arrivals": int(arrivals[k]),
                       "completions": int(completions[k]), "dropped": int(drops[k]), "errors": int(errors[k]),
                       "p99_ms": p99})
    return series


def _histogram(latencies: np.ndarray, latency: LatencySummary) -> dict[str, Any]:
    """Latency counts in equal bins up to the P99.9, and how many lie above it."""
    if len(latencies) == 0:
        return {"edges_ms": [], "counts": [], "above": 0}
    top = latency.p999 or latency.max or 1.0
    counts, edges = np.histogram(latencies, HISTOGRAM_BINS, range=(0.0, top))
    return {"edges_ms": edges.tolist(), "counts": counts.tolist(), "above": int(np.count_nonzero(latencies > top))}


def _warnings(nodes: dict[str, NodeStats], measured: int, unfinished: int) -> list[dict[str, Any]]:
    found = []
    if measured and unfinished / measured > UNFINISHED_SHARE:
        found.append({"code": "overloaded", "node": None, "unfinished_share": unfinished / measured,
                      "message": f"{unfinished / measured:.0%} of the measured requests had not been answered when "
                                 "the run ended: the board cannot keep up, and its latency figures are of the "
                                 "requests that did complete"})
    for node_id, s in nodes.items():
        if s.capacity_rps is not None and s.offered_rps >= s.capacity_rps:
            found.append({"code": "unstable", "node": node_id,
                          "offered_rps": s.offered_rps, "capacity_rps": s.capacity_rps,
                          "message": f"{node_id} is unstable: offered {s.offered_rps:.1f} req/s against a capacity "
                                     f"of {s.capacity_rps:.1f} req/s, so its queue grows without bound "
                                     "(add replicas or concurrency, or bound the queue)"})
    if measured < FEW_REQUESTS:
        found.append({"code": "few_requests", "node": None,
                      "message": f"only {measured} requests were measured after the warm-up; "
                                 "percentiles are rough (run longer or with more requests)"})
    return found


def _slo(requirements: dict[str, Any], latency: LatencySummary, throughput: float, offered_rps: float,
         drop_share: float, unstable: bool) -> dict[str, dict[str, Any]]:
    verdicts: dict[str, dict[str, Any]] = {}
    if requirements.get("p99_ms") is not None:
        target = requirements["p99_ms"]
        verdicts["p99_ms"] = {"target": target, "actual": latency.p99, "ci95": list(latency.p99_ci95),
                              "passed": bool(latency.p99 <= target),
                              "confident": bool(latency.p99_ci95[1] <= target or latency.p99_ci95[0] > target)}
    if requirements.get("peak_rps") is not None:
        target = requirements["peak_rps"]
        passed = offered_rps >= target * (1 - MAX_DROP_SHARE) and drop_share <= MAX_DROP_SHARE and not unstable
        note = ("the board carried the offered traffic" if passed else
                f"the run offered {offered_rps:.0f} req/s, below the peak; set the simulated traffic "
                "(traffic.rps) to the peak to test it"
                if offered_rps < target * (1 - MAX_DROP_SHARE) else
                "requests were dropped or a node is unstable at this rate")
        verdicts["peak_rps"] = {"target": target, "actual": throughput, "passed": bool(passed), "note": note}
    return verdicts


def build_results(document: dict[str, Any], inputs: RunInputs, outcome: Outcome, seed: int,
                  cost: dict[str, Any] | None = None, node_models: dict[str, Any] | None = None) -> Results:
    """Assemble the record: end-to-end figures from request fates, per-node figures as computed."""
    lo, hi = inputs.window
    arrival, fate, status = inputs.arrivals, outcome.fate_ms, outcome.status
    done, dropped, failed, arrived = _fates_in_window(arrival, fate, status, inputs.window)
    latencies = _masked_difference(fate, arrival, done)
    degraded = int(np.count_nonzero(done & outcome.degraded)) if outcome.degraded is not None else 0
    counts = RequestCounts(arrived=arrived, completed=int(done.sum()), dropped=int(dropped.sum()),
                           failed=int(failed.sum()), degraded=degraded,
                           in_flight=arrived - int(done.sum()) - int(dropped.sum()) - int(failed.sum()))
    drops = {name: int(np.count_nonzero(dropped & (status == code))) for code, name in DROP_REASONS.items()}
    errors = {name: int(np.count_nonzero(failed & (status == code))) for code, name in ERROR_REASONS.items()}
    span_s = (hi - lo) / 1000.0
    throughput = counts.completed / span_s
    target = document["requirements"].get("p99_ms")
    goodput = float(np.count_nonzero(latencies <= target)) / span_s if target is not None else throughput
    interval = p99_interval(latencies)  # needs arrival order: before the in-place partitions below
    timeseries = _timeseries(arrival, fate, done, dropped, failed, latencies, inputs.window)
    latency = _latency_summary(latencies, interval)
    histogram = _histogram(latencies, latency)
    nodes = {spec.id: outcome.nodes[spec.id] for spec in inputs.topology.nodes if spec.id in outcome.nodes}
    warnings = _warnings(nodes, counts.arrived, counts.in_flight)
    traffic = document["traffic"]
    offered = mean_rate_rps(traffic, hi)
    slo = _slo(document["requirements"], latency, throughput, offered,
               (counts.dropped + counts.failed) / max(counts.arrived, 1),
               any(w["code"] == "unstable" for w in warnings))
    # Where the P99 is spent (or, passing, the least room): simulator/attribution.py says how.
    bottleneck = limit(inputs.topology, nodes, edge_ids=[edge["id"] for edge in document["edges"]], slo=slo,
                       p99_ms=latency.p99, unstable=[w["node"] for w in warnings if w["code"] == "unstable"],
                       drop_share=(counts.dropped + counts.failed) / max(counts.arrived, 1), llm=outcome.llm,
                       streaming=bool(traffic.get("streaming")),
                       labels={n["id"]: n.get("label") or n["id"] for n in document["nodes"]}, offered_rps=offered)
    impacts = fault_impacts(document.get("faults") or [], timeseries, lo / 1000.0, (fate, status > 0))
    return Results(
        latency_ms=latency, throughput_rps=throughput, requests=counts, drops=drops, nodes=nodes,
        timeseries=timeseries, histogram=histogram, bottleneck=bottleneck, slo=slo, warnings=warnings,
        run={"seed": seed, "engine": outcome.path, "simulated_s": hi / 1000.0, "warmup_s": lo / 1000.0,
             "measured_s": span_s, "requests_simulated": int(len(arrival)), "offered_rps": offered},
        cost=cost, node_models=node_models or {}, errors=errors,
        availability=counts.completed / counts.arrived if counts.arrived else None,
        degraded_share=degraded / counts.arrived if counts.arrived else 0.0,
        unfinished_share=counts.in_flight / counts.arrived if counts.arrived else 0.0, goodput_rps=goodput,
        node_timeseries=node_timeline(outcome, inputs), edges=outcome.edges, breaker_changes=outcome.breaker_changes,
        replica_changes=outcome.replica_changes, faults=impacts,
        # Sequences waiting for a place in a running batch are the LLM server's queue.
        llm={node_id: {**figures, "mean_queued_sequences": nodes[node_id].mean_queue_length if node_id in nodes else 0.0}
             for node_id, figures in outcome.llm.items()},
    )
