"""Sharing in a real Chromium: a view link's read-only editor, the Share dialog, revoked links, accounts."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from architectures.models import Board
from tests.browser.editor_page import EDITOR, EditorPage, wait_for

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BOARD = {
    "schema_version": 1, "title": "Mock interview",
    "nodes": [{"id": "gw", "kind": "gateway", "label": "API gateway", "position": {"x": 200, "y": 160}},
              {"id": "ms", "kind": "model_server", "label": "CTR model", "position": {"x": 520, "y": 160}}],
    "edges": [{"id": "e1", "source": "gw", "target": "ms", "mode": "sync"}],
    "notes": {"requirements": "2k QPS", "data": "", "features": "", "model": "", "evaluation": "", "serving": "",
              "monitoring": ""},
}


def writes_of(page: Page) -> list[str]:
    """Every request the page sends that is not a read (the test fails if a view link sends any)."""
    sent: list[str] = []
    page.on("request", lambda request: request.method not in ("GET", "HEAD") and "/api/" in request.url
            and sent.append(f"{request.method} {request.url}"))
    return sent


def test_view_link_opens_a_read_only_editor_that_changes_nothing_and_sees_the_editors_saves(page, site):
    creator = EditorPage(page, site)
    status, board = creator.api("POST", "/api/boards/", {"document": BOARD})
    assert status == 201
    writes = writes_of(page)
    viewer = EditorPage(page, site)
    viewer.open(board["id"], token=board["view_token"])

    expect(page.locator("#view-only-badge")).to_have_text("View only")
    assert "#token" not in page.url  # the token leaves the address bar
    for hidden in ("#action-run", "#action-undo", "#action-layout", '.palette-item[data-kind="cache"]'):
        expect(page.locator(hidden)).to_be_hidden()
    expect(page.locator("#board-title")).not_to_be_editable()

    # Moving, deleting, renaming, pasting and nudging on the canvas change nothing.
    before = page.evaluate(f"{EDITOR}.graph.getNodes().map((n) => [n.id, n.getPosition()])")
    box = viewer.node("gw").bounding_box()
    page.mouse.move(box["x"] + 40, box["y"] + 20)
    page.mouse.down()
    page.mouse.move(box["x"] + 240, box["y"] + 260, steps=8)
    page.mouse.up()
    viewer.click_node("gw")
    for key in ("Delete", "ArrowRight", "Control+d", "Control+x", "Control+v", "Enter"):
        page.keyboard.press(key)
    viewer.node("ms").dblclick()
    assert page.evaluate(f"{EDITOR}.graph.getNodes().map((n) => [n.id, n.getPosition()])") == before
    assert page.evaluate(f"{EDITOR}.graph.getEdges().length") == 1
    # The properties and the framework notes are shown, not editable.
    viewer.click_node("gw")
    expect(viewer.field("replicas").locator("input")).not_to_be_editable()
    page.click("#tab-framework")
    for textarea in page.locator("#panel-framework textarea").all():
        expect(textarea).not_to_be_editable()
    page.keyboard.press("Control+Enter")  # the run shortcut

    # The Share dialog of a viewer offers the view link only.
    page.click("#action-share")
    expect(page.locator('[data-link="edit"]')).to_be_hidden()
    expect(page.locator("#share-view-url")).to_have_value(board["view_url"])
    expect(page.locator('[data-regenerate="view"]')).to_be_hidden()
    page.click("#share-dialog .close")

    # The editor saves from elsewhere: the viewer's canvas follows.
    changed = {**BOARD, "nodes": BOARD["nodes"] + [{"id": "cache", "kind": "cache", "label": "Feature cache",
                                                      "position": {"x": 520, "y": 340}}]}
    status, _ = creator.api("PUT", f"/api/boards/{board['id']}/", {"version": 1, "document": changed},
                            token=board["edit_token"])
    assert status == 200
    wait_for(page, f"{EDITOR}.graph.getCellById('cache') !== null")
    assert page.evaluate("window.boardEditor.state.dirty()") is False  # leaving the page never asks

    assert writes == []
    stored = Board.objects.get(pk=board["id"])
    assert stored.version == 2 and [node["id"] for node in stored.document["nodes"]] == ["gw", "ms", "cache"]


def test_share_dialog_gives_both_links_and_new_links_lock_out_the_old_ones_but_not_the_owner(chromium, page, site,
                                                                                  console_errors):
    owner = EditorPage(page, site)
    board_id = owner.create_board_from_landing("Shared board")
    stored = Board.objects.get(pk=board_id)
    page.click("#action-share")
    expect(page.locator("#share-edit-url")).to_have_value(f"{site}/b/{board_id}/#token={stored.edit_token}")
    expect(page.locator("#share-view-url")).to_have_value(f"{site}/b/{board_id}/#token={stored.view_token}")

    # A second person opens the view link in a browser of their own.
    context = chromium.new_context(viewport={"width": 1280, "height": 800})
    try:
        viewer_page = context.new_page()
        viewer_page.set_default_timeout(10_000)
        viewer = EditorPage(viewer_page, site)
        viewer_page.goto(page.locator("#share-view-url").input_value())
        viewer.wait_ready()
        wait_for(viewer_page, "window.boardEditor.socket.connected")
        expect(viewer_page.locator("#view-only-badge")).to_have_text("View only")

        page.click('[data-regenerate="view"]')
        expect(page.locator("#toast")).to_contain_text("New view link made")
        renewed = Board.objects.get(pk=board_id).view_token
        assert renewed != stored.view_token
        expect(page.locator("#share-view-url")).to_have_value(f"{site}/b/{board_id}/#token={renewed}")
        # The viewer's open connection is closed at once and the page says why.
        expect(viewer_page.locator("#view-only-badge")).to_have_text("Link revoked")
        expect(viewer_page.locator("#toast")).to_contain_text("no longer opens the board")
        assert owner.api("GET", f"/api/boards/{board_id}/", token=stored.view_token)[0] == 404

        # A partner opens the edit link; then the owner replaces the edit link, which this page also uses.
        partner_page = context.new_page()
        partner = EditorPage(partner_page, site)
        partner_page.goto(page.locator("#share-edit-url").input_value())
        partner.wait_ready()
        wait_for(partner_page, "window.boardEditor.socket.connected")
        expect(partner_page.locator("#view-only-badge")).to_be_hidden()
        page.click('[data-regenerate="edit"]')
        expect(page.locator("#toast")).to_contain_text("New edit link made")
        expect(partner_page.locator("#view-only-badge")).to_have_text("Link revoked")
    finally:
        context.close()
    # The owner's page carries on with the new edit link: still editable, live and saving.
    renewed_edit = Board.objects.get(pk=board_id).edit_token
    assert renewed_edit != stored.edit_token
    expect(page.locator("#share-edit-url")).to_have_value(f"{site}/b/{board_id}/#token={renewed_edit}")
    page.click("#share-dialog .close")
    wait_for(page, "window.boardEditor.socket.connected")
    expect(page.locator("#view-only-badge")).to_be_hidden()
    owner.drag_from_palette("gateway", 500, 300)
    owner.wait_saved()
    assert [node["kind"] for node in Board.objects.get(pk=board_id).document["nodes"]] == ["gateway"]


def test_sign_up_create_a_board_and_open_it_from_my_boards_without_a_link(page, site):
    page.goto(site + "/accounts/signup/")
    page.fill("#id_username", "interviewer")
    page.fill("#id_password1", "correct horse battery")
    page.fill("#id_password2", "correct horse battery")
    page.click("form.account-form button[type=submit]")
    expect(page.locator(".account-nav")).to_contain_text("interviewer")

    editor = EditorPage(page, site)
    board_id = editor.create_board_from_landing("Interview prep")
    assert Board.objects.get(pk=board_id).owner.username == "interviewer"

    # Without any link stored in this browser, the account still opens its board.
    page.evaluate("localStorage.clear()")
    page.goto(site + "/")
    mine = page.locator("#my-boards a", has_text="Interview prep")
    expect(mine).to_be_visible()
    mine.click()
    editor.wait_ready()
    expect(page.locator("#view-only-badge")).to_be_hidden()
    editor.drag_from_palette("cache", 500, 300)
    editor.wait_saved()  # a session write, sent with the CSRF token

    page.goto(site + "/")
    page.click(".account-nav button")
    expect(page.locator(".account-nav")).to_contain_text("Log in")
    expect(page.locator("#my-boards")).to_have_count(0)
    assert re.search(r"/$", page.url)


def test_recent_boards_reopen_with_the_stored_link_and_a_revoked_one_is_dropped(page, site, console_errors):
    editor = EditorPage(page, site)
    kept = editor.create_board_from_landing("Kept board")
    revoked = editor.create_board_from_landing("Revoked board")
    page.goto(site + "/")
    expect(page.locator("#recent-boards a")).to_have_text(["Revoked board", "Kept board"])
    page.click("#recent-boards a >> text=Kept board")
    editor.wait_ready()
    assert editor.board_id() == kept
    expect(page.locator("#view-only-badge")).to_be_hidden()  # the stored edit link, not a view link

    # The owner replaces the edit link elsewhere: this browser falls back to the view link it holds.
    console_errors.allow(r"404 \(Not Found\)")  # the pages try the stale links they hold
    assert editor.api("POST", f"/api/boards/{revoked}/regenerate-token/", {"role": "edit"})[0] == 200
    page.goto(f"{site}/b/{revoked}/")
    editor.wait_ready()
    expect(page.locator("#view-only-badge")).to_have_text("View only")
    # Then the view link too: nothing this browser holds opens the board, and the list drops it.
    assert editor.api("POST", f"/api/boards/{revoked}/regenerate-token/", {"role": "view"})[0] == 200
    page.goto(site + "/")
    expect(page.locator("#recent-boards a")).to_have_text(["Kept board"])


def test_report_page_loads_with_the_link_the_browser_holds(page, site):
    creator = EditorPage(page, site)
    status, board = creator.api("POST", "/api/boards/", {"document": BOARD})
    assert status == 201
    page.goto(f"{site}/b/{board['id']}/report/#token={board['view_token']}")
    expect(page.locator("main.report h1")).to_have_text("Mock interview")
    assert "#token" not in page.url
    diagram = page.locator("main.report img")
    expect(diagram).to_have_attribute("src", re.compile(r"^blob:"), timeout=30_000)
    wait_for(page, "document.querySelector('main.report img').naturalWidth > 100", timeout_s=30)
    with page.expect_download() as download:
        page.click("main.report a[data-download]")
    assert download.value.suggested_filename == "mock_interview_report.md"
