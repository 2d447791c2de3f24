"""An edge's latency tail (`latency_p99_ms`): each call's network time drawn from a lognormal."""

from __future__ import annotations

import math

import pytest

from simulator import run
from simulator.distributions import Z99
from simulator.validation import validate_document
from tests.simulator.boards import board, client, const, edge, node, retry

REQUESTS = 20_000


def tailed(median_ms: float, p99_ms: float | None, **edge_settings) -> dict:
    """A client calling a 1 ms constant server, one request every 100 ms (nothing ever queues)."""
    link = edge("client", "server", latency_ms=median_ms)
    if p99_ms is not None:
        link["latency_p99_ms"] = p99_ms
    link.update(edge_settings)
    return board([client(), node("server", "model_server", service=const(1.0))], [link], rps=10,
                 arrival="constant")


@pytest.mark.parametrize("engine", ["fast", "event"])
def test_a_call_takes_a_lognormal_network_time_with_the_edges_median_and_p99(engine):
    # Latency = 1 ms of service + L, L lognormal with median 2 and P99 20: sigma = ln(10) / z99.
    # Quantiles of the sum are the service plus L's: P50 = 3, P99 = 21; the mean is
    # 1 + 2 exp(sigma^2 / 2) = 4.27. The tolerances are four standard errors of an order
    # statistic of 20,000 draws, sqrt(q (1 - q) / n) / f(x_q), with f the lognormal density:
    # 0.07 ms at the median, 2.1 ms at P99; the mean's is 4 sd / sqrt(n) = 0.12 ms.
    sigma = math.log(10.0) / Z99
    results = run(tailed(2.0, 20.0), seed=11, requests=REQUESTS, engine=engine)
    assert results.latency_ms.p50 == pytest.approx(3.0, abs=0.07)
    assert results.latency_ms.p99 == pytest.approx(21.0, abs=2.1)
    mean = 1.0 + 2.0 * math.exp(sigma ** 2 / 2)
    sd = 2.0 * math.sqrt((math.exp(sigma ** 2) - 1) * math.exp(sigma ** 2))
    assert results.latency_ms.mean == pytest.approx(mean, abs=4 * sd / math.sqrt(REQUESTS))


def test_both_engines_draw_the_same_network_times():
    doc = tailed(2.0, 12.0)
    doc["traffic"]["rps"], doc["traffic"]["arrival"] = 400, "poisson"  # queueing too
    fast = run(doc, seed=5, requests=5_000, engine="fast")
    event = run(doc, seed=5, requests=5_000, engine="event")
    assert fast.latency_ms == event.latency_ms


def test_without_a_tail_every_call_takes_exactly_the_latency():
    results = run(tailed(2.0, None), seed=3, requests=2_000)
    assert results.latency_ms.p50 == pytest.approx(3.0)
    assert results.latency_ms.max == pytest.approx(3.0)
    same = run(tailed(2.0, 2.0), seed=3, requests=2_000)  # a P99 equal to the median: no tail either
    assert same.latency_ms == results.latency_ms


def test_a_retry_is_a_new_trip_with_its_own_network_time():
    # An attempt succeeds when its network time L plus the 1 ms service is under the 4 ms timeout:
    # p = P(L < 3) = Phi(ln(3 / 2) / sigma) = 0.659. Each retry draws L again, so with 3 attempts
    # a request succeeds with 1 - (1 - p)^3 = 0.960 (one that drew the same L would stay at p).
    # Tolerance: four binomial standard errors of 4,000 requests, 4 sqrt(q (1 - q) / n) = 0.012.
    sigma = math.log(10.0) / Z99
    p = 0.5 * (1 + math.erf(math.log(1.5) / sigma / math.sqrt(2)))
    for attempts, expected in ((1, p), (3, 1 - (1 - p) ** 3)):
        doc = tailed(2.0, 20.0, timeout_ms=4.0, retry=retry(attempts))
        results = run(doc, seed=2, requests=4_000)
        share = results.requests.completed / results.requests.arrived
        assert share == pytest.approx(expected, abs=4 * math.sqrt(expected * (1 - expected) / 4_000)), attempts


@pytest.mark.parametrize("settings,message", [
    ({"latency_ms": 2.0, "latency_p99_ms": 1.0}, "must be at least latency_ms (2), not 1"),
    ({"latency_ms": 0.0, "latency_p99_ms": 5.0}, "needs a latency_ms above 0"),
    ({"latency_ms": 2.0, "latency_p99_ms": "high"}, "must be a number"),
    ({"latency_ms": 2.0, "latency_p99_ms": -1}, "from 0 to 60000"),
])
def test_a_bad_latency_tail_is_refused_at_its_path(settings, message):
    doc = tailed(1.0, None)
    doc["edges"][0].update(settings)
    issues = {issue.path: issue.message for issue in validate_document(doc)}
    assert message in issues.get("edges[0].latency_p99_ms", ""), issues


@pytest.mark.django_db
def test_the_api_refuses_a_bad_tail_with_400_and_keeps_a_good_one(api):
    bad = tailed(3.0, 2.0)
    response = api.post("/api/boards/", {"document": bad}, format="json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["path"] == "edges[0].latency_p99_ms"
    created = api.post("/api/boards/", {"document": tailed(3.0, 30.0)}, format="json")
    assert created.status_code == 201
    stored = api.get(f"/api/boards/{created.json()['id']}/").json()["document"]
    assert stored["edges"][0]["latency_p99_ms"] == 30.0
