"""Start and stop the reference stack's processes on loopback, pinned to cores, by their own PIDs.

Pinning (2 cores here): the model server, whose one instance is the resource the board models,
gets core 1; Redis, the gateway and the load generator share core 0. So the model server's work
is never slowed by the generator or the gateway, as a model server replica with its own vCPU is
not in production, while the cheap hops share a core as sidecars do.

Priority: other people's work runs on both cores of this machine, and a server that waits for
the CPU behind it shows that wait as latency no board would predict. So by default (`rt`) every
process of the stack runs as real-time (SCHED_FIFO): the model server at 10, alone on its core
with one thread; on core 0 the gateway at 10, Redis at 20 and the load generator at 30
(measure.py). On one core, real-time processes of the same priority do not time-share (a busy
gateway starved Redis when both were at 10), so each of core 0's processes preempts the ones
below it, and those above it only run briefly: Redis answers a command in tens of microseconds,
the generator sends or reads one request. They block in epoll or select between requests, and
the kernel keeps 5% of every core for other work; still, at the highest levels the stack takes
most of both cores, and other work on the machine slows down while it runs. `nice` runs them at
nice -10 instead, `normal` as plain processes. Each process is started through `chrt`/`nice`
and `taskset`, which exec it, so the PID held is the server's own and stopping it stops that
process only.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import redis

from tests.processes import redis_answers

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
MODEL_CORE = "1"
PRIORITIES = {"normal": (), "nice": ("nice", "-n", "-10"), "high": ("nice", "-n", "-20"), "rt": ("chrt", "-f", "10")}
# Above the stack's own processes on core 0 when they are real-time: Redis above the gateway that
# calls it, the load generator above both, so a send is never queued behind the gateway.
REDIS_PRIORITY = {"rt": ("chrt", "-f", "20")}
GENERATOR_PRIORITY = ("chrt", "-f", "30")
SHARED_CORE = "0"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def listening(port: int) -> bool:
    """Whether any socket on this machine listens on the loopback TCP port (from /proc/net/tcp)."""
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            local, state = line.split()[1], line.split()[3]
            if state == "0A" and int(local.rsplit(":", 1)[1], 16) == port:
                return True
    return False


def process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


@dataclass
class Process:
    """One server process of the stack, pinned to `cores`."""

    name: str
    argv: list[str]
    cores: str
    port: int
    log: Path
    priority: tuple[str, ...] = ()
    env: dict[str, str] = field(default_factory=dict)
    proc: subprocess.Popen | None = None

    def start(self) -> "Process":
        # The servers import the project (the model catalog) from this checkout.
        path = os.pathsep.join(filter(None, [os.environ.get("PYTHONPATH"), str(ROOT)]))
        environment = {**os.environ, "PYTHONPATH": path, "PYTHONHASHSEED": "0", "OMP_NUM_THREADS": "1", **self.env}
        with open(self.log, "ab") as log:
            # chrt/nice and taskset each exec the next program: the PID is the server's own.
            self.proc = subprocess.Popen([*self.priority, "taskset", "-c", self.cores, *self.argv],
                                         cwd=ROOT, env=environment,
                                         stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT)
        return self

    @property
    def pid(self) -> int:
        return self.proc.pid

    def check_running(self) -> None:
        if self.proc.poll() is not None:
            raise RuntimeError(f"{self.name} exited with status {self.proc.returncode}; see {self.log}")

    def stop(self, timeout: float = 10.0) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def _wait(predicate, timeout: float, what: str, process: Process) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        process.check_running()
        if predicate():
            return
        time.sleep(0.05)
    raise TimeoutError(f"{what} within {timeout:g} s; see {process.log}")


def _http_ok(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=1) as reply:
            return reply.status == 200
    except (urllib.error.URLError, OSError):
        return False


@dataclass(frozen=True)
class ServerConfig:
    """What the model server runs: a catalog model, FIFO (max_batch 1) or with dynamic batching."""

    model: str
    max_batch: int = 1
    delay_ms: float = 0.0
    instance: str = "loop"  # or "thread": where predict runs (see modelserver.Scheduler)


class Stack:
    """Redis (the feature store and the log), a model server and, optionally, a gateway in front of it.

    A context manager: leaving it, normally or on an error, stops every process it started and
    checks that none is left and that their ports are free again (`stopped_cleanly`).
    """

    def __init__(self, workdir: Path, server: ServerConfig, *, gateway: bool, priority: str = "normal") -> None:
        self.workdir = workdir
        workdir.mkdir(parents=True, exist_ok=True)
        self.server = server
        python = sys.executable
        prefix = PRIORITIES[priority]
        redis_port, model_port = free_port(), free_port()
        self.redis_url = f"redis://127.0.0.1:{redis_port}/0"
        self.model_url = f"http://127.0.0.1:{model_port}"
        self.redis = Process("redis", ["redis-server", "--bind", "127.0.0.1", "--port", str(redis_port),
                                       "--save", "", "--appendonly", "no", "--daemonize", "no",
                                       "--loglevel", "warning"],
                             SHARED_CORE, redis_port, workdir / "redis.log", REDIS_PRIORITY.get(priority, prefix))
        self.model = Process("model server", [python, str(HERE / "modelserver.py"), "--port", str(model_port),
                                              "--model", server.model, "--max-batch", str(server.max_batch),
                                              "--delay-ms", str(server.delay_ms),
                                              "--instance", server.instance],
                             MODEL_CORE, model_port, workdir / "modelserver.log", prefix)
        self.gateway: Process | None = None
        if gateway:
            gateway_port = free_port()
            self.gateway = Process("gateway", [python, str(HERE / "gateway.py"), "--port", str(gateway_port),
                                               "--redis-url", self.redis_url, "--model-url", self.model_url],
                                   SHARED_CORE, gateway_port, workdir / "gateway.log", prefix)
        self.stopped_cleanly: bool | None = None
        self.leftovers: list[str] = []

    @property
    def processes(self) -> list[Process]:
        return [p for p in (self.redis, self.model, self.gateway) if p is not None]

    @property
    def entry_url(self) -> str:
        if self.gateway is not None:
            return f"http://127.0.0.1:{self.gateway.port}/score"
        return f"{self.model_url}/predict"

    def start(self, rows: list[list[float]], timeout: float = 120.0) -> "Stack":
        """Start everything, store the feature rows in Redis and wait until each server answers."""
        self.redis.start()
        _wait(lambda: redis_answers(self.redis_url), 10, "redis-server did not answer", self.redis)
        client = redis.Redis.from_url(self.redis_url)
        try:
            pipe = client.pipeline(transaction=False)
            for key, row in enumerate(rows):
                pipe.set(f"features:{key}", json.dumps(row, separators=(",", ":")))
            pipe.execute()
        finally:
            client.close()
        self.model.start()
        # The model server trains its model first (a few seconds).
        _wait(lambda: _http_ok(f"{self.model_url}/health"), timeout, "the model server did not answer", self.model)
        if self.gateway is not None:
            self.gateway.start()
            _wait(lambda: _http_ok(f"http://127.0.0.1:{self.gateway.port}/health"), 30,
                  "the gateway did not answer", self.gateway)
        return self

    def logged_predictions(self) -> int:
        """How many predictions the gateway has appended to the log stream."""
        client = redis.Redis.from_url(self.redis_url)
        try:
            return int(client.xlen("predictions"))
        finally:
            client.close()

    def reset_log(self) -> None:
        client = redis.Redis.from_url(self.redis_url)
        try:
            client.delete("predictions")
        finally:
            client.close()

    def stop(self) -> None:
        """Stop the gateway, the model server and Redis (in that order), then check nothing is left."""
        for process in reversed(self.processes):
            process.stop()
        deadline = time.monotonic() + 5
        while True:
            self.leftovers = [f"{p.name} (pid {p.pid})" for p in self.processes if p.proc and process_alive(p.pid)]
            self.leftovers += [f"port {p.port} of {p.name}" for p in self.processes if listening(p.port)]
            if not self.leftovers or time.monotonic() > deadline:
                break
            time.sleep(0.05)
        self.stopped_cleanly = not self.leftovers

    def __enter__(self) -> "Stack":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.stop()
