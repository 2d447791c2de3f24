"""How the way predict is timed moves the figure: the catalog profiler's loop against a model server's view.

The fidelity harness found the catalog profile of a model (a loop over every batch size in turns,
back to back) faster than the same model's predict inside its server, where each request comes
after an idle moment and its rows are decoded from JSON. This times batch-1 predict of one catalog
model, trained once, in one process pinned to one core, in the ways that differ:

- `profile loop`: the profiler's own loop (`time_batches`, every batch size in turns), batch 1's samples;
- `profile loop, 6 ms idle`: the same loop with `Settings.idle_ms` 6 (an idle moment before each predict);
- `alone`: batch 1 only, back to back;
- `after N ms idle`: batch 1 only, each predict after sleeping N ms (a server between requests);
- `served input`: as `alone`, with the rows decoded from a JSON request body and made an array, as the server does;
- `served`: both, idle moment and decoded rows: what a FIFO server at low load does per request.

The ways take turns in rounds, so a slow spell of the shared machine lands on all of them alike.
It prints each way's median and its ratio to `served`.

    python benchmarks/profile_modes.py [--model ctr_gbdt] [--rounds 12] [--per-round 40] [--core 1]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from dataclasses import replace
from pathlib import Path
from typing import Callable

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from simulator.models.profiling import Settings, time_batches  # noqa: E402
from simulator.models.registry import Workshop  # noqa: E402

IDLE_MS = (2.0, 6.0, 20.0)
SERVED_IDLE_MS = 6.0  # between requests at 30-50% of a 5 ms model's capacity (the profiler's as-served mode: 5)


def _timer(predict: Callable, batch: Callable[[int, int], np.ndarray], *, idle_ms: float = 0.0,
           decoded: bool = False) -> Callable[[int], float]:
    """One timed predict of batch 1 at offset k, in ms: after an idle moment, of rows decoded from JSON."""
    def once(k: int) -> float:
        rows = batch(1, k)
        if decoded:  # the server stamps predict's start before it makes the array of the decoded rows
            rows = [json.loads(json.dumps({"id": k, "features": np.asarray(rows, dtype=float)[0].tolist()}))["features"]]
        if idle_ms:
            time.sleep(idle_ms / 1000.0)
        start = time.perf_counter()
        predict(np.asarray(rows, dtype=np.float64) if decoded else rows)
        return (time.perf_counter() - start) * 1000.0
    return once


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="ctr_gbdt")
    parser.add_argument("--rounds", type=int, default=12)
    parser.add_argument("--per-round", type=int, default=40, help="predicts of each way per round")
    parser.add_argument("--core", type=int, default=1, help="the core to pin this process to (-1: none)")
    args = parser.parse_args()
    if args.core >= 0:
        os.sched_setaffinity(0, {args.core})
    trained = Workshop().model(args.model)
    ways: dict[str, Callable[[int], float]] = {"alone": _timer(trained.predict, trained.batch)}
    for idle in IDLE_MS:
        ways[f"after {idle:g} ms idle"] = _timer(trained.predict, trained.batch, idle_ms=idle)
    ways["served input"] = _timer(trained.predict, trained.batch, decoded=True)
    ways["served"] = _timer(trained.predict, trained.batch, idle_ms=SERVED_IDLE_MS, decoded=True)
    loop = Settings((1, 2, 4, 8, 16, 32, 64, 128, 256, 512), min_repetitions=args.per_round,
                    max_repetitions=args.per_round, budget_s=0.0, warmup=1)
    loops = {"profile loop": loop, f"profile loop, {SERVED_IDLE_MS:g} ms idle": replace(loop, idle_ms=SERVED_IDLE_MS)}
    samples: dict[str, list[float]] = {name: [] for name in [*loops, *ways]}
    for name, once in ways.items():  # warm every way once
        once(0)
    load_before = os.getloadavg()[0]
    for r in range(args.rounds):
        for name, settings in loops.items():
            samples[name] += time_batches(trained, settings)[1].tolist()
        for name, once in ways.items():
            samples[name] += [once(r * args.per_round + k) for k in range(args.per_round)]
    load_after = os.getloadavg()[0]
    served = float(np.median(samples["served"]))
    print(f"{args.model}, batch 1, {args.rounds} rounds x {args.per_round} predicts a way, core {args.core}, "
          f"load average {load_before:.2f} -> {load_after:.2f}")
    print(f"{'way':<22} {'P50 ms':>8} {'P90 ms':>8} {'/ served':>9}")
    for name, values in samples.items():
        p50, p90 = np.percentile(values, [50, 90])
        print(f"{name:<22} {p50:8.3f} {p90:8.3f} {p50 / served:9.2f}")


if __name__ == "__main__":
    main()
