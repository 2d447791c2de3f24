"""The editor's export menu: every export downloads a real file; a JSON import opens a new board."""

from __future__ import annotations

import json

import pytest

from tests.browser.editor_page import EditorPage

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PNG = b"\x89PNG\r\n\x1a\n"


@pytest.fixture
def editor(page, site) -> EditorPage:
    return EditorPage(page, site)


def download(page, action: str) -> tuple[str, bytes]:
    page.click("#export-menu > summary")
    with page.expect_download() as info:
        page.click(f'[data-export="{action}"]')
    item = info.value
    return item.suggested_filename, open(item.path(), "rb").read()


def png_size(data: bytes) -> tuple[int, int]:
    assert data.startswith(PNG)
    return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")


def test_each_export_in_the_menu_downloads_its_file(editor, page):
    editor.create_board_from_landing("Export menu")
    gateway = editor.drag_from_palette("gateway", 420, 220)
    model = editor.drag_from_palette("model_server", 700, 220)
    editor.connect(gateway, model)
    editor.wait_saved()

    name, one = download(page, "png")
    assert name.endswith(".png")
    name, two = download(page, "png2x")
    width1, height1 = png_size(one)
    width2, height2 = png_size(two)
    assert (width2, height2) == (2 * width1, 2 * height1)
    name, svg = download(page, "svg")
    assert name.endswith(".svg") and b"<svg" in svg[:400]
    _, server_png = download(page, "server-png")
    assert png_size(server_png)[0] > 100 and len(server_png) > 5_000
    _, code = download(page, "code")
    assert b"from diagrams import" in code
    _, board_json = download(page, "json")
    assert json.loads(board_json) == editor.stored_document()
    _, report = download(page, "report-md")
    assert report.decode().startswith("# Export menu")


def test_importing_a_json_file_opens_it_as_a_new_board_and_bad_files_are_refused(editor, page, tmp_path,
                                                                                   console_errors):
    console_errors.allow("status of 400")  # the refused import is logged by the browser, as expected
    editor.create_board_from_landing("Original")
    editor.drag_from_palette("cache", 420, 220)
    editor.wait_saved()
    original = editor.board_id()
    document = editor.stored_document()
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({**document, "nodes": [{"id": "x", "kind": "teleporter"}]}))
    page.click("#export-menu > summary")
    page.set_input_files("#import-file", str(bad))
    page.wait_for_selector("#toast:not([hidden])")
    assert "nodes[0].kind" in page.inner_text("#toast")
    assert editor.board_id() == original

    good = tmp_path / "good.json"
    good.write_text(json.dumps({**document, "title": "Imported copy"}))
    page.set_input_files("#import-file", str(good))
    page.wait_for_url(lambda url: original not in url and "/b/" in url)
    editor.wait_ready()
    assert editor.board_id() != original
    assert editor.stored_document()["nodes"] == document["nodes"]


def test_canvas_svg_holds_components_scrolled_out_of_view(editor, page):
    board = {"schema_version": 1, "title": "Wide board", "nodes": [
        {"id": f"n{i}", "kind": "gateway", "label": f"Box {i}", "position": {"x": i * 900, "y": 0}} for i in range(6)],
        "edges": []}
    status, created = editor.api("POST", "/api/boards/", {"document": board})
    assert status == 201
    editor.open(created["id"])
    page.evaluate("window.boardEditor.editor.graph.zoomTo(1.5); window.boardEditor.editor.graph.translate(0, 0)")
    _, svg = download(page, "svg")
    text = svg.decode()
    assert all(f"Box {i}" in text for i in range(6))
