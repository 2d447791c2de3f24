"""The replay of a board: its versions (live-edit entries included), its runs and its interview's events, oldest first."""

from __future__ import annotations

from typing import Any

from architectures.interview import event_payload
from architectures.interview_models import InterviewSession
from architectures.models import Board, BoardVersion, SimulationRun
from architectures.payloads import run_url

MAX_VERSIONS = 500
MAX_RUNS = 200


def _summary(results: dict[str, Any] | None) -> dict[str, Any] | None:
    """What the slider shows of a run at a point: the headline figures; the rest is one GET away."""
    if not results:
        return None
    return {"p99_ms": (results.get("latency_ms") or {}).get("p99"), "throughput_rps": results.get("throughput_rps"),
            "monthly_usd": (results.get("cost") or {}).get("monthly_usd"), "slo": results.get("slo") or {}}


def replay(board: Board, session: InterviewSession | None) -> dict[str, Any]:
    """Everything the replay slider draws: the board as it was at each version, the runs and the events.

    A live entry is moved along by later live edits for a minute (architectures/live_edits.py):
    its `at` is when it began and its document the state at the end of that window.
    """
    versions = list(BoardVersion.objects.filter(board=board).order_by("-number")[:MAX_VERSIONS])
    runs = list(SimulationRun.objects.filter(board=board, sweep__isnull=True).order_by("-queued_at")
                .only("id", "board_version", "status", "queued_at", "finished_at", "label", "results")[:MAX_RUNS])
    return {
        "session_id": str(session.pk) if session else None,
        "versions": [{"number": v.number, "at": v.created_at.isoformat(), "live": v.live, "title": v.title,
                      "document": v.document} for v in reversed(versions)],
        "runs": [{"id": str(run.id), "board_version": run.board_version, "status": run.status, "label": run.label,
                  "queued_at": run.queued_at.isoformat(),
                  "finished_at": run.finished_at.isoformat() if run.finished_at else None,
                  "url": run_url(run), "summary": _summary(run.results)} for run in reversed(runs)],
        "events": [event_payload(event) for event in session.events.all()] if session else [],
    }
