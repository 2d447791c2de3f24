"""Stale runs are failed by the beat and by a worker coming back, never by a read: a GET changes nothing."""

from __future__ import annotations

import os
import signal
import time
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from architectures.models import SimulationRun, Sweep
from architectures.runs import enqueue_runs, runs_fail_stale
from architectures.services import board_create
from tests.access import BoardTokenClient
from tests.architectures.test_runs_api import stable_board
from tests.processes import CeleryWorkerProcess, database_url_for

WRITES = ("INSERT", "UPDATE", "DELETE")


def stale_runs(board, settings) -> tuple[SimulationRun, SimulationRun]:
    """A run whose worker went silent and a run no worker picked up, both past their limits."""
    now = timezone.now()
    silent = SimulationRun.objects.create(
        board=board, board_version=1, document=board.document, seed=1, requests=1000, status=SimulationRun.RUNNING,
        started_at=now - timedelta(minutes=5), heartbeat_at=now - timedelta(seconds=settings.RUN_STALE_AFTER_S + 60))
    unclaimed = SimulationRun.objects.create(
        board=board, board_version=1, document=board.document, seed=2, requests=1000,
        queued_at=now - timedelta(seconds=settings.RUN_QUEUE_TIMEOUT_S + 60))
    return silent, unclaimed


def writes_in(queries: CaptureQueriesContext) -> list[str]:
    return [query["sql"] for query in queries.captured_queries if query["sql"].lstrip().upper().startswith(WRITES)]


@pytest.mark.django_db
def test_get_endpoints_write_nothing_even_with_stale_runs_on_the_board(api, document, settings):
    board = board_create(document=stable_board(document))
    silent, unclaimed = stale_runs(board, settings)
    sweep = Sweep.objects.create(board=board, kind=Sweep.LOAD_CURVE, params={"levels": [100]})
    paths = [f"/api/runs/{silent.id}/", f"/api/runs/{unclaimed.id}/", f"/api/boards/{board.pk}/runs/",
             f"/api/sweeps/{sweep.id}/", f"/api/boards/{board.pk}/", f"/api/boards/{board.pk}/versions/",
             f"/api/boards/{board.pk}/versions/1/", f"/api/boards/{board.pk}/export.json",
             f"/api/boards/{board.pk}/export.py", f"/api/boards/{board.pk}/report.md"]
    for path in paths:
        with CaptureQueriesContext(connection) as queries:
            response = api.get(path)
        assert response.status_code == 200, (path, response.content[:200])
        assert writes_in(queries) == [], path
    # What a reader sees is what is stored: the reaper, not the read, fails these runs.
    assert api.get(f"/api/runs/{silent.id}/").json()["status"] == "running"
    assert api.get(f"/api/runs/{unclaimed.id}/").json()["status"] == "queued"


@pytest.mark.django_db
def test_reaper_fails_silent_and_unclaimed_runs_with_their_reasons_and_leaves_fresh_ones(
        api, document, settings, redis_url):
    board = board_create(document=stable_board(document))
    silent, unclaimed = stale_runs(board, settings)
    fresh = SimulationRun.objects.create(board=board, board_version=1, document=board.document, seed=3,
                                         requests=1000, status=SimulationRun.RUNNING, heartbeat_at=timezone.now())
    waiting = SimulationRun.objects.create(board=board, board_version=1, document=board.document, seed=4,
                                           requests=1000)
    assert runs_fail_stale() == 2
    silent_now = api.get(f"/api/runs/{silent.id}/").json()
    assert silent_now["status"] == "failed" and silent_now["finished_at"]
    assert f"stopped responding for over {settings.RUN_STALE_AFTER_S} s" in silent_now["error"]
    unclaimed_now = api.get(f"/api/runs/{unclaimed.id}/").json()
    assert unclaimed_now["status"] == "failed"
    assert f"No worker picked this run up within {settings.RUN_QUEUE_TIMEOUT_S} s" in unclaimed_now["error"]
    assert [api.get(f"/api/runs/{run.id}/").json()["status"] for run in (fresh, waiting)] == ["running", "queued"]
    assert runs_fail_stale() == 0


@pytest.mark.django_db
def test_run_list_and_sweep_answers_take_the_same_queries_for_one_run_or_many(api, document):
    """No query per run: the list is one read, a sweep's progress one count."""
    board = board_create(document=stable_board(document))
    sweep = Sweep.objects.create(board=board, kind=Sweep.LOAD_CURVE, params={"levels": [100]})

    def queries_for(path: str) -> int:
        with CaptureQueriesContext(connection) as queries:
            assert api.get(path).status_code == 200
        return len(queries)

    def add_runs(count: int) -> None:
        for seed in range(count):
            for owner in (None, sweep):
                SimulationRun.objects.create(board=board, sweep=owner, board_version=1, document=board.document,
                                             seed=seed, requests=1000)

    add_runs(1)
    few = queries_for(f"/api/boards/{board.pk}/runs/"), queries_for(f"/api/sweeps/{sweep.id}/")
    add_runs(9)
    assert (queries_for(f"/api/boards/{board.pk}/runs/"), queries_for(f"/api/sweeps/{sweep.id}/")) == few
    assert len(api.get(f"/api/boards/{board.pk}/runs/").json()) == 10
    assert api.get(f"/api/sweeps/{sweep.id}/").json()["runs_total"] == 10


# ---- with real workers ----

def worker(redis_server, name: str, **options) -> CeleryWorkerProcess:
    return CeleryWorkerProcess(redis_url=redis_server.url, name=f"{name}-{os.getpid()}-{time.monotonic_ns()}",
                               database_url=database_url_for(connection.settings_dict), **options)


def wait_status(run_id, status: str, timeout: float) -> SimulationRun:
    deadline = time.monotonic() + timeout
    while (run := SimulationRun.objects.get(pk=run_id)).status != status and time.monotonic() < deadline:
        time.sleep(0.1)
    assert run.status == status, f"run is {run.status}, not {status}, after {timeout} s"
    return run


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
def test_a_worker_coming_back_fails_the_run_its_killed_predecessor_left_running(redis_server, document):
    from whiteboard.celery import app

    stale_after_s = 5
    first = worker(redis_server, "doomed")
    queue = first.name
    first.start(app, queue=queue)
    board = board_create(document=stable_board(document, rps=1000))
    run = SimulationRun.objects.create(board=board, board_version=1, document=board.document, seed=3,
                                       requests=15_000_000)
    enqueue_runs([run.id], queue=queue)
    try:
        wait_status(run.id, "running", timeout=30)
    finally:
        os.killpg(first.proc.pid, signal.SIGKILL)
        first.proc.wait()
    # Silent past the limit, and nothing but a read happens: the run still shows as running.
    while timezone.now() - SimulationRun.objects.get(pk=run.id).heartbeat_at <= timedelta(seconds=stale_after_s):
        time.sleep(0.2)
    api = BoardTokenClient()
    assert api.get(f"/api/runs/{run.id}/").json()["status"] == "running"
    # A worker (without a beat) comes back on the same queue: it fails the run as it starts.
    second = worker(redis_server, "replacement", extra_env={"RUN_STALE_AFTER_S": str(stale_after_s)})
    try:
        second.start(app, queue=queue)
        final = api.get(f"/api/runs/{run.id}/").json()
    finally:
        second.stop()
    assert final["status"] == "failed"
    assert f"stopped responding for over {stale_after_s} s" in final["error"]


@pytest.mark.integration
@pytest.mark.django_db(transaction=True)
def test_the_embedded_beat_fails_a_run_whose_worker_went_silent(redis_server, document, settings, tmp_path):
    from whiteboard.celery import app

    with_beat = worker(redis_server, "beat", beat_schedule=tmp_path / "celerybeat-schedule")
    with_beat.start(app)
    try:
        # Made after the worker started, so its start-up check cannot be what fails it.
        board = board_create(document=stable_board(document))
        silent, _ = stale_runs(board, settings)
        # The schedule sends the reaper every 10 s (CELERY_BEAT_SCHEDULE); allow for a busy machine.
        failed = wait_status(silent.id, "failed", timeout=60)
    finally:
        with_beat.stop()
    assert "stopped responding" in failed.error
