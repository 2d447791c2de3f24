"""A task runs through the project's Celery app on a real Redis and a real worker process."""

from __future__ import annotations

import os

import pytest

from architectures.services import board_create
from architectures.tasks import board_summary

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.integration]


def test_board_summary_task_runs_on_a_real_worker_and_reads_the_stored_board(celery_worker, document):
    board = board_create(document=document)
    result = board_summary.delay(str(board.pk)).get(timeout=30)
    assert result["board_id"] == str(board.pk)
    assert result["valid"] is True
    assert result["nodes"] == 4 and result["edges"] == 3
    assert result["kinds"] == {"gateway": 1, "feature_store": 1, "model_server": 1, "logging": 1}
    # It ran in the worker process, not in this one.
    assert not result["worker"].endswith(f":{os.getpid()}")
