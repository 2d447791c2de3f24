"""The compiled loops' cache is dropped when any of their sources changes, and kept otherwise."""

from __future__ import annotations

from simulator import compiled_cache, warmup
from simulator.casestudies import all_case_studies


def _package(tmp_path):
    (tmp_path / "events" / "__pycache__").mkdir(parents=True)
    (tmp_path / "__pycache__").mkdir()
    for name in compiled_cache.COMPILED:  # the modules as the guard lists them, a folder holding two
        for source in ([name] if name.endswith(".py") else [f"{name}/loop.py", f"{name}/calls.py"]):
            (tmp_path / source).write_text(f"# {source}\n")
    cached = [tmp_path / "events" / "__pycache__" / "loop.run-1.py311.nbi",
              tmp_path / "events" / "__pycache__" / "loop.run-1.py311.1.nbc",
              tmp_path / "__pycache__" / "fifo.fifo_chunk-2.py311.nbi"]
    for path in cached:
        path.write_bytes(b"machine code")
    return cached


def test_a_changed_callee_drops_every_cached_loop_and_an_unchanged_tree_keeps_them(tmp_path, monkeypatch):
    monkeypatch.delenv("NUMBA_CACHE_DIR", raising=False)
    monkeypatch.setattr(compiled_cache, "PACKAGE", tmp_path)
    cached = _package(tmp_path)
    compiled_cache.refresh()  # no stamp yet: the cache cannot be trusted
    assert not any(path.exists() for path in cached)
    for path in cached:
        path.write_bytes(b"machine code")
    compiled_cache.refresh()  # nothing changed since
    assert all(path.exists() for path in cached)
    (tmp_path / "events" / "calls.py").write_text("# calls.py, edited\n")  # only a callee changes
    compiled_cache.refresh()
    assert not any(path.exists() for path in cached)


def test_warm_runs_every_case_study_once_for_the_same_sources_and_again_after_a_change(tmp_path, monkeypatch):
    monkeypatch.setattr(compiled_cache, "PACKAGE", tmp_path)  # the stamp and the sources it is keyed on
    _package(tmp_path)
    said: list[str] = []
    assert warmup.warm(say=said.append) is True
    ran = said[:-1]
    assert [line.split(":")[0] for line in ran] == [t.id for t in all_case_studies()]
    assert {line.split(": ")[1].split(" engine")[0] for line in ran} == {"fast", "event"}  # both engines compiled
    assert said[-1].startswith("compiled loops ready in")
    assert warmup.is_warm()
    assert warmup.warm(say=said.append) is False and len(said) == len(ran) + 1  # nothing run the second time
    assert warmup.warm(force=True, say=said.append) is True
    (tmp_path / "events" / "calls.py").write_text("# calls.py, edited\n")
    assert not warmup.is_warm()
