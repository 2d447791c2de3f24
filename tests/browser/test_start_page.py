"""The start page's board menu (rename in place, duplicate, delete with an undo) and History's preview and compare."""

from __future__ import annotations

import copy
import time

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from architectures.models import Board
from architectures.services import board_create, board_update
from tests.browser.editor_page import EDITOR, EditorPage, wait_for

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

UNDO_MS = 8000  # static/js/boardcards.js

SIZES = [{"width": 1280, "height": 720}, {"width": 1440, "height": 900}]


def eventually(check, timeout_s: float = 10) -> None:
    """Wait for the server to have stored what the page sent (the page shows a rename at once)."""
    deadline = time.monotonic() + timeout_s
    while not check():
        assert time.monotonic() < deadline, "the server never stored it"
        time.sleep(0.05)


def screenshots(page, artifacts, name: str, inside: tuple[str, str] | None = None) -> None:
    """The page at both sizes users have, then back at the first; `inside` (part, container): the part fits in it at both."""
    for size in SIZES:
        page.set_viewport_size(size)
        if inside:
            part, container = (page.locator(selector).bounding_box() for selector in inside)
            assert part["x"] >= container["x"] and part["y"] >= container["y"], (size, part, container)
            assert part["x"] + part["width"] <= container["x"] + container["width"] + 0.5, (size, part, container)
            assert part["y"] + part["height"] <= container["y"] + container["height"] + 0.5, (size, part, container)
        page.screenshot(path=str(artifacts / f"{name}-{size['width']}x{size['height']}.png"))
    page.set_viewport_size(SIZES[0])


def remember(page, site: str, board: Board, role: str = "edit") -> None:
    """This browser holds one link of the board, as if it had opened it."""
    token = board.edit_token if role == "edit" else board.view_token
    page.goto(f"{site}/")
    page.evaluate("""([id, role, token, title]) => {
        const tokens = JSON.parse(localStorage.getItem("whiteboard.boardTokens") || "{}");
        tokens[id] = {[role]: token};
        localStorage.setItem("whiteboard.boardTokens", JSON.stringify(tokens));
        const recent = JSON.parse(localStorage.getItem("whiteboard.recentBoards") || "[]");
        recent.unshift({id, title, openedAt: new Date().toISOString()});
        localStorage.setItem("whiteboard.recentBoards", JSON.stringify(recent));
    }""", [str(board.pk), role, token, board.title])


def card(page, board_id):
    return page.locator(f'#recent-boards .board-card[data-board-id="{board_id}"]')


def choose(page, board_card, action: str) -> None:
    board_card.locator(".board-card-menu-button").click()
    board_card.locator(f'[data-action="{action}"]').click()


@pytest.mark.parametrize("page", SIZES[:1], indirect=True, ids=["1280x720"])
def test_start_page_renames_duplicates_and_deletes_under_the_link_rules(page, site, document, artifacts):
    mine = board_create(document={**document, "title": "Ad click prediction"})
    shared = board_create(document={**document, "title": "Partner's board"})
    remember(page, site, shared, role="view")
    remember(page, site, mine, role="edit")
    page.reload()
    expect(page.locator("#recent-boards .board-card-title")).to_have_text(["Ad click prediction", "Partner's board"])

    # A view link: only duplicate; the card says why.
    theirs = card(page, shared.pk)
    expect(theirs).to_have_attribute("data-role", "view")
    expect(theirs.locator(".board-card-badge")).to_have_text("View only")
    theirs.locator(".board-card-menu-button").click()
    screenshots(page, artifacts, "start-page-menu", inside=(f'[data-board-id="{shared.pk}"] .board-card-menu', "main.landing"))
    expect(theirs.locator('[data-action="rename"]')).to_be_disabled()
    expect(theirs.locator('[data-action="delete"]')).to_be_disabled()
    expect(theirs.locator('[data-action="duplicate"]')).to_be_focused()  # the first item it may use
    page.keyboard.press("Escape")
    expect(theirs.locator(".board-card-menu")).to_be_hidden()

    # Rename in place: Escape keeps the title, Enter stores it as a new version.
    own = card(page, mine.pk)
    expect(own).to_have_attribute("data-role", "edit")
    choose(page, own, "rename")
    field = page.locator(".board-card-rename")
    field.fill("Thrown away")
    field.press("Escape")
    expect(own.locator(".board-card-title")).to_have_text("Ad click prediction")
    choose(page, own, "rename")
    field.fill("CTR v2")
    field.press("Enter")
    expect(own.locator(".board-card-title")).to_have_text("CTR v2")
    eventually(lambda: Board.objects.get(pk=mine.pk).version == 2)
    mine.refresh_from_db()
    assert (mine.title, mine.document["title"]) == ("CTR v2", "CTR v2")

    # Duplicate a view-only board: a new board of this browser's, with its own edit link, listed first.
    choose(page, theirs, "duplicate")
    expect(page.locator("#board-toast")).to_contain_text("Duplicated as “Copy of Partner's board”.")
    newest = page.locator("#recent-boards .board-card").first
    expect(newest.locator(".board-card-title")).to_have_text("Copy of Partner's board")
    copy_id = newest.get_attribute("data-board-id")
    copy = card(page, copy_id)
    expect(copy).to_have_attribute("data-role", "edit")
    duplicate = Board.objects.get(pk=copy_id)
    assert duplicate.document["nodes"] == shared.document["nodes"] and duplicate.version == 1
    assert duplicate.edit_token not in (shared.edit_token, shared.view_token)

    # Delete asks first; Cancel keeps it.
    choose(page, own, "delete")
    dialog = page.locator("#delete-dialog")
    expect(dialog).to_be_visible()
    expect(dialog.locator(".delete-dialog-board")).to_have_text("CTR v2")
    screenshots(page, artifacts, "start-page-delete")
    dialog.locator(".delete-cancel").click()
    expect(own).to_be_visible()
    # Delete, then Undo: nothing was sent, the board is still there.
    choose(page, own, "delete")
    dialog.locator(".delete-confirm").click()
    expect(own).to_be_hidden()
    toast = page.locator("#board-toast")
    expect(toast).to_contain_text("Deleted “CTR v2”.")
    toast.locator(".board-toast-undo").click()
    expect(own).to_be_visible()
    assert Board.objects.filter(pk=mine.pk).exists()
    # Delete the copy for good: leaving the page ends the undo and sends the delete.
    choose(page, copy, "delete")
    dialog.locator(".delete-confirm").click()
    expect(copy).to_be_hidden()
    screenshots(page, artifacts, "start-page-undo")
    page.goto(site + "/accounts/login/")
    eventually(lambda: not Board.objects.filter(pk=copy_id).exists())
    assert Board.objects.filter(pk=mine.pk).exists() and Board.objects.filter(pk=shared.pk).exists()
    page.goto(site + "/")
    expect(page.locator("#recent-boards .board-card-title")).to_have_text(["CTR v2", "Partner's board"])

    # An account's own boards, with no link in this browser: the session (and its CSRF token) may rename and delete.
    ann = get_user_model().objects.create_user("ann", password="correct horse battery")
    owned = board_create(document={**document, "title": "Ann's board"}, owner=ann)
    page.evaluate("localStorage.clear()")
    page.goto(site + "/accounts/login/")
    page.fill("#id_username", "ann")
    page.fill("#id_password", "correct horse battery")
    page.click("form.account-form button[type=submit]")
    expect(page.locator(".account-nav")).to_contain_text("ann")
    page.clock.install()  # the undo's time runs out when the test says, not after 8 real seconds
    page.goto(site + "/")
    expect(page.locator("#recent")).to_be_hidden()  # this browser holds no link now
    hers = page.locator(f'#my-boards .board-card[data-board-id="{owned.pk}"]')
    choose(page, hers, "rename")
    page.locator(".board-card-rename").fill("Ann's final board")
    page.locator(".board-card-rename").press("Enter")
    eventually(lambda: Board.objects.get(pk=owned.pk).title == "Ann's final board")
    choose(page, hers, "delete")
    page.locator("#delete-dialog .delete-confirm").click()
    expect(hers).to_be_hidden()
    page.clock.run_for(UNDO_MS - 500)
    time.sleep(0.3)  # time for a DELETE sent too early to land
    assert Board.objects.filter(pk=owned.pk).exists(), "deleted before the undo ran out"
    page.clock.run_for(600)
    eventually(lambda: not Board.objects.filter(pk=owned.pk).exists())
    expect(hers).to_have_count(0)


def preview_cells(page) -> dict[str, str | None]:
    """The previewed canvas's components and connections: id -> its compare mark (None when unmarked)."""
    return page.evaluate("""() => Object.fromEntries([...document.querySelectorAll('.document-view [data-cell-id]')]
        .map((cell) => [cell.dataset.cellId, cell.dataset.mark || null]))""")


@pytest.mark.parametrize("page", SIZES[:1], indirect=True, ids=["1280x720"])
def test_history_previews_and_compares_a_version_without_editing_while_others_edit(page, site, document, artifacts):
    board = board_create(document=document)
    current = copy.deepcopy(document)
    nodes = {node["id"]: node for node in current["nodes"]}
    nodes["ms"]["config"]["replicas"] = 4
    nodes["fs"]["label"] = "Online features"
    nodes["gw"]["position"] = {"x": 80, "y": 300}
    current["nodes"] = [nodes["gw"], nodes["fs"], nodes["ms"],
                        {"id": "cache", "kind": "cache", "label": "Score cache", "position": {"x": 700, "y": 120}}]
    current["edges"] = [*current["edges"][:2], {"id": "e4", "source": "ms", "target": "cache", "mode": "sync"}]
    board_update(board_id=board.pk, expected_version=1, document=current)

    sent = []  # what the page sends while previewing: no edit may be among it
    page.on("websocket", lambda socket: socket.on("framesent", lambda frame: sent.append(frame)))
    page.on("request", lambda request: request.method != "GET" and sent.append(f"{request.method} {request.url}"))
    editor = EditorPage(page, site)
    editor.open(str(board.pk))
    page.click("#tab-versions")
    page.click('button[aria-label="Preview version 1"]')
    banner = page.locator(".preview-banner")
    expect(banner.locator(".preview-name")).to_have_text("Version 1")
    expect(page.locator("#canvas")).to_be_hidden()
    wait_for(page, "() => document.querySelectorAll('.document-view [data-cell-id]').length === 7")
    assert preview_cells(page) == {cell: None for cell in ["gw", "fs", "ms", "log", "e1", "e2", "e3"]}
    # Fitted below the banner: no component is hidden under it.
    banner_box = banner.bounding_box()
    for box in page.locator(".document-view .x6-node").evaluate_all("(nodes) => nodes.map((n) => n.getBoundingClientRect().toJSON())"):
        assert box["top"] >= banner_box["y"] + banner_box["height"], (box, banner_box)
    screenshots(page, artifacts, "history-preview")

    # Nothing edits while previewing: the canvas keys and a drag reach neither canvas.
    sent.clear()
    page.locator(".document-view").click(position={"x": 300, "y": 200})
    for key in ["Delete", "Control+z", "ArrowRight", "Control+a", "Delete"]:
        page.keyboard.press(key)
    # A drag pans the preview (there and back), and moves nothing.
    for start, end in (((400, 250), (600, 400)), ((600, 400), (400, 250))):
        page.mouse.move(*start)
        page.mouse.down()
        page.mouse.move(*end, steps=4)
        page.mouse.up()
    expect(page.locator("#palette")).to_have_attribute("inert", "")

    # Someone else changes the live board meanwhile.
    moved = {**current, "nodes": [{**nodes["gw"], "label": "Edge gateway"}, *current["nodes"][1:]]}
    status, _ = editor.api("PUT", f"/api/boards/{board.pk}/", {"version": 2, "document": moved})
    assert status == 200
    wait_for(page, "() => window.boardEditor.state.node('gw').label === 'Edge gateway'")
    expect(banner.locator(".preview-note")).to_contain_text("the live board changed meanwhile")
    expect(page.locator('.version[data-version="3"] .version-current')).to_have_text("current")  # the list follows
    assert preview_cells(page)["gw"] is None

    # Compare: what changed since version 1, on the canvas and in words, the other's edit included.
    banner.locator('[data-preview="compare"]').click()
    expect(banner.locator(".preview-summary")).to_have_text(
        "Components: 1 added, 1 removed, 3 changed · Connections: 1 added, 1 removed")
    assert preview_cells(page) == {"gw": "changed", "fs": "changed", "ms": "changed", "cache": "added", "log": "removed",
                                   "e1": None, "e2": None, "e3": "removed", "e4": "added"}
    details = page.locator(".compare-details .compare-item")
    expect(details.filter(has_text="CTR model: replicas 8 → 4")).to_have_count(1)
    expect(details.filter(has_text="Added Score cache")).to_have_count(1)
    expect(details.filter(has_text="Removed Event log")).to_have_count(1)
    screenshots(page, artifacts, "history-compare", inside=(".preview-banner", ".canvas-wrap"))
    # The page asked for others' edits (sync) and announced its cursor (presence); it sent no edit and saved nothing.
    assert not [item for item in map(str, sent) if '"type":"edit"' in item.replace(" ", "")
                or item.startswith(("PUT", "PATCH", "POST", "DELETE"))], sent

    # Back to the live board: it has the other's edit, and nothing of the preview.
    page.keyboard.press("Escape")
    expect(page.locator(".document-view")).to_have_count(0)
    expect(page.locator("#canvas")).to_be_visible()
    assert sorted(editor.node_ids()) == ["cache", "fs", "gw", "ms"]
    assert page.evaluate(f"{EDITOR}.graph.getCellById('gw').attr('label/text')") == "Edge gateway"
    assert page.evaluate("window.boardEditor.state.dirty()") is False
    assert Board.objects.get(pk=board.pk).version == 3

    # Restoring from the preview stores version 1 as version 4.
    page.click('button[aria-label="Preview version 1"]')
    banner.locator('[data-preview="restore"]').click()
    eventually(lambda: Board.objects.get(pk=board.pk).version == 4)
    assert [node["id"] for node in Board.objects.get(pk=board.pk).document["nodes"]] == ["gw", "fs", "ms", "log"]
    expect(page.locator(".document-view")).to_have_count(0)

    # A view link previews and compares too, and restores nothing.
    page.goto(site + "/")  # a new page: only the address's fragment would change otherwise
    editor.open(str(board.pk), token=board.view_token)
    expect(page.locator("#view-only-badge")).to_be_visible()
    page.click("#tab-versions")
    preview = page.locator('button[aria-label="Preview version 2"]')
    expect(preview).to_be_enabled()
    expect(page.locator('button[aria-label="Restore version 2"]')).to_have_count(0)
    preview.click()
    expect(banner.locator('[data-preview="restore"]')).to_have_count(0)
    banner.locator('[data-preview="compare"]').click()
    # Version 2 against the restored version 1: the gateway only moved.
    expect(banner.locator(".preview-summary")).to_have_text(
        "Components: 1 added, 1 removed, 2 changed · 1 moved · Connections: 1 added, 1 removed")
    banner.locator('[data-preview="leave"]').click()
    expect(page.locator("#canvas")).to_be_visible()
