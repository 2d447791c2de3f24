"""The project's Celery application, configured from Django settings (CELERY_* names)."""

from __future__ import annotations

import json
import logging
import os
import threading
from pathlib import Path

from celery import Celery
from celery.signals import worker_process_init

logger = logging.getLogger(__name__)

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "whiteboard.settings")

app = Celery("whiteboard")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_process_init.connect
def warm_simulator(**kwargs) -> None:
    """Load the simulator's compiled loops in each new worker process, off the first run's clock.

    In a background thread: worker_process_init must return within a few seconds, and a first
    compilation on a fresh machine can take longer.
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
