"""Timed faults of a board: the fault types, their parameters, and how one is resolved for the engine.

A board's `faults` list holds faults `{"id", "type", "target", "at_s", "duration_s", ...}`: the
fault is active from `at_s` for `duration_s` simulated seconds. `target` is a node id, or an
edge id for the types that act on a connection. What each type does:

- `replicas_down` (`replicas`): that many of the node's replicas are lost; the work running on
  them fails (`replica_lost`) and the queue is served by the rest until the window ends.
- `outage`: the node fails every call at once (`unavailable`), and the work it held when the
  outage began.
- `slowdown` (`factor`): service times of work started in the window are multiplied.
- `error_rate` (`rate`): each visit whose service ends in the window fails with that probability
  (`error`), after its service.
- `latency_spike` (`added_ms`, an edge): calls over it started in the window take that much longer.
- `partition` (an edge): calls over it started in the window fail (`unreachable`) after the
  edge's `timeout_ms`, or at once when it has none; async copies over it are lost.
- `cache_flush` (`recovery_s`, a cache): its hit rate is 0 for the window, then climbs back to
  its configured value linearly over `recovery_s`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from simulator.fields import INTEGER, NUMBER, Field

MAX_FAULTS = 100
MAX_FAULT_TIME_S = 7 * 86_400


@dataclass(frozen=True)
class FaultType:
    """One type of fault: what it acts on and the parameters it takes."""

    name: str
    title: str
    target: str  # "node" or "edge"
    description: str
    params: tuple[Field, ...] = ()
    needs_field: str = ""  # the target node's kind must have this config field (e.g. hit_rate)

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "title": self.title, "target": self.target, "description": self.description,
                "params": [f.to_dict() for f in self.params], "needs_field": self.needs_field}


FAULT_TYPES: dict[str, FaultType] = {fault.name: fault for fault in (
    FaultType("replicas_down", "Replicas lost", "node",
              "Some of the node's replicas are lost: their work fails and the rest serve the queue.",
              (Field("replicas", INTEGER, 1, "Replicas lost while the fault lasts.", unit="replicas",
                     minimum=1, maximum=1000),), needs_field="replicas"),
    FaultType("outage", "Outage", "node", "The node fails every call at once while the fault lasts."),
    FaultType("slowdown", "Slowdown", "node", "Service times of work started during the fault are multiplied.",
              (Field("factor", NUMBER, 3.0, "How many times slower.", unit="x", minimum=1, maximum=1000),)),
    FaultType("error_rate", "Error rate", "node",
              "Each visit whose service ends during the fault fails with this probability.",
              (Field("rate", NUMBER, 0.5, "Probability that a visit fails after its service.", unit="fraction",
                     minimum=0, maximum=1),)),
    FaultType("latency_spike", "Latency spike", "edge", "Calls over the connection take longer.",
              (Field("added_ms", NUMBER, 100.0, "Network time added to each call.", unit="ms",
                     minimum=0, maximum=60_000),)),
    FaultType("partition", "Partition", "edge",
              "Calls over the connection fail: after the edge's timeout, or at once without one."),
    FaultType("cache_flush", "Cache flush", "node",
              "The cache loses its contents: its hit rate is 0, then climbs back linearly.",
              (Field("recovery_s", NUMBER, 30.0, "Seconds after the fault for the hit rate to climb back.",
                     unit="s", minimum=0, maximum=MAX_FAULT_TIME_S),), needs_field="hit_rate"),
)}

COMMON_FIELDS: tuple[Field, ...] = (
    Field("at_s", NUMBER, 0.0, "When the fault starts, in simulated seconds from the start of the run.", unit="s",
          minimum=0, maximum=MAX_FAULT_TIME_S),
    Field("duration_s", NUMBER, 10.0, "How long the fault lasts.", unit="s", minimum=0,
          maximum=MAX_FAULT_TIME_S, exclusive_minimum=True),
)


def resolved(fault: dict[str, Any]) -> dict[str, Any]:
    """A valid fault with every omitted parameter set to its default."""
    kind = FAULT_TYPES[fault["type"]]
    full = {f.name: f.default for f in (*COMMON_FIELDS, *kind.params)}
    full.update(fault)
    return full


def catalog_entries() -> list[dict[str, Any]]:
    return [fault.to_dict() for fault in FAULT_TYPES.values()]
