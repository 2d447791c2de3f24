"""Autoscaling through a day: replicas follow the load, and the day costs the replica-hours held."""

from __future__ import annotations

import math

import numpy as np
import pytest

from simulator import SimulationError, run
from tests.simulator.boards import chain, exp, node

SCALING = {"min_replicas": 1, "max_replicas": 12, "metric": "utilization", "target": 0.6, "evaluation_s": 60,
           "scale_up_cooldown_s": 0, "scale_down_cooldown_s": 300, "provision_s": 120}


def day(compression: float = 200.0, scaling: dict | None = None, replicas: int = 3) -> dict:
    """A day of diurnal load (80 to 400 req/s) on a service of Exp(10 ms) per request (100 req/s a replica)."""
    service = node("svc", servers=replicas, service=exp(10.0), autoscaling=scaling or dict(SCALING))
    service["config"]["instance"] = "c6i.large"
    return chain(service, rps=400, arrival="diurnal", diurnal_period_s=86_400, diurnal_min_fraction=0.2,
                 duration_s=86_400, warmup_s=600, time_compression=compression)


def test_an_autoscaled_node_tracks_a_diurnal_load_with_fewer_replica_hours_than_its_peak():
    results = run(day(), seed=31)
    timeline = results.node_timeseries
    replicas = np.array(timeline["nodes"]["svc"]["replicas"])
    # The load at each bucket's middle: rps x (f + (1 - f)(1 - cos(2 pi t / P)) / 2), the diurnal cosine.
    t = timeline["start_s"] + np.array(timeline["t_s"]) + timeline["bucket_s"] / 2
    load = 400 * (0.2 + 0.8 * (1 - np.cos(2 * math.pi * t / 86_400)) / 2)
    # Replicas follow the load a few evaluations behind: strongly correlated, and at the peak near
    # the load / (capacity x target) = 400 / 60 = 6.7 replicas; far fewer at night.
    assert np.corrcoef(replicas, load)[0, 1] > 0.9
    assert 6 <= replicas.max() <= 9 and replicas.min() <= 3
    # Replica-hours: fewer than sizing for the peak (and than max_replicas) all day.
    entry = results.cost["by_node"]["svc"]
    assert entry["monthly_usd"] < 0.8 * entry["peak_sizing_usd"]
    assert replicas.mean() < 0.8 * replicas.max() < SCALING["max_replicas"]
    assert results.availability == 1.0 and results.latency_ms.p99 < 100
    assert results.run["time_compression"] == 200 and results.run["represents_s"] == pytest.approx(86_400)


def test_time_compression_keeps_what_each_moment_of_the_day_looks_like():
    # The same day compressed 200 and 400 times: the load at each moment is the same, so mean
    # replicas and the latency of a typical request agree within their sampling noise.
    coarse, fine = run(day(400), seed=32), run(day(200), seed=32)
    mean = [np.mean(r.node_timeseries["nodes"]["svc"]["replicas"]) for r in (coarse, fine)]
    assert mean[0] == pytest.approx(mean[1], rel=0.1)
    assert coarse.latency_ms.p50 == pytest.approx(fine.latency_ms.p50, rel=0.1)
    assert coarse.requests.arrived == pytest.approx(fine.requests.arrived / 2, rel=0.02)


def test_a_day_uncompressed_is_refused_with_the_way_out_named():
    with pytest.raises(SimulationError, match="time_compression") as error:
        run(day(1), seed=1)
    assert error.value.path == "traffic.duration_s"


def test_provisioning_delay_leaves_the_rising_load_to_queue_until_new_replicas_serve():
    # Through the morning the load rises faster than replicas that take 600 s to start can follow,
    # so requests queue on the replicas already serving; replicas that serve at once keep the P99 lower.
    slow, quick = (run(day(scaling={**SCALING, "provision_s": p}), seed=33) for p in (600, 0))
    assert slow.latency_ms.p99 > quick.latency_ms.p99
