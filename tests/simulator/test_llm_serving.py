"""The LLM server's step scheduler on its own: continuous and static batching against their arithmetic."""

from __future__ import annotations

import numpy as np
import pytest

from simulator import llm_serving as llm

# A step costs 5 ms, plus the larger (overlap 20: almost a plain max) of 0.05 ms per token through the
# dense layers and 10 ms to read the weights, plus 0.0001 ms per context token a decode reads and
# 0.00001 ms per prefill attention pair.
COST = np.zeros(llm.COST_PARAMETERS)
COST[llm.C_OVERHEAD], COST[llm.C_WEIGHTS], COST[llm.C_TOKEN], COST[llm.C_OVERLAP] = 5.0, 10.0, 0.05, 20.0
COST[llm.C_CONTEXT], COST[llm.C_PAIR] = 0.0001, 0.00001


def serve(arrivals, prompts, outputs, *, replicas=1, max_seqs=64, max_tokens=2048, kv=1_000_000, static=False,
          queue_limit=-1):
    """Run one LLM server over the given sequences; (first token, last token, admission, dropped, figures)."""
    arrivals = np.asarray(arrivals, dtype=float)
    n = len(arrivals)
    settings = np.array([[replicas, max_seqs, max_tokens, kv, int(static), 0, queue_limit]], dtype=np.int64)
    ln, qb, ri, run, si = llm.new_tables(settings, n, n + 1024)
    si[:, llm.S_BASE] = si[:, llm.S_PROMPT] = prompts
    si[:, llm.S_OUTPUT] = outputs
    first, done, admitted = np.full(n, np.nan), np.full(n, np.nan), np.zeros(n)
    dropped = np.zeros(n, dtype=np.int8)
    figures, rows = np.zeros(4), np.zeros((3, 10))
    llm.node_loop(arrivals, settings, COST[None, :], ln, qb, ri, run, si, admitted, 0, first, done, dropped,
                  figures, rows, 0.0, 1e12, 1e11)
    return first, done, admitted, dropped, figures, ri


def step(prefill, decode, context, pairs=0):
    return llm.step_ms(COST, prefill, decode, context, pairs)


def pairs(tokens, offset=0):
    return tokens * offset + tokens * (tokens + 1) // 2


def test_alone_a_request_takes_its_prefill_step_then_one_decode_step_per_further_token():
    # The LLM latency identity: end-to-end = TTFT + (output - 1) x TPOT, where TTFT is the prefill
    # step (800 tokens: 5 + max(40, 10) + 0.00001 x 320,400 pairs = 48.2 ms) and each decode step
    # reads the weights and a context that grows by a token: 5 + max(0.05, 10) + 0.0001 x context.
    # Exact here, one request at a time.
    prompt, output = 800, 50
    first, done, *_ = serve([0.0], [prompt], [output])
    assert first[0] == pytest.approx(step(prompt, 0, 0, pairs(prompt)))
    assert first[0] == pytest.approx(5 + 40 + 0.00001 * 800 * 801 / 2, rel=1e-9)
    decodes = sum(step(0, 1, prompt + k + 1) for k in range(output - 1))
    assert done[0] - first[0] == pytest.approx(decodes)
    tpot = (done[0] - first[0]) / (output - 1)
    assert done[0] == pytest.approx(first[0] + (output - 1) * tpot)
    # 5 + 10 + 0.0001 x the mean context of the decode steps, 800 + 25 tokens.
    assert tpot == pytest.approx(15.0 + 0.0001 * (prompt + 25), rel=1e-6)


def test_time_to_first_token_grows_with_the_prompt():
    ttft = [serve([0.0], [prompt], [10])[0][0] for prompt in (100, 1000, 4000)]
    assert ttft[0] < ttft[1] < ttft[2]
    # Beyond the step budget (2,048 tokens) a prompt is read over several steps (chunked prefill).
    assert ttft[2] == pytest.approx(step(2048, 0, 0, pairs(2048)) + step(4000 - 2048, 0, 0, pairs(4000 - 2048, 2048)))


def test_continuous_batching_carries_more_tokens_than_static_under_load_with_long_tailed_outputs():
    # 400 requests at once, outputs mostly 20 tokens and one in ten 400: static batching keeps every
    # batch until its longest answer is done, continuous batching lets the short ones leave.
    rng = np.random.default_rng(1)
    outputs = np.where(rng.random(400) < 0.1, 400, 20)
    arrivals, prompts = np.zeros(400), np.full(400, 200)
    tokens = outputs.sum()
    spans = {}
    for static in (False, True):
        first, done, *_ = serve(arrivals, prompts, outputs, max_seqs=32, static=static)
        spans[static] = np.nanmax(done)
    assert tokens / spans[False] > 2 * tokens / spans[True]


def test_a_kv_cache_too_small_for_the_concurrency_queues_sequences():
    # Each sequence holds up to 500 + 100 tokens; a cache of 3,000 takes about five at once, not 32.
    n = 64
    first, done, admitted, *_ = serve(np.zeros(n), np.full(n, 500), np.full(n, 100), kv=3_000)
    wide = serve(np.zeros(n), np.full(n, 500), np.full(n, 100), kv=1_000_000)
    assert np.nanmax(done) > 3 * np.nanmax(wide[1])
    assert (admitted > 0).sum() > n / 2  # most waited in the queue before they were admitted


def test_running_sequences_outgrowing_the_cache_are_preempted_and_still_finish():
    # Prompts fit, but 20 outputs of 300 tokens do not: the newest sequences are sent back and
    # read their prompt and answer so far again (recompute), and every one still finishes.
    n = 20
    first, done, admitted, dropped, figures, ri = serve(np.zeros(n), np.full(n, 200), np.full(n, 300), kv=5_000)
    assert ri[0, llm.R_PREEMPTED] > 0
    assert not np.isnan(done).any() and (done > first).all()


def test_doubling_replicas_doubles_the_capacity():
    # A long backlog of identical requests: the makespan halves with twice the replicas (within a step).
    n = 600
    one = serve(np.zeros(n), np.full(n, 300), np.full(n, 50), max_seqs=16)[1]
    two = serve(np.zeros(n), np.full(n, 300), np.full(n, 50), max_seqs=16, replicas=2)[1]
    assert np.nanmax(two) == pytest.approx(np.nanmax(one) / 2, rel=0.02)


def test_a_full_queue_refuses_sequences():
    # All 100 arrive at once: the first is admitted by the idle replica at once, ten wait, 89 are refused.
    first, done, admitted, dropped, *_ = serve(np.zeros(100), np.full(100, 100), np.full(100, 10), max_seqs=8,
                                               queue_limit=10)
    assert dropped.sum() == 100 - 1 - 10 and np.isnan(done[dropped == 1]).all()
    assert not np.isnan(done[dropped == 0]).any()
