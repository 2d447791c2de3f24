"""The replica search finds the cheapest replica counts meeting the SLO: the same answer as trying every count on small boards."""

from __future__ import annotations

import itertools

import pytest

from architectures.replica_search import NEAR_SATURATION, ReplicaSearch, search, results_summary
from architectures.sweeps import apply_replicas, meets_slo, sizable_nodes
from simulator.runner import run

RPS = 300
SEED = 3
REQUESTS = 8_000  # 27 s at 300 req/s after a 2 s warm-up: the same requests for every configuration
BOX = range(1, 6)


def chain(p99_ms: float, model_ms: float) -> dict:
    """Gateway (0.2 ms: about 6% busy on one replica), feature store and model server in a sync chain."""
    return {"schema_version": 1, "title": "Chain",
            "requirements": {"peak_rps": RPS, "p99_ms": p99_ms, "monthly_budget_usd": None},
            "traffic": {"rps": RPS, "warmup_s": 2},
            "nodes": [
                {"id": "gw", "kind": "gateway", "position": {"x": 0, "y": 0},
                 "config": {"replicas": 2, "service_time": {"dist": "exponential", "mean_ms": 0.2}}},
                {"id": "fs", "kind": "feature_store", "position": {"x": 200, "y": 0}, "config": {"replicas": 4}},
                {"id": "ms", "kind": "model_server", "position": {"x": 400, "y": 0},
                 "config": {"replicas": 6, "model": None, "max_batch_size": 1,
                            "service_time": {"dist": "exponential", "mean_ms": model_ms}}}],
            "edges": [{"id": "e1", "source": "gw", "target": "fs", "latency_ms": 0.5},
                      {"id": "e2", "source": "fs", "target": "ms", "latency_ms": 0.5}]}


def evaluator(document: dict):
    """Real runs of the simulator at the given replica counts, judged as the right-sizing sweep judges them."""
    nodes = list(sizable_nodes(document))

    def evaluate(batch: list[dict[str, int]]) -> list[tuple[dict, bool]]:
        judged = []
        for replicas in batch:
            results = run(apply_replicas(document, replicas, RPS), seed=SEED, requests=REQUESTS).to_dict()
            summary = {"status": "succeeded", **results_summary(results, nodes)}
            judged.append((summary, meets_slo(summary, document["requirements"]["p99_ms"])))
        return judged
    return evaluate


@pytest.mark.parametrize("p99_ms,model_ms", [(30, 5.0), (60, 10.0)])
def test_search_finds_the_cheapest_passing_counts_that_trying_every_count_finds(p99_ms, model_ms):
    document = chain(p99_ms, model_ms)
    evaluate = evaluator(document)
    found = search(sizable_nodes(document), evaluate)
    assert found.best is not None and found.proven
    best = found.tried[found.best]
    box = [dict(zip(("gw", "fs", "ms"), counts)) for counts in itertools.product(BOX, repeat=3)]
    passing = [(summary["monthly_usd"], sum(replicas.values()), replicas)
               for replicas, (summary, passed) in zip(box, evaluate(box)) if passed]
    cheapest = min(passing, key=lambda item: item[:2])
    assert best["replicas"] == cheapest[2]
    assert best["summary"]["monthly_usd"] == pytest.approx(cheapest[0])
    # It got there trying far fewer configurations than the 125 of the box (two probes included).
    assert found.evaluations <= 12
    # The gateway, a few percent busy, never got a replica more than its floor of one.
    assert best["replicas"]["gw"] == 1
    assert all(entry["replicas"]["gw"] == 1 for entry in found.tried.values()
               if entry["replicas"] not in found.first_round())


def test_only_components_near_saturation_grow_and_a_failure_no_replica_fixes_ends_the_search():
    state = ReplicaSearch(start={"a": 2, "b": 2})
    load = {"a": {"utilization": 0.9, "offered_rps": 180.0, "capacity_rps": 200.0, "compute_usd": 100.0},
            "b": {"utilization": 0.04, "offered_rps": 8.0, "capacity_rps": 200.0, "compute_usd": 10.0}}
    state.record({"a": 2, "b": 2}, {"load": load}, passed=False)
    # a is 90% busy on 2 replicas (1.8 kept busy): its floor is 2; b's is 1.
    assert state.floor == {"a": 2, "b": 1}
    assert state.frontier == [{"a": 3, "b": 2}]  # b at 4% is not grown
    # Lifted to the floor (b brought down to one), cheapest first.
    assert state.next_round() == [{"a": 3, "b": 1}, {"a": 3, "b": 2}]
    # A failing run in which nothing is near saturation grows nothing: more replicas would not help.
    calm = {node: {**figures, "utilization": NEAR_SATURATION / 2} for node, figures in load.items()}
    state.record({"a": 3, "b": 1}, {"load": calm}, passed=False)
    assert state.next_round() == [] and state.best is None
