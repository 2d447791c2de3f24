"""Drives the board editor the way a user does: palette drags, port drags, keys, the side panel."""

from __future__ import annotations

import base64
import json
import time
import urllib.request
from typing import Any

from playwright.sync_api import Page, expect

from tests.access import board_of_path, edit_token

EDITOR = "window.boardEditor.editor"


def wait_for(page: Page, expression: str, arg: Any = None, timeout_s: float = 15) -> None:
    """Wait until a page expression (or a function of `arg`) is true.

    Polled through the debugger protocol: the site's Content Security Policy forbids the page to
    eval a string, which Playwright's wait_for_function needs.
    """
    deadline = time.monotonic() + timeout_s
    while not page.evaluate(expression, arg):
        assert time.monotonic() < deadline, f"still false after {timeout_s} s: {expression}"
        time.sleep(0.05)


class EditorPage:
    def __init__(self, page: Page, site: str):
        self.page = page
        self.site = site

    # ---- boards through the API, as a second client would ----

    def api(self, method: str, path: str, body: dict | None = None, token: str | None = None) -> tuple[int, Any]:
        """A request with the board's edit token (or `token`), as the creator's second client would send it."""
        data = json.dumps(body).encode() if body is not None else None
        board_id = board_of_path(path)
        token = edit_token(board_id) if token is None and board_id else token
        headers = {"Content-Type": "application/json", **({"X-Board-Token": token} if token else {})}
        request = urllib.request.Request(self.site + path, data=data, method=method, headers=headers)
        try:
            with urllib.request.urlopen(request) as response:
                return response.status, json.loads(response.read() or b"null")
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read() or b"null")

    def create_board_from_landing(self, title: str) -> str:
        self.page.goto(self.site + "/")
        self.page.fill("#new-board-title", title)
        self.page.click("#new-board button[type=submit]")
        self.page.wait_for_url("**/b/*/")
        self.wait_ready()
        return self.board_id()

    def open(self, board_id: str, token: str | None = None) -> None:
        """Open the board's link: its edit link unless another token (a view token) is given."""
        self.page.goto(f"{self.site}/b/{board_id}/#token={token or edit_token(board_id)}")
        self.wait_ready()

    def wait_ready(self) -> None:
        self.page.wait_for_selector("#editor[data-ready=true]")

    def board_id(self) -> str:
        return self.page.get_attribute("#editor", "data-board-id")

    def stored_document(self) -> dict:
        status, board = self.api("GET", f"/api/boards/{self.board_id()}/")
        assert status == 200
        return board["document"]

    # ---- canvas ----

    def document(self) -> dict:
        return self.page.evaluate("window.boardEditor.state.current()")

    def node_ids(self) -> list[str]:
        return self.page.evaluate(f"{EDITOR}.graph.getNodes().map((n) => n.id)")

    def drag_from_palette(self, kind: str, x: float, y: float) -> str:
        """Drag a palette item to (x, y) in the page; returns the new node's id."""
        before = set(self.node_ids())
        item = self.page.locator(f'.palette-item[data-kind="{kind}"]')
        item.scroll_into_view_if_needed()  # the palette scrolls when it holds more kinds than the window
        box = item.bounding_box()
        self.page.mouse.move(box["x"] + 30, box["y"] + box["height"] / 2)
        self.page.mouse.down()
        self.page.mouse.move(box["x"] + 120, box["y"] + 20, steps=4)
        self.page.mouse.move(x, y, steps=10)
        self.page.mouse.up()
        added = set(self.node_ids()) - before
        assert len(added) == 1, f"dragging {kind} added {added}"
        return added.pop()

    def node(self, node_id: str):
        return self.page.locator(f'#canvas g.x6-node[data-cell-id="{node_id}"]')

    def port_centre(self, node_id: str, group: str) -> tuple[float, float]:
        box = self.node(node_id).locator(f'[port-group="{group}"]').bounding_box()
        return box["x"] + box["width"] / 2, box["y"] + box["height"] / 2

    def connect(self, source: str, target: str) -> None:
        """Drag from the source's right port and drop on the target's left port."""
        sx, sy = self.port_centre(source, "right")
        tx, ty = self.port_centre(target, "left")
        self.page.mouse.move(sx, sy)
        self.page.mouse.down()
        self.page.mouse.move((sx + tx) / 2, (sy + ty) / 2, steps=6)
        self.page.mouse.move(tx, ty, steps=6)
        self.page.mouse.up()

    def click_node(self, node_id: str, modifiers: list[str] | None = None) -> None:
        self.node(node_id).locator("text").first.click(modifiers=modifiers or [])

    def click_blank(self) -> None:
        box = self.page.locator("#canvas").bounding_box()
        self.page.mouse.click(box["x"] + box["width"] - 260, box["y"] + 40)

    # ---- side panel and status ----

    def field(self, name: str):
        return self.page.locator(f'#panel-properties .field[data-field="{name}"]')

    def set_field(self, name: str, text: str) -> None:
        control = self.field(name).locator("input")
        control.fill(text)
        control.press("Enter")

    def wait_saved(self) -> None:
        expect(self.page.locator("#save-status")).to_have_attribute("data-state", "saved", timeout=10_000)
        wait_for(self.page, "!window.boardEditor.state.dirty()")

    # ---- screenshots ----

    def distinct_colours(self, png: bytes) -> int:
        """Colours in a screenshot, counted from the browser's own decoding of the PNG."""
        encoded = base64.b64encode(png).decode()
        # Decoded in the page, not fetched as a data: URL, which the site's CSP (connect-src) refuses.
        return self.page.evaluate(
            """async (encoded) => {
                const bytes = Uint8Array.from(atob(encoded), (char) => char.charCodeAt(0));
                const bitmap = await createImageBitmap(new Blob([bytes], { type: "image/png" }));
                const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
                const context = canvas.getContext("2d");
                context.drawImage(bitmap, 0, 0);
                const pixels = context.getImageData(0, 0, bitmap.width, bitmap.height).data;
                const seen = new Set();
                for (let i = 0; i < pixels.length; i += 4) seen.add((pixels[i] << 16) | (pixels[i + 1] << 8) | pixels[i + 2]);
                return seen.size;
            }""",
            encoded,
        )
