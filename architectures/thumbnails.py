"""Gallery thumbnails of the case-study templates: drawn by the PNG export once, then served from a disk cache."""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import threading
from pathlib import Path

from django.conf import settings

from architectures.export.png import DEFAULT_TIMEOUT_S, render_png
from simulator.casestudies import CaseStudy

# A change to any of these redraws every thumbnail: the key covers what is drawn and how.
_DRAWING_CODE = [Path(__file__).resolve().parent / "export" / name for name in ("plan.py", "draw.py", "icons.py")]
# Graphviz takes most of a core for about a second: draw one picture at a time, in this process
# (threads) and across processes (a file lock), so a cold gallery never starts ten at once.
_render_lock = threading.Lock()


def cache_dir() -> Path:
    return Path(getattr(settings, "THUMBNAIL_DIR", settings.VAR_DIR / "thumbnails"))


def thumbnail_key(template: CaseStudy) -> str:
    """A hash of the template's board and of the drawing code."""
    digest = hashlib.sha256(json.dumps(template.document(), sort_keys=True).encode())
    for path in _DRAWING_CODE:
        digest.update(path.read_bytes())
    return digest.hexdigest()[:20]


def thumbnail_path(template: CaseStudy) -> Path:
    return cache_dir() / f"{template.id}-{thumbnail_key(template)}.png"


def template_thumbnail(template: CaseStudy) -> bytes:
    """The template's board as a PNG, drawn on first use; raises ExportFailed when drawing fails."""
    path = thumbnail_path(template)
    if path.exists():
        return path.read_bytes()
    path.parent.mkdir(parents=True, exist_ok=True)
    with _render_lock, open(path.parent / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if path.exists():  # drawn by another thread or process while this one waited
            return path.read_bytes()
        png = render_png(template.document(), timeout_s=getattr(settings, "EXPORT_TIMEOUT_S", DEFAULT_TIMEOUT_S))
        partial = path.with_suffix(f".{os.getpid()}.part")
        partial.write_bytes(png)
        os.replace(partial, path)
        for old in path.parent.glob(f"{template.id}-*.png"):
            if old != path:
                old.unlink(missing_ok=True)
    return png
