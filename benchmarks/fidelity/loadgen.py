"""Open-loop load generator: Poisson arrivals from a seeded schedule, sent at their times whatever the answers.

    python benchmarks/fidelity/loadgen.py --url http://127.0.0.1:P/predict --bodies bodies.json \
        --rps 200 --requests 10000 --seed 1 --out result.json

The schedule (exponential gaps at `rps`, from numpy's default_rng(seed)) is drawn before the
first request, so it does not depend on how the server answers. Each request goes out on an idle
keep-alive connection of a pool opened beforehand (one request per connection at a time, HTTP/1.1
without pipelining), so a slow answer never holds back a later send; the pool grows if every
connection is busy. The client is a few lines of HTTP/1.1 over asyncio protocols rather than
aiohttp's client, so that its own cost per request stays small, and the event loop polls with
select(2), whose timeout has microsecond resolution, instead of epoll(7), which rounds every
timeout up to a whole millisecond: sends then leave within tens of microseconds of their time.

It records, per request, the scheduled time, the moment the bytes were written (send), the moment
the whole answer had been read (receive), the HTTP status and the answer's body, and reports its
own lateness (send minus scheduled) so that the generator is shown not to be the bottleneck.
Times are CLOCK_MONOTONIC seconds, the clock the servers stamp their answers with.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import resource
import selectors
import time
from typing import Any
from urllib.parse import urlparse

import numpy as np

HEADER_END = b"\r\n\r\n"
MAX_CONNECTIONS = 900  # select(2) takes descriptors below 1024; past this the stack is overloaded anyway


class _Connection(asyncio.Protocol):
    """One keep-alive connection carrying one request at a time."""

    def __init__(self, generator: "Generator") -> None:
        self.generator = generator
        self.transport: asyncio.Transport | None = None
        self.buffer = bytearray()
        self.request = -1
        self.body_start = -1
        self.length = -1

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # asyncio sets TCP_NODELAY on TCP sockets itself

    def send(self, index: int, data: bytes) -> None:
        self.request = index
        self.transport.write(data)

    def data_received(self, data: bytes) -> None:
        now = time.monotonic()
        self.buffer += data
        if self.length < 0:
            end = self.buffer.find(HEADER_END)
            if end < 0:
                return
            head = bytes(self.buffer[:end]).lower()
            marker = head.find(b"content-length:")
            stop = head.find(b"\r\n", marker)
            self.length = int(head[marker + 15:stop if stop >= 0 else len(head)])
            self.status = int(head[9:12])
            self.body_start = end + len(HEADER_END)
        if len(self.buffer) < self.body_start + self.length:
            return
        body = bytes(self.buffer[self.body_start:self.body_start + self.length])
        del self.buffer[:self.body_start + self.length]
        index, self.request, self.length = self.request, -1, -1
        self.generator.answered(self, index, now, self.status, body)

    def connection_lost(self, exc: Exception | None) -> None:
        self.generator.lost(self)


class Generator:
    """Sends a precomputed schedule of requests and keeps what happened to each."""

    def __init__(self, host: str, port: int, requests: list[bytes], offsets: np.ndarray, connections: int) -> None:
        self.host, self.port = host, port
        self.requests = requests
        self.offsets = offsets
        self.initial_connections = connections
        n = len(offsets)
        self.sent = np.full(n, np.nan)
        self.received = np.full(n, np.nan)
        self.status = np.zeros(n, dtype=np.int16)
        self.bodies: list[bytes | None] = [None] * n
        self.idle: list[_Connection] = []
        self.backlog: list[int] = []
        self.outstanding = 0
        self.max_outstanding = 0
        self.connections_opened = 0
        self.opening = 0
        self.lost_connections = 0
        self.start = 0.0
        self.done: asyncio.Future | None = None

    async def _open(self) -> None:
        loop = asyncio.get_running_loop()
        _, conn = await loop.create_connection(lambda: _Connection(self), self.host, self.port)
        self.connections_opened += 1
        self.opening = max(0, self.opening - 1)
        self._release(conn)

    def _release(self, conn: _Connection) -> None:
        if self.backlog:
            index = self.backlog.pop(0)
            self._send(conn, index)
        else:
            self.idle.append(conn)

    def _send(self, conn: _Connection, index: int) -> None:
        self.sent[index] = time.monotonic()
        conn.send(index, self.requests[index % len(self.requests)])

    def fire(self, index: int) -> None:
        """Send request `index` and every later one already due; then wait for the next one's time."""
        loop = asyncio.get_running_loop()
        n = len(self.offsets)
        while index < n:
            self.outstanding += 1
            self.max_outstanding = max(self.max_outstanding, self.outstanding)
            if self.idle:
                self._send(self.idle.pop(), index)
            else:  # every connection is busy: open one more (up to a cap), the request leaves when one is free
                self.backlog.append(index)
                if self.connections_opened + self.opening < MAX_CONNECTIONS:
                    self.opening += 1
                    loop.create_task(self._open())
            index += 1
            if index < n:
                when = self.start + self.offsets[index]
                if when > time.monotonic():
                    loop.call_at(when, self.fire, index)
                    return

    def answered(self, conn: _Connection, index: int, now: float, status: int, body: bytes) -> None:
        self.received[index] = now
        self.status[index] = status
        self.bodies[index] = body
        self.outstanding -= 1
        self._release(conn)
        if self.outstanding == 0 and not np.isnan(self.sent[-1]) and not self.done.done():
            self.done.set_result(None)

    def lost(self, conn: _Connection) -> None:
        self.lost_connections += 1
        if conn in self.idle:
            self.idle.remove(conn)

    async def run(self, timeout_s: float) -> None:
        loop = asyncio.get_running_loop()
        self.done = loop.create_future()
        await asyncio.gather(*(self._open() for _ in range(self.initial_connections)))
        # The collector stays off while requests are timed: a collection in the generator would
        # show as lateness and as latency that no server caused.
        gc.collect()
        gc.disable()
        self.start = time.monotonic() + 0.05
        loop.call_at(self.start + self.offsets[0], self.fire, 0)
        try:
            await asyncio.wait_for(self.done, self.start + self.offsets[-1] + timeout_s - time.monotonic())
        except TimeoutError:
            pass  # unanswered requests keep NaN as their receive time
        finally:
            gc.enable()
        for conn in self.idle:
            conn.transport.close()


class Saturator:
    """Closed loop for measuring capacity: each connection sends its next request as soon as it has an answer.

    Every request is recorded as in the open loop (its "scheduled" time is its send time), so the
    servers' stamps can be read back from a saturated run too.
    """

    def __init__(self, host: str, port: int, requests: list[bytes], connections: int, duration_s: float,
                 warmup_s: float) -> None:
        self.host, self.port = host, port
        self.requests = requests
        self.connections = connections
        self.duration_s, self.warmup_s = duration_s, warmup_s
        self.sent: list[float] = []
        self.received: list[float | None] = []
        self.status: list[int] = []
        self.bodies: list[bytes | None] = []
        self.end = 0.0

    def _send(self, conn: _Connection) -> None:
        index = len(self.sent)
        self.sent.append(time.monotonic())
        self.received.append(None)
        self.status.append(0)
        self.bodies.append(None)
        conn.send(index, self.requests[index % len(self.requests)])

    def answered(self, conn: _Connection, index: int, now: float, status: int, body: bytes) -> None:
        self.received[index], self.status[index], self.bodies[index] = now, status, body
        if now < self.end:
            self._send(conn)

    def lost(self, conn: _Connection) -> None:
        pass

    async def run(self) -> dict[str, Any]:
        """The record of every request, with the answers per second once the warm-up is over."""
        loop = asyncio.get_running_loop()
        conns = [(await loop.create_connection(lambda: _Connection(self), self.host, self.port))[1]
                 for _ in range(self.connections)]
        gc.collect()
        gc.disable()
        start = time.monotonic()
        self.end = start + self.warmup_s + self.duration_s
        try:
            for conn in conns:
                self._send(conn)
            await asyncio.sleep(self.end - time.monotonic() + 0.3)  # the last answers come back
        finally:
            gc.enable()
        for conn in conns:
            conn.transport.close()
        counted = [t for t, code in zip(self.received, self.status)
                   if t is not None and code == 200 and start + self.warmup_s <= t < self.end]
        return {"closed": self.connections, "duration_s": self.duration_s,
                "throughput_rps": len(counted) / self.duration_s,
                "warmup": sum(1 for t in self.sent if t < start + self.warmup_s),
                "scheduled": self.sent, "sent": self.sent, "received": self.received, "status": self.status,
                "bodies": self.bodies, "connections_opened": self.connections, "lost_connections": 0,
                "max_outstanding": self.connections}


def schedule(rps: float, requests: int, seed: int) -> np.ndarray:
    """Arrival offsets in seconds from the start: a Poisson process at `rps`, first arrival at 0."""
    gaps = np.random.default_rng(seed).exponential(1.0 / rps, requests)
    gaps[0] = 0.0
    return np.cumsum(gaps)


def http_requests(url: str, bodies: list[bytes]) -> list[bytes]:
    parts = urlparse(url)
    head = (f"POST {parts.path} HTTP/1.1\r\nHost: {parts.hostname}:{parts.port}\r\n"
            "Content-Type: application/json\r\nContent-Length: {length}\r\n\r\n")
    return [head.format(length=len(body)).encode() + body for body in bodies]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True)
    parser.add_argument("--bodies", required=True, help="JSON file: a list of request bodies (JSON values)")
    parser.add_argument("--rps", type=float, help="open loop: mean arrival rate")
    parser.add_argument("--requests", type=int, help="open loop: how many requests")
    parser.add_argument("--closed", type=int, metavar="N",
                        help="closed loop instead: N connections sending back to back (capacity)")
    parser.add_argument("--duration-s", type=float, default=5.0, help="closed loop: measured seconds")
    parser.add_argument("--warmup-s", type=float, default=1.0, help="closed loop: seconds before measuring")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--connections", type=int, default=16,
                        help="keep-alive connections opened beforehand (more are opened when all are busy)")
    parser.add_argument("--timeout-s", type=float, default=30.0, help="wait this long after the last send")
    parser.add_argument("--out", required=True)
    args = parser.parse_args(argv)
    with open(args.bodies, encoding="utf-8") as handle:
        bodies = [json.dumps(body, separators=(",", ":")).encode() for body in json.load(handle)]
    parts = urlparse(args.url)
    loop = asyncio.SelectorEventLoop(selectors.SelectSelector())
    if args.closed:
        saturator = Saturator(parts.hostname, parts.port, http_requests(args.url, bodies), args.closed,
                              args.duration_s, warmup_s=args.warmup_s)
        cpu_before = resource.getrusage(resource.RUSAGE_SELF)
        try:
            record = loop.run_until_complete(saturator.run())
        finally:
            loop.close()
        record["cpu_s"] = _cpu_s(cpu_before)
        record["bodies"] = [b.decode() if b is not None else None for b in record["bodies"]]
        with open(args.out, "w", encoding="utf-8") as handle:
            json.dump(record, handle)
        return
    if args.rps is None or args.requests is None:
        parser.error("give --rps and --requests (open loop) or --closed")
    offsets = schedule(args.rps, args.requests, args.seed)
    generator = Generator(parts.hostname, parts.port, http_requests(args.url, bodies), offsets, args.connections)
    cpu_before = resource.getrusage(resource.RUSAGE_SELF)
    try:
        loop.run_until_complete(generator.run(args.timeout_s))
    finally:
        loop.close()
    cpu_s = _cpu_s(cpu_before)
    record = {
        "rps": args.rps, "requests": args.requests, "seed": args.seed,
        "connections_opened": generator.connections_opened, "lost_connections": generator.lost_connections,
        "max_outstanding": generator.max_outstanding, "cpu_s": cpu_s,
        "scheduled": (generator.start + offsets).tolist(), "sent": _floats(generator.sent),
        "received": _floats(generator.received), "status": generator.status.tolist(),
        "bodies": [b.decode() if b is not None else None for b in generator.bodies],
    }
    with open(args.out, "w", encoding="utf-8") as handle:
        json.dump(record, handle)


def _cpu_s(before: resource.struct_rusage) -> float:
    """User plus system CPU seconds of this process since `before`."""
    after = resource.getrusage(resource.RUSAGE_SELF)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def _floats(values: np.ndarray) -> list[float | None]:
    """JSON-ready floats, None where a request never got that far."""
    return [None if np.isnan(v) else float(v) for v in values]


if __name__ == "__main__":
    main()
