"""An LLM server on the fast path: its sequences run through the compiled step scheduler in one pass.

The node's arrivals are known before it runs (the fast path's order), so its replicas' steps are
simulated node-locally (`llm_serving.node_loop`); a visit leaves the node at its first token when
the traffic streams, else at its last. The node's queue wait is from arrival to admission.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from simulator import llm_serving as llm
from simulator.instances import hourly_price
from simulator.llm_stats import llm_figures
from simulator.nodespec import NodeSpec
from simulator.outcome import RunInputs
from simulator.reasons import QUEUE_FULL
from simulator.stats import NODE_SERIES_POINTS, NodeAccumulator


def settings_row(spec: NodeSpec, first_replica: int) -> list[int]:
    """A node's LI row: replicas, max_num_seqs, max_batched_tokens, KV capacity, static, first replica, queue limit."""
    plan = spec.llm
    return [spec.servers, plan.max_num_seqs, plan.max_batched_tokens, plan.kv_capacity_tokens, int(plan.static),
            first_replica, spec.queue_limit]


def figures_of(spec: NodeSpec, inputs: RunInputs, arrival: np.ndarray, first: np.ndarray, done: np.ndarray,
               output: np.ndarray, totals: np.ndarray, preempted: int) -> dict[str, Any]:
    """The node's `llm` figures from its answered sequences (all of them; those arriving in the window count)."""
    lo, hi = inputs.window
    counted = (arrival >= lo) & (arrival <= hi) & ~np.isnan(done)
    return llm_figures(arrival=arrival[counted], first=first[counted], done=done[counted], output=output[counted],
                       window=inputs.window, totals=totals, replicas=spec.servers,
                       kv_capacity=spec.llm.kv_capacity_tokens, preempted=preempted,
                       hourly_usd=hourly_price(spec.config["instance"]), info=dict(spec.llm.info))


def serve_llm(inputs: RunInputs, node_index: int, merged: np.ndarray, requests: np.ndarray,
              reasons: np.ndarray | None, acc: NodeAccumulator) -> dict[str, Any]:
    """Serve the node's sorted arrivals; their leaving times (drops encoded) overwrite `merged`."""
    spec = inputs.topology.nodes[node_index]
    m = len(merged)
    settings = np.array([settings_row(spec, 0)], dtype=np.int64)
    ln, qb, ri, run, si = llm.new_tables(settings, m, m + 1)
    si[:, llm.S_BASE] = si[:, llm.S_PROMPT] = inputs.prompt_tokens[requests]
    si[:, llm.S_OUTPUT] = inputs.output_tokens[requests]
    first, done = np.full(m, np.nan), np.full(m, np.nan)
    admitted = merged.copy()
    dropped = np.zeros(m, dtype=np.int8)
    totals, rows = np.zeros(4), np.zeros((3, NODE_SERIES_POINTS))
    lo, hi = inputs.window
    llm.node_loop(merged, settings, np.array([spec.llm.cost]), ln, qb, ri, run, si, admitted, 0, first, done,
                  dropped, totals, rows, lo, hi, acc.width)
    leave = first if inputs.streaming else done
    refused = dropped > 0
    leave = np.where(refused, merged, leave)
    reason = np.where(refused, QUEUE_FULL, 0).astype(np.int8)
    acc.add(merged, np.where(refused, merged, admitted), leave, reason if spec.can_drop else None, busy=False)
    acc.busy_ms += totals[llm.T_BUSY]
    acc.series_busy += rows[0]
    acc.series_kv = rows[1]
    acc.series_running = rows[2]
    figures = figures_of(spec, inputs, merged, first, done, si[:, llm.S_OUTPUT].astype(float), totals,
                         int(ri[:, llm.R_PREEMPTED].sum()))
    if reasons is not None:
        reasons[:] = reason
        leave = np.where(refused, -leave - 1.0, leave)
    merged[:] = leave
    return figures
