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


def screen_boxes(page) -> dict[str, list[float]]:
    """Each component's box on screen: [left, top, right, bottom]."""
    return page.evaluate("""() => Object.fromEntries([...document.querySelectorAll("#canvas g.x6-node[data-cell-id]")].map((group) => {
        const box = group.querySelector("rect + rect").getBoundingClientRect(); // the body, not the run's outline
        return [group.dataset.cellId, [box.left, box.top, box.right, box.bottom]];
    }))""")


def overlap(a, b) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def rect_of(page, selector: str) -> list[float]:
    return page.evaluate("(selector) => { const b = document.querySelector(selector).getBoundingClientRect(); return [b.left, b.top, b.right, b.bottom]; }", selector)


def inside(inner, outer) -> bool:
    return outer[0] <= inner[0] and outer[1] <= inner[1] and inner[2] <= outer[2] and inner[3] <= outer[3]


def test_a_click_on_a_palette_item_adds_it_selected_at_a_free_visible_place(editor, page):
    open_example(editor)
    canvas = rect_of(page, "#canvas")
    added = []
    for kind in ("cache", "cache", "model_server"):
        before = set(editor.node_ids())
        page.click(f'.palette-item[data-kind="{kind}"]')
        new = set(editor.node_ids()) - before
        assert len(new) == 1, f"a click on {kind} added {new}"
        added.append(new.pop())
        assert page.evaluate(f"{EDITOR}.selectedIds()") == [added[-1]]
        boxes = screen_boxes(page)
        box = boxes[added[-1]]
        assert inside(box, canvas), f"{added[-1]} at {box} is outside the visible canvas {canvas}"
        assert not overlap(box, rect_of(page, "#minimap")), "the new component is under the minimap"
        others = [other for node, other in boxes.items() if node != added[-1]]
        assert not any(overlap(box, other) for other in others), f"{added[-1]} at {box} covers another component"
    assert [editor.document()["nodes"][-1]["kind"]] == ["model_server"]
    # Enter on a focused item and dragging still add one each.
    before = set(editor.node_ids())
    page.focus('.palette-item[data-kind="gateway"]')
    page.keyboard.press("Enter")
    assert len(set(editor.node_ids()) - before) == 1
    editor.drag_from_palette("logging", canvas[0] + 120, canvas[1] + 80)
