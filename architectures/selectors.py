"""Reads of boards and their versions."""

from __future__ import annotations

import uuid

from django.db.models import QuerySet

from architectures.models import Board, BoardVersion


class BoardNotFound(LookupError):
    """No board has this id (or the id is not a UUID)."""


class VersionNotFound(LookupError):
    """The board has no version with this number."""


def _parse_id(board_id: str | uuid.UUID) -> uuid.UUID:
    if isinstance(board_id, uuid.UUID):
        return board_id
    try:
        return uuid.UUID(str(board_id))
    except ValueError:
        raise BoardNotFound(board_id) from None


def is_board_id(board_id: str | uuid.UUID) -> bool:
    """The id has the shape of a board's (a UUID), whether or not such a board exists."""
    try:
        _parse_id(board_id)
    except BoardNotFound:
        return False
    return True


def board_get(*, board_id: str | uuid.UUID) -> Board:
    try:
        return Board.objects.get(pk=_parse_id(board_id))
    except Board.DoesNotExist:
        raise BoardNotFound(board_id) from None


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
