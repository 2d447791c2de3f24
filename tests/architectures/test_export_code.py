"""Diagram-as-code: the exported script is valid Python that draws the board, and user text stays inert."""

from __future__ import annotations

import ast
import subprocess
import sys

import pytest

from architectures.export.code import diagram_script, file_stem
from architectures.export.samples import every_kind_board
from tests.architectures.test_export_png import png_size

HOSTILE = '"); import os; os.system("touch pwned") #'


def run_script(source: str, folder) -> subprocess.CompletedProcess:
    script = folder / "board.py"
    script.write_text(source, encoding="utf-8")
    return subprocess.run([sys.executable, str(script), "drawing"], cwd=folder, capture_output=True,
                          text=True, timeout=60)


def string_constants(source: str) -> set[str]:
    return {node.value for node in ast.walk(ast.parse(source))
            if isinstance(node, ast.Constant) and isinstance(node.value, str)}


def test_exported_script_runs_and_writes_a_png(tmp_path):
    finished = run_script(diagram_script(every_kind_board()), tmp_path)
    assert finished.returncode == 0, finished.stderr
    width, height = png_size((tmp_path / "drawing.png").read_bytes())
    assert width > 300 and height > 300
    assert (tmp_path / "drawing.png").stat().st_size > 20_000


def test_hostile_labels_stay_string_literals_in_the_script(document, tmp_path):
    document["title"] = HOSTILE + "\nimport shutil"
    document["nodes"][0]["label"] = HOSTILE
    source = diagram_script(document)
    # Each label is one string constant (wrapped onto lines for the drawing): nothing leaked into code.
    labels = [text.replace("\n", " ") for text in string_constants(source)]
    assert HOSTILE + " × 2" in labels
    assert HOSTILE + " import shutil" in labels
    assert "import os" not in [line.strip() for line in source.splitlines()]
    finished = run_script(source, tmp_path)
    assert finished.returncode == 0, finished.stderr
    assert not (tmp_path / "pwned").exists()
    assert (tmp_path / "drawing.png").exists()


def test_script_imports_only_the_icons_it_uses(document):
    imports = [line for line in diagram_script(document).splitlines() if line.startswith("from diagrams.")]
    assert imports == ["from diagrams.aws.ml import SagemakerModel", "from diagrams.onprem.inmemory import Redis",
                       "from diagrams.onprem.network import Kong", "from diagrams.onprem.queue import Kafka"]


@pytest.mark.parametrize(("title", "stem"), [("Ad click prediction", "ad_click_prediction"),
                                             ('../../etc/passwd"; x', "etc_passwd_x"), ("", "board")])
def test_file_stem_is_a_safe_name(title, stem):
    assert file_stem(title) == stem


@pytest.mark.django_db
def test_code_endpoint_answers_a_python_attachment(api, document):
    board = api.post("/api/boards/", {"document": document}, format="json").json()
    response = api.get(f"/api/boards/{board['id']}/export.py")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/x-python")
    assert response["Content-Disposition"] == 'attachment; filename="ad_click_prediction.py"'
    source = response.content.decode()
    assert "node['gw'] >> Edge(color='#334155', label='0.5 ms') >> node['fs']" in source
    assert "node['ms'] >> Edge(color='#7c3aed', style='dashed') >> node['log']" in source
    ast.parse(source)
