"""Server-side PNG of a board: draws its plan in a child process, in a private folder, with a time limit."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from architectures.export.plan import diagram_plan

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_TIMEOUT_S = 20.0


class ExportFailed(RuntimeError):
    """The drawing could not be made (Graphviz failed, or took longer than the limit)."""


def render_png(document: dict[str, Any], *, timeout_s: float = DEFAULT_TIMEOUT_S) -> bytes:
    """The board drawn as PNG bytes; raises ExportFailed when drawing fails or exceeds `timeout_s`."""
    workdir = tempfile.mkdtemp(prefix="board-export-")
    try:
        base = os.path.join(workdir, "board")
        # A session of its own makes the child the leader of a process group, so a timeout
        # kills `dot` (its grandchild) too instead of leaving it running.
        child = subprocess.Popen([sys.executable, "-m", "architectures.export.draw", base],
                                 cwd=PROJECT_ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                 stderr=subprocess.PIPE, start_new_session=True)
        try:
            _, stderr = child.communicate(json.dumps(diagram_plan(document)).encode(), timeout=timeout_s)
        except subprocess.TimeoutExpired:
            os.killpg(child.pid, signal.SIGKILL)
            child.communicate()
            raise ExportFailed(f"Drawing the board took longer than {timeout_s:g} s.") from None
        if child.returncode != 0:
            last = (stderr.decode("utf-8", "replace").strip().splitlines() or ["no message"])[-1]
            raise ExportFailed(f"Graphviz could not draw the board: {last}")
        try:
            return Path(base + ".png").read_bytes()
        except FileNotFoundError:
            raise ExportFailed("Graphviz finished without writing a picture.") from None
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
