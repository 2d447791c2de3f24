"""Benchmark: simulated answers per wall second of a RAG board, against the same LLM server written in SimPy.

The board is the RAG support chatbot template (guardrail, embedding, retrieval, reranker and a
streaming 8B-class LLM on L40S GPUs), offered 40 questions a second over 12 LLM replicas so the
LLM servers batch as they do at a busy peak. This simulator runs it whole (every node, the
fast path). The peer is one LLM server alone, written idiomatically in SimPy (a process per
replica running steps, a Store as the queue): the same continuous-batching rules (decode a token
for every running sequence, then prompt chunks up to the step's token budget, admission while
the KV cache has room, finished sequences leave at once) and the same step-time formula, so the
peer does less than this simulator (one node against eight). Both print answers simulated per
second of wall time and the mean time to first token, so they can be seen to simulate the same
server.

    .venv/bin/python benchmarks/llm_speed.py [--requests 500000] [--others 20000]
"""

from __future__ import annotations

import argparse
import copy
import json
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import simulator  # noqa: E402 - after the path set-up above
from simulator.models.llm import llm_profile  # noqa: E402
from simulator.models.roofline import prefill_pairs  # noqa: E402

TEMPLATE = ROOT / "simulator" / "casestudies" / "rag_chatbot.json"
RPS, REPLICAS = 40.0, 12


def board(requests: int) -> dict:
    document = copy.deepcopy(json.loads(TEMPLATE.read_text())["board"])
    document["traffic"].update(rps=RPS, duration_s=requests / RPS, warmup_s=10)
    for node in document["nodes"]:
        if node["kind"] == "llm_server":
            node["config"]["replicas"] = REPLICAS
    return document


def ours(requests: int) -> tuple[float, float, int]:
    simulator.run(board(20_000), seed=0)  # loads the compiled code once, as a worker does
    start = time.perf_counter()
    results = simulator.run(board(requests), seed=1)
    wall = time.perf_counter() - start
    figures = results.llm["llm"]
    return requests / wall, figures["ttft_ms"]["mean"], figures["answers"]


def simpy_llm(requests: int, seed: int = 1) -> tuple[float, float]:
    """One LLM server (REPLICAS replicas, one queue) in SimPy, offered the traffic that reaches it."""
    import simpy

    document = board(requests)
    config = next(n["config"] for n in document["nodes"] if n["kind"] == "llm_server")
    cost = llm_profile(config["model_class"], config["precision"], config["instance"])
    traffic = document["traffic"]
    rng = np.random.default_rng(seed)
    prompts = simulator.distributions.token_count(traffic["prompt_tokens"]).sample(rng, requests)
    outputs = simulator.distributions.token_count(traffic["output_tokens"]).sample(rng, requests)
    max_seqs, budget, capacity = config["max_num_seqs"], config["max_batched_tokens"], cost.kv_capacity_tokens
    env = simpy.Environment()
    queue = simpy.Store(env)
    ttft: list[float] = []

    class Sequence:
        def __init__(self, prompt: int, output: int) -> None:
            self.prompt, self.output, self.read, self.made = prompt, output, 0, 0
            self.arrived = env.now

    def arrivals():
        for k in range(requests):
            yield env.timeout(rng.exponential(1000.0 / RPS))
            queue.put(Sequence(int(prompts[k]), int(outputs[k])))

    def replica():
        running: list[Sequence] = []
        held = 0
        while True:
            if not running and not queue.items:
                running.append((yield queue.get()))
            decoding = [s for s in running if s.read >= s.prompt]
            left, prefill, pairs = budget - len(decoding), 0, 0
            context = sum(s.read + s.made for s in decoding) + len(decoding)
            planned = held + len(decoding)
            chunks = []
            for s in running:
                if s.read < s.prompt and left > 0:
                    chunk = min(s.prompt - s.read, left)
                    chunks.append((s, chunk))
                    left, planned, prefill = left - chunk, planned + chunk, prefill + chunk
                    pairs += chunk * s.read + chunk * (chunk + 1) // 2
            while queue.items and len(running) < max_seqs and left > 0 and planned < capacity:
                s = queue.items.pop(0)
                chunk = min(s.prompt, left)
                running.append(s)
                chunks.append((s, chunk))
                left, planned, prefill = left - chunk, planned + chunk, prefill + chunk
                pairs += chunk * (chunk + 1) // 2
            yield env.timeout(cost.step_ms(prefill, len(decoding), context, pairs))
            held = planned
            for s in decoding:
                s.made += 1
            for s, chunk in chunks:
                s.read += chunk
                if s.read >= s.prompt:  # the prompt's last chunk gives the first token
                    s.made += 1
                    ttft.append(env.now - s.arrived)
            for s in [s for s in running if s.made >= s.output]:
                running.remove(s)
                held -= s.read + s.made - 1

    env.process(arrivals())
    for _ in range(REPLICAS):
        env.process(replica())
    start = time.perf_counter()
    env.run()
    return requests / (time.perf_counter() - start), float(np.mean(ttft))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=500_000, help="questions for this simulator")
    parser.add_argument("--others", type=int, default=20_000, help="questions for SimPy")
    args = parser.parse_args()
    rate, ttft, answers = ours(args.requests)
    peer_rate, peer_ttft = simpy_llm(args.others)
    print(f"RAG chatbot board, {RPS:g} questions/s, {REPLICAS} LLM replicas (8B class on L40S), streaming")
    print(f"{'engine':<30} {'questions':>10} {'answers/s of wall time':>24} {'mean TTFT ms':>13}")
    print(f"{'this simulator (whole board)':<30} {args.requests:>10,} {rate:>24,.0f} {ttft:>13.1f}")
    print(f"{'SimPy (the LLM server alone)':<30} {args.others:>10,} {peer_rate:>24,.0f} {peer_ttft:>13.1f}")
    print(f"speed-up: {rate / peer_rate:.0f}x SimPy ({answers:,} answers reached the LLM here)")


if __name__ == "__main__":
    main()
