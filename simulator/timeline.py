"""What happened over a run's time: each node's timeline and each fault's impact and recovery.

A node's timeline has NODE_SERIES_POINTS buckets over the measured window: its utilisation (busy
server time over the server time it had), its failed visits, and for an autoscaled node the
replicas it held. A fault's impact is read from the run's per-second series: the requests that
failed while it was active, and the time from its end until the per-second P99 and error share
are back to what they were before it (P99 within 10% of the median second before the fault, the
error share within 10% of it or 0.1 percentage point, whichever is larger) for three seconds in a
row, or the end of the run if they never are.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from simulator.outcome import Outcome, RunInputs
from simulator.stats import NODE_SERIES_POINTS, bucket_width

RECOVERED_FOR_S = 3  # consecutive seconds back within the tolerance
P99_TOLERANCE = 0.10
ERROR_TOLERANCE = 0.10
ERROR_FLOOR = 0.001
BASELINE_S = 10  # seconds before a fault that give its baseline


def node_timeline(outcome: Outcome, inputs: RunInputs) -> dict[str, Any]:
    """Per node and bucket: utilisation, failed visits and (autoscaled) replicas."""
    width = bucket_width(inputs.window)
    lo = inputs.window[0]
    nodes = {}
    for spec in inputs.topology.nodes:
        series = outcome.node_series.get(spec.id)
        if series is None or spec.servers == 0:
            continue
        row: dict[str, list] = {}
        if "replica_ms" in series:
            held = series["replica_ms"] * int(spec.config.get("concurrency", 1))
            row["utilization"] = np.divide(series["busy_ms"], held, out=np.zeros_like(held), where=held > 0).tolist()
            row["replicas"] = (series["replica_ms"] / width).tolist()
        else:
            row["utilization"] = (series["busy_ms"] / (spec.servers * width)).tolist()
        row["errors"] = [int(v) for v in series["errors"]]
        if "kv_token_ms" in series:  # an LLM server: mean KV tokens held and sequences running, per replica
            row["kv_tokens"] = (series["kv_token_ms"] / (width * spec.servers)).tolist()
            row["running"] = (series["running_ms"] / (width * spec.servers)).tolist()
        nodes[spec.id] = row
    return {"bucket_s": width / 1000.0,
            "t_s": [(k * width) / 1000.0 for k in range(NODE_SERIES_POINTS)], "start_s": lo / 1000.0,
            "nodes": nodes}


def _within(p99: float, errors: float, base_p99: float, base_errors: float) -> bool:
    p99_ok = np.isnan(p99) or np.isnan(base_p99) or p99 <= base_p99 * (1 + P99_TOLERANCE)
    return bool(p99_ok and errors <= max(base_errors * (1 + ERROR_TOLERANCE), base_errors + ERROR_FLOOR))


def fault_impacts(faults: list[dict[str, Any]], timeseries: list[dict[str, Any]], warmup_s: float,
                  fates: tuple[np.ndarray, np.ndarray]) -> list[dict[str, Any]]:
    """Each fault's failed requests while it was active and its recovery time (simulated seconds).

    `timeseries` is the run's per-bucket series, its `t_s` counted from the end of the warm-up;
    `fates` are (failure time in ms, failed?) per request.
    """
    if not faults or not timeseries:
        return []
    starts = np.array([row["t_s"] for row in timeseries]) + warmup_s
    width = starts[1] - starts[0] if len(starts) > 1 else 1.0
    arrivals = np.array([row["arrivals"] for row in timeseries], dtype=float)
    failures = np.array([row["dropped"] + row["errors"] for row in timeseries], dtype=float)
    share = np.divide(failures, arrivals, out=np.zeros_like(failures), where=arrivals > 0)
    p99 = np.array([np.nan if row["p99_ms"] is None else row["p99_ms"] for row in timeseries], dtype=float)
    fate_ms, failed = fates
    impacts = []
    for fault in faults:
        at, end = fault["at_s"], fault["at_s"] + fault["duration_s"] + fault.get("recovery_s", 0.0)
        before = (starts >= at - BASELINE_S) & (starts + width <= at)
        base_p99 = float(np.nanmedian(p99[before])) if before.any() and not np.isnan(p99[before]).all() else np.nan
        base_errors = float(np.median(share[before])) if before.any() else 0.0
        active = failed & (fate_ms >= at * 1000.0) & (fate_ms < end * 1000.0)
        recovered_at = None
        after = np.flatnonzero(starts >= end)
        run = 0
        for k in after:
            run = run + 1 if _within(p99[k], share[k], base_p99, base_errors) else 0
            if run * width >= RECOVERED_FOR_S:
                recovered_at = float(starts[k - run + 1])
                break
        impacts.append({
            "id": fault["id"], "type": fault["type"], "target": fault["target"], "at_s": at, "end_s": end,
            "failed_while_active": int(np.count_nonzero(active)),
            "p99_before_ms": None if np.isnan(base_p99) else base_p99, "error_share_before": base_errors,
            "recovered_at_s": recovered_at,
            "recovery_s": None if recovered_at is None else max(recovered_at - end, 0.0),
        })
    return impacts
