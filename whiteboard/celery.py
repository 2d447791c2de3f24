"""The project's Celery application, configured from Django settings (CELERY_* names)."""

from __future__ import annotations

import logging
import os
import threading

from celery import Celery
from celery.signals import worker_process_init, worker_ready

logger = logging.getLogger(__name__)

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "whiteboard.settings")

app = Celery("whiteboard")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_ready.connect
def fail_stale_runs_at_start(**kwargs) -> None:
    """Fail the runs a dead worker left running (and those nobody picked up) as soon as a worker is back.

    The beat does the same every 10 s (CELERY_BEAT_SCHEDULE), but the beat is embedded in a worker
    and dies with it: the replacement must not wait for its first tick, nor for a free pool process.
    Here, in the worker's main process, before it takes work.
    """
    from django.db import DatabaseError, connections

    from architectures.runs import runs_fail_stale

    try:
        failed = runs_fail_stale()
    except DatabaseError as error:
        logger.warning("stale runs not checked at worker start (the beat will retry): %s", error)
        return
    finally:
        # Pool processes forked later must not share this process's database connection.
        connections.close_all()
    if failed:
        logger.info("failed %d stale runs at worker start", failed)


@worker_process_init.connect
def warm_simulator(**kwargs) -> None:
    """Load the simulator's compiled loops in each new worker process, off the first run's clock.

    In a background thread: worker_process_init must return within a few seconds, and a first
    compilation on a machine where set-up did not compile them (`python -m simulator warm`) takes minutes.
    """
    threading.Thread(target=_load_compiled_loops, name="simulator-warm-up", daemon=True).start()


def _load_compiled_loops() -> None:
    from simulator.warmup import warm

    try:
        warm(always=True)
    except Exception as error:  # noqa: BLE001 - a failed warm-up only leaves the first run to compile
        logger.warning("simulator warm-up failed: %s", error)
