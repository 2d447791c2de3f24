"""/healthz: 200 when the database, Redis and a Celery worker answer; 503 naming what failed."""

from __future__ import annotations

import pytest

from tests.early_env import free_port

pytestmark = [pytest.mark.django_db, pytest.mark.integration]


def test_health_is_200_when_database_redis_and_worker_answer(client, celery_worker, redis_url):
    response = client.get("/healthz")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["status"] == "ok" and body["failed"] == []
    assert all(check["ok"] for check in body["checks"].values())
    assert celery_worker.name in body["checks"]["celery"]["detail"]


def test_health_is_503_naming_redis_and_celery_when_redis_is_down(client, settings):
    settings.REDIS_URL = f"redis://127.0.0.1:{free_port()}/0"
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["failed"] == ["redis", "celery"]
    assert body["detail"] == "unavailable: redis, celery"
    assert body["checks"]["database"]["ok"] is True


def test_health_is_503_naming_celery_when_no_worker_listens(client, settings, redis_url):
    # Another Redis database number is another broker: no worker consumes from it.
    settings.REDIS_URL = redis_url.rsplit("/", 1)[0] + "/9"
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["failed"] == ["celery"]
    assert "no Celery worker answered" in body["checks"]["celery"]["detail"]
