"""Monthly cost of a board from list prices: machines, log storage, training runs, managed services.

Every figure assumes the simulated request rate holds all month (730 hours) and uses the
on-demand list prices in simulator/data/prices.json, each with its source and date.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from simulator.instances import cpu_factor, hourly_price, price_table, service_price

HOURS_PER_MONTH = 730.0
SECONDS_PER_MONTH = HOURS_PER_MONTH * 3600.0
SECONDS_PER_DAY = 86_400.0
BYTES_PER_GB = 1e9


def _machines(config: dict[str, Any], replicas: int | None = None) -> tuple[float, str]:
    """(monthly USD, how) for replicas always-on machines of the node's instance type."""
    count = replicas if replicas is not None else config.get("replicas", 1)
    price = hourly_price(config["instance"])
    return count * price * HOURS_PER_MONTH, f"{count} x ${price:g}/h x {HOURS_PER_MONTH:g} h ({config['instance']})"


def log_storage_gb(rps: float, record_bytes: int, retention_days: float) -> float:
    """GB held at steady state: records per second x record size x seconds kept."""
    return rps * record_bytes * retention_days * SECONDS_PER_DAY / BYTES_PER_GB


def _training(config: dict[str, Any]) -> dict[str, Any]:
    from simulator.models import training_seconds_per_10k  # the catalog needs scikit-learn; load on use

    per_10k = training_seconds_per_10k(config.get("model") or "")
    if per_10k is None:
        return {"monthly_usd": 0.0, "items": [], "basis": "no measured training time for this model: not priced"}
    run_s = per_10k * config["rows_per_run"] / 10_000 * cpu_factor(config["instance"])
    runs = HOURS_PER_MONTH / config["schedule_hours"]
    price = hourly_price(config["instance"])
    usd = runs * run_s / 3600.0 * price
    return {"monthly_usd": usd, "items": [{"what": "training runs", "usd": usd}],
            "run_hours": run_s / 3600.0, "runs_per_month": runs,
            # A model serves until the next run finishes: one interval plus one run at worst.
            "max_staleness_hours": config["schedule_hours"] + run_s / 3600.0,
            "basis": f"{runs:.1f} runs x {run_s:.1f} s ({per_10k:.3g} s measured per 10,000 rows x "
                     f"{config['rows_per_run']:,} rows) x ${price:g}/h"}


def _batch_job(config: dict[str, Any]) -> dict[str, Any]:
    run_s = config["rows_per_run"] / (config["rows_per_second"] * config["replicas"])
    runs = HOURS_PER_MONTH / config["schedule_hours"]
    price = hourly_price(config["instance"])
    usd = runs * run_s / 3600.0 * config["replicas"] * price
    return {"monthly_usd": usd, "items": [{"what": "batch runs", "usd": usd}], "run_hours": run_s / 3600.0,
            # What the job writes is served until the next run finishes: one interval plus one run at worst.
            "max_staleness_hours": config["schedule_hours"] + run_s / 3600.0,
            "basis": f"{runs:.1f} runs x {run_s:.0f} s x {config['replicas']} x ${price:g}/h"}


def _usage(items: list[tuple[str, float, str]], compute: tuple[float, str] | None = None) -> dict[str, Any]:
    """A node entry from (what, usd, how) items plus, when billed by machine, its compute line."""
    rows = ([("compute", compute[0], compute[1])] if compute else []) + items
    return {"monthly_usd": sum(usd for _, usd, _ in rows), "items": [{"what": w, "usd": u} for w, u, _ in rows],
            "basis": "; ".join(how for _, _, how in rows)}


def node_cost(node: dict[str, Any], rps: float, logging_rps: float = 0.0) -> dict[str, Any]:
    """Monthly cost of one node given the request rate it handles (its simulated throughput)."""
    kind, config = node["kind"], node.get("config", {})
    if kind == "client":
        return {"monthly_usd": 0.0, "items": [], "basis": "outside the system"}
    if kind == "training_pipeline":
        return _training(config)
    if kind == "batch_job":
        return _batch_job(config)
    if kind == "monitor":
        entry = _usage([], _machines(config, 1))
        reads = config["sampling_rate"] * logging_rps
        entry.update(added_logging_read_rps=reads, checks_per_hour=config["checks_per_hour"])
        entry["basis"] += (f"; reads {reads:.1f} rec/s from logging ({config['sampling_rate']:g} of "
                           f"{logging_rps:.1f} rec/s), {config['checks_per_hour']:g} checks/h")
        return entry
    compute = _machines(config) if config.get("instance") != "managed" else None
    items: list[tuple[str, float, str]] = []
    if kind == "logging":
        gb = log_storage_gb(rps, config["record_bytes"], config["retention_days"])
        price = service_price("kafka_storage_usd_per_gb_month")
        items.append(("log storage", gb * price, f"{gb:,.1f} GB kept x ${price:g}/GB-month "
                      f"({rps:.1f} rec/s x {config['record_bytes']} B x {config['retention_days']:g} days)"))
    elif kind == "object_storage":
        gb, price = config["storage_gb"], service_price("object_storage_usd_per_gb_month")
        gets = rps * SECONDS_PER_MONTH / 1000 * service_price("object_storage_usd_per_1000_get")
        items += [("storage", gb * price, f"{gb:,.0f} GB x ${price:g}/GB-month"),
                  ("read requests", gets, f"{rps:.1f} req/s of GET requests")]
    elif kind == "cdn":
        usd = rps * SECONDS_PER_MONTH / 10_000 * service_price("cdn_usd_per_10000_requests")
        items.append(("requests", usd, f"{rps:.1f} req/s of HTTPS requests (data transfer not priced: "
                      "the board states no response size)"))
    elif compute is None:
        return {"monthly_usd": 0.0, "items": [], "basis": "managed, priced by use; no use-based price for this kind"}
    return _usage(items, compute)


def board_cost(document: dict[str, Any], node_throughput_rps: dict[str, float],
               total_throughput_rps: float) -> dict[str, Any]:
    """The `cost` section of results: per node, total, per million requests.

    `document` has its defaults filled in; `node_throughput_rps` maps node ids to the request
    rate each one handled (missing means 0); `total_throughput_rps` is end-to-end completions.
    """
    logging_rps = sum(node_throughput_rps.get(n["id"], 0.0) for n in document["nodes"] if n["kind"] == "logging")
    by_node = {n["id"]: {"kind": n["kind"], "instance": n.get("config", {}).get("instance"),
                         **node_cost(n, node_throughput_rps.get(n["id"], 0.0), logging_rps)}
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


def budget_verdict(requirements: dict[str, Any], monthly_usd: float) -> dict[str, Any] | None:
    """SLO verdict on the monthly budget, or None when the board states no budget."""
    budget = requirements.get("monthly_budget_usd")
    if budget is None:
        return None
    return {"target": budget, "actual": monthly_usd, "passed": bool(monthly_usd <= budget)}


def with_cost(document: dict[str, Any], results: Any) -> Any:
    """The results record with its `cost` section, model information per model server and the
    budget verdict added (document with defaults filled in)."""
    from simulator.models import model_info

    rps = {node_id: stats.throughput_rps for node_id, stats in results.nodes.items()}
    cost = board_cost(document, rps, results.throughput_rps)
    models = {}
    for node in document["nodes"]:
        config = node.get("config", {})
        if node["kind"] == "model_server" and config.get("model"):
            models[node["id"]] = model_info(config["model"], config["instance"]) or {
                "model": config["model"], "timing_source": "no profile: batch time from service_time"}
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
            what = "outputs" if entry["kind"] == "batch_job" else "model"
            extra = (f"; {what} at most {entry['max_staleness_hours']:.1f} h old"
                     if "max_staleness_hours" in entry else "")
            lines.append(f"  {node_id:<18} ${entry['monthly_usd']:>11,.2f}  {entry['basis']}{extra}")
    return lines
