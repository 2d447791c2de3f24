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


def _snapshots(known: set[int], events: list, runs: list[SimulationRun]) -> list[dict[str, Any]]:
    """The board at the versions its history skipped, from the documents events and runs kept, earliest first.

    Live edits share one history entry for up to a minute (architectures/live_edits.py), so a
    curveball played and answered within that minute leaves one version behind; the event of
    the play and the run of the answer each kept the board as it was then.
    """
    found: dict[int, dict[str, Any]] = {}
    kept = [(event.at, event.board_version, "event", event.document) for event in events if event.document]
    kept += [(run.queued_at, run.board_version, "run", run.document) for run in runs if run.document]
    for at, number, source, document in sorted(kept, key=lambda item: item[0]):
        if number not in known and number not in found:
            found[number] = {"at": at.isoformat(), "board_version": number, "source": source, "document": document}
    return list(found.values())


def replay(board: Board, session: InterviewSession | None) -> dict[str, Any]:
    """Everything the replay slider draws: the board as it was at each version, the runs and the events.

    A live entry is moved along by later live edits for a minute (architectures/live_edits.py):
    its `at` is when it began and its document the state at the end of that window; `snapshots`
    hold the versions in between that an event or a run kept.
    """
    versions = list(BoardVersion.objects.filter(board=board).order_by("-number")[:MAX_VERSIONS])
    runs = list(SimulationRun.objects.filter(board=board, sweep__isnull=True).order_by("-queued_at")
                .only("id", "board_version", "status", "queued_at", "finished_at", "label", "results",
                      "document")[:MAX_RUNS])
    runs.reverse()
    events = list(session.events.all()) if session else []
    return {
        "session_id": str(session.pk) if session else None,
        "versions": [{"number": v.number, "at": v.created_at.isoformat(), "live": v.live, "title": v.title,
                      "document": v.document} for v in reversed(versions)],
        "snapshots": _snapshots({v.number for v in versions}, events, runs),
        "runs": [{"id": str(run.id), "board_version": run.board_version, "status": run.status, "label": run.label,
                  "queued_at": run.queued_at.isoformat(),
                  "finished_at": run.finished_at.isoformat() if run.finished_at else None,
                  "url": run_url(run), "summary": _summary(run.results)} for run in runs],
        "events": [event_payload(event) for event in events],
    }
