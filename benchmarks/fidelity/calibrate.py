"""Calibration: the serving overhead from saturated runs, each part's time and the hops from very low load.

Nothing measured at the compared levels is used, and the second (validation) model is simulated
with the first model's calibration unchanged.

- Serving overhead (`batch_overhead_ms` c, `request_overhead_ms` o): the model server's busy time
  between two predicts when the next batch was already waiting, read from the closed-loop
  capacity runs of the FIFO server alone (gap g1 = c + o) and of the batching server alone
  (full batches of B: gap gB = c + B o): answering the batch's requests and reading the next
  ones (HTTP parsing, JSON, aiohttp, the event loop) plus a per-batch part (the loop's turns,
  building the input array). The server's CPU time per request outside predict at low load is
  larger (0.8 ms against 0.5 ms here) because an idle server pays for every wake-up; that cost
  delays a request that finds the server idle but never holds up a waiting one, so it belongs to
  the hop latency, not to the service time.
- The FIFO server alone at very low load: the client-to-server hop.
- The `samples` variant's predict times, per model (the validation model's its own, as its
  profile is): the FIFO server's at very low load, less the real-time throttle's stalls
  (`STALL_MS`); a batch of b takes them times the profile's ratio of medians T(b) / T(1), since
  no low load fills a batch. Not the closed loops': with no idle moment between predicts the
  server ran them 25-40% faster (3.0 ms against 5.0 for ctr_gbdt on 2026-12-01), its caches and
  core never handed to other work.
- The gateway stacks: the gateway, Redis and the load generator share core 0, so the gateway's
  node stands for that core: its service is their CPU per request together, from the closed loop
  of the stack that carries most (batching behind the gateway, where core 0 is the bottleneck).
  The gateway is asynchronous: while a request waits for Redis or the model server it serves
  others, so only its CPU work queues, and on the board it is free again after its service, before
  its calls (a service time of its whole time per request, waits included, made it one server
  holding each request and saturated the board far below the stack's capacity). Its CPU per
  request falls as it gets busier (2.0 ms at 160 req/s, 1.1 ms near its capacity here: at low load
  each request wakes it four times), and the busy figure is the one that decides where its queue
  grows. The first gateway stack's very-low-load level gives the feature read's round trip and
  the hops in front of and behind the gateway.
- The gateway's work after its calls (`after_calls_share`): core 0 also works for a request after
  the model server answers (the gateway reads the answer and writes its reply, the generator
  reads it, the log append goes to Redis), and that work queues behind whatever core 0 has to do
  then. The share is that side's part of core 0's time per request at very low load, from the
  stamped parts: the client and model hops are round trips (out and back, taken as half each way),
  the feature read is all before the model call, so share = (client hop + model hop) / 2 over
  (client hop + feature read + model hop). An estimate: the stamps time the gateway's handler
  from its start to its reply, and the legs of a round trip are not stamped apart.

A hop's latency is what a request spends outside every server's busy time: at very low load the
median of (latency - queueing - predict) less the parts the board charges as service. So at very
low load the board's median matches the stack's by construction, and every other figure (the
tail, higher loads, batching, the other model) is a prediction.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from typing import Any

import numpy as np

from benchmarks.fidelity.measure import Level
from benchmarks.fidelity.stack import MODEL_CORE, SHARED_CORE
from simulator.kinds.serving import BATCH_OVERHEAD_MS, REQUEST_OVERHEAD_MS

OVERHEAD_VARIANTS = ("overhead", "samples", "measured+overhead", "ordered+overhead")
DEFAULT_OVERHEAD_VARIANTS = ("defaults", "defaults+pauses", "served", "served+tail", "served+pauses")  # the simulator's default serving overhead (fields left out)
TRIM = 0.01
STALL_MS = 25.0  # a predict this much above its median was stopped (the throttle stops for up to 50 ms)


@dataclass(frozen=True)
class Calibration:
    batch_overhead_ms: float = 0.0  # c: per batch
    request_overhead_ms: float = 0.0  # o: per request in the batch
    fixed_ms: float = 0.0  # alone: median per-request time outside queueing and predict
    gateway_ms: float = 0.0  # core 0's CPU per request when busy: gateway, Redis and load generator
    redis_ms: float = 0.0  # Redis CPU per command
    client_hop_ms: float = 0.0  # behind the gateway, very low load, medians: load generator <-> gateway
    feature_hop_ms: float = 0.0  # the feature read outside Redis's own time
    model_hop_ms: float = 0.0  # gateway -> model server -> gateway outside the model server's handler
    gateway_fixed_ms: float = 0.0  # behind the gateway: median per-request time outside queueing and predict
    after_calls_share: float = 0.0  # the gateway node's service share done after its calls return
    # Each hop's tail, P99 - P50 at very low load of requests that found the model server idle (ms):
    alone_tail_ms: float = 0.0  # client <-> model server
    client_tail_ms: float = 0.0  # behind the gateway: load generator <-> gateway
    feature_tail_ms: float = 0.0  # the feature read
    model_tail_ms: float = 0.0  # gateway <-> model server
    # The machine's pauses of PAUSE_MIN_MS or more, per core (`hiccups.py`): the model server's core 1 and
    # core 0, which the gateway shares with Redis and the generator; 0: not measured.
    model_pause_every_ms: float = 0.0
    model_pause_mean_ms: float = 0.0
    shared_pause_every_ms: float = 0.0
    shared_pause_mean_ms: float = 0.0

    def charged_overhead_ms(self, variant: str) -> float:
        """The model server's own work outside predict that a variant charges as service, for one request."""
        if variant in OVERHEAD_VARIANTS:
            return self.batch_overhead_ms + self.request_overhead_ms
        if variant in DEFAULT_OVERHEAD_VARIANTS:
            return BATCH_OVERHEAD_MS + REQUEST_OVERHEAD_MS
        return 0.0

    def alone_hop_ms(self, variant: str) -> float:
        """The client-to-model-server edge: everything outside queueing and predict that the board
        does not charge to the model server as service."""
        return self.fixed_ms - self.charged_overhead_ms(variant)

    def gateway_hops_ms(self, variant: str) -> tuple[float, float, float]:
        """The client-gateway, gateway-features and gateway-model edges: what the fixed time behind
        the gateway leaves once the board's services (the gateway's, Redis's, the model server's
        overhead) are charged, shared in proportion to the hops as stamped. Each stamped hop also
        holds some of the gateway's CPU (parsing, the client calls' own work), which the board
        charges as the gateway's service, so taken whole they would count it twice."""
        budget = self.gateway_fixed_ms - self.gateway_ms - self.redis_ms - self.charged_overhead_ms(variant)
        hops = (self.client_hop_ms, self.feature_hop_ms, self.model_hop_ms)
        share = max(0.0, budget) / sum(hops) if sum(hops) > 0 else 0.0
        return tuple(hop * share for hop in hops)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _fixed_ms(level: Level) -> float:
    parts = level.parts_ms
    total = sum(parts.values())  # the parts add up to each request's latency
    return float(np.median(total - parts["queue"] - parts["predict"]))


def _cpu(level: Level, process: str) -> float:
    return sum(ms for name, ms in level.cpu_ms_per_request.items() if name.split("/")[0] == process)


def trimmed_mean(values: np.ndarray, drop: float = TRIM) -> float:
    """The mean of the values without the highest `drop` share: a saturated real-time process is
    stopped by the kernel for 50 ms once a second (it keeps 5% of the core for others), and such a
    stall in one gap would otherwise count as work the server does."""
    ordered = np.sort(values)
    return float(np.mean(ordered[:max(1, int(len(ordered) * (1 - drop)))]))


def _mean_gap(level: Level, what: str) -> float:
    if len(level.full_gaps_ms) < 20:
        raise RuntimeError(f"only {len(level.full_gaps_ms)} back-to-back full batches in the {what} closed-loop "
                           "run; run it longer (--capacity-s)")
    return trimmed_mean(level.full_gaps_ms)


def serving_overhead(fifo_saturated: Level, batch_saturated: Level, max_batch: int) -> tuple[float, float]:
    """(c, o) from the gaps between back-to-back batches of 1 (FIFO) and of max_batch (batching)."""
    g1 = _mean_gap(fifo_saturated, "FIFO")
    gb = _mean_gap(batch_saturated, "batching")
    per_request = max(0.0, (gb - g1) / (max_batch - 1))
    return max(0.0, g1 - per_request), per_request


def with_serving_overhead(cal: Calibration, fifo_saturated: Level, batch_saturated: Level,
                          max_batch: int) -> Calibration:
    c, o = serving_overhead(fifo_saturated, batch_saturated, max_batch)
    return replace(cal, batch_overhead_ms=c, request_overhead_ms=o)


def with_fifo_low_load(cal: Calibration, level: Level) -> Calibration:
    """The direct hop and its tail, from the FIFO server alone at very low load."""
    parts = level.parts_ms
    outside = sum(parts.values()) - parts["queue"] - parts["predict"]
    return replace(cal, fixed_ms=_fixed_ms(level), alone_tail_ms=tail_ms(outside, level.found_idle))


PAUSE_MIN_MS = 1.0  # shorter gaps (interrupts, timer ticks) are in every measured time already


def pause_settings(figures: dict) -> tuple[float, float]:
    """(every_ms, mean_ms) of a board's `pauses` from one core's measured pauses: the mean length of
    those of PAUSE_MIN_MS or more, and the mean running time between two of them."""
    pauses = np.asarray(figures.get("pauses_ms", []), dtype=float)
    long = pauses[pauses >= PAUSE_MIN_MS]
    if len(long) < 5:
        return 0.0, 0.0  # too few to say how long or how often
    mean = float(long.mean())
    return max(1.0, figures["spun_s"] * 1000.0 / len(long) - mean), mean


def with_pauses(cal: Calibration, pauses: dict[str, dict] | None) -> Calibration:
    """The pauses of the model server's core and of the shared core, when they were measured."""
    if not pauses:
        return cal
    model_every, model_mean = pause_settings(pauses.get(MODEL_CORE, {}))
    shared_every, shared_mean = pause_settings(pauses.get(SHARED_CORE, {}))
    return replace(cal, model_pause_every_ms=model_every, model_pause_mean_ms=model_mean,
                   shared_pause_every_ms=shared_every, shared_pause_mean_ms=shared_mean)


def tail_ms(values: np.ndarray, found_idle: np.ndarray) -> float:
    """P99 - P50 of a part's time among the requests that found the model server idle: a hop's own
    tail (a wake-up, a scheduler tick, the generator reading late), with no wait behind a running
    predict in it, which the board's queue already gives."""
    quiet = values[found_idle] if len(found_idle) == len(values) else values[:0]
    if len(quiet) < 100:
        return 0.0  # too few to read a P99 from
    return float(np.percentile(quiet, 99) - np.median(quiet))


def without_stalls(times: np.ndarray) -> np.ndarray:
    return times[times < np.median(times) + STALL_MS]


def server_samples(low_fifo: Level, profile: dict[str, Any], max_batch: int) -> dict[int, np.ndarray]:
    """A model's predict times on the real server by batch size, from its FIFO server at very low load."""
    single = without_stalls(low_fifo.predict_ms[1])
    timings = profile["timings"]
    sizes = [int(size) for size in timings if int(size) <= max_batch]
    return {size: single * timings[str(size)]["p50_ms"] / timings["1"]["p50_ms"] for size in sorted(sizes)}


def with_gateway_busy(cal: Calibration, saturated: Level) -> Calibration:
    """Core 0's CPU per request (gateway, Redis, load generator) and Redis's per command, from the
    closed loop of a gateway stack."""
    generator_ms = saturated.generator["cpu_s"] * 1000.0 / max(1, saturated.requests)
    redis_ms = _cpu(saturated, "redis")
    return replace(cal, gateway_ms=_cpu(saturated, "gateway") + redis_ms + generator_ms,
                   redis_ms=redis_ms / 2)  # a feature read and a log append per request


def with_gateway_hops(cal: Calibration, low: Level) -> Calibration:
    """The hops around the gateway, from a gateway stack at very low load (after with_gateway_busy)."""
    parts = low.parts_ms
    client_hop = float(np.median(parts["client_hops"]))
    feature_read = float(np.median(parts["gateway_feature_read"]))
    model_hop = float(np.median(parts["gateway_to_model_and_back"] + parts["gateway_other"]))
    idle = low.found_idle
    return replace(cal, client_hop_ms=client_hop, feature_hop_ms=max(0.0, feature_read - cal.redis_ms),
                   model_hop_ms=model_hop, gateway_fixed_ms=_fixed_ms(low),
                   after_calls_share=after_calls_share(client_hop, feature_read, model_hop),
                   client_tail_ms=tail_ms(parts["client_hops"], idle),
                   feature_tail_ms=tail_ms(parts["gateway_feature_read"], idle),
                   model_tail_ms=tail_ms(parts["gateway_to_model_and_back"] + parts["gateway_other"], idle))


def after_calls_share(client_hop_ms: float, feature_read_ms: float, model_hop_ms: float) -> float:
    """The share of core 0's time per request that comes after the model server answers: the way
    back of the two round trips around it (the module's docstring says why and what it leaves out)."""
    total = client_hop_ms + feature_read_ms + model_hop_ms
    return (client_hop_ms + model_hop_ms) / 2 / total if total > 0 else 0.0
