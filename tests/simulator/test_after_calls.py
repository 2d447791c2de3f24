"""A node's work after its calls return (`after_calls_share`): queued for a server again, behind what waits then."""

from __future__ import annotations

import pytest

from simulator import catalog, run
from simulator.errors import SimulationError
from simulator.validation import BoardValidationError
from tests.simulator.boards import board, chain, const, edge, exp, fault, node

X_MS, DOWN_MS = 2.0, 1.1  # the gateway's whole service, the callee's


def gateway_chain(share: float, *, interval_ms: float, latency_ms: float = 0.0) -> dict:
    """A gateway of one server (constant X_MS, `share` of it after its call) calling a callee that
    never queues (constant DOWN_MS, eight servers), with constant arrivals `interval_ms` apart."""
    gw = node("gw", service=const(X_MS), after_calls_share=share)
    down = node("down", servers=8, service=const(DOWN_MS))
    return board([gw, down], [edge("gw", "down", latency_ms=latency_ms)], rps=1000.0 / interval_ms,
                 arrival="constant")


def test_the_field_is_in_every_serving_kind_with_default_zero() -> None:
    for name in ("gateway", "feature_store", "model_server", "cache", "database"):
        field = catalog.KINDS[name].field("after_calls_share")
        assert field is not None and field.default == 0.0 and (field.minimum, field.maximum) == (0, 1)


@pytest.mark.parametrize("share", [0.0, 0.3, 1.0])
def test_at_low_load_latency_is_before_plus_call_plus_after(share: float) -> None:
    # 100 ms apart nothing ever waits: (1 - s) X + latency + callee + s X = X + latency + callee.
    results = run(gateway_chain(share, interval_ms=100.0, latency_ms=0.25), seed=1, requests=300)
    assert results.latency_ms.p50 == pytest.approx(X_MS + 0.25 + DOWN_MS)
    assert results.latency_ms.max == pytest.approx(X_MS + 0.25 + DOWN_MS)
    assert results.nodes["gw"].utilization == pytest.approx(X_MS / 100.0, rel=1e-3)
    assert results.run["engine"] == ("event" if share else "fast")


def test_the_after_part_queues_behind_a_request_that_arrived_during_the_call() -> None:
    # X = 2 ms split 1 + 1, the callee 1.1 ms, arrivals every 2.4 ms. Request 2k (from 4.8k ms):
    # before part [4.8k, 4.8k+1], callee until 4.8k+2.1, after part [4.8k+2.1, 4.8k+3.1]: 3.1 ms.
    # Request 2k+1 arrives at 4.8k+2.4 while that after part runs: waits 0.7, before part until
    # 4.8k+4.1, its answer is back at 4.8k+5.2, but request 2k+2 (arrived 4.8k+4.8) holds the server
    # until 4.8k+5.8: waits 0.6 more, done at 4.8k+6.8: 3.1 + 0.7 + 0.6 = 4.4 ms. The next even
    # request's answer is back at 4.8k+6.9, after that: 3.1 ms again, so the pattern repeats.
    results = run(gateway_chain(0.5, interval_ms=2.4), seed=1, requests=1000)
    assert results.latency_ms.max == pytest.approx(4.4)
    assert results.latency_ms.mean == pytest.approx((3.1 + 4.4) / 2, abs=0.002)
    assert results.nodes["gw"].mean_wait_ms == pytest.approx((0.0 + 0.7 + 0.6) / 2, abs=0.002)
    # All of the work before the call: request 2k+1 finds the server free (it was busy until 4.8k+2).
    before_only = run(gateway_chain(0.0, interval_ms=2.4), seed=1, requests=1000)
    assert before_only.latency_ms.max == pytest.approx(3.1)
    assert before_only.nodes["gw"].utilization == pytest.approx(results.nodes["gw"].utilization, rel=1e-3)


def test_busy_time_is_the_whole_service_and_littles_law_holds_with_both_parts() -> None:
    # Work is conserved: utilisation = lambda E[X] = 0.6 at 600 req/s of 1 ms. The queue length and the
    # wait are added up separately (a time integral, a sum per visit): Lq = lambda Wq ties them.
    gw = node("gw", service=exp(1.0), after_calls_share=0.4)
    down = node("down", servers=64, service=const(3.0))
    results = run(chain(gw, down, rps=600), seed=3, requests=200_000)
    stats = results.nodes["gw"]
    assert stats.utilization == pytest.approx(0.6, rel=0.02)
    assert stats.mean_queue_length == pytest.approx(0.6 * stats.mean_wait_ms, rel=0.02)
    assert stats.mean_wait_ms > 0


def test_a_leaf_does_its_service_in_one_piece_and_both_engines_agree() -> None:
    # The callee makes no calls, so its share changes nothing and the fast path may run the board.
    doc = chain(node("gw", service=exp(0.5)), node("down", service=exp(0.8), after_calls_share=0.5), rps=800)
    fast, event = run(doc, seed=2, requests=50_000, engine="fast"), run(doc, seed=2, requests=50_000, engine="event")
    assert fast.run["engine"] == "fast"
    assert event.latency_ms.p50 == pytest.approx(fast.latency_ms.p50, rel=1e-9)
    assert event.latency_ms.p99 == pytest.approx(fast.latency_ms.p99, rel=1e-9)
    plain = chain(node("gw", service=exp(0.5)), node("down", service=exp(0.8)), rps=800)
    assert run(plain, seed=2, requests=50_000).latency_ms.p99 == pytest.approx(fast.latency_ms.p99, rel=1e-9)


def test_share_zero_gives_the_event_loop_exactly_what_it_gave_without_the_field() -> None:
    with_zero = chain(node("gw", service=exp(1.0), after_calls_share=0.0), node("down", service=exp(0.5)), rps=500)
    without = chain(node("gw", service=exp(1.0)), node("down", service=exp(0.5)), rps=500)
    assert run(with_zero, seed=4, requests=20_000, engine="event").to_dict() == \
        run(without, seed=4, requests=20_000, engine="event").to_dict()


def test_the_fast_path_declines_a_node_with_work_after_its_calls() -> None:
    with pytest.raises(SimulationError) as error:
        run(gateway_chain(0.5, interval_ms=10.0), seed=1, requests=100, engine="fast")
    assert error.value.path == "engine" and "after_calls_share" in str(error.value)


def test_a_cache_hit_makes_no_call_and_queues_its_after_part_at_once() -> None:
    cache = node("cache", "cache", service=const(X_MS), hit_rate=1.0, after_calls_share=0.5)
    results = run(chain(cache, node("db", service=const(5.0)), rps=10, arrival="constant"), seed=1, requests=200)
    assert results.latency_ms.max == pytest.approx(X_MS)  # idle server: the after part starts at once
    assert results.nodes["db"].offered_rps == 0


@pytest.mark.parametrize("kind,params", [("outage", {}), ("replicas_down", {"replicas": 1})])
def test_a_fault_fails_visits_in_either_part_and_every_request_is_accounted(kind: str, params: dict) -> None:
    gw = node("gw", service=exp(1.0), after_calls_share=0.5)
    doc = chain(gw, node("down", servers=16, service=const(2.0)), rps=500, duration_s=6)
    doc["faults"] = [fault("f", kind, "gw", 2.0, 1.0, **params)]
    results = run(doc, seed=5).to_dict()
    counts = results["requests"]
    assert counts["arrived"] == counts["completed"] + counts["dropped"] + counts["failed"] + counts["in_flight"]
    assert counts["failed"] > 0 and results["nodes"]["gw"]["failed"] > 0


@pytest.mark.parametrize("config,path,message", [
    ({"after_calls_share": 1.5}, "nodes[0].config.after_calls_share", "0 to 1"),
    ({"after_calls_share": 0.3, "max_batch_size": 8, "max_batch_delay_ms": 2},
     "nodes[0].config.after_calls_share", "batches"),
])
def test_bad_shares_are_refused_at_the_field(config: dict, path: str, message: str) -> None:
    doc = chain(node("ms", "model_server", service=exp(2.0), **config), node("down", service=exp(1.0)))
    with pytest.raises(BoardValidationError) as error:
        run(doc, seed=1, requests=100)
    issues = [issue for issue in error.value.issues if issue.path == path]
    assert issues and message in issues[0].message, error.value.issues
