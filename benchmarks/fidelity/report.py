"""The comparison as Markdown: measured against simulated per configuration and load, then the diagnosis."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from benchmarks.fidelity.boards import VARIANTS, Configuration, Simulated
from benchmarks.fidelity.measure import Level


@dataclass
class Row:
    config: Configuration
    load: float  # share of the measured capacity
    level: Level
    simulated: dict[str, Simulated] = field(default_factory=dict)


def error(simulated: float, measured: float) -> float:
    return (simulated - measured) / measured if measured else float("nan")


def _pct(value: float) -> str:
    return f"{value * 100:+.0f}%"


def _ms(value: float) -> str:
    return f"{value:.1f}" if value >= 10 else f"{value:.2f}"


def server_busy(level: Level) -> float:
    """The model server's CPU time over the level's span, a share of its core. For the FIFO server
    it is the utilisation the load share aims at, which can be far above the share: the share is
    of the closed loop's capacity, where predict ran up to 40% faster than with idle moments
    between requests. A batching server's also holds its loop's wake-ups while a batch waits for
    its delay, so it stays high at low load."""
    cpu_ms = sum(ms for name, ms in level.cpu_ms_per_request.items() if name.startswith("model server"))
    return cpu_ms * level.throughput_rps / 1000.0


def table(rows: list[Row], variants: tuple[str, ...]) -> str:
    """One line per model, configuration and load: what was measured (with the machine's load), then
    each variant's simulated P50 and P99 with their relative errors."""
    titles = {v.name: v.title for v in VARIANTS}
    head = ["model", "configuration", "load", "req/s", "server CPU", "load avg", "others' CPU", "measured P50 / P99 (ms)",
            "P99 95% interval", "throughput"] + [f"{titles[name]}: P50 / P99 (error)" for name in variants]
    lines = ["| " + " | ".join(head) + " |", "|---|---|" + "|".join(["---:"] * (len(head) - 2)) + "|"]
    for row in rows:
        level = row.level
        p50, p99 = level.percentile(50), level.percentile(99)
        cells = [f"`{row.config.model}`", row.config.title, f"{row.load * 100:.0f}%", f"{level.rps:.0f}",
                 f"{server_busy(level) * 100:.0f}%",
                 f"{level.load_after:.1f}", f"{level.machine.get('others', float('nan')) * 100:.0f}%",
                 f"{_ms(p50)} / {_ms(p99)}", "{} - {}".format(*map(_ms, level.p99_interval)),
                 f"{level.throughput_rps:.0f}"]
        for name in variants:
            sim = row.simulated.get(name)
            if sim is None:  # no closed loops of this model's FIFO and batching servers for its samples
                cells.append("-")
                continue
            cells.append(f"{_ms(sim.p50_ms)} ({_pct(error(sim.p50_ms, p50))}) / "
                         f"{_ms(sim.p99_ms)} ({_pct(error(sim.p99_ms, p99))})")
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _q(values: np.ndarray, q: float) -> str:
    return _ms(float(np.percentile(values, q))) if len(values) else "-"


def diagnosis(rows: list[Row]) -> str:
    """What each level looked like inside: the generator, throughput, batches and each part's share."""
    lines = ["| model | configuration | load | lateness P50 / P99 / max (ms) | max in flight | errors | "
             "throughput sim / measured | batch mean measured / sim | delay overshoot P50 / P99 (ms) | "
             "predict P50 / P99 (ms), batch 1 | model server CPU per request (ms) |",
             "|---|---|---:|---|---:|---:|---|---|---|---|---:|"]
    for row in rows:
        level = row.level
        late = level.lateness_ms
        sim = row.simulated.get("measured+overhead") or next(iter(row.simulated.values()))
        sim_batch = f"{sim.mean_batch_size:.2f}" if sim.mean_batch_size else "1"
        predict1 = level.predict_ms.get(1, np.array([]))
        cpu = sum(ms for name, ms in level.cpu_ms_per_request.items() if name.startswith("model server"))
        lines.append(
            f"| `{row.config.model}` | {row.config.title} | {row.load * 100:.0f}% | {_q(late, 50)} / {_q(late, 99)} / {_ms(float(late.max()))} "
            f"| {level.generator['max_outstanding']} | {level.errors + level.unanswered} "
            f"| {sim.throughput_rps:.0f} / {level.throughput_rps:.0f} "
            f"| {level.batch_sizes.mean():.2f} / {sim_batch} "
            f"| {_q(level.delay_overshoot_ms, 50)} / {_q(level.delay_overshoot_ms, 99)} "
            f"| {_q(predict1, 50)} / {_q(predict1, 99)} | {cpu:.2f} |")
    return "\n".join(lines)


def parts(rows: list[Row]) -> str:
    """Median and P99 of each stamped part of the latency, per level."""
    names: list[str] = []
    for row in rows:
        names += [n for n in row.level.parts_ms if n not in names]
    lines = ["| model | configuration | load | " + " | ".join(f"{n} P50 / P99" for n in names) + " |",
             "|---|---|---:|" + "---|" * len(names)]
    for row in rows:
        cells = [f"{_q(row.level.parts_ms[n], 50)} / {_q(row.level.parts_ms[n], 99)}" if n in row.level.parts_ms
                 else "" for n in names]
        lines.append(f"| `{row.config.model}` | {row.config.title} | {row.load * 100:.0f}% | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def level_json(level: Level) -> dict[str, Any]:
    """A level's figures as JSON: measured latency, the generator, CPU, parts and batches."""
    return {
        "rps": level.rps, "requests": level.requests,
        "load_average_before": level.load_before, "load_average_after": level.load_after,
        "measured": {"p50_ms": level.percentile(50), "p99_ms": level.percentile(99),
                     "p99_interval_ms": list(level.p99_interval),
                     "throughput_rps": level.throughput_rps, "errors": level.errors,
                     "unanswered": level.unanswered, "mean_batch_size": float(level.batch_sizes.mean()),
                     "answered": level.answered, "logged": level.logged},
        "lateness_ms": {"p50": float(np.percentile(level.lateness_ms, 50)),
                        "p99": float(np.percentile(level.lateness_ms, 99)), "max": float(level.lateness_ms.max())},
        "generator": level.generator, "machine": level.machine,
        "cpu_ms_per_request": level.cpu_ms_per_request,
        "parts_ms": {n: {"p50": float(np.percentile(v, 50)), "p99": float(np.percentile(v, 99))}
                     for n, v in level.parts_ms.items()},
        "batch_gaps_ms": {"back_to_back": float(np.mean(level.batch_gaps_ms)) if len(level.batch_gaps_ms) else None,
                          "full": float(np.mean(level.full_gaps_ms)) if len(level.full_gaps_ms) else None},
        "predict_ms": {str(size): {"p50": float(np.percentile(v, 50)), "p99": float(np.percentile(v, 99)),
                                   "mean": float(np.mean(v)), "n": int(len(v))}
                       for size, v in level.predict_ms.items()},
    }


def summary_json(rows: list[Row]) -> list[dict[str, Any]]:
    return [{"model": row.config.model, "configuration": row.config.name, "load": row.load,
             **level_json(row.level), "simulated": {name: vars(sim) for name, sim in row.simulated.items()}}
            for row in rows]
