"""What a first-time user tripped over in the editor: cropped SVG exports, palette clicks, panels and the minimap over the diagram, the top bar, unreadable boxes."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.editor_page import EDITOR, EditorPage

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

EXAMPLE = json.loads((Path(__file__).resolve().parents[2] / "simulator/examples/ad_click.json").read_text())
SIZES = [{"width": 1280, "height": 720}, {"width": 1440, "height": 900}]


@pytest.fixture
def editor(page, site) -> EditorPage:
    return EditorPage(page, site)


def open_example(editor: EditorPage, **traffic) -> str:
    document = copy.deepcopy(EXAMPLE)
    document["traffic"].update(traffic)
    status, board = editor.api("POST", "/api/boards/", {"document": document})
    assert status == 201, board
    editor.open(board["id"])
    return board["id"]


def download_svg(page) -> str:
    page.click("#export-menu > summary")
    with page.expect_download() as info:
        page.click('[data-export="svg"]')
    return Path(info.value.path()).read_text()


# Where each component is drawn in an exported SVG, as fractions of the picture: drawn in this page, measured.
DRAWN_IN_SVG = """(text) => {
    const svg = document.importNode(new DOMParser().parseFromString(text, "image/svg+xml").documentElement, true);
    const holder = Object.assign(document.createElement("div"), { style: "position: fixed; left: 0; top: 0; visibility: hidden" });
    holder.append(svg);
    document.body.append(holder);
    const frame = svg.getBoundingClientRect();
    const out = {};
    for (const group of svg.querySelectorAll("g.x6-node[data-cell-id]")) {
        const box = group.getBoundingClientRect();
        out[group.dataset.cellId] = [(box.left - frame.left) / frame.width, (box.top - frame.top) / frame.height,
                                     (box.right - frame.left) / frame.width, (box.bottom - frame.top) / frame.height];
    }
    holder.remove();
    return out;
}"""


def test_svg_export_holds_the_whole_diagram_whatever_the_view(editor, page):
    open_example(editor)
    nodes = set(editor.node_ids())
    for zoom, pan in ((2.2, (-900, -300)), (0.4, (500, 400))):
        page.evaluate(f"([zoom, x, y]) => {{ {EDITOR}.graph.zoomTo(zoom); {EDITOR}.graph.translate(x, y); }}", [zoom, *pan])
        drawn = page.evaluate(DRAWN_IN_SVG, download_svg(page))
        assert set(drawn) == nodes
        for node, (left, top, right, bottom) in drawn.items():
            assert 0 <= left < right <= 1 and 0 <= top < bottom <= 1, f"at zoom {zoom}, {node} is drawn outside the SVG: {drawn[node]}"
        # The whole diagram spans the picture, whatever the zoom was: from the first box to the last.
        assert min(box[0] for box in drawn.values()) < 0.1 and max(box[2] for box in drawn.values()) > 0.9
