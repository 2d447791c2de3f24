"""The generative AI kinds on real boards: LLM servers timed by the roofline, encoders, a semantic cache, a guardrail."""

from __future__ import annotations

import copy
import math

import pytest

from simulator import run
from simulator.kinds.genai import EncoderTimer
from simulator.models.llm import llm_profile
from simulator.models.roofline import prefill_pairs
from simulator.validation import BoardValidationError, check_document


def board(llm: dict | None = None, *, rps: float = 4.0, duration_s: float = 60, prompt=None, output=None,
          streaming: bool = True, front: list[dict] | None = None) -> dict:
    """Client -> gateway -> [front nodes] -> LLM server; the LLM's config overrides the defaults."""
    nodes = [{"id": "client", "kind": "client"}, {"id": "gw", "kind": "gateway"}, *(front or []),
             {"id": "llm", "kind": "llm_server", "config": llm or {}}]
    chain = [node["id"] for node in nodes]
    edges = [{"id": f"e{i}", "source": a, "target": b, "mode": "sync"} for i, (a, b) in enumerate(zip(chain, chain[1:]))]
    return {"schema_version": 1, "title": "llm", "nodes": nodes, "edges": edges,
            "requirements": {"p99_ms": 2000},
            "traffic": {"rps": rps, "duration_s": duration_s, "warmup_s": 5, "streaming": streaming,
                        "prompt_tokens": prompt or {"dist": "lognormal", "median": 800, "p99": 2500},
                        "output_tokens": output or {"dist": "lognormal", "median": 120, "p99": 600}}}


def test_alone_an_answer_is_its_prefill_then_one_decode_step_per_further_token():
    # The LLM latency identity, per answer: e2e = TTFT + (output - 1) x TPOT, so exactly for the
    # means too. At 0.05 req/s no two requests meet, so TTFT is the 500-token prefill step alone.
    doc = board({"model_class": "llm_8b", "instance": "g6e.xlarge"}, rps=0.05, duration_s=2000,
                prompt={"dist": "constant", "mean": 500}, output={"dist": "constant", "mean": 50})
    figures = run(doc, seed=1).llm["llm"]
    cost = llm_profile("llm_8b", "fp16", "g6e.xlarge")
    assert figures["e2e_ms"]["mean"] == pytest.approx(figures["ttft_ms"]["mean"] + 49 * figures["tpot_ms"]["mean"],
                                                      rel=1e-9)
    assert figures["ttft_ms"]["p50"] == pytest.approx(cost.prefill_ms(500), rel=1e-9)
    # Each decode step reads the weights and a context growing from 501 to 549 tokens.
    tpot = sum(cost.decode_ms(1, 500 + k + 1) for k in range(49)) / 49
    assert figures["tpot_ms"]["p50"] == pytest.approx(tpot, rel=1e-6)
    # A GPU's timing is a data-sheet estimate, and the results say so and what the class stands for.
    assert figures["estimate"] is True and "L40S" in figures["timing_source"]
    assert "Llama 3.1 8B" in figures["stands_for"]


def test_a_bigger_model_on_the_same_gpu_is_slower_and_costs_more_per_token():
    # Offered far more than either carries (the queue bounded), each replica makes all the tokens it
    # can: the cost per token is then the GPU's price over its capacity.
    small, big = (run(board({"model_class": name, "instance": "g6e.xlarge", "queue_limit": 50}, rps=80),
                      seed=2).llm["llm"] for name in ("llm_1b", "llm_8b"))
    assert big["tpot_ms"]["p50"] > 2 * small["tpot_ms"]["p50"]
    assert big["ttft_ms"]["p50"] > small["ttft_ms"]["p50"]
    assert big["usd_per_million_output_tokens"] > 2 * small["usd_per_million_output_tokens"]


def test_cost_per_answer_and_per_token_are_what_the_replicas_cost_over_what_they_made():
    results = run(board({"model_class": "llm_1b", "instance": "g6.xlarge", "replicas": 2}, rps=6, duration_s=400),
                  seed=3)
    figures = results.llm["llm"]
    usd_per_s = 2 * 0.8048 / 3600  # two g6.xlarge at their on-demand price
    tokens_per_s = figures["output_tokens_per_s"]
    assert figures["usd_per_million_output_tokens"] == pytest.approx(usd_per_s / tokens_per_s * 1e6, rel=1e-9)
    # Answers finished in the window per second: the run's completed throughput (one visit per request),
    # which counts streamed requests at their first token: the two differ by the answers still being
    # written at the window's edges, a few seconds of 395 (tolerance 3%).
    assert figures["usd_per_1000_answers"] == pytest.approx(usd_per_s / results.throughput_rps * 1000, rel=0.03)
    assert figures["output_tokens_per_s_per_replica"] == pytest.approx(tokens_per_s / 2)


def test_int8_leaves_more_of_the_gpu_for_the_kv_cache_and_a_starved_cache_queues_and_preempts():
    fp16, int8 = (llm_profile("llm_8b", precision, "g6.xlarge") for precision in ("fp16", "int8"))
    assert int8.kv_capacity_tokens > 4 * fp16.kv_capacity_tokens
    starved, roomy = (run(board({"model_class": "llm_8b", "instance": "g6.xlarge", "precision": precision,
                                 "replicas": 2}, rps=5), seed=4).llm["llm"] for precision in ("fp16", "int8"))
    assert starved["mean_kv_tokens_held"] > 0.8 * starved["kv_capacity_tokens"]
    assert starved["preempted"] > 0 and roomy["preempted"] == 0
    assert starved["mean_queued_sequences"] > 10 * max(roomy["mean_queued_sequences"], 0.01)


@pytest.mark.parametrize("config,field", [
    ({"model_class": "llm_70b", "instance": "g6e.xlarge"}, "instance"),  # 140 GB of weights on a 48 GB GPU
    ({"instance": "g6e.xlarge", "tensor_parallel": 2}, "tensor_parallel"),  # one GPU
    ({"instance": "g6e.xlarge", "precision": "fp32"}, "precision"),  # the CPU reference's precision
    ({"instance": "s3"}, "instance"),  # not a machine
])
def test_a_model_that_cannot_be_served_so_is_refused_at_its_field(config, field):
    with pytest.raises(BoardValidationError) as refused:
        check_document(board(config))
    assert [issue.path for issue in refused.value.issues] == [f"nodes[2].config.{field}"]


def test_an_llm_server_takes_outages_slowdowns_and_errors_but_not_lost_replicas():
    doc = board({"replicas": 2})
    doc["faults"] = [{"id": "f", "type": "replicas_down", "target": "llm", "at_s": 10, "duration_s": 5, "replicas": 1}]
    with pytest.raises(BoardValidationError) as refused:
        check_document(doc)
    assert refused.value.issues[0].path == "faults[0].type"
    doc["faults"][0] = {"id": "f", "type": "slowdown", "target": "llm", "at_s": 10, "duration_s": 5, "factor": 2}
    check_document(doc)


def test_an_encoder_batch_is_one_forward_pass_over_its_texts():
    cost = llm_profile("reference_34m", "fp16", "g4dn.xlarge")
    timer = EncoderTimer(cost, texts=20, tokens=256)
    for batch in (1, 4):
        sequences = batch * 20
        assert timer.step_ms(batch) == pytest.approx(
            cost.step_ms(prefill_tokens=sequences * 256, prefill_pairs=sequences * prefill_pairs(256)), rel=1e-12)
    # Batching amortises the fixed step cost and the weight read: four requests cost less than four times one.
    assert timer.step_ms(4) < 4 * timer.step_ms(1)


def test_a_reranker_is_busy_for_its_forward_pass_per_request():
    front = [{"id": "rr", "kind": "reranker", "config": {"max_batch_size": 1, "candidates": 10, "tokens_per_text": 200}}]
    results = run(board(front=front, rps=20, duration_s=100), seed=5)
    node = results.nodes["rr"]
    span_s = results.run["measured_s"]
    servers = 2  # the reranker's default replicas, one at a time each
    mean_service_ms = node.utilization * servers * span_s * 1000 / (node.throughput_rps * span_s)
    expected = EncoderTimer(llm_profile("reference_34m", "fp16", "g6.xlarge"), 10, 200).step_ms(1)
    assert mean_service_ms == pytest.approx(expected, rel=0.02)


def test_a_semantic_cache_hit_skips_the_llm_behind_it():
    # Visits reaching the LLM are a binomial share 1 - hit_rate of the requests: tolerance three sds.
    front = [{"id": "sc", "kind": "semantic_cache", "config": {"hit_rate": 0.4}}]
    results = run(board(front=front, rps=5, duration_s=200), seed=6)
    requests = results.requests.completed
    answers = results.llm["llm"]["answers"]
    tolerance = 3 * math.sqrt(requests * 0.4 * 0.6)
    assert abs(answers - 0.6 * requests) < tolerance + 0.01 * requests  # plus the answers unfinished at the end


def test_the_guardrail_is_the_harmful_text_classifier_timed_on_its_profile():
    front = [{"id": "guard", "kind": "guardrail"}]
    doc = board(front=front)
    check_document(doc)
    results = run(doc, seed=7)
    info = results.node_models["guard"]
    assert info["model"] == "harmful_text_linear"
    assert results.nodes["guard"].utilization > 0


def test_the_board_document_is_left_alone_by_a_run():
    doc = board({"replicas": 2})
    before = copy.deepcopy(doc)
    run(doc, seed=8)
    assert doc == before


def test_an_llm_servers_utilisation_is_how_full_its_batches_are():
    # Busy time alone reads 100% whenever any sequence runs; occupancy (running over max_num_seqs,
    # or KV held over capacity, whichever is larger) says how much more the replicas can take.
    light, full = (run(board({"model_class": "llm_1b", "instance": "g6e.xlarge", "max_num_seqs": 64,
                                "queue_limit": 50}, rps=rps), seed=9) for rps in (2, 200))
    figures = light.llm["llm"]
    assert light.nodes["llm"].utilization < 0.2
    assert light.nodes["llm"].utilization >= figures["mean_running_sequences"] / 64 * 0.5
    assert full.nodes["llm"].utilization > 0.9
    assert light.llm["llm"]["max_num_seqs"] == 64
