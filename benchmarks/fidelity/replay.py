"""A FIFO level replayed through one queue: the level's own times, the simulator's queue.

    .venv/bin/python -m benchmarks.fidelity.replay var/fidelity     # a run's kept FIFO levels

Each request reaches the server when it was sent, waits for the one before it (in send order)
and is served for its own measured predict plus the level's mean back-to-back gap (the server's
work between two predicts when the next request was already waiting); its latency is that wait
and service plus the level's fixed part (the median time outside queueing and predict of the
requests that found the server idle). A second replay draws the service from the catalog profile
plus the default serving overhead instead, as the simulator's default board does. When the
first replay matches the measured level and the second matches the simulator, the queue is right
and an error lies in the service times the board was given.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np

from benchmarks.fidelity.measure import LOOPBACK_MARGIN_S
from simulator.kinds.serving import BATCH_OVERHEAD_MS, REQUEST_OVERHEAD_MS


def one_queue(arrivals_ms: np.ndarray, service_ms: np.ndarray) -> np.ndarray:
    """Each request's wait in one FIFO queue served in arrival order (Lindley's recursion)."""
    order = np.argsort(arrivals_ms, kind="stable")
    waits = np.empty(len(arrivals_ms))
    free = -np.inf
    for k in order:
        start = max(arrivals_ms[k], free)
        waits[k] = start - arrivals_ms[k]
        free = start + service_ms[k]
    return waits


def back_to_back_gaps_ms(stamps: np.ndarray, sent: np.ndarray) -> np.ndarray:
    """The server's time between a predict's end and the next one's start, when the next request
    had been sent before it ended (so the server went on without idling)."""
    order = np.argsort(stamps[:, 2])
    start, end = stamps[order, 2], stamps[order, 3]
    waiting = sent[order][1:] < end[:-1] - LOOPBACK_MARGIN_S
    return (start[1:] - end[:-1])[waiting] * 1000.0


def replay_level(record: dict, warmup: int, found_idle: np.ndarray, profile_ms: np.ndarray,
                 seed: int = 1) -> dict[str, float]:
    """The measured P50 / P99 of a FIFO level beside its two replays (the module's docstring)."""
    ok = np.array(record["status"]) == 200
    sent = np.array([s for s, good in zip(record["sent"], ok) if good], dtype=float)
    received = np.array([r for r, good in zip(record["received"], ok) if good], dtype=float)
    stamps = np.array([json.loads(b)["t"] for b, good in zip(record["bodies"], ok) if good])
    counted = np.flatnonzero(ok) >= warmup
    latency = (received - sent) * 1000.0
    predict = (stamps[:, 3] - stamps[:, 2]) * 1000.0
    queue = (stamps[:, 2] - stamps[:, 1]) * 1000.0
    gap = float(np.mean(back_to_back_gaps_ms(stamps, sent)))
    outside = (latency - queue - predict)[counted]
    fixed = float(np.median(outside[found_idle])) if found_idle.any() else float(np.median(outside))
    arrivals = sent * 1000.0
    own = one_queue(arrivals, predict + gap) + predict + fixed
    drawn = np.random.default_rng(seed).choice(profile_ms, size=len(sent))
    board = one_queue(arrivals, drawn + BATCH_OVERHEAD_MS + REQUEST_OVERHEAD_MS) + drawn + fixed
    figures = {"rps": len(sent) / (sent.max() - sent.min()), "gap_ms": gap, "fixed_ms": fixed,
               "predict_mean_ms": float(predict[counted].mean())}
    for name, values in (("measured", latency), ("own_times", own), ("profile", board)):
        figures[f"{name}_p50"], figures[f"{name}_p99"] = np.percentile(values[counted], [50, 99])
    return figures


def main(argv: list[str] | None = None) -> None:
    import pickle

    from benchmarks.fidelity import __main__ as harness
    # The harness pickled its run as `python -m benchmarks.fidelity`, so its classes are __main__'s.
    for name in ("Measured", "Run"):
        setattr(sys.modules["__main__"], name, getattr(harness, name))
    out = Path((argv or sys.argv[1:] or ["var/fidelity"])[0])
    with open(out / "measured.pickle", "rb") as f:
        measured = pickle.load(f)["measured"]
    print("| level (req/s) | predict mean | back-to-back gap | measured P50 / P99 | level's own times "
          "through one queue | profile + default overhead through one queue |")
    print("|---:|---:|---:|---|---|---|")
    for m in measured:
        if m.config.max_batch != 1 or m.config.gateway:
            continue  # one queue of single requests: the FIFO server alone
        profile = np.asarray(m.profile["timings"]["1"]["samples_ms"], dtype=float)
        for level in [m.low] * (m.low is not None) + [r.level for r in m.rows]:
            path = out / "run" / f"{m.config.model}-{m.config.name}" / f"level-{level.rps:.0f}.json"
            f = replay_level(json.loads(path.read_text()), level.warmup, level.found_idle, profile)
            print(f"| {f['rps']:.0f} | {f['predict_mean_ms']:.2f} | {f['gap_ms']:.2f} | "
                  f"{f['measured_p50']:.2f} / {f['measured_p99']:.1f} | "
                  f"{f['own_times_p50']:.2f} / {f['own_times_p99']:.1f} | {f['profile_p50']:.2f} / {f['profile_p99']:.1f} |")


if __name__ == "__main__":
    main()
