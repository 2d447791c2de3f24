"""The live co-editing half of the board WebSocket consumer: edits, resync, presence, cursors and per-connection limits.

Messages a client sends (JSON objects with a `type`):

- `edit`     {"id", "ops": [...]}: applied by `live_edits.board_apply_ops`; answered with `ack`
             {"id", "version"} or `error` {"id", "code", "detail", "errors"}; the others get the
             edit as {"type": "edit", "id", "ops", "version", "client"}.
- `sync`     answered with {"type": "sync", "version", "document"} (after a reconnect or a gap).
- `presence` {"name", "colour", "selection": [ids]}: who this connection is and what it selected.
- `cursor`   {"x", "y"} in board coordinates, or nulls when the pointer left the canvas.

The server also sends `interview` {"event", "session", "now"} after each event of the board's mock
interview (architectures/interview.py); its controls are REST calls, not socket messages.
"""

from __future__ import annotations

import asyncio
import json
import re
import secrets
import time
import weakref
from typing import Any

from architectures.live_edits import EditRefused, board_apply_ops
from architectures.selectors import BoardNotFound, board_get, board_version_number
from whiteboard.pool import database_call

# Close code when a connection keeps sending edits past its limit (see README, "Live co-editing").
CLOSE_TOO_MANY_EDITS = 4429
MAX_MESSAGE_CHARS = 2_000_000  # a whole pasted board fits; anything bigger is not an edit
MAX_NAME_CHARS = 40
MAX_SELECTION = 300
COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")


class TokenBucket:
    """`capacity` messages at once, refilled at `rate` per second."""

    def __init__(self, capacity: float, rate: float, clock=time.monotonic):
        self.capacity, self.rate, self.clock = capacity, rate, clock
        self.tokens = capacity
        self.stamp = clock()

    def take(self) -> bool:
        now = self.clock()
        self.tokens = min(self.capacity, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        if self.tokens >= 1:
            self.tokens -= 1
            return True
        return False


def _number(value: Any) -> float | None:
    if isinstance(value, (int, float)) and not isinstance(value, bool) and abs(value) <= 1e7:
        return round(float(value), 1)
    return None


# One lock per board and event loop, held by the board's connections in this process: its edits
# wait for each other here instead of racing to the compare-and-swap, which lets only one of
# them through and makes the rest read, apply and validate again. Other processes' edits of the
# board still meet at the compare-and-swap.
_edit_locks: weakref.WeakValueDictionary[tuple[int, Any], asyncio.Lock] = weakref.WeakValueDictionary()


def board_edit_lock(board_id: Any) -> asyncio.Lock:
    key = (id(asyncio.get_running_loop()), board_id)
    lock = _edit_locks.get(key)
    if lock is None:
        lock = _edit_locks[key] = asyncio.Lock()
    return lock


class LiveEditingMixin:
    """Mixed into the board consumer, which sets `self.board_id` and `self.group` before `live_join`."""

    # A drag sends up to 20 edits a second; a burst (a paste, a fast typist) may go well above for a moment.
    EDIT_BURST, EDIT_RATE = 60, 30
    # Refused edits a connection may pile up (refilled slowly) before it is closed.
    STRIKE_BURST, STRIKE_RATE = 60, 2
    CURSOR_BURST, CURSOR_RATE = 60, 40

    client_id: str = ""
    presence: dict[str, Any] | None = None

    async def live_join(self) -> None:
        self.client_id = secrets.token_hex(6)
        self.edits = TokenBucket(self.EDIT_BURST, self.EDIT_RATE)
        self.strikes = TokenBucket(self.STRIKE_BURST, self.STRIKE_RATE)
        self.cursors = TokenBucket(self.CURSOR_BURST, self.CURSOR_RATE)
        self.edit_lock = board_edit_lock(self.board_id)

    async def version_now(self) -> int:
        """The board's version, read after joining the group: every later edit reaches this connection."""
        try:
            return await database_call(board_version_number)(board_id=self.board_id)
        except BoardNotFound:
            return 0  # deleted this instant: the client's sync then answers not_found

    async def live_leave(self) -> None:
        if self.client_id and self.group:
            await self._forward({"type": "presence.leave", "client": self.client_id})

    @property
    def can_edit(self) -> bool:
        # Until a connection's role is known (view links), every connection may edit.
        return getattr(self, "role", "edit") == "edit"

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        if text_data is None or len(text_data) > MAX_MESSAGE_CHARS:
            await self._error("", "malformed", f"Messages must be JSON text of at most {MAX_MESSAGE_CHARS} characters.")
            return
        try:
            message = json.loads(text_data)
        except ValueError:
            await self._error("", "malformed", "The message is not JSON.")
            return
        await self.receive_json(message)

    async def receive_json(self, message: Any, **kwargs: Any) -> None:
        kind = message.get("type") if isinstance(message, dict) else None
        handler = {"edit": self._on_edit, "sync": self._on_sync, "presence": self._on_presence, "cursor": self._on_cursor}.get(kind)
        if handler is None:
            await self._error("", "malformed", "Unknown message type; expected edit, sync, presence or cursor.")
            return
        await handler(message)

    async def _on_edit(self, message: dict) -> None:
        edit_id = str(message.get("id", ""))[:64]
        if not self.can_edit:
            await self._error(edit_id, "read_only", "This is a view-only link: edits are not accepted.")
            return
        if not self.edits.take():
            if not self.strikes.take():
                await self.close(code=CLOSE_TOO_MANY_EDITS)
                return
            await self._error(edit_id, "rate_limited",
                              f"Too many edits: at most {self.EDIT_RATE} a second. This edit was not stored.")
            return
        try:
            async with self.edit_lock:
                applied = await database_call(board_apply_ops)(
                    board_id=self.board_id, ops=message.get("ops"), edit_id=edit_id, author=self.client_id)
        except EditRefused as refused:
            self.strikes.take()
            await self._error(edit_id, "refused", refused.detail, refused.errors)
            return
        except BoardNotFound:
            await self._error(edit_id, "not_found", "The board was deleted.")
            return
        await self.send_json({"type": "ack", "id": edit_id, "version": applied.version})

    async def _on_sync(self, message: dict) -> None:
        try:
            board = await database_call(board_get)(board_id=self.board_id)
        except BoardNotFound:
            await self._error("", "not_found", "The board was deleted.")
            return
        await self.send_json({"type": "sync", "version": board.version, "document": board.document})

    async def _on_presence(self, message: dict) -> None:
        if not self.cursors.take():
            return
        name = message.get("name")
        colour = message.get("colour")
        selection = message.get("selection")
        first = self.presence is None
        self.presence = {
            "type": "presence",
            "client": self.client_id,
            "name": name.strip()[:MAX_NAME_CHARS] if isinstance(name, str) and name.strip() else "Guest",
            "colour": colour if isinstance(colour, str) and COLOUR.match(colour) else "#64748b",
            "role": getattr(self, "role", "edit"),
            "selection": [str(item)[:64] for item in selection[:MAX_SELECTION]] if isinstance(selection, list) else [],
        }
        await self._forward(self.presence)
        if first:
            # Everyone already here tells the newcomer who they are (see presence_request).
            await self.channel_layer.group_send(self.group, {"type": "presence.request", "reply_to": self.channel_name})

    async def _on_cursor(self, message: dict) -> None:
        # Cursors are never stored; over the limit they are dropped without a word.
        if self.cursors.take():
            await self._forward({"type": "cursor", "client": self.client_id,
                                 "x": _number(message.get("x")), "y": _number(message.get("y"))})

    async def presence_request(self, event: dict) -> None:
        if event["reply_to"] != self.channel_name and self.presence:
            await self.channel_layer.send(event["reply_to"], {"type": "board.event", "payload": self.presence})

    async def _forward(self, payload: dict) -> None:
        await self.channel_layer.group_send(self.group, {"type": "board.event", "payload": payload})

    def echoes_own(self, payload: dict) -> bool:
        """The group's copy of this connection's own edit, presence or cursor: not sent back."""
        return bool(self.client_id) and payload.get("client") == self.client_id

    async def _error(self, edit_id: str, code: str, detail: str, errors: list[dict] | None = None) -> None:
        await self.send_json({"type": "error", "id": edit_id, "code": code, "detail": detail,
                              "errors": errors or [{"path": "", "message": detail}]})
