"""Settings helpers that read the environment and reject bad values with a clear message."""

from __future__ import annotations

import os
import re
import secrets
from pathlib import Path
from urllib.parse import urlparse

from django.core.exceptions import ImproperlyConfigured

TRUE = {"1", "true", "yes", "on"}
FALSE = {"0", "false", "no", "off", ""}


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in TRUE:
        return True
    if value in FALSE:
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean: use one of 1/0, true/false, yes/no, on/off")


def env_int(name: str, default: int, *, minimum: int = 0, maximum: int = 2**31) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not an integer") from None
    if not minimum <= value <= maximum:
        raise ImproperlyConfigured(f"{name}={value} must be from {minimum} to {maximum}")
    return value


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    items = [item.strip() for item in raw.split(",") if item.strip()]
    if not items:
        raise ImproperlyConfigured(f"{name} is set but empty: give a comma-separated list")
    return items


def env_rate(name: str, default: str) -> str:
    """A request rate like "600/min" (per s, min, hour or day); empty means no limit."""
    raw = os.environ.get(name, default).strip()
    if raw and not re.fullmatch(r"[1-9][0-9]*/(s|sec|second|m|min|minute|h|hour|d|day)", raw):
        raise ImproperlyConfigured(f"{name}={raw!r}: give a count per s, min, hour or day, like {default}, or nothing for no limit")
    return raw


def env_secret_key(var_dir: Path) -> str:
    """SECRET_KEY from the environment, else one generated once into var/secret_key."""
    raw = os.environ.get("SECRET_KEY")
    if raw is not None:
        if len(raw) < 32:
            raise ImproperlyConfigured("SECRET_KEY must be at least 32 characters long")
        return raw
    path = var_dir / "secret_key"
    if not path.exists():
        var_dir.mkdir(parents=True, exist_ok=True)
        key = secrets.token_urlsafe(50)
        # Write atomically so two processes starting together agree on one key.
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(key)
        tmp.chmod(0o600)
        try:
            os.link(tmp, path)
        except FileExistsError:
            pass
        finally:
            tmp.unlink()
    return path.read_text().strip()


def env_redis_url(default: str) -> str:
    raw = os.environ.get("REDIS_URL", default)
    parsed = urlparse(raw)
    if parsed.scheme not in ("redis", "rediss", "unix") or (parsed.scheme != "unix" and not parsed.hostname):
        raise ImproperlyConfigured(
            f"REDIS_URL={raw!r} is not a Redis URL: use redis://HOST:PORT/DB (or rediss:// or unix://)")
    try:
        parsed.port
    except ValueError:
        raise ImproperlyConfigured(f"REDIS_URL={raw!r} has an invalid port") from None
    return raw


# Database connections are kept this long by the thread that opened them. Opening and closing one
# per request was over half of a board read's CPU in the server (profiled with py-spy: SQLite's
# open, its PRAGMAs, and the WAL checkpoint of the last connection's close; a TCP connection and
# authentication on PostgreSQL). Under ASGI Django's docs advise against kept connections because
# each request runs in a new thread (a connection per thread ran PostgreSQL out of slots once,
# benchmarks/load.py --postgres); here requests and WebSocket database work run on fixed pools of
# WEB_THREADS and WEB_SOCKET_THREADS threads per process (whiteboard/pool.py), which bound them.
KEEP_CONNECTIONS_S = 600


def env_database(default_sqlite: Path) -> dict:
    """DATABASES['default'] from DATABASE_URL: sqlite:///path or postgres://user:pass@host:port/name."""
    raw = os.environ.get("DATABASE_URL")
    # The same SQLite settings wherever the file is: WAL, no fsync per commit, writers queue up front.
    sqlite_options = {"timeout": 20, "transaction_mode": "IMMEDIATE",
                      "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"}
    # Django's SQLite backend, with concurrent writers queued without sleeping (whiteboard/db/sqlite3/base.py).
    sqlite_engine = "whiteboard.db.sqlite3"
    if not raw:
        return {"ENGINE": sqlite_engine, "NAME": str(default_sqlite), "OPTIONS": sqlite_options,
                "CONN_MAX_AGE": KEEP_CONNECTIONS_S}
    parsed = urlparse(raw)
    if parsed.scheme == "sqlite":
        name = parsed.path[1:] if parsed.path.startswith("//") else parsed.path
        if not name:
            raise ImproperlyConfigured(f"DATABASE_URL={raw!r} names no file: use sqlite:////absolute/path.db")
        return {"ENGINE": sqlite_engine, "NAME": name, "OPTIONS": sqlite_options, "CONN_MAX_AGE": KEEP_CONNECTIONS_S}
    if parsed.scheme in ("postgres", "postgresql", "pgsql"):
        if not parsed.path.strip("/"):
            raise ImproperlyConfigured(f"DATABASE_URL={raw!r} names no database: postgres://USER:PASS@HOST:PORT/NAME")
        try:
            port = parsed.port
        except ValueError:
            raise ImproperlyConfigured(f"DATABASE_URL={raw!r} has an invalid port") from None
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": parsed.path.strip("/"),
            "USER": parsed.username or "",
            "PASSWORD": parsed.password or "",
            "HOST": parsed.hostname or "",
            "PORT": str(port or ""),
            "CONN_MAX_AGE": KEEP_CONNECTIONS_S,
            # A connection kept across a PostgreSQL restart is found dead and replaced, not reused.
            "CONN_HEALTH_CHECKS": True,
        }
    raise ImproperlyConfigured(
        f"DATABASE_URL scheme {parsed.scheme!r} is not supported: use sqlite:///PATH or postgres://...")
