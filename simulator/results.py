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
from simulator.outcome import COMPLETED, Outcome, RunInputs
from simulator.stats import REASONS, NodeStats, p99_interval

HISTOGRAM_BINS = 50
MAX_TIMESERIES_POINTS = 600  # longer runs get buckets of several seconds
MAX_DROP_SHARE = 0.01  # above this the peak_rps requirement is not met
FEW_REQUESTS = 1000


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
    arrived: int
    completed: int
    dropped: int
    in_flight: int


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


def _latency_summary(latencies: np.ndarray) -> LatencySummary:
    if len(latencies) == 0:
        return LatencySummary(*([math.nan] * 7), p99_ci95=(math.nan, math.nan))
    p50, p90, p95, p99, p999 = np.percentile(latencies, [50, 90, 95, 99, 99.9])
    return LatencySummary(float(latencies.mean()), float(p50), float(p90), float(p95), float(p99),
                          float(p999), float(latencies.max()), p99_interval(latencies))


def _timeseries(arrival: np.ndarray, fate: np.ndarray, status: np.ndarray, window: tuple[float, float]) -> list[dict[str, Any]]:
    lo, hi = window
    width_s = max(1, math.ceil((hi - lo) / 1000.0 / MAX_TIMESERIES_POINTS))
    count = max(1, math.ceil((hi - lo) / 1000.0 / width_s))
    edges = lo + np.arange(count + 1) * width_s * 1000.0
    done = (status == COMPLETED) & (fate <= hi)
    arrivals = np.histogram(arrival, edges)[0]
    completions = np.histogram(fate[done], edges)[0]
    drops = np.histogram(fate[(status > 0) & (fate <= hi)], edges)[0]
    bucket = np.searchsorted(edges, fate[done], side="right") - 1
    latency = (fate - arrival)[done]
    order = np.argsort(bucket, kind="stable")
    bounds = np.searchsorted(bucket[order], np.arange(count + 1))
    series = []
    for k in range(count):
        chunk = latency[order[bounds[k]:bounds[k + 1]]]
        series.append({"t_s": (edges[k] - lo) / 1000.0, "arrivals": int(arrivals[k]),
                       "completions": int(completions[k]), "dropped": int(drops[k]),
                       "p99_ms": float(np.percentile(chunk, 99)) if len(chunk) else math.nan})
    return series


def _histogram(latencies: np.ndarray) -> dict[str, Any]:
    if len(latencies) == 0:
        return {"edges_ms": [], "counts": [], "above": 0}
    top = float(np.percentile(latencies, 99.9)) or float(latencies.max()) or 1.0
    counts, edges = np.histogram(latencies, HISTOGRAM_BINS, range=(0.0, top))
    return {"edges_ms": edges.tolist(), "counts": counts.tolist(), "above": int(np.count_nonzero(latencies > top))}


def _warnings(nodes: dict[str, NodeStats], measured: int) -> list[dict[str, Any]]:
    found = []
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


def _bottleneck(nodes: dict[str, NodeStats]) -> dict[str, Any] | None:
    served = {k: s for k, s in nodes.items() if s.servers > 0}
    if not served:
        return None
    node_id = max(served, key=lambda k: (served[k].utilization, served[k].mean_wait_ms))
    s = served[node_id]
    capacity = f"{s.capacity_rps:.0f} req/s" if s.capacity_rps is not None else "unbounded"
    why = (f"highest utilisation, {s.utilization:.0%}: offered {s.offered_rps:.0f} req/s against a capacity "
           f"of {capacity}; requests wait {s.mean_wait_ms:.2f} ms on average (P99 {s.p99_wait_ms:.2f} ms)")
    if s.dropped:
        why += f"; {s.dropped} dropped"
    return {"node": node_id, "utilization": s.utilization, "reason": why}


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
                f"the run offered {offered_rps:.0f} req/s, below the peak; raise traffic.rps to test it"
                if offered_rps < target * (1 - MAX_DROP_SHARE) else
                "requests were dropped or a node is unstable at this rate")
        verdicts["peak_rps"] = {"target": target, "actual": throughput, "passed": bool(passed), "note": note}
    return verdicts


def build_results(document: dict[str, Any], inputs: RunInputs, outcome: Outcome, seed: int,
                  cost: dict[str, Any] | None = None, node_models: dict[str, Any] | None = None) -> Results:
    """Assemble the record: end-to-end figures from request fates, per-node figures as computed."""
    lo, hi = inputs.window
    arrival, fate, status = inputs.arrivals, outcome.fate_ms, outcome.status
    measured = arrival >= lo
    finished = fate <= hi
    done = measured & (status == COMPLETED) & finished
    latencies = (fate - arrival)[done]
    dropped = measured & (status > 0) & finished
    counts = RequestCounts(arrived=int(measured.sum()), completed=int(done.sum()), dropped=int(dropped.sum()),
                           in_flight=int((measured & ~(done | dropped)).sum()))
    drops = {name: int(np.count_nonzero(dropped & (status == code))) for code, name in REASONS.items()}
    latency = _latency_summary(latencies)
    span_s = (hi - lo) / 1000.0
    throughput = counts.completed / span_s
    warnings = _warnings(outcome.nodes, counts.arrived)
    traffic = document["traffic"]
    offered = mean_rate_rps(traffic, hi)
    slo = _slo(document["requirements"], latency, throughput, offered,
               counts.dropped / max(counts.arrived, 1), any(w["code"] == "unstable" for w in warnings))
    return Results(
        latency_ms=latency, throughput_rps=throughput, requests=counts, drops=drops, nodes=outcome.nodes,
        timeseries=_timeseries(arrival[measured], fate[measured], status[measured], inputs.window),
        histogram=_histogram(latencies), bottleneck=_bottleneck(outcome.nodes), slo=slo, warnings=warnings,
        run={"seed": seed, "engine": outcome.path, "simulated_s": hi / 1000.0, "warmup_s": lo / 1000.0,
             "measured_s": span_s, "requests_simulated": int(len(arrival)), "offered_rps": offered},
        cost=cost, node_models=node_models or {},
    )
