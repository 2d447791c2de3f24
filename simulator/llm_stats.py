"""An LLM server's figures from its sequences: time to first token, time per output token, tokens per second.

Both engines hand over the same per-sequence values (for the sequences that arrived in the
measured window and were answered), so they report the same figures.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from simulator import llm_serving as llm
from simulator.pricing import HOURS_PER_MONTH


def _summary(values: np.ndarray) -> dict[str, float | None]:
    if len(values) == 0:
        return {"mean": None, "p50": None, "p90": None, "p99": None}
    p50, p90, p99 = np.percentile(values, [50, 90, 99])
    return {"mean": float(values.mean()), "p50": float(p50), "p90": float(p90), "p99": float(p99)}


def llm_figures(*, arrival: np.ndarray, first: np.ndarray, done: np.ndarray, output: np.ndarray,
                window: tuple[float, float], totals: np.ndarray, replicas: int, kv_capacity: int,
                preempted: int, hourly_usd: float, info: dict[str, Any]) -> dict[str, Any]:
    """The `llm` figures of one LLM server.

    arrival, first, done, output: per answered sequence that arrived in the window (arrays of one
    length); totals: the node's LT sums (busy ms, steps, running sequences per step, KV token-ms).
    """
    lo, hi = window
    span_s = (hi - lo) / 1000.0
    ttft = first - arrival
    several = output > 1
    tpot = (done[several] - first[several]) / (output[several] - 1)
    finished = (done >= lo) & (done <= hi)
    tokens_per_s = float(output[finished].sum()) / span_s if span_s > 0 else 0.0
    steps = totals[llm.T_STEPS]
    per_dollar = tokens_per_s * 3600.0 / (replicas * hourly_usd) if hourly_usd > 0 else None
    answers_per_s = float(np.count_nonzero(finished)) / span_s if span_s > 0 else 0.0
    usd_per_s = replicas * hourly_usd / 3600.0
    return {
        "ttft_ms": _summary(ttft), "tpot_ms": _summary(tpot), "e2e_ms": _summary(done - arrival),
        "answers": int(len(arrival)),
        "output_tokens_per_s": tokens_per_s, "output_tokens_per_s_per_replica": tokens_per_s / replicas,
        "output_tokens_per_dollar": per_dollar,
        # What the replicas cost while they make these answers (running at this load all month).
        "usd_per_million_output_tokens": usd_per_s / tokens_per_s * 1e6 if tokens_per_s > 0 and hourly_usd > 0 else None,
        "usd_per_1000_answers": usd_per_s / answers_per_s * 1000 if answers_per_s > 0 and hourly_usd > 0 else None,
        "mean_running_sequences": float(totals[llm.T_BATCH] / steps) if steps else 0.0,
        "kv_capacity_tokens": int(kv_capacity),
        "mean_kv_tokens_held": float(totals[llm.T_KV] / (hi - lo) / replicas) if hi > lo else 0.0,
        "preempted": int(preempted), "steps": int(steps),
        "monthly_usd": replicas * hourly_usd * HOURS_PER_MONTH,
        **info,
    }
