"""Configurable fields of components, edges and traffic, and the field builders the component kinds share."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from simulator.instances import INSTANCE_TYPES

# Field types understood by validation, the JSON Schema generator and the UI.
INTEGER = "integer"
NUMBER = "number"
STRING = "string"
ENUM = "enum"
BOOLEAN = "boolean"
SERVICE_TIME = "service_time"  # {"dist": ..., "mean_ms" | "median_ms"+"p99_ms" | "samples_ms"}

SERVICE_DISTRIBUTIONS = ("exponential", "constant", "lognormal", "empirical")
FANOUT_MODES = ("sequential", "parallel")


@dataclass(frozen=True)
class Field:
    """One configurable property of a component, an edge or the traffic."""

    name: str
    type: str
    default: Any
    help: str
    unit: str = ""
    minimum: float | None = None
    maximum: float | None = None
    choices: tuple[str, ...] = ()
    nullable: bool = False
    exclusive_minimum: bool = False

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["choices"] = list(self.choices)
        return data


def copy_value(value: Any) -> Any:
    """A deep copy of a JSON-like default, so no two documents share a mutable default."""
    if isinstance(value, dict):
        return {k: copy_value(v) for k, v in value.items()}
    if isinstance(value, list):
        return [copy_value(v) for v in value]
    return value


def exponential(mean_ms: float) -> dict[str, Any]:
    return {"dist": "exponential", "mean_ms": mean_ms}


def lognormal(median_ms: float, p99_ms: float) -> dict[str, Any]:
    return {"dist": "lognormal", "median_ms": median_ms, "p99_ms": p99_ms}


def replicas(default: int) -> Field:
    return Field("replicas", INTEGER, default, "Identical copies behind the node's queue.",
                 unit="replicas", minimum=1, maximum=1000)


def concurrency(default: int) -> Field:
    return Field("concurrency", INTEGER, default,
                 "Requests one replica serves at the same time (worker threads or slots).",
                 unit="requests", minimum=1, maximum=1024)


def instance(default: str) -> Field:
    return Field("instance", ENUM, default, "Machine type each replica runs on; sets its price and speed.",
                 choices=tuple(INSTANCE_TYPES))


def service_time(default: dict[str, Any]) -> Field:
    return Field("service_time", SERVICE_TIME, default,
                 "Time one request keeps a server busy, not counting calls to other nodes.", unit="ms")


QUEUE_LIMIT = Field("queue_limit", INTEGER, None,
                    "Requests that may wait for a free server; a request finding the queue full is dropped. "
                    "Empty means unbounded, 0 means no waiting at all.",
                    unit="requests", minimum=0, maximum=10_000_000, nullable=True)
TIMEOUT = Field("timeout_ms", NUMBER, None,
                "A request that waits longer than this for a server is dropped as timed out. Empty means never.",
                unit="ms", minimum=0, maximum=600_000, nullable=True, exclusive_minimum=True)
FANOUT = Field("fanout", ENUM, "sequential",
               "How the node calls its outgoing sync edges: one after another in edge order, "
               "or all at once waiting for the slowest.", choices=FANOUT_MODES)


def hit_rate(default: float) -> Field:
    return Field("hit_rate", NUMBER, default,
                 "Share of requests answered here without calling the node's sync children.",
                 unit="fraction", minimum=0, maximum=1)


def serving(replica_count: int, slots: int, machine: str, service: dict[str, Any], *extra: Field) -> tuple[Field, ...]:
    """The fields every request-path component has, then the kind's own."""
    return (replicas(replica_count), concurrency(slots), instance(machine), service_time(service),
            QUEUE_LIMIT, TIMEOUT, FANOUT, *extra)


def schedule(default_hours: float) -> Field:
    return Field("schedule_hours", NUMBER, default_hours, "Hours between two runs of this job.",
                 unit="h", minimum=0.05, maximum=24 * 365)
