"""The run contract: determinism, the two engines agreeing, progress, cancellation, limits, errors."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest

from simulator import MAX_REQUESTS, SimulationCancelled, SimulationError, run
from simulator.cli import main
from simulator.validation import BoardValidationError
from tests.simulator.boards import board, chain, edge, exp, node

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "simulator" / "examples"
FORBIDDEN = ("django", "celery", "channels", "rest_framework")


def ml_board() -> dict:
    """Gateway, cache, parallel fan-out to features and a model, async logging, drops possible."""
    nodes = [
        node("gw", servers=2, service=exp(0.5), timeout_ms=30.0),
        node("cache", "cache", servers=2, service=exp(0.3), hit_rate=0.4, fanout="parallel"),
        node("fs", "feature_store", servers=3, service={"dist": "lognormal", "median_ms": 2.0, "p99_ms": 9.0}),
        node("ms", "model_server", servers=4, service=exp(6.0), queue_limit=20),
        node("rank", servers=2, service={"dist": "empirical", "samples_ms": [0.5, 1.0, 1.5, 4.0]}),
        node("log", "logging", service=exp(1.2), queue_limit=3),
    ]
    edges = [edge("gw", "cache", latency_ms=0.3), edge("cache", "fs", latency_ms=0.5),
             edge("cache", "ms", latency_ms=0.5), edge("gw", "rank", latency_ms=0.2),
             edge("gw", "log", "async", latency_ms=1.0), edge("ms", "log", "async")]
    return board(nodes, edges, rps=700, warmup_s=2)


def leaves(data, path: str = "") -> dict:
    """Every number and string in nested results, keyed by its path; the engine name left out."""
    if isinstance(data, dict):
        return {k: v for key, value in data.items() if key != "engine" for k, v in leaves(value, f"{path}.{key}").items()}
    if isinstance(data, list):
        return {k: v for i, value in enumerate(data) for k, v in leaves(value, f"{path}[{i}]").items()}
    return {path: data}


def test_same_document_and_seed_give_identical_results():
    first = run(ml_board(), seed=21, requests=20_000).to_dict()
    again = run(ml_board(), seed=21, requests=20_000).to_dict()
    assert json.dumps(first, sort_keys=True) == json.dumps(again, sort_keys=True)


def test_different_seeds_give_different_results():
    one = run(ml_board(), seed=1, requests=20_000)
    two = run(ml_board(), seed=2, requests=20_000)
    assert one.latency_ms.mean != two.latency_ms.mean
    assert one.requests != two.requests or one.latency_ms.p99 != two.latency_ms.p99


@pytest.mark.parametrize("make", [
    ml_board,
    lambda: chain(node("a", servers=2, service=exp(4.0)), node("b", servers=3, service=exp(5.0), timeout_ms=10.0),
                  node("c", service=exp(1.0), queue_limit=2), rps=500, warmup_s=1),
    lambda: board([node("web"), node("app"), node("db", "database", servers=2, service=exp(3.0))],
                  [edge("web", "db", latency_ms=1.0), edge("app", "db")], rps=400, warmup_s=1, arrival="bursty"),
    lambda: chain(node("gw", servers=2, service=exp(0.5)),
                  node("ms", "model_server", servers=3, service=exp(4.0), max_batch_size=8, max_batch_delay_ms=2.0),
                  rps=1500, warmup_s=1),
    lambda: chain(node("gw", servers=2, service=exp(0.5)),
                  node("ms", "model_server", servers=2, service=exp(3.0), max_batch_size=4, max_batch_delay_ms=5.0,
                       queue_limit=6, timeout_ms=4.0), rps=1500, warmup_s=1),
], ids=["ml-board", "chain-with-drops", "two-entries-bursty", "batching", "batching-with-drops"])
def test_fast_path_and_event_loop_agree(make):
    fast = run(make(), seed=5, requests=15_000, engine="fast")
    event = run(make(), seed=5, requests=15_000, engine="event")
    assert fast.run["engine"] == "fast" and event.run["engine"] == "event"
    # Same draws in the same order: equal up to the order in which sums are added up.
    fast_leaves, event_leaves = leaves(fast.to_dict()), leaves(event.to_dict())
    assert fast_leaves.keys() == event_leaves.keys()
    for key, value in fast_leaves.items():
        assert value == (pytest.approx(event_leaves[key], rel=1e-9, abs=1e-9)
                         if isinstance(value, float) else event_leaves[key]), key


def test_board_whose_calls_depend_on_their_own_answers_runs_on_the_event_loop():
    # a calls b, then c, which calls b again: b's later arrivals depend on its own earlier answers.
    nodes = [node("a"), node("b", service=exp(2.0)), node("c")]
    edges = [edge("a", "b"), edge("a", "c"), edge("c", "b")]
    results = run(board(nodes, edges, rps=100), seed=1, requests=3_000)
    assert results.run["engine"] == "event"
    assert results.nodes["b"].offered_rps == pytest.approx(2 * results.nodes["a"].offered_rps, rel=0.02)
    with pytest.raises(SimulationError, match="event loop"):
        run(board(nodes, edges, rps=100), seed=1, requests=3_000, engine="fast")


@pytest.mark.parametrize("engine", ["fast", "event"])
def test_progress_is_reported_and_ends_at_one(engine):
    seen = []
    run(ml_board(), seed=1, requests=60_000, engine=engine, progress=seen.append)
    assert seen[-1] == 1.0
    assert all(0 <= f <= 1 for f in seen)
    assert seen == sorted(seen)


@pytest.mark.parametrize("engine", ["fast", "event"])
def test_should_stop_cancels_the_run(engine):
    with pytest.raises(SimulationCancelled):
        run(ml_board(), seed=1, requests=60_000, engine=engine, should_stop=lambda: True)


def test_invalid_document_raises_an_error_naming_the_path():
    doc = chain(node("a"), node("b"))
    doc["nodes"][1]["config"]["replicas"] = 0
    with pytest.raises(BoardValidationError) as error:
        run(doc, seed=1, requests=100)
    assert error.value.issues[0].path == "nodes[1].config.replicas"


def test_run_beyond_the_request_limit_is_refused():
    with pytest.raises(SimulationError, match="limit of 20,000,000"):
        run(chain(node("a")), seed=1, requests=MAX_REQUESTS + 1)


def test_duration_needing_too_many_requests_is_refused():
    doc = chain(node("a"), rps=500_000)
    with pytest.raises(SimulationError) as error:
        run(doc, seed=1, duration_s=3600)
    assert error.value.path == "traffic.duration_s"
    assert "1,800,000,000 requests" in str(error.value)


def test_async_cycle_is_refused_naming_the_edges():
    doc = board([node("a"), node("q", "queue"), node("w")], [edge("a", "q"), edge("q", "w", "async"),
                                                              edge("w", "q", "async")])
    with pytest.raises(SimulationError, match="cycle"):
        run(doc, seed=1, requests=100)


def test_results_json_has_the_contract_keys():
    data = run(ml_board() | {"requirements": {"p99_ms": 50, "peak_rps": 700}}, seed=1, requests=10_000).to_dict()
    assert set(data["latency_ms"]) >= {"mean", "p50", "p90", "p95", "p99", "p999", "max", "p99_ci95"}
    assert len(data["latency_ms"]["p99_ci95"]) == 2
    assert set(data["requests"]) == {"arrived", "completed", "dropped", "failed", "in_flight", "degraded"}
    assert set(data["errors"]) >= {"replica_lost", "unavailable", "error", "unreachable", "circuit_open",
                                   "call_timeout", "rate_limited"}
    assert data["availability"] == data["requests"]["completed"] / data["requests"]["arrived"]
    assert set(data["drops"]) == {"queue_full", "timeout"}
    assert set(data["nodes"]["ms"]) >= {"utilization", "mean_queue_length", "mean_wait_ms", "p99_wait_ms",
                                        "throughput_rps", "dropped"}
    assert set(data["timeseries"][0]) >= {"t_s", "arrivals", "completions", "p99_ms"}
    assert sum(data["histogram"]["counts"]) + data["histogram"]["above"] == data["requests"]["completed"]
    assert data["bottleneck"]["node"] in data["nodes"]
    assert set(data["slo"]["p99_ms"]) >= {"target", "actual", "passed"}
    assert set(data["slo"]["peak_rps"]) >= {"target", "actual", "passed"}
    json.dumps(data, allow_nan=False)


def test_simulator_imports_no_web_framework():
    offenders = []
    for path in (ROOT / "simulator").rglob("*.py"):
        for item in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [a.name for a in item.names] if isinstance(item, ast.Import) else (
                [item.module or ""] if isinstance(item, ast.ImportFrom) else [])
            offenders += [f"{path.name}: {n}" for n in names if n.split(".")[0] in FORBIDDEN]
    assert offenders == []


@pytest.mark.parametrize("example", ["reference_chain.json", "ad_click.json"])
def test_cli_runs_the_shipped_examples(example, capsys):
    assert main(["run", str(EXAMPLES / example), "--seed", "3", "--requests", "5000"]) == 0
    assert "latency ms" in capsys.readouterr().out
    assert main(["run", str(EXAMPLES / example), "--duration", "15", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["requests"]["arrived"] > 0


def test_cli_reports_a_bad_board_with_its_path(tmp_path, capsys):
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(chain(node("a", servers=0))))
    assert main(["run", str(bad)]) == 2
    assert "nodes[0].config.replicas" in capsys.readouterr().err
