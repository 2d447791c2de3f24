"""The project's Celery application, configured from Django settings (CELERY_* names)."""

from __future__ import annotations

import json
import logging
import os
import threading
from pathlib import Path

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

    In a background thread: worker_process_init must return within a few seconds. Only the fast
    path's loops, which every board uses: with the event loop loaded here too (several seconds of
    the thread), a run started at once missed its soft time limit in one test run, for a reason not
    found. Compiling them all is set-up's (`python -m simulator warm`), so nothing here compiles.
    """
    threading.Thread(target=_run_small_example, name="simulator-warm-up", daemon=True).start()


def _run_small_example() -> None:
    import simulator

    example = Path(simulator.__file__).parent / "examples" / "ad_click.json"
    try:
        document = json.loads(example.read_text())
        document["traffic"]["warmup_s"] = 0
        simulator.run(document, seed=0, requests=2000)
    except (OSError, ValueError) as error:
        logger.warning("simulator warm-up skipped: %s", error)
