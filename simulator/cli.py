"""Command line: `python -m simulator run board.json [--seed S] [--requests N | --duration S] [--json]`."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Sequence

from simulator.cost import summary_lines
from simulator.results import Results
from simulator.runner import run
from simulator.casestudies import CaseStudyError, case_study_document
from simulator.validation import BoardValidationError
from simulator.errors import SimulationError


def summary(results: Results) -> str:
    """A readable account of a run for a terminal."""
    lat, req = results.latency_ms, results.requests
    lines = [
        f"engine {results.run['engine']}, seed {results.run['seed']}, "
        f"{results.run['measured_s']:.1f} s measured after {results.run['warmup_s']:.1f} s warm-up",
        f"requests  arrived {req.arrived}, completed {req.completed}, dropped {req.dropped} "
        f"(queue full {results.drops['queue_full']}, timeout {results.drops['timeout']}), in flight {req.in_flight}",
        f"throughput {results.throughput_rps:.1f} req/s",
        f"latency ms  mean {lat.mean:.2f}  p50 {lat.p50:.2f}  p90 {lat.p90:.2f}  p95 {lat.p95:.2f}  "
        f"p99 {lat.p99:.2f} [{lat.p99_ci95[0]:.2f}, {lat.p99_ci95[1]:.2f}]  p99.9 {lat.p999:.2f}  max {lat.max:.2f}",
        "",
        f"{'node':<20} {'util':>6} {'queue':>8} {'wait ms':>9} {'p99 wait':>9} {'req/s':>9} {'dropped':>8}",
    ]
    for node_id, s in results.nodes.items():
        lines.append(f"{node_id:<20} {s.utilization:>6.1%} {s.mean_queue_length:>8.2f} {s.mean_wait_ms:>9.2f} "
                     f"{s.p99_wait_ms:>9.2f} {s.throughput_rps:>9.1f} {s.dropped:>8}")
    if results.bottleneck:
        lines += ["", f"{results.bottleneck['verdict']}: {results.bottleneck['node']}: {results.bottleneck['reason']}"]
    for name, verdict in results.slo.items():
        lines.append(f"slo {name}: target {verdict['target']}, actual {verdict['actual']:.2f}: "
                     f"{'PASS' if verdict['passed'] else 'FAIL'}")
    lines += [f"warning: {w['message']}" for w in results.warnings]
    lines += ["", *summary_lines(results)]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m simulator", description="Simulate a board document.")
    commands = parser.add_subparsers(dest="command", required=True)
    run_parser = commands.add_parser("run", help="run a board and print its results")
    run_parser.add_argument("board", help="path to a board document (JSON)")
    run_parser.add_argument("--seed", type=int, default=0)
    bound = run_parser.add_mutually_exclusive_group()
    bound.add_argument("--requests", type=int, help="number of requests to simulate")
    bound.add_argument("--duration", type=float, help="simulated seconds of traffic")
    run_parser.add_argument("--json", action="store_true", help="print the results as JSON")
    args = parser.parse_args(argv)
    try:
        with open(args.board, encoding="utf-8") as handle:
            document = json.load(handle)
        if isinstance(document, dict) and "board" in document and "nodes" not in document:
            document = case_study_document(document)  # a case-study template file wraps its board
        results = run(document, seed=args.seed, requests=args.requests, duration_s=args.duration)
    except (OSError, json.JSONDecodeError, BoardValidationError, SimulationError, CaseStudyError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(json.dumps(results.to_dict(), indent=2) if args.json else summary(results))
    return 0
