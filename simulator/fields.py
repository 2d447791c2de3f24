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
OBJECT = "object"  # a setting made of sub-fields (`fields`); null when the setting is off
TOKEN_COUNT = "token_count"  # {"dist": ..., "mean" | "low"+"high" | "median"+"p99" | "samples"}: tokens per request

SERVICE_DISTRIBUTIONS = ("exponential", "constant", "lognormal", "empirical")
TOKEN_DISTRIBUTIONS = ("constant", "uniform", "lognormal", "empirical")
MAX_TOKENS = 131_072  # the longest context the catalog's model classes take
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
    fields: tuple["Field", ...] = ()  # the sub-fields of an OBJECT

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["choices"] = list(self.choices)
        if self.type == OBJECT:
            data["fields"] = [sub.to_dict() for sub in self.fields]
        else:
            del data["fields"]
        return data

    def resolve(self, value: Any) -> Any:
        """A valid value with the defaults of an OBJECT's omitted sub-fields filled in."""
        if self.type != OBJECT or not isinstance(value, dict):
            return value
        return {sub.name: sub.resolve(value[sub.name]) if sub.name in value else copy_value(sub.default)
                for sub in self.fields}


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

AFTER_CALLS = Field("after_calls_share", NUMBER, 0.0,
                    "Share of the service time done after the node's sync calls return (reading their answers, "
                    "writing its reply); that part queues for a server again, behind the work waiting then. "
                    "0: all of it before the calls.", unit="fraction", minimum=0, maximum=1)


def hit_rate(default: float) -> Field:
    return Field("hit_rate", NUMBER, default,
                 "Share of requests answered here without calling the node's sync children.",
                 unit="fraction", minimum=0, maximum=1)


def schedule(default_hours: float) -> Field:
    return Field("schedule_hours", NUMBER, default_hours, "Hours between two runs of this job.",
                 unit="h", minimum=0.05, maximum=24 * 365)


# Resilience settings: each is off (null) unless set; a set one takes its sub-fields' defaults.
EDGE_TIMEOUT = Field("timeout_ms", NUMBER, None,
                     "The caller gives up on an attempt that has not answered after this long; the callee's "
                     "work goes on and is wasted. Empty means the caller waits for ever.",
                     unit="ms", minimum=0, maximum=600_000, nullable=True, exclusive_minimum=True)
RETRY = Field("retry", OBJECT, None,
              "Retry a failed or timed-out call with exponential backoff, as gRPC and Envoy do. Empty: no retries.",
              nullable=True, fields=(
                  Field("max_attempts", INTEGER, 3, "Attempts in all, the first included.", unit="attempts",
                        minimum=1, maximum=10),
                  Field("backoff_ms", NUMBER, 25.0, "Wait before the first retry.", unit="ms",
                        minimum=0, maximum=60_000),
                  Field("backoff_multiplier", NUMBER, 2.0, "Each further retry waits this many times longer.",
                        unit="x", minimum=1, maximum=10),
                  Field("jitter", ENUM, "full", "full: each wait is drawn uniformly from 0 to the backoff "
                        "(spreads retries out); none: waits exactly the backoff.", choices=("none", "full")),
                  Field("budget_ratio", NUMBER, None,
                        "Retries allowed as a share of first attempts over the last 10 s (Envoy's retry budget). "
                        "Empty: no budget.", unit="fraction", minimum=0, maximum=10, nullable=True),
              ))
CIRCUIT_BREAKER = Field(
    "circuit_breaker", OBJECT, None,
    "Stop calling a failing callee: open when the failure share over the window reaches the threshold, fail "
    "calls at once while open, then let one call probe. Empty: no breaker.",
    nullable=True, fields=(
        Field("failure_ratio", NUMBER, 0.5, "Failure share over the window that opens the breaker.",
              unit="fraction", minimum=0, maximum=1, exclusive_minimum=True),
        Field("min_calls", INTEGER, 20, "Calls the window must hold before the breaker may open.", unit="calls",
              minimum=1, maximum=1_000_000),
        Field("window_s", NUMBER, 10.0, "Length of the sliding window of recent calls.", unit="s",
              minimum=0.1, maximum=3600),
        Field("open_s", NUMBER, 5.0, "How long the breaker stays open before a probe call is let through.",
              unit="s", minimum=0.1, maximum=3600),
    ))
RATE_LIMIT = Field("rate_limit", OBJECT, None,
                   "Token bucket in front of the queue: requests beyond it are refused at once (rate_limited). "
                   "Empty: no limit.", nullable=True, fields=(
                       Field("rps", NUMBER, 1000.0, "Tokens added per second.", unit="req/s",
                             minimum=0, maximum=1_000_000, exclusive_minimum=True),
                       Field("burst", NUMBER, 100.0, "Most tokens the bucket holds.", unit="requests",
                             minimum=1, maximum=10_000_000),
                   ))
AUTOSCALING_METRICS = ("utilization", "queue_per_replica")
AUTOSCALING = Field(
    "autoscaling", OBJECT, None,
    "Change the replica count with the load, as Kubernetes' horizontal autoscaler does: replicas x metric / "
    "target, within the bounds, after the cooldowns. Empty: a fixed replica count.",
    nullable=True, fields=(
        Field("min_replicas", INTEGER, 1, "Fewest replicas.", unit="replicas", minimum=1, maximum=1000),
        Field("max_replicas", INTEGER, 10, "Most replicas.", unit="replicas", minimum=1, maximum=1000),
        Field("metric", ENUM, "utilization", "utilization: busy share of the servers; queue_per_replica: "
              "requests waiting per replica.", choices=AUTOSCALING_METRICS),
        Field("target", NUMBER, 0.6, "Value of the metric the autoscaler aims at (a fraction for utilization).",
              minimum=0, maximum=100_000, exclusive_minimum=True),
        Field("evaluation_s", NUMBER, 15.0, "Seconds between two looks at the metric.", unit="s",
              minimum=0.1, maximum=3600),
        Field("scale_up_cooldown_s", NUMBER, 0.0, "Least time between two scale-ups.", unit="s",
              minimum=0, maximum=86_400),
        Field("scale_down_cooldown_s", NUMBER, 300.0, "Least time between two scale-downs.", unit="s",
              minimum=0, maximum=86_400),
        Field("provision_s", NUMBER, 60.0, "Time from asking for a replica to its first request.", unit="s",
              minimum=0, maximum=3600),
    ))


PAUSES = Field(
    "pauses", OBJECT, None,
    "The node's servers stop now and then and resume where they were: a VM's vCPU taken by the hypervisor "
    "(steal), a stop-the-world garbage collection. Work running is stretched by each pause and nothing starts "
    "during one; all of the node's servers pause together. Empty: never.",
    nullable=True, fields=(
        Field("every_ms", NUMBER, 1000.0, "Mean time from the end of one pause to the start of the next "
              "(drawn exponentially).", unit="ms", minimum=1, maximum=3_600_000),
        Field("mean_ms", NUMBER, 10.0, "Mean length of a pause (drawn exponentially).", unit="ms",
              minimum=0, maximum=600_000, exclusive_minimum=True),
    ))


def serving(replica_count: int, slots: int, machine: str, service: dict[str, Any], *extra: Field) -> tuple[Field, ...]:
    """The fields every request-path component has, then the kind's own, then its resilience settings."""
    return (replicas(replica_count), concurrency(slots), instance(machine), service_time(service),
            QUEUE_LIMIT, TIMEOUT, FANOUT, AFTER_CALLS, *extra, RATE_LIMIT, AUTOSCALING, PAUSES)
