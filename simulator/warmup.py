"""Compile the simulator's loops ahead of the first run: `python -m simulator warm`.

numba compiles a loop the first time a process calls it and keeps the machine code on disk
(`compiled_cache`). On a new machine the event loop alone takes about three minutes to compile on
one core, longer than the web app lets a run take (120 s by default), so the first board with a
retry or a fault would fail. Set-up runs this once: a short run of every case study goes through each
compiled loop (the fast path's FIFO, batching and LLM loops, and the event loop of the drills).
A stamp beside the cache records the sources and the numba that compiled them, so a second call
returns at once (`--force` runs them anyway).
"""

from __future__ import annotations

import platform
import time
from pathlib import Path
from typing import Callable

import numba

from simulator import compiled_cache
from simulator.casestudies import all_case_studies
from simulator.runner import run

STAMP = "compiled-warm.txt"
REQUESTS = 2000  # enough to go through every branch a template's loop is compiled for


def _stamp() -> Path:
    return compiled_cache.PACKAGE / "__pycache__" / STAMP


def _key() -> str:
    return f"{compiled_cache.sources_hash()} numba {numba.__version__} python {platform.python_version()}"


def is_warm() -> bool:
    try:
        return _stamp().read_text(encoding="utf-8") == _key()
    except OSError:
        return False


def warm(*, force: bool = False, say: Callable[[str], None] = lambda line: None) -> bool:
    """Run every case study briefly unless the loops were compiled for these sources; True when it ran."""
    if not force and is_warm():
        return False
    started = time.perf_counter()
    for template in all_case_studies():
        document = template.document()
        document["traffic"]["warmup_s"] = 0
        began = time.perf_counter()
        results = run(document, seed=0, requests=REQUESTS)
        say(f"{template.id}: {results.run['engine']} engine, {time.perf_counter() - began:.1f} s")
    try:
        _stamp().parent.mkdir(exist_ok=True)
        _stamp().write_text(_key(), encoding="utf-8")
    except OSError:  # a read-only tree: the loops are compiled for this process all the same
        pass
    say(f"compiled loops ready in {time.perf_counter() - started:.1f} s")
    return True
