"""Whiteboard features in two browsers at once: notes, frames, bends, align and distribute; panning with a hand."""

from __future__ import annotations

import urllib.request

import pytest
from playwright.sync_api import expect

from tests.browser.editor_page import EditorPage, wait_for
from tests.browser.people import create_board, stored

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

GRAPH = "window.boardEditor.editor.graph"
STATE = "window.boardEditor.state"


def board(*nodes: tuple[str, str, int, int], edges: list[dict] | None = None, annotations: list[dict] | None = None) -> dict:
    document = {
        "schema_version": 1, "title": "Whiteboard",
        "nodes": [{"id": node_id, "kind": kind, "position": {"x": x, "y": y}} for node_id, kind, x, y in nodes],
        "edges": edges or [],
    }
    if annotations is not None:
        document["annotations"] = annotations
    return document


def annotation(person, annotation_id: str) -> dict | None:
    return person.page.evaluate(f"{STATE}.annotation({annotation_id!r}) ?? null")


def cell_box(page, cell_id: str) -> dict:
    return page.locator(f'#canvas g.x6-node[data-cell-id="{cell_id}"]').bounding_box()


def test_sticky_notes_and_texts_are_written_coloured_resized_and_undone_in_both_browsers(pair, site, artifacts):
    alice, bob = pair
    shared = create_board(alice, board(("gw", "gateway", 80, 120)))
    alice.open(site, shared)
    bob.open(site, shared)

    # Alice adds a sticky note with its key and types into it; Bob sees the note and its text.
    alice.page.locator("#canvas").focus()
    alice.page.keyboard.press("n")
    editor = alice.page.locator("textarea.annotation-editor")
    expect(editor).to_be_focused()
    editor.fill("Why 8 replicas?\nAsk about the peak")
    editor.press("Control+Enter")
    sticky = alice.page.evaluate(f"{STATE}.annotations()[0].id")
    wait_for(bob.page, f"{STATE}.annotation({sticky!r})?.text === 'Why 8 replicas?\\nAsk about the peak'")
    expect(bob.page.locator(f'g[data-cell-id="{sticky}"] text')).to_contain_text("Why 8 replicas?")
    assert annotation(bob, sticky)["color"] == "yellow"
    expect(alice.page.locator("#panel-properties")).to_contain_text("A sticky note on the board (never simulated)")

    # A colour from the palette in the selection bar; Bob's note is drawn in it.
    alice.page.locator('.wb-swatch[data-colour="blue"]').click()
    wait_for(bob.page, f"{STATE}.annotation({sticky!r}).color === 'blue'")
    fill = bob.page.locator(f'g[data-cell-id="{sticky}"] rect').first.get_attribute("fill")
    assert fill == "#dbeafe"

    # Resizing by the corner handle: the new size reaches Bob.
    before = annotation(alice, sticky)
    handle = alice.page.locator(".x6-widget-transform-resize[data-position='bottom-right']")
    box = handle.bounding_box()
    alice.page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    alice.page.mouse.down()
    alice.page.mouse.move(box["x"] + 80, box["y"] + 50, steps=6)
    alice.page.mouse.up()
    alice.settled()
    resized = annotation(alice, sticky)
    assert resized["w"] > before["w"] + 40 and resized["h"] > before["h"] + 20
    wait_for(bob.page, f"({{w, h}}) => {{ const a = {STATE}.annotation({sticky!r}); return a.w === w && a.h === h; }}", resized)
    for person in pair:  # its own line break kept, the text wraps in the new size on both screens
        lines = person.page.locator(f'g[data-cell-id="{sticky}"] text tspan')
        expect(lines).to_have_text(["Why 8 replicas?", "Ask about the peak"])

    # Free text with T, then one undo takes the text away again on both screens.
    alice.page.locator("#canvas").focus()
    alice.page.keyboard.press("t")
    alice.page.locator("textarea.annotation-editor").fill("Online path")
    alice.page.locator("textarea.annotation-editor").press("Control+Enter")
    wait_for(bob.page, f"{STATE}.annotations().some((a) => a.type === 'text' && a.text === 'Online path')")
    alice.page.screenshot(path=str(artifacts / "whiteboard-notes-1280x800.png"))
    alice.page.locator("#canvas").focus()
    for _ in range(2):  # the text's edit, then its adding
        alice.page.keyboard.press("Control+z")
    wait_for(bob.page, f"{STATE}.annotations().every((a) => a.type !== 'text')")
    alice.settled()
    document = stored(alice, shared)["document"]
    assert [(a["type"], a["color"], a["w"]) for a in document["annotations"]] == [("sticky", "blue", resized["w"])]
    assert document["nodes"] == stored(bob, shared)["document"]["nodes"]


def test_a_frame_goes_around_the_selection_carries_it_and_is_a_cluster_of_the_export(pair, site):
    alice, bob = pair
    bent = {"id": "e1", "source": "gw", "target": "ms", "mode": "sync", "latency_ms": 0, "vertices": [{"x": 320, "y": 230}]}
    shared = create_board(alice, board(("gw", "gateway", 80, 120), ("ms", "model_server", 380, 120),
                                       ("log", "logging", 380, 400), edges=[bent]))
    alice.open(site, shared)
    bob.open(site, shared)

    # Frame the gateway and the model server (F with both selected), titled in place.
    alice.editor.click_node("gw")
    alice.editor.click_node("ms", modifiers=["Shift"])
    alice.page.keyboard.press("f")
    title = alice.page.locator("input.annotation-editor")
    title.fill("Online path")
    title.press("Enter")
    frame = alice.page.evaluate(f"{STATE}.annotations()[0]")
    assert frame["type"] == "frame" and frame["title"] == "Online path"
    assert frame["x"] < 80 and frame["x"] + frame["w"] > 380 + 184 and frame["y"] + frame["h"] < 400
    wait_for(bob.page, f"{STATE}.annotations()[0]?.title === 'Online path'")

    # Alice drags the frame by its title: what is inside moves with it, the log stays; Bob sees both.
    alice.editor.click_blank()
    header = alice.page.locator(f'g[data-cell-id="{frame["id"]}"] text').first.bounding_box()
    alice.page.mouse.move(header["x"] + 10, header["y"] + header["height"] / 2)
    alice.page.mouse.down()
    alice.page.mouse.move(header["x"] + 110, header["y"] + 90, steps=8)
    alice.page.mouse.up()
    alice.settled()
    moved = alice.positions()
    dx, dy = moved["gw"]["x"] - 80, moved["gw"]["y"] - 120
    assert dx > 50 and dy > 40
    assert moved["ms"] == {"x": 380 + dx, "y": 120 + dy} and moved["log"] == {"x": 380, "y": 400}
    assert annotation(alice, frame["id"])["x"] == frame["x"] + dx
    assert alice.page.evaluate(f"{STATE}.edge('e1').vertices") == [{"x": 320 + dx, "y": 230 + dy}]
    wait_for(bob.page, "([x, y]) => { const p = window.boardEditor.editor.graph.getCellById('ms').getPosition();"
                       " return p.x === x && p.y === y; }", [380 + dx, 120 + dy])

    # One undo puts the frame and its contents back, on both screens.
    alice.page.locator("#canvas").focus()
    alice.page.keyboard.press("Control+z")
    wait_for(bob.page, "window.boardEditor.editor.graph.getCellById('gw').getPosition().x === 80")
    assert bob.positions()["ms"] == {"x": 380, "y": 120}

    # The server's export draws the frame as a cluster of the two components.
    alice.settled()
    request = urllib.request.Request(f"{site}/api/boards/{shared['id']}/export.py",
                                     headers={"X-Board-Token": shared["edit_token"]})
    with urllib.request.urlopen(request) as response:
        script = response.read().decode()
    frame_block = script.split("with Cluster('Online path'")[1].split("with Cluster(")[0]
    assert "node['gw']" in frame_block and "node['ms']" in frame_block and "node['log']" not in frame_block


def test_a_bend_dragged_on_a_connection_is_stored_and_drawn_for_a_viewer(pair, site):
    alice, bob = pair
    edge = {"id": "e1", "source": "gw", "target": "ms", "mode": "sync", "latency_ms": 1}
    shared = create_board(alice, board(("gw", "gateway", 80, 120), ("ms", "model_server", 480, 120), edges=[edge]))
    alice.open(site, shared)
    # Bob watches through the view link: he sees the bend arrive, and has only the tools that edit nothing.
    bob.open(site, {**shared, "edit_token": shared["view_token"]})
    expect(bob.page.locator(".wb-tools .wb-tool")).to_have_count(2)
    expect(bob.page.locator('.wb-tools [data-tool="hand"]')).to_be_visible()

    line = alice.page.locator('#canvas g.x6-edge[data-cell-id="e1"] path').first
    box = line.bounding_box()
    middle = (box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    alice.page.mouse.click(*middle)  # select: its bend tool appears
    alice.page.mouse.move(middle[0] - 60, middle[1])
    alice.page.mouse.move(*middle)
    alice.page.mouse.down()
    alice.page.mouse.move(middle[0], middle[1] + 120, steps=8)
    alice.page.mouse.up()
    alice.settled()
    vertices = alice.page.evaluate(f"{STATE}.edge('e1').vertices")
    assert len(vertices) == 1 and vertices[0]["y"] > 120 + 56 + 60
    wait_for(bob.page, f"(v) => JSON.stringify({GRAPH}.getCellById('e1').getVertices()) === JSON.stringify(v)", vertices)
    assert stored(bob, shared)["document"]["edges"][0]["vertices"] == vertices
    assert stored(bob, shared)["document"]["edges"][0]["latency_ms"] == 1


def test_align_and_distribute_a_selection_by_keys_and_bar_reach_the_other_browser(pair, site, artifacts):
    alice, bob = pair
    sticky = {"id": "s1", "type": "sticky", "x": 900, "y": 60, "w": 160, "h": 120, "text": "queues?", "color": "pink"}
    shared = create_board(alice, board(("a", "gateway", 80, 100), ("b", "cache", 300, 160), ("c", "database", 700, 240),
                                       annotations=[sticky]))
    alice.open(site, shared)
    bob.open(site, shared)
    for node_id in ("a", "b", "c"):
        alice.editor.click_node(node_id, modifiers=["Shift"] if node_id != "a" else [])

    # Alt+W: tops in line with the highest; Bob sees the three at y = 100.
    alice.page.keyboard.press("Alt+w")
    wait_for(bob.page, f"['a', 'b', 'c'].every((id) => {GRAPH}.getCellById(id).getPosition().y === 100)")
    # Distribute horizontally from the bar: the outer two stay, the gaps between boxes are equal.
    expect(alice.page.locator(".wb-align")).to_be_visible()
    alice.page.screenshot(path=str(artifacts / "whiteboard-align-1280x800.png"))
    alice.page.locator('[data-tool="distribute-x"]').click()
    alice.settled()
    # Boxes 184 wide from x 80 to 884: two equal gaps of (804 - 3 x 184) / 2 = 126, so b goes to 80 + 184 + 126.
    wait_for(bob.page, f"{GRAPH}.getCellById('b').getPosition().x === 390")
    assert {node_id: bob.positions()[node_id]["x"] for node_id in "ac"} == {"a": 80, "c": 700}
    # Align left from the bar puts all three at the leftmost; one undo takes back that step only.
    alice.page.locator('[data-tool="align-left"]').click()
    wait_for(bob.page, f"['a', 'b', 'c'].every((id) => {GRAPH}.getCellById(id).getPosition().x === 80)")
    alice.page.locator("#canvas").focus()
    alice.page.keyboard.press("Control+z")
    wait_for(bob.page, f"{GRAPH}.getCellById('c').getPosition().x === 700")
    # A note and a component align together (the note keeps its size and text).
    alice.editor.click_blank()
    alice.editor.click_node("a")
    alice.page.locator('g[data-cell-id="s1"] text').first.click(modifiers=["Shift"])
    assert sorted(alice.page.evaluate("window.boardEditor.editor.selectedIds()")) == ["a", "s1"]
    alice.page.keyboard.press("Alt+a")
    wait_for(bob.page, f"{STATE}.annotation('s1')?.x === 80")
    assert annotation(bob, "s1") == {**sticky, "x": 80}


@pytest.mark.parametrize("page", [{"width": 1280, "height": 720}, {"width": 1440, "height": 900}], indirect=True,
                         ids=["1280x720", "1440x900"])
def test_hand_tool_and_space_drag_pan_the_view_and_move_nothing(page, site, artifacts):
    editor = EditorPage(page, site)
    frame = {"id": "f1", "type": "frame", "x": 40, "y": 60, "w": 520, "h": 200, "title": "Serving", "color": "blue"}
    note = {"id": "s1", "type": "sticky", "x": 620, "y": 60, "w": 180, "h": 120, "text": "P99 budget 50 ms"}
    status, created = editor.api("POST", "/api/boards/", {"document": board(
        ("gw", "gateway", 80, 120), ("ms", "model_server", 340, 120), annotations=[frame, note])})
    assert status == 201
    editor.open(created["id"], created["edit_token"])
    size = f"{page.viewport_size['width']}x{page.viewport_size['height']}"
    page.screenshot(path=str(artifacts / f"whiteboard-{size}.png"))
    canvas = page.locator("#canvas").bounding_box()
    start = page.evaluate(f"{GRAPH}.translate()")
    x, y = canvas["x"] + canvas["width"] - 200, canvas["y"] + canvas["height"] - 200

    # The hand tool: a left drag on a component pans instead of moving it.
    page.locator('[data-tool="hand"]').click()
    expect(page.locator('[data-tool="hand"]')).to_have_attribute("aria-pressed", "true")
    gw = cell_box(page, "gw")
    page.mouse.move(gw["x"] + 40, gw["y"] + 20)
    page.mouse.down()
    page.mouse.move(gw["x"] + 140, gw["y"] + 80, steps=5)
    page.mouse.up()
    after = page.evaluate(f"{GRAPH}.translate()")
    assert (after["tx"] - start["tx"], after["ty"] - start["ty"]) == pytest.approx((100, 60))
    assert page.evaluate(f"{STATE}.node('gw').position") == {"x": 80, "y": 120}

    # Back to select (V); Space held makes the next drag a pan too.
    page.locator("#canvas").focus()
    page.keyboard.press("v")
    expect(page.locator('[data-tool="select"]')).to_have_attribute("aria-pressed", "true")
    page.keyboard.down(" ")
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x - 50, y - 30, steps=5)
    page.mouse.up()
    page.keyboard.up(" ")
    moved = page.evaluate(f"{GRAPH}.translate()")
    assert (moved["tx"] - after["tx"], moved["ty"] - after["ty"]) == pytest.approx((-50, -30))
    assert page.evaluate(f"{STATE}.dirty()") is False
    assert page.evaluate(f"{STATE}.node('gw').position") == {"x": 80, "y": 120}
