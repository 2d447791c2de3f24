"""Sending board events to everyone connected to a board's channel-layer group."""

from __future__ import annotations

import logging
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)


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
