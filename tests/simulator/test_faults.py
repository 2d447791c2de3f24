"""Timed faults against queueing arithmetic: lost replicas, slowdowns, cache flushes, and their recovery."""

from __future__ import annotations

import pytest

from simulator import run
from simulator.validation import validate_document
from tests.simulator.boards import board, chain, client, edge, exp, fault, node
from tests.simulator.test_closed_forms import erlang_c


def test_replicas_down_for_the_whole_run_is_an_mmc_with_fewer_servers():
    # 4 replicas of Exp(10 ms) losing 2 for the whole run is an M/M/2 at 150 req/s: a = 1.5,
    # Erlang C(2, 1.5) = 9/14, mean wait C / (c mu - lambda) = (9/14) / 50 s = 12.86 ms. About
    # 150,000 requests at 75% load: the mean's standard error is under 2%, tolerance 5% (as for
    # the other closed forms).
    doc = chain(node("a", servers=4, service=exp(10.0)), rps=150, warmup_s=0, duration_s=1000)
    doc["faults"] = [fault("half", "replicas_down", "a", 0, 1000, replicas=2)]
    results = run(doc, seed=21)
    wait = erlang_c(2, 1.5) / (200 - 150) * 1000
    assert results.nodes["a"].mean_wait_ms == pytest.approx(wait, rel=0.05)
    assert results.nodes["a"].failed == 0  # nothing was running when the replicas were lost


def test_lost_replicas_cap_throughput_at_the_capacity_left_and_fail_their_work():
    # 4 replicas of Exp(10 ms) serve 400 req/s; with 3 lost, 100 req/s remain for
    # 300 req/s offered: the node completes at most 100 req/s while the fault lasts, and the work
    # on the lost replicas fails (replica_lost). After it, the backlog drains at 400 - 300 req/s.
    doc = chain(node("a", servers=4, service=exp(10.0)), rps=300, warmup_s=0, duration_s=60)
    doc["faults"] = [fault("lost", "replicas_down", "a", 20, 10, replicas=3)]
    results = run(doc, seed=22)
    during = [row["completions"] for row in results.timeseries if 21 <= row["t_s"] < 30]
    assert sum(during) / len(during) == pytest.approx(100, rel=0.08)
    assert 1 <= results.errors["replica_lost"] <= 3
    assert results.nodes["a"].errors["replica_lost"] == results.errors["replica_lost"]


def test_a_slowdown_multiplies_service_times_and_so_the_utilisation():
    # Utilisation law: U = lambda E[S] / c; a factor 3 for half of the run gives 0.2 x (1 + 3) / 2.
    doc = chain(node("a", servers=2, service=exp(4.0)), rps=100, warmup_s=0, duration_s=200)
    doc["faults"] = [fault("slow", "slowdown", "a", 100, 100, factor=3.0)]
    results = run(doc, seed=23)
    assert results.nodes["a"].utilization == pytest.approx(0.2 * (1 + 3) / 2, rel=0.04)


def test_a_cache_flush_sends_everything_to_the_store_then_recovers_linearly():
    # Hit rate 0.8: the database normally sees 20% of 500 req/s. Flushed for 10 s it sees all of
    # it, then, over a 20 s recovery, 1 - 0.8 t/20 on average 60%: in all, over the 60 s run,
    # (30 s x 0.2 + 10 s x 1 + 20 s x 0.6) / 60 = 28/60 of the requests.
    nodes = [client(), node("cache", "cache", servers=4, service=exp(0.2), hit_rate=0.8),
             node("db", "database", servers=20, service=exp(2.0))]
    doc = board(nodes, [edge("client", "cache"), edge("cache", "db")], rps=500, warmup_s=0, duration_s=60)
    doc["faults"] = [fault("flush", "cache_flush", "cache", 20, 10, recovery_s=20)]
    results = run(doc, seed=24)
    assert results.nodes["db"].offered_rps == pytest.approx(500 * 28 / 60, rel=0.03)
    [impact] = results.faults
    assert impact["end_s"] == 50


def test_faults_are_validated_with_located_errors():
    doc = chain(node("a"), node("b"), duration_s=30)
    doc["faults"] = [fault("x", "meteor", "a", 0, 1), fault("y", "partition", "a", 0, 1),
                     fault("z", "outage", "a", 25, 10), fault("w", "replicas_down", "b", 0, 1, replicas=2)]
    issues = {issue.path: issue.message for issue in validate_document(doc)}
    assert issues["faults[0].type"].startswith("must be one of replicas_down, outage")
    assert issues["faults[1].target"] == "must be the id of an edge on the board for a partition fault, not 'a'"
    assert issues["faults[2].duration_s"] == "the fault ends at 35 s, after the run's 30 s: it must fit in the run"
    assert issues["faults[3].replicas"] == "must be at most the 1 replicas b can have"
