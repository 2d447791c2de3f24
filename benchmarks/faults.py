"""Faults under load: SIGKILL a Celery worker, restart Redis, restart the web server while runs and saves go on; nothing may be lost.

Starts its own stack on free loopback ports (as `load.py`: a fresh SQLite database or `--postgres`,
`DEBUG=false`, no write rate limit) with two Celery worker processes of one pool process each,
the first with the embedded beat (the stale-run reaper, every 10 s), Redis with its append-only
file as `./scripts/run` starts it, and the web server as `./scripts/run` starts it
(gunicorn with uvicorn workers, `--processes` of them, default one per core; `--server daphne` for
the single Daphne process served before). Settings lowered for the test, so that a fault's
consequences show within a phase: `RUN_STALE_AFTER_S=10` (default 30: a run whose worker went
silent this long is failed by the reaper) and `MAX_ACTIVE_RUNS_PER_CLIENT=1000` (every request
comes from 127.0.0.1).

Steady load for 4 phases of `--phase` seconds (default 30): `--max-active` runs (default 4) of
`--requests` simulated requests each (default 200,000) kept queued or running, a new one posted
as soon as one finishes, each watched through `GET /api/runs/{id}/` every 0.5 s; and `--savers`
HTTP users (default 8, on 4 boards) reading and saving as in `load.py` with a 0.5 s think time.
At the end of phase 1 the pool process of a worker that is running a run is SIGKILLed with its
parent (a replacement worker is started); at the end of phase 2 Redis is stopped, left down for
`--redis-down` seconds (default 5) and started again on the same port and data; at the end of
phase 3 the web server is stopped (SIGTERM) and started again. After phase 4 the load stops and the script waits
(at most `--drain` seconds, default 120) until every run has ended.

Reported: for each fault, how long the part was down and the time from the fault to the first
acknowledged save and to the first run that finished after it; the runs that ended failed, with
their reasons; runs that were started more than once (a re-delivered message taken over);
requests that failed during the outages. Checked, exit 1 otherwise: every acknowledged save is in
the stored boards (as in `load.py`), every run the API accepted exists and has ended, and every run
seen succeeded is still succeeded with the same results.

    .venv/bin/python benchmarks/faults.py                 # 4 phases of 30 s
    .venv/bin/python benchmarks/faults.py --phase 15      # quicker
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import socket
import sys
import time
from dataclasses import dataclass, field
from datetime import datetime

import aiohttp

from load import Tally, check_board, http_user, read_board, sample_load
from stack import SERVERS, Stack, create_board, example_document, load_average

ACTIVE = ("queued", "running")
SAVER_THINK_S = 0.5


@dataclass
class WatchedRun:
    id: str
    board: dict
    posted_at: float
    status: str = "queued"
    error: str = ""
    starts: set[str] = field(default_factory=set)  # every started_at seen: more than one means run again
    digest: str = ""  # of the results, when seen succeeded
    finished_at: float | None = None  # when it succeeded
    ended_at: float | None = None  # when it reached any final status


def epoch(moment: str | None) -> float | None:
    return datetime.fromisoformat(moment).timestamp() if moment else None


def digest(results: dict | None) -> str:
    return hashlib.sha256(json.dumps(results, sort_keys=True).encode()).hexdigest() if results else ""


async def get_run(session: aiohttp.ClientSession, base: str, run: WatchedRun) -> tuple[int, dict | None]:
    try:
        async with session.get(f"{base}/api/runs/{run.id}/", headers={"X-Board-Token": run.board["edit_token"]}) as answer:
            return answer.status, (await answer.json(content_type=None) if answer.status == 200 else None)
    except (aiohttp.ClientError, asyncio.TimeoutError, ValueError):
        return 0, None


def observe(run: WatchedRun, data: dict) -> None:
    run.status, run.error = data["status"], data["error"] or ""
    if data["started_at"]:
        run.starts.add(data["started_at"])
    if run.status not in ACTIVE and run.ended_at is None:
        run.ended_at = epoch(data["finished_at"])
    if run.status == "succeeded" and not run.digest:
        run.digest, run.finished_at = digest(data["results"]), epoch(data["finished_at"])


async def submit_runs(session: aiohttp.ClientSession, base: str, boards: list[dict], runs: dict[str, WatchedRun],
                      tally: Tally, args: argparse.Namespace) -> None:
    count = 0
    while time.monotonic() < tally.deadline:
        if sum(run.status in ACTIVE for run in runs.values()) < args.max_active:
            board = boards[count % len(boards)]
            count += 1
            try:
                async with session.post(f"{base}/api/boards/{board['id']}/runs/", json={"requests": args.requests, "seed": count},
                                        headers={"X-Board-Token": board["edit_token"]}) as answer:
                    body = await answer.json(content_type=None)
            except (aiohttp.ClientError, asyncio.TimeoutError, ValueError) as error:
                tally.errors[f"run start: {type(error).__name__}"] += 1
                await asyncio.sleep(0.5)
                continue
            if answer.status == 202:
                runs[body["id"]] = WatchedRun(body["id"], board, time.time(), status=body["status"])
            else:
                tally.errors[f"run start: HTTP {answer.status}"] += 1
        await asyncio.sleep(0.2)


async def watch_runs(session: aiohttp.ClientSession, base: str, runs: dict[str, WatchedRun], done: asyncio.Event) -> None:
    while not (done.is_set() and all(run.status not in ACTIVE for run in runs.values())):
        for run in [run for run in runs.values() if run.status in ACTIVE]:
            status, data = await get_run(session, base, run)
            if data:
                observe(run, data)
        await asyncio.sleep(0.5)


def busy_runs(stack: Stack, worker) -> list[str]:
    """Ids of the runs this worker is executing now (Celery's remote control, through Redis)."""
    from whiteboard.celery import app

    with app.connection_for_write(stack.redis.url) as connection:
        active = app.control.inspect(destination=[f"{worker.name}@{socket.gethostname()}"], timeout=1.0,
                                     connection=connection).active() or {}
    return [task["id"] for tasks in active.values() for task in tasks]


def kill_busy_worker(stack: Stack) -> dict:
    """SIGKILL a worker (not the one with the beat) while it runs a run; start a replacement."""
    worker = stack.workers[-1]
    deadline = time.monotonic() + 30
    killed: list[str] = []
    while time.monotonic() < deadline and not killed:
        killed = busy_runs(stack, worker)
    at = time.time()
    stack.kill_worker(worker)
    stack.start_worker()
    return {"fault": "SIGKILL a Celery worker (and its pool process) running a run", "at": at,
            "down_s": time.time() - at, "down_what": "replacement worker answering", "killed_runs": killed}


def restart_redis(stack: Stack, down_s: float) -> dict:
    at = time.time()
    return {"fault": f"stop Redis, {down_s:g} s down, start it again", "at": at, "down_s": stack.restart_redis(down_s),
            "down_what": "Redis down"}


def restart_web(stack: Stack) -> dict:
    at = time.time()
    return {"fault": f"stop the web server ({stack.server_kind}, SIGTERM) and start it again", "at": at,
            "down_s": stack.restart_web(), "down_what": "web server not answering"}


def first_after(moments: list[float], at: float) -> str:
    later = [moment - at for moment in moments if moment >= at]
    return f"{min(later):.1f} s" if later else "never"


def between(moments: list[float], start: float, end: float) -> int:
    return sum(start <= moment < end for moment in moments)


async def drive(stack: Stack, args: argparse.Namespace) -> tuple[list[dict], dict[str, WatchedRun], Tally, list[str], float]:
    base = stack.base_url
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0), timeout=aiohttp.ClientTimeout(total=30)) as session:
        boards = [await create_board(session, base, example_document()) for _ in range(4)]
        # The load goes on until a phase after the last fault (restarts take their own time, on a busy machine long).
        tally = Tally(deadline=time.monotonic() + 24 * 3600)
        runs: dict[str, WatchedRun] = {}
        done = asyncio.Event()
        started = time.time()
        sampler = asyncio.create_task(sample_load(tally))
        savers = [asyncio.create_task(http_user(slot, boards[slot % len(boards)], session, base, tally, SAVER_THINK_S))
                  for slot in range(args.savers)]
        submitter = asyncio.create_task(submit_runs(session, base, boards, runs, tally, args))
        watcher = asyncio.create_task(watch_runs(session, base, runs, done))
        faults = []
        for action in (kill_busy_worker, lambda s: restart_redis(s, args.redis_down), restart_web):
            await asyncio.sleep(args.phase)
            fault = await asyncio.to_thread(action, stack)
            print(f"{fault['at'] - started:6.1f} s  {fault['fault']}: {fault['down_what']} {fault['down_s']:.1f} s", flush=True)
            faults.append(fault)
        tally.deadline = time.monotonic() + args.phase
        await asyncio.sleep(args.phase)
        outcomes = await asyncio.gather(*savers)
        await submitter
        sampler.cancel()
        done.set()
        print(f"load stopped; waiting up to {args.drain:g} s for {sum(r.status in ACTIVE for r in runs.values())} "
              "runs still queued or running...", flush=True)
        try:
            await asyncio.wait_for(watcher, args.drain)
        except asyncio.TimeoutError:
            pass
        problems = []
        for board in boards:
            stored = await read_board(session, base, board, Tally(deadline=0))
            mine = [outcome for outcome in outcomes if outcome.board_id == board["id"]]
            problems += [f"board {board['id']}: {problem}" for problem in check_board(stored, mine, live=False)]
        for run in runs.values():
            status, data = await get_run(session, base, run)
            if data is None:
                problems.append(f"run {run.id}: accepted but now answers {status}")
            elif data["status"] in ACTIVE:
                problems.append(f"run {run.id}: still {data['status']} {args.drain:g} s after the load")
            elif run.digest and (data["status"] != "succeeded" or digest(data["results"]) != run.digest):
                problems.append(f"run {run.id}: was succeeded, now {data['status']} with other results")
            else:
                observe(run, data)
        print(f"checked {len(boards)} boards ({sum(o.count for o in outcomes)} acknowledged saves) and {len(runs)} runs")
        return faults, runs, tally, problems, started


def report(faults: list[dict], runs: dict[str, WatchedRun], tally: Tally, problems: list[str], started: float,
           args: argparse.Namespace) -> int:
    loads = tally.loads
    finishes = [run.finished_at for run in runs.values() if run.finished_at]
    print(f"\n{args.savers} users saving (think {SAVER_THINK_S} s), up to {args.max_active} runs of {args.requests:,} "
          f"requests in flight, 2 workers, phases of {args.phase:g} s")
    print("| fault | at | down | while down: saves, runs finished | back: first save after | back: first run finished after |")
    print("| --- | ---: | --- | ---: | ---: | ---: |")
    for fault in faults:
        back = fault["at"] + fault["down_s"]
        print(f"| {fault['fault']} | {fault['at'] - started:.1f} s | {fault['down_s']:.1f} s ({fault['down_what']}) | "
              f"{between(tally.saved_at, fault['at'], back)}, {between(finishes, fault['at'], back)} | "
              f"{first_after(tally.saved_at, back)} | {first_after(finishes, back)} |")
    statuses: dict[str, int] = {}
    for run in runs.values():
        statuses[run.status] = statuses.get(run.status, 0) + 1
    print(f"runs: {len(runs)} accepted; " + ", ".join(f"{count} {status}" for status, count in sorted(statuses.items())))
    for fault in faults:
        for run_id in fault.get("killed_runs", []):
            run = runs.get(run_id)
            if run:
                after = f"{run.ended_at - fault['at']:.1f} s after the kill" if run.ended_at else "never ended"
                print(f"  run on the killed worker {run_id}: {run.status} {after}: {run.error or 'no error'}")
    for run in sorted(runs.values(), key=lambda run: run.posted_at):
        if run.status == "failed":
            print(f"  failed, posted at {run.posted_at - started:.1f} s: {run.error}")
    rerun = [run for run in runs.values() if len(run.starts) > 1]
    print(f"runs started more than once (message delivered again and taken over): {len(rerun)}")
    print(f"saves: {len(tally.saved_at)} acknowledged, {tally.conflicts} conflicts (409) re-read and saved again")
    print(f"failed requests (during the outages): {sum(tally.errors.values())}"
          + "".join(f"\n  {count:>6}  {kind}" for kind, count in tally.errors.most_common()))
    print(f"lost or changed: {len(problems)}" + "".join(f"\n  {problem}" for problem in problems[:30]))
    if loads:
        print(f"load average (1 min) while it ran: {min(loads):.2f} to {max(loads):.2f}, mean {sum(loads) / len(loads):.2f}; 2 cores")
    return 1 if problems else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--phase", type=float, default=30, help="seconds of load before each fault and after the last (default 30)")
    parser.add_argument("--requests", type=int, default=200_000, help="simulated requests per run (default 200000)")
    parser.add_argument("--max-active", type=int, default=4, help="runs kept queued or running (default 4)")
    parser.add_argument("--savers", type=int, default=8, help="HTTP users saving boards (default 8)")
    parser.add_argument("--redis-down", type=float, default=5, help="seconds Redis stays down (default 5)")
    parser.add_argument("--drain", type=float, default=120, help="seconds to wait for runs after the load (default 120)")
    parser.add_argument("--postgres", action="store_true", help="a private PostgreSQL instead of SQLite")
    parser.add_argument("--server", choices=SERVERS, default="gunicorn", help="the web server (default gunicorn, as ./scripts/run)")
    parser.add_argument("--processes", type=int, default=None, help="web server processes (default: one per core)")
    args = parser.parse_args()
    if not 5 <= args.phase <= 600 or min(args.max_active, args.savers) < 1:
        parser.error("--phase from 5 to 600 s, counts at least 1")

    print(f"load average before: {load_average():.2f}; starting Redis, 2 Celery workers and the web server...", flush=True)
    env = {"RUN_STALE_AFTER_S": "10", "MAX_ACTIVE_RUNS_PER_CLIENT": "1000"}
    with Stack("faults", env=env, postgres=args.postgres, server=args.server, processes=args.processes) as stack:
        stack.start(workers=2, beat=True)
        print(f"serving {stack.base_url}; 4 phases of {args.phase:g} s...", flush=True)
        faults, runs, tally, problems, started = asyncio.run(drive(stack, args))
        stack.keep_files = bool(problems)
    return report(faults, runs, tally, problems, started, args)


if __name__ == "__main__":
    sys.exit(main())
