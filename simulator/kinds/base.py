"""What a component kind is made of, and the families of kinds that share their behaviour.

A kind is one class: its catalog entry (title, palette group, help, fields with their defaults),
its icons (a name in the browser's icon set, static/editor/icons.js, and a `diagrams` node class
for the PNG export), how it becomes a node for the engines, and how it is priced. Families:

- `SourceKind`: where requests come from (no queue, no servers, not priced);
- `ServingKind`: a request-path component with `replicas x concurrency` servers and one FIFO
  queue, priced by machine (or, for managed services, by use);
- `CacheKind`: a serving kind that answers a `hit_rate` share itself and skips its sync children;
- `ScheduledKind`: work off the request path (training, batch jobs, monitors): no node for the
  engines, priced by what its schedule runs.
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from typing import Any, ClassVar

from simulator.distributions import service_time
from simulator.fields import Field, copy_value
from simulator.nodespec import NodeSpec, source_spec
from simulator.pricing import Usage, entry, is_managed, machines, unpriced


class Kind(ABC):
    """One component kind. Subclasses set the class attributes and implement node_spec and price."""

    name: ClassVar[str]  # the `kind` of a node in the board document
    title: ClassVar[str]
    group: ClassVar[str]  # palette group, one of simulator.kinds.GROUPS
    description: ClassVar[str]
    browser_icon: ClassVar[str]  # key of the icon's path in static/editor/icons.js
    diagram_icon: ClassVar[tuple[str, str]]  # (module, class) of the `diagrams` node drawing it
    fields: ClassVar[tuple[Field, ...]]
    request_path: ClassVar[bool] = True  # False for scheduled work, which takes no request traffic
    log_store: ClassVar[bool] = False  # keeps the request records that monitors sample
    # How the editor draws a new edge into such a node: calls into logs and off-path work are async.
    default_call_mode: ClassVar[str] = "sync"
    # The fault types (simulator/faults.py) that may target such a node; None: every type it fits.
    fault_types: ClassVar[tuple[str, ...] | None] = None

    def field(self, name: str) -> Field | None:
        return next((f for f in self.fields if f.name == name), None)

    def defaults(self) -> dict[str, Any]:
        return {f.name: copy_value(f.default) for f in self.fields}

    def to_dict(self) -> dict[str, Any]:
        """The kind as the catalog API serves it to the browser."""
        return {
            "name": self.name,
            "title": self.title,
            "group": self.group,
            "icon": self.browser_icon,
            "description": self.description,
            "request_path": self.request_path,
            "default_call_mode": self.default_call_mode,
            "fault_types": None if self.fault_types is None else list(self.fault_types),
            "fields": [f.to_dict() for f in self.fields],
            "defaults": self.defaults(),
        }

    @abstractmethod
    def node_spec(self, index: int, node: dict[str, Any]) -> NodeSpec | None:
        """The engines' view of a node of this kind (its config has every default filled in);
        None for kinds off the request path."""

    @abstractmethod
    def price(self, config: dict[str, Any], usage: Usage) -> dict[str, Any]:
        """The node's cost entry: monthly_usd, items [{what, usd}], basis (how it was worked out)."""

    def check_config(self, config: dict[str, Any], path: str, out: Any) -> None:
        """Checks across a valid config's fields (its defaults filled in), each added to `out`
        (a fieldcheck.Collector) at the field it is about under `path`. None by default."""

    def run_info(self, config: dict[str, Any]) -> dict[str, Any] | None:
        """Extra facts a run's results show for such a node (a model server's model), or None."""
        return None

    def __repr__(self) -> str:
        return f"<kind {self.name}>"


class SourceKind(Kind):
    """Where requests come from: traffic enters here, with no queue and no service time."""

    fields: ClassVar[tuple[Field, ...]] = ()

    def node_spec(self, index: int, node: dict[str, Any]) -> NodeSpec:
        return source_spec(index, node["id"], self.name)

    def price(self, config: dict[str, Any], usage: Usage) -> dict[str, Any]:
        return unpriced("outside the system")


class ServingKind(Kind):
    """A request-path component: `replicas x concurrency` servers behind one FIFO queue."""

    def node_spec(self, index: int, node: dict[str, Any]) -> NodeSpec:
        config = node["config"]
        limit, timeout = config["queue_limit"], config["timeout_ms"]
        return NodeSpec(
            index=index, id=node["id"], kind=self.name,
            servers=int(config["replicas"]) * int(config["concurrency"]),
            queue_limit=-1 if limit is None else int(limit),
            timeout_ms=math.inf if timeout is None else float(timeout),
            service=service_time(config["service_time"]),
            hit_rate=self.hit_rate(config),
            parallel=config["fanout"] == "parallel",
            config=config,
        )

    def hit_rate(self, config: dict[str, Any]) -> float:
        """Share of visits answered without calling the sync children (0: every visit calls them)."""
        return 0.0

    def check_config(self, config: dict[str, Any], path: str, out: Any) -> None:
        # A batch's requests would each come back for their own after part, which no batcher models.
        if config.get("after_calls_share") and int(config.get("max_batch_size") or 1) > 1:
            out.add(f"{path}.after_calls_share", "must be 0 on a server that batches (max_batch_size above 1): "
                                                 "the work after calls is modelled for one request at a time")

    def use_items(self, config: dict[str, Any], usage: Usage) -> list[tuple[str, float, str]]:
        """Use-based cost lines (what, usd, how) on top of the machines: storage, requests..."""
        return []

    def price(self, config: dict[str, Any], usage: Usage) -> dict[str, Any]:
        compute = None if is_managed(config) else machines(config, usage.replicas)
        items = self.use_items(config, usage)
        if compute is None and not items:
            return unpriced("managed, priced by use; no use-based price for this kind")
        priced = entry(items, compute)
        if compute is not None and usage.replicas is not None and usage.peak_replicas is not None:
            # What a fixed count sized for the peak would cost: the comparison autoscaling is for.
            priced["peak_sizing_usd"] = machines(config, usage.peak_replicas)[0] + priced["monthly_usd"] - compute[0]
        return priced


class CacheKind(ServingKind):
    """A serving kind that answers a `hit_rate` share of visits itself and skips its sync children."""

    def hit_rate(self, config: dict[str, Any]) -> float:
        return float(config["hit_rate"])


class ScheduledKind(Kind):
    """Work off the request path, run on a schedule: it costs money but takes no request traffic."""

    request_path: ClassVar[bool] = False
    default_call_mode: ClassVar[str] = "async"

    def node_spec(self, index: int, node: dict[str, Any]) -> None:
        return None
