"""Building blocks of a component's monthly price: always-on machines, use-based items, the month itself.

Each component kind prices itself with these (simulator/kinds/); simulator/cost.py adds the
entries up into a board's cost section. Prices come from simulator/data/prices.json, each with
its source and date.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from simulator.instances import hourly_price

HOURS_PER_MONTH = 730.0
SECONDS_PER_MONTH = HOURS_PER_MONTH * 3600.0
SECONDS_PER_DAY = 86_400.0
BYTES_PER_GB = 1e9


@dataclass(frozen=True)
class Usage:
    """What a node's price may depend on besides its config: the traffic it handled in the run."""

    rps: float  # requests per second the node handled (its simulated throughput)
    board_log_rps: float = 0.0  # records per second arriving at the board's log stores (read by monitors)
    replicas: float | None = None  # replicas held on average, when autoscaling changed the count
    peak_replicas: int | None = None  # the most it held at once


def machines(config: dict[str, Any], count: float | None = None) -> tuple[float, str]:
    """(monthly USD, how) for `count` (default: the node's replicas) always-on machines of its instance type."""
    count = count if count is not None else config.get("replicas", 1)
    price = hourly_price(config["instance"])
    shown = f"{count:g}" if float(count).is_integer() else f"{count:.2f} (mean held, autoscaled)"
    return count * price * HOURS_PER_MONTH, f"{shown} x ${price:g}/h x {HOURS_PER_MONTH:g} h ({config['instance']})"


def is_managed(config: dict[str, Any]) -> bool:
    """True for a managed service billed by use rather than by machine."""
    return config.get("instance") == "managed"


def log_storage_gb(rps: float, record_bytes: int, retention_days: float) -> float:
    """GB held at steady state: records per second x record size x seconds kept."""
    return rps * record_bytes * retention_days * SECONDS_PER_DAY / BYTES_PER_GB


def entry(items: list[tuple[str, float, str]], compute: tuple[float, str] | None = None) -> dict[str, Any]:
    """A node's cost entry from (what, usd, how) items plus, when billed by machine, its compute line."""
    rows = ([("compute", compute[0], compute[1])] if compute else []) + items
    return {"monthly_usd": sum(usd for _, usd, _ in rows), "items": [{"what": w, "usd": u} for w, u, _ in rows],
            "basis": "; ".join(how for _, _, how in rows)}


def unpriced(basis: str) -> dict[str, Any]:
    """A cost entry of nothing, saying why."""
    return {"monthly_usd": 0.0, "items": [], "basis": basis}


def scheduled_runs(config: dict[str, Any], run_s: float, count: int, what: str, output: str) -> dict[str, Any]:
    """The entry of work that runs every `schedule_hours` for `run_s` seconds on `count` machines.

    What it produces (`output`: "model" or "outputs") is served until the next run finishes, so it is
    at most one interval plus one run old. The caller adds the `basis` line.
    """
    runs = HOURS_PER_MONTH / config["schedule_hours"]
    usd = runs * run_s / 3600.0 * count * hourly_price(config["instance"])
    return {"monthly_usd": usd, "items": [{"what": what, "usd": usd}], "run_hours": run_s / 3600.0,
            "runs_per_month": runs, "max_staleness_hours": config["schedule_hours"] + run_s / 3600.0,
            "staleness_of": output}
