"""Real Redis and Celery worker processes for integration tests, on loopback."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
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
