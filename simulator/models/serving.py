"""Serving-side view of the catalog: batch timers and model information read from stored profiles.

`get_batch_timer(model_id, instance)` is what the simulator calls for a model server; it only
reads profiles (this machine's cache, else the committed reference set) and never trains.
"""

from __future__ import annotations

from typing import Any

from simulator.instances import speed_factor
from simulator.models.names import MODEL_IDS
from simulator.models.store import forget_loaded, load_profile
from simulator.models.timer import ProfileBatchTimer

_TIMERS: dict[tuple[str, str], ProfileBatchTimer | None] = {}


def _source(profile: dict[str, Any], origin: str) -> str:
    where = profile["machine"]
    measured = (f"{where['cpu']} ({where['cores']} cores, Python {where['python']}, "
                f"scikit-learn {where['sklearn']}) on {profile['created'][:10]}")
    if origin == "reference":
        return f"timings from reference profile measured on {measured}; run `python -m simulator profile` " \
               "to measure on this machine"
    return f"timings measured on this machine: {measured}"


def get_batch_timer(model_id: str, instance: str) -> ProfileBatchTimer | None:
    """The measured batch timer of a catalog model on an instance type, or None if none is known.

    Cheap after the first call for a (model, instance) pair; reads profiles only, never trains.
    """
    key = (model_id, instance)
    if key not in _TIMERS:
        found = load_profile(model_id) if model_id in MODEL_IDS else None
        if found is None:
            _TIMERS[key] = None
        else:
            profile, origin = found
            factor, basis = speed_factor(instance, profile["family"])
            info = {"model": model_id, "title": profile["title"], "case_study": profile["case_study"],
                    "quality": profile["quality"], "baseline": profile["baseline"],
                    "size_bytes": profile["size_bytes"], "instance": instance, "speed_factor": factor,
                    "speed_basis": basis, "timing_source": _source(profile, origin), "profile_origin": origin,
                    "p50_ms_by_batch": {s: t["p50_ms"] * factor for s, t in profile["timings"].items()}}
            _TIMERS[key] = ProfileBatchTimer(profile, factor, info)
    return _TIMERS[key]


def model_info(model_id: str, instance: str) -> dict[str, Any] | None:
    """What results show for a model server: model, quality, timings and where they came from."""
    timer = get_batch_timer(model_id, instance)
    return dict(timer.info) if timer is not None else None


def training_seconds_per_10k(model_id: str) -> float | None:
    """Measured fit seconds per 10,000 training rows on the profiling machine, if profiled."""
    found = load_profile(model_id) if model_id in MODEL_IDS else None
    return float(found[0]["train_seconds_per_10k_rows"]) if found else None


def reset_cache() -> None:
    """Forget loaded timers and profiles (after profiles are rebuilt in this process)."""
    _TIMERS.clear()
    forget_loaded()
