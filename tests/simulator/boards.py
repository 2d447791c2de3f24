"""Builders of small board documents for the simulator tests."""

from __future__ import annotations

from typing import Any


def exp(mean_ms: float) -> dict[str, Any]:
    return {"dist": "exponential", "mean_ms": mean_ms}


def const(mean_ms: float) -> dict[str, Any]:
    return {"dist": "constant", "mean_ms": mean_ms}


def node(node_id: str, kind: str = "gateway", *, servers: int = 1, service: dict[str, Any] | None = None,
         **config: Any) -> dict[str, Any]:
    """A node with `servers` replicas of concurrency 1; model servers use the service time."""
    config = {"replicas": servers, "concurrency": 1, "service_time": service or exp(1.0), **config}
    if kind == "model_server":
        config.setdefault("model", None)
    return {"id": node_id, "kind": kind, "config": config}


def edge(source: str, target: str, mode: str = "sync", latency_ms: float = 0.0) -> dict[str, Any]:
    return {"id": f"{source}-{target}-{mode}", "source": source, "target": target, "mode": mode,
            "latency_ms": latency_ms}


def board(nodes: list[dict[str, Any]], edges: list[dict[str, Any]] | None = None, *, rps: float = 100.0,
          arrival: str = "poisson", warmup_s: float = 0.0, **traffic: Any) -> dict[str, Any]:
    return {"schema_version": 1, "title": "test", "nodes": nodes, "edges": edges or [],
            "traffic": {"rps": rps, "arrival": arrival, "warmup_s": warmup_s, **traffic}}


def chain(*nodes: dict[str, Any], **traffic: Any) -> dict[str, Any]:
    """Nodes called one after the other over sync edges."""
    edges = [edge(a["id"], b["id"]) for a, b in zip(nodes, nodes[1:])]
    return board(list(nodes), edges, **traffic)


def fault(fault_id: str, kind: str, target: str, at_s: float, duration_s: float, **params: Any) -> dict[str, Any]:
    return {"id": fault_id, "type": kind, "target": target, "at_s": at_s, "duration_s": duration_s, **params}


def retry(max_attempts: int = 3, backoff_ms: float = 0.0, **settings: Any) -> dict[str, Any]:
    return {"max_attempts": max_attempts, "backoff_ms": backoff_ms, "jitter": "none", **settings}


def client(node_id: str = "client") -> dict[str, Any]:
    """A source of requests (it has no config)."""
    return {"id": node_id, "kind": "client"}
