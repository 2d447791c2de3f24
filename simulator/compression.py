"""Time compression: run a board's slow clocks faster so a day fits in a run of a few million requests.

With `traffic.time_compression` k, the run simulates the document with every slow clock divided
by k: the run length and warm-up, the arrival pattern (bursts, the diurnal period), the faults'
times and durations and the autoscaler's evaluation period, cooldowns and provisioning time.
Service times, network latencies, timeouts, backoffs and the windows of circuit breakers and
retry budgets are not divided: they are the fast clocks. The request rate is unchanged, so every
moment of the day carries its real load and queues behave as they would at that moment (they
settle in milliseconds, far faster than the load changes); the autoscaler makes as many decisions
per day, with cooldowns and provisioning taking the same share of the day. What changes is the
number of requests (k times fewer: figures are rougher) and anything whose time constant lies
between the fast and the slow clocks. Reported times (time series, faults, replica changes) are
scaled back to the real clock; counts per time bucket are those of the compressed run.
"""

from __future__ import annotations

import copy
import dataclasses
from typing import Any

TRAFFIC_CLOCKS = ("duration_s", "warmup_s", "burst_on_s", "burst_off_s", "diurnal_period_s")
FAULT_CLOCKS = ("at_s", "duration_s", "recovery_s")
SCALING_CLOCKS = ("evaluation_s", "scale_up_cooldown_s", "scale_down_cooldown_s", "provision_s")


def compressed(document: dict[str, Any], k: float) -> dict[str, Any]:
    """A copy of a document (defaults filled in) with its slow clocks divided by k."""
    if k == 1:
        return document
    out = copy.deepcopy(document)
    for name in TRAFFIC_CLOCKS:
        if out["traffic"].get(name) is not None:
            out["traffic"][name] = out["traffic"][name] / k
    for fault in out.get("faults") or []:
        for name in FAULT_CLOCKS:
            if name in fault:
                fault[name] = fault[name] / k
    for node in out["nodes"]:
        scaling = node["config"].get("autoscaling")
        if scaling is not None:
            for name in SCALING_CLOCKS:
                scaling[name] = scaling[name] / k
    return out


def real_clock(results: Any, k: float) -> Any:
    """A results record with its times scaled back from the compressed run to the real clock."""
    if k == 1:
        return results
    timeline = dict(results.node_timeseries)
    if timeline:
        timeline.update(bucket_s=timeline["bucket_s"] * k, start_s=timeline["start_s"] * k,
                        t_s=[t * k for t in timeline["t_s"]])
    faults = [{**impact, **{name: impact[name] * k for name in ("at_s", "end_s", "recovered_at_s", "recovery_s")
                            if impact[name] is not None}} for impact in results.faults]
    return dataclasses.replace(
        results, timeseries=[{**row, "t_s": row["t_s"] * k} for row in results.timeseries],
        node_timeseries=timeline, faults=faults,
        run={**results.run, "time_compression": k, "represents_s": results.run["simulated_s"] * k})
