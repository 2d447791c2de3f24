"""Generated boards of any size that use every component kind, for export tests and benchmarks."""

from __future__ import annotations

from typing import Any

from simulator.catalog import KINDS, blank_document

# One serving stack: (source kind, target kind, mode, latency_ms). Repeated stacks are joined
# through their load balancers, as a multi-region design would be.
_STACK_EDGES = (
    ("client", "cdn", "sync", 20.0),
    ("cdn", "load_balancer", "sync", 1.0),
    ("load_balancer", "gateway", "sync", 0.2),
    ("gateway", "cache", "sync", 0.2),
    ("cache", "feature_store", "sync", 0.5),
    ("cache", "vector_index", "sync", 0.5),
    ("vector_index", "model_server", "sync", 0.5),
    ("feature_store", "database", "sync", 1.0),
    ("gateway", "logging", "async", 1.0),
    ("gateway", "queue", "async", 0.5),
    ("logging", "stream_processor", "async", 0.0),
    ("logging", "object_storage", "async", 0.0),
    ("logging", "monitor", "async", 0.0),
    ("object_storage", "training_pipeline", "async", 0.0),
    ("queue", "batch_job", "async", 0.0),
    ("batch_job", "database", "async", 0.0),
)


def every_kind_board(node_count: int | None = None, title: str = "Every component kind") -> dict[str, Any]:
    """A valid board with `node_count` nodes (default: one per kind), kinds in catalog order, stacks wired."""
    kinds = list(KINDS)
    count = len(kinds) if node_count is None else node_count
    document = blank_document(title)
    document["requirements"].update(peak_rps=1000, p99_ms=80, monthly_budget_usd=20000)
    ids: set[str] = set()
    for index in range(count):
        stack, kind = divmod(index, len(kinds))
        kind_name = kinds[kind]
        ids.add(f"{kind_name}_{stack}")
        document["nodes"].append({"id": f"{kind_name}_{stack}", "kind": kind_name,
                                  "label": f"{KINDS[kind_name].title} {stack + 1}",
                                  "position": {"x": 160 * kind, "y": 240 * stack}})
    stacks = (count + len(kinds) - 1) // len(kinds)
    edges = [(f"{s}_{k}", f"{t}_{k}", mode, latency) for k in range(stacks)
             for s, t, mode, latency in _STACK_EDGES]
    edges += [(f"load_balancer_{k - 1}", f"load_balancer_{k}", "sync", 2.0) for k in range(1, stacks)]
    for source, target, mode, latency in edges:
        if source in ids and target in ids:
            document["edges"].append({"id": f"e{len(document['edges']) + 1}", "source": source,
                                      "target": target, "mode": mode, "latency_ms": latency})
    return document
