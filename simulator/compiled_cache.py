"""Keep numba's on-disk cache of the compiled loops in step with their sources.

numba keys a cached function on its own source file only: when a function it calls, in another
module, changes, the cached caller is loaded as it was (it still calls the old code). The
compiled modules call each other (the event loop's modules, the FIFO and batching loops), so a
change to any of them, by an edit or a `git pull`, must drop all their cached machine code. This
keeps a hash of their sources beside the cache and clears the cache when it differs.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent
COMPILED = ("fifo.py", "dynamic_batching.py", "buckets.py", "llm_serving.py", "events")  # modules with @njit(cache=True) functions
STAMP = "compiled-sources.sha256"


def _sources() -> list[Path]:
    found = []
    for name in COMPILED:
        path = PACKAGE / name
        found += sorted(path.glob("*.py")) if path.is_dir() else [path]
    return found


def _cache_dirs() -> list[Path]:
    return sorted({source.parent / "__pycache__" for source in _sources()})


def sources_hash() -> str:
    digest = hashlib.sha256()
    for source in _sources():
        digest.update(source.name.encode())
        digest.update(source.read_bytes())
    return digest.hexdigest()


def refresh() -> None:
    """Drop numba's cached code of the compiled modules when their sources changed since it was made."""
    if os.environ.get("NUMBA_CACHE_DIR"):
        return  # a cache kept elsewhere is its owner's to manage
    wanted = sources_hash()
    stamp = PACKAGE / "__pycache__" / STAMP
    try:
        if stamp.read_text(encoding="utf-8") == wanted:
            return
    except OSError:
        pass
    for folder in _cache_dirs():
        for cached in (*folder.glob("*.nbi"), *folder.glob("*.nbc")):
            try:
                cached.unlink()
            except OSError:  # another process got there first, or the folder is read-only
                pass
    try:
        stamp.parent.mkdir(exist_ok=True)
        temporary = stamp.with_suffix(f".{os.getpid()}")
        temporary.write_text(wanted, encoding="utf-8")
        temporary.replace(stamp)
    except OSError:
        pass
