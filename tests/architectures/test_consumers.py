"""The board WebSocket: unknown boards are refused; saves reach every connected client."""

from __future__ import annotations

import pytest
from channels.testing import WebsocketCommunicator
from asgiref.sync import sync_to_async

from architectures.services import board_create, board_update
from whiteboard.asgi import application
from tests.access import socket_protocols

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.integration]

HEADERS = [(b"origin", b"http://127.0.0.1:8000"), (b"host", b"127.0.0.1:8000")]


@pytest.mark.asyncio
async def test_unknown_board_socket_is_closed_with_4404(redis_url):
    communicator = WebsocketCommunicator(application, "/ws/boards/00000000-0000-4000-8000-000000000000/",
                                         headers=HEADERS)
    connected, code = await communicator.connect()
    assert not connected and code == 4404


@pytest.mark.asyncio
async def test_save_is_broadcast_to_every_client_of_the_board(redis_url, document):
    board = await sync_to_async(board_create)(document=document)
    clients = [WebsocketCommunicator(application, f"/ws/boards/{board.pk}/", headers=HEADERS,
                                     subprotocols=socket_protocols(board.edit_token)) for _ in range(2)]
    for communicator in clients:
        connected, _ = await communicator.connect()
        assert connected
        hello = await communicator.receive_json_from(timeout=5)
        assert hello == {"type": "hello", "board_id": str(board.pk), "version": 1, "active_runs": [],
                         "client": hello["client"]}
    await sync_to_async(board_update)(board_id=board.pk, expected_version=1, document={**document, "title": "v2"})
    for communicator in clients:
        assert await communicator.receive_json_from(timeout=5) == {"type": "board.saved", "version": 2}
        await communicator.disconnect()
