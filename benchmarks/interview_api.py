"""Answer times of the mock-interview API mid-session, and how far two clients' clocks drift apart.

Builds, in a throw-away SQLite database, the ad click template's board in an interview with
three curveballs played and `--runs` finished runs (real short simulations of the board), then
times GET interview/ (as candidate and interviewer), scorecard/ and replay/ through Django's
test client (in process: no network, so a browser adds its own round trip), in wall and CPU time. The clock figure:
two clients read the session one after the other and each extrapolates the interview time to
the same instant from its own answer, as the editor does; the gap between their readings is
printed (the issue asks for under a second).

    .venv/bin/python benchmarks/interview_api.py [--runs 20] [--repeat 50]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DB_DIR = tempfile.mkdtemp(prefix="interview-api-")
os.environ["DATABASE_URL"] = f"sqlite:///{DB_DIR}/bench.sqlite3"
os.environ["DJANGO_SETTINGS_MODULE"] = "whiteboard.settings"

import django  # noqa: E402
from django.conf import settings  # noqa: E402

django.setup()
# Nobody listens to the broadcasts here: an in-memory layer keeps Redis out of the figures.
settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402

import simulator  # noqa: E402
from architectures import interview  # noqa: E402
from architectures.live_edits import board_apply_ops  # noqa: E402
from architectures.models import Board, SimulationRun  # noqa: E402
from architectures.services import board_create  # noqa: E402

CARDS = ("feature_store_down", "auction_40ms", "budget_cut")


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def prepare(runs: int) -> tuple[Board, str]:
    board = board_create(case_study="ad_click")
    started = interview.session_start(board=board)
    for card in CARDS:
        interview.curveball_play(session=started.session, you=interview.INTERVIEWER, card_id=card)
    for number in range(runs):
        board_apply_ops(board_id=board.pk, ops=[{"op": "node.update", "id": "ms",
                                                 "patch": {"config": {"replicas": 3 + number % 3}}}])
        board.refresh_from_db()
        results = simulator.run(board.document, seed=number, duration_s=4).to_dict()
        now = timezone.now()
        SimulationRun.objects.create(board=board, board_version=board.version, document=board.document, seed=number,
                                     status=SimulationRun.SUCCEEDED, results=results, queued_at=now,
                                     started_at=now, finished_at=now)
    return board, started.key


def timed(client: Client, path: str, repeat: int, **headers: str) -> tuple[list[float], list[float]]:
    """Wall and CPU milliseconds of each request: on a shared machine the CPU time is the steadier figure."""
    wall, cpu = [], []
    for _ in range(repeat):
        began, began_cpu = time.perf_counter(), time.process_time()
        answer = client.get(path, **headers)
        wall.append((time.perf_counter() - began) * 1000)
        cpu.append((time.process_time() - began_cpu) * 1000)
        assert answer.status_code == 200, answer.content[:300]
    return wall, cpu


def clock_gaps(client: Client, path: str, repeat: int, **headers: str) -> list[float]:
    """Two reads one after the other, each extrapolated to one instant: the gap between them, in ms."""
    gaps = []
    for _ in range(repeat):
        readings = []
        for _ in range(2):
            answer = client.get(path, **headers).json()
            readings.append((answer["session"]["elapsed_s"], time.perf_counter()))
        instant = time.perf_counter()
        first, second = (elapsed + (instant - received) for elapsed, received in readings)
        gaps.append(abs(first - second) * 1000)
    return gaps


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=50)
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    board, key = prepare(args.runs)
    client = Client(HTTP_X_BOARD_TOKEN=board.edit_token)
    base = f"/api/boards/{board.pk}/interview/"
    print(f"load average {os.getloadavg()[0]:.2f}; {len(CARDS)} curveballs played, {args.runs} runs; "
          f"{args.repeat} requests each, in process (no network)")
    print(f"{'request':<34} {'median ms':>10} {'P95 ms':>8} {'median CPU ms':>14}")
    for label, path, headers in (("GET interview/ (candidate)", base, {}),
                                 ("GET interview/ (interviewer)", base, {"HTTP_X_INTERVIEWER_KEY": key}),
                                 ("GET scorecard/", base + "scorecard/", {}),
                                 ("GET replay/", base + "replay/", {})):
        wall, cpu = timed(client, path, args.repeat, **headers)
        print(f"{label:<34} {statistics.median(wall):>10.1f} {percentile(wall, 0.95):>8.1f} "
              f"{statistics.median(cpu):>14.1f}")
    gaps = clock_gaps(client, base, args.repeat)
    print(f"clock gap between two clients: median {statistics.median(gaps):.1f} ms, max {max(gaps):.1f} ms")


if __name__ == "__main__":
    main()
