"""Sending board events to everyone connected to a board's channel-layer group."""

from __future__ import annotations

import asyncio
import logging
import os
import threading
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

# Events waiting for the sender; past this (Redis down for long) new ones are dropped and logged:
# every page resyncs from the database when its socket comes back, so nothing stored is lost.
MAX_PENDING = 10_000


def board_group(board_id: object) -> str:
    return f"board.{board_id}"


def board_broadcast(board_id: object, payload: dict[str, Any]) -> bool:
    """Forward `payload` to the board's WebSocket clients; False (and a log line) if Redis is down.

    A save must not fail because live delivery failed: the data is already committed and
    clients resync on reconnect.
    """
    return board_group_send(board_id, {"type": "board.event", "payload": payload}, what=payload.get("type"))


def board_group_send(board_id: object, message: dict[str, Any], what: str | None = None) -> bool:
    """Send a channel-layer message to the board's group (its consumers handle `message["type"]`)."""
    layer = get_channel_layer()
    if layer is None:
        return False
    try:
        async_to_sync(layer.group_send)(board_group(board_id), message)
    except (OSError, RedisError) as error:
        logger.warning("could not broadcast %s to board %s: %s", what or message.get("type"), board_id, error)
        return False
    return True


async def board_broadcast_async(board_id: object, payload: dict[str, Any]) -> bool:
    """`board_broadcast` for code already on an event loop (the WebSocket consumers)."""
    layer = get_channel_layer()
    if layer is None:
        return False
    try:
        await layer.group_send(board_group(board_id), {"type": "board.event", "payload": payload})
    except (OSError, RedisError) as error:
        logger.warning("could not broadcast %s to board %s: %s", payload.get("type"), board_id, error)
        return False
    return True


class _Sender:
    """One thread per process with an event loop of its own that sends queued events in order.

    `async_to_sync` around a group send from a request's thread costs a new event loop, a new
    Redis connection and a thread hand-off per call (about 7 ms of a 20 ms save, profiled); the
    request waited for all of it, and for Redis's retries when Redis was down.
    """

    def __init__(self) -> None:
        self.pid = os.getpid()
        self.loop = asyncio.new_event_loop()
        self.queue: asyncio.Queue[tuple[object, dict[str, Any]]] = asyncio.Queue(MAX_PENDING)
        self.thread = threading.Thread(target=self._run, name="board-broadcast", daemon=True)
        self.thread.start()

    def _run(self) -> None:
        asyncio.set_event_loop(self.loop)
        self.loop.run_until_complete(self._drain())

    async def _drain(self) -> None:
        while True:
            board_id, payload = await self.queue.get()
            await board_broadcast_async(board_id, payload)
            self.queue.task_done()

    def _put(self, item: tuple[object, dict[str, Any]]) -> None:
        try:
            self.queue.put_nowait(item)
        except asyncio.QueueFull:
            logger.warning("dropped the %s event of board %s: %d events already wait for Redis",
                           item[1].get("type"), item[0], MAX_PENDING)

    def submit(self, board_id: object, payload: dict[str, Any]) -> None:
        self.loop.call_soon_threadsafe(self._put, (board_id, payload))

    def flush(self, timeout: float) -> bool:
        """Wait until every event submitted so far was sent (or failed); False on time-out."""
        done = asyncio.run_coroutine_threadsafe(self.queue.join(), self.loop)
        try:
            done.result(timeout)
        except TimeoutError:
            return False
        return True


_sender: _Sender | None = None
_sender_lock = threading.Lock()


def _current_sender() -> _Sender:
    global _sender
    with _sender_lock:
        # A forked child (a Celery pool process, a test server) needs a thread of its own.
        if _sender is None or _sender.pid != os.getpid():
            _sender = _Sender()
        return _sender


def board_broadcast_soon(board_id: object, payload: dict[str, Any]) -> None:
    """`board_broadcast` without waiting: queued for this process's sender, which keeps their order."""
    _current_sender().submit(board_id, payload)


def broadcasts_flush(timeout: float = 5.0) -> bool:
    """Wait for the queued broadcasts of this process (tests, and a process about to exit)."""
    return _sender is None or _sender.pid != os.getpid() or _sender.flush(timeout)
