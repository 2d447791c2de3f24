"""Several people on one board, each in a browser of their own, for the co-editing tests."""

from __future__ import annotations

import json

from playwright.sync_api import Page

from tests.browser.conftest import ConsoleErrors
from tests.browser.editor_page import EditorPage, wait_for

LIVE = "window.boardEditor.live"


class Person:
    """One browser (its own context: own storage, own socket) with a guest name."""

    def __init__(self, chromium, site: str, name: str):
        self.context = chromium.new_context(viewport={"width": 1280, "height": 800})
        self.context.add_init_script(f"localStorage.setItem('whiteboard.guest-name', {json.dumps(name)})")
        self.page: Page = self.context.new_page()
        self.page.set_default_timeout(15_000)
        self.errors = ConsoleErrors()
        self.page.on("console", lambda message: message.type == "error"
                     and self.errors.append(f"{message.text} at {message.location.get('url')}"))
        self.page.on("pageerror", lambda error: self.errors.append(f"uncaught: {error}"))
        self.editor = EditorPage(self.page, site)
        self.name = name

    def open(self, site: str, board: dict) -> None:
        self.page.goto(f"{site}/b/{board['id']}/#token={board['edit_token']}")
        self.editor.wait_ready()
        wait_for(self.page, f"{LIVE}.active")

    def positions(self) -> dict:
        return self.page.evaluate("Object.fromEntries(window.boardEditor.editor.graph.getNodes()"
                                  ".map((n) => [n.id, n.getPosition()]))")

    def settled(self) -> None:
        wait_for(self.page, f"{LIVE}.active && !{LIVE}.inFlight && window.boardEditor.state.dirty() === false")

    def close(self) -> None:
        unexpected = self.errors.unexpected()
        self.context.close()
        assert not unexpected, f"{self.name}'s console logged errors: {unexpected}"


def create_board(person: Person, document: dict) -> dict:
    status, board = person.editor.api("POST", "/api/boards/", {"document": document})
    assert status == 201, board
    return board


def stored(person: Person, board: dict) -> dict:
    status, answer = person.editor.api("GET", f"/api/boards/{board['id']}/", token=board["edit_token"])
    assert status == 200, answer
    return answer
