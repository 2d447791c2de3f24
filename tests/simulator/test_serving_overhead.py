"""A model server's own work around predict: T'(b) = T(b) + batch_overhead_ms + b * request_overhead_ms."""

from __future__ import annotations

import sys
import types

import numpy as np
import pytest

from simulator import catalog, run
from simulator.kinds.serving import BATCH_OVERHEAD_MS, REQUEST_OVERHEAD_MS
from simulator.models import get_batch_timer
from simulator.models.timer import ServingOverheadTimer
from tests.simulator.boards import board, chain, const, edge, node


class FixedTimer:
    """A measured profile stand-in: 1 ms a batch plus 0.5 ms a request."""

    def sample_ms(self, batch_size: int, rng: np.random.Generator, n: int) -> np.ndarray:
        return np.full(n, 1.0 + 0.5 * batch_size)


@pytest.fixture
def fixed_profile(monkeypatch: pytest.MonkeyPatch) -> None:
    """Model `ctr_gbdt` timed by FixedTimer, so that batch times are known exactly."""
    models = sys.modules.get("simulator.models") or types.ModuleType("simulator.models")
    monkeypatch.setitem(sys.modules, "simulator.models", models)
    monkeypatch.setattr(models, "get_batch_timer",
                        lambda model, instance: FixedTimer() if model == "ctr_gbdt" else None, raising=False)


def test_defaults_are_the_catalog_fields() -> None:
    kind = catalog.KINDS["model_server"]
    assert kind.field("batch_overhead_ms").default == BATCH_OVERHEAD_MS > 0
    assert kind.field("request_overhead_ms").default == REQUEST_OVERHEAD_MS > 0


def test_overhead_timer_adds_per_batch_and_per_request_time() -> None:
    base = get_batch_timer("ranking_gbdt", "c6i.xlarge")
    timer = ServingOverheadTimer(base, per_batch_ms=0.4, per_request_ms=0.25)
    for size in (1, 3, 8, 100):
        plain = base.sample_ms(size, np.random.default_rng(5), 1000)
        added = timer.sample_ms(size, np.random.default_rng(5), 1000)  # the same draws
        np.testing.assert_allclose(added - plain, 0.4 + 0.25 * size)
    assert timer.info == base.info  # results still show the model's own information


def test_fifo_latency_and_capacity_include_the_overhead(fixed_profile: None) -> None:
    # Constant arrivals 100 ms apart never queue: each latency is one batch of 1, T(1) + c + o = 1.5 + 0.5.
    ms = node("ms", "model_server", model="ctr_gbdt", batch_overhead_ms=0.3, request_overhead_ms=0.2)
    results = run(chain(ms, rps=10, arrival="constant"), seed=1, requests=200)
    assert results.latency_ms.max == pytest.approx(2.0)
    assert results.latency_ms.p50 == pytest.approx(2.0)
    assert results.nodes["ms"].capacity_rps == pytest.approx(1000 / 2.0)


def test_batching_capacity_counts_the_overhead_once_per_request_and_once_per_batch(fixed_profile: None) -> None:
    ms = node("ms", "model_server", model="ctr_gbdt", max_batch_size=8, max_batch_delay_ms=2,
              batch_overhead_ms=0.3, request_overhead_ms=0.2)
    results = run(chain(ms, rps=100), seed=1, requests=2000)
    # A full batch of 8: T(8) = 1 + 0.5 * 8 = 5 ms, plus 0.3 + 8 * 0.2 = 1.9 ms: 8 requests per 6.9 ms.
    assert results.nodes["ms"].capacity_rps == pytest.approx(8 * 1000 / 6.9)


def test_a_model_server_timed_by_its_service_time_has_no_overhead_added() -> None:
    # Without a catalog model, service_time stands for the whole service: nothing is added to it.
    ms = node("ms", "model_server", service=const(4.0), model=None, batch_overhead_ms=1.0, request_overhead_ms=1.0)
    results = run(chain(ms, rps=10, arrival="constant"), seed=1, requests=200)
    assert results.latency_ms.max == pytest.approx(4.0)


def test_mg1_mean_wait_with_the_overhead_follows_pollaczek_khinchine() -> None:
    """Poisson arrivals at one FIFO replica timed by a real profile plus the overhead.

    Service S = T + c + o with T drawn from the profile's measured batch-of-1 samples, so the
    Pollaczek-Khinchine formula W = lambda E[S^2] / (2 (1 - rho)) gives the mean wait exactly,
    with E[S] and E[S^2] computed from those samples. 200,000 requests at rho = 0.6: over 12 seeds the
    simulated mean wait spread by 0.8% (one standard deviation), so 4% is five of them.
    Without the overhead the wait would be 20% or more lower at this load, so the test tells them apart.
    """
    c, o = 0.4, 0.2
    samples = np.asarray(get_batch_timer("ranking_gbdt", "c6i.xlarge").profile["timings"]["1"]["samples_ms"])
    service = samples + c + o
    mean, second = service.mean(), np.mean(service ** 2)
    rps = 0.6 * 1000 / mean
    lam = rps / 1000  # per ms
    expected_wait = lam * second / (2 * (1 - lam * mean))
    client = {"id": "client", "kind": "client", "config": {}}
    ms = node("ms", "model_server", model="ranking_gbdt", instance="c6i.xlarge", max_batch_size=1,
              batch_overhead_ms=c, request_overhead_ms=o)
    document = board([client, ms], [edge("client", "ms")], rps=rps, warmup_s=5.0)
    results = run(document, seed=11, requests=200_000)
    assert results.nodes["ms"].mean_wait_ms == pytest.approx(expected_wait, rel=0.04)
    assert results.nodes["ms"].utilization == pytest.approx(0.6, rel=0.02)
