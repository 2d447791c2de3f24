"""Simulation runs: start, execute on a worker, cancel, and fail the ones whose worker was lost."""

from __future__ import annotations

import logging
import random
import time
import uuid
from datetime import timedelta
from typing import Any, Iterable

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from kombu.exceptions import OperationalError

import simulator
from architectures.broadcast import board_broadcast
from architectures.models import Board, SimulationRun
from architectures.payloads import run_event, run_progress_event
from architectures.selectors import (
    board_get,
    client_active_run_count,
    run_get,
    run_get_with_document,
    run_status,
    silent_run_ids,
    unclaimed_run_ids,
)
from simulator.errors import SimulationCancelled, SimulationError
from simulator.validation import BoardValidationError

logger = logging.getLogger(__name__)

PROGRESS_MESSAGES_PER_S = 4
DB_UPDATE_INTERVAL_S = 1.0


class TooManyRuns(Exception):
    """The client already has the most active runs it may have."""

    def __init__(self, active: int, retry_after_s: int):
        self.active = active
        self.retry_after_s = retry_after_s
        super().__init__(f"{active} runs already queued or running")


class InvalidRunRequest(ValueError):
    """A run request that cannot be simulated; `path` names the field."""

    def __init__(self, path: str, message: str):
        self.path = path
        super().__init__(message)


def check_run_length(document: dict[str, Any], requests: int | None, duration_s: float | None) -> None:
    """Refuse, before queueing, a run the simulator would refuse; the path names the request's field."""
    try:
        simulator.check_run_length(document, requests=requests, duration_s=duration_s)
    except SimulationError as error:
        # The length limit on the document's duration is the request's when the request set one.
        path = "duration_s" if error.path == "traffic.duration_s" and duration_s else error.path
        message = str(error)[len(error.path) + 2:] if error.path else str(error)
        raise InvalidRunRequest(path, message) from None


def create_run(*, board: Board, document: dict[str, Any], seed: int | None, requests: int | None,
               duration_s: float | None, client: str = "", sweep=None, label: str = "") -> SimulationRun:
    return SimulationRun.objects.create(
        board=board, sweep=sweep, board_version=board.version, document=document,
        seed=seed if seed is not None else random.SystemRandom().randrange(2**31),
        requests=requests, duration_s=duration_s, client=client[:64], label=label[:200])


def run_task_options() -> dict[str, Any]:
    """Options of every run's task message: the time limits travel with the message."""
    return {"soft_time_limit": settings.RUN_SOFT_TIME_LIMIT_S, "time_limit": settings.RUN_HARD_TIME_LIMIT_S}


def enqueue_runs(run_ids: Iterable[uuid.UUID], queue: str | None = None) -> None:
    """Hand runs to the workers; a run that cannot be queued fails at once with the reason."""
    from architectures.tasks import run_simulation

    for run_id in run_ids:
        try:
            run_simulation.apply_async(args=[str(run_id)], task_id=str(run_id), retry=True, queue=queue,
                                       **run_task_options(),
                                       retry_policy={"max_retries": 2, "interval_start": 0.2, "interval_step": 0.5})
        except OperationalError as error:
            _finish(run_id, SimulationRun.FAILED, error=f"Could not queue the run: the broker is unreachable ({error}).",
                    only_from=(SimulationRun.QUEUED,))


def run_start(*, board_id: str | uuid.UUID, seed: int | None = None, requests: int | None = None,
              duration_s: float | None = None, client: str = "") -> SimulationRun:
    """Queue a run of the board's current document; the worker starts after the commit."""
    active = client_active_run_count(client=client) if client else 0
    if active >= settings.MAX_ACTIVE_RUNS_PER_CLIENT:
        raise TooManyRuns(active, retry_after_s=5)
    with transaction.atomic():
        board = board_get(board_id=board_id)
        check_run_length(board.document, requests, duration_s)
        run = create_run(board=board, document=board.document, seed=seed, requests=requests,
                         duration_s=duration_s, client=client)
        transaction.on_commit(lambda: _announce_and_enqueue(board.pk, run))
    return run


def _announce_and_enqueue(board_id: object, run: SimulationRun) -> None:
    # Queued goes out before the task does: a free worker's `run.started` must not overtake it.
    board_broadcast(board_id, run_event("run.queued", run))
    enqueue_runs([run.id])


def run_cancel(*, run: SimulationRun) -> SimulationRun:
    """Cancel a queued or running run; a running one stops at its next progress check."""
    if _finish(run.id, SimulationRun.CANCELLED, error="Cancelled.", only_from=SimulationRun.ACTIVE):
        run.refresh_from_db()
    return run


def _finish(run_id, status: str, *, error: str = "", results: dict | None = None,
            only_from: Iterable[str] = (SimulationRun.RUNNING,)) -> bool:
    """Move a run to a final status unless someone else already did; broadcast the outcome."""
    fields: dict[str, Any] = {"status": status, "error": error, "finished_at": timezone.now()}
    if results is not None:
        fields.update(results=results, progress=1.0)
    changed = SimulationRun.objects.filter(pk=run_id, status__in=list(only_from)).update(**fields)
    if changed:
        run = run_get(run_id=run_id)
        board_broadcast(run.board_id, run_event("run.finished", run))
    return bool(changed)


class _Reporter:
    """Throttles progress to the channel layer and doubles the cancellation check as a heartbeat."""

    def __init__(self, run: SimulationRun):
        self.run_id = run.id
        self.board_id = run.board_id
        self.fraction = 0.0
        self.stop = False
        self._last_sent = 0.0
        self._last_db = 0.0

    def progress(self, fraction: float) -> None:
        self.fraction = fraction
        now = time.monotonic()
        if now - self._last_sent >= 1 / PROGRESS_MESSAGES_PER_S:
            self._last_sent = now
            board_broadcast(self.board_id, run_progress_event(self.run_id, fraction))

    def should_stop(self) -> bool:
        now = time.monotonic()
        if now - self._last_db >= DB_UPDATE_INTERVAL_S:
            self._last_db = now
            alive = SimulationRun.objects.filter(pk=self.run_id, status=SimulationRun.RUNNING).update(
                progress=self.fraction, heartbeat_at=timezone.now())
            self.stop = not alive
        return self.stop


def _claim(run_id) -> SimulationRun | None:
    """Mark the run as running on this worker, or None when it must not run (finished or cancelled)."""
    now = timezone.now()
    claimed = SimulationRun.objects.filter(pk=run_id, status=SimulationRun.QUEUED).update(
        status=SimulationRun.RUNNING, started_at=now, heartbeat_at=now)
    if not claimed:
        # A message delivered again after its worker died: take the run over if it went quiet.
        stale = now - timedelta(seconds=settings.RUN_STALE_AFTER_S)
        claimed = SimulationRun.objects.filter(pk=run_id, status=SimulationRun.RUNNING,
                                               heartbeat_at__lt=stale).update(heartbeat_at=now, started_at=now)
    return run_get_with_document(run_id=run_id) if claimed else None


def run_execute(*, run_id: str | uuid.UUID, time_limit_s: float | None = None) -> str:
    """Simulate the run's document (called by the worker's task); returns the final status."""
    run = _claim(run_id)
    if run is None:
        return run_status(run_id=run_id) or "missing"
    board_broadcast(run.board_id, run_event("run.started", run))
    reporter = _Reporter(run)
    try:
        results = simulator.run(run.document, seed=run.seed, requests=run.requests, duration_s=run.duration_s,
                                progress=reporter.progress, should_stop=reporter.should_stop)
    except SimulationCancelled:
        _finish(run.id, SimulationRun.CANCELLED, error="Cancelled.", only_from=SimulationRun.ACTIVE)
    except SoftTimeLimitExceeded:
        _finish(run.id, SimulationRun.FAILED, error=(
            f"The run took longer than the {time_limit_s or settings.RUN_SOFT_TIME_LIMIT_S:g} s limit and was stopped. "
            "Simulate fewer requests or a shorter duration."))
    except (SimulationError, BoardValidationError) as error:
        _finish(run.id, SimulationRun.FAILED, error=f"The simulator refused this board: {error}")
    except Exception as error:  # noqa: BLE001 - a run must end failed, with the reason, whatever went wrong
        logger.exception("run %s failed", run.id)
        _finish(run.id, SimulationRun.FAILED, error=f"The simulation failed unexpectedly: {type(error).__name__}: {error}")
    else:
        _finish(run.id, SimulationRun.SUCCEEDED, results=results.to_dict())
    return run_status(run_id=run.id)


def runs_fail_stale() -> int:
    """Fail runs whose worker went silent and runs no worker picked up; returns how many.

    Called by the beat every few seconds and by each worker as it starts (see whiteboard/celery.py),
    never by a read: a GET changes nothing.
    """
    now = timezone.now()
    count = 0
    for run_id in silent_run_ids(heartbeat_before=now - timedelta(seconds=settings.RUN_STALE_AFTER_S)):
        count += _finish(run_id, SimulationRun.FAILED, error=(
            f"The worker running this simulation stopped responding for over {settings.RUN_STALE_AFTER_S} s "
            "(it was stopped or killed). Run it again."))
    for run_id in unclaimed_run_ids(queued_before=now - timedelta(seconds=settings.RUN_QUEUE_TIMEOUT_S)):
        count += _finish(run_id, SimulationRun.FAILED, only_from=(SimulationRun.QUEUED,), error=(
            f"No worker picked this run up within {settings.RUN_QUEUE_TIMEOUT_S} s. Are the workers running?"))
    return count
