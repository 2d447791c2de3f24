"""Load on loopback: HTTP clients reading and saving boards and WebSocket editors sending live edits, then a lost-edit check.

Starts its own stack (Redis, one Celery worker, the web server as `./scripts/run` starts it:
gunicorn with `--processes` uvicorn workers, default one per core, or `--server daphne` for the
single Daphne process served before; a fresh SQLite database migrated first, or `--postgres` for a
private PostgreSQL; `DEBUG=false`; the write rate limit off, since every client comes from
127.0.0.1) on free loopback ports and stops it at the end, on Ctrl-C or on a failure. Then, for
`--duration` seconds:

- `--clients` HTTP users (default 200) on `--boards` boards (default 50, so four users share a
  board and their saves conflict). Each user loops: read the board (GET), think, save it with the
  version it read (PUT of the whole document, changing the label of a component of its own), on
  409 read again and re-apply its change (up to 10 times), think again. Think time: uniform in
  [0.5 t, 1.5 t] with t = `--think` (default 2 s) before and after each save, so a user saves about
  every 4 s, as someone editing a form and pressing Save would; the first read of each user is
  spread over the first think time.
- `--editors` WebSocket editors (default 50) on `--live-boards` boards (default 10). Each opens
  `/ws/boards/{id}/` with the edit token, adds a component of its own and then moves it, one edit
  at a time: send an `edit`, wait for its `ack`, wait uniform [0.5 e, 1.5 e] with e =
  `--edit-interval` (default 0.5 s), as a slow drag would; the others on the board get each edit,
  and the time from sending to their receiving it is the relay latency.

Reported: P50 and P99 of reads, saves (answers 200; 409s counted apart), edit acks and relays;
every error by kind; the load average while it ran; the CPU time of the web server (all its
processes), Redis and this script. Targets (printed as met or missed): P99 under 150 ms for reads,
300 ms for saves, 150 ms for edit acks and 250 ms for relays.
No lost edits: afterwards every board is read through the API, and each user's component must
carry the label of its last acknowledged save, each editor's the position of its last acknowledged
edit, and each board's version must have gone up once per acknowledged save or edit.
Exits 1 on any error or lost edit (missed latency targets are printed, not fatal).

    .venv/bin/python benchmarks/load.py                                  # 200 clients, 50 editors, 60 s
    .venv/bin/python benchmarks/load.py --duration 10 --clients 20 --editors 10 --boards 5 --live-boards 2
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Awaitable, Callable

import aiohttp

from stack import SERVERS, Stack, child_pids, cpu_seconds, create_board, example_document, load_average, percentile

READ_P99_TARGET_MS = 150
SAVE_P99_TARGET_MS = 300
ACK_P99_TARGET_MS = 150
RELAY_P99_TARGET_MS = 250
MAX_CONFLICT_RETRIES = 10
ACK_TIMEOUT_S = 30


@dataclass
class Tally:
    deadline: float
    reads: list[float] = field(default_factory=list)
    saves: list[float] = field(default_factory=list)
    saved_at: list[float] = field(default_factory=list)  # wall-clock time of each acknowledged save
    conflicts: int = 0
    acks: list[float] = field(default_factory=list)
    relays: list[float] = field(default_factory=list)
    errors: Counter = field(default_factory=Counter)
    sent_at: dict[str, float] = field(default_factory=dict)
    loads: list[float] = field(default_factory=list)
    # With `reconnect` (a server stopped on purpose): sockets the server closed, each reopened, and
    # requests and edits cut off by the stop, counted apart from errors (the lost-write check
    # still covers them: an edit cut off may or may not be stored).
    reconnect: bool = False
    reconnects: list[float] = field(default_factory=list)  # seconds from the close to the next hello
    interrupted: Counter = field(default_factory=Counter)

    def failed(self, kind: str, interrupted: bool = False) -> None:
        (self.interrupted if interrupted and self.reconnect else self.errors)[kind] += 1


@dataclass
class Outcome:
    """What one client had acknowledged at the end: the state its own component must be in."""

    board_id: str
    node_id: str
    acked: int = 0  # number of the last write the server acknowledged (its label or position says it)
    count: int = 0  # writes acknowledged (each moved the board's version up by one)
    unsure: bool = False  # a write whose answer never came (it may or may not be stored)


def pause(rng: random.Random, mean: float) -> float:
    return rng.uniform(0.5 * mean, 1.5 * mean)


async def read_board(session: aiohttp.ClientSession, base: str, board: dict, tally: Tally) -> dict | None:
    started = time.perf_counter()
    try:
        async with session.get(f"{base}/api/boards/{board['id']}/", headers={"X-Board-Token": board["edit_token"]}) as answer:
            body = await answer.read()
    except (aiohttp.ClientError, asyncio.TimeoutError) as error:
        tally.failed(f"read: {type(error).__name__}", interrupted=True)
        return None
    tally.reads.append(time.perf_counter() - started)
    if answer.status != 200:
        tally.failed(f"read: HTTP {answer.status}", interrupted=answer.status in (502, 503))
        return None
    return json.loads(body)


def with_label(document: dict, node_id: str, label: str, slot: int) -> dict:
    """The document with this user's own component (added the first time) carrying `label`."""
    for node in document["nodes"]:
        if node["id"] == node_id:
            node["label"] = label
            return document
    document["nodes"].append({"id": node_id, "kind": "cache", "label": label,
                              "position": {"x": 40 + (slot % 10) * 120, "y": 700 + (slot // 10) * 80}})
    return document


async def save_board(session: aiohttp.ClientSession, base: str, board: dict, current: dict, tally: Tally,
                     node_id: str, label: str, slot: int) -> str:
    """PUT the board read as `current` with this user's change; "saved", "conflict", "refused" or "unknown"."""
    body = {"version": current["version"], "document": with_label(current["document"], node_id, label, slot)}
    started = time.perf_counter()
    try:
        async with session.put(f"{base}/api/boards/{board['id']}/", json=body,
                               headers={"X-Board-Token": board["edit_token"]}) as answer:
            await answer.read()
    except (aiohttp.ClientError, asyncio.TimeoutError) as error:
        tally.failed(f"save: {type(error).__name__}", interrupted=True)
        return "unknown"
    elapsed = time.perf_counter() - started
    if answer.status == 200:
        tally.saves.append(elapsed)
        tally.saved_at.append(time.time())
        return "saved"
    if answer.status == 409:
        tally.conflicts += 1
        return "conflict"
    tally.failed(f"save: HTTP {answer.status}", interrupted=answer.status in (502, 503))
    return "unknown" if answer.status >= 500 else "refused"


async def http_user(slot: int, board: dict, session: aiohttp.ClientSession, base: str, tally: Tally,
                    think: float) -> Outcome:
    rng = random.Random(slot)
    outcome = Outcome(board["id"], f"load-user-{slot}")
    await asyncio.sleep(rng.uniform(0, think))
    while time.monotonic() < tally.deadline:
        current = await read_board(session, base, board, tally)
        if current is None:
            await asyncio.sleep(1)
            continue
        await asyncio.sleep(pause(rng, think))
        label = f"user {slot} save {outcome.acked + 1}"
        for _ in range(MAX_CONFLICT_RETRIES):
            result = await save_board(session, base, board, current, tally, outcome.node_id, label, slot)
            if result == "saved":
                outcome.acked += 1
                outcome.count += 1
            elif result == "conflict":
                current = await read_board(session, base, board, tally)  # someone saved first: re-read, re-apply
                if current is not None:
                    continue
            outcome.unsure |= result == "unknown"
            break
        else:
            tally.errors["save: still conflicting after 10 re-reads"] += 1
        await asyncio.sleep(pause(rng, think))
    return outcome


async def ws_reader(ws: aiohttp.ClientWebSocketResponse, pending: dict[str, asyncio.Future], tally: Tally) -> None:
    async for message in ws:
        if message.type != aiohttp.WSMsgType.TEXT:
            continue
        data = json.loads(message.data)
        kind, edit_id = data.get("type"), data.get("id")
        if kind in ("ack", "error") and edit_id in pending:
            pending.pop(edit_id).set_result(data)
        elif kind == "edit" and edit_id in tally.sent_at:
            tally.relays.append(time.perf_counter() - tally.sent_at[edit_id])
        elif kind == "error":
            tally.errors[f"ws: {data.get('code')}"] += 1
    for future in pending.values():
        if not future.done():
            future.set_exception(ConnectionError(f"the WebSocket closed (code {ws.close_code})"))


def edit_op(node_id: str, step: int, first: bool, slot: int) -> dict:
    """The editor's `step`-th edit: add its component (`first`), then move it to x = 100 + step."""
    position = {"x": 100 + step, "y": 1200 + slot * 40}
    if first:
        return {"op": "node.add", "node": {"id": node_id, "kind": "cache", "label": f"editor {slot}", "position": position}}
    return {"op": "node.update", "id": node_id, "patch": {"position": position}}


async def ws_editor(slot: int, board: dict, session: aiohttp.ClientSession, ws_base: str, tally: Tally,
                    interval: float) -> Outcome:
    rng = random.Random(10_000 + slot)
    outcome = Outcome(board["id"], f"live-editor-{slot}")
    state = {"step": 0, "added": False, "closed_at": None}
    await asyncio.sleep(rng.uniform(0, interval))
    while time.monotonic() < tally.deadline:
        if not await ws_session(slot, board, session, ws_base, tally, interval, rng, outcome, state):
            break
        if not tally.reconnect:
            break
        state["closed_at"] = time.perf_counter()
        await asyncio.sleep(rng.uniform(0.05, 0.5))  # as the editor page does: a moment, then again
    return outcome


async def ws_session(slot: int, board: dict, session: aiohttp.ClientSession, ws_base: str, tally: Tally,
                     interval: float, rng: random.Random, outcome: Outcome, state: dict) -> bool:
    """One WebSocket connection's edits; True when the server closed it before the deadline."""
    pending: dict[str, asyncio.Future] = {}
    try:
        ws = await session.ws_connect(f"{ws_base}/ws/boards/{board['id']}/", protocols=("board", f"token.{board['edit_token']}"),
                                      heartbeat=None, max_msg_size=0, origin=ws_base.replace("ws://", "http://"))
    except (aiohttp.ClientError, asyncio.TimeoutError) as error:
        tally.failed(f"ws connect: {type(error).__name__}", interrupted=state["closed_at"] is not None)
        return True
    async with ws:
        try:
            hello = json.loads((await ws.receive(timeout=30)).data)
        except (TypeError, ValueError, asyncio.TimeoutError):
            hello = {}
        if hello.get("type") != "hello":
            tally.failed("ws: no hello", interrupted=state["closed_at"] is not None)
            return True
        if state["closed_at"] is not None:
            tally.reconnects.append(time.perf_counter() - state["closed_at"])
            state["closed_at"] = None
        reader = asyncio.create_task(ws_reader(ws, pending, tally))
        while time.monotonic() < tally.deadline and not ws.closed:
            state["step"] += 1
            step = state["step"]
            edit_id = f"{outcome.node_id}-{step}"
            future = pending[edit_id] = asyncio.get_running_loop().create_future()
            tally.sent_at[edit_id] = sent = time.perf_counter()
            try:
                await ws.send_json({"type": "edit", "id": edit_id, "ops": [edit_op(outcome.node_id, step, not state["added"], slot)]})
                reply = await asyncio.wait_for(future, ACK_TIMEOUT_S)
            except (asyncio.TimeoutError, ConnectionError, aiohttp.ClientError) as error:
                tally.failed(f"ws edit: {type(error).__name__}", interrupted=ws.closed)
                outcome.unsure = True
                break
            if reply["type"] == "ack":
                tally.acks.append(time.perf_counter() - sent)
                outcome.acked = step
                outcome.count += 1
                state["added"] = True
            elif not state["added"] and outcome.unsure and "already on the board" in json.dumps(reply.get("errors")):
                state["added"] = True  # the add cut off by a stop was stored after all
            else:
                tally.errors[f"ws edit refused: {reply.get('code')}: {reply.get('detail')}"] += 1
            await asyncio.sleep(pause(rng, interval))
        reader.cancel()
    return time.monotonic() < tally.deadline


def check_board(board: dict | None, outcomes: list[Outcome], live: bool) -> list[str]:
    """Every acknowledged write of these clients is in the stored board; the reasons it is not, if any."""
    if board is None:
        return ["the board could not be read back"]
    problems = []
    nodes = {node["id"]: node for node in board["document"]["nodes"]}
    for outcome in outcomes:
        node = nodes.get(outcome.node_id)
        if outcome.acked == 0:
            continue
        if node is None:
            problems.append(f"{outcome.node_id}: acknowledged {outcome.acked} times but missing")
            continue
        if live:
            stored = node["position"]["x"] - 100  # the step of the last stored edit
        else:
            stored = int(node["label"].rsplit(" ", 1)[1])
        if stored < outcome.acked or (stored > outcome.acked and not outcome.unsure):
            problems.append(f"{outcome.node_id}: stored state of write {stored}, last acknowledged {outcome.acked}")
    expected = 1 + sum(outcome.count for outcome in outcomes)
    unsure = any(outcome.unsure for outcome in outcomes)
    if board["version"] < expected or (board["version"] > expected and not unsure):
        problems.append(f"version {board['version']}, expected {expected} (1 + acknowledged writes)")
    return problems


async def sample_load(tally: Tally) -> None:
    while True:
        tally.loads.append(load_average())
        await asyncio.sleep(2)


def milliseconds(values: list[float], q: float) -> float:
    return percentile(values, q) * 1000


async def drive(base: str, args: argparse.Namespace, *, reconnect: bool = False,
                during: Callable[[], Awaitable[None]] | None = None) -> tuple[Tally, list[str], float]:
    """The load on the server at `base`, then the lost-write check; `during` runs beside the load."""
    ws_base = base.replace("http://", "ws://")
    timeout = aiohttp.ClientTimeout(total=30)
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0), timeout=timeout) as session:
        document = example_document()
        boards = [await create_board(session, base, document) for _ in range(args.boards)]
        live_boards = [await create_board(session, base, document) for _ in range(args.live_boards)]
        tally = Tally(deadline=time.monotonic() + args.duration, reconnect=reconnect)
        sampler = asyncio.create_task(sample_load(tally))
        beside = asyncio.create_task(during()) if during else None
        users = [http_user(slot, boards[slot % len(boards)], session, base, tally, args.think)
                 for slot in range(args.clients)]
        editors = [ws_editor(slot, live_boards[slot % len(live_boards)], session, ws_base, tally, args.edit_interval)
                   for slot in range(args.editors)]
        started = time.monotonic()
        # Every client stops starting new work at the deadline; this bounds how long the rest may take.
        outcomes = await asyncio.wait_for(asyncio.gather(*users, *editors), args.duration + 3 * args.think + 60)
        elapsed = time.monotonic() - started
        sampler.cancel()
        if beside:
            await beside
        problems = []
        for group, live in ((boards, False), (live_boards, True)):
            for board in group:
                stored = await read_board(session, base, board, Tally(deadline=0))
                mine = [outcome for outcome in outcomes if outcome.board_id == board["id"]]
                problems += [f"board {board['id']}: {problem}" for problem in check_board(stored, mine, live)]
        saves = sum(outcome.count for outcome in outcomes[:args.clients])
        edits = sum(outcome.count for outcome in outcomes[args.clients:])
        print(f"checked {len(boards) + len(live_boards)} boards: {saves} acknowledged saves and {edits} "
              f"acknowledged live edits, {len(problems)} lost or wrong")
        return tally, problems, elapsed


def report(tally: Tally, problems: list[str], elapsed: float, cpu: dict[str, float], args: argparse.Namespace) -> int:
    """Print the figures; 1 on any error or lost write (a missed latency target is printed, not fatal)."""
    def line(name: str, values: list[float], target: float | None = None) -> str:
        p99 = milliseconds(values, 0.99)
        verdict = "" if target is None else f"  (target P99 < {target} ms: {'met' if p99 < target else 'MISSED'})"
        return (f"{name:<22} {len(values):>7}  {len(values) / elapsed:>7.1f}/s  P50 {milliseconds(values, 0.5):>7.1f} ms"
                f"  P99 {p99:>7.1f} ms{verdict}")

    print(f"\n{args.clients} HTTP users on {args.boards} boards (think {args.think:g} s), {args.editors} WebSocket "
          f"editors on {args.live_boards} boards (an edit every {args.edit_interval:g} s), {elapsed:.1f} s")
    print(line("reads (GET)", tally.reads, READ_P99_TARGET_MS))
    print(line("saves (PUT, 200)", tally.saves, SAVE_P99_TARGET_MS))
    print(f"{'save conflicts (409)':<22} {tally.conflicts:>7}  (each re-read and saved again)")
    print(line("edit acks (WebSocket)", tally.acks, ACK_P99_TARGET_MS))
    print(line("edit relays to others", tally.relays, RELAY_P99_TARGET_MS))
    print(f"errors: {sum(tally.errors.values())}" + "".join(f"\n  {count:>6}  {kind}" for kind, count in tally.errors.most_common()))
    if tally.reconnect:
        print(f"cut off by the server stop: {sum(tally.interrupted.values())}"
              + "".join(f"\n  {count:>6}  {kind}" for kind, count in tally.interrupted.most_common()))
        if tally.reconnects:
            print(f"sockets reopened: {len(tally.reconnects)}, from the close to the next hello P50 "
                  f"{milliseconds(tally.reconnects, 0.5):.0f} ms, max {max(tally.reconnects) * 1000:.0f} ms")
    print(f"lost or wrong writes: {len(problems)}" + "".join(f"\n  {problem}" for problem in problems[:20]))
    if tally.loads:
        print(f"load average (1 min) while it ran: {min(tally.loads):.2f} to {max(tally.loads):.2f}, "
              f"mean {sum(tally.loads) / len(tally.loads):.2f}; 2 cores")
    print("CPU used during the load: " + ", ".join(f"{name} {seconds:.1f} s ({seconds / elapsed:.0%} of a core)"
                                                    for name, seconds in cpu.items()))
    return 1 if tally.errors or problems else 0


def add_load_arguments(parser: argparse.ArgumentParser) -> None:
    """The options that shape the load (also used by instances.py)."""
    parser.add_argument("--duration", type=float, default=60, help="seconds of load (default 60)")
    parser.add_argument("--clients", type=int, default=200, help="HTTP users reading and saving (default 200)")
    parser.add_argument("--boards", type=int, default=50, help="boards the HTTP users share (default 50)")
    parser.add_argument("--think", type=float, default=2.0, help="mean think time in seconds (default 2)")
    parser.add_argument("--editors", type=int, default=50, help="WebSocket editors (default 50)")
    parser.add_argument("--live-boards", type=int, default=10, help="boards the editors share (default 10)")
    parser.add_argument("--edit-interval", type=float, default=0.5, help="mean seconds between edits (default 0.5)")


def check_load_arguments(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    if min(args.clients, args.boards, args.editors, args.live_boards) < 1 or args.duration <= 0 or args.duration > 3600:
        parser.error("counts must be at least 1 and the duration from 0 to 3600 s")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_load_arguments(parser)
    parser.add_argument("--postgres", action="store_true", help="a private PostgreSQL instead of SQLite")
    parser.add_argument("--server", choices=SERVERS, default="gunicorn", help="the web server (default gunicorn, as ./scripts/run)")
    parser.add_argument("--processes", type=int, default=None, help="web server processes (default: one per core)")
    args = parser.parse_args()
    check_load_arguments(parser, args)

    print(f"load average before: {load_average():.2f}; starting Redis, a Celery worker and the web server...", flush=True)
    with Stack("load", postgres=args.postgres, server=args.server, processes=args.processes) as stack:
        stack.start(workers=1)
        processes = len(child_pids(stack.web.proc.pid)) if args.server == "gunicorn" else 1
        print(f"serving {stack.base_url} ({args.server}, {processes} process(es), "
              f"{'PostgreSQL' if args.postgres else 'SQLite'}); load for {args.duration:g} s...", flush=True)
        meters = {f"web server ({processes} process(es))": stack.web_cpu_seconds,
                  "Redis": lambda: cpu_seconds(stack.redis.proc.pid)}
        before = {name: meter() for name, meter in meters.items()}
        own = time.process_time()
        tally, problems, elapsed = asyncio.run(drive(stack.base_url, args))
        cpu = {name: meter() - before[name] for name, meter in meters.items()}
        cpu["this script"] = time.process_time() - own
        stack.keep_files = bool(tally.errors or problems)
    return report(tally, problems, elapsed, cpu, args)


if __name__ == "__main__":
    sys.exit(main())
