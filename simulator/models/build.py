"""Build the profiles of catalog models, skipping those already cached for this machine."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable, Iterable

from simulator.models.profiling import FULL, QUICK, profile_model
from simulator.models.registry import MODELS, Workshop
from simulator.models.serving import reset_cache
from simulator.models.store import default_folder, is_current, read_profile, save_profile


def build_profiles(model_ids: Iterable[str] | None = None, *, quick: bool = False, force: bool = False,
                   directory: Path | None = None,
                   progress: Callable[[int, int, str], None] | None = None) -> dict[str, dict[str, Any]]:
    """Profiles for the given models (all by default), built and saved where missing or stale.

    A cached profile is reused when it was measured on this machine (CPU model, core count, Python
    and scikit-learn versions) at the same detail; `force` rebuilds anyway. `directory` defaults
    to this machine's cache folder; `progress(done, total, model_id)` is called before each model
    and once at the end.
    """
    ids = list(model_ids) if model_ids is not None else list(MODELS)
    unknown = [m for m in ids if m not in MODELS]
    if unknown:
        raise ValueError(f"unknown model(s) {', '.join(unknown)}; known: {', '.join(MODELS)}")
    folder = directory or default_folder(quick)
    shop = Workshop()
    out: dict[str, dict[str, Any]] = {}
    for done, model_id in enumerate(ids):
        if progress:
            progress(done, len(ids), model_id)
        cached = read_profile(folder, model_id)
        if is_current(cached, quick) and not force:
            out[model_id] = cached
            continue
        out[model_id] = profile_model(MODELS[model_id], shop.model(model_id), QUICK if quick else FULL)
        save_profile(out[model_id], folder)
    if progress:
        progress(len(ids), len(ids), "")
    reset_cache()
    return out
