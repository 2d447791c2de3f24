"""Suite-wide fixtures: API client, sample documents, and a real Redis and Celery worker."""

from __future__ import annotations

import copy
import os

import pytest
from django.conf import settings
from rest_framework.test import APIClient

from tests.access import BoardTokenClient
from tests.processes import CeleryWorkerProcess, RedisProcess, database_url_for

SAMPLE_DOCUMENT = {
    "schema_version": 1,
    "title": "Ad click prediction",
    "requirements": {"peak_rps": 2000, "p99_ms": 50, "monthly_budget_usd": 8000},
    "traffic": {"rps": 2000, "arrival": "poisson", "duration_s": 60, "warmup_s": 5},
    "nodes": [
        {"id": "gw", "kind": "gateway", "label": "API gateway", "position": {"x": 80, "y": 120},
         "config": {"replicas": 2, "concurrency": 1, "instance": "c6i.large",
                    "service_time": {"dist": "exponential", "mean_ms": 0.5}}},
        {"id": "fs", "kind": "feature_store", "label": "Feature store", "position": {"x": 280, "y": 120},
         "config": {"replicas": 4}},
        {"id": "ms", "kind": "model_server", "label": "CTR model", "position": {"x": 480, "y": 120},
         "config": {"replicas": 8, "max_batch_size": 16, "max_batch_delay_ms": 2}},
        {"id": "log", "kind": "logging", "label": "Event log", "position": {"x": 480, "y": 280}},
    ],
    "edges": [
        {"id": "e1", "source": "gw", "target": "fs", "mode": "sync", "latency_ms": 0.5},
        {"id": "e2", "source": "fs", "target": "ms", "mode": "sync", "latency_ms": 0.5},
        {"id": "e3", "source": "ms", "target": "log", "mode": "async"},
    ],
    "notes": {"requirements": "2k QPS at peak", "data": "", "features": "", "model": "",
              "evaluation": "", "serving": "", "monitoring": ""},
}


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    """Each test starts with no writes counted against its client (the counts live in memory)."""
    from django.core.cache import caches

    caches["throttle"].clear()


@pytest.fixture
def document() -> dict:
    return copy.deepcopy(SAMPLE_DOCUMENT)


@pytest.fixture
def api() -> BoardTokenClient:
    """An API client holding the edit link of every board it touches (see tests/access.py)."""
    return BoardTokenClient()


@pytest.fixture
def anonymous_api() -> APIClient:
    """An API client with no board token and no session."""
    return APIClient()


@pytest.fixture(scope="session")
def redis_server():
    """A real redis-server on the free loopback port chosen in tests/early_env.py."""
    server = RedisProcess(os.environ["REDIS_URL"]).start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def celery_worker(redis_server, django_db_setup, django_db_blocker):
    """A real Celery worker of the project's app, reading the test database."""
    from django.db import connection

    from whiteboard.celery import app

    worker = CeleryWorkerProcess(redis_url=redis_server.url, name=f"test-{os.getpid()}",
                                 database_url=database_url_for(connection.settings_dict))
    worker.start(app)
    yield worker
    worker.stop()


@pytest.fixture
def redis_url(redis_server) -> str:
    assert settings.REDIS_URL == redis_server.url
    return redis_server.url
