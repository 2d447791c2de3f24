"""Every case-study template, started as a board, runs on the real worker to results with its expected verdict."""

from __future__ import annotations

import time

import pytest

from architectures.models import SimulationRun
from architectures.runs import run_start
from architectures.services import board_create
from simulator.casestudies import all_case_studies

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.integration]

# Every template queues on the one worker at once: a bound on them all, not on each. About 5 s on a
# quiet machine; at load average 11 on 2 cores the queue was still going after 2 minutes.
ALL_DONE_S = 480


def wait_done(run_id, timeout: float = 120) -> SimulationRun:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        run = SimulationRun.objects.get(pk=run_id)
        if run.status not in SimulationRun.ACTIVE:
            return run
        time.sleep(0.2)
    raise AssertionError(f"run {run_id} still {run.status} after {timeout:.0f} s")


def test_every_template_board_runs_on_the_worker_to_its_expected_verdict(celery_worker):
    started = []
    for template in all_case_studies():
        board = board_create(document=template.document())
        started.append((template, run_start(board_id=board.pk, seed=0)))
    deadline = time.monotonic() + ALL_DONE_S
    for template, run in started:
        done = wait_done(run.pk, timeout=max(1.0, deadline - time.monotonic()))
        assert done.status == "succeeded", (template.id, done.error)
        verdicts = done.results["slo"]
        assert set(verdicts) == {"p99_ms", "peak_rps", "monthly_budget_usd"}
        meets = all(v["passed"] for v in verdicts.values())
        if template.drill:  # judged by riding its fault out: the worker's results carry the fault's impact
            assert [fault["id"] for fault in done.results["faults"]] == [template.drill["fault"]], template.id
        else:
            assert meets is (template.broken is None), (template.id, verdicts)
