"""Board documents of the reference stack's configurations, and their simulation over several seeds.

Every configuration is drawn as a user would draw it: a client, optionally a gateway that reads a
feature store and then calls the model server, and logs asynchronously, and a model server with
one replica of concurrency 1 running the catalog model. What differs between the variants is
where the model server's time comes from (`Variant`); the other parts' times and the hop
latencies are the ones calibrated at very low load (`calibrate.Calibration`).
"""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Iterator

import numpy as np

from benchmarks.fidelity.calibrate import Calibration

INSTANCE = "c6i.xlarge"  # speed factor 1.0: the profile's own times


@dataclass(frozen=True)
class Configuration:
    """One stack to measure and simulate."""

    name: str
    title: str
    gateway: bool
    max_batch: int
    delay_ms: float
    model: str


@dataclass(frozen=True)
class Variant:
    """Where the simulated model server's time comes from.

    profile:  the catalog's measured profile (what a user gets), every other cost as hop latency;
    samples:  no catalog model, an empirical service time sampled on the real server at low load
              (batches follow the simulator's default T(b) = X (0.8 + 0.2 b));
    overhead: the profile plus the serving overhead that keeps the instance busy, per batch and
              per request in it (request parsing, JSON, the framework, the event loop),
              calibrated on the saturated FIFO and batching servers (`calibrate.py`);
    measured, measured+overhead: diagnostics, not predictions: the profile and the profile +
              overhead variants with the profile's times replaced by the predict times the server
              measured during the same level, per batch size. They separate errors of the
              simulator's model from the machine's speed changing between the profile and the level.
    """

    @property
    def diagnostic(self) -> bool:
        return self.name.startswith("measured")

    @property
    def with_overhead(self) -> bool:
        return self.name in ("overhead", "measured+overhead")

    name: str
    title: str


VARIANTS = (
    Variant("profile", "catalog profile"),
    Variant("samples", "server samples"),
    Variant("overhead", "profile + serving overhead"),
    Variant("measured", "level's predict times"),
    Variant("measured+overhead", "level's predict times + overhead"),
)


def _node(node_id: str, kind: str, config: dict[str, Any], x: int) -> dict[str, Any]:
    return {"id": node_id, "kind": kind, "label": node_id, "position": {"x": x, "y": 100}, "config": config}


def _edge(edge_id: str, source: str, target: str, latency_ms: float, mode: str = "sync") -> dict[str, Any]:
    return {"id": edge_id, "source": source, "target": target, "mode": mode, "latency_ms": round(max(latency_ms, 0.0), 4)}


def _constant(ms: float) -> dict[str, Any]:
    return {"dist": "constant", "mean_ms": round(max(ms, 0.0), 4)}


def document(config: Configuration, variant: Variant, cal: Calibration, *, model: str, rps: float,
             requests: int, warmup_fraction: float) -> dict[str, Any]:
    """The board of `config` under `variant` at `rps`, bounded by `requests` with a warm-up share."""
    server: dict[str, Any] = {"replicas": 1, "concurrency": 1, "instance": INSTANCE,
                              "max_batch_size": config.max_batch, "max_batch_delay_ms": config.delay_ms}
    if variant.name == "samples":
        server.update(model=None, service_time={"dist": "empirical", "samples_ms": list(cal.server_samples_ms)})
    else:
        server["model"] = model
    # Explicit zeros for the variants without it, so that they keep meaning "before" whatever the
    # simulator's defaults are.
    server.update(overhead_config(cal.batch_overhead_ms, cal.request_overhead_ms) if variant.with_overhead
                  else overhead_config(0.0, 0.0))
    nodes = [_node("client", "client", {}, 0), _node("model", "model_server", server, 480)]
    edges = []
    if config.gateway:
        nodes += [
            _node("gateway", "gateway", {"replicas": 1, "concurrency": 1, "service_time": _constant(cal.gateway_ms)}, 160),
            _node("features", "feature_store", {"replicas": 1, "concurrency": 1,
                                                "service_time": _constant(cal.redis_ms)}, 320),
            _node("log", "logging", {"replicas": 1, "concurrency": 1, "service_time": _constant(cal.redis_ms)}, 320),
        ]
        edges += [
            _edge("client-gateway", "client", "gateway", cal.client_hop_ms),
            _edge("gateway-features", "gateway", "features", cal.feature_hop_ms),
            _edge("gateway-model", "gateway", "model", cal.gateway_model_hop_ms(variant.name)),
            _edge("gateway-log", "gateway", "log", 0.0, mode="async"),
        ]
    else:
        edges.append(_edge("client-model", "client", "model", cal.alone_hop_ms(variant.name)))
    duration_s = requests / rps
    return {
        "schema_version": 1,
        "title": f"{config.title}: {variant.title}",
        "requirements": {"peak_rps": None, "p99_ms": None, "monthly_budget_usd": None},
        "traffic": {"rps": rps, "arrival": "poisson", "duration_s": duration_s,
                    "warmup_s": round(duration_s * warmup_fraction, 3)},
        "nodes": nodes,
        "edges": edges,
        "notes": {},
    }


@dataclass(frozen=True)
class Simulated:
    """A configuration's simulated figures over several seeds (means, and the spread of P99)."""

    p50_ms: float
    p99_ms: float
    p99_low_ms: float
    p99_high_ms: float
    throughput_rps: float
    mean_batch_size: float | None


def simulate(doc: dict[str, Any], seeds: list[int], *, requests: int, overhead_ms: tuple[float, float] = (0.0, 0.0),
             predict_ms: dict[int, np.ndarray] | None = None) -> Simulated:
    """Run the board with each seed. The serving overhead (per batch, per request), when the
    simulator has no fields for it, and the measured predict times (`predict_ms` by batch size) go
    through the adapter below."""
    import simulator

    p50, p99, tput, batch = [], [], [], []
    with _timer_adapter((0.0, 0.0) if simulator_has_overhead_fields() else overhead_ms, predict_ms):
        for seed in seeds:
            result = simulator.run(doc, seed=seed, requests=requests).to_dict()
            p50.append(result["latency_ms"]["p50"])
            p99.append(result["latency_ms"]["p99"])
            tput.append(result["throughput_rps"])
            batch.append(result["nodes"]["model"].get("mean_batch_size"))
    batches = [b for b in batch if b is not None]
    return Simulated(float(np.mean(p50)), float(np.mean(p99)), float(np.min(p99)), float(np.max(p99)),
                     float(np.mean(tput)), float(np.mean(batches)) if batches else None)


# The simulator change this benchmark motivates is a serving overhead on model servers, per batch
# and per request. Until the simulator has those fields, the overhead variants are evaluated
# through a wrapper around the catalog's batch timer, used only here.
OVERHEAD_FIELDS = ("batch_overhead_ms", "request_overhead_ms")


def simulator_has_overhead_fields() -> bool:
    from simulator import catalog

    kinds = getattr(catalog, "KINDS", None)
    kind = kinds.get("model_server") if isinstance(kinds, dict) else None
    return bool(kind is not None and hasattr(kind, "field")
                and all(kind.field(name) is not None for name in OVERHEAD_FIELDS))


def overhead_config(batch_ms: float, request_ms: float) -> dict[str, Any]:
    if not simulator_has_overhead_fields():
        return {}
    return dict(zip(OVERHEAD_FIELDS, (round(batch_ms, 4), round(request_ms, 4))))


class _AdaptedTimer:
    """The catalog's batch timer with its times replaced by measured ones (per batch size, the
    nearest measured size standing in for one never seen) and c + b * o added to a batch of b.
    Everything else (model information for the results) is the wrapped timer's."""

    def __init__(self, base: Any, overhead_ms: tuple[float, float], predict_ms: dict[int, np.ndarray] | None) -> None:
        self.base = base
        self.per_batch_ms, self.per_request_ms = overhead_ms
        self.measured = predict_ms

    def sample_ms(self, batch_size: int, rng: np.random.Generator, n: int) -> np.ndarray:
        if self.measured:
            size = min(self.measured, key=lambda s: (abs(s - batch_size), s))
            times = self.measured[size][rng.integers(0, len(self.measured[size]), n)]
        else:
            times = self.base.sample_ms(batch_size, rng, n)
        return times + self.per_batch_ms + batch_size * self.per_request_ms

    def __getattr__(self, name: str) -> Any:
        return getattr(self.base, name)


@contextmanager
def _timer_adapter(overhead_ms: tuple[float, float], predict_ms: dict[int, np.ndarray] | None) -> Iterator[None]:
    if not any(overhead_ms) and not predict_ms:
        yield
        return
    from simulator.models import serving

    original = serving.get_batch_timer

    def wrapped(model_id: str, instance: str) -> Any:
        timer = original(model_id, instance)
        return None if timer is None else _AdaptedTimer(timer, overhead_ms, predict_ms)

    serving.get_batch_timer = wrapped
    try:
        yield
    finally:
        serving.get_batch_timer = original
