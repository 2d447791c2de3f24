"""Measure the reference transformer's serving steps, cached per machine like the scikit-learn profiles.

Prefill by prompt length and batch, decode by batch size and context, and steps mixing both.

Each grid cell is one serving step of a fixed shape: `prompts` prompts of `prompt_tokens` tokens
each prefilled from the start, and `decode_seqs` sequences each decoding one token after `context`
cached ones. A cell is timed in its thread's CPU time (`time.thread_time`) as well as wall time:
the model runs on one thread, so its CPU time is what the step costs a core it has to itself,
while the wall time on a shared machine also counts the slices other processes took (under a load
of 10 on 2 cores a 100 ms prefill can take 300 ms of wall time at an unchanged CPU time). The
roofline (roofline.py) is fitted to the CPU-time medians of the cells marked `fit` and checked
on the others.
"""

from __future__ import annotations

import os
import time
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from importlib.metadata import version
from pathlib import Path
from typing import Any, Callable

import numpy as np
from threadpoolctl import threadpool_info, threadpool_limits

from simulator.models import roofline
from simulator.models.store import default_folder, machine, read_profile, save_profile
from simulator.models.transformer import REFERENCE, SEED, Transformer, TransformerConfig

PROFILE_ID = "reference_transformer"  # the profile's file name in a profile folder
# Raise when the transformer, the grid or the fit change, so cached profiles are measured again.
LLM_PROFILE_VERSION = 1
MAX_KEPT_SAMPLES = 60
WARM_MS = 500.0
# The reference's depth and heads at tiny widths: its steps cost the interpreter's work alone.
PROBE = TransformerConfig(layers=REFERENCE.layers, hidden=64, heads=REFERENCE.heads, kv_heads=REFERENCE.kv_heads,
                          intermediate=64, vocab=64, max_context=64)


@dataclass(frozen=True)
class Cell:
    """One step shape: prompts x prompt_tokens prefilled from position 0, and decode_seqs
    sequences decoding one token each after `context` cached tokens."""

    prompts: int = 0
    prompt_tokens: int = 0
    decode_seqs: int = 0
    context: int = 0
    fit: bool = True

    @property
    def key(self) -> str:
        parts = []
        if self.prompts:
            parts.append(f"prefill {self.prompts}x{self.prompt_tokens}")
        if self.decode_seqs:
            parts.append(f"decode {self.decode_seqs}x{self.context}")
        return " + ".join(parts)

    def shape(self) -> roofline.StepShape:
        """The step in the roofline's terms."""
        return roofline.StepShape(
            prefill_tokens=self.prompts * self.prompt_tokens, decode_seqs=self.decode_seqs,
            context_tokens=self.decode_seqs * (self.context + 1),
            prefill_pairs=self.prompts * roofline.prefill_pairs(self.prompt_tokens))


@dataclass(frozen=True)
class LlmSettings:
    """Which cells to time and how hard: repetitions per cell and a CPU-time budget per cell."""

    cells: tuple[Cell, ...]
    min_repetitions: int
    max_repetitions: int
    budget_s: float
    warmup: int = 1
    quick: bool = False


def _prefill(p: int, n: int, fit: bool) -> Cell:
    return Cell(prompts=p, prompt_tokens=n, fit=fit)


def _decode(b: int, c: int, fit: bool) -> Cell:
    return Cell(decode_seqs=b, context=c, fit=fit)


# Cells marked fit=False are the check: prompt lengths, batches and contexts between the fitted
# ones, and every mixed step (the roofline adds prefill and decode terms it only saw apart).
FULL_CELLS = (
    _prefill(1, 16, True), _prefill(1, 32, False), _prefill(1, 64, True), _prefill(1, 128, False),
    _prefill(1, 256, True), _prefill(1, 512, False), _prefill(1, 1024, True), _prefill(1, 2048, True),
    _prefill(4, 128, False), _prefill(4, 256, True), _prefill(16, 64, False),
    _decode(1, 128, True), _decode(1, 512, False), _decode(1, 2048, True), _decode(4, 128, False),
    _decode(4, 512, True), _decode(4, 2048, False), _decode(16, 128, True), _decode(16, 512, False),
    _decode(16, 2048, True), _decode(64, 128, False), _decode(64, 512, True), _decode(128, 256, False),
    _decode(256, 128, True),
    Cell(1, 256, 16, 512, False), Cell(1, 512, 64, 128, False), Cell(1, 64, 4, 2048, False),
    Cell(4, 128, 16, 128, False),
)
QUICK_CELLS = (
    _prefill(1, 16, True), _prefill(1, 64, True), _prefill(1, 256, True),
    _decode(1, 128, True), _decode(8, 128, True), _decode(32, 64, True), Cell(1, 64, 8, 128, False),
)
FULL = LlmSettings(FULL_CELLS, min_repetitions=5, max_repetitions=MAX_KEPT_SAMPLES, budget_s=1.0)
QUICK = LlmSettings(QUICK_CELLS, min_repetitions=2, max_repetitions=5, budget_s=0.05, quick=True)


def llm_machine() -> dict[str, Any]:
    """What the transformer's timings depend on: the catalog's machine record, NumPy and its BLAS."""
    pools = [pool for pool in threadpool_info() if pool.get("user_api") == "blas"]
    # NumPy's own BLAS, whichever other libraries (SciPy's) are loaded too.
    blas = next((pool for pool in pools if "numpy" in pool.get("filepath", "")), pools[0] if pools else {})
    return {**machine(), "numpy": version("numpy"),
            "blas": f"{blas.get('internal_api', '?')} {blas.get('version', '?')} {blas.get('architecture', '')}".strip()}


def is_current(profile: dict[str, Any] | None, quick: bool = False) -> bool:
    """True when the profile was measured on this machine and software, by this version of the
    transformer and grid, at the wanted detail."""
    return (profile is not None and profile.get("machine") == llm_machine()
            and profile.get("llm_profile_version") == LLM_PROFILE_VERSION and bool(profile.get("quick")) == quick)


def _summary(cpu: list[float], wall: list[float]) -> dict[str, Any]:
    samples = np.array(cpu)
    p10, p50, p90 = np.percentile(samples, [10, 50, 90])
    return {"p10_ms": round(float(p10), 4), "p50_ms": round(float(p50), 4), "p90_ms": round(float(p90), 4),
            "min_ms": round(float(samples.min()), 4), "n": len(cpu),
            "samples_ms": [round(float(s), 4) for s in cpu[:MAX_KEPT_SAMPLES]],
            "wall_p50_ms": round(float(np.median(wall)), 4)}


class _Step:
    """One cell made runnable: its caches (views of the shared storage) and tokens."""

    def __init__(self, model: Transformer, cell: Cell, storage: dict[str, tuple[np.ndarray, np.ndarray]],
                 rng: np.random.Generator) -> None:
        self.model, self.cell = model, cell
        vocab = model.config.vocab
        self.prompt_cache = self.decode_cache = self.prompt_tokens = self.decode_tokens = None
        if cell.prompts:
            self.prompt_cache = model.new_cache(cell.prompts, cell.prompt_tokens, storage["prompt"])
            self.prompt_tokens = rng.integers(0, vocab, (cell.prompts, cell.prompt_tokens))
        if cell.decode_seqs:
            self.decode_cache = model.new_cache(cell.decode_seqs, cell.context + 1, storage["decode"])
            self.decode_tokens = rng.integers(0, vocab, cell.decode_seqs)

    def run(self) -> None:
        # Every run starts from the same cache lengths: the same step again, not a growing conversation.
        if self.prompt_cache is not None:
            self.prompt_cache.lengths[:] = 0
        if self.decode_cache is not None:
            self.decode_cache.lengths[:] = self.cell.context
        self.model.step(self.prompt_tokens, self.prompt_cache, self.decode_tokens, self.decode_cache)


def _storage(model: Transformer, cells: tuple[Cell, ...], rng: np.random.Generator) -> dict[str, Any]:
    """Flat key and value arrays big enough for every cell's prompt and decode caches, filled once
    with arbitrary finite numbers (a step costs the same whatever its cached keys and values are)."""
    config = model.config
    per_token = config.layers * config.kv_heads * config.head_dim
    prompt = max((c.prompts * c.prompt_tokens for c in cells), default=0) * per_token
    decode = max((c.decode_seqs * (c.context + 1) for c in cells), default=0) * per_token
    block = rng.standard_normal(1 << 16).astype(np.float32)

    def flat(size: int) -> np.ndarray:
        return np.resize(block, max(size, 1))
    return {"prompt": (flat(prompt), flat(prompt)), "decode": (flat(decode), flat(decode))}


def time_cells(model: Transformer, settings: LlmSettings, rng: np.random.Generator,
               progress: Callable[[int, int, str], None] | None = None) -> list[tuple[list[float], list[float]]]:
    """(CPU ms, wall ms) of repeated runs of every cell.

    Cells are measured in rounds, each visiting every cell still short of its repetitions, so a
    spell of other work on the machine lands on several cells a little instead of on one cell's
    every run. A visit runs a cell for at most a third of its budget (at least once).
    """
    storage = _storage(model, settings.cells, rng)
    cpu: list[list[float]] = [[] for _ in settings.cells]
    wall: list[list[float]] = [[] for _ in settings.cells]

    def wants_more(k: int) -> bool:
        return len(cpu[k]) < settings.max_repetitions and (
            len(cpu[k]) < settings.min_repetitions or sum(cpu[k]) < settings.budget_s * 1000.0)

    discarded = [0] * len(settings.cells)
    while True:
        active = [k for k in range(len(settings.cells)) if wants_more(k)]
        if not active:
            return list(zip(cpu, wall))
        for k in active:
            if progress:
                progress(sum(not wants_more(j) for j in range(len(settings.cells))), len(settings.cells),
                         settings.cells[k].key)
            step = _Step(model, settings.cells[k], storage, rng)
            spent = 0.0
            while wants_more(k) and (spent == 0.0 or spent < settings.budget_s * 1000.0 / 3):
                start_cpu, start_wall = time.thread_time(), time.perf_counter()
                step.run()
                wall[k].append((time.perf_counter() - start_wall) * 1000.0)
                cpu[k].append((time.thread_time() - start_cpu) * 1000.0)
                spent += cpu[k][-1]
                # A cell's first runs warm caches and branch predictors; past WARM_MS a run is long
                # enough for that not to show, and discarding it would cost seconds.
                if len(cpu[k]) == 1 and discarded[k] < settings.warmup and cpu[k][-1] < WARM_MS:
                    discarded[k] += 1
                    cpu[k].pop()
                    wall[k].pop()


def overhead_probe_ms() -> float:
    """Median CPU ms of a decode step of a model of the reference's depth but tiny widths: what the
    interpreter and NumPy's per-call work cost a step whatever the model's size."""
    model = Transformer(PROBE, SEED)
    probe = LlmSettings((Cell(decode_seqs=1, context=16),), min_repetitions=30, max_repetitions=30,
                        budget_s=0.0, warmup=5)
    cpu, _ = time_cells(model, probe, np.random.default_rng(SEED))[0]
    return float(np.median(cpu))


def profile_transformer(settings: LlmSettings = FULL,
                        progress: Callable[[int, int, str], None] | None = None) -> dict[str, Any]:
    """The profile record of the reference transformer (JSON-ready), with its fitted roofline."""
    started = time.perf_counter()
    load_before = os.getloadavg()[0]
    rng = np.random.default_rng(SEED)
    with threadpool_limits(limits=1):  # one thread, as one replica runs
        overhead_ms = overhead_probe_ms()
        model = Transformer(REFERENCE, SEED)
        timings = time_cells(model, settings, rng, progress)
    if progress:
        progress(len(settings.cells), len(settings.cells), "")
    cells = [{"key": cell.key, **asdict(cell), **asdict(cell.shape()), "cpu": _summary(cpu, wall)}
             for cell, (cpu, wall) in zip(settings.cells, timings)]
    arch = roofline.Architecture.from_transformer(REFERENCE)
    fit = roofline.fit_cpu(arch, roofline.FP32, cells, overhead_ms)
    config = REFERENCE
    return {
        "model": PROFILE_ID,
        "title": "Reference decoder-only transformer (NumPy, one thread)",
        "architecture": asdict(config), "parameters": config.parameters(), "weight_bytes": model.weight_bytes(),
        "kv_bytes_per_token": arch.kv_bytes_per_token(roofline.FP32), "dtype": "float32", "seed": SEED,
        "overhead_probe_ms": round(overhead_ms, 4), "cells": cells, "roofline": fit,
        "machine": llm_machine(), "llm_profile_version": LLM_PROFILE_VERSION,
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "quick": settings.quick, "settings": {k: v for k, v in asdict(settings).items() if k != "cells"},
        "threads": 1, "timing": "thread CPU time (time.thread_time) per step; wall_p50_ms beside it",
        "measure_seconds": round(time.perf_counter() - started, 1),
        # Other work on the machine slows memory and caches even when CPU time is measured.
        "load_average_1m_start": round(load_before, 2), "load_average_1m": round(os.getloadavg()[0], 2),
    }


def build_llm_profile(*, quick: bool = False, force: bool = False, directory: Path | None = None,
                      progress: Callable[[int, int, str], None] | None = None) -> dict[str, Any]:
    """The reference transformer's profile: the cached one when current for this machine (unless
    `force`), else measured now and saved in `directory` (this machine's cache folder by default)."""
    folder = directory or default_folder(quick)
    cached = read_profile(folder, PROFILE_ID)
    if is_current(cached, quick) and not force:
        return cached
    profile = profile_transformer(QUICK if quick else FULL, progress)
    save_profile(profile, folder)
    from simulator.models.llm import reset_llm_cache  # noqa: PLC0415 (llm imports this module's names)

    reset_llm_cache()
    return profile
