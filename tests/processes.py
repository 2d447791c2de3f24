"""Real Redis and Celery worker processes for integration tests, on loopback."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlparse

import redis

ROOT = Path(__file__).resolve().parent.parent
LOG_DIR = ROOT / "var" / "test-logs"


def wait_until(predicate, timeout: float, what: str, interval: float = 0.1) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(interval)
    raise TimeoutError(f"{what} within {timeout} s")


def redis_answers(url: str) -> bool:
    client = redis.Redis.from_url(url, socket_connect_timeout=0.5, socket_timeout=0.5)
    try:
        return bool(client.ping())
    except redis.RedisError:
        return False
    finally:
        client.close()


class RedisProcess:
    """A throw-away redis-server bound to 127.0.0.1 at the port of `url`.

    With `data_dir` it keeps an append-only file there, as `./scripts/run` does, so a restart
    on the same folder finds the queued messages again.
    """

    def __init__(self, url: str, data_dir: Path | None = None):
        self.url = url
        self.port = urlparse(url).port
        self.data_dir = data_dir
        self.proc: subprocess.Popen | None = None

    def start(self) -> "RedisProcess":
        LOG_DIR.mkdir(parents=True, exist_ok=True)
        persistence = ["--appendonly", "no"]
        if self.data_dir:
            self.data_dir.mkdir(parents=True, exist_ok=True)
            persistence = ["--dir", str(self.data_dir), "--appendonly", "yes", "--appendfsync", "everysec"]
        self.proc = subprocess.Popen(
            ["redis-server", "--bind", "127.0.0.1", "--port", str(self.port), "--save", "",
             *persistence, "--daemonize", "no", "--loglevel", "warning"],
            stdout=open(LOG_DIR / f"redis-{self.port}.log", "ab"), stderr=subprocess.STDOUT)
        wait_until(lambda: redis_answers(self.url), 10, f"redis-server did not answer on port {self.port}")
        return self

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


class CeleryWorkerProcess:
    """A real `celery worker` of the project's app, in its own process group."""

    def __init__(self, *, redis_url: str, database_url: str, name: str, concurrency: int = 1,
                 extra_env: dict[str, str] | None = None, beat_schedule: Path | None = None):
        self.redis_url = redis_url
        # With a schedule file, the worker also runs the beat (the stale-run reaper) embedded.
        self.beat_schedule = beat_schedule
        self.database_url = database_url
        self.name = name
        self.concurrency = concurrency
        self.extra_env = extra_env or {}
        self.proc: subprocess.Popen | None = None

    def start(self, celery_app, timeout: float = 60, queue: str | None = None) -> "CeleryWorkerProcess":
        LOG_DIR.mkdir(parents=True, exist_ok=True)
        env = {**os.environ, "REDIS_URL": self.redis_url, "DATABASE_URL": self.database_url,
               "DJANGO_SETTINGS_MODULE": "whiteboard.settings", **self.extra_env}
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "whiteboard", "worker", "--pool=prefork",
             f"--concurrency={self.concurrency}", "--without-gossip", "--without-mingle",
             "--loglevel=INFO", "-n", f"{self.name}@%h", *(["-Q", queue] if queue else []),
             *(["--beat", "-s", str(self.beat_schedule)] if self.beat_schedule else [])],
            cwd=ROOT, env=env, start_new_session=True,
            stdout=open(LOG_DIR / f"celery-{self.name}.log", "ab"), stderr=subprocess.STDOUT)
        wait_until(lambda: self.answers(celery_app) or self._died(), timeout,
                   f"celery worker {self.name} did not answer a ping")
        if self.proc.poll() is not None:
            raise RuntimeError(f"celery worker exited with {self.proc.returncode}; see {LOG_DIR}")
        return self

    def _died(self) -> bool:
        return self.proc is not None and self.proc.poll() is not None

    def answers(self, celery_app) -> bool:
        with celery_app.connection_for_write(self.redis_url) as conn:
            replies = celery_app.control.ping(timeout=0.5, connection=conn) or []
        return any(name.startswith(f"{self.name}@") for reply in replies for name in reply)

    def stop(self) -> None:
        if not self.proc or self.proc.poll() is not None:
            return
        try:
            os.killpg(self.proc.pid, signal.SIGTERM)
            self.proc.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()
        except ProcessLookupError:
            pass


def child_pids(pid: int) -> list[int]:
    """The live children of a process (a gunicorn master's workers), from Linux /proc."""
    try:
        return [int(child) for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def http_answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2):
            return True
    except urllib.error.HTTPError:
        return True
    except OSError:
        return False


class WebServerProcess:
    """The web tier on 127.0.0.1:`port`, in a process group of its own.

    `gunicorn` is how `./scripts/run` serves (gunicorn with uvicorn workers, configured by
    whiteboard/gunicorn.conf.py from the environment: WEB_PROCESSES and the rest); `daphne` is the
    single Daphne process served before, kept for comparisons.
    """

    KINDS = ("gunicorn", "daphne")

    def __init__(self, *, port: int, env: dict[str, str], log: Path, kind: str = "gunicorn",
                 processes: int | None = None, root: Path = ROOT):
        if kind not in self.KINDS:
            raise ValueError(f"server must be one of {self.KINDS}")
        self.port, self.env, self.log, self.kind, self.processes = port, env, log, kind, processes
        self.root = root  # the checkout served (benchmarks compare another commit's)
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def command(self) -> list[str]:
        if self.kind == "daphne":
            return [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(self.port), "whiteboard.asgi:application"]
        return [sys.executable, "-m", "gunicorn", "-c", str(self.root / "whiteboard" / "gunicorn.conf.py"),
                "whiteboard.asgi:application"]

    def start(self, timeout: float = 60) -> "WebServerProcess":
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": "whiteboard.settings", **self.env,
               "HOST": "127.0.0.1", "PORT": str(self.port)}
        if self.processes:
            env["WEB_PROCESSES"] = str(self.processes)
        self.log.parent.mkdir(parents=True, exist_ok=True)
        self.proc = subprocess.Popen(self.command(), cwd=self.root, env=env, start_new_session=True,
                                     stdout=open(self.log, "ab"), stderr=subprocess.STDOUT)
        probe = f"{self.url}/api/component-kinds/"
        wait_until(lambda: http_answers(probe) or self.proc.poll() is not None, timeout, f"{self.kind} did not answer")
        if self.proc.poll() is not None:
            raise RuntimeError(f"{self.kind} exited with {self.proc.returncode}; see {self.log}")
        if self.kind == "gunicorn":
            # Every worker, not only the first to boot, should be serving before anyone counts on it.
            wait_until(lambda: len(child_pids(self.proc.pid)) >= (self.processes or 1), timeout, "gunicorn's workers")
        return self

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 20) -> None:
        """Stop the server with everything it forked (SIGTERM: gunicorn's graceful stop)."""
        if self.proc is None or self.proc.poll() is not None:
            return
        try:
            os.killpg(self.proc.pid, sig)
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()
        except ProcessLookupError:
            pass


def database_url_for(settings_dict: dict) -> str:
    """The DATABASE_URL that reaches the database a test run uses (the test database)."""
    if settings_dict["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{settings_dict['NAME']}"
    user = settings_dict.get("USER") or ""
    password = settings_dict.get("PASSWORD") or ""
    auth = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    host = settings_dict.get("HOST") or "127.0.0.1"
    port = f":{settings_dict['PORT']}" if settings_dict.get("PORT") else ""
    return f"postgres://{auth}{host}{port}/{settings_dict['NAME']}"
