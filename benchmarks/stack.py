"""A private copy of the whole app for the load and fault scripts: Redis, Celery workers and the web server on loopback.

Everything lives in a fresh temporary folder (SQLite database, Redis append-only file, logs) on
free loopback ports, or on a private PostgreSQL started by `scripts/postgres`. `Stack` is a
context manager: leaving it, normally, on Ctrl-C or on an error, stops every process it started.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.early_env import free_port  # noqa: E402
from tests.processes import CeleryWorkerProcess, RedisProcess, WebServerProcess, child_pids  # noqa: E402


def cpu_seconds(pid: int) -> float:
    """User plus system CPU time of a process so far (Linux /proc)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def group_cpu_seconds(pid: int) -> float:
    """CPU time so far of a process and its live children (a gunicorn master and its workers)."""
    return cpu_seconds(pid) + sum(cpu_seconds(child) for child in child_pids(pid))


def stop_group(proc: subprocess.Popen | None, *, sig: int = signal.SIGTERM, timeout: float = 15) -> None:
    """Stop a process started in a session of its own, with everything it forked."""
    if proc is None or proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, sig)
        proc.wait(timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    except ProcessLookupError:
        pass


SERVERS = WebServerProcess.KINDS


class Stack:
    """Redis, Celery workers and the web server of this checkout, with a database of their own."""

    def __init__(self, name: str, *, env: dict[str, str] | None = None, postgres: bool = False,
                 server: str = "gunicorn", processes: int | None = None):
        self.dir = Path(tempfile.mkdtemp(prefix=f"whiteboard-{name}-"))
        self.redis = RedisProcess(f"redis://127.0.0.1:{free_port()}/0", data_dir=self.dir / "redis")
        self.postgres_dir: str | None = None
        if postgres:
            database_url = f"postgres://postgres@127.0.0.1:{free_port()}/whiteboard_{name}"
        else:
            database_url = f"sqlite:///{self.dir}/db.sqlite3"  # three slashes and an absolute path
        self.database_url = database_url
        self.port = free_port()
        self.env = {
            **os.environ, "DATABASE_URL": database_url, "REDIS_URL": self.redis.url,
            "DJANGO_SETTINGS_MODULE": "whiteboard.settings",
            # As in production: DEBUG would also keep every SQL query in memory.
            "DEBUG": "false",
            # Hundreds of clients come from one address here; the limit would refuse them.
            "WRITE_RATE_LIMIT": "",
            **(env or {}),
        }
        # The Celery app of this process (worker pings) must reach this stack's Redis.
        os.environ.update({key: self.env[key] for key in ("DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE")})
        self.workers: list[CeleryWorkerProcess] = []
        self.server_kind, self.processes = server, processes
        self.web = self._web_server()
        self._worker_count = 0
        self.keep_files = False  # set when a check failed: the logs say why

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, *, workers: int = 1, beat: bool = False, web: bool = True) -> "Stack":
        """Database, Redis, `workers` Celery workers and (unless not `web`) the web server."""
        if self.database_url.startswith("postgres"):
            self.postgres_dir = subprocess.run(["bash", "scripts/postgres", "start"], cwd=ROOT, env=self.env,
                                               check=True, capture_output=True, text=True).stdout.strip() or None
        subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, env=self.env, check=True)
        self.redis.start()
        for index in range(workers):
            self.start_worker(beat=beat and index == 0)
        if web:
            self.web.start()
        return self

    def _web_server(self) -> WebServerProcess:
        return WebServerProcess(port=self.port, env=self.env, log=self.dir / "web.log", kind=self.server_kind,
                                processes=self.processes)

    def web_cpu_seconds(self) -> float:
        """CPU time so far of the web server's processes (a gunicorn master and its workers)."""
        return group_cpu_seconds(self.web.proc.pid) if self.web.proc else 0.0

    def start_worker(self, *, beat: bool = False) -> CeleryWorkerProcess:
        from whiteboard.celery import app

        # The worker's ping goes through the app's producer pool, bound to the broker the app used
        # first: a script that starts one stack after another (capacity.py) would ping the
        # previous stack's stopped Redis, retrying for ever. Point the app at this stack's Redis.
        if app.conf.broker_url != self.redis.url:
            app.conf.broker_url = self.redis.url
            app._pool = None
            app.amqp._producer_pool = None
        self._worker_count += 1
        worker = CeleryWorkerProcess(
            redis_url=self.redis.url, database_url=self.database_url,
            name=f"{self.dir.name}-w{self._worker_count}", extra_env=self.env,
            beat_schedule=self.dir / "celerybeat-schedule" if beat else None)
        self.workers.append(worker)  # before it answers, so an interrupted start is stopped too
        return worker.start(app)

    def kill_worker(self, worker: CeleryWorkerProcess) -> None:
        """SIGKILL the worker and its pool processes at once, as an out-of-memory kill would."""
        stop_group(worker.proc, sig=signal.SIGKILL)
        self.workers.remove(worker)

    def restart_redis(self, down_s: float) -> float:
        """Stop Redis, wait `down_s`, start it again on the same port and folder; returns the time it was down."""
        stopped = time.monotonic()
        self.redis.stop()
        time.sleep(down_s)
        self.redis.start()
        return time.monotonic() - stopped

    def restart_web(self) -> float:
        """Stop the web server (SIGTERM, as a deploy would) and start it again; returns the time it was away."""
        stopped = time.monotonic()
        self.web.stop()
        self.web = self._web_server()
        self.web.start()
        return time.monotonic() - stopped

    def stop(self) -> None:
        self.web.stop()
        for worker in self.workers:
            worker.stop()
        self.redis.stop()
        if self.postgres_dir:
            subprocess.run(["bash", "scripts/postgres", "stop", self.postgres_dir], cwd=ROOT, env=self.env,
                           capture_output=True)
            shutil.rmtree(self.postgres_dir, ignore_errors=True)
        if self.keep_files:
            print(f"logs and database kept in {self.dir} (Celery logs in {ROOT}/var/test-logs)", file=sys.stderr)
        else:
            shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self) -> "Stack":
        # SIGTERM (a CI timeout, kill) unwinds like Ctrl-C, so the processes are stopped too; Ctrl-C
        # interrupts even when the shell started this in the background with SIGINT ignored.
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
        signal.signal(signal.SIGINT, signal.default_int_handler)
        return self

    def __exit__(self, exc_type, exc, traceback) -> None:
        self.keep_files |= exc_type is not None and issubclass(exc_type, Exception)  # not on Ctrl-C or SIGTERM
        self.stop()


def load_average() -> float:
    return os.getloadavg()[0]


def percentile(values: list[float], q: float) -> float:
    """The nearest-rank percentile (q from 0 to 1) of `values`; NaN when there are none."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def example_document(name: str = "ad_click") -> dict:
    import json

    return json.loads((ROOT / "simulator" / "examples" / f"{name}.json").read_text())


async def create_board(session, base_url: str, document: dict) -> dict:
    """POST /api/boards/ with an aiohttp session; the answer carries `id` and `edit_token`."""
    async with session.post(f"{base_url}/api/boards/", json={"document": document}) as response:
        if response.status != 201:
            raise RuntimeError(f"creating a board answered {response.status}: {await response.text()}")
        return await response.json()
