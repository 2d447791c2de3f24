"""Machine types a component can run on: their size and relative speed (prices live in cost data)."""

from __future__ import annotations

from typing import Any

# cpu_factor: predict time multiplier relative to the machine the profiles were measured on
# (1.0 = same speed); "managed" is a service priced by use, not by machine.
INSTANCE_TYPES: dict[str, dict[str, Any]] = {
    "c6i.large": {"vcpu": 2, "memory_gb": 4, "gpu": None, "family": "compute"},
    "c6i.xlarge": {"vcpu": 4, "memory_gb": 8, "gpu": None, "family": "compute"},
    "c6i.2xlarge": {"vcpu": 8, "memory_gb": 16, "gpu": None, "family": "compute"},
    "c6i.4xlarge": {"vcpu": 16, "memory_gb": 32, "gpu": None, "family": "compute"},
    "m6i.large": {"vcpu": 2, "memory_gb": 8, "gpu": None, "family": "general"},
    "m6i.xlarge": {"vcpu": 4, "memory_gb": 16, "gpu": None, "family": "general"},
    "r6i.large": {"vcpu": 2, "memory_gb": 16, "gpu": None, "family": "memory"},
    "r6i.xlarge": {"vcpu": 4, "memory_gb": 32, "gpu": None, "family": "memory"},
    "g5.xlarge": {"vcpu": 4, "memory_gb": 16, "gpu": "A10G", "family": "gpu"},
    "g4dn.xlarge": {"vcpu": 4, "memory_gb": 16, "gpu": "T4", "family": "gpu"},
    "cache.r6g.large": {"vcpu": 2, "memory_gb": 13, "gpu": None, "family": "managed cache"},
    "db.r6g.large": {"vcpu": 2, "memory_gb": 16, "gpu": None, "family": "managed database"},
    "kafka.m5.large": {"vcpu": 2, "memory_gb": 8, "gpu": None, "family": "managed Kafka broker"},
    "managed": {"vcpu": None, "memory_gb": None, "gpu": None, "family": "managed service (priced by use)"},
}
