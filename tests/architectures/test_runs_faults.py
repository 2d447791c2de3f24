"""Runs are never stuck: time limits end them failed, and a SIGKILLed worker's run ends failed."""

from __future__ import annotations

import os
import signal
import time

import pytest
from django.db import connection
from rest_framework.test import APIClient

from architectures.models import SimulationRun
from architectures.services import board_create
from architectures.runs import enqueue_runs
from architectures.tasks import runs_fail_stale
from tests.access import BoardTokenClient
from tests.architectures.test_runs_api import stable_board
from tests.processes import CeleryWorkerProcess, database_url_for

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.integration]


@pytest.fixture
def private_worker(redis_server, celery_worker):
    """A worker of its own, on its own queue, so it can be killed without harming other tests."""
    from whiteboard.celery import app

    name = f"private-{os.getpid()}-{time.monotonic_ns()}"
    worker = CeleryWorkerProcess(redis_url=redis_server.url, name=name,
                                 database_url=database_url_for(connection.settings_dict))
    worker.queue = name
    worker.start(app, queue=name)
    yield worker
    worker.stop()


def start_on(worker, document, requests: int) -> SimulationRun:
    board = board_create(document=stable_board(document, rps=1000))
    run = SimulationRun.objects.create(board=board, board_version=1, document=board.document, seed=3,
                                       requests=requests)
    enqueue_runs([run.id], queue=worker.queue)
    return run


def wait_status(run_id, status: str, timeout: float) -> SimulationRun:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        run = SimulationRun.objects.get(pk=run_id)
        if run.status == status:
            return run
        time.sleep(0.1)
    raise AssertionError(f"run did not become {status} within {timeout} s (it is {run.status})")


def test_run_over_its_time_limit_ends_failed_with_the_reason(private_worker, document, settings):
    settings.RUN_SOFT_TIME_LIMIT_S, settings.RUN_HARD_TIME_LIMIT_S = 2, 10
    run = start_on(private_worker, document, requests=15_000_000)
    run = wait_status(run.id, "failed", timeout=60)
    assert "longer than the 2 s limit" in run.error
    assert run.finished_at is not None and run.results is None


def test_sigkilled_worker_leaves_its_run_failed_within_the_stale_bound(private_worker, document, settings):
    settings.RUN_STALE_AFTER_S = 5
    run = start_on(private_worker, document, requests=15_000_000)
    wait_status(run.id, "running", timeout=30)
    os.killpg(private_worker.proc.pid, signal.SIGKILL)
    private_worker.proc.wait()
    killed_at = time.monotonic()
    api = BoardTokenClient()
    while (final := api.get(f"/api/runs/{run.id}/").json())["status"] == "running" \
            and time.monotonic() - killed_at < 30:
        # The beat's reaper task, run here as often as this poll so that the bound below is the
        # stale limit's (the beat sends it every 10 s; tests/architectures/test_stale_runs.py runs it there).
        runs_fail_stale.apply()
        time.sleep(0.2)
    assert final["status"] == "failed"
    assert "stopped responding" in final["error"]
    assert time.monotonic() - killed_at <= settings.RUN_STALE_AFTER_S + 5
