"""Health checks of the parts the app needs: database, Redis and a Celery worker."""

from __future__ import annotations

import time
from typing import Any, Callable

import redis
from django.conf import settings
from django.db import connection

from whiteboard.celery import app as celery_app


def _timed(check: Callable[[], str]) -> dict[str, Any]:
    start = time.perf_counter()
    try:
        detail = check()
        ok = True
    except Exception as error:  # noqa: BLE001 - any failure of a dependency is reported, not raised
        detail, ok = f"{type(error).__name__}: {error}", False
    return {"ok": ok, "detail": detail, "ms": round((time.perf_counter() - start) * 1000, 1)}


def check_database() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return connection.vendor


def check_redis() -> str:
    timeout = settings.HEALTH_TIMEOUT_S
    client = redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=timeout, socket_timeout=timeout)
    try:
        client.ping()
        return "PONG from " + settings.REDIS_URL.split("@")[-1]
    finally:
        client.close()


def check_celery() -> str:
    # The broker URL is read at call time so the check follows the settings in force.
    with celery_app.connection_for_write(settings.REDIS_URL) as conn:
        replies = celery_app.control.ping(timeout=settings.HEALTH_TIMEOUT_S, limit=1, connection=conn)
    if not replies:
        raise RuntimeError(f"no Celery worker answered a ping within {settings.HEALTH_TIMEOUT_S} s")
    return ", ".join(sorted(name for reply in replies for name in reply))


def health_report() -> tuple[bool, dict[str, Any]]:
    checks = {"database": _timed(check_database), "redis": _timed(check_redis)}
    if checks["redis"]["ok"]:
        checks["celery"] = _timed(check_celery)
    else:
        checks["celery"] = {"ok": False, "detail": "not checked: the broker (Redis) is unreachable", "ms": 0.0}
    failed = [name for name, result in checks.items() if not result["ok"]]
    report = {"status": "ok" if not failed else "unavailable", "failed": failed, "checks": checks}
    return not failed, report
