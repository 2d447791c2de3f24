"""The run's limit names where the P99 is spent (network, a sync chain, a queue) and, on a passing board, the headroom."""

from __future__ import annotations

from simulator.runner import run

RPS = 300


def chain(p99_ms: float, latency_ms: float, service_ms: float = 5.0, constant: bool = False) -> dict:
    """Gateway (0.2 ms: about 6% busy), feature store and model server called one after another."""
    def service(mean_ms: float) -> dict:
        return {"dist": "constant", "mean_ms": mean_ms} if constant else {"dist": "exponential", "mean_ms": mean_ms}
    return {"schema_version": 1, "title": "Chain",
            "requirements": {"peak_rps": RPS, "p99_ms": p99_ms, "monthly_budget_usd": None},
            "traffic": {"rps": RPS, "warmup_s": 2},
            "nodes": [
                {"id": "gw", "kind": "gateway", "label": "Gateway", "position": {"x": 0, "y": 0},
                 "config": {"replicas": 1, "service_time": service(0.2)}},
                {"id": "fs", "kind": "feature_store", "label": "Features", "position": {"x": 200, "y": 0},
                 "config": {"replicas": 8, "service_time": service(service_ms)}},
                {"id": "ms", "kind": "model_server", "label": "Model", "position": {"x": 400, "y": 0},
                 "config": {"replicas": 8, "model": None, "max_batch_size": 1, "service_time": service(service_ms)}}],
            "edges": [{"id": "e1", "source": "gw", "target": "fs", "latency_ms": latency_ms},
                      {"id": "e2", "source": "fs", "target": "ms", "latency_ms": latency_ms}]}


def test_a_p99_spent_on_network_latency_names_the_links_not_a_quiet_component():
    results = run(chain(p99_ms=50, latency_ms=30), seed=4, requests=10_000)
    limit = results.bottleneck
    assert not results.slo["p99_ms"]["passed"]
    assert limit["verdict"] == "bottleneck" and limit["cause"] == "network"
    assert limit["edge"] in ("e1", "e2") and "network latency" in limit["reason"]
    assert "Gateway → Features" in limit["reason"] or "Features → Model" in limit["reason"]
    assert results.nodes["gw"].utilization < 0.1  # the busiest-first rule would have named it or another quiet box
    # The slowest path's parts: the two 30 ms links are most of it.
    network = sum(item["ms"] for item in limit["path"] if item["part"] == "network")
    assert network == 60.0 and network > 0.5 * sum(item["ms"] for item in limit["path"])


def test_a_p99_spread_over_a_chain_of_sync_calls_names_the_chain():
    # Gateway, features, model and a database each 6 ms (constant) one after the other, 8 replicas each
    # (under 25% busy), no network: no one of them takes a third of the P99, the chain's length does.
    document = chain(p99_ms=20, latency_ms=0, service_ms=6, constant=True)
    document["nodes"][0]["config"] = {"replicas": 8, "service_time": {"dist": "constant", "mean_ms": 6}}
    document["nodes"].append({"id": "db", "kind": "database", "label": "Orders", "position": {"x": 600, "y": 0},
                              "config": {"replicas": 8, "service_time": {"dist": "constant", "mean_ms": 6}}})
    document["edges"].append({"id": "e3", "source": "ms", "target": "db", "latency_ms": 0})
    results = run(document, seed=4, requests=10_000)
    limit = results.bottleneck
    assert not results.slo["p99_ms"]["passed"]
    assert limit["verdict"] == "bottleneck" and limit["cause"] == "sync_chain"
    assert "a sync chain: 4 components" in limit["reason"]
    assert all(label in limit["reason"] for label in ("Gateway", "Features", "Model", "Orders"))
    assert all(results.nodes[node].utilization < 0.3 for node in ("gw", "fs", "ms", "db"))


def test_a_passing_board_has_headroom_with_how_much_room():
    results = run(chain(p99_ms=200, latency_ms=1), seed=4, requests=10_000)
    limit = results.bottleneck
    assert results.slo["p99_ms"]["passed"]
    assert limit["verdict"] == "headroom"
    busiest = max(results.nodes, key=lambda k: results.nodes[k].utilization)
    assert limit["node"] == busiest
    assert f"{1 / results.nodes[busiest].utilization:.1f}x today's load" in limit["reason"]
    assert "under the 200 ms SLO" in limit["reason"]
    # And what to watch as the SLO tightens: its largest part, here the service time of one of the two 5 ms components.
    assert any(f"the largest part of a slow request is service time at {label}" in limit["reason"]
               for label in ("Features", "Model"))


def test_a_p99_spent_waiting_for_batches_to_fill_names_the_batching_delay():
    # 50 req/s into a model server that waits up to 20 ms to fill a batch of 16: batches leave at the
    # deadline with about 2 requests, so nearly every request waits the full 20 ms against a 15 ms SLO.
    document = chain(p99_ms=15, latency_ms=0.5, service_ms=1.0)
    document["requirements"]["peak_rps"] = document["traffic"]["rps"] = 50
    document["nodes"][2]["config"].update({"max_batch_size": 16, "max_batch_delay_ms": 20})
    results = run(document, seed=1, requests=5_000)
    limit = results.bottleneck
    assert limit["verdict"] == "bottleneck" and limit["cause"] == "batching" and limit["node"] == "ms"
    assert "batching delay: 20.0 ms" in limit["reason"] and "lower max_batch_delay_ms" in limit["reason"]
    assert results.nodes["ms"].utilization < 0.1


def test_a_run_below_the_peak_says_it_does_not_test_the_peak():
    document = chain(p99_ms=200, latency_ms=1)
    document["requirements"]["peak_rps"] = 1000  # the traffic stays at 300 req/s
    limit = run(document, seed=4, requests=5_000).bottleneck
    assert limit["verdict"] == "bottleneck" and limit["cause"] == "traffic"
    assert "the run simulated 300 req/s, below the peak requirement of 1000 req/s" in limit["reason"]
