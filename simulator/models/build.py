"""Build the profiles of catalog models, skipping those already cached for this machine."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable, Iterable

from simulator.models.profiling import FULL, QUICK, Settings, as_served, profile_model
from simulator.models.registry import MODELS, Workshop
from simulator.models.serving import reset_cache
from simulator.models.store import default_folder, is_current, read_profile, save_profile


def build_profiles(model_ids: Iterable[str] | None = None, *, quick: bool = False, force: bool = False,
                   directory: Path | None = None, served: bool = False,
                   progress: Callable[[int, int, str], None] | None = None) -> dict[str, dict[str, Any]]:
    """Profiles for the given models (all by default), built and saved where missing or stale.

    A cached profile is reused when it was measured on this machine (CPU model, core count, Python
    and scikit-learn versions) at the same detail; `force` rebuilds anyway. `directory` defaults
    to this machine's cache folder; `progress(done, total, model_id)` is called before each model
    and once at the end. `served` times the models as a server sees them (`profiling.as_served`),
    which only a folder of its own takes: the catalog's cache holds profiles timed back to back.
    """
    ids = list(model_ids) if model_ids is not None else list(MODELS)
    unknown = [m for m in ids if m not in MODELS]
    if unknown:
        raise ValueError(f"unknown model(s) {', '.join(unknown)}; known: {', '.join(MODELS)}")
    if served and directory is None:
        raise ValueError("profiles timed as served go to a folder of their own (directory)")
    folder = directory or default_folder(quick)
    settings = as_served(QUICK if quick else FULL) if served else QUICK if quick else FULL
    shop = Workshop()
    out: dict[str, dict[str, Any]] = {}
    for done, model_id in enumerate(ids):
        if progress:
            progress(done, len(ids), model_id)
        cached = read_profile(folder, model_id)
        if is_current(cached, quick) and not force and _timed_alike(cached, settings):
            out[model_id] = cached
            continue
        out[model_id] = profile_model(MODELS[model_id], shop.model(model_id), settings)
        save_profile(out[model_id], folder)
    if progress:
        progress(len(ids), len(ids), "")
    reset_cache()
    return out


def _timed_alike(profile: dict[str, Any], settings: Settings) -> bool:
    """Whether a cached profile was timed the way `settings` times (back to back, or as served)."""
    return (profile.get("settings") or {}).get("idle_ms", 0.0) == settings.idle_ms
