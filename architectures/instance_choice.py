"""Right-sizing's first round on boards with LLM servers: which GPU machines to try for each, and which one won."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from simulator.catalog import KINDS
from simulator.distributions import token_count
from simulator.instances import INSTANCE_TYPES, hourly_price
from simulator.models.llm import LLM_INSTANCES, LlmConfigError, LlmCost, llm_profile
from simulator.validation import with_defaults

# A node is served by simulator.models.llm when its kind has every argument of llm_profile as a field.
LLM_FIELDS = ("model_class", "precision", "instance", "tensor_parallel")
# Each machine is tried at the replica counts that its estimated capacity says would be 100%, 50%
# and 25% busy at the target rate: the same offered tokens per unit of capacity on every machine, so
# their monthly costs compare like for like. The estimate is rough (a lone prefill, a full decode
# batch, every request reaching the server), and the replica search that follows fine-tunes the count.
BUSY_FACTORS = (1.0, 2.0, 4.0)
# Per LLM server: its own machine (also at its current count) and the three others that cost least for
# the same estimated capacity, so a round is at most 4 x 3 + 1 = 13 runs per LLM server whatever the
# price table holds.
MAX_INSTANCES_TRIED = 4
TOKEN_MEAN_DRAWS = 4096
MAX_REPLICAS = 1000  # the replicas field's own limit


def llm_servers(document: dict[str, Any], sizable: dict[str, int]) -> dict[str, dict[str, Any]]:
    """The sizable nodes whose machine right-sizing can choose, with their config (defaults filled in)."""
    full = with_defaults(document)
    return {node["id"]: node["config"] for node in full["nodes"]
            if node["id"] in sizable and all(KINDS[node["kind"]].field(name) is not None for name in LLM_FIELDS)}


def mean_tokens(document: dict[str, Any], name: str) -> float:
    """Mean of a traffic token count, from the simulator's own sampler (fixed seed) rather than a second formula."""
    spec = with_defaults(document)["traffic"][name]
    return float(token_count(spec).sample(np.random.default_rng(0), TOKEN_MEAN_DRAWS).mean())


def answer_ms(cost: LlmCost, max_num_seqs: int, prompt: float, output: float) -> float:
    """Estimated replica time per answer: its prompt read as a lone prefill, its tokens decoded in a full batch.

    A full batch is max_num_seqs sequences, or as many as the KV cache holds at the mean context.
    Only ratios of this between machines are used, to scale replica counts.
    """
    context = max(1, int(prompt + output / 2))
    batch = max(1, min(max_num_seqs, cost.kv_capacity_tokens // context))
    return cost.prefill_ms(max(1, int(prompt))) + output * cost.decode_ms(batch, context) / batch


def instance_options(config: dict[str, Any]) -> dict[str, LlmCost]:
    """GPU machines (and the node's own) that can serve the node's model class, precision and tensor_parallel.

    A replica uses tensor_parallel GPUs of its machine and pays for all of them, so of the machines
    with the same GPU only the cheapest is kept (the node's own is always kept): a replica on a
    four-GPU g6e.12xlarge at tensor_parallel 1 runs exactly as on a g6e.xlarge, at five times the price.
    """
    options = {}
    for name in LLM_INSTANCES:
        if INSTANCE_TYPES[name]["family"] != "gpu" and name != config["instance"]:
            continue
        try:
            options[name] = llm_profile(config["model_class"], config["precision"], name, int(config["tensor_parallel"]))
        except LlmConfigError:
            continue
    cheapest: dict[str, str] = {}
    for name in sorted(options, key=hourly_price):
        cheapest.setdefault(INSTANCE_TYPES[name]["gpu"] or name, name)
    return {name: cost for name, cost in options.items()
            if name == config["instance"] or cheapest[INSTANCE_TYPES[name]["gpu"] or name] == name}


def instance_trials(config: dict[str, Any], replicas: int, rps: float, prompt: float,
                    output: float) -> list[tuple[str, int]]:
    """(machine, replica count) pairs to try for one LLM server at `rps`, its current machine and count first."""
    options = instance_options(config)
    current = config["instance"]
    seqs = int(config["max_num_seqs"])
    # Replicas kept fully busy at a full batch: the offered answers a second times each one's replica time.
    busy = {name: rps * answer_ms(cost, seqs, prompt, output) / 1000 for name, cost in options.items()}
    others = sorted((name for name in options if name != current), key=lambda name: hourly_price(name) * busy[name])
    trials = [(current, replicas)]
    for name in [current, *others[:MAX_INSTANCES_TRIED - 1]]:
        counts = sorted({max(1, math.ceil(busy[name] * factor)) for factor in BUSY_FACTORS})
        # Past the replica limit the machine cannot carry the load at that share of its capacity.
        trials += [(name, count) for count in counts if count <= MAX_REPLICAS and (name, count) not in trials]
    return trials
