"""Time to draw a 50-node board (every component kind, realistic edges) as a PNG on the server.

Renders through architectures.export.png.render_png, the function the export.png endpoint calls
(child process, private folder, time limit included), N times after one warm-up render, and
prints the median and P95 wall time and the picture's size.

    .venv/bin/python benchmarks/export_png.py [--runs 10] [--nodes 50]
"""

from __future__ import annotations

import argparse
import statistics
import struct
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from architectures.export.png import render_png  # noqa: E402
from architectures.export.samples import every_kind_board  # noqa: E402
from simulator.validation import check_document  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--nodes", type=int, default=50)
    args = parser.parse_args()
    board = every_kind_board(args.nodes, title=f"{args.nodes}-node board")
    check_document(board)
    png = render_png(board)  # warm-up: the first render reads icons and Python modules from disk
    timings = []
    for _ in range(args.runs):
        start = time.perf_counter()
        png = render_png(board)
        timings.append((time.perf_counter() - start) * 1000)
    timings.sort()
    p95 = timings[min(len(timings) - 1, round(0.95 * (len(timings) - 1)))]
    width, height = struct.unpack(">II", png[16:24])
    print(f"{len(board['nodes'])} nodes, {len(board['edges'])} edges, {args.runs} renders: "
          f"median {statistics.median(timings):.0f} ms, P95 {p95:.0f} ms, "
          f"PNG {width}x{height} px, {len(png) / 1024:.0f} KiB")


if __name__ == "__main__":
    main()
