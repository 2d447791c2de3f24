"""`python -m simulator templates`: validate and run every case-study template, and compare a pair side by side."""

from __future__ import annotations

import argparse
import sys
from typing import Any, Sequence

from simulator.casestudies import (
    CaseStudy, CaseStudyError, CaseStudyNotFound, all_case_studies, get_case_study,
)
from simulator.errors import SimulationError
from simulator.results import Results
from simulator.runner import run
from simulator.validation import BoardValidationError


def meets_requirements(results: Results) -> bool:
    """True when every stated requirement (P99, peak rps, budget) has a passing verdict."""
    return all(verdict["passed"] for verdict in results.slo.values())


def verdict_line(results: Results) -> str:
    """P99 against its SLO, throughput, and monthly cost against the budget, with pass or fail for each."""
    parts = []
    for name, unit in (("p99_ms", "ms"), ("peak_rps", "req/s"), ("monthly_budget_usd", "$/month")):
        verdict = results.slo.get(name)
        if verdict is not None:
            mark = "ok" if verdict["passed"] else "FAIL"
            parts.append(f"{name} {verdict['actual']:,.1f}/{verdict['target']:,.0f} {unit} {mark}")
    return ", ".join(parts)


def rides_out(results: Results, drill: dict[str, Any]) -> tuple[bool, str]:
    """Whether a drill's board rides its fault out (availability and recovery), and how it did."""
    impact = next(i for i in results.faults if i["id"] == drill["fault"])
    recovery = impact["recovery_s"]
    available = results.availability or 0.0
    ok = (available >= drill["availability_at_least"] and recovery is not None
          and recovery <= drill["recover_within_s"])
    return ok, (f"availability {available:.2%} (needs {drill['availability_at_least']:.0%}), "
                f"{'never recovers from' if recovery is None else f'recovers {recovery:.1f} s after'} "
                f"fault {drill['fault']} (needs {drill['recover_within_s']:g} s)")


def check_drill(template: CaseStudy, seed: int) -> tuple[bool, list[str]]:
    """A drill teaches what it should when the board as given does not ride its fault out and the fixed one does."""
    given, fixed = (rides_out(run(document, seed=seed), template.drill)
                    for document in (template.document(), template.fixed_document()))
    return (not given[0]) and fixed[0], [
        f"{template.id}: failure drill, as given {'RIDES IT OUT (it should not)' if given[0] else 'fails'}: "
        f"{given[1]}",
        f"{' ' * len(template.id)}  with the hinted fix: {'rides it out' if fixed[0] else 'STILL FAILS'}: {fixed[1]}",
    ]


def check_case_study(template: CaseStudy, seed: int) -> tuple[bool, list[str]]:
    """Run a template (and its fix when broken on purpose or a drill); (teaches what it should, report lines)."""
    if template.drill:
        return check_drill(template, seed)
    results = run(template.document(), seed=seed)
    meets = meets_requirements(results)
    if not template.broken:
        return meets, [f"{template.id}: {'meets its requirements' if meets else 'MISSES its requirements'}: "
                       f"{verdict_line(results)}"]
    fixed = run(template.fixed_document(), seed=seed)
    fixed_meets = meets_requirements(fixed)
    # Where requests wait longest says why it misses: not always the busiest node (a batch that waits to fill).
    slowest = max(results.nodes, key=lambda node_id: results.nodes[node_id].mean_wait_ms)
    return (not meets) and fixed_meets, [
        f"{template.id}: broken on purpose, {'misses' if not meets else 'MEETS (it should not)'} its "
        f"requirements: {verdict_line(results)}; longest wait at {slowest} "
        f"({results.nodes[slowest].mean_wait_ms:,.1f} ms on average)",
        f"{' ' * len(template.id)}  with the hinted fix: {'meets' if fixed_meets else 'STILL MISSES'}: "
        f"{verdict_line(fixed)}",
    ]


def _oldest(results: Results, output: str) -> float | None:
    """The oldest a scheduled node's `output` ("outputs" of batch work, or a trained "model") can be."""
    ages = [entry["max_staleness_hours"] for entry in results.cost["by_node"].values()
            if entry.get("staleness_of") == output]
    return max(ages) if ages else None


def input_age(results: Results) -> str:
    """How old the data behind a served score can be: a batch job's last run, or none when scored per request."""
    batch = _oldest(results, "outputs")
    return f"up to {batch:.1f} h (precomputed)" if batch is not None else "none (scored per request)"


def model_age(results: Results) -> str:
    trained = _oldest(results, "model")
    return f"up to {trained:.1f} h" if trained is not None else "not retrained"


def comparison(first: CaseStudy, second: CaseStudy, seed: int) -> list[str]:
    """Latency, throughput, freshness and cost of two templates side by side."""
    rows: list[tuple[str, Any, Any]] = []
    both = [run(t.document(), seed=seed) for t in (first, second)]
    for label, value in (
        ("P50 latency", lambda r: f"{r.latency_ms.p50:.1f} ms"),
        ("P99 latency", lambda r: f"{r.latency_ms.p99:.1f} ms"),
        ("throughput", lambda r: f"{r.throughput_rps:,.0f} req/s"),
        ("age of the scored data", input_age),
        ("age of the model", model_age),
        ("cost per month", lambda r: f"${r.cost['monthly_usd']:,.0f}"),
        ("cost per million requests", lambda r: f"${r.cost['per_million_requests_usd']:.3f}"),
        ("requirements", lambda r: "met" if meets_requirements(r) else "missed"),
    ):
        rows.append((label, value(both[0]), value(both[1])))
    width = max(len(str(cell)) for row in rows for cell in row[1:]) + 2
    lines = [f"{'':<26}{first.id:<{width}}{second.id}"]
    lines += [f"{label:<26}{a:<{width}}{b}" for label, a, b in rows]
    return lines


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m simulator templates",
        description="Validate and run the case-study templates. A template meets all its requirements; "
                    "one broken on purpose misses them and meets them once its hinted fix is applied.")
    parser.add_argument("ids", nargs="*", help="template ids (default: all)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--compare", nargs=2, metavar=("A", "B"),
                        help="print two templates' latency, freshness and cost side by side")
    args = parser.parse_args(argv)
    try:
        if args.compare:
            print("\n".join(comparison(*(get_case_study(i) for i in args.compare), seed=args.seed)))
            return 0
        templates = [get_case_study(i) for i in args.ids] if args.ids else all_case_studies()
        failures = 0
        for template in templates:
            ok, lines = check_case_study(template, args.seed)
            failures += not ok
            print("\n".join(lines))
    except CaseStudyNotFound as error:
        print(f"error: no template has the id {error.args[0]!r}", file=sys.stderr)
        return 2
    except (CaseStudyError, BoardValidationError, SimulationError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    print(f"{len(templates)} templates run, {failures} not as intended")
    return 1 if failures else 0
