"""The JSON of runs and sweeps as the REST API and the board WebSocket show them: one function per shape.

Plain functions rather than DRF serializers: the same shapes leave from Celery workers (the
broadcasts) as from views, and their times keep Python's `isoformat()` ("+00:00"), which a DRF
DateTimeField would write as "Z".
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from architectures.models import SimulationRun, Sweep
from architectures.selectors import sweep_run_counts

# Kept out of a sweep's public params: the search's working state, the board snapshot it sizes
# (as large as the board) and the client address it was started from.
PRIVATE_SWEEP_PARAMS = ("state", "document", "client")


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def run_payload(run: SimulationRun, *, with_results: bool = True) -> dict[str, Any]:
    """The run as `GET /api/runs/{id}/` answers it; without results in lists and in the events before the end."""
    data = {
        "id": str(run.id), "board_id": str(run.board_id), "board_version": run.board_version,
        "sweep_id": str(run.sweep_id) if run.sweep_id else None, "label": run.label,
        "status": run.status, "progress": round(run.progress, 4), "seed": run.seed,
        "requests": run.requests, "duration_s": run.duration_s, "error": run.error,
        "queued_at": _iso(run.queued_at), "started_at": _iso(run.started_at), "finished_at": _iso(run.finished_at),
    }
    if with_results:
        data["results"] = run.results
    return data


def run_accepted_payload(run: SimulationRun) -> dict[str, Any]:
    """The 202 answer to starting a run: where to follow it."""
    return {"id": str(run.id), "status": run.status, "url": run_url(run)}


def run_url(run: SimulationRun) -> str:
    return f"/api/runs/{run.id}/"


def run_event(event_type: str, run: SimulationRun) -> dict[str, Any]:
    """`run.queued`, `run.started` (without results) or `run.finished` (with them) for the board's sockets."""
    return {"type": event_type, "run": run_payload(run, with_results=event_type == "run.finished")}


def run_progress_event(run_id: object, fraction: float) -> dict[str, Any]:
    return {"type": "run.progress", "run_id": str(run_id), "progress": round(fraction, 4)}


def sweep_payload(sweep: Sweep) -> dict[str, Any]:
    """The sweep as `GET /api/sweeps/{id}/` answers it, with how many of its runs have ended."""
    total, finished = sweep_run_counts(sweep_id=sweep.pk)
    return {
        "id": str(sweep.id), "board_id": str(sweep.board_id), "kind": sweep.kind, "status": sweep.status,
        "params": {k: v for k, v in sweep.params.items() if k not in PRIVATE_SWEEP_PARAMS},
        "runs_total": total, "runs_finished": finished,
        "result": sweep.result, "error": sweep.error,
        "created_at": sweep.created_at.isoformat(), "finished_at": _iso(sweep.finished_at),
    }


def sweep_url(sweep: Sweep) -> str:
    return f"/api/sweeps/{sweep.id}/"


def sweep_finished_event(sweep: Sweep) -> dict[str, Any]:
    return {"type": "sweep.finished", "sweep": sweep_payload(sweep)}
