"""Board WebSocket access: a link's token as subprotocol or the owner's session; revoked links are closed."""

from __future__ import annotations

import pytest
import pytest_asyncio
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client

from architectures.access import token_regenerate
from architectures.consumers import CLOSE_NOT_FOUND, CLOSE_REVOKED
from architectures.services import board_create, board_update
from tests.access import socket_protocols
from whiteboard.asgi import application

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.integration]

HEADERS = [(b"origin", b"http://127.0.0.1:8000"), (b"host", b"127.0.0.1:8000")]


def socket(board, protocols: list[str], headers: list | None = None) -> WebsocketCommunicator:
    return WebsocketCommunicator(application, f"/ws/boards/{board.pk}/", headers=HEADERS + (headers or []),
                                 subprotocols=protocols)


async def joined(board, protocols: list[str], headers: list | None = None) -> WebsocketCommunicator:
    communicator = socket(board, protocols, headers)
    connected, subprotocol = await communicator.connect(timeout=5)
    assert connected and subprotocol == ("board" if "board" in protocols else None)
    assert (await communicator.receive_json_from(timeout=5))["type"] == "hello"
    return communicator


@pytest_asyncio.fixture
async def board(document, redis_url):
    return await sync_to_async(board_create)(document=document)


@pytest.mark.asyncio
@pytest.mark.parametrize("role", ["edit", "view"])
async def test_edit_and_view_tokens_open_the_socket_and_receive_saves(board, document, role):
    communicator = await joined(board, socket_protocols(getattr(board, f"{role}_token")))
    await sync_to_async(board_update)(board_id=board.pk, expected_version=1, document={**document, "title": "v2"})
    assert await communicator.receive_json_from(timeout=5) == {"type": "board.saved", "version": 2}
    await communicator.disconnect()


@pytest.mark.django_db(transaction=True)
def test_a_new_board_is_not_announced_and_each_save_is(document, monkeypatch):
    # A socket opened just after a board's creation used to receive the creation's queued
    # announcement (version 1) in place of the save it waited for.
    announced = []
    monkeypatch.setattr("architectures.services.board_broadcast_soon",
                        lambda board_id, payload: announced.append((board_id, payload)))
    board = board_create(document=document)
    assert announced == []
    board_update(board_id=board.pk, expected_version=1, document={**document, "title": "v2"})
    assert announced == [(board.pk, {"type": "board.saved", "version": 2})]


@pytest.mark.asyncio
@pytest.mark.parametrize("protocols", [[], ["board"], ["board", "token.wrong"], ["board", "token."]],
                         ids=["nothing", "no token", "wrong token", "empty token"])
async def test_a_socket_without_a_valid_token_is_closed_with_4404(board, protocols):
    connected, code = await socket(board, protocols).connect(timeout=5)
    assert not connected and code == CLOSE_NOT_FOUND


@pytest.mark.asyncio
async def test_another_boards_token_does_not_open_the_socket(board, document):
    other = await sync_to_async(board_create)(document=document)
    connected, code = await socket(board, socket_protocols(other.edit_token)).connect(timeout=5)
    assert not connected and code == CLOSE_NOT_FOUND


@pytest.mark.asyncio
async def test_the_owners_session_opens_the_socket_without_a_token(document, redis_url):
    def owner_session():
        user = get_user_model().objects.create_user("ada", password="a long enough password")
        client = Client()
        client.force_login(user)
        return user, client.cookies[settings.SESSION_COOKIE_NAME].value

    user, session = await sync_to_async(owner_session)()
    owned = await sync_to_async(board_create)(document=document, owner=user)
    cookie = [(b"cookie", f"{settings.SESSION_COOKIE_NAME}={session}".encode())]
    communicator = await joined(owned, ["board"], cookie)
    await communicator.disconnect()
    # The same session on a board it does not own is refused.
    connected, code = await socket(await sync_to_async(board_create)(document=document), ["board"], cookie).connect()
    assert not connected and code == CLOSE_NOT_FOUND


@pytest.mark.asyncio
async def test_regenerating_a_link_closes_the_sockets_that_used_it_at_once(board, document):
    old_view = board.view_token
    viewer = await joined(board, socket_protocols(old_view))
    editor = await joined(board, socket_protocols(board.edit_token))
    renewed = await sync_to_async(token_regenerate)(board=board, role="view")
    assert await viewer.receive_output(timeout=5) == {"type": "websocket.close", "code": CLOSE_REVOKED}
    # The edit link was not replaced: its socket stays open and still gets the board's events.
    await sync_to_async(board_update)(board_id=board.pk, expected_version=1, document={**document, "title": "v2"})
    assert await editor.receive_json_from(timeout=5) == {"type": "board.saved", "version": 2}
    await editor.disconnect()
    # The old view link no longer opens a socket; the new one does.
    assert await socket(board, socket_protocols(old_view)).connect(timeout=5) == (False, CLOSE_NOT_FOUND)
    assert renewed.view_token != old_view
    await (await joined(board, socket_protocols(renewed.view_token))).disconnect()
