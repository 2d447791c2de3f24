"""Live co-editing over the board WebSocket: edits stored and broadcast, refusals, races, resync, limits, presence."""

from __future__ import annotations

import asyncio

import pytest
import pytest_asyncio
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator

from architectures.live_consumer import CLOSE_TOO_MANY_EDITS, LiveEditingMixin
from architectures.models import Board, BoardVersion
from architectures.services import board_create, board_update
from tests.access import socket_protocols
from whiteboard.asgi import application

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.integration]

HEADERS = [(b"origin", b"http://127.0.0.1:8000"), (b"host", b"127.0.0.1:8000")]
NEW_NODE = {"id": "cache", "kind": "cache", "label": "Feature cache", "position": {"x": 280, "y": 300},
            "config": {"hit_rate": 0.8}}


async def join(board, token: str | None = None) -> tuple[WebsocketCommunicator, dict]:
    communicator = WebsocketCommunicator(application, f"/ws/boards/{board.pk}/", headers=HEADERS,
                                         subprotocols=socket_protocols(token or board.edit_token))
    connected, _ = await communicator.connect(timeout=5)
    assert connected
    hello = await communicator.receive_json_from(timeout=5)
    assert hello["type"] == "hello"
    return communicator, hello


async def stored(board) -> Board:
    return await sync_to_async(Board.objects.get)(pk=board.pk)


def node(document: dict, node_id: str) -> dict:
    return next(item for item in document["nodes"] if item["id"] == node_id)


@pytest_asyncio.fixture
async def board(document, redis_url):
    return await sync_to_async(board_create)(document=document)


@pytest.mark.asyncio
async def test_edit_is_stored_acknowledged_and_sent_to_the_others(board):
    (alice, hello_a), (bob, _) = await join(board), await join(board)
    ops = [{"op": "node.add", "node": NEW_NODE},
           {"op": "edge.add", "edge": {"id": "e4", "source": "fs", "target": "cache", "mode": "sync"}}]
    await alice.send_json_to({"type": "edit", "id": "a1", "ops": ops})

    assert await alice.receive_json_from(timeout=5) == {"type": "ack", "id": "a1", "version": 2}
    assert await bob.receive_json_from(timeout=5) == {"type": "edit", "id": "a1", "ops": ops, "version": 2,
                                                      "client": hello_a["client"]}
    assert await alice.receive_nothing(timeout=0.2)  # no echo of her own edit
    row = await stored(board)
    assert row.version == 2
    assert node(row.document, "cache") == NEW_NODE
    assert row.document["edges"][-1]["id"] == "e4"
    for communicator in (alice, bob):
        await communicator.disconnect()


@pytest.mark.asyncio
async def test_edit_that_would_make_the_board_invalid_is_refused_and_nothing_is_stored(board, document):
    (alice, _), (bob, _) = await join(board), await join(board)
    await alice.send_json_to({"type": "edit", "id": "bad", "ops": [
        {"op": "node.update", "id": "ms", "patch": {"label": "Bigger", "config": {"replicas": 0}}}]})

    error = await alice.receive_json_from(timeout=5)
    assert error["type"] == "error" and error["id"] == "bad" and error["code"] == "refused"
    assert [item["path"] for item in error["errors"]] == ["nodes[2].config.replicas"]
    assert await bob.receive_nothing(timeout=0.3)
    row = await stored(board)
    assert row.version == 1 and row.document == document
    assert await sync_to_async(BoardVersion.objects.filter(board=board).count)() == 1
    for communicator in (alice, bob):
        await communicator.disconnect()


@pytest.mark.asyncio
async def test_edit_of_a_sync_cycle_and_a_dangling_edge_are_refused_with_located_errors(board):
    (alice, _) = await join(board)
    await alice.send_json_to({"type": "edit", "id": "cycle", "ops": [
        {"op": "edge.add", "edge": {"id": "back", "source": "ms", "target": "gw", "mode": "sync"}}]})
    error = await alice.receive_json_from(timeout=5)
    assert error["code"] == "refused" and error["errors"][0]["path"] == "edges"
    assert "cycle" in error["errors"][0]["message"]
    await alice.send_json_to({"type": "edit", "id": "gone", "ops": [
        {"op": "node.update", "id": "nope", "patch": {"label": "x"}}]})
    error = await alice.receive_json_from(timeout=5)
    assert error["errors"] == [{"path": "ops[0].id", "message": "no node 'nope' on the board"}]
    assert (await stored(board)).version == 1
    await alice.disconnect()


@pytest.mark.asyncio
async def test_simultaneous_edits_of_different_nodes_both_survive(board):
    (alice, _), (bob, _) = await join(board), await join(board)
    await asyncio.gather(
        alice.send_json_to({"type": "edit", "id": "a", "ops": [
            {"op": "node.update", "id": "gw", "patch": {"position": {"x": 10, "y": 20}}}]}),
        bob.send_json_to({"type": "edit", "id": "b", "ops": [
            {"op": "node.update", "id": "ms", "patch": {"config": {"replicas": 12}}},
            {"op": "node.add", "node": NEW_NODE}]}),
    )
    acks = [await alice.receive_json_from(timeout=5), await bob.receive_json_from(timeout=5)]
    assert {ack["type"] for ack in acks} == {"ack"}
    assert sorted(ack["version"] for ack in acks) == [2, 3]
    document = (await stored(board)).document
    assert node(document, "gw")["position"] == {"x": 10, "y": 20}
    assert node(document, "ms")["config"] == {"replicas": 12, "max_batch_size": 16, "max_batch_delay_ms": 2}
    assert node(document, "cache") == NEW_NODE
    for communicator in (alice, bob):
        await communicator.disconnect()


@pytest.mark.asyncio
async def test_same_field_edited_at_once_ends_with_the_later_version_everywhere(board):
    (alice, _), (bob, _) = await join(board), await join(board)
    await asyncio.gather(
        alice.send_json_to({"type": "edit", "id": "a", "ops": [{"op": "node.update", "id": "gw", "patch": {"label": "Alice"}}]}),
        bob.send_json_to({"type": "edit", "id": "b", "ops": [{"op": "node.update", "id": "gw", "patch": {"label": "Bob"}}]}),
    )
    # Each side gets its own ack and the other's edit, in either order; applying both in version
    # order (what the editor does) gives the same label the database holds.
    seen = {}
    for communicator in (alice, bob):
        messages = [await communicator.receive_json_from(timeout=5) for _ in range(2)]
        assert sorted(message["type"] for message in messages) == ["ack", "edit"]
        seen.update({message["id"]: message["version"] for message in messages})
    last = max(seen, key=seen.get)
    assert sorted(seen.values()) == [2, 3]
    assert node((await stored(board)).document, "gw")["label"] == {"a": "Alice", "b": "Bob"}[last]
    for communicator in (alice, bob):
        await communicator.disconnect()


@pytest.mark.asyncio
async def test_reconnected_client_learns_the_new_version_and_resyncs(board):
    alice, hello = await join(board)
    assert hello["version"] == 1
    await alice.disconnect()
    bob, _ = await join(board)
    await bob.send_json_to({"type": "edit", "id": "b", "ops": [{"op": "board.update", "patch": {
        "title": "Renamed while Alice was away", "notes": {"data": "click logs, 1% positives"}}}]})
    assert (await bob.receive_json_from(timeout=5))["version"] == 2

    alice, hello = await join(board)
    assert hello["version"] == 2
    await alice.send_json_to({"type": "sync"})
    sync = await alice.receive_json_from(timeout=5)
    assert sync["type"] == "sync" and sync["version"] == 2
    assert sync["document"] == (await stored(board)).document
    assert sync["document"]["title"] == "Renamed while Alice was away"
    assert sync["document"]["notes"]["data"] == "click logs, 1% positives"
    assert sync["document"]["notes"]["requirements"] == "2k QPS at peak"  # merged, not replaced
    for communicator in (alice, bob):
        await communicator.disconnect()


@pytest.mark.asyncio
async def test_deleting_a_node_removes_its_edges_and_live_edits_share_one_history_entry(board):
    alice, _ = await join(board)
    await alice.send_json_to({"type": "edit", "id": "1", "ops": [{"op": "node.delete", "id": "fs"}]})
    assert (await alice.receive_json_from(timeout=5))["type"] == "ack"
    for step in range(5):
        await alice.send_json_to({"type": "edit", "id": f"m{step}", "ops": [
            {"op": "node.update", "id": "gw", "patch": {"position": {"x": 100 + step, "y": 120}}}]})
        assert (await alice.receive_json_from(timeout=5))["version"] == 3 + step
    row = await stored(board)
    assert [edge["id"] for edge in row.document["edges"]] == ["e3"]
    numbers = await sync_to_async(list)(BoardVersion.objects.filter(board=board).values_list("number", flat=True))
    # Version 1 (as created) stays; the six live edits of this minute are one entry, the newest.
    assert sorted(numbers) == [1, 7]
    newest = await sync_to_async(BoardVersion.objects.get)(board=board, number=7)
    assert newest.document == row.document

    # A REST save keeps its own entry: the next live edit starts a new one rather than changing it.
    await sync_to_async(board_update)(board_id=board.pk, expected_version=7,
                                      document={**row.document, "title": "Saved over REST"})
    assert (await alice.receive_json_from(timeout=5)) == {"type": "board.saved", "version": 8}
    await alice.send_json_to({"type": "edit", "id": "after", "ops": [{"op": "board.update", "patch": {"title": "Live"}}]})
    assert (await alice.receive_json_from(timeout=5))["version"] == 9
    entries = await sync_to_async(list)(BoardVersion.objects.filter(board=board).order_by("number").values_list(
        "number", "title"))
    assert entries == [(1, "Ad click prediction"), (7, "Ad click prediction"), (8, "Saved over REST"), (9, "Live")]
    await alice.disconnect()


@pytest.mark.asyncio
async def test_edits_past_the_limit_are_refused_and_a_flood_closes_the_connection(board, monkeypatch):
    # Small limits that do not refill during the test, so the count is exact on a slow machine.
    monkeypatch.setattr(LiveEditingMixin, "EDIT_BURST", 3)
    monkeypatch.setattr(LiveEditingMixin, "EDIT_RATE", 0.001)
    monkeypatch.setattr(LiveEditingMixin, "STRIKE_BURST", 2)
    monkeypatch.setattr(LiveEditingMixin, "STRIKE_RATE", 0.001)
    alice, _ = await join(board)
    codes = []
    for step in range(5):
        await alice.send_json_to({"type": "edit", "id": str(step), "ops": [
            {"op": "board.update", "patch": {"title": f"Title {step}"}}]})
        answer = await alice.receive_json_from(timeout=5)
        codes.append(answer["type"] if answer["type"] == "ack" else answer["code"])
    assert codes == ["ack", "ack", "ack", "rate_limited", "rate_limited"]
    assert (await stored(board)).document["title"] == "Title 2"
    await alice.send_json_to({"type": "edit", "id": "5", "ops": [{"op": "board.update", "patch": {"title": "x"}}]})
    assert await alice.receive_output(timeout=5) == {"type": "websocket.close", "code": CLOSE_TOO_MANY_EDITS}
    assert (await stored(board)).document["title"] == "Title 2"


@pytest.mark.asyncio
async def test_malformed_messages_get_an_error_and_change_nothing(board):
    alice, _ = await join(board)
    for message, path in [({"type": "edit", "id": "x", "ops": "all"}, "ops"),
                          ({"type": "edit", "id": "y", "ops": [{"op": "board.update", "patch": {"nodes": []}}]},
                           "ops[0].patch.nodes"),
                          ({"type": "edit", "id": "z", "ops": [{"op": "node.add", "node": {"id": "gw"}}]},
                           "ops[0].node.id")]:
        await alice.send_json_to(message)
        error = await alice.receive_json_from(timeout=5)
        assert error["type"] == "error" and error["errors"][0]["path"] == path
    await alice.send_to(text_data="not json")
    assert (await alice.receive_json_from(timeout=5))["code"] == "malformed"
    assert (await stored(board)).version == 1
    await alice.disconnect()


@pytest.mark.asyncio
async def test_presence_and_cursors_reach_the_others_and_latecomers_learn_who_is_here(board):
    (alice, hello_a), (bob, hello_b) = await join(board), await join(board)
    await alice.send_json_to({"type": "presence", "name": "<b>Alice</b>", "colour": "#e11d48", "selection": ["gw"]})
    presence = await bob.receive_json_from(timeout=5)
    assert presence == {"type": "presence", "client": hello_a["client"], "name": "<b>Alice</b>", "colour": "#e11d48",
                        "role": "edit", "selection": ["gw"]}
    await alice.send_json_to({"type": "cursor", "x": 120.25, "y": "no"})
    assert await bob.receive_json_from(timeout=5) == {"type": "cursor", "client": hello_a["client"], "x": 120.2,
                                                      "y": None}
    assert await alice.receive_nothing(timeout=0.2)

    carol, _ = await join(board)
    await carol.send_json_to({"type": "presence", "name": "", "colour": "red"})
    assert await carol.receive_json_from(timeout=5) == presence  # Alice introduces herself to the newcomer
    assert await carol.receive_nothing(timeout=0.2)  # Bob never said who he is
    joined = await alice.receive_json_from(timeout=5)
    assert joined["name"] == "Guest" and joined["colour"] == "#64748b"
    await bob.receive_json_from(timeout=5)

    await carol.disconnect()
    assert (await alice.receive_json_from(timeout=5))["type"] == "presence.leave"
    assert hello_b["client"] != hello_a["client"]
    for communicator in (alice, bob):
        await communicator.disconnect()


@pytest.mark.asyncio
async def test_view_link_is_seen_by_the_others_but_its_edits_are_refused(board, document):
    (alice, _), (viewer, hello_v) = await join(board), await join(board, token=board.view_token)
    await viewer.send_json_to({"type": "edit", "id": "v1", "ops": [{"op": "node.delete", "id": "gw"}]})
    error = await viewer.receive_json_from(timeout=5)
    assert (error["type"], error["id"], error["code"]) == ("error", "v1", "read_only")
    assert "view-only" in error["detail"]
    assert await alice.receive_nothing(timeout=0.3)
    assert (await stored(board)).document == document

    await viewer.send_json_to({"type": "presence", "name": "Observer", "colour": "#0891b2"})
    presence = await alice.receive_json_from(timeout=5)
    assert (presence["client"], presence["name"], presence["role"]) == (hello_v["client"], "Observer", "view")
    # The viewer still sees the others' edits live.
    await alice.send_json_to({"type": "edit", "id": "a1", "ops": [{"op": "node.delete", "id": "log"}]})
    assert (await alice.receive_json_from(timeout=5))["type"] == "ack"
    assert (await viewer.receive_json_from(timeout=5))["id"] == "a1"
    for communicator in (alice, viewer):
        await communicator.disconnect()


@pytest.mark.asyncio
async def test_faults_added_at_once_by_two_people_both_survive_and_a_bad_window_is_refused_at_its_field(board):
    (alice, _), (bob, _) = await join(board), await join(board)
    outage = {"id": "fa", "type": "outage", "target": "fs", "at_s": 2, "duration_s": 3}
    slowdown = {"id": "fb", "type": "slowdown", "target": "ms", "at_s": 4, "duration_s": 3, "factor": 2}
    await asyncio.gather(alice.send_json_to({"type": "edit", "id": "a", "ops": [{"op": "fault.add", "fault": outage}]}),
                         bob.send_json_to({"type": "edit", "id": "b", "ops": [{"op": "fault.add", "fault": slowdown}]}))
    acks = [await alice.receive_json_from(timeout=5), await bob.receive_json_from(timeout=5)]
    assert {ack["type"] for ack in acks} == {"ack"}, acks
    assert sorted(fault["id"] for fault in (await stored(board)).document["faults"]) == ["fa", "fb"]
    # Each sees the other's fault as an edit.
    assert (await alice.receive_json_from(timeout=5))["ops"][0]["fault"] in (outage, slowdown)

    await alice.send_json_to({"type": "edit", "id": "bad", "ops": [
        {"op": "fault.update", "id": "fa", "patch": {"duration_s": -1}}]})
    error = await alice.receive_json_from(timeout=5)
    assert error["code"] == "refused" and error["errors"][0]["path"] == "faults[0].duration_s", error
    assert (await stored(board)).version == 3
    for communicator in (alice, bob):
        await communicator.disconnect()
