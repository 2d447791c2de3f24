"""With Redis down, saves still succeed (live delivery is best effort); when it is back, events flow again."""

from __future__ import annotations

import copy

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator

from architectures.broadcast import broadcasts_flush
from architectures.models import Board
from architectures.services import board_create, board_update
from tests.early_env import free_port
from tests.processes import RedisProcess
from tests.access import socket_protocols

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.integration]

HEADERS = [(b"origin", b"http://127.0.0.1:8000"), (b"host", b"127.0.0.1:8000")]


def layers_at(url: str) -> dict:
    from whiteboard.settings import channel_layers_for

    return channel_layers_for(url)


def test_save_succeeds_and_is_stored_while_redis_is_down(api, document, settings):
    settings.CHANNEL_LAYERS = layers_at(f"redis://127.0.0.1:{free_port()}/0")
    board = api.post("/api/boards/", {"document": document}, format="json").json()
    changed = {**copy.deepcopy(document), "title": "Saved during an outage"}
    response = api.put(f"/api/boards/{board['id']}/", {"version": 1, "document": changed}, format="json")
    assert response.status_code == 200
    assert Board.objects.get(pk=board["id"]).title == "Saved during an outage"


@pytest.mark.asyncio
async def test_events_flow_again_after_redis_restarts(document, settings):
    from whiteboard.asgi import application

    redis = RedisProcess(f"redis://127.0.0.1:{free_port()}/0").start()
    settings.CHANNEL_LAYERS = layers_at(redis.url)
    try:
        board = await sync_to_async(board_create)(document=document)
        # Broadcasts are sent by a thread of their own; the creation's must be out before the outage.
        assert await sync_to_async(broadcasts_flush)()
        await sync_to_async(redis.stop)()
        await sync_to_async(redis.start)()
        viewer = WebsocketCommunicator(application, f"/ws/boards/{board.pk}/", headers=HEADERS,
                                    subprotocols=socket_protocols(board.edit_token))
        assert (await viewer.connect())[0]
        assert (await viewer.receive_json_from(timeout=5))["type"] == "hello"
        await sync_to_async(board_update)(board_id=board.pk, expected_version=1, document={**document, "title": "x"})
        assert await viewer.receive_json_from(timeout=5) == {"type": "board.saved", "version": 2}
        await viewer.disconnect()
    finally:
        redis.stop()
