"""The start page's board menu (rename in place, duplicate, delete with an undo) and History's preview and compare."""

from __future__ import annotations

import time

import pytest
from playwright.sync_api import expect

from architectures.models import Board
from architectures.services import board_create, board_update

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SIZES = [{"width": 1280, "height": 720}, {"width": 1440, "height": 900}]


def eventually(check, timeout_s: float = 10) -> None:
    """Wait for the server to have stored what the page sent (the page shows a rename at once)."""
    deadline = time.monotonic() + timeout_s
    while not check():
        assert time.monotonic() < deadline, "the server never stored it"
        time.sleep(0.05)


def screenshots(page, artifacts, name: str) -> None:
    """The page at both sizes users have, then back at the first."""
    for size in SIZES:
        page.set_viewport_size(size)
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
    screenshots(page, artifacts, "start-page-menu")
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
