"""Generative AI kinds: LLM servers, the transformer encoders of a RAG pipeline, a safety guardrail and a semantic cache.

Their times come from one place, simulator/models/llm.py: a roofline fitted to a real transformer
measured on this machine (CPU instances) or derived from a GPU's data sheet (an estimate). An
`llm_server` runs the iteration-level scheduler of simulator/llm_serving.py; an embedding server,
a reranker and a semantic cache run a transformer's forward pass over their texts, which is a
prefill step with no decoding (`EncoderTimer`); the guardrail is a model server whose default
model is the catalog's harmful-text classifier.
"""

from __future__ import annotations

import dataclasses
import math
from typing import Any, ClassVar

import numpy as np

from simulator.distributions import ZERO, ServiceTime
from simulator.dynamic_batching import BatchPolicy
from simulator.fields import ENUM, INTEGER, NUMBER, QUEUE_LIMIT, Field, exponential, hit_rate, replicas, serving
from simulator.fieldcheck import Collector, join
from simulator.kinds.base import CacheKind, ServingKind
from simulator.kinds.registry import register
from simulator.kinds.serving import ModelServer, model_server_fields
from simulator.models.llm import LLM_INSTANCES, MODEL_CLASS_IDS, PRECISION_IDS, LlmConfigError, LlmCost, llm_profile
from simulator.models.roofline import prefill_pairs
from simulator.nodespec import LlmPlan, NodeSpec

SCHEDULING = ("continuous", "static")
MAX_SEQS_LIMIT = 4096
MAX_TENSOR_PARALLEL = 8

# Field names the cost model's errors use (LlmConfigError.field) are the config's own names.
LLM_CONFIG_FIELDS = ("model_class", "precision", "instance", "tensor_parallel")


def _model_class(default: str, help_text: str, nullable: bool = False) -> Field:
    return Field("model_class", ENUM, default, help_text, choices=MODEL_CLASS_IDS, nullable=nullable)


def _precision(default: str) -> Field:
    return Field("precision", ENUM, default,
                 "Number format of the weights and KV cache: fp16 (16-bit), int8 or int4 (quantised weights; "
                 "int8 also computes in 8 bits where the GPU can), fp32 (the reference transformer's own, "
                 "CPU only). Smaller weights leave more memory for the KV cache and read faster.",
                 choices=PRECISION_IDS)


def _cost_or_error(config: dict[str, Any], path: str, out: Collector, tensor_parallel: int = 1) -> LlmCost | None:
    """The node's transformer cost, or a located error when the model cannot be served so."""
    try:
        return llm_profile(config["model_class"], config["precision"], config["instance"], tensor_parallel)
    except LlmConfigError as error:
        field = error.field if error.field in LLM_CONFIG_FIELDS else "model_class"
        out.add(join(path, field), str(error).split(": ", 1)[-1])
        return None


def _timing_info(cost: LlmCost) -> dict[str, Any]:
    info = cost.info
    return {key: info[key] for key in ("model_class", "title", "stands_for", "parameters", "precision", "device",
                                       "tensor_parallel", "quality", "quality_source", "timing_source", "estimate",
                                       "sources", "weights_gb", "memory_gb", "kv_capacity_tokens")}


@register
class LlmServer(ServingKind):
    """Replicas of an LLM scheduling iteration by iteration, as vLLM and TGI do (or statically)."""

    name = "llm_server"
    title = "LLM server"
    group = "genai"
    description = ("Generates answers token by token on GPUs (or CPUs): continuous batching with chunked "
                   "prefill and a KV cache, like vLLM; timed by a roofline of a real transformer.")
    browser_icon = "llm_server"
    diagram_icon = ("diagrams.aws.ml", "Bedrock")
    # A replica is one engine over its GPUs: losing part of it is an outage, and autoscaling an LLM
    # fleet (minutes to load weights) is not modelled.
    fault_types: ClassVar[tuple[str, ...] | None] = ("outage", "slowdown", "error_rate")
    fields = (
        replicas(1),
        Field("instance", ENUM, "g6e.xlarge",
              "Machine each replica runs on: its GPUs' memory, speed and price (or a CPU machine).",
              choices=LLM_INSTANCES),
        _model_class("llm_8b", "Model size class; each stands for a published open model (its architecture "
                               "sets the step times and the memory its weights take)."),
        _precision("fp16"),
        Field("tensor_parallel", INTEGER, 1,
              "GPUs of the instance one replica's model is split over (Megatron-style tensor parallelism): "
              "more memory for the KV cache and faster steps, at the cost of an all-reduce per layer.",
              unit="GPUs", minimum=1, maximum=MAX_TENSOR_PARALLEL),
        Field("scheduling", ENUM, "continuous",
              "continuous: each step admits new sequences and drops finished ones (vLLM, TGI); static: a "
              "batch runs until its longest answer is done, then the next batch starts.", choices=SCHEDULING),
        Field("max_num_seqs", INTEGER, 256, "Most sequences a replica runs at once (vLLM's max_num_seqs).",
              unit="sequences", minimum=1, maximum=MAX_SEQS_LIMIT),
        Field("max_batched_tokens", INTEGER, 2048,
              "Most tokens one step processes: a decode token per running sequence plus prompt chunks "
              "(vLLM's max_num_batched_tokens with chunked prefill). Longer prompts are read over several steps.",
              unit="tokens", minimum=1, maximum=1_048_576),
        QUEUE_LIMIT,
    )

    def cost(self, config: dict[str, Any]) -> LlmCost:
        return llm_profile(config["model_class"], config["precision"], config["instance"],
                           int(config["tensor_parallel"]))

    def check_config(self, config: dict[str, Any], path: str, out: Collector) -> None:
        _cost_or_error(config, path, out, int(config["tensor_parallel"]))

    def node_spec(self, index: int, node: dict[str, Any]) -> NodeSpec:
        config = node["config"]
        cost = self.cost(config)
        limit = config["queue_limit"]
        info = {**_timing_info(cost), "max_num_seqs": int(config["max_num_seqs"]),
                "max_batched_tokens": int(config["max_batched_tokens"]), "scheduling": config["scheduling"]}
        plan = LlmPlan(int(config["max_num_seqs"]), int(config["max_batched_tokens"]), cost.kv_capacity_tokens,
                       config["scheduling"] == "static", cost.step_params, info)
        return NodeSpec(index=index, id=node["id"], kind=self.name, servers=int(config["replicas"]),
                        queue_limit=-1 if limit is None else int(limit), timeout_ms=math.inf, service=ZERO,
                        hit_rate=0.0, parallel=False, llm=plan, config=config)

    def run_info(self, config: dict[str, Any]) -> dict[str, Any] | None:
        return _timing_info(self.cost(config))


class EncoderTimer:
    """A transformer's forward pass over a batch's texts: one prefill step with no decoding.

    A batch of b requests of `texts` texts of `tokens` tokens each reads b x texts x tokens tokens,
    each text attending to its own tokens: the step time of simulator/models/llm.py at those sizes,
    plus the node's own per-request work drawn from `extra` (a semantic cache's lookup).
    """

    def __init__(self, cost: LlmCost, texts: int, tokens: int, extra: ServiceTime = ZERO) -> None:
        self.cost, self.texts, self.tokens, self.extra = cost, texts, tokens, extra
        self.info = _timing_info(cost)

    def step_ms(self, batch_size: int) -> float:
        sequences = batch_size * self.texts
        return self.cost.step_ms(prefill_tokens=sequences * self.tokens,
                                 prefill_pairs=sequences * prefill_pairs(self.tokens))

    def sample_ms(self, batch_size: int, rng: np.random.Generator, n: int) -> np.ndarray:
        times = np.full(n, self.step_ms(batch_size))
        if self.extra is not ZERO:
            times += self.extra.sample(rng, n) * batch_size
        return times


def _encoder_fields(model_class: str, texts: Field | None, tokens: int, tokens_help: str) -> tuple[Field, ...]:
    return tuple(f for f in (
        _model_class(model_class, "Transformer whose forward pass times each batch (empty: the service time "
                                  "instead). reference_34m is the one measured on this machine.", nullable=True),
        _precision("fp16"),
        texts,
        Field("tokens_per_text", INTEGER, tokens, tokens_help, unit="tokens", minimum=1, maximum=32_768),
        Field("max_batch_size", INTEGER, 16, "Most waiting requests a free replica takes into one forward pass.",
              unit="requests", minimum=1, maximum=1024),
        Field("max_batch_delay_ms", NUMBER, 2.0,
              "Longest a free replica waits for a batch to fill before it runs a smaller one.",
              unit="ms", minimum=0, maximum=10_000),
    ) if f is not None)


class EncoderKind(ServingKind):
    """A transformer that reads texts and answers in one forward pass (no generation)."""

    texts_field: ClassVar[str | None] = None  # the config field giving the texts per request (1 if None)

    def texts(self, config: dict[str, Any]) -> int:
        return int(config[self.texts_field]) if self.texts_field else 1

    def extra(self, spec: NodeSpec) -> ServiceTime:
        return ZERO

    def check_config(self, config: dict[str, Any], path: str, out: Collector) -> None:
        super().check_config(config, path, out)
        if config.get("model_class"):
            _cost_or_error(config, path, out)

    def node_spec(self, index: int, node: dict[str, Any]) -> NodeSpec:
        spec = super().node_spec(index, node)
        config = spec.config
        size = int(config["max_batch_size"])
        policy = BatchPolicy(size, float(config["max_batch_delay_ms"])) if size > 1 else None
        if not config.get("model_class"):
            return dataclasses.replace(spec, batch=policy)
        cost = llm_profile(config["model_class"], config["precision"], config["instance"])
        timer = EncoderTimer(cost, self.texts(config), int(config["tokens_per_text"]), self.extra(spec))
        return dataclasses.replace(spec, batch=policy, timer=timer)

    def run_info(self, config: dict[str, Any]) -> dict[str, Any] | None:
        if not config.get("model_class"):
            return None
        cost = llm_profile(config["model_class"], config["precision"], config["instance"])
        timer = EncoderTimer(cost, self.texts(config), int(config["tokens_per_text"]))
        return {**timer.info, "texts_per_request": timer.texts, "tokens_per_text": timer.tokens,
                "forward_ms_batch_1": round(timer.step_ms(1), 4)}


@register
class EmbeddingServer(EncoderKind):
    name = "embedding_server"
    title = "Embedding server"
    group = "genai"
    description = "Turns a query or document into a vector with a transformer encoder, batching requests."
    browser_icon = "embedding_server"
    diagram_icon = ("diagrams.aws.ml", "SagemakerModel")
    fields = serving(2, 1, "g4dn.xlarge", exponential(5.0),
                     *_encoder_fields("reference_34m", None, 64, "Tokens in the text embedded per request "
                                                                 "(a search query: tens; a document chunk: hundreds)."))


@register
class Reranker(EncoderKind):
    name = "reranker"
    title = "Reranker"
    group = "genai"
    description = "Scores each retrieved candidate against the query with a cross-encoder and keeps the best."
    browser_icon = "reranker"
    diagram_icon = ("diagrams.aws.ml", "Personalize")
    texts_field = "candidates"
    fields = serving(2, 1, "g6.xlarge", exponential(20.0),
                     *_encoder_fields("reference_34m",
                                      Field("candidates", INTEGER, 20,
                                            "Query-candidate pairs scored per request (the retriever's top-k).",
                                            unit="pairs", minimum=1, maximum=1000),
                                      256, "Tokens in one query-candidate pair."))


@register
class SemanticCache(CacheKind, EncoderKind):
    name = "semantic_cache"
    title = "Semantic cache"
    group = "genai"
    description = ("Answers a query whose embedding is close to one answered before (GPTCache-style): an "
                   "embedding and a vector lookup per request, then a hit skips the LLM behind it.")
    browser_icon = "semantic_cache"
    diagram_icon = ("diagrams.onprem.inmemory", "Redis")
    fields = serving(1, 4, "g4dn.xlarge", exponential(1.0), hit_rate(0.2),
                     *_encoder_fields("reference_34m", None, 64, "Tokens of the query embedded per request."))

    def extra(self, spec: NodeSpec) -> ServiceTime:
        # The service time is the lookup after the embedding (a vector search and a key-value read).
        return spec.service


@register
class Guardrail(ModelServer):
    """A safety classifier on the request path: the catalog's harmful-text model, timed on its profile."""

    name = "guardrail"
    title = "Guardrail"
    group = "genai"
    description = ("Checks prompts (and answers) with a safety classifier and blocks harmful ones before the "
                   "LLM; timed on the catalog's harmful-text model.")
    browser_icon = "guardrail"
    diagram_icon = ("diagrams.aws.security", "Shield")
    fields = model_server_fields(2, "c6i.large", "harmful_text_linear")
