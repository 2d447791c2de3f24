"""Live edits: a batch of edit operations applied to the stored board under compare-and-swap, stored, broadcast."""

from __future__ import annotations

import copy
import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from architectures.broadcast import board_broadcast_soon
from architectures.models import Board, BoardVersion
from architectures.selectors import board_get
from architectures.services import merge_patch
from simulator.validation import BoardValidationError, check_document

# A drag sends a few ops a second; keeping one history entry per op would bury the History
# panel. The newest entry made by live edits follows the board until it is this old, then a new
# one starts; entries of REST saves, restores and the board's creation are never changed.
HISTORY_WINDOW = timedelta(seconds=60)
MAX_OPS_PER_EDIT = 1000
# Compare-and-swap retries when another connection stored a version between our read and write.
MAX_ATTEMPTS = 20

BOARD_KEYS = ("title", "requirements", "traffic", "notes")
OPS = ("node.add", "node.update", "node.delete", "edge.add", "edge.update", "edge.delete",
       "fault.add", "fault.update", "fault.delete", "annotation.add", "annotation.update", "annotation.delete",
       "board.update")
# Nothing else needs a fault or an annotation, so deleting one takes nothing along.
STANDALONE = ("fault", "annotation")


class EditRefused(ValueError):
    """The edit is malformed or would make the board invalid; nothing was stored."""

    def __init__(self, detail: str, errors: list[dict[str, str]]):
        super().__init__(detail)
        self.detail = detail
        self.errors = errors


@dataclass(frozen=True)
class Applied:
    version: int


def _refuse(path: str, message: str) -> EditRefused:
    return EditRefused("The edit is malformed.", [{"path": path, "message": message}])


def _find(items: list[dict], item_id: Any) -> int | None:
    for index, item in enumerate(items):
        if isinstance(item, dict) and item.get("id") == item_id:
            return index
    return None


def _require(op: dict, key: str, kind: type, path: str) -> Any:
    value = op.get(key)
    if not isinstance(value, kind):
        raise _refuse(f"{path}.{key}", f"must be {'an object' if kind is dict else 'a string'}")
    return value


def _apply_one(document: dict[str, Any], op: Any, path: str) -> None:
    if not isinstance(op, dict) or op.get("op") not in OPS:
        raise _refuse(f"{path}.op", f"must be one of {', '.join(OPS)}")
    name = op["op"]
    if name == "board.update":
        patch = _require(op, "patch", dict, path)
        unknown = sorted(set(patch) - set(BOARD_KEYS))
        if unknown:
            raise _refuse(f"{path}.patch.{unknown[0]}", f"cannot be changed here; only {', '.join(BOARD_KEYS)} can")
        for key, value in patch.items():
            if value is None:
                document.pop(key, None)
            else:
                document[key] = merge_patch(document.get(key), value)
        return
    collection, action = name.split(".")
    items = document.setdefault(f"{collection}s", [])
    if action == "add":
        item = _require(op, collection, dict, path)
        if _find(items, item.get("id")) is not None:
            raise _refuse(f"{path}.{collection}.id", f"{item.get('id')!r} is already on the board")
        items.append(copy.deepcopy(item))
        return
    item_id = _require(op, "id", str, path)
    index = _find(items, item_id)
    if action == "delete":
        # Deleting what is already gone is no conflict: both people wanted it gone.
        if index is not None:
            items.pop(index)
        if collection not in STANDALONE:
            _drop_dependents(document, collection, item_id)
        return
    patch = _require(op, "patch", dict, path)
    if index is None:
        raise EditRefused("Someone else deleted what this edit changes.",
                          [{"path": f"{path}.id", "message": f"no {collection} {item_id!r} on the board"}])
    if "id" in patch:
        raise _refuse(f"{path}.patch.id", "cannot be changed")
    items[index] = merge_patch(items[index], patch)


def _drop_dependents(document: dict[str, Any], collection: str, item_id: str) -> None:
    """What cannot stay without a deleted component or connection: a component's connections, and
    the faults on either (someone may have added a fault to it meanwhile; the edit still applies)."""
    gone = {item_id}
    if collection == "node":
        edges = document.get("edges", [])
        gone |= {edge.get("id") for edge in edges if item_id in (edge.get("source"), edge.get("target"))}
        document["edges"] = [edge for edge in edges if edge.get("id") not in gone]
    if document.get("faults"):
        document["faults"] = [fault for fault in document["faults"]
                              if not (isinstance(fault, dict) and fault.get("target") in gone)]


def apply_ops(document: dict[str, Any], ops: Any) -> dict[str, Any]:
    """A new document: `ops` applied in order to `document` (which is left alone)."""
    return _apply_in_place(copy.deepcopy(document), ops)


def _apply_in_place(document: dict[str, Any], ops: Any) -> dict[str, Any]:
    if not isinstance(ops, list) or not 1 <= len(ops) <= MAX_OPS_PER_EDIT:
        raise _refuse("ops", f"must be a list of 1 to {MAX_OPS_PER_EDIT} operations")
    for index, op in enumerate(ops):
        _apply_one(document, op, f"ops[{index}]")
    return document


def _keep_history(board: Board, previous: int) -> None:
    """Move the newest history entry along when it is a recent live one, else start a new entry.

    Every write keeps the newest entry at the board's version, so the entry of version
    `previous` is the newest: one conditional update finds and moves it in a single query.
    """
    moved = BoardVersion.objects.filter(
        board=board, number=previous, live=True, created_at__gte=timezone.now() - HISTORY_WINDOW,
    ).update(number=board.version, title=board.title, document=board.document)
    if not moved:
        BoardVersion.objects.create(board=board, number=board.version, title=board.title, document=board.document,
                                    live=True)


def board_apply_ops(*, board_id: str | uuid.UUID, ops: Any, edit_id: str = "", author: str = "") -> Applied:
    """Apply one edit (a list of ops) to the board's current document, atomically.

    Concurrent edits from several connections serialise on the board's version: each one is
    applied to the newest stored document and written only if no other edit came in between
    (otherwise it is applied again to the newer document), so edits to different elements
    all survive and the last edit to one field wins. The stored edit is broadcast to the
    board's connections once committed, naming `author` (the sending connection drops its copy).
    """
    for _ in range(MAX_ATTEMPTS):
        board = board_get(board_id=board_id)
        # The document was just read for this attempt alone, so it is changed where it is: copying
        # it first (deepcopy) was a fifth of an edit's CPU, profiled on the example board.
        document = _apply_in_place(board.document, ops)
        try:
            check_document(document)
        except BoardValidationError as error:
            raise EditRefused("The edit would make the board invalid; it was not stored.", error.to_list()) from None
        with transaction.atomic():
            version = board.version + 1
            title = (document.get("title") or "Untitled board")[:200]
            stored = Board.objects.filter(pk=board.pk, version=board.version).update(
                document=document, title=title, version=version, updated_at=timezone.now())
            if not stored:
                continue
            board.document, board.title, board.version = document, title, version
            _keep_history(board, version - 1)
            payload = {"type": "edit", "id": edit_id, "ops": ops, "version": version, "client": author}
            # Queued, not awaited: the sender's ack does not wait for the others' copies.
            transaction.on_commit(lambda: board_broadcast_soon(board.pk, payload))
        return Applied(version=version)
    raise EditRefused("The board is too busy right now; the edit was not stored. Try again.",
                      [{"path": "", "message": f"gave up after {MAX_ATTEMPTS} concurrent writes"}])
