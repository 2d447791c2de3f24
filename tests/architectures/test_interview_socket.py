"""Interview events over the board WebSocket (real Redis channel layer): what candidates and observers are sent."""

from __future__ import annotations

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator

from architectures import interview
from architectures.services import board_create
from tests.access import socket_protocols
from whiteboard.asgi import application

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.integration]

HEADERS = [(b"origin", b"http://127.0.0.1:8000"), (b"host", b"127.0.0.1:8000")]


async def join(board, token: str) -> WebsocketCommunicator:
    communicator = WebsocketCommunicator(application, f"/ws/boards/{board.pk}/", headers=HEADERS,
                                         subprotocols=socket_protocols(token))
    connected, _ = await communicator.connect(timeout=5)
    assert connected
    assert (await communicator.receive_json_from(timeout=5))["type"] == "hello"
    return communicator


@pytest.mark.asyncio
async def test_session_events_reach_every_socket_without_the_hidden_cards_or_ratings(redis_url):
    board = await sync_to_async(board_create)(case_study="ad_click")
    candidate, observer = await join(board, board.edit_token), await join(board, board.view_token)

    started = await sync_to_async(interview.session_start)(board=board)
    for socket in (candidate, observer):
        message = await socket.receive_json_from(timeout=5)
        assert message["type"] == "interview" and message["event"]["kind"] == "start" and message["now"]
        assert message["session"]["curveballs"] == [] and message["session"]["ratings"] is None
        assert message["session"]["step"] == "requirements"

    session = started.session
    you = interview.INTERVIEWER
    await sync_to_async(interview.curveball_add)(session=session, you=you, title="Secret one",
                                                 change={"requirements": {"p99_ms": 30}})
    await sync_to_async(interview.ratings_update)(session=session, you=you, ratings={"data": {"score": 1}})
    await sync_to_async(interview.session_control)(session=session, you=you, action="pause")
    for socket in (candidate, observer):
        # The card written and the rating given are not sent; the pause is, and shows neither.
        message = await socket.receive_json_from(timeout=5)
        assert message["event"]["kind"] == "pause" and message["session"]["paused"] is True
        assert message["session"]["curveballs"] == [] and message["session"]["ratings"] is None

    await sync_to_async(interview.curveball_play)(session=session, you=you, card_id="feature_store_down")
    for socket in (candidate, observer):
        edit = await socket.receive_json_from(timeout=5)
        assert edit["type"] == "edit" and edit["client"] == interview.EDIT_AUTHOR and edit["version"] == 2
        assert edit["ops"][0]["op"] == "fault.add" and edit["ops"][0]["fault"]["target"] == "fs"
        message = await socket.receive_json_from(timeout=5)
        assert message["event"]["kind"] == "curveball.play" and message["event"]["data"]["version"] == 2
        assert [card["id"] for card in message["session"]["curveballs"]] == ["feature_store_down"]
        assert "undo_ops" not in message["session"]["curveballs"][0]
        assert await socket.receive_nothing(timeout=0.2)
    for socket in (candidate, observer):
        await socket.disconnect()
