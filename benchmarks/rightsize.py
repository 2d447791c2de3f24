"""Right-sizing on the case-study templates: configurations simulated and wall time of the replica search, in one process.

The sweep runs the same search with each round as a Celery chord of parallel runs; this times the
search itself (its runs one after another, 40,000 requests each, the sweep's default) so the figure
does not depend on how busy the workers are. Each template's cost as it stands is printed beside
the proposal's.

    .venv/bin/python benchmarks/rightsize.py [template ...]
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "whiteboard.settings")

import django  # noqa: E402

django.setup()

from architectures.replica_search import results_summary, search  # noqa: E402
from architectures.sweeps import DEFAULT_SWEEP_REQUESTS, apply_replicas, meets_slo, sizable_nodes, target_rps_of  # noqa: E402
from simulator.casestudies import _all  # noqa: E402
from simulator.runner import run  # noqa: E402

DEFAULT_TEMPLATES = ("ad_click", "search_ranking", "news_feed", "visual_search", "rag_chatbot")
REPEATS = 3
SEED = 5


def rightsize(document: dict) -> tuple[object, float, float | None]:
    nodes = list(sizable_nodes(document))
    rps, slo = target_rps_of(document), document["requirements"]["p99_ms"]

    def evaluate(batch):
        judged = []
        for replicas in batch:
            results = run(apply_replicas(document, replicas, rps), seed=SEED, requests=DEFAULT_SWEEP_REQUESTS).to_dict()
            summary = {"status": "succeeded", **results_summary(results, nodes)}
            judged.append((summary, meets_slo(summary, slo)))
        return judged

    started = time.perf_counter()
    found = search(sizable_nodes(document), evaluate)
    wall = time.perf_counter() - started
    as_is = evaluate([sizable_nodes(document)])[0][0]["monthly_usd"]
    return found, wall, as_is


def main(names: list[str]) -> None:
    templates = _all()
    run(templates[names[0]].document(), seed=SEED, requests=DEFAULT_SWEEP_REQUESTS)  # compile the fast path outside the timings
    print(f"load average {os.getloadavg()[0]:.2f}")
    print("template | components | configurations | median wall s | cost as is | proposal | proven")
    for name in names:
        document = templates[name].document()
        walls = []
        for _ in range(REPEATS):
            found, wall, as_is = rightsize(document)
            walls.append(wall)
        best = found.tried[found.best]["summary"]["monthly_usd"] if found.best else None
        proposal = f"${best:,.0f}" if best is not None else "none passes"
        print(f"{name} | {len(found.start)} | {found.evaluations} | {statistics.median(walls):.2f} | "
              f"${as_is:,.0f} | {proposal} | {found.proven}")
    print(f"load average {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main(sys.argv[1:] or list(DEFAULT_TEMPLATES))
