"""Real small models: the scikit-learn catalog with its measured batch timers, and LLM serving costs.

The LLM costs (llm.py) rest on a real transformer measured here (transformer.py, llm_profiling.py).

Importing this package is cheap: scikit-learn loads only when a timer, profile or model is asked for.
"""

from __future__ import annotations

from typing import Any

from simulator.models.names import DEFAULT_MODEL, MODEL_IDS

_SERVING = ("ProfileBatchTimer", "get_batch_timer", "model_info", "training_seconds_per_10k", "reset_cache")
_LLM = ("llm_profile", "LlmCost", "LlmConfigError", "MODEL_CLASS_IDS", "PRECISION_IDS", "LLM_INSTANCES")

__all__ = ["DEFAULT_MODEL", "MODEL_IDS", *_SERVING, *_LLM]


def __getattr__(name: str) -> Any:
    if name in _SERVING:
        from simulator.models import serving
        return getattr(serving, name)
    if name in _LLM:
        from simulator.models import llm
        return getattr(llm, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
