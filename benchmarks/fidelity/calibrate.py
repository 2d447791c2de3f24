"""Calibration: the serving overhead from saturated runs, each part's time and the hops from very low load.

Nothing measured at the compared levels is used, and the second (validation) model is simulated
with the first model's calibration unchanged.

- Serving overhead (`batch_overhead_ms` c, `request_overhead_ms` o): the model server's busy time
  between two predicts when the next batch was already waiting, read from the closed-loop
  capacity runs of the FIFO server alone (gap g1 = c + o) and of the batching server alone
  (full batches of B: gap gB = c + B o): answering the batch's requests and reading the next
  ones (HTTP parsing, JSON, aiohttp, the event loop) plus a per-batch part (the loop's turns,
  building the input array). The server's CPU time per request outside predict at low load is
  larger (`cpu_overhead_ms`, 0.8 ms against 0.5 ms here) because an idle server pays for every
  wake-up; that cost delays a request that finds the server idle but never holds up a waiting
  one, so it belongs to the hop latency, not to the service time. The `samples` variant uses it,
  as one would reading the server's own accounting.
- The FIFO server alone at very low load: the per-request server times for the `samples`
  variant and the client-to-server hop.
- The gateway stacks: the closed loop of the one that carries most (batching behind the gateway,
  where the gateway itself is the bottleneck) gives the gateway's CPU per request when busy (with
  the load generator's, which shares its core) and Redis's per command. Like the model server's,
  the gateway's CPU per request falls as it gets busier (2.3 ms at 160 req/s, 1.2-1.4 ms near its
  capacity here: each request at low load wakes it four times), and the busy figure is the one that
  decides where its queue grows. The first gateway stack's very-low-load level gives the feature
  read's round trip and the hops in front of and behind the gateway.

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
from simulator.kinds.serving import BATCH_OVERHEAD_MS, REQUEST_OVERHEAD_MS

OVERHEAD_VARIANTS = ("overhead", "measured+overhead", "ordered+overhead")
TRIM = 0.01


@dataclass(frozen=True)
class Calibration:
    batch_overhead_ms: float = 0.0  # c: per batch
    request_overhead_ms: float = 0.0  # o: per request in the batch
    cpu_overhead_ms: float = 0.0  # model server CPU per request outside predict at very low load
    server_samples_ms: tuple[float, ...] = ()  # per request: predict on the real server + the CPU overhead
    fixed_ms: float = 0.0  # alone: median per-request time outside queueing and predict
    gateway_ms: float = 0.0  # gateway (and load generator) CPU per request
    redis_ms: float = 0.0  # Redis CPU per command
    client_hop_ms: float = 0.0  # behind the gateway: load generator <-> gateway hop
    feature_hop_ms: float = 0.0  # feature read round trip outside Redis's own time
    gateway_fixed_ms: float = 0.0  # behind the gateway: median per-request time outside queueing and predict

    def charged_overhead_ms(self, variant: str) -> float:
        """The model server's own work outside predict that a variant charges as service, for one request."""
        if variant == "samples":
            return self.cpu_overhead_ms
        if variant in OVERHEAD_VARIANTS:
            return self.batch_overhead_ms + self.request_overhead_ms
        if variant == "defaults":
            return BATCH_OVERHEAD_MS + REQUEST_OVERHEAD_MS
        return 0.0

    def alone_hop_ms(self, variant: str) -> float:
        """The client-to-model-server edge: everything outside queueing and predict that the board
        does not charge to the model server as service."""
        return self.fixed_ms - self.charged_overhead_ms(variant)

    def gateway_model_hop_ms(self, variant: str) -> float:
        """The gateway-to-model-server edge: the rest of the fixed time behind the gateway."""
        charged = (self.client_hop_ms + self.gateway_ms + self.feature_hop_ms + self.redis_ms
                   + self.charged_overhead_ms(variant))
        return self.gateway_fixed_ms - charged

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        samples = self.server_samples_ms
        data["server_samples_ms"] = f"{len(samples)} samples, median {np.median(samples):.3f} ms" if samples else "none"
        return data


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
    """The samples variant's server times and the direct hop, from the FIFO server alone at very low load."""
    predict = level.predict_ms[1]
    cpu_overhead = max(0.0, _cpu(level, "model server") - float(np.mean(predict)))
    return replace(cal, cpu_overhead_ms=cpu_overhead, server_samples_ms=tuple(np.round(predict + cpu_overhead, 4)),
                   fixed_ms=_fixed_ms(level))


def with_gateway_busy(cal: Calibration, saturated: Level) -> Calibration:
    """The gateway's and Redis's CPU per request from the closed loop of a gateway stack."""
    generator_ms = saturated.generator["cpu_s"] * 1000.0 / max(1, saturated.requests)
    return replace(cal, gateway_ms=_cpu(saturated, "gateway") + generator_ms,
                   redis_ms=_cpu(saturated, "redis") / 2)  # a feature read and a log append per request


def with_gateway_hops(cal: Calibration, low: Level) -> Calibration:
    """The hops around the gateway, from a gateway stack at very low load (after with_gateway_busy)."""
    return replace(cal, client_hop_ms=float(np.median(low.parts_ms["client_hops"])),
                   feature_hop_ms=max(0.0, float(np.median(low.parts_ms["gateway_feature_read"])) - cal.redis_ms),
                   gateway_fixed_ms=_fixed_ms(low))
