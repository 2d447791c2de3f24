"""The capacity curve: load.py's load at growing fractions of its default, for each server configuration, back to back.

For each fraction (`--scales`, default 0.1 0.2 0.3 0.5 0.75 1) and each configuration
(`--configs`, default `gunicorn:1 gunicorn:2`: gunicorn with 1 and 2 uvicorn workers;
`daphne:1` is the single Daphne process served before) it starts a fresh stack as `load.py` does
(SQLite, or `--postgres`), runs `--duration` seconds (default 30) of the default load scaled
(200 HTTP users on 50 boards and 50 WebSocket editors on 10 boards at fraction 1, in that ratio),
checks that nothing acknowledged was lost, and prints one table row per run: the P99 of reads,
saves, edit acks and relays against load.py's targets, errors, lost writes, the web server's CPU
and the machine's load average while it ran. The configurations of one fraction run one after the
other, so their ratio is measured under the same load from other work. The capacity of a
configuration is the highest fraction whose row meets every target with no error and no loss.

    .venv/bin/python benchmarks/capacity.py
    .venv/bin/python benchmarks/capacity.py --scales 0.1 0.25 --configs gunicorn:2 daphne:1 --duration 20
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time

from load import ACK_P99_TARGET_MS, READ_P99_TARGET_MS, RELAY_P99_TARGET_MS, SAVE_P99_TARGET_MS, drive, milliseconds
from stack import SERVERS, Stack, load_average

DEFAULT = {"clients": 200, "boards": 50, "editors": 50, "live_boards": 10}


def scaled(scale: float, duration: float) -> argparse.Namespace:
    counts = {name: max(1, round(value * scale)) for name, value in DEFAULT.items()}
    return argparse.Namespace(duration=duration, think=2.0, edit_interval=0.5, **counts)


def config(text: str) -> tuple[str, int]:
    server, _, processes = text.partition(":")
    if server not in SERVERS or not processes.isdigit() or int(processes) < 1:
        raise argparse.ArgumentTypeError(f"{text!r}: give SERVER:PROCESSES, SERVER one of {', '.join(SERVERS)}")
    if server == "daphne" and int(processes) != 1:
        raise argparse.ArgumentTypeError("daphne serves in one process")
    return server, int(processes)


def one_run(server: str, processes: int, load: argparse.Namespace, postgres: bool) -> dict:
    with Stack("capacity", postgres=postgres, server=server, processes=processes if server == "gunicorn" else None) as stack:
        stack.start(workers=1)
        cpu_before = stack.web_cpu_seconds()
        tally, problems, elapsed = asyncio.run(drive(stack.base_url, load))
        cpu = stack.web_cpu_seconds() - cpu_before
    p99 = {"reads": milliseconds(tally.reads, 0.99), "saves": milliseconds(tally.saves, 0.99),
           "acks": milliseconds(tally.acks, 0.99), "relays": milliseconds(tally.relays, 0.99)}
    targets = {"reads": READ_P99_TARGET_MS, "saves": SAVE_P99_TARGET_MS, "acks": ACK_P99_TARGET_MS,
               "relays": RELAY_P99_TARGET_MS}
    met = all(p99[name] < targets[name] for name in p99) and not tally.errors and not problems
    loads = tally.loads or [load_average()]
    return {"p99": p99, "errors": sum(tally.errors.values()), "lost": len(problems), "met": met,
            "cpu": cpu / elapsed, "load": (min(loads), max(loads)), "requests": len(tally.reads) + len(tally.saves),
            "acks": len(tally.acks), "elapsed": elapsed}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", type=float, nargs="+", default=[0.1, 0.2, 0.3, 0.5, 0.75, 1.0],
                        help="fractions of load.py's default load (default 0.1 0.2 0.3 0.5 0.75 1)")
    parser.add_argument("--configs", type=config, nargs="+", default=[("gunicorn", 1), ("gunicorn", 2)],
                        help="SERVER:PROCESSES (default gunicorn:1 gunicorn:2)")
    parser.add_argument("--duration", type=float, default=30, help="seconds of load per run (default 30)")
    parser.add_argument("--postgres", action="store_true", help="a private PostgreSQL instead of SQLite")
    args = parser.parse_args()
    if not all(0 < scale <= 4 for scale in args.scales) or not 5 <= args.duration <= 600:
        parser.error("scales from 0 to 4, duration from 5 to 600 s")

    print(f"targets: P99 reads < {READ_P99_TARGET_MS} ms, saves < {SAVE_P99_TARGET_MS} ms, acks < {ACK_P99_TARGET_MS} ms, "
          f"relays < {RELAY_P99_TARGET_MS} ms, no error, no lost write; {args.duration:g} s a run; "
          f"{'PostgreSQL' if args.postgres else 'SQLite'}")
    print("| fraction (users, editors) | server | P99 reads / saves / acks / relays (ms) | reads+saves, acks | errors | lost "
          "| web CPU (cores) | load average | targets |")
    print("| --- | --- | --- | --- | ---: | ---: | ---: | --- | --- |")
    capacity: dict[tuple[str, int], float] = {}
    for scale in sorted(args.scales):
        load = scaled(scale, args.duration)
        for server, processes in args.configs:
            started = time.strftime("%H:%M", time.gmtime())
            row = one_run(server, processes, load, args.postgres)
            p99 = row["p99"]
            print(f"| {scale:g} ({load.clients}, {load.editors}) | {server} x{processes} | "
                  f"{p99['reads']:,.0f} / {p99['saves']:,.0f} / {p99['acks']:,.0f} / {p99['relays']:,.0f} | "
                  f"{row['requests']}, {row['acks']} | {row['errors']} | {row['lost']} | {row['cpu']:.2f} | "
                  f"{row['load'][0]:.1f} to {row['load'][1]:.1f} ({started} UTC) | {'met' if row['met'] else 'missed'} |",
                  flush=True)
            if row["met"]:
                capacity[(server, processes)] = max(capacity.get((server, processes), 0), scale)
    for server, processes in args.configs:
        best = capacity.get((server, processes))
        print(f"capacity of {server} x{processes}: " + (f"fraction {best:g} of the default load "
              f"({round(200 * best)} users, {round(50 * best)} editors)" if best else "no fraction tried met the targets"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
