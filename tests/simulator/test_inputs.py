"""Arrival processes, service-time distributions and batch timers, each against its definition."""

from __future__ import annotations

import math
import sys
import types

import numpy as np
import pytest

from simulator import run
from simulator.arrivals import arrival_times, bursty_rates
from simulator.models.timer import ServiceTimeBatchTimer
from simulator.catalog import TRAFFIC_FIELDS
from simulator.distributions import ServiceTime, service_time
from tests.simulator.boards import chain, const, node

TRAFFIC = {f.name: f.default for f in TRAFFIC_FIELDS}


def traffic(**fields) -> dict:
    return {**TRAFFIC, **fields}


def test_constant_arrivals_are_evenly_spaced():
    times = arrival_times(traffic(rps=250, arrival="constant"), np.random.default_rng(0), count=1000)
    assert times[0] == 0
    assert np.allclose(np.diff(times), 4.0)


def test_poisson_gaps_are_exponential_with_the_mean_of_the_rate():
    # Mean gap 1/rps = 5 ms; the coefficient of variation of an exponential is 1. 200,000 gaps
    # give a standard error of 0.2% on the mean, so 1% is five standard errors.
    gaps = np.diff(arrival_times(traffic(rps=200), np.random.default_rng(1), count=200_000))
    assert gaps.mean() == pytest.approx(5.0, rel=0.01)
    assert gaps.std() / gaps.mean() == pytest.approx(1.0, rel=0.01)


def test_bursty_arrivals_keep_the_mean_rate_and_burst_at_the_factor():
    # Defaults: 1 s bursts at 3x rps, 4 s quiet at (5 - 3) / 4 = 0.5x rps: mean rps over 5 s cycles.
    shape = traffic(rps=1000, arrival="bursty")
    assert bursty_rates(shape) == (3000, 500)
    times = arrival_times(shape, np.random.default_rng(2), horizon_ms=200_000)
    in_burst = np.count_nonzero(times % 5000 < 1000)
    # 200 s hold 200,000 requests expected (Poisson sd 450): 1% is four standard deviations.
    assert len(times) == pytest.approx(200_000, rel=0.01)
    assert in_burst / 40 == pytest.approx(3000, rel=0.01)  # 40 bursts of 1 s


def test_diurnal_arrivals_rise_from_the_minimum_to_the_peak():
    # Rate rps (m + (1 - m)(1 - cos(2 pi t / P)) / 2): mean rps (1 + m) / 2; m = 0.2 at t = 0, peak at P/2.
    shape = traffic(rps=1000, arrival="diurnal", diurnal_period_s=100, diurnal_min_fraction=0.2)
    times = arrival_times(shape, np.random.default_rng(3), horizon_ms=100_000)
    assert len(times) == pytest.approx(100 * 1000 * 0.6, rel=0.02)
    first_second = np.count_nonzero(times < 1000)
    middle_second = np.count_nonzero((times >= 49_500) & (times < 50_500))
    assert first_second == pytest.approx(200, rel=0.25)  # Poisson(~200): sd 14
    assert middle_second == pytest.approx(1000, rel=0.1)  # Poisson(~1000): sd 32


def test_lognormal_service_has_the_given_median_and_p99():
    dist = service_time({"dist": "lognormal", "median_ms": 5.0, "p99_ms": 20.0})
    samples = dist.sample(np.random.default_rng(4), 400_000)
    assert np.median(samples) == pytest.approx(5.0, rel=0.01)
    assert np.percentile(samples, 99) == pytest.approx(20.0, rel=0.02)
    assert samples.mean() == pytest.approx(dist.mean(), rel=0.01)


def test_empirical_service_resamples_the_measured_times():
    dist = service_time({"dist": "empirical", "samples_ms": [1.0, 2.0, 10.0]})
    samples = dist.sample(np.random.default_rng(5), 30_000)
    assert set(np.unique(samples)) == {1.0, 2.0, 10.0}
    assert samples.mean() == pytest.approx(13 / 3, rel=0.02)


def test_default_batch_time_is_overhead_plus_a_part_per_request():
    # T(b) = X (0.8 + 0.2 b): a batch of one takes the service time, of 16 four times it.
    timer = ServiceTimeBatchTimer(ServiceTime("constant", mean_ms=2.0))
    rng = np.random.default_rng(0)
    assert timer.sample_ms(1, rng, 3).tolist() == [2.0, 2.0, 2.0]
    assert timer.sample_ms(16, rng, 1)[0] == pytest.approx(8.0)


class FixedTimer:
    """A measured profile stand-in: 1 ms a batch plus 0.5 ms a request."""

    def sample_ms(self, batch_size: int, rng: np.random.Generator, n: int) -> np.ndarray:
        return np.full(n, 1.0 + 0.5 * batch_size)


def test_model_server_uses_the_batch_timer_of_its_model(monkeypatch):
    # Widely spaced constant arrivals: every batch has one request and takes 1.5 ms.
    models = sys.modules.get("simulator.models") or types.ModuleType("simulator.models")
    monkeypatch.setitem(sys.modules, "simulator.models", models)
    monkeypatch.setattr(models, "get_batch_timer",
                        lambda model, instance: FixedTimer() if model == "ctr_gbdt" else None, raising=False)
    # No serving overhead: this is about which timer is used (tests/simulator/test_serving_overhead.py adds it).
    ms = node("ms", "model_server", service=const(7.0), model="ctr_gbdt", batch_overhead_ms=0, request_overhead_ms=0)
    results = run(chain(ms, rps=10, arrival="constant"), seed=1, requests=100)
    assert results.latency_ms.max == pytest.approx(1.5)
    ms["config"]["model"] = "ctr_logreg"  # no profile for it here: the service time is used
    assert run(chain(ms, rps=10, arrival="constant"), seed=1, requests=100).latency_ms.max == pytest.approx(7.0)
    assert math.isclose(results.nodes["ms"].capacity_rps, 1000 / 1.5)  # one replica
