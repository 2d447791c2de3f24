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

from benchmarks.fidelity.calibrate import DEFAULT_OVERHEAD_VARIANTS, Calibration

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

    profile:  the catalog's measured profile alone (the simulator before its serving overhead:
              both fields set to 0), every other cost as hop latency;
    defaults: the profile with the simulator's default serving overhead (the fields left out):
              what a user gets now;
    overhead: the profile plus the serving overhead that keeps the instance busy, per batch and
              per request in it (request parsing, JSON, the framework, the event loop),
              calibrated on the saturated FIFO and batching servers (`calibrate.py`);
    served:   as defaults, with the profile timed as a model server below capacity sees the model
              (`simulator profile --as-served`: each predict after an idle moment) instead of back
              to back;
    served+tail: as served, with each edge's network time drawn with the tail its hop showed at
              very low load (`latency_p99_ms`: the P99 - P50 of the hop for requests that found the
              model server idle, above the edge's latency), instead of the same every call;
    defaults+pauses, served+pauses: as defaults and served, with the machine's pauses measured on each core before the stacks
              ran (`hiccups.py`: a real-time process on the core stopped for a millisecond or more,
              the hypervisor's steal above all) as `pauses` of the model server (core 1) and of
              the gateway (core 0, with Redis and the generator);
    samples:  the real server's own predict times instead of the catalog profile: the FIFO server's
              at very low load, of the same model, scaled for larger batches by the profile's
              ratio of medians, plus the calibrated overhead;
    measured, measured+overhead: diagnostics, not predictions: the profile and the profile +
              overhead variants with the profile's times replaced by the predict times the server
              measured during the same level, per batch size, drawn at random as the simulator
              draws a profile's. They separate errors of the simulator's model from the machine's
              speed changing between the profile and the level;
    ordered+overhead: the same times in the order the server measured them, batch after batch: the
              machine's slow spells (seconds when every predict takes longer) then arrive together,
              as they did, instead of spread at random.
    """

    name: str
    title: str

    @property
    def diagnostic(self) -> bool:
        return self.name.startswith(("measured", "ordered"))

    @property
    def with_overhead(self) -> bool:
        return self.name in ("overhead", "samples", "measured+overhead", "ordered+overhead")

    @property
    def served_profile(self) -> bool:
        """Whether the model server is timed by the profile measured as served."""
        return self.name.startswith("served")

    @property
    def hop_tails(self) -> bool:
        return self.name.endswith("+tail")

    @property
    def machine_pauses(self) -> bool:
        return self.name.endswith("+pauses")

    @property
    def replaces_profile(self) -> bool:
        """Whether the profile's times give way to times measured on the real server."""
        return self.diagnostic or self.name == "samples"


VARIANTS = (
    Variant("profile", "profile alone (before)"),
    Variant("defaults", "profile + default overhead (after)"),
    Variant("overhead", "profile + calibrated overhead"),
    Variant("defaults+pauses", "profile + default overhead + the machine's pauses"),
    Variant("served", "as-served profile + default overhead"),
    Variant("served+tail", "as-served profile + default overhead + hop tails"),
    Variant("served+pauses", "as-served profile + default overhead + the machine's pauses"),
    Variant("samples", "server samples"),
    Variant("measured", "level's predict times"),
    Variant("measured+overhead", "level's predict times + overhead"),
    Variant("ordered+overhead", "level's predict times in order + overhead"),
)


def _node(node_id: str, kind: str, config: dict[str, Any], x: int) -> dict[str, Any]:
    return {"id": node_id, "kind": kind, "label": node_id, "position": {"x": x, "y": 100}, "config": config}


def _edge(edge_id: str, source: str, target: str, latency_ms: float, mode: str = "sync",
          tail_ms: float = 0.0) -> dict[str, Any]:
    edge = {"id": edge_id, "source": source, "target": target, "mode": mode, "latency_ms": round(max(latency_ms, 0.0), 4)}
    if tail_ms > 0 and edge["latency_ms"] > 0:
        edge["latency_p99_ms"] = round(edge["latency_ms"] + tail_ms, 4)
    return edge


def _pauses(every_ms: float, mean_ms: float) -> dict[str, Any]:
    """A node's `pauses` setting, or nothing when its core's pauses were not measured."""
    return {"pauses": {"every_ms": round(every_ms, 3), "mean_ms": round(mean_ms, 4)}} if mean_ms > 0 else {}


def _constant(ms: float) -> dict[str, Any]:
    return {"dist": "constant", "mean_ms": round(max(ms, 0.0), 4)}


def document(config: Configuration, variant: Variant, cal: Calibration, *, model: str, rps: float,
             requests: int, warmup_fraction: float, after_calls: bool = True) -> dict[str, Any]:
    """The board of `config` under `variant` at `rps`, bounded by `requests` with a warm-up share;
    `after_calls` False leaves the gateway's work after its calls out (all of it before them)."""
    server: dict[str, Any] = {"replicas": 1, "concurrency": 1, "instance": INSTANCE,
                              "max_batch_size": config.max_batch, "max_batch_delay_ms": config.delay_ms}
    server["model"] = model
    if variant.machine_pauses:
        server.update(_pauses(cal.model_pause_every_ms, cal.model_pause_mean_ms))
    if variant.with_overhead:
        server.update(batch_overhead_ms=round(cal.batch_overhead_ms, 4),
                      request_overhead_ms=round(cal.request_overhead_ms, 4))
    elif variant.name not in DEFAULT_OVERHEAD_VARIANTS:
        server.update(batch_overhead_ms=0.0, request_overhead_ms=0.0)
    nodes = [_node("client", "client", {}, 0), _node("model", "model_server", server, 480)]
    edges = []
    if config.gateway:
        client_hop, feature_hop, model_hop = cal.gateway_hops_ms(variant.name)
        tails = (cal.client_tail_ms, cal.feature_tail_ms, cal.model_tail_ms) if variant.hop_tails else (0.0, 0.0, 0.0)
        gateway = {"replicas": 1, "concurrency": 1, "service_time": _constant(cal.gateway_ms)}
        if variant.machine_pauses:
            gateway.update(_pauses(cal.shared_pause_every_ms, cal.shared_pause_mean_ms))
        if after_calls and cal.after_calls_share > 0:
            gateway["after_calls_share"] = round(cal.after_calls_share, 4)
        nodes += [
            _node("gateway", "gateway", gateway, 160),
            _node("features", "feature_store", {"replicas": 1, "concurrency": 1,
                                                "service_time": _constant(cal.redis_ms)}, 320),
            _node("log", "logging", {"replicas": 1, "concurrency": 1, "service_time": _constant(cal.redis_ms)}, 320),
        ]
        edges += [
            _edge("client-gateway", "client", "gateway", client_hop, tail_ms=tails[0]),
            _edge("gateway-features", "gateway", "features", feature_hop, tail_ms=tails[1]),
            _edge("gateway-model", "gateway", "model", model_hop, tail_ms=tails[2]),
            _edge("gateway-log", "gateway", "log", 0.0, mode="async"),
        ]
    else:
        edges.append(_edge("client-model", "client", "model", cal.alone_hop_ms(variant.name),
                           tail_ms=cal.alone_tail_ms if variant.hop_tails else 0.0))
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


def simulate(doc: dict[str, Any], seeds: list[int], *, requests: int,
             predict_ms: dict[int, np.ndarray] | None = None, ordered: bool = False) -> Simulated:
    """Run the board with each seed; `predict_ms` (by batch size) replaces the profile's times,
    drawn as a profile's or, `ordered`, taken in their order."""
    import simulator

    p50, p99, tput, batch = [], [], [], []
    with _measured_times(predict_ms, ordered):
        for seed in seeds:
            result = simulator.run(doc, seed=seed, requests=requests).to_dict()
            p50.append(result["latency_ms"]["p50"])
            p99.append(result["latency_ms"]["p99"])
            tput.append(result["throughput_rps"])
            batch.append(result["nodes"]["model"].get("mean_batch_size"))
    batches = [b for b in batch if b is not None]
    return Simulated(float(np.mean(p50)), float(np.mean(p99)), float(np.min(p99)), float(np.max(p99)),
                     float(np.mean(tput)), float(np.mean(batches)) if batches else None)


class _OrderedTimer:
    """Measured batch times taken in their order (and round again), per batch size; the nearest
    measured size stands in for one never seen."""

    def __init__(self, predict_ms: dict[int, np.ndarray]) -> None:
        self.measured = predict_ms
        self.next = dict.fromkeys(predict_ms, 0)

    def sample_ms(self, batch_size: int, rng: np.random.Generator, n: int) -> np.ndarray:
        size = min(self.measured, key=lambda s: (abs(s - batch_size), s))
        times = self.measured[size]
        start = self.next[size]
        self.next[size] = (start + n) % len(times)
        return times[(start + np.arange(n)) % len(times)]


class _MeasuredTimer:
    """The catalog's batch timer with its times replaced by measured ones, per batch size: drawn as
    the simulator draws a profile's (sizes between two measured ones interpolated), or taken in
    their order. Everything else (the model information results show) is the wrapped timer's."""

    def __init__(self, base: Any, predict_ms: dict[int, np.ndarray], ordered: bool) -> None:
        from simulator.models.timer import ProfileBatchTimer

        self.base = base
        self.times = _OrderedTimer(predict_ms) if ordered else ProfileBatchTimer(
            {"timings": {str(size): {"samples_ms": times.tolist(), "p50_ms": float(np.median(times))}
                         for size, times in predict_ms.items()}})

    def sample_ms(self, batch_size: int, rng: np.random.Generator, n: int) -> np.ndarray:
        return self.times.sample_ms(batch_size, rng, n)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.base, name)


@contextmanager
def _measured_times(predict_ms: dict[int, np.ndarray] | None, ordered: bool) -> Iterator[None]:
    """While inside, the catalog's timers of every model answer with the measured times (the
    serving overhead, when the board has it, is still added on top by the model server kind)."""
    if not predict_ms:
        yield
        return
    from simulator.models import serving

    original = serving.get_batch_timer

    def wrapped(model_id: str, instance: str) -> Any:
        timer = original(model_id, instance)
        return None if timer is None else _MeasuredTimer(timer, predict_ms, ordered)

    serving.get_batch_timer = wrapped
    try:
        yield
    finally:
        serving.get_batch_timer = original
