"""Panning moves drawn pixels and settles afterwards: in between, the view answers, hits and draws as it will at rest."""

from __future__ import annotations

import pytest

from tests.browser.editor_page import EditorPage

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

GRAPH = "window.boardEditor.editor.graph"

# Where the view and a component are, measured on the page and asked of X6, in one task (so it is
# the view of that moment, before a pan has had time to settle).
VIEW = """(id) => {
    const graph = window.boardEditor.editor.graph;
    const node = graph.getCellById(id);
    const body = document.querySelector(`#canvas g.x6-node[data-cell-id="${id}"] rect + rect`).getBoundingClientRect();
    const position = node.getPosition();
    const client = graph.localToClient(position.x, position.y);
    const local = graph.clientToLocal(body.left, body.top);
    const page = graph.pageToLocal(body.left + window.scrollX, body.top + window.scrollY);
    const canvas = graph.container.getBoundingClientRect();
    // The first dots' tile: the grid layer's box (which a pan scrolls) plus its background's offset.
    const gridLayer = document.querySelector("#canvas .canvas-grid");
    const grid = gridLayer.getBoundingClientRect();
    const [dotsX, dotsY] = getComputedStyle(gridLayer).backgroundPosition.split(" ").map(parseFloat);
    return {
        translate: graph.translate(), scale: graph.scale().sx, screen: [body.left, body.top], client: [client.x, client.y],
        local: [local.x, local.y], page: [page.x, page.y], position: [position.x, position.y],
        grid_phase: [grid.left + dotsX - canvas.left, grid.top + dotsY - canvas.top],
        written: graph.view.viewport.getAttribute("transform"),
    };
}"""

PAN_STEPS = """(steps) => {
    const graph = window.boardEditor.editor.graph;
    for (const [dx, dy] of steps) {
        const { tx, ty } = graph.translate();
        graph.translate(tx + dx, ty + dy);
    }
}"""


def board() -> dict:
    return {"schema_version": 1, "title": "Panning", "edges": [], "nodes": [
        {"id": "gw", "kind": "gateway", "position": {"x": 80, "y": 120}},
        {"id": "ms", "kind": "model_server", "position": {"x": 380, "y": 260}},
    ]}


def assert_consistent(view: dict, pitch: float = 10, grid_px: float = 0.1) -> None:
    """The component is drawn where X6 says it is, screen points map back to it, the grid keeps its phase (within grid_px)."""
    assert view["client"] == pytest.approx(view["screen"], abs=0.6)
    assert view["local"] == pytest.approx(view["position"], abs=0.6)
    assert view["page"] == pytest.approx(view["position"], abs=0.6)
    step = pitch * view["scale"]
    shown = step * 5 if step < 5 else step
    for phase, offset in zip(view["grid_phase"], (view["translate"]["tx"], view["translate"]["ty"])):
        assert (phase - offset) / shown == pytest.approx(round((phase - offset) / shown), abs=grid_px / shown)


def open_board(page, site: str, tx: int, ty: int) -> None:
    """The two-component board, open at 100% with the board's origin at (tx, ty) on the canvas."""
    editor = EditorPage(page, site)
    status, created = editor.api("POST", "/api/boards/", {"document": board()})
    assert status == 201
    editor.open(created["id"], created["edit_token"])
    page.evaluate(f"([tx, ty]) => {{ {GRAPH}.zoomTo(1); {GRAPH}.translate(tx, ty); }}", [tx, ty])


def test_mid_pan_the_view_answers_hits_and_draws_as_it_will_once_it_rests(page, site):
    open_board(page, site, 40, 30)
    page.wait_for_timeout(400)
    rest = page.evaluate(VIEW, "gw")
    assert_consistent(rest)

    # Mid-pan: X6 answers the new translate, the component is drawn there and points map to it.
    moving = page.evaluate(f"(steps) => {{ ({PAN_STEPS})(steps); return ({VIEW})('gw'); }}", [[-12, -4]] * 5 + [[7, 3]])
    assert moving["translate"] == {"tx": 40 - 60 + 7, "ty": 30 - 20 + 3}
    assert moving["screen"] == pytest.approx([rest["screen"][0] - 53, rest["screen"][1] - 17], abs=0.6)
    assert_consistent(moving)
    assert moving["written"] == rest["written"]  # the group's transform waits for the pan to end

    # A click on the shifted drawing hits the component drawn under it.
    box = page.locator('#canvas g.x6-node[data-cell-id="ms"]').bounding_box()
    page.evaluate(PAN_STEPS, [[-30, -10]])
    page.mouse.click(box["x"] - 30 + box["width"] / 2, box["y"] - 10 + box["height"] / 2)
    assert page.evaluate("window.boardEditor.editor.selectedIds()") == ["ms"]

    # At rest the group's transform holds the view again, and nothing else moved.
    page.wait_for_timeout(400)
    settled = page.evaluate(VIEW, "gw")
    assert settled["translate"] == {"tx": 40 - 60 + 7 - 30, "ty": 30 - 20 + 3 - 10}
    assert settled["written"] == "matrix(1,0,0,1,-43,3)"
    assert_consistent(settled)


def test_a_zoom_during_a_pan_draws_at_the_new_scale_where_x6_says(page, site):
    open_board(page, site, 0, 0)
    view = page.evaluate(f"(steps) => {{ ({PAN_STEPS})(steps); {GRAPH}.zoomTo(0.4); return ({VIEW})('ms'); }}", [[-25, -15]] * 3)
    assert view["scale"] == pytest.approx(0.4)
    assert view["written"].startswith("matrix(0.4,0,0,0.4,")  # a zoom is written at once, not shifted
    assert_consistent(view)
    right_drag = page.locator('#canvas g.x6-node[data-cell-id="ms"]').bounding_box()
    # X6's own right-drag pan: mid-drag the drawing follows the pointer.
    x, y = right_drag["x"] + right_drag["width"] + 40, right_drag["y"] + right_drag["height"] + 40
    page.mouse.move(x, y)
    page.mouse.down(button="right")
    page.mouse.move(x + 60, y + 35, steps=4)
    dragged = page.evaluate(VIEW, "ms")
    page.mouse.up(button="right")
    assert dragged["screen"] == pytest.approx([view["screen"][0] + 60, view["screen"][1] + 35], abs=0.6)
    assert_consistent(dragged)


def test_a_pan_in_part_pixels_or_past_the_scrollers_reach_still_draws_where_x6_says(page, site):
    open_board(page, site, 40, 30)
    page.wait_for_timeout(400)
    # A scroll offset is whole pixels: mid-pan a shift in part pixels (a touchpad's wheel) is drawn
    # within half a pixel of X6's view, and exactly once the pan rests.
    moving = page.evaluate(f"(steps) => {{ ({PAN_STEPS})(steps); return ({VIEW})('gw'); }}", [[-12.5, -4.25]] * 3)
    assert moving["translate"] == pytest.approx({"tx": 40 - 37.5, "ty": 30 - 12.75})
    assert_consistent(moving, grid_px=0.6)
    page.wait_for_timeout(400)
    rested = page.evaluate(VIEW, "gw")
    assert rested["written"] == "matrix(1,0,0,1,2.5,17.25)"
    assert rested["screen"] == pytest.approx([rested["client"][0], rested["client"][1]], abs=0.01)
    assert_consistent(rested)

    # A pan further than the scroller can go is written to X6's group on the way, and goes on from there.
    far = page.evaluate(f"(steps) => {{ ({PAN_STEPS})(steps); return ({VIEW})('gw'); }}", [[-10, 0], [-25000, -100]])
    assert far["written"] == "matrix(1,0,0,1,-25007.5,-82.75)"
    assert_consistent(far)
    back = page.evaluate(f"(steps) => {{ ({PAN_STEPS})(steps); return ({VIEW})('gw'); }}", [[15000, 100]])
    assert back["translate"] == pytest.approx({"tx": -10007.5, "ty": 17.25})
    assert back["written"] == far["written"]  # within reach again: scrolled, not written
    assert_consistent(back)


# The minimap's frame, in page coordinates, and where the visible area is on the minimap's graph.
FRAME = """() => {
    const editor = window.boardEditor.editor;
    const mini = editor.minimap.targetGraph;
    const visible = editor.graph.getGraphArea();
    const corner = mini.localToClient(visible.x, visible.y);
    const { sx } = mini.scale();
    const frame = document.querySelector("#minimap .x6-widget-minimap-viewport").getBoundingClientRect();
    const widget = document.querySelector("#minimap .x6-widget-minimap").getBoundingClientRect();
    const border = 2; // the frame's border, outside the area it frames (X6's minimap style)
    return {
        frame: [frame.left + border, frame.top + border, frame.width - 2 * border, frame.height - 2 * border],
        visible: [corner.x, corner.y, visible.width * sx, visible.height * sx],
        widget: [widget.left, widget.top, widget.right, widget.bottom],
        panning: document.querySelector("#canvas").classList.contains("canvas-panning"),
    };
}"""

TWO_FRAMES = "() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)))"


def test_the_minimap_frame_follows_a_pan_and_frames_the_visible_area_at_rest(page, site):
    open_board(page, site, 40, 30)
    page.wait_for_selector("#minimap .x6-widget-minimap-viewport")
    page.wait_for_timeout(400)
    rest = page.evaluate(FRAME)
    assert rest["frame"] == pytest.approx(rest["visible"], abs=0.02)  # layout is in 1/64 px

    # Mid-pan the frame moves with the view (the map's graph keeps its fit while the view is inside it).
    page.evaluate(PAN_STEPS, [[-12, -4]] * 5)
    page.evaluate(TWO_FRAMES)
    moving = page.evaluate(FRAME)
    assert moving["panning"]
    assert moving["frame"] == pytest.approx(moving["visible"], abs=0.6)  # a scroll offset: whole pixels
    assert moving["frame"][0] > rest["frame"][0] and moving["frame"][1] > rest["frame"][1]

    # A pan well past the board: the map makes room for the view, and the frame stays on the map.
    for _ in range(4):
        page.evaluate(PAN_STEPS, [[-150, -120]] * 3)
        page.evaluate(TWO_FRAMES)
        away = page.evaluate(FRAME)
        assert away["panning"]
        assert away["frame"] == pytest.approx(away["visible"], abs=0.6)
        left, top, right, bottom = away["widget"]
        x, y, width, height = away["frame"]
        assert left <= x and top <= y and x + width <= right and y + height <= bottom

    # At rest the map is fitted to the board and the view exactly, and the frame is where X6 says.
    page.wait_for_timeout(400)
    page.evaluate(TWO_FRAMES)
    settled = page.evaluate(FRAME)
    assert not settled["panning"]
    assert settled["frame"] == pytest.approx(settled["visible"], abs=0.02)
    # The map's fit, as X6's scaleContentToFit leaves it (4 px of padding): the board plus the view fill
    # its graph on one side and fit in it on the other.
    fit = page.evaluate("""() => {
        const editor = window.boardEditor.editor;
        const mini = editor.minimap.targetGraph;
        const area = editor.graph.getCellsBBox(editor.graph.getNodes()).union(editor.graph.getGraphArea());
        const drawn = mini.localToGraph(area);
        const { width, height } = mini.getComputedSize ? mini.getComputedSize() : mini.transform.getComputedSize();
        return { drawn: [drawn.x, drawn.y, drawn.width, drawn.height], size: [width, height] };
    }""")
    x, y, width, height = fit["drawn"]
    room = [fit["size"][0] - 8, fit["size"][1] - 8]
    assert x >= 3.99 and y >= 3.99 and width <= room[0] + 0.01 and height <= room[1] + 0.01
    assert width == pytest.approx(room[0], abs=0.01) or height == pytest.approx(room[1], abs=0.01)


def test_dragging_the_minimaps_frame_pans_the_canvas_and_its_handle_zooms_it(page, site, console_errors):
    open_board(page, site, 40, 30)
    page.wait_for_selector("#minimap .x6-widget-minimap-viewport")
    page.wait_for_timeout(400)
    start = page.evaluate(f"() => [{GRAPH}.translate(), {GRAPH}.scale().sx, window.boardEditor.editor.minimap.targetGraph.scale().sx]")
    (before, scale, mini_scale) = start
    # The frame dragged 10 px right and 6 down on the map: the view moves over the board by as much
    # in board units (10 / the map's scale), so the board's origin moves left and up on the canvas.
    box = page.locator("#minimap .x6-widget-minimap-viewport").bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] / 2 + 10, box["y"] + box["height"] / 2 + 6, steps=4)
    page.mouse.up()
    after = page.evaluate(f"() => {GRAPH}.translate()")
    assert after["tx"] - before["tx"] == pytest.approx(-10 * scale / mini_scale, abs=0.5)
    assert after["ty"] - before["ty"] == pytest.approx(-6 * scale / mini_scale, abs=0.5)
    # Its zoom handle dragged left zooms in (X6: by the drag over the frame's width).
    page.wait_for_timeout(400)
    handle = page.locator("#minimap .x6-widget-minimap-viewport-zoom").bounding_box()
    page.mouse.move(handle["x"] + handle["width"] / 2, handle["y"] + handle["height"] / 2)
    page.mouse.down()
    page.mouse.move(handle["x"] + handle["width"] / 2 - 20, handle["y"] + handle["height"] / 2, steps=4)
    page.mouse.up()
    page.evaluate(TWO_FRAMES)
    assert page.evaluate(f"() => {GRAPH}.scale().sx") > scale
    assert not console_errors.unexpected()
