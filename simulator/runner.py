"""`run`: validate a board document, draw its randomness, simulate it and build the results."""

from __future__ import annotations

import math
from typing import Any, Callable

import numpy as np

from simulator.arrivals import arrival_times, expected_requests, mean_rate_rps
from simulator.compression import compressed, real_clock
from simulator.cost import with_cost
from simulator.distributions import SampleStream, token_count
from simulator.events import simulate_events
from simulator.errors import SimulationError
from simulator.fastpath import simulate_fast
from simulator.outcome import RunInputs
from simulator.progress import Ticker
from simulator.results import Results, build_results
from simulator.stats import capacity_rps
from simulator.nodespec import NodeSpec
from simulator.topology import Topology, build_topology
from simulator.validation import check_document, with_defaults

MAX_REQUESTS = 20_000_000
ENGINES = ("auto", "fast", "event")


def _bounds(traffic: dict[str, Any], requests: int | None, duration_s: float | None,
            compression: float = 1.0) -> tuple[int | None, float | None]:
    """(request count, horizon in ms): exactly one is set. Arguments win over the document."""
    if requests is not None and duration_s is not None:
        raise SimulationError("give either requests or duration_s, not both", "requests")
    if requests is None and duration_s is None:
        requests = traffic.get("requests")
        duration_s = None if requests is not None else traffic["duration_s"]
    if requests is not None:
        if not isinstance(requests, (int, np.integer)) or requests < 1:
            raise SimulationError("must be a whole number of requests of at least 1", "requests")
        if requests > MAX_REQUESTS:
            raise SimulationError(f"{requests:,} requests is more than the limit of {MAX_REQUESTS:,} per run; "
                                  "run fewer requests", "requests")
        return int(requests), None
    if not duration_s or duration_s <= 0 or not math.isfinite(duration_s):
        raise SimulationError("must be a positive number of seconds", "duration_s")
    needed = expected_requests(traffic, duration_s * 1000.0)
    if needed > MAX_REQUESTS:
        real = f"{duration_s * compression:g} s compressed {compression:g} times" if compression != 1 \
            else f"{duration_s:g} s"
        raise SimulationError(f"{real} at {traffic['rps']:g} req/s needs about {needed:,.0f} requests, "
                              f"more than the limit of {MAX_REQUESTS:,} per run; shorten the run, lower rps or "
                              "raise traffic.time_compression", "traffic.duration_s")
    return None, duration_s * 1000.0


def _sampler(spec: NodeSpec):
    if spec.timer is not None:
        return lambda rng, k, timer=spec.timer: timer.sample_ms(1, rng, k)
    return spec.service.sample


def _inputs(document: dict[str, Any], topo: Topology, seed: int, count: int | None,
            horizon_ms: float | None) -> RunInputs:
    traffic = document["traffic"]
    n_nodes, n_positions = len(topo.nodes), len(topo.positions)
    # One independent stream per purpose, spawned in a fixed order from the run's seed.
    # (The event loop's own stream is spawned last, so boards without it draw exactly as before.)
    # (The event loop's and the token counts' streams are spawned last, so boards without them draw
    # exactly as before.)
    root_rng = np.random.default_rng(seed)
    arrival_rng, entry_rng, capacity_rng, *rngs = root_rng.spawn(6 + 2 * n_nodes + n_positions)
    service_rngs, batch_rngs, hit_rngs = rngs[:n_nodes], rngs[n_nodes:2 * n_nodes], rngs[2 * n_nodes:-3]
    event_rng, prompt_rng, output_rng = rngs[-3:]
    run_ms = horizon_ms or count * 1000.0 / mean_rate_rps(traffic, 1000.0)
    arrivals = arrival_times(traffic, arrival_rng, count=count, horizon_ms=horizon_ms, run_ms=run_ms)
    if len(arrivals) == 0:
        raise SimulationError("no request arrives in this run; raise rps or the duration", "traffic.rps")
    horizon = horizon_ms if horizon_ms is not None else float(arrivals[-1])
    warmup = traffic["warmup_s"] * 1000.0
    if warmup >= horizon:
        raise SimulationError(f"the warm-up of {traffic['warmup_s']:g} s covers the whole run of "
                              f"{horizon / 1000:g} s, so nothing would be measured", "traffic.warmup_s")
    n = len(arrivals)
    entry = entry_rng.integers(0, len(topo.roots), n, dtype=np.int16) if len(topo.roots) > 1 else None
    flushed = {fault["target"] for fault in document.get("faults") or [] if fault["type"] == "cache_flush"}
    hits, hit_uniforms = {}, {}
    for p in topo.positions:
        spec = topo.nodes[p.node]
        if p.sync_children and spec.hit_rate > 0:
            draws = hit_rngs[p.index].random(n)
            if spec.id in flushed:  # compared with the hit rate of the moment, which a flush lowers
                hit_uniforms[p.index] = draws
            else:
                hits[p.index] = draws < spec.hit_rate
    return RunInputs(
        topology=topo, arrivals=arrivals, entry=entry,
        streams=[SampleStream(_sampler(spec), service_rngs[spec.index]) for spec in topo.nodes],
        batch_rngs=list(batch_rngs), hits=hits, window=(warmup, horizon),
        capacities=[capacity_rps(spec, capacity_rng) for spec in topo.nodes],
        document=document, event_rng=event_rng, hit_uniforms=hit_uniforms, hops=_hops(topo, root_rng, n),
        pauses=_pauses(document, topo, root_rng, horizon),
        **_tokens(traffic, n, prompt_rng, output_rng, any(spec.llm is not None for spec in topo.nodes)),
    )


def _hops(topo: Topology, root_rng: np.random.Generator, n: int) -> dict[int, np.ndarray]:
    """Per position whose edge has a latency tail, each request's network time over it (ms).

    Drawn up front per request, so both engines agree (a retry, which only the event loop makes,
    draws its own); from a stream spawned after all the others, so boards without a tail draw
    exactly as before.
    """
    tailed = [p for p in topo.positions if p.latency_p99_ms is not None]
    if not tailed:
        return {}
    rng = root_rng.spawn(1)[0]
    return {p.index: p.hop_time().sample(rng, n) for p in tailed}


MAX_PAUSES = 2_000_000  # pause windows drawn for one run, all nodes together


def _pauses(document: dict[str, Any], topo: Topology, root_rng: np.random.Generator,
            horizon_ms: float) -> dict[int, np.ndarray]:
    """Per node with `pauses`, its pause windows [start, end) in ms, in time order, over twice the
    arrivals' span (the run drains after its last arrival) and at least a minute more."""
    paused = [spec for spec in topo.nodes if spec.config.get("pauses")]
    if not paused:
        return {}
    span = max(2 * horizon_ms, horizon_ms + 60_000.0)
    expected = {spec.index: span / (spec.config["pauses"]["every_ms"] + spec.config["pauses"]["mean_ms"])
                for spec in paused}
    if sum(expected.values()) > MAX_PAUSES:
        spec = max(paused, key=lambda s: expected[s.index])
        where = next(i for i, node in enumerate(document["nodes"]) if node["id"] == spec.id)
        raise SimulationError(f"pauses every {spec.config['pauses']['every_ms']:g} ms over this run make about "
                              f"{sum(expected.values()):,.0f} pauses, more than the limit of {MAX_PAUSES:,} per "
                              "run; make them rarer or the run shorter", f"nodes[{where}].config.pauses.every_ms")
    rng = root_rng.spawn(1)[0]
    windows = {}
    for spec in paused:
        every, mean = spec.config["pauses"]["every_ms"], spec.config["pauses"]["mean_ms"]
        count = int(expected[spec.index] * 1.2 + 10 * np.sqrt(expected[spec.index]) + 10)
        lengths = rng.exponential(mean, count)
        starts = np.cumsum(rng.exponential(every, count) + np.r_[0.0, lengths[:-1]])
        windows[spec.index] = np.column_stack([starts, starts + lengths])
    return windows


def _tokens(traffic: dict[str, Any], n: int, prompt_rng: np.random.Generator, output_rng: np.random.Generator,
            wanted: bool) -> dict[str, Any]:
    """Each request's prompt and output token counts, for boards with an LLM server."""
    if not wanted:
        return {}
    return {"prompt_tokens": token_count(traffic["prompt_tokens"]).sample(prompt_rng, n),
            "output_tokens": token_count(traffic["output_tokens"]).sample(output_rng, n),
            "streaming": bool(traffic["streaming"])}


def _compressed(document: dict[str, Any]) -> tuple[dict[str, Any], float]:
    """The document with defaults filled in and its slow clocks compressed, and the compression."""
    full = with_defaults(document)
    k = float(full["traffic"]["time_compression"])
    return compressed(full, k), k


def event_only_features(document: dict[str, Any]) -> list[str]:
    """What in a board (defaults filled in) only the event loop simulates: faults and resilience settings."""
    found = []
    if document.get("faults"):
        found.append("faults")
    for name in ("timeout_ms", "retry", "circuit_breaker"):
        if any(edge.get(name) is not None for edge in document["edges"]):
            found.append(f"edge {name}")
    if any(edge["mode"] == "fallback" for edge in document["edges"]):
        found.append("fallback edges")
    for name in ("rate_limit", "autoscaling", "pauses"):
        if any(node["config"].get(name) is not None for node in document["nodes"]):
            found.append(name)
    # Work after a node's calls queues behind work that arrived later, so its queue is no longer fed in
    # arrival order from the nodes before it (a leaf makes no calls: its share changes nothing).
    callers = {edge["source"] for edge in document["edges"] if edge["mode"] == "sync"}
    if any(node["config"].get("after_calls_share") and node["id"] in callers for node in document["nodes"]):
        found.append("after_calls_share")
    return found


def check_run_length(document: dict[str, Any], *, requests: int | None = None,
                     duration_s: float | None = None) -> None:
    """Raise SimulationError, naming the field, when such a run of a valid document could not start.

    That is: the run limits, a board with nothing to send traffic to (or no entry, or an async
    cycle), and a warm-up as long as the whole run. A stored board may be any of these while it is
    being drawn; the API refuses to run it with this message instead of queueing a run that fails.
    """
    full, k = _compressed(document)
    count, horizon_ms = _bounds(full["traffic"], requests, duration_s / k if duration_s else duration_s, k)
    build_topology(full)
    _check_warmup(full["traffic"], count, horizon_ms)


def _check_warmup(traffic: dict[str, Any], count: int | None, horizon_ms: float | None) -> None:
    """Refuse a warm-up as long as the run's expected length (a request-count run's actual length
    is random, so the same document is refused whatever the seed)."""
    expected_ms = horizon_ms if horizon_ms is not None else count * 1000.0 / mean_rate_rps(traffic, 1000.0)
    if traffic["warmup_s"] * 1000.0 >= expected_ms:
        raise SimulationError(f"the warm-up of {traffic['warmup_s']:g} s covers the whole run of about "
                              f"{expected_ms / 1000:g} s, so nothing would be measured; run longer or shorten "
                              "the warm-up", "traffic.warmup_s")


def run(document: dict[str, Any], *, seed: int, requests: int | None = None, duration_s: float | None = None,
        progress: Callable[[float], None] | None = None, should_stop: Callable[[], bool] | None = None,
        engine: str = "auto") -> Results:
    """Simulate a board document and return its results.

    The run is bounded by `requests` or `duration_s` when given, else by the document's
    traffic.requests or traffic.duration_s. `progress(fraction)` is called at least every 100 ms
    of wall time (from a helper thread, see simulator.progress); `should_stop()` returning true
    raises SimulationCancelled. `engine` picks the fast path or the event loop ("auto": the fast
    path whenever the board allows it).
    """
    if engine not in ENGINES:
        raise SimulationError(f"must be one of {', '.join(ENGINES)}", "engine")
    check_document(document)
    full, k = _compressed(document)
    count, horizon_ms = _bounds(full["traffic"], requests, duration_s / k if duration_s else duration_s, k)
    topo = build_topology(full)
    _check_warmup(full["traffic"], count, horizon_ms)
    needs_events = event_only_features(full)
    if engine == "fast" and (topo.fast_order is None or needs_events):
        why = (", ".join(needs_events) if needs_events else
               "a node's later calls wait on its own earlier answers")
        raise SimulationError(f"this board needs the event loop ({why})", "engine")
    with Ticker(progress, should_stop) as ticker:
        inputs = _inputs(full, topo, seed, count, horizon_ms)
        inputs.time_compression = k
        use_fast = engine == "fast" or (engine == "auto" and topo.fast_order is not None and not needs_events)
        outcome = simulate_fast(inputs, ticker) if use_fast else simulate_events(inputs, ticker)
        return real_clock(with_cost(full, build_results(full, inputs, outcome, seed)), k)
