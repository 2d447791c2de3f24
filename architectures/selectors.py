"""Reads of boards, their versions, runs and sweeps: keyword-only, each one query, loading only what its callers use."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from django.db.models import Count, Q, QuerySet

from architectures.models import Board, BoardVersion, SimulationRun, Sweep

# The rows behind a board's link check (access.py), without its document, which can be 1 MB.
ACCESS_FIELDS = ("id", "owner", "edit_token", "view_token")


class BoardNotFound(LookupError):
    """No board has this id (or the id is not a UUID)."""


class VersionNotFound(LookupError):
    """The board has no version with this number."""


class RunNotFound(LookupError):
    """No run has this id."""


class SweepNotFound(LookupError):
    """No sweep has this id."""


def _parse_id(some_id: str | uuid.UUID, not_found: type[LookupError] = BoardNotFound) -> uuid.UUID:
    if isinstance(some_id, uuid.UUID):
        return some_id
    try:
        return uuid.UUID(str(some_id))
    except ValueError:
        raise not_found(some_id) from None


def is_board_id(board_id: str | uuid.UUID) -> bool:
    """The id has the shape of a board's (a UUID), whether or not such a board exists."""
    try:
        _parse_id(board_id)
    except BoardNotFound:
        return False
    return True


# ---- boards ----

def board_get(*, board_id: str | uuid.UUID) -> Board:
    try:
        return Board.objects.get(pk=_parse_id(board_id))
    except Board.DoesNotExist:
        raise BoardNotFound(board_id) from None


def board_get_for_write(*, board_id: str | uuid.UUID) -> Board:
    """The board without its document: what a save checks and answers with, besides the new document."""
    try:
        return Board.objects.defer("document").get(pk=_parse_id(board_id))
    except Board.DoesNotExist:
        raise BoardNotFound(board_id) from None


def board_get_for_access(*, board_id: str | uuid.UUID) -> Board:
    """The board's id, owner and link tokens only: enough to decide who may open its WebSocket."""
    try:
        return Board.objects.only(*ACCESS_FIELDS).get(pk=_parse_id(board_id))
    except Board.DoesNotExist:
        raise BoardNotFound(board_id) from None


def boards_owned(*, user: Any, limit: int = 100) -> list[Board]:
    """The boards an account owns, most recently changed first, without their documents."""
    return list(Board.objects.filter(owner=user).only("id", "title", "updated_at").order_by("-updated_at")[:limit])


def board_version_number(*, board_id: str | uuid.UUID) -> int:
    """The board's current version number, without loading its document."""
    number = Board.objects.filter(pk=_parse_id(board_id)).values_list("version", flat=True).first()
    if number is None:
        raise BoardNotFound(board_id)
    return number


def board_versions(*, board: Board) -> QuerySet[BoardVersion]:
    return board.versions.only("number", "created_at", "title").order_by("-number")


def board_version_get(*, board: Board, number: int) -> BoardVersion:
    try:
        return board.versions.get(number=number)
    except BoardVersion.DoesNotExist:
        raise VersionNotFound(number) from None


# ---- runs ----

def run_get(*, run_id: str | uuid.UUID) -> SimulationRun:
    """The run with its board's access fields, for the API; neither document is loaded."""
    try:
        return (SimulationRun.objects.select_related("board").defer("document", "board__document")
                .get(pk=_parse_id(run_id, RunNotFound)))
    except SimulationRun.DoesNotExist:
        raise RunNotFound(run_id) from None


def run_get_with_document(*, run_id: str | uuid.UUID) -> SimulationRun:
    """The run with the exact document it simulates, for the worker."""
    try:
        return SimulationRun.objects.get(pk=_parse_id(run_id, RunNotFound))
    except SimulationRun.DoesNotExist:
        raise RunNotFound(run_id) from None


def run_status(*, run_id: str | uuid.UUID) -> str | None:
    """The run's status, or None when it no longer exists (its board was deleted)."""
    return SimulationRun.objects.filter(pk=run_id).values_list("status", flat=True).first()


def board_runs(*, board_id: uuid.UUID, limit: int = 100) -> list[SimulationRun]:
    """The board's own runs (not a sweep's), newest first, without results or documents."""
    return list(SimulationRun.objects.filter(board_id=board_id, sweep__isnull=True)
                .defer("results", "document").order_by("-queued_at")[:limit])


def board_active_runs(*, board_id: uuid.UUID) -> list[SimulationRun]:
    """The board's queued and running runs, sweeps' included, without results or documents."""
    return list(SimulationRun.objects.filter(board_id=board_id, status__in=SimulationRun.ACTIVE)
                .defer("results", "document"))


def board_latest_succeeded_run(*, board_id: uuid.UUID) -> SimulationRun | None:
    """The board's most recently finished successful run, with its results (the design report shows it)."""
    return (SimulationRun.objects.filter(board_id=board_id, status=SimulationRun.SUCCEEDED, finished_at__isnull=False)
            .order_by("-finished_at").only("id", "results", "finished_at", "board_version", "seed").first())


def client_active_run_count(*, client: str) -> int:
    return SimulationRun.objects.filter(client=client, status__in=SimulationRun.ACTIVE).count()


def silent_run_ids(*, heartbeat_before: datetime) -> list[uuid.UUID]:
    """Running runs whose worker last reported before this moment."""
    return list(SimulationRun.objects.filter(status=SimulationRun.RUNNING, heartbeat_at__lt=heartbeat_before)
                .values_list("id", flat=True))


def unclaimed_run_ids(*, queued_before: datetime) -> list[uuid.UUID]:
    """Queued runs that no worker has picked up since before this moment."""
    return list(SimulationRun.objects.filter(status=SimulationRun.QUEUED, queued_at__lt=queued_before)
                .values_list("id", flat=True))


# ---- sweeps ----

def sweep_get(*, sweep_id: str | uuid.UUID) -> Sweep:
    """The sweep with its board's access fields (not the board's document)."""
    try:
        return Sweep.objects.select_related("board").defer("board__document").get(pk=_parse_id(sweep_id, SweepNotFound))
    except Sweep.DoesNotExist:
        raise SweepNotFound(sweep_id) from None


def sweep_run_counts(*, sweep_id: uuid.UUID) -> tuple[int, int]:
    """(runs, runs that have ended) of a sweep, counted by the database."""
    counts = SimulationRun.objects.filter(sweep_id=sweep_id).aggregate(
        total=Count("id"), finished=Count("id", filter=~Q(status__in=SimulationRun.ACTIVE)))
    return counts["total"], counts["finished"]


def sweep_runs(*, sweep: Sweep, run_ids: list[str] | None = None, with_documents: bool = True) -> list[SimulationRun]:
    """A sweep's runs (or those of `run_ids`); their documents only when the caller reads them."""
    runs = sweep.runs.all() if run_ids is None else sweep.runs.filter(id__in=run_ids)
    return list(runs if with_documents else runs.defer("document"))
