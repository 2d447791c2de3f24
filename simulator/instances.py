"""Machine types a component can run on: their size and relative speed (prices live in cost data)."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

# Speed factors and prices live in simulator/data/prices.json; "managed" is a service priced by use,
# not by machine. GPU instances name their GPU model (its data-sheet figures are in prices.json,
# section "gpus"), how many they have and what links them (for tensor parallelism).
INSTANCE_TYPES: dict[str, dict[str, Any]] = {
    "c6i.large": {"vcpu": 2, "memory_gb": 4, "gpu": None, "family": "compute"},
    "c6i.xlarge": {"vcpu": 4, "memory_gb": 8, "gpu": None, "family": "compute"},
    "c6i.2xlarge": {"vcpu": 8, "memory_gb": 16, "gpu": None, "family": "compute"},
    "c6i.4xlarge": {"vcpu": 16, "memory_gb": 32, "gpu": None, "family": "compute"},
    "m6i.large": {"vcpu": 2, "memory_gb": 8, "gpu": None, "family": "general"},
    "m6i.xlarge": {"vcpu": 4, "memory_gb": 16, "gpu": None, "family": "general"},
    "r6i.large": {"vcpu": 2, "memory_gb": 16, "gpu": None, "family": "memory"},
    "r6i.xlarge": {"vcpu": 4, "memory_gb": 32, "gpu": None, "family": "memory"},
    "g5.xlarge": {"vcpu": 4, "memory_gb": 16, "gpu": "A10G", "gpu_count": 1, "family": "gpu"},
    "g4dn.xlarge": {"vcpu": 4, "memory_gb": 16, "gpu": "T4", "gpu_count": 1, "family": "gpu"},
    "g6.xlarge": {"vcpu": 4, "memory_gb": 16, "gpu": "L4", "gpu_count": 1, "family": "gpu"},
    "g6e.xlarge": {"vcpu": 4, "memory_gb": 32, "gpu": "L40S", "gpu_count": 1, "family": "gpu"},
    "g5.12xlarge": {"vcpu": 48, "memory_gb": 192, "gpu": "A10G", "gpu_count": 4, "gpu_link": "PCIe4",
                    "family": "gpu"},
    "g6e.12xlarge": {"vcpu": 48, "memory_gb": 384, "gpu": "L40S", "gpu_count": 4, "gpu_link": "PCIe4",
                     "family": "gpu"},
    "p4d.24xlarge": {"vcpu": 96, "memory_gb": 1152, "gpu": "A100-40GB", "gpu_count": 8, "gpu_link": "NVLink3",
                     "family": "gpu"},
    "p4de.24xlarge": {"vcpu": 96, "memory_gb": 1152, "gpu": "A100-80GB", "gpu_count": 8, "gpu_link": "NVLink3",
                      "family": "gpu"},
    "p5.48xlarge": {"vcpu": 192, "memory_gb": 2048, "gpu": "H100-SXM", "gpu_count": 8, "gpu_link": "NVLink4",
                    "family": "gpu"},
    "cache.r6g.large": {"vcpu": 2, "memory_gb": 13, "gpu": None, "family": "managed cache"},
    "db.r6g.large": {"vcpu": 2, "memory_gb": 16, "gpu": None, "family": "managed database"},
    "kafka.m5.large": {"vcpu": 2, "memory_gb": 8, "gpu": None, "family": "managed Kafka broker"},
    "managed": {"vcpu": None, "memory_gb": None, "gpu": None, "family": "managed service (priced by use)"},
}

PRICES_PATH = Path(__file__).parent / "data" / "prices.json"


@lru_cache(maxsize=1)
def price_table() -> dict[str, Any]:
    """The price and speed data (simulator/data/prices.json), each figure with its source and date."""
    with open(PRICES_PATH, encoding="utf-8") as handle:
        return json.load(handle)


def hourly_price(instance: str) -> float:
    """On-demand USD per hour of one instance of this type (0 for use-priced managed services)."""
    return float(price_table()["instances"][instance]["usd_per_hour"])


def service_price(name: str) -> float:
    """A use-based price from the services table, e.g. object_storage_usd_per_gb_month."""
    return float(price_table()["services"][name]["usd"])


def _cpu_entry(instance: str) -> dict[str, Any]:
    family = instance.split(".")[0]
    return price_table()["speed"]["cpu_factor"].get(family) or {"factor": 1.0, "basis": "unknown type: assumed 1.0"}


def cpu_factor(instance: str) -> float:
    """Multiplier on CPU work (predict or training) measured on the profiling machine."""
    return float(_cpu_entry(instance)["factor"])


def gpu_spec(gpu: str) -> dict[str, Any]:
    """Data-sheet figures of a GPU model (memory, dense fp16 and int8 peaks, bandwidth) with their source."""
    return price_table()["gpus"][gpu]


def speed_factor(instance: str, family: str) -> tuple[float, str]:
    """(multiplier on measured predict time, why) for a model of this family on this instance type."""
    speed = price_table()["speed"]
    cpu = _cpu_entry(instance)
    factor, basis = float(cpu["factor"]), f"CPU factor {cpu['factor']:g} ({cpu['basis']})"
    gpu = INSTANCE_TYPES.get(instance, {}).get("gpu")
    if gpu:
        speedup = float(speed["gpu_speedup"][gpu][family])
        factor /= speedup
        basis += f"; {gpu} speed-up {speedup:g}x for {family} models (estimate)"
    return factor, basis
