"""The server-side PNG: icons for every kind, real PNG files, escaping, time limit and clean-up."""

from __future__ import annotations

import importlib
import json
import struct
from pathlib import Path

import pytest

from architectures.export.icons import icon_for
from architectures.export.plan import diagram_plan, graphviz_text
from architectures.export.png import ExportFailed, render_png
from architectures.export.samples import every_kind_board
from simulator.catalog import KINDS
from simulator.validation import check_document

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
EXAMPLES = Path(__file__).resolve().parents[2] / "simulator" / "examples"


def png_size(data: bytes) -> tuple[int, int]:
    """Width and height from the IHDR chunk, which the PNG format puts first."""
    assert data[:8] == PNG_SIGNATURE
    length, chunk = struct.unpack(">I4s", data[8:16])
    assert chunk == b"IHDR" and length == 13
    return struct.unpack(">II", data[16:24])


def test_every_kind_has_an_icon_class_that_exists_in_diagrams():
    for name in KINDS:
        module, cls = icon_for(name)
        assert hasattr(importlib.import_module(module), cls), f"{name}: {module}.{cls}"


def test_plan_clusters_nodes_by_catalog_group_and_styles_async_edges(document):
    plan = diagram_plan(document)
    assert [(c["title"], [n["key"] for n in c["nodes"]]) for c in plan["clusters"]] == [
        ("Serving path", ["gw", "fs", "ms"]), ("Data", ["log"])]
    by_pair = {(e["source"], e["target"]): e["attrs"] for e in plan["edges"]}
    assert by_pair[("gw", "fs")] == {"color": "#334155", "label": "0.5 ms"}
    assert by_pair[("ms", "log")]["style"] == "dashed" and "label" not in by_pair[("ms", "log")]
    assert plan["title"] == "Ad click prediction"


def test_graphviz_text_keeps_user_text_literal():
    assert graphviz_text(r"a\nb \N") == r"a\\nb \\N"  # no escape sequences reach dot
    assert graphviz_text("<b>bold</b>").endswith(" ")  # not taken as an HTML-like label
    assert graphviz_text("x" * 60).count("\n") == 2  # long text wraps at 24 characters


@pytest.mark.parametrize("board", [
    *[pytest.param(json.loads(path.read_text()), id=path.stem) for path in sorted(EXAMPLES.glob("*.json"))],
    pytest.param(every_kind_board(), id="one-of-every-kind"),
    pytest.param(every_kind_board(12, title="Template-sized board"), id="twelve-nodes"),
    pytest.param(every_kind_board(24, title="Large template"), id="twenty-four-nodes"),
])
def test_render_png_writes_a_real_png(board):
    check_document(board)
    data = render_png(board)
    width, height = png_size(data)
    assert width > 300 and height > 300
    assert len(data) > 20_000  # icons and text, not a blank canvas


def test_hostile_labels_are_drawn_as_text(document):
    document["title"] = '<script>alert(1)</script> \\G'
    document["nodes"][0]["label"] = '"); import os; os.system("touch pwned") #'
    document["nodes"][1]["label"] = "<table><tr><td>x</td></tr></table>"
    png_size(render_png(document))


def test_render_cleans_its_folder_and_honours_the_time_limit(document, tmp_path, monkeypatch):
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path))
    render_png(document)
    assert list(tmp_path.iterdir()) == []
    with pytest.raises(ExportFailed, match="longer than"):
        render_png(every_kind_board(50), timeout_s=0.05)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.django_db
def test_png_endpoint_answers_an_image(api, document):
    board = api.post("/api/boards/", {"document": document}, format="json").json()
    response = api.get(f"/api/boards/{board['id']}/export.png", HTTP_ACCEPT="image/png")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert 'filename="ad_click_prediction.png"' in response["Content-Disposition"]
    assert png_size(response.content)[0] > 300


@pytest.mark.django_db
def test_png_endpoint_answers_503_when_drawing_times_out(api, document, settings):
    settings.EXPORT_TIMEOUT_S = 0.01
    board = api.post("/api/boards/", {"document": document}, format="json").json()
    response = api.get(f"/api/boards/{board['id']}/export.png")
    assert response.status_code == 503
    assert response.json()["detail"].startswith("The picture could not be drawn: Drawing the board took longer")


@pytest.mark.django_db
def test_export_of_an_unknown_board_is_a_json_404(api):
    for suffix in ("export.png", "export.py", "export.json", "report.md"):
        # An <img> asks for images; the error still comes as JSON rather than a 406.
        response = api.get(f"/api/boards/00000000-0000-0000-0000-000000000000/{suffix}", HTTP_ACCEPT="image/png")
        assert response.status_code == 404
        assert response.json()["detail"] == "Board not found."
