"""LLM servers in both engines: the same results from the fast path and the event loop, and outages in the latter."""

from __future__ import annotations

import dataclasses

import pytest

from simulator import run
from simulator.fields import INTEGER, Field, exponential, serving
from simulator.kinds import ServingKind, registered
from simulator.nodespec import LlmPlan
from tests.simulator.boards import client, edge, fault, node
from tests.simulator.test_llm_serving import COST
from tests.simulator.test_run import leaves


class FixedCostLlm(ServingKind):
    """An LLM server whose steps cost COST, so these tests do not depend on measured profiles."""

    name = "test_fixed_llm"
    title = "Fixed-cost LLM"
    group = "serving"
    description = "An LLM server with fixed step costs."
    browser_icon = "model_server"
    diagram_icon = ("diagrams.aws.ml", "SagemakerModel")
    fields = serving(2, 1, "c6i.large", exponential(1.0),
                     Field("kv", INTEGER, 200_000, "KV cache tokens.", minimum=1, maximum=10_000_000),
                     Field("static", INTEGER, 0, "1 for static batching.", minimum=0, maximum=1),
                     Field("max_seqs", INTEGER, 64, "Sequences at once.", minimum=1, maximum=1024))

    def node_spec(self, index, node):
        spec = super().node_spec(index, node)
        config = spec.config
        plan = LlmPlan(config["max_seqs"], 2048, config["kv"], bool(config["static"]), tuple(COST))
        return dataclasses.replace(spec, llm=plan)


@pytest.fixture(autouse=True)
def _llm_kind():
    with registered(FixedCostLlm):
        yield


def rag(*, streaming=True, rps=20.0, **llm_config):
    nodes = [client(), node("gw", servers=2, service=exp_ms(0.5)), node("emb", servers=2, service=exp_ms(3.0)),
             {"id": "llm", "kind": FixedCostLlm.name, "config": {"replicas": 2, **llm_config}}]
    edges = [edge("client", "gw"), edge("gw", "emb", latency_ms=0.5), edge("gw", "llm", latency_ms=0.5)]
    return {"schema_version": 1, "title": "t", "nodes": nodes, "edges": edges,
            "traffic": {"rps": rps, "duration_s": 90, "warmup_s": 10, "streaming": streaming,
                        "prompt_tokens": {"dist": "uniform", "low": 200, "high": 2000},
                        "output_tokens": {"dist": "lognormal", "median": 80, "p99": 600}}}


def exp_ms(mean):
    return exponential(mean)


@pytest.mark.parametrize("make", [
    lambda: rag(),
    lambda: rag(streaming=False),
    lambda: rag(static=1, max_seqs=16),
    lambda: rag(kv=20_000, rps=30.0),
    lambda: rag(queue_limit=5, max_seqs=4, rps=40.0),
], ids=["streaming", "whole-answers", "static", "small-kv-preempts", "queue-limit"])
def test_fast_path_and_event_loop_agree_on_llm_boards(make):
    fast, event = run(make(), seed=4, engine="fast"), run(make(), seed=4, engine="event")
    fast_leaves, event_leaves = leaves(fast.to_dict()), leaves(event.to_dict())
    assert fast_leaves.keys() == event_leaves.keys()
    for key, value in fast_leaves.items():
        assert value == (pytest.approx(event_leaves[key], rel=1e-9, abs=1e-9)
                         if isinstance(value, float) else event_leaves[key]), key
    assert fast.llm["llm"]["answers"] > 300


def test_streaming_answers_at_the_first_token_and_whole_answers_at_the_last():
    streamed, whole = run(rag(), seed=2), run(rag(streaming=False), seed=2)
    figures = streamed.llm["llm"]
    # The request's latency through the LLM server is its TTFT when streaming, its end-to-end otherwise.
    assert streamed.latency_ms.p50 < whole.latency_ms.p50 / 5
    assert figures["ttft_ms"]["p50"] < figures["e2e_ms"]["p50"] / 5
    assert whole.llm["llm"]["e2e_ms"]["p50"] == pytest.approx(figures["e2e_ms"]["p50"], rel=1e-9)


def test_an_outage_fails_the_waiting_and_running_sequences_and_new_ones_until_it_ends():
    # Streaming, a visit answers at its first token (tens of ms), so the requests failed are those
    # arriving during the 10 s of 80 measured (1 - 10/80), plus the few waiting for a first token
    # when it began; sequences already answered and still generating are dropped without a failure.
    doc = rag()
    doc["faults"] = [fault("down", "outage", "llm", 30, 10)]
    results = run(doc, seed=3)
    # Tolerance: three standard deviations of the Poisson count of arrivals in the window (about
    # 200 at 20 rps, sd 14) over the about 1,600 measured, 0.027, plus the few waiting: 0.03.
    assert 1 - results.availability == pytest.approx(10 / 80, abs=0.03)
    # Whole answers take seconds: the sequences held when the outage began fail too.
    whole = rag(streaming=False)
    whole["faults"] = doc["faults"]
    assert 1 - run(whole, seed=3).availability > 1 - results.availability + 0.05
    assert results.nodes["llm"].errors["unavailable"] == results.errors["unavailable"]
