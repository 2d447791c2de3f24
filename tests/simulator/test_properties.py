"""Properties that hold for every board: checked on random small chains and fan-outs."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from simulator import run
from tests.simulator.boards import board, edge, exp, node

services = st.sampled_from([exp(1.0), exp(4.0), {"dist": "constant", "mean_ms": 2.0},
                            {"dist": "lognormal", "median_ms": 1.5, "p99_ms": 8.0}])


@st.composite
def boards(draw):
    """A root calling 1-3 nodes (in sequence or in parallel), any of which may drop or batch, with
    maybe an async log, a cache, a second entry, and poisson, constant or bursty arrivals."""
    count = draw(st.integers(1, 3))
    nodes = [node("root", servers=draw(st.integers(1, 3)), service=draw(services),
                  fanout=draw(st.sampled_from(["sequential", "parallel"])))]
    for i in range(count):
        config = {"queue_limit": draw(st.sampled_from([None, 0, 3])),
                  "timeout_ms": draw(st.sampled_from([None, 3.0, 20.0]))}
        if draw(st.booleans()):
            config.update(max_batch_size=draw(st.integers(1, 6)), max_batch_delay_ms=draw(st.sampled_from([0.0, 1.0, 6.0])))
            nodes.append(node(f"n{i}", "model_server", servers=draw(st.integers(1, 3)), service=draw(services), **config))
        else:
            nodes.append(node(f"n{i}", servers=draw(st.integers(1, 3)), service=draw(services), **config))
    edges = [edge("root", f"n{i}", latency_ms=draw(st.sampled_from([0.0, 0.5]))) for i in range(count)]
    if draw(st.booleans()):
        nodes.append(node("log", "logging", service=exp(2.0), queue_limit=2))
        edges.append(edge("root", "log", "async"))
    if draw(st.booleans()):  # a cache in front of a database
        nodes.append(node("cache", "cache", servers=2, service=exp(0.3), hit_rate=0.5))
        nodes.append(node("db", "database", servers=2, service=draw(services), queue_limit=draw(st.sampled_from([None, 2]))))
        edges += [edge("root", "cache"), edge("cache", "db", latency_ms=0.25)]
    if draw(st.booleans()):  # a second entry sharing the first node
        nodes.append(node("web", service=exp(0.5)))
        edges.append(edge("web", "n0"))
    arrival = draw(st.sampled_from(["poisson", "constant", "bursty"]))
    return board(nodes, edges, rps=draw(st.sampled_from([200, 600, 1500])), arrival=arrival, warmup_s=0.5)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(doc=boards(), seed=st.integers(0, 1000))
def test_every_request_is_completed_dropped_or_in_flight_and_both_engines_agree(doc, seed):
    fast = run(doc, seed=seed, requests=3_000, engine="fast")
    event = run(doc, seed=seed, requests=3_000, engine="event")
    for results in (fast, event):
        r = results.requests
        assert r.arrived == r.completed + r.dropped + r.in_flight
        assert r.dropped == sum(results.drops.values())
    assert fast.requests == event.requests
    assert fast.drops == event.drops
    assert fast.latency_ms.p99 == pytest.approx(event.latency_ms.p99, rel=1e-9, nan_ok=True)
    for node_id, stats in fast.nodes.items():
        assert stats.dropped == event.nodes[node_id].dropped, node_id
        assert stats.mean_wait_ms == pytest.approx(event.nodes[node_id].mean_wait_ms, rel=1e-9, abs=1e-12), node_id
