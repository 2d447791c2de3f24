"""Celery tasks of boards: thin wrappers that take ids, call a service and let it save and broadcast."""

from __future__ import annotations

import os
import socket
from collections import Counter

from celery import shared_task
from django.conf import settings

from architectures import runs, sweeps
from architectures.selectors import board_get
from simulator.validation import validate_document


@shared_task(name="architectures.board_summary")
def board_summary(board_id: str) -> dict:
    """Check a stored board on a worker and count its parts (used by integration tests)."""
    board = board_get(board_id=board_id)
    document = board.document
    return {
        "board_id": str(board.pk),
        "version": board.version,
        "valid": not validate_document(document),
        "nodes": len(document.get("nodes", [])),
        "edges": len(document.get("edges", [])),
        "kinds": dict(Counter(node["kind"] for node in document.get("nodes", []))),
        "worker": f"{socket.gethostname()}:{os.getpid()}",
    }


@shared_task(bind=True, name="architectures.run_simulation", soft_time_limit=settings.RUN_SOFT_TIME_LIMIT_S,
             time_limit=settings.RUN_HARD_TIME_LIMIT_S, acks_late=True, reject_on_worker_lost=True)
def run_simulation(self, run_id: str) -> str:
    # The sender's limits travel in the message and win over this worker's defaults.
    hard, soft = self.request.timelimit or (None, None)
    return runs.run_execute(run_id=run_id, time_limit_s=soft)


@shared_task(name="architectures.sweep_finish")
def sweep_finish(sweep_id: str) -> str:
    return sweeps.sweep_finish(sweep_id=sweep_id).status


@shared_task(name="architectures.rightsize_step")
def rightsize_step(sweep_id: str) -> str:
    return sweeps.rightsize_step(sweep_id=sweep_id).status


@shared_task(name="architectures.runs_fail_stale")
def runs_fail_stale() -> int:
    """The beat's reaper tick (CELERY_BEAT_SCHEDULE); workers also reap as they start (whiteboard/celery.py)."""
    return runs.runs_fail_stale()
