"""The replay of a board: its versions (live-edit entries included), its runs and its interview's events, oldest first."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from architectures.interview import event_payload
from architectures.interview_models import InterviewSession
from architectures.live_edits import HISTORY_WINDOW
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


def _kept(events: list, runs: list[SimulationRun]) -> list[tuple[datetime, int, str, dict[str, Any]]]:
    """(when, board version, "event" or "run", document) of every board an event or a run kept, earliest first."""
    kept = [(event.at, event.board_version, "event", event.document) for event in events if event.document]
    kept += [(run.queued_at, run.board_version, "run", run.document) for run in runs if run.document]
    return sorted(kept, key=lambda item: item[0])


def _history(board: Board, versions: list[BoardVersion], seen: dict[int, datetime]) -> list[dict[str, Any]]:
    """The history entries, each at the moment its document was reached.

    A live entry begins at its first edit and is moved along for up to a minute, so its document
    was reached later: at the board's last write for the newest entry, else by the end of its
    minute or the next entry's start, and no later than an event or run that saw it.
    """
    out = []
    for index, version in enumerate(versions):
        at = version.created_at
        if version.live:
            end = version.created_at + HISTORY_WINDOW
            if version.number == board.version:
                end = board.updated_at
            elif index + 1 < len(versions):
                end = min(end, versions[index + 1].created_at)
            at = max(version.created_at, min(end, seen.get(version.number, end)))
        out.append({"number": version.number, "at": at, "began_at": version.created_at.isoformat(),
                    "live": version.live, "title": version.title, "source": "history", "document": version.document})
    return out


def replay(board: Board, session: InterviewSession | None) -> dict[str, Any]:
    """Everything the replay slider draws: every known state of the board, the runs and the session's events.

    `versions` are the history entries and, between them, the boards that events and runs kept of
    versions the history folded together (live edits share one entry for up to a minute, so a
    curveball played and answered within it would leave one entry); those also come as `snapshots`.
    """
    history = list(BoardVersion.objects.filter(board=board).order_by("-number")[:MAX_VERSIONS])
    history.reverse()
    runs = list(SimulationRun.objects.filter(board=board, sweep__isnull=True).order_by("-queued_at")
                .only("id", "board_version", "status", "queued_at", "finished_at", "label", "results",
                      "document")[:MAX_RUNS])
    runs.reverse()
    events = list(session.events.all()) if session else []
    kept = _kept(events, runs)
    seen: dict[int, datetime] = {}
    for at, number, _, _ in kept:
        seen.setdefault(number, at)
    known = {version.number for version in history}
    snapshots: dict[int, dict[str, Any]] = {}
    for at, number, source, document in kept:
        if number not in known and number not in snapshots:
            snapshots[number] = {"number": number, "at": at, "began_at": at.isoformat(), "live": True,
                                 "title": document.get("title") or "", "source": source, "document": document}
    states = sorted([*_history(board, history, seen), *snapshots.values()], key=lambda item: (item["at"], item["number"]))
    for state in states:
        state["at"] = state["at"].isoformat()
    return {
        "session_id": str(session.pk) if session else None,
        "versions": states,
        "snapshots": [state for state in states if state["source"] != "history"],
        "runs": [{"id": str(run.id), "board_version": run.board_version, "status": run.status, "label": run.label,
                  "queued_at": run.queued_at.isoformat(),
                  "finished_at": run.finished_at.isoformat() if run.finished_at else None,
                  "url": run_url(run), "summary": _summary(run.results)} for run in runs],
        "events": [event_payload(event) for event in events],
    }
