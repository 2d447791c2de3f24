"""Two editors whose WebSockets are served by different server processes edit one board, as under several web workers."""

from __future__ import annotations

import asyncio
import json

import aiohttp
import pytest
from django.db import connection

from tests.early_env import free_port
from tests.processes import LOG_DIR, WebServerProcess, database_url_for

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.integration]


@pytest.fixture
def two_servers(redis_server, celery_worker, transactional_db):
    """Two separate web servers (gunicorn, one uvicorn worker each) on the test database and Redis."""
    env = {"DATABASE_URL": database_url_for(connection.settings_dict), "REDIS_URL": redis_server.url,
           "DEBUG": "false", "WRITE_RATE_LIMIT": "", "WEB_ACCESS_LOG": "false"}
    servers = []
    try:
        for index in range(2):
            port = free_port()
            servers.append(WebServerProcess(port=port, env=env, processes=1,
                                            log=LOG_DIR / f"web-cross-process-{port}.log").start())
        yield servers
    finally:
        for server in servers:
            server.stop()


class Editor:
    """One browser tab's socket: everything it received, by type."""

    def __init__(self, ws: aiohttp.ClientWebSocketResponse, hello: dict):
        self.ws, self.hello, self.inbox = ws, hello, asyncio.Queue()
        self.reader = asyncio.create_task(self._read())

    async def _read(self) -> None:
        async for message in self.ws:
            if message.type == aiohttp.WSMsgType.TEXT:
                await self.inbox.put(json.loads(message.data))

    async def next(self, kind: str, timeout: float = 20, **match) -> dict:
        """The next message of this type (and these fields), skipping the others."""
        async def wait() -> dict:
            while True:
                message = await self.inbox.get()
                if message.get("type") == kind and all(message.get(key) == value for key, value in match.items()):
                    return message
        return await asyncio.wait_for(wait(), timeout)

    async def close(self) -> None:
        self.reader.cancel()
        await self.ws.close()


async def open_editor(session: aiohttp.ClientSession, server: WebServerProcess, board: dict) -> Editor:
    ws = await session.ws_connect(f"ws://127.0.0.1:{server.port}/ws/boards/{board['id']}/",
                                  protocols=("board", f"token.{board['edit_token']}"), origin=server.url)
    hello = json.loads((await ws.receive(timeout=20)).data)
    assert hello["type"] == "hello"
    return Editor(ws, hello)


def node(node_id: str, x: int) -> dict:
    return {"id": node_id, "kind": "cache", "label": node_id, "position": {"x": x, "y": 40}}


@pytest.mark.asyncio
async def test_editors_on_two_server_processes_see_each_others_edits_presence_saves_and_runs(two_servers, document):
    first, second = two_servers
    assert first.proc.pid != second.proc.pid
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30)) as session:
        async with session.post(f"{first.url}/api/boards/", json={"document": document}) as answer:
            assert answer.status == 201
            board = await answer.json()
        token = {"X-Board-Token": board["edit_token"]}
        ann = await open_editor(session, first, board)
        bob = await open_editor(session, second, board)
        try:
            await ann.ws.send_json({"type": "presence", "name": "Ann", "colour": "#336699", "selection": []})
            seen = await bob.next("presence", client=ann.hello["client"])
            assert seen["name"] == "Ann" and seen["role"] == "edit"

            await ann.ws.send_json({"type": "edit", "id": "a1", "ops": [{"op": "node.add", "node": node("ann", 10)}]})
            assert (await ann.next("ack", id="a1"))["version"] == 2
            relayed = await bob.next("edit", id="a1")
            assert relayed["version"] == 2 and relayed["ops"][0]["node"]["id"] == "ann"

            await bob.ws.send_json({"type": "edit", "id": "b1", "ops": [{"op": "node.add", "node": node("bob", 200)}]})
            assert (await bob.next("ack", id="b1"))["version"] == 3
            assert (await ann.next("edit", id="b1"))["version"] == 3

            # Both edits at once, one on each process: both are stored, in some order, as versions 4 and 5.
            await asyncio.gather(
                ann.ws.send_json({"type": "edit", "id": "a2", "ops": [
                    {"op": "node.update", "id": "ann", "patch": {"position": {"x": 11, "y": 40}}}]}),
                bob.ws.send_json({"type": "edit", "id": "b2", "ops": [
                    {"op": "node.update", "id": "bob", "patch": {"position": {"x": 201, "y": 40}}}]}))
            versions = {(await ann.next("ack", id="a2"))["version"], (await bob.next("ack", id="b2"))["version"]}
            assert versions == {4, 5}

            # A REST save through the second process reaches the socket served by the first.
            async with session.get(f"{second.url}/api/boards/{board['id']}/", headers=token) as answer:
                current = await answer.json()
            assert current["version"] == 5
            positions = {item["id"]: item["position"]["x"] for item in current["document"]["nodes"]}
            assert positions["ann"] == 11 and positions["bob"] == 201
            current["document"]["title"] = "Saved through the other process"
            async with session.put(f"{second.url}/api/boards/{board['id']}/", headers=token,
                                   json={"version": 5, "document": current["document"]}) as answer:
                assert answer.status == 200
            assert (await ann.next("board.saved"))["version"] == 6

            # A run started through the first process reports to the socket of the second.
            async with session.post(f"{first.url}/api/boards/{board['id']}/runs/", headers=token,
                                    json={"requests": 20_000, "seed": 7}) as answer:
                assert answer.status == 202
                run = await answer.json()
            assert (await bob.next("run.started", timeout=60))["run"]["id"] == run["id"]
            finished = await bob.next("run.finished", timeout=90)
            assert finished["run"]["id"] == run["id"] and finished["run"]["status"] == "succeeded"
        finally:
            await ann.close()
            await bob.close()
