"""Time from POST /api/boards/{id}/runs/ to the results stored and broadcast, with a warm worker.

Starts its own Redis and Celery worker on free loopback ports and a throw-away SQLite database,
runs an example board N times (default 20 runs of 100,000 requests) and prints the median and
P95 of the end-to-end time, next to the time the simulator alone takes in this process.

    .venv/bin/python benchmarks/run_latency.py [--runs 20] [--requests 100000] [--board simulator/examples/reference_chain.json]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.early_env import free_port  # noqa: E402

DB_DIR = tempfile.mkdtemp(prefix="run-latency-")
os.environ["DATABASE_URL"] = f"sqlite:///{DB_DIR}/bench.sqlite3"
os.environ["REDIS_URL"] = f"redis://127.0.0.1:{free_port()}/0"
os.environ["DJANGO_SETTINGS_MODULE"] = "whiteboard.settings"
os.environ["MAX_ACTIVE_RUNS_PER_CLIENT"] = "1000"

import django  # noqa: E402

django.setup()

from asgiref.sync import sync_to_async  # noqa: E402
from channels.layers import get_channel_layer  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402

import simulator  # noqa: E402
from architectures.broadcast import board_group  # noqa: E402
from architectures.models import SimulationRun  # noqa: E402
from architectures.services import board_create  # noqa: E402
from tests.processes import CeleryWorkerProcess, RedisProcess  # noqa: E402
from whiteboard.celery import app  # noqa: E402


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


async def one_run(client: Client, board_id: str, requests: int, seed: int) -> float:
    layer = get_channel_layer()
    channel = await layer.new_channel()
    await layer.group_add(board_group(board_id), channel)
    started = time.perf_counter()
    response = await sync_to_async(client.post)(f"/api/boards/{board_id}/runs/",
                                                json.dumps({"requests": requests, "seed": seed}),
                                                content_type="application/json")
    run_id = response.json()["id"]
    while True:
        message = await asyncio.wait_for(layer.receive(channel), timeout=300)
        payload = message["payload"]
        if payload["type"] == "run.finished" and payload["run"]["id"] == run_id:
            break
    elapsed = time.perf_counter() - started
    await layer.group_discard(board_group(board_id), channel)
    run = await sync_to_async(SimulationRun.objects.get)(pk=run_id)
    assert run.status == "succeeded" and run.results, run.error
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--requests", type=int, default=100_000)
    parser.add_argument("--board", default=str(ROOT / "simulator/examples/reference_chain.json"))
    args = parser.parse_args()

    call_command("migrate", verbosity=0)
    document = json.loads(Path(args.board).read_text())
    redis = RedisProcess(os.environ["REDIS_URL"]).start()
    worker = CeleryWorkerProcess(redis_url=redis.url, database_url=os.environ["DATABASE_URL"], name="bench")
    try:
        worker.start(app)
        board = board_create(document=document)
        client = Client(headers={"X-Board-Token": board.edit_token})  # the board's edit link
        asyncio.run(one_run(client, str(board.pk), args.requests, seed=0))  # warm the worker
        times = [asyncio.run(one_run(client, str(board.pk), args.requests, seed=i + 1)) for i in range(args.runs)]
        alone = []
        for i in range(5):
            start = time.perf_counter()
            simulator.run(document, seed=i + 1, requests=args.requests)
            alone.append(time.perf_counter() - start)
    finally:
        worker.stop()
        redis.stop()
    print(f"board {Path(args.board).name}, {args.requests:,} requests per run, {args.runs} runs, warm worker")
    print(f"POST -> results stored and broadcast: median {statistics.median(times) * 1000:.0f} ms, "
          f"P95 {percentile(times, 0.95) * 1000:.0f} ms, min {min(times) * 1000:.0f} ms, max {max(times) * 1000:.0f} ms")
    print(f"simulator.run alone (same process, 5 runs): median {statistics.median(alone) * 1000:.0f} ms")
    print(f"overhead of queueing, saving and broadcasting: about "
          f"{(statistics.median(times) - statistics.median(alone)) * 1000:.0f} ms")


if __name__ == "__main__":
    main()
