"""The board editor in a real Chromium: drawing, editing, autosave, reload, refusals and comforts."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from simulator.kinds import GROUPS
from tests.browser.editor_page import EDITOR, EditorPage, wait_for

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def editor(page, site) -> EditorPage:
    return EditorPage(page, site)


def draw_chain(editor: EditorPage) -> list[str]:
    """Gateway -> feature store -> model server, dropped left to right and connected."""
    gateway = editor.drag_from_palette("gateway", 420, 220)
    store = editor.drag_from_palette("feature_store", 700, 220)
    model = editor.drag_from_palette("model_server", 700, 420)
    editor.connect(gateway, store)
    editor.connect(store, model)
    return [gateway, store, model]


def test_drawn_board_with_property_change_undo_and_redo_survives_reload(editor, page):
    editor.create_board_from_landing("Ad click prediction")
    expect(page.locator("#board-title")).to_have_value("Ad click prediction")
    gateway, store, model = draw_chain(editor)
    assert [(e["source"], e["target"], e["mode"]) for e in editor.document()["edges"]] == [
        (gateway, store, "sync"), (store, model, "sync")]

    editor.click_node(model)
    expect(page.locator("#panel-properties h2")).to_have_text("Model server")
    editor.set_field("replicas", "12")
    editor.set_field("max_batch_size", "16")
    editor.click_blank()
    page.keyboard.press("Control+z")
    assert page.evaluate(f"{EDITOR}.graph.getCellById('{model}').getData().config.max_batch_size") == 1
    page.keyboard.press("Control+Shift+z")
    assert page.evaluate(f"{EDITOR}.graph.getCellById('{model}').getData().config.max_batch_size") == 16

    editor.wait_saved()
    drawn = editor.document()
    stored = editor.stored_document()
    assert stored == drawn
    page.reload()
    editor.wait_ready()
    assert editor.document() == drawn
    reloaded = {node["id"]: node for node in editor.document()["nodes"]}
    assert reloaded[model]["config"]["replicas"] == 12
    assert reloaded[model]["config"]["max_batch_size"] == 16
    assert len(editor.document()["edges"]) == 2
    expect(editor.node(gateway)).to_contain_text("API gateway")


def test_invalid_property_value_is_marked_inline_and_never_saved(editor, page):
    editor.create_board_from_landing("Refusals")
    model = editor.drag_from_palette("model_server", 500, 300)
    editor.wait_saved()
    editor.click_node(model)
    for text, message in (("0", "Replicas must be an integer from 1 to 1000"), ("2.5", "must be an integer"),
                          ("lots", "must be an integer")):
        editor.set_field("replicas", text)
        expect(editor.field("replicas").locator(".field-error")).to_contain_text(message)
        expect(editor.field("replicas").locator("input")).to_have_attribute("aria-invalid", "true")
    editor.set_field("max_batch_delay_ms", "-1")
    expect(editor.field("max_batch_delay_ms").locator(".field-error")).to_contain_text("from 0 to 10000")
    page.wait_for_timeout(1000)  # longer than the autosave pause
    stored = {node["id"]: node for node in editor.stored_document()["nodes"]}
    assert stored[model]["config"]["replicas"] == 8
    assert stored[model]["config"]["max_batch_delay_ms"] == 0
    expect(page.locator("#save-status")).to_have_attribute("data-state", "saved")

    editor.set_field("replicas", "3")
    expect(editor.field("replicas").locator(".field-error")).to_be_hidden()
    editor.wait_saved()
    assert {n["id"]: n for n in editor.stored_document()["nodes"]}[model]["config"]["replicas"] == 3


def test_self_loop_and_sync_cycle_are_refused_with_a_message(editor, page):
    editor.create_board_from_landing("Cycles")
    gateway, store, model = draw_chain(editor)
    editor.connect(model, gateway)
    expect(page.locator("#toast")).to_contain_text("cycle")
    assert len(editor.document()["edges"]) == 2

    # The same connection is fine once it is async (a log call off the request path).
    page.evaluate(f"{EDITOR}.connect('{model}', '{gateway}', 'async')")
    assert [e["mode"] for e in editor.document()["edges"]] == ["sync", "sync", "async"]
    # ...and switching it back to sync in the properties panel is refused.
    edge_id = editor.document()["edges"][2]["id"]
    page.evaluate(f"{EDITOR}.select({EDITOR}.graph.getCellById('{edge_id}'))")
    editor.field("mode").locator("select").select_option("sync")
    expect(page.locator("#toast")).to_contain_text("cycle")
    assert editor.document()["edges"][2]["mode"] == "async"

    sx, sy = editor.port_centre(store, "right")
    box = editor.node(store).bounding_box()
    page.mouse.move(sx, sy)
    page.mouse.down()
    page.mouse.move(sx + 40, sy + 60, steps=5)
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2, steps=5)
    page.mouse.up()
    expect(page.locator("#toast")).to_contain_text("cannot connect to itself")
    assert len(editor.document()["edges"]) == 3


def test_keyboard_deletes_copies_pastes_duplicates_and_undoes(editor, page):
    editor.create_board_from_landing("Keyboard")
    gateway, store, model = draw_chain(editor)
    editor.click_node(gateway)
    editor.click_node(store, modifiers=["Shift"])
    page.keyboard.press("Control+c")
    page.keyboard.press("Control+v")
    assert len(editor.node_ids()) == 5
    assert len(editor.document()["edges"]) == 3  # the copied connection came along
    page.keyboard.press("Control+d")
    assert len(editor.node_ids()) == 7
    page.keyboard.press("Delete")
    assert len(editor.node_ids()) == 5
    page.keyboard.press("Control+z")
    assert len(editor.node_ids()) == 7
    editor.click_node(model)
    page.keyboard.press("Backspace")
    assert model not in editor.node_ids()
    assert all(model not in (e["source"], e["target"]) for e in editor.document()["edges"])
    page.keyboard.press("Control+z")
    assert model in editor.node_ids()
    editor.wait_saved()
    # A delete undone within one live send leaves nothing to send, though the canvas now lists the
    # restored boxes last: compare the elements, not their order.
    by_id = lambda document: {**document, "nodes": sorted(document["nodes"], key=lambda n: n["id"]),  # noqa: E731
                              "edges": sorted(document["edges"], key=lambda e: e["id"])}
    assert by_id(editor.stored_document()) == by_id(editor.document())


def test_palette_filters_by_typing_and_enter_adds_the_first_match(editor, page):
    editor.create_board_from_landing("Palette")
    groups = page.locator(".palette-group h3")
    expect(groups).to_have_text([title for _, title in GROUPS])
    page.fill("#palette-filter", "feature store")
    expect(page.locator(".palette-item:visible")).to_have_count(1)
    page.fill("#palette-filter", "kafka")  # descriptions count too
    expect(page.locator(".palette-item:visible")).to_have_text(["Logging"])
    page.fill("#palette-filter", "feature")
    page.press("#palette-filter", "Enter")  # the title match wins over descriptions that mention features
    assert [n["kind"] for n in editor.document()["nodes"]] == ["feature_store"]
    page.fill("#palette-filter", "zzz")
    expect(page.locator(".palette-empty")).to_be_visible()


def test_label_is_edited_in_place_and_saved(editor, page):
    editor.create_board_from_landing("Labels")
    gateway = editor.drag_from_palette("gateway", 500, 300)
    editor.node(gateway).locator("text").first.dblclick()
    page.locator(".label-editor").fill("Edge <gw>")
    page.keyboard.press("Enter")
    expect(editor.node(gateway)).to_contain_text("Edge <gw>")
    editor.wait_saved()
    assert editor.stored_document()["nodes"][0]["label"] == "Edge <gw>"


def test_framework_notes_render_markdown_without_scripts(editor, page):
    editor.create_board_from_landing("Framework")
    page.fill("#board-title", "Harmful content detection")
    page.keyboard.press("Enter")
    page.click("#tab-framework")
    editor.page.locator('#panel-framework .field[data-field="peak_rps"] input').fill("2000")
    editor.page.locator('#panel-framework .field[data-field="peak_rps"] input').press("Enter")
    page.locator('.note[data-step="requirements"] summary').click()
    area = page.locator('.note[data-step="requirements"] textarea')
    area.fill('**2k QPS** peak\n\n<script>window.pwned = 1</script><a href="javascript:window.pwned=1">x</a>')
    preview = page.locator('.note[data-step="requirements"] .note-preview')
    expect(preview.locator("strong")).to_have_text("2k QPS")
    assert preview.locator("script").count() == 0
    assert preview.locator("a").get_attribute("href") is None
    editor.wait_saved()
    stored = editor.stored_document()
    assert stored["title"] == "Harmful content detection"
    assert stored["requirements"]["peak_rps"] == 2000
    assert stored["notes"]["requirements"].startswith("**2k QPS**")
    assert page.evaluate("window.pwned") is None
    page.reload()
    editor.wait_ready()
    expect(page.locator("#board-title")).to_have_value("Harmful content detection")
    page.click("#tab-framework")
    expect(page.locator('.note[data-step="requirements"] .note-preview strong')).to_have_text("2k QPS")


def test_conflicting_save_keeps_both_the_other_copy_and_local_edits(editor, page, console_errors):
    console_errors.allow(r"409")
    board_id = editor.create_board_from_landing("Conflict")
    gateway = editor.drag_from_palette("gateway", 450, 250)
    editor.wait_saved()
    status, board = editor.api("GET", f"/api/boards/{board_id}/")
    theirs = board["document"]
    theirs["nodes"].append({"id": "their-log", "kind": "logging", "label": "Their log", "position": {"x": 40, "y": 400}})
    theirs["notes"]["data"] = "added elsewhere"
    status, _ = editor.api("PUT", f"/api/boards/{board_id}/", {"version": board["version"], "document": theirs})
    assert status == 200
    # The live connection brings the other save in at once (before, it met this page's next save as a 409).
    wait_for(page, "Boolean(window.boardEditor.editor.graph.getCellById('their-log'))")

    editor.drag_from_palette("monitor", 700, 250)
    editor.wait_saved()
    stored = editor.stored_document()
    assert {n["kind"] for n in stored["nodes"]} == {"gateway", "logging", "monitor"}
    assert stored["notes"]["data"] == "added elsewhere"
    # Live edits send what changed, so the other client's node keeps its config implicit (the kind's
    # defaults) in storage, while the editor shows those defaults; everything else is the same.
    shown = editor.document()
    assert {**shown, "nodes": None} == {**stored, "nodes": None}
    assert [{**n, "config": None} for n in shown["nodes"]] == [{**n, "config": None} for n in stored["nodes"]]
    assert gateway in editor.node_ids() and "their-log" in editor.node_ids()


def test_version_history_lists_versions_and_restores_one(editor, page):
    board_id = editor.create_board_from_landing("History")
    editor.drag_from_palette("gateway", 450, 250)
    editor.wait_saved()
    editor.drag_from_palette("cache", 700, 250)
    editor.wait_saved()
    page.click("#tab-versions")
    # Live edits within a minute share one history entry (the newest); the board as created stays.
    expect(page.locator(".version")).to_have_count(2)
    newest = int(page.locator(".version").first.get_attribute("data-version"))
    assert newest == editor.api("GET", f"/api/boards/{board_id}/")[1]["version"]
    page.click('.version[data-version="1"] button[aria-label="Restore version 1"]')
    expect(page.locator("#toast")).to_contain_text("Restored version 1")
    assert editor.document()["nodes"] == []
    assert editor.stored_document()["nodes"] == []
    expect(page.locator(".version")).to_have_count(3)
    page.reload()
    editor.wait_ready()
    assert editor.document()["nodes"] == []


def test_question_mark_opens_the_shortcut_sheet(editor, page):
    editor.create_board_from_landing("Shortcuts")
    page.click("#action-fit")  # from a focused toolbar button too
    page.keyboard.press("?")
    expect(page.locator("#shortcut-sheet")).to_be_visible()
    expect(page.locator("#shortcut-sheet")).to_contain_text("Undo")
    page.keyboard.press("Escape")
    expect(page.locator("#shortcut-sheet")).to_be_hidden()


@pytest.mark.parametrize("page", [{"width": 1280, "height": 800}, {"width": 1920, "height": 1080}],
                         indirect=True, ids=["1280x800", "1920x1080"])
def test_editor_screenshot_is_kept_and_not_blank(editor, page, artifacts):
    editor.create_board_from_landing("Screenshot")
    draw_chain(editor)
    page.click("#action-layout")
    editor.wait_saved()
    width = page.viewport_size["width"]
    path = artifacts / f"editor-{width}x{page.viewport_size['height']}.png"
    png = page.screenshot(path=str(path))
    assert path.stat().st_size > 20_000
    assert editor.distinct_colours(png) > 50
    for selector in ("#palette", "#canvas", ".side", "#save-status", "#minimap"):
        box = page.locator(selector).bounding_box()
        assert box and box["width"] > 0 and box["x"] + box["width"] <= width + 1, selector


def test_newcomer_chain_with_async_logging_training_and_monitor_persists(editor, page):
    editor.create_board_from_landing("Newcomer chain")
    spots = {"client": (300, 150), "gateway": (520, 150), "feature_store": (740, 150), "model_server": (300, 320),
             "logging": (520, 320), "training_pipeline": (740, 280), "monitor": (740, 420)}
    ids = {kind: editor.drag_from_palette(kind, x, y) for kind, (x, y) in spots.items()}
    for source, target in (("client", "gateway"), ("gateway", "feature_store"), ("feature_store", "model_server"),
                           ("model_server", "logging"), ("logging", "training_pipeline"), ("logging", "monitor")):
        editor.connect(ids[source], ids[target])
    modes = {(e["source"], e["target"]): e["mode"] for e in editor.document()["edges"]}
    assert modes == {
        (ids["client"], ids["gateway"]): "sync", (ids["gateway"], ids["feature_store"]): "sync",
        (ids["feature_store"], ids["model_server"]): "sync", (ids["model_server"], ids["logging"]): "async",
        (ids["logging"], ids["training_pipeline"]): "async", (ids["logging"], ids["monitor"]): "async",
    }
    page.click("#action-layout")
    editor.wait_saved()
    drawn = editor.document()
    page.reload()
    editor.wait_ready()
    assert editor.document() == drawn == editor.stored_document()
    # The three async connections are drawn dashed (X6 draws connections in the frames after the boxes).
    wait_for(page, "document.querySelectorAll('#canvas .x6-edge path[stroke-dasharray]').length === 3")


def test_main_actions_work_from_the_keyboard(editor, page):
    editor.create_board_from_landing("Keys only")
    page.focus("#palette-filter")
    page.keyboard.type("gateway")
    page.keyboard.press("Enter")
    page.keyboard.press("Control+a")
    page.keyboard.type("model server")
    page.keyboard.press("Enter")
    assert [n["kind"] for n in editor.document()["nodes"]] == ["gateway", "model_server"]

    page.focus("#canvas")
    page.keyboard.press("[")  # the first component
    gateway = editor.document()["nodes"][0]
    page.keyboard.press("ArrowRight")
    page.keyboard.press("Shift+ArrowDown")
    moved = editor.document()["nodes"][0]["position"]
    assert moved == {"x": gateway["position"]["x"] + 10, "y": gateway["position"]["y"] + 50}
    page.keyboard.press("Enter")
    page.keyboard.type("Public API")
    page.keyboard.press("Enter")
    assert editor.document()["nodes"][0]["label"] == "Public API"

    page.locator(".connect-form select").first.focus()
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")  # Connect: gateway -> model server, sync
    assert [(e["source"], e["mode"]) for e in editor.document()["edges"]] == [(gateway["id"], "sync")]
    page.focus("#canvas")
    page.keyboard.press("Control+z")
    assert editor.document()["edges"] == []
    page.keyboard.press("Delete")
    assert len(editor.document()["nodes"]) == 1
    editor.wait_saved()


def test_saves_while_offline_are_retried_and_the_status_says_so(editor, page, console_errors):
    console_errors.allow(r"ERR_FAILED|ERR_INTERNET_DISCONNECTED")
    editor.create_board_from_landing("Offline")
    wait_for(page, "window.boardEditor.live.active")

    def refuse_saves(route):
        if route.request.method == "PUT":
            route.abort()
        else:
            route.continue_()

    # Offline: the live connection is down and REST saves fail too.
    page.evaluate("window.boardEditor.socket.close()")
    page.route("**/api/boards/*/", refuse_saves)
    editor.drag_from_palette("cache", 500, 300)
    expect(page.locator("#save-status")).to_have_attribute("data-state", "offline")
    assert editor.stored_document()["nodes"] == []
    page.unroute("**/api/boards/*/")
    page.evaluate("window.boardEditor.socket.connect()")
    editor.wait_saved()
    assert [n["kind"] for n in editor.stored_document()["nodes"]] == ["cache"]


def test_service_time_distribution_is_edited_and_checked(editor, page):
    editor.create_board_from_landing("Service time")
    store = editor.drag_from_palette("feature_store", 500, 300)
    editor.click_node(store)
    field = editor.field("service_time")
    field.locator("select").select_option("lognormal")
    field.locator('input[data-param="median_ms"]').fill("5")
    field.locator('input[data-param="p99_ms"]').fill("3")
    field.locator('input[data-param="p99_ms"]').press("Enter")
    expect(field.locator(".field-error")).to_contain_text("P99 must be greater than the median")
    field.locator('input[data-param="p99_ms"]').fill("40")
    field.locator('input[data-param="p99_ms"]').press("Enter")
    expect(field.locator(".field-error")).to_be_hidden()
    editor.wait_saved()
    stored = editor.stored_document()["nodes"][0]["config"]["service_time"]
    assert stored == {"dist": "lognormal", "median_ms": 5, "p99_ms": 40}


def test_conflict_that_cannot_merge_offers_both_versions(editor, page, console_errors):
    console_errors.allow(r"40[09]")
    board_id = editor.create_board_from_landing("Unmergeable")
    first = editor.drag_from_palette("gateway", 400, 250)
    second = editor.drag_from_palette("feature_store", 700, 250)
    editor.wait_saved()
    # With the live connection up the other save would show at once; without it, saves go over
    # REST and meet the other one as a conflict.
    page.evaluate("window.boardEditor.socket.close()")
    status, board = editor.api("GET", f"/api/boards/{board_id}/")
    theirs = board["document"]
    theirs["edges"].append({"id": "their-edge", "source": second, "target": first, "mode": "sync", "latency_ms": 0})
    assert editor.api("PUT", f"/api/boards/{board_id}/", {"version": board["version"], "document": theirs})[0] == 200

    editor.connect(first, second)  # with theirs, a sync cycle: the merge is refused by the server
    expect(page.locator("#conflict")).to_be_visible()
    expect(page.locator("#save-status")).to_have_attribute("data-state", "conflict")
    page.click("#conflict .keep-mine")
    editor.wait_saved()
    edges = editor.stored_document()["edges"]
    assert [(e["source"], e["target"]) for e in edges] == [(first, second)]


def test_undo_and_redo_cover_requirements_and_title_in_order_with_canvas_edits(editor, page):
    editor.create_board_from_landing("Undo everything")
    page.click("#tab-framework")
    peak = page.locator('#panel-framework .field[data-field="peak_rps"] input')
    peak.fill("5000")
    peak.press("Enter")
    editor.drag_from_palette("cache", 500, 300)
    page.fill("#board-title", "Renamed")
    editor.click_blank()
    state = lambda: (editor.document()["title"], editor.document()["requirements"]["peak_rps"],  # noqa: E731
                     len(editor.document()["nodes"]))
    assert state() == ("Renamed", 5000, 1)
    page.keyboard.press("Control+z")
    assert state() == ("Undo everything", 5000, 1)
    page.keyboard.press("Control+z")
    assert state() == ("Undo everything", 5000, 0)
    page.keyboard.press("Control+z")
    assert state() == ("Undo everything", None, 0)
    page.keyboard.press("Control+Shift+z")
    page.keyboard.press("Control+Shift+z")
    assert state() == ("Undo everything", 5000, 1)
    editor.wait_saved()
    assert editor.stored_document()["requirements"]["peak_rps"] == 5000
