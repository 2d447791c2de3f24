"""The board's sketch: drawn as soon as the board arrives, before the canvas library, exactly where the canvas then draws it, and gone once it has."""

from __future__ import annotations

import pytest

from benchmarks.editor_render import big_board
from tests.browser.conftest import ARTIFACTS
from tests.browser.editor_page import EditorPage

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SIZES = [{"width": 1280, "height": 720}, {"width": 1440, "height": 900}]
SCRIPT = "<img src=x onerror=window.__xss=1>"


def board() -> dict:
    """40 components and 60 connections with what changes how a box or a line is drawn."""
    document = big_board(40, 60)
    nodes, edges = document["nodes"], document["edges"]
    for index, node in enumerate(nodes):  # 8 columns, so that names are large enough to write at the fitted zoom
        node["position"] = {"x": (index % 8) * 240, "y": (index // 8) * 110}
    nodes[0]["label"] = f"{SCRIPT} & a rather long name that wraps onto two lines"
    nodes[1]["label"] = ""
    nodes[2]["label"] = "Model server"  # named after its kind: no kind line under it
    edges[0]["vertices"] = [{"x": 300, "y": 200}, {"x": 520, "y": 260}]
    edges[1].update(label=f"features {SCRIPT}", retry={"max_attempts": 3}, timeout_ms=50)
    edges[2]["mode"] = "async"
    return document


# Client rectangles (CSS px, to 0.1) of the boxes, lines and labels, by cell id, and the lines' paths.
GEOMETRY = """(sketch) => {
    const rect = (element) => { const r = element.getBoundingClientRect(); return [r.x, r.y, r.width, r.height].map((v) => Math.round(v * 10) / 10); };
    const of = (selector, id, pick) => Object.fromEntries([...document.querySelectorAll(selector)].map((e) => [e.getAttribute(id), pick(e)]));
    if (sketch) return {
        boxes: of('#canvas .canvas-sketch .sketch-box', 'data-id', (g) => rect(g.querySelector('rect'))),
        names: of('#canvas .canvas-sketch .sketch-box', 'data-id', (g) => [...g.querySelectorAll('text')].map((t) => [t.textContent, rect(t)])),
        lines: of('#canvas .canvas-sketch .sketch-line', 'data-id', (p) => p.getAttribute('d')),
        labels: of('#canvas .canvas-sketch .sketch-label', 'data-id', (g) => [g.textContent, rect(g.querySelector('rect'))]),
    };
    const shown = (t) => t.getAttribute('display') !== 'none' && t.textContent !== '';
    return {
        boxes: of('#canvas .x6-node', 'data-cell-id', (g) => rect(g.querySelectorAll(':scope > rect')[1])),
        names: of('#canvas .x6-node', 'data-cell-id', (g) => [...g.querySelectorAll(':scope > text')].filter(shown).map((t) => [t.textContent, rect(t)])),
        lines: of('#canvas .x6-edge', 'data-cell-id', (g) => g.querySelectorAll(':scope > path')[1].getAttribute('d')),
        labels: Object.fromEntries([...document.querySelectorAll('#canvas .x6-edge')].filter((g) => g.querySelector('.x6-edge-label'))
            .map((g) => [g.dataset.cellId, [g.querySelector('.x6-edge-label').textContent, rect(g.querySelector('.x6-edge-label rect'))]])),
    };
}"""


def close(a: list[float], b: list[float], tolerance: float = 0.5) -> bool:
    return all(abs(x - y) <= tolerance for x, y in zip(a, b, strict=True))


@pytest.mark.parametrize("page", SIZES, indirect=True, ids=["1280x720", "1440x900"])
def test_the_sketch_shows_the_board_before_the_canvas_library_and_the_canvas_draws_it_in_the_same_place(page, site, chromium):
    editor = EditorPage(page, site)
    status, created = editor.api("POST", "/api/boards/", {"document": board()})
    assert status == 201, created
    board_id = created["id"]
    size = page.viewport_size

    # A page whose canvas library never arrives still shows the board: the sketch needs none of it.
    # (Its editor then fails to start, so that page's console errors are its own.)
    context = chromium.new_context(viewport=size)
    early = context.new_page()
    early.route("**/vendor/x6.min.js", lambda route: route.abort())
    early.goto(f"{site}/b/{board_id}/#token={created['edit_token']}")
    early.wait_for_selector("#canvas .canvas-sketch .sketch-box")
    assert early.locator("#canvas .x6-node").count() == 0
    sketched = early.evaluate(GEOMETRY, True)
    assert early.get_attribute("#canvas .canvas-sketch", "data-texts") == "true"
    early.locator(".canvas-wrap").screenshot(path=str(ARTIFACTS / f"sketch-{size['width']}x{size['height']}.png"))
    assert early.evaluate("window.__xss") is None  # names are text on the sketch too
    context.close()

    editor.open(board_id)
    assert page.locator("#canvas .canvas-sketch").count() == 0  # the canvas has drawn the board: the sketch is gone
    drawn = page.evaluate(GEOMETRY, False)
    page.locator(".canvas-wrap").screenshot(path=str(ARTIFACTS / f"sketch-drawn-{size['width']}x{size['height']}.png"))
    assert page.evaluate("window.__xss") is None

    assert len(sketched["boxes"]) == 40 and len(sketched["lines"]) == 60
    assert sketched["boxes"].keys() == drawn["boxes"].keys()
    moved = {node: (sketched["boxes"][node], drawn["boxes"][node]) for node in drawn["boxes"]
             if not close(sketched["boxes"][node], drawn["boxes"][node])}
    assert not moved, f"boxes not where the canvas draws them: {moved}"
    # The same texts (a long name wrapped and cut as the canvas cuts it, no kind line under a box
    # named after its kind, markup as text), in the same places.
    for node, texts in drawn["names"].items():
        assert [text for text, _ in sketched["names"][node]] == [text for text, _ in texts], node
        assert all(close(a, b, 1.0) for (_, a), (_, b) in zip(sketched["names"][node], texts)), node
    assert sketched["names"]["n0"][0][0].startswith("<img\u00a0src=x")
    assert len(sketched["names"]["n2"]) == 1
    # Every line follows the same path, to the hundredth of a unit, bends included.
    assert sketched["lines"] == drawn["lines"]
    assert sketched["labels"].keys() == drawn["labels"].keys()
    for edge, (text, box) in drawn["labels"].items():
        assert sketched["labels"][edge][0] == text and close(sketched["labels"][edge][1], box), edge


def test_the_canvas_drawn_after_its_sketch_takes_clicks_and_a_board_without_components_has_no_sketch(page, site):
    editor = EditorPage(page, site)
    document = board()
    document["edges"] = []  # nothing over the boxes to take the click
    status, created = editor.api("POST", "/api/boards/", {"document": document})
    assert status == 201
    editor.open(created["id"])
    page.locator("#canvas [data-cell-id=n5]").click()
    assert page.evaluate("window.boardEditor.editor.selectedIds()") == ["n5"]

    status, empty = editor.api("POST", "/api/boards/", {})
    assert status == 201
    editor.open(empty["id"])
    assert page.locator("#canvas .canvas-sketch").count() == 0


def test_a_board_fitted_too_small_to_read_is_sketched_without_its_texts(page, site, chromium):
    # 200 components fit 1280 px at about 14%: an 11 px kind line would be under 2 px high.
    editor = EditorPage(page, site)
    status, created = editor.api("POST", "/api/boards/", {"document": big_board(200, 300)})
    assert status == 201
    context = chromium.new_context(viewport={"width": 1280, "height": 800})
    early = context.new_page()
    early.route("**/vendor/x6.min.js", lambda route: route.abort())
    early.goto(f"{site}/b/{created['id']}/#token={created['edit_token']}")
    early.wait_for_selector("#canvas .canvas-sketch .sketch-box")
    counts = early.evaluate("""() => { const sketch = document.querySelector('#canvas .canvas-sketch');
        return [sketch.dataset.texts, sketch.querySelectorAll('.sketch-box').length, sketch.querySelectorAll('.sketch-line').length,
                sketch.querySelectorAll('.sketch-label rect').length, sketch.querySelectorAll('text').length]; }""")
    context.close()
    assert counts == ["false", 200, 300, 300, 0]
    editor.open(created["id"])  # the canvas writes them all, as at any zoom
    assert page.locator("#canvas .x6-node text").count() >= 200
