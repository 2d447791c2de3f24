"""Retries, budgets, call timeouts, circuit breakers, fallbacks and rate limits against their arithmetic."""

from __future__ import annotations

import pytest

from simulator import run
from tests.simulator.boards import board, client, const, edge, exp, fault, node, retry


def _client_and_service(*, service=None, servers=8, rps=200.0, duration_s=60.0, warmup_s=0.0, **call):
    """A client calling one service over an edge with the given call settings."""
    calls = edge("client", "svc")
    calls.update(call)
    return board([client(), node("svc", servers=servers, service=service or exp(1.0))],
                 [calls], rps=rps, duration_s=duration_s, warmup_s=warmup_s)


@pytest.mark.parametrize("p, retries", [(0.3, 2), (0.5, 1), (0.2, 4)])
def test_retries_without_budget_follow_the_geometric_formulas(p, retries):
    # Each attempt fails independently with probability p, so with r retries a call succeeds with
    # probability 1 - p^(r+1) and makes E[attempts] = sum_{k=0..r} p^k = (1 - p^(r+1)) / (1 - p)
    # attempts. 12,000 calls: the success share's standard error is below 0.0025 and the mean
    # attempts' below 0.01, so 0.01 and 0.03 are about four of them.
    doc = _client_and_service(retry=retry(retries + 1))
    doc["faults"] = [fault("f", "error_rate", "svc", 0, 60, rate=p)]
    results = run(doc, seed=4)
    success = 1 - p ** (retries + 1)
    attempts = (1 - p ** (retries + 1)) / (1 - p)
    assert results.availability == pytest.approx(success, abs=0.01)
    assert results.edges["client-svc-sync"]["amplification"] == pytest.approx(attempts, abs=0.03)
    assert results.errors["error"] == results.requests.failed


def test_an_outage_of_d_seconds_in_a_window_of_t_gives_availability_one_minus_d_over_t():
    # Poisson arrivals are uniform in time, so the share arriving during the outage is D/T:
    # 10 s of 60 gives 1 - 1/6 = 0.8333. 60,000 requests: standard error 0.0015, tolerance 0.006.
    doc = _client_and_service(rps=1000.0)
    doc["faults"] = [fault("down", "outage", "svc", 20, 10)]
    results = run(doc, seed=2)
    assert results.availability == pytest.approx(1 - 10 / 60, abs=0.006)
    assert results.errors["unavailable"] == results.requests.failed
    [impact] = results.faults
    assert impact["failed_while_active"] == pytest.approx(10_000, rel=0.03)
    assert impact["recovery_s"] is not None and impact["recovery_s"] <= 3.0


def test_a_retry_budget_bounds_amplification_by_one_plus_the_ratio():
    # With 90% of attempts failing and up to 5 attempts, unbudgeted calls would make 4.1 attempts
    # each; a budget of 0.2 lets retries be at most 20% of first attempts over any 10 s, so
    # attempts per call <= 1.2 (plus the first window's edge: 0.01 allowed).
    doc = _client_and_service(retry=retry(5, budget_ratio=0.2))
    doc["faults"] = [fault("f", "error_rate", "svc", 0, 60, rate=0.9)]
    figures = run(doc, seed=3).edges["client-svc-sync"]
    assert 1.15 <= figures["amplification"] <= 1.2 + 0.01
    assert figures["retries_refused_by_budget"] > 0


def test_a_call_timeout_fails_the_attempt_while_the_callee_works_on():
    # Service is a constant 30 ms and the caller waits 20 ms: every call times out, and the callee
    # still serves every request (its work is wasted): utilisation = 200 req/s x 0.03 s / 8 = 0.75.
    doc = _client_and_service(service=const(30.0), timeout_ms=20.0)
    results = run(doc, seed=1, duration_s=20)
    assert results.requests.completed == 0
    assert results.errors["call_timeout"] == results.requests.failed >= 0.99 * results.requests.arrived
    assert results.nodes["svc"].utilization == pytest.approx(0.75, rel=0.03)


def test_a_partition_fails_calls_after_the_timeout_and_a_latency_spike_adds_its_time():
    doc = _client_and_service(service=const(1.0), timeout_ms=50.0)
    doc["faults"] = [fault("cut", "partition", "client-svc-sync", 10, 10),
                     fault("slow", "latency_spike", "client-svc-sync", 30, 10, added_ms=5.0)]
    results = run(doc, seed=5, duration_s=40)
    assert results.errors["unreachable"] == pytest.approx(200 * 10, rel=0.1)
    assert results.availability == pytest.approx(0.75, abs=0.02)
    # 1 ms of service, 5 ms added for a quarter of the successes (10 s of 30 that succeed).
    assert results.latency_ms.mean == pytest.approx(1.0 + 5.0 * 10 / 30, rel=0.05)


def test_an_open_breaker_sends_no_calls_while_it_is_open():
    # The callee is down from 10 s to 40 s. The 5 s window still holds the successes from before,
    # so failures reach half of its calls when 200 x (5 - x) = 200 x: x = 2.5 s after the outage
    # (give or take a 0.5 s bucket). Then one probe every open_s = 2 s until one succeeds after 40 s.
    doc = _client_and_service(circuit_breaker={"failure_ratio": 0.5, "min_calls": 20, "window_s": 5,
                                                "open_s": 2})
    doc["faults"] = [fault("down", "outage", "svc", 10, 30)]
    results = run(doc, seed=6)
    changes = [change for change in results.breaker_changes if change["edge"] == "client-svc-sync"]
    opened = [c["t_s"] for c in changes if c["state"] == "open"]
    assert opened and 12.5 - 0.6 < opened[0] < 12.5 + 0.6
    assert changes[-1]["state"] == "closed" and 40 <= changes[-1]["t_s"] <= 42.5
    # While open (27.5 s) calls fail at once without reaching the callee: it sees the 2.5 s of
    # calls that opened the breaker and one probe per open_s, nothing else.
    figures = results.edges["client-svc-sync"]
    assert figures["failures"]["unavailable"] == pytest.approx(200 * 2.5 + 27.5 / 2, rel=0.1)
    assert figures["failures"]["circuit_open"] == pytest.approx(200 * 27.5, rel=0.05)


def test_a_fallback_answers_while_the_ranker_is_down_and_the_request_counts_as_degraded():
    nodes = [client(), node("gw"), node("rank", servers=4, service=exp(2.0)),
             node("popular", "cache", servers=2, service=exp(0.3), hit_rate=1.0)]
    edges = [edge("client", "gw"), edge("gw", "rank"), edge("gw", "popular", "fallback")]
    doc = board(nodes, edges, rps=200, duration_s=60, warmup_s=0)
    doc["faults"] = [fault("down", "outage", "rank", 20, 15)]
    results = run(doc, seed=7)
    assert results.availability == pytest.approx(1.0, abs=1e-3)
    assert results.degraded_share == pytest.approx(15 / 60, abs=0.01)
    assert results.nodes["popular"].offered_rps == pytest.approx(200 * 15 / 60, rel=0.05)


def test_a_rate_limit_serves_its_rate_and_refuses_the_rest():
    # A token bucket of 150 req/s in front of 300 req/s serves 150/300 = half of the requests.
    doc = _client_and_service(rps=300.0)
    doc["nodes"][1]["config"]["rate_limit"] = {"rps": 150, "burst": 10}
    results = run(doc, seed=8, duration_s=30)
    assert results.availability == pytest.approx(0.5, abs=0.01)
    assert results.nodes["svc"].errors["rate_limited"] == results.requests.failed
    assert results.throughput_rps == pytest.approx(150, rel=0.02)
