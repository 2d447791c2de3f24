"""Writes to boards: create, update, patch, rename, duplicate, restore and delete, each in one transaction."""

from __future__ import annotations

import copy
import uuid
from typing import Any

from django.db import transaction
from django.utils import timezone

from architectures.broadcast import board_broadcast_soon
from architectures.models import Board, BoardVersion
from architectures.selectors import board_get, board_get_for_write, board_version_get
from simulator.casestudies import get_case_study
from simulator.catalog import MAX_TITLE_CHARS, blank_document
from simulator.validation import BoardValidationError, Issue, check_document


class VersionConflict(Exception):
    """The client edited a version that is no longer the current one."""

    def __init__(self, board: Board):
        self.board = board
        super().__init__(f"board {board.id} is at version {board.version}")


def _title_of(document: dict[str, Any]) -> str:
    return (document.get("title") or "Untitled board")[:200]


def _record_version(board: Board, *, announce: bool = True) -> None:
    BoardVersion.objects.create(board=board, number=board.version, title=board.title, document=board.document)
    if not announce:
        return
    version, board_id = board.version, board.id
    # Queued, not awaited: the answer to the save does not wait for Redis (see broadcast._Sender).
    transaction.on_commit(lambda: board_broadcast_soon(board_id, {"type": "board.saved", "version": version}))


@transaction.atomic
def board_create(*, document: dict[str, Any] | None = None, title: str | None = None, owner=None,
                 case_study: str | None = None) -> Board:
    """Store a new board as version 1: blank, the given document, or a copy of a case study's board."""
    if case_study is not None:
        document = get_case_study(case_study).document()
    if document is None:
        document = blank_document(title or "Untitled board")
    elif title:
        document = {**document, "title": title}
    check_document(document)
    board = Board.objects.create(title=_title_of(document), document=document, owner=owner)
    # Not announced: no socket can be open on a board that did not exist. (The queued announcement
    # used to reach a socket opened just after, which then took version 1 for a newer save.)
    _record_version(board, announce=False)
    return board


def board_update(*, board_id: str | uuid.UUID, expected_version: int, document: dict[str, Any],
                 board: Board | None = None) -> Board:
    """Replace the document if the board is still at `expected_version`; else raise VersionConflict.

    `board` is the row the caller already read (its document may be deferred): it is updated in
    place instead of being read again, so a save costs one read, one update and one insert.
    """
    # Outside the transaction: on SQLite a write transaction holds the database's single write
    # lock from its start (BEGIN IMMEDIATE), so every other save and live edit of every board
    # waited for this document's validation, and for the read of a conflict's current board.
    check_document(document)
    if board is not None and board.version != expected_version:
        # Known to conflict already (in benchmarks/load.py, with four people saving each board, over
        # half of the saves): answered without queueing for the write lock. The compare-and-swap
        # below still settles the races.
        raise VersionConflict(board_get(board_id=board.pk))
    with transaction.atomic():
        if board is None:
            board = board_get_for_write(board_id=board_id)
        title, updated_at = _title_of(document), timezone.now()
        # Compare-and-swap on the version: of two concurrent saves of the same version, one wins.
        updated = Board.objects.filter(pk=board.pk, version=expected_version).update(
            document=document, title=title, version=expected_version + 1, updated_at=updated_at)
        if updated:
            board.document, board.title, board.version, board.updated_at = (
                document, title, expected_version + 1, updated_at)
            _record_version(board)
            return board
    raise VersionConflict(board_get(board_id=board.pk))


def board_import(*, data: Any, owner=None) -> Board:
    """A new board from an exported file: the document itself, or {"document": ...} around it."""
    if isinstance(data, dict) and set(data) == {"document"}:
        data = data["document"]
    if not isinstance(data, dict):
        raise BoardValidationError([Issue("", "must be a JSON object (a board document)")])
    return board_create(document=data, owner=owner)


def merge_patch(target: Any, patch: Any) -> Any:
    """RFC 7396 JSON merge patch: objects merge key by key, null deletes, anything else replaces."""
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    result = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = merge_patch(result.get(key), value)
    return result


def board_patch(*, board_id: str | uuid.UUID, expected_version: int, patch: dict[str, Any]) -> Board:
    """Apply a JSON merge patch to the document of `expected_version` and store the result."""
    board = board_get(board_id=board_id)
    if board.version != expected_version:
        raise VersionConflict(board)
    return board_update(board_id=board.pk, expected_version=expected_version,
                        document=merge_patch(board.document, patch), board=board)


# A rename from the start page knows no version; it retries on the versions live edits made meanwhile.
RENAME_ATTEMPTS = 5


def board_rename(*, board_id: str | uuid.UUID, title: str) -> Board:
    """Give the board's document a new title as a new version, on top of whatever version is current.

    A title is one field, so the last rename wins rather than answering 409 to a caller that never
    saw a version (the start page); edits arriving meanwhile are kept, and open editors resync.
    """
    for _ in range(RENAME_ATTEMPTS):
        board = board_get(board_id=board_id)
        if board.document.get("title") == title:
            return board
        try:
            return board_update(board_id=board.pk, expected_version=board.version,
                                document={**board.document, "title": title}, board=board)
        except VersionConflict:
            continue
    raise VersionConflict(board_get(board_id=board_id))


def copy_title(title: str) -> str:
    """The default title of a duplicate, within the title limit."""
    return f"Copy of {title}"[:MAX_TITLE_CHARS]


def board_duplicate(*, board: Board, owner=None, title: str | None = None) -> Board:
    """A new board with this board's current document: version 1, links of its own, owned by `owner`.

    The history and runs stay with the original; the copy starts its own.
    """
    document = copy.deepcopy(board.document)
    return board_create(document={**document, "title": title or copy_title(board.title)}, owner=owner)


def board_restore(*, board_id: str | uuid.UUID, number: int) -> Board:
    """Store version `number`'s document as a new version (history is never rewritten)."""
    board = board_get(board_id=board_id)
    old = board_version_get(board=board, number=number)
    return board_update(board_id=board.pk, expected_version=board.version, document=old.document, board=board)


@transaction.atomic
def board_delete(*, board_id: str | uuid.UUID) -> None:
    board = board_get(board_id=board_id)
    board_id = board.pk
    board.delete()
    transaction.on_commit(lambda: board_broadcast_soon(board_id, {"type": "board.deleted"}))
