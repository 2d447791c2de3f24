"""Real small scikit-learn models: the catalog, their measured profiles and batch timers built on them.

Importing this package is cheap: scikit-learn loads only when a timer, profile or model is asked for.
"""

from __future__ import annotations

from typing import Any

from simulator.models.names import DEFAULT_MODEL, MODEL_IDS

_SERVING = ("ProfileBatchTimer", "get_batch_timer", "model_info", "training_seconds_per_10k", "reset_cache")

__all__ = ["DEFAULT_MODEL", "MODEL_IDS", *_SERVING]


def __getattr__(name: str) -> Any:
    if name in _SERVING:
        from simulator.models import serving
        return getattr(serving, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
