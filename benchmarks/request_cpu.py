"""The web server's CPU per request: reads, saves and live edits, one kind at a time, on one server process.

Starts Redis and one web server process (`--server gunicorn`: one uvicorn worker under gunicorn
as `./scripts/run` starts it; `daphne`: the single Daphne process served before) on a fresh SQLite
database, then for `--seconds` (default 15) keeps `--clients` (default 10) clients busy with one
kind of request, each waiting for its answer before sending the next (a closed loop):

- `read`: GET of a board (the example board, 4 components); one board per client.
- `save`: PUT of that board's whole document with the version it holds; one board per client, so
  no save conflicts.
- `edit`: a live edit over the WebSocket (move one component), waiting for its ack; five editors
  per board, so each edit is also relayed to four others, as in load.py.

Prints the rate, P50/P99 and the server's CPU seconds per request (user + system of all its
processes, over the requests answered), with the load average. `--root` serves another checkout of
the project instead of this one (a `git worktree` of an older commit), with this checkout's
virtualenv, so a before/after pair runs back to back (an older commit has no gunicorn
configuration: compare both under `--server daphne`):

    .venv/bin/python benchmarks/request_cpu.py read save edit
    git worktree add /tmp/before <commit>
    .venv/bin/python benchmarks/request_cpu.py --server daphne --root /tmp/before read save edit
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import aiohttp

from stack import ROOT, create_board, example_document, group_cpu_seconds, load_average, percentile
from tests.early_env import free_port
from tests.processes import RedisProcess, WebServerProcess

EDITORS_PER_BOARD = 5


async def reader(session: aiohttp.ClientSession, base: str, board: dict, until: float, times: list[float]) -> None:
    headers = {"X-Board-Token": board["edit_token"]}
    while time.monotonic() < until:
        started = time.perf_counter()
        async with session.get(f"{base}/api/boards/{board['id']}/", headers=headers) as answer:
            await answer.read()
            assert answer.status == 200, answer.status
        times.append(time.perf_counter() - started)


async def saver(session: aiohttp.ClientSession, base: str, board: dict, until: float, times: list[float]) -> None:
    headers = {"X-Board-Token": board["edit_token"]}
    version, document = board["version"], board["document"]
    while time.monotonic() < until:
        document["nodes"][0]["label"] = f"save {version}"
        started = time.perf_counter()
        async with session.put(f"{base}/api/boards/{board['id']}/", headers=headers,
                               json={"version": version, "document": document}) as answer:
            body = await answer.json()
            assert answer.status == 200, body
        times.append(time.perf_counter() - started)
        version = body["version"]


async def editor(session: aiohttp.ClientSession, base: str, board: dict, slot: int, until: float,
                 times: list[float]) -> None:
    ws = await session.ws_connect(f"{base.replace('http', 'ws')}/ws/boards/{board['id']}/", origin=base,
                                  protocols=("board", f"token.{board['edit_token']}"))
    await ws.receive_json()
    node_id, step = board["document"]["nodes"][slot % len(board["document"]["nodes"])]["id"], 0
    while time.monotonic() < until:
        step += 1
        edit_id = f"{slot}-{step}"
        started = time.perf_counter()
        await ws.send_json({"type": "edit", "id": edit_id, "ops": [
            {"op": "node.update", "id": node_id, "patch": {"position": {"x": step, "y": slot}}}]})
        while True:
            message = await ws.receive_json()
            if message.get("id") == edit_id and message.get("type") in ("ack", "error"):
                break
        assert message["type"] == "ack", message
        times.append(time.perf_counter() - started)
    await ws.close()


async def measure(kind: str, server: WebServerProcess, args: argparse.Namespace) -> str:
    base = server.url
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as session:
        count = args.clients if kind != "edit" else -(-args.clients // EDITORS_PER_BOARD)
        boards = [await create_board(session, base, example_document()) for _ in range(count)]
        until = time.monotonic() + args.seconds
        times: list[float] = []
        if kind == "read":
            clients = [reader(session, base, board, until, times) for board in boards]
        elif kind == "save":
            clients = [saver(session, base, board, until, times) for board in boards]
        else:
            clients = [editor(session, base, boards[slot // EDITORS_PER_BOARD], slot, until, times)
                       for slot in range(args.clients)]
        load_before, cpu_before, started = load_average(), group_cpu_seconds(server.proc.pid), time.monotonic()
        await asyncio.gather(*clients)
        elapsed, cpu = time.monotonic() - started, group_cpu_seconds(server.proc.pid) - cpu_before
    return (f"{kind:<5} {len(times) / elapsed:7.1f}/s  P50 {percentile(times, 0.5) * 1000:6.1f} ms  "
            f"P99 {percentile(times, 0.99) * 1000:6.1f} ms  server CPU {cpu / max(1, len(times)) * 1000:5.2f} ms a request  "
            f"(load average {load_before:.2f} to {load_average():.2f})")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("kinds", nargs="+", choices=("read", "save", "edit"))
    parser.add_argument("--server", choices=WebServerProcess.KINDS, default="gunicorn")
    parser.add_argument("--clients", type=int, default=10, help="concurrent clients (default 10)")
    parser.add_argument("--seconds", type=float, default=15, help="seconds per kind (default 15)")
    parser.add_argument("--root", type=Path, default=ROOT, help="the checkout to serve (default this one)")
    args = parser.parse_args()
    if not 1 <= args.clients <= 500 or not 1 <= args.seconds <= 600:
        parser.error("--clients from 1 to 500, --seconds from 1 to 600")
    folder = Path(tempfile.mkdtemp(prefix="whiteboard-request-cpu-"))
    redis = RedisProcess(f"redis://127.0.0.1:{free_port()}/0").start()
    env = {"DATABASE_URL": f"sqlite:///{folder}/db.sqlite3", "REDIS_URL": redis.url, "DEBUG": "false",
           "WRITE_RATE_LIMIT": "", "WEB_ACCESS_LOG": "false", "PYTHONPATH": str(args.root)}
    server = WebServerProcess(port=free_port(), env=env, kind=args.server, processes=1, log=folder / "web.log",
                              root=args.root)
    try:
        subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v0"], cwd=args.root,
                       env={**os.environ, **env}, check=True)
        server.start()
        print(f"{args.server}, 1 process, serving {args.root}; {args.clients} clients, {args.seconds:g} s a kind")
        for kind in args.kinds:
            print(asyncio.run(measure(kind, server, args)), flush=True)
    finally:
        server.stop()
        redis.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
