"""Structural behaviour of the simulator in cases small or deterministic enough to reason out exactly."""

from __future__ import annotations

import pytest

from simulator import run
from tests.simulator.boards import board, chain, const, edge, exp, node


def test_async_edge_never_changes_request_latency():
    # The async target is slow and overloaded (it drops): the caller's requests must not notice.
    plain = chain(node("a", service=exp(2.0)), node("b", service=exp(3.0)), rps=200)
    with_log = chain(node("a", service=exp(2.0)), node("b", service=exp(3.0)), rps=200)
    with_log["nodes"].append(node("log", "logging", service=exp(20.0), queue_limit=10))
    with_log["edges"].append(edge("a", "log", "async", latency_ms=5.0))
    base = run(plain, seed=3, requests=20_000)
    logged = run(with_log, seed=3, requests=20_000)
    assert logged.latency_ms == base.latency_ms
    assert logged.requests == base.requests
    assert logged.nodes["log"].dropped > 0
    assert logged.drops == {"queue_full": 0, "timeout": 0}


def test_full_cache_hit_rate_never_calls_children():
    doc = chain(node("gw"), node("cache", "cache", hit_rate=1.0), node("db", "database"), rps=200)
    results = run(doc, seed=4, requests=5_000)
    assert results.nodes["db"].offered_rps == 0
    assert results.nodes["db"].throughput_rps == 0
    assert results.nodes["cache"].throughput_rps > 0


def test_parallel_fanout_waits_for_the_slowest_branch():
    # Constant times and widely spaced arrivals, so no queueing: 1 (a) + max(1 + 5, 2 + 3) = 7 ms.
    nodes = [node("a", service=const(1.0), fanout="parallel"), node("b", service=const(5.0)),
             node("c", service=const(3.0))]
    edges = [edge("a", "b", latency_ms=1.0), edge("a", "c", latency_ms=2.0)]
    results = run(board(nodes, edges, rps=10, arrival="constant"), seed=5, requests=200)
    assert results.latency_ms.p50 == pytest.approx(7.0)
    assert results.latency_ms.max == pytest.approx(7.0)


def test_sequential_fanout_adds_each_call():
    # Same board called one after the other: 1 + (1 + 5) + (2 + 3) = 12 ms.
    nodes = [node("a", service=const(1.0)), node("b", service=const(5.0)), node("c", service=const(3.0))]
    edges = [edge("a", "b", latency_ms=1.0), edge("a", "c", latency_ms=2.0)]
    results = run(board(nodes, edges, rps=10, arrival="constant"), seed=5, requests=200)
    assert results.latency_ms.max == pytest.approx(12.0)
    assert results.latency_ms.p50 == pytest.approx(12.0)


def reference_timeouts(arrivals_ms: list[float], service_ms: float, timeout_ms: float) -> list[tuple[str, float]]:
    """A single FIFO server where a request that would wait more than timeout_ms leaves then."""
    free, fates = 0.0, []
    for a in arrivals_ms:
        start = max(a, free)
        if start - a > timeout_ms:
            fates.append(("timeout", a + timeout_ms))
        else:
            free = start + service_ms
            fates.append(("completed", free))
    return fates


@pytest.mark.parametrize("engine", ["fast", "event"])
def test_timeouts_drop_exactly_the_requests_that_waited_too_long(engine):
    # One request every 4 ms into a 10 ms constant server with a 15 ms timeout (the times are
    # binary fractions, so the arithmetic is exact and no wait equals the timeout).
    gap, service, timeout, count = 4.0, 10.0, 15.5, 400
    arrivals = [i * gap for i in range(count)]
    fates = reference_timeouts(arrivals, service, timeout)
    horizon = arrivals[-1]
    doc = chain(node("a", service=const(service), timeout_ms=timeout), rps=1000 / gap, arrival="constant")
    results = run(doc, seed=6, requests=count, engine=engine)
    expected_timeouts = sum(1 for what, t in fates if what == "timeout" and t <= horizon)
    expected_completed = sum(1 for what, t in fates if what == "completed" and t <= horizon)
    assert expected_timeouts > 100
    assert results.drops["timeout"] == expected_timeouts
    assert results.requests.completed == expected_completed
    assert results.nodes["a"].p99_wait_ms <= timeout


@pytest.mark.parametrize("engine", ["fast", "event"])
@pytest.mark.parametrize(("delay_ms", "expected_size"), [(100.0, 4.0), (1.5, 2.0)])
def test_constant_arrivals_form_the_expected_batch_sizes(delay_ms, expected_size, engine):
    # One request per ms. With a long delay a replica waits for a full batch of 4; with 1.5 ms it
    # dispatches what came in 1.5 ms after the oldest: two requests. Batches of 4 take
    # 1 ms * (0.8 + 0.2 * 4) = 1.6 ms and of 2 take 1.2 ms, so a replica is always free in time.
    ms = node("ms", "model_server", service=const(1.0), max_batch_size=4, max_batch_delay_ms=delay_ms)
    results = run(chain(ms, rps=1000, arrival="constant"), seed=7, requests=4_000, engine=engine)
    assert results.nodes["ms"].mean_batch_size == pytest.approx(expected_size)


def test_arrivals_are_completed_plus_dropped_plus_in_flight():
    doc = chain(node("a", servers=2, service=exp(10.0), queue_limit=5),
                node("b", service=exp(8.0), timeout_ms=20.0), rps=250, warmup_s=2)
    results = run(doc, seed=8, duration_s=30)
    r = results.requests
    assert r.arrived == r.completed + r.dropped + r.in_flight
    assert r.dropped == results.drops["queue_full"] + results.drops["timeout"]
    assert results.drops["queue_full"] > 0 and results.drops["timeout"] > 0


def test_overloaded_node_is_simulated_and_flagged_unstable():
    # 150 req/s into a node that serves 100 req/s: the queue grows and the run says so.
    results = run(chain(node("slow", service=exp(10.0)), rps=150, warmup_s=1), seed=9, duration_s=20)
    warning = next(w for w in results.warnings if w["code"] == "unstable")
    assert warning["node"] == "slow"
    assert warning["capacity_rps"] == pytest.approx(100.0)
    assert warning["offered_rps"] == pytest.approx(150.0, rel=0.05)
    assert "slow" in warning["message"] and "100.0 req/s" in warning["message"]
    assert results.nodes["slow"].mean_queue_length > 100
    assert results.bottleneck["node"] == "slow"


def test_traffic_splits_evenly_between_entry_nodes():
    nodes = [node("web"), node("app"), node("shared", service=exp(0.5))]
    edges = [edge("web", "shared"), edge("app", "shared")]
    results = run(board(nodes, edges, rps=400), seed=10, requests=40_000)
    web, app = results.nodes["web"].offered_rps, results.nodes["app"].offered_rps
    assert web == pytest.approx(200, rel=0.03) and app == pytest.approx(200, rel=0.03)
    assert results.nodes["shared"].offered_rps == pytest.approx(400, rel=0.03)


def test_async_only_target_is_not_an_entry():
    doc = chain(node("gw"), rps=100)
    doc["nodes"].append(node("log", "logging"))
    doc["edges"].append(edge("gw", "log", "async"))
    results = run(doc, seed=1, requests=2_000)
    assert results.nodes["log"].offered_rps == pytest.approx(results.nodes["gw"].offered_rps, rel=0.01)
    assert results.nodes["gw"].offered_rps == pytest.approx(100, rel=0.05)


def test_warmup_requests_are_not_measured():
    results = run(chain(node("a"), rps=100, arrival="constant", warmup_s=3), seed=1, duration_s=10)
    assert results.requests.arrived == 700
    assert results.timeseries[0]["t_s"] == 0 and len(results.timeseries) == 7
    assert sum(point["arrivals"] for point in results.timeseries) == 700


@pytest.mark.parametrize("engine", ["fast", "event"])
def test_node_no_request_reaches_is_reported_idle(engine):
    # The store is only written by the training pipeline: no request traffic reaches it.
    doc = chain(node("gw"), rps=100)
    doc["nodes"] += [node("store", "feature_store"), {"id": "train", "kind": "training_pipeline"}]
    doc["edges"].append(edge("train", "store"))
    results = run(doc, seed=1, requests=1_000, engine=engine)
    assert list(results.nodes) == ["gw", "store"]
    assert results.nodes["store"].offered_rps == 0 and results.nodes["store"].utilization == 0
