"""Kinds on the serving path: where requests come from and the components that answer them."""

from __future__ import annotations

import dataclasses
import math
from typing import Any

from simulator.distributions import ServiceTime
from simulator.dynamic_batching import BatchPolicy
from simulator.fields import ENUM, INTEGER, NUMBER, Field, exponential, hit_rate, lognormal, serving
from simulator.kinds.base import CacheKind, ServingKind, SourceKind
from simulator.kinds.registry import register
from simulator.models.names import DEFAULT_MODEL, MODEL_IDS
from simulator.models.timer import BatchTimer, ScaledTimer, ServiceTimeBatchTimer, ServingOverheadTimer
from simulator.nodespec import NodeSpec


@register
class Client(SourceKind):
    name = "client"
    title = "Client"
    group = "serving"
    description = "Where requests come from (apps, browsers, other services). Traffic enters here."
    browser_icon = "client"
    diagram_icon = ("diagrams.onprem.client", "Users")


@register
class Gateway(ServingKind):
    name = "gateway"
    title = "API gateway"
    group = "serving"
    description = "Authenticates, rate-limits and routes each request to the services behind it."
    browser_icon = "gateway"
    diagram_icon = ("diagrams.onprem.network", "Kong")
    fields = serving(2, 1, "c6i.large", exponential(0.5))


# A Python model server's own work around predict, measured on benchmarks/fidelity's reference
# server (aiohttp, one worker, a catalog model; per batch and per request, from the idle time
# between back-to-back batches of 1 and of 8 under saturation). A server with a native front end
# (Triton's C++ HTTP/gRPC threads) does less; 0 gives the profile's times alone.
BATCH_OVERHEAD_MS = 0.4
REQUEST_OVERHEAD_MS = 0.2


def model_server_fields(replica_count: int, machine: str, model: str) -> tuple[Field, ...]:
    """A model server's fields: the serving ones, its model (default `model`), batching and its own overheads."""
    return serving(
        replica_count, 1, machine, exponential(20.0),
        Field("model", ENUM, model,
              "Model from the catalog whose measured predict timings set the batch time. "
              "Empty uses the service time instead.", choices=MODEL_IDS, nullable=True),
        Field("max_batch_size", INTEGER, 1, "Most waiting requests a free replica takes into one batch.",
              unit="requests", minimum=1, maximum=1024),
        Field("max_batch_delay_ms", NUMBER, 0.0,
              "Longest a free replica waits for a batch to fill before it runs a smaller one.",
              unit="ms", minimum=0, maximum=10_000),
        Field("batch_overhead_ms", NUMBER, BATCH_OVERHEAD_MS,
              "Server work per batch around the model's predict (its event loop, assembling the batch's "
              "input); keeps the replica busy. Added to the measured batch time.",
              unit="ms", minimum=0, maximum=10_000),
        Field("request_overhead_ms", NUMBER, REQUEST_OVERHEAD_MS,
              "Server work per request around predict (parsing the request and its JSON, writing the "
              "answer); keeps the replica busy. Added once per request in a batch to the measured batch time.",
              unit="ms", minimum=0, maximum=10_000),
    )


@register
class ModelServer(ServingKind):
    """Times each batch on a measured model profile and batches like Triton's dynamic batcher."""

    name = "model_server"
    title = "Model server"
    group = "serving"
    description = "Serves a model's predictions; batches waiting requests like Triton's dynamic batcher."
    browser_icon = "model_server"
    diagram_icon = ("diagrams.aws.ml", "SagemakerModel")
    fields = model_server_fields(8, "c6i.xlarge", DEFAULT_MODEL)

    def node_spec(self, index: int, node: dict[str, Any]) -> NodeSpec:
        spec = super().node_spec(index, node)
        size = int(spec.config["max_batch_size"])
        policy = BatchPolicy(size, float(spec.config["max_batch_delay_ms"])) if size > 1 else None
        return dataclasses.replace(spec, batch=policy, timer=self.batch_timer(spec.config, spec.service))

    @staticmethod
    def batch_timer(config: dict[str, Any], service: ServiceTime) -> BatchTimer:
        """The measured timer of the node's model on its instance, with the server's own work around
        predict added, if there is one; else the default from service_time (which stands for the
        whole of a request's service, so nothing is added to it)."""
        from simulator.models import get_batch_timer  # looked up on use, so a profile stand-in can replace it

        model = config.get("model")
        timer = get_batch_timer(model, config.get("instance", "")) if model else None
        if timer is None:
            return ServiceTimeBatchTimer(service)
        per_batch = float(config.get("batch_overhead_ms", BATCH_OVERHEAD_MS))
        per_request = float(config.get("request_overhead_ms", REQUEST_OVERHEAD_MS))
        return ServingOverheadTimer(timer, per_batch, per_request) if per_batch or per_request else timer

    def run_info(self, config: dict[str, Any]) -> dict[str, Any] | None:
        if not config.get("model"):
            return None
        from simulator.models import model_info

        return model_info(config["model"], config["instance"]) or {
            "model": config["model"], "timing_source": "no profile: batch time from service_time"}


@register
class FeatureStore(ServingKind):
    name = "feature_store"
    title = "Feature store"
    group = "serving"
    description = "Online key-value store of precomputed features read at request time."
    browser_icon = "feature_store"
    diagram_icon = ("diagrams.onprem.inmemory", "Redis")
    fields = serving(4, 1, "r6i.large", exponential(2.0))


@register
class Cache(CacheKind):
    name = "cache"
    title = "Cache"
    group = "serving"
    description = "Answers repeated requests from memory; a hit skips the node's sync children."
    browser_icon = "cache"
    diagram_icon = ("diagrams.onprem.inmemory", "Memcached")
    fields = serving(1, 4, "cache.r6g.large", exponential(0.3), hit_rate(0.8))


INDEX_MODELS = {"exact": "visual_knn_brute", "tree": "visual_knn_tree"}  # the catalog models timing each index
MEASURED_VECTORS, MEASURED_DIMENSIONS = 13_473, 16  # the size those models were measured at


def index_scale(config: dict[str, Any]) -> float:
    """How much longer a query takes on this index than on the one measured."""
    dims = config["dimensions"] / MEASURED_DIMENSIONS
    if config["index"] == "exact":
        return config["vectors"] / MEASURED_VECTORS * dims
    return math.log2(max(config["vectors"], 2)) / math.log2(MEASURED_VECTORS) * dims


@register
class VectorIndex(ServingKind):
    name = "vector_index"
    title = "Vector index"
    group = "serving"
    description = "Nearest-neighbour search over embeddings (candidate retrieval), timed on a real index."
    browser_icon = "vector_index"
    diagram_icon = ("diagrams.elastic.elasticsearch", "Elasticsearch")
    fields = serving(
        2, 2, "r6i.xlarge", lognormal(5.0, 20.0),
        Field("index", ENUM, "exact",
              "exact: brute-force k-NN; tree: a k-d tree index. Both are the visual-search models' indexes, "
              "measured on this machine; empty uses the service time instead.",
              choices=tuple(INDEX_MODELS), nullable=True),
        Field("vectors", INTEGER, MEASURED_VECTORS, "Vectors in the index.", unit="vectors",
              minimum=1, maximum=10_000_000_000),
        Field("dimensions", INTEGER, MEASURED_DIMENSIONS, "Numbers in each vector.", unit="dims",
              minimum=1, maximum=8192),
        Field("top_k", INTEGER, 10, "Neighbours returned per query.", unit="results", minimum=1, maximum=10_000),
    )

    def node_spec(self, index: int, node: dict[str, Any]) -> NodeSpec:
        spec = super().node_spec(index, node)
        config = spec.config
        if not config.get("index"):
            return spec
        from simulator.models import get_batch_timer  # looked up on use, like the model server's timer

        timer = get_batch_timer(INDEX_MODELS[config["index"]], config.get("instance", ""))
        if timer is None:
            return spec
        return dataclasses.replace(spec, timer=ScaledTimer(timer, index_scale(config)))

    def run_info(self, config: dict[str, Any]) -> dict[str, Any] | None:
        if not config.get("index"):
            return None
        from simulator.models import model_info

        info = model_info(INDEX_MODELS[config["index"]], config["instance"]) or {}
        scale = index_scale(config)
        return {**info, "index": config["index"], "vectors": config["vectors"], "dimensions": config["dimensions"],
                "top_k": config["top_k"], "scale": scale, "estimate": scale != 1.0,
                "scale_basis": (f"measured on {MEASURED_VECTORS:,} vectors of {MEASURED_DIMENSIONS} numbers; "
                                + ("exact search costs vectors x dimensions" if config["index"] == "exact" else
                                   "a tree's query costs about log(vectors) x dimensions")
                                + (f", so x{scale:.3g} here (an estimate)" if scale != 1.0 else "")
                                + "; top-k selection is linear in the vectors whatever k is")}
