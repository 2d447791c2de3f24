"""The machine's pauses as a real-time process on one core sees them: how often its core stops and for how long.

    python -m benchmarks.fidelity.hiccups [--core 1] [--seconds 60] [--json out.json]

A process that reads the clock in a tight loop sees every moment it was not running as a gap
between two readings (what jHiccup and sysjitter measure). It runs real-time (SCHED_FIFO 10, as
the reference stack's model server does) so other work on the machine cannot delay it: what is
left is the hypervisor running another guest on the core (the `steal` of /proc/stat), interrupts
and the kernel's own work. It spins for `--spin-ms` and sleeps as long again, so it never uses
the 95% of the core after which the kernel throttles real-time work (a pause of its own making);
pauses are sampled during the spins, half of the time, at random moments of the machine's.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

SPIN_MS = 10.0
GAP_NS = 200_000  # a gap of 0.2 ms or more between two clock readings is a pause (a loop turn takes < 1 us)


def spin(seconds: float, spin_ms: float) -> tuple[np.ndarray, float]:
    """Pause lengths (ms) seen while spinning, and the seconds spent spinning."""
    clock = time.perf_counter_ns
    pauses: list[int] = []
    spun = 0
    end = clock() + int(seconds * 1e9)
    turn = int(spin_ms * 1e6)
    while clock() < end:
        start = last = clock()
        stop = start + turn
        while last < stop:
            now = clock()
            if now - last >= GAP_NS:
                pauses.append(now - last)
            last = now
        spun += last - start
        time.sleep(spin_ms / 1000.0)
    return np.array(pauses, dtype=float) / 1e6, spun / 1e9


def steal_s(core: int) -> float:
    """The core's stolen seconds since boot (/proc/stat)."""
    for line in Path("/proc/stat").read_text().splitlines():
        if line.startswith(f"cpu{core} "):
            return int(line.split()[8]) / os.sysconf("SC_CLK_TCK")
    return 0.0


def measure(core: int, seconds: float, spin_ms: float) -> dict:
    """Run the spinner pinned to `core` as real-time and summarise what it saw."""
    stolen_before, started = steal_s(core), time.monotonic()
    out = subprocess.run(["chrt", "-f", "10", "taskset", "-c", str(core), sys.executable, "-m", "benchmarks.fidelity.hiccups",
                          "--child", "--seconds", str(seconds), "--spin-ms", str(spin_ms)],
                         check=True, capture_output=True, text=True, cwd=Path(__file__).resolve().parents[2])
    wall = time.monotonic() - started
    stolen = steal_s(core) - stolen_before
    pauses = np.array(json.loads(out.stdout)["pauses_ms"])
    spun = json.loads(out.stdout)["spun_s"]
    quantiles = np.percentile(pauses, [50, 90, 99]) if len(pauses) else [0.0, 0.0, 0.0]
    return {"core": core, "seconds": round(wall, 1), "spun_s": round(spun, 2), "pauses": len(pauses),
            "pauses_per_s": round(len(pauses) / spun, 2), "lost_share": round(float(pauses.sum()) / 1000 / spun, 4),
            "p50_ms": round(float(quantiles[0]), 3), "p90_ms": round(float(quantiles[1]), 3),
            "p99_ms": round(float(quantiles[2]), 3), "max_ms": round(float(pauses.max()) if len(pauses) else 0.0, 2),
            "over_1ms_per_s": round(float(np.sum(pauses >= 1.0)) / spun, 2),
            "over_5ms_per_s": round(float(np.sum(pauses >= 5.0)) / spun, 2),
            "steal_share": round(stolen / wall, 4), "load_average": round(os.getloadavg()[0], 2),
            "pauses_ms": [round(float(p), 3) for p in pauses]}


def summary(figures: dict) -> str:
    """One core's pauses in a line."""
    return (f"core {figures['core']} over {figures['seconds']:g} s (load average {figures['load_average']}): "
            f"{figures['over_1ms_per_s']} a second of 1 ms or more, P50 / P99 / max {figures['p50_ms']:.2f} / "
            f"{figures['p99_ms']:.2f} / {figures['max_ms']:.1f} ms, {figures['lost_share']:.1%} of the time lost, "
            f"steal {figures['steal_share']:.1%}")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m benchmarks.fidelity.hiccups", description=__doc__.split("\n")[0])
    p.add_argument("--core", type=int, default=1)
    p.add_argument("--seconds", type=float, default=60.0)
    p.add_argument("--spin-ms", type=float, default=SPIN_MS)
    p.add_argument("--json", type=Path, help="write every figure and pause here")
    p.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.child:
        pauses, spun = spin(args.seconds, args.spin_ms)
        print(json.dumps({"pauses_ms": pauses.tolist(), "spun_s": spun}))
        return 0
    figures = measure(args.core, args.seconds, args.spin_ms)
    if args.json:
        args.json.write_text(json.dumps(figures))
    shown = {k: v for k, v in figures.items() if k != "pauses_ms"}
    print(" ".join(f"{k} {v}" for k, v in shown.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
