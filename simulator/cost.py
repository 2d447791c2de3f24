"""Monthly cost of a board from list prices: each component kind prices its node, this adds them up.

Every figure assumes the simulated request rate holds all month (730 hours) and uses the
on-demand list prices in simulator/data/prices.json, each with its source and date. How each
kind is priced (machines, log storage, training runs, managed services) is in its class in
simulator/kinds/, built from simulator/pricing.py.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from simulator.instances import price_table
from simulator.kinds import KINDS
from simulator.pricing import HOURS_PER_MONTH, SECONDS_PER_MONTH, Usage, log_storage_gb  # noqa: F401


def node_cost(node: dict[str, Any], rps: float, board_log_rps: float = 0.0,
              replicas: tuple[float, int] | None = None) -> dict[str, Any]:
    """Monthly cost of one node (defaults filled in) given the request rate it handled and, when it
    was autoscaled, the (mean, most) replicas it held."""
    mean, peak = replicas if replicas is not None else (None, None)
    return KINDS[node["kind"]].price(node.get("config", {}), Usage(rps=rps, board_log_rps=board_log_rps,
                                                                   replicas=mean, peak_replicas=peak))


def board_cost(document: dict[str, Any], node_throughput_rps: dict[str, float],
               total_throughput_rps: float, held: dict[str, tuple[float, int]] | None = None) -> dict[str, Any]:
    """The `cost` section of results: per node, total, per million requests.

    `document` has its defaults filled in; `node_throughput_rps` maps node ids to the request
    rate each one handled (missing means 0); `total_throughput_rps` is end-to-end completions.
    """
    log_rps = sum(node_throughput_rps.get(n["id"], 0.0) for n in document["nodes"] if KINDS[n["kind"]].log_store)
    by_node = {n["id"]: {"kind": n["kind"], "instance": n.get("config", {}).get("instance"),
                         **node_cost(n, node_throughput_rps.get(n["id"], 0.0), log_rps, (held or {}).get(n["id"]))}
               for n in document["nodes"]}
    monthly = sum(entry["monthly_usd"] for entry in by_node.values())
    requests_millions = total_throughput_rps * SECONDS_PER_MONTH / 1e6
    table = price_table()
    return {
        "monthly_usd": monthly,
        "per_million_requests_usd": monthly / requests_millions if requests_millions > 0 else None,
        "by_node": by_node,
        "prices": {"region": table["region"], "as_of": table["as_of"], "note": table["note"]},
        "assumptions": f"the simulated rate of {total_throughput_rps:.1f} req/s holds for all "
                       f"{HOURS_PER_MONTH:g} hours of a month; on-demand list prices",
    }


def replicas_held(results: Any) -> dict[str, tuple[float, int]]:
    """(mean, most) replicas each autoscaled node held over the measured window, from its timeline."""
    held = {}
    for node_id, row in (results.node_timeseries.get("nodes") or {}).items():
        if "replicas" in row and row["replicas"]:
            changes = [c["replicas"] + c["starting"] for c in results.replica_changes.get(node_id, [])]
            held[node_id] = (sum(row["replicas"]) / len(row["replicas"]), max([round(max(row["replicas"])), *changes]))
    return held


def budget_verdict(requirements: dict[str, Any], monthly_usd: float) -> dict[str, Any] | None:
    """SLO verdict on the monthly budget, or None when the board states no budget."""
    budget = requirements.get("monthly_budget_usd")
    if budget is None:
        return None
    return {"target": budget, "actual": monthly_usd, "passed": bool(monthly_usd <= budget)}


def with_cost(document: dict[str, Any], results: Any) -> Any:
    """The results record with its `cost` section, each kind's run information per node (a model
    server's model) and the budget verdict added (document with defaults filled in)."""
    rps = {node_id: stats.throughput_rps for node_id, stats in results.nodes.items()}
    cost = board_cost(document, rps, results.throughput_rps, replicas_held(results))
    models = {}
    for node in document["nodes"]:
        info = KINDS[node["kind"]].run_info(node.get("config", {}))
        if info is not None:
            models[node["id"]] = info
    slo = dict(results.slo)
    verdict = budget_verdict(document["requirements"], cost["monthly_usd"])
    if verdict is not None:
        slo["monthly_budget_usd"] = verdict
    return dataclasses.replace(results, cost=cost, node_models=models, slo=slo)


def summary_lines(results: Any) -> list[str]:
    """Terminal lines for the model servers' models and the cost section of a results record."""
    lines = []
    for node_id, info in results.node_models.items():
        if "quality" not in info:
            lines.append(f"model {node_id}: {info['model']}: {info['timing_source']}")
            continue
        quality = ", ".join(f"{k} {v:.3f}" for k, v in info["quality"].items())
        p50 = info["p50_ms_by_batch"]
        timings = ", ".join(f"batch {b} {p50[b]:.3f} ms" for b in ("1", "64") if b in p50)
        lines += [f"model {node_id}: {info['model']} on {info['instance']}: {quality}",
                  f"  p50 predict {timings} (x{info['speed_factor']:.3g} for the instance); {info['timing_source']}"]
    if results.cost is not None:
        c = results.cost
        per_million = c["per_million_requests_usd"]
        lines.append(f"cost ${c['monthly_usd']:,.2f}/month"
                     + (f", ${per_million:.4f} per million requests" if per_million is not None else "")
                     + f" (on-demand list prices, {c['prices']['region']}, as of {c['prices']['as_of']})")
        for node_id, entry in sorted(c["by_node"].items(), key=lambda kv: -kv[1]["monthly_usd"]):
            extra = (f"; {entry['staleness_of']} at most {entry['max_staleness_hours']:.1f} h old"
                     if "max_staleness_hours" in entry else "")
            lines.append(f"  {node_id:<18} ${entry['monthly_usd']:>11,.2f}  {entry['basis']}{extra}")
    return lines
