"""Infrastructure kinds: load balancers, content delivery and message queues."""

from __future__ import annotations

from typing import Any

from simulator.fields import exponential, hit_rate, lognormal, serving
from simulator.instances import service_price
from simulator.kinds.base import CacheKind, ServingKind
from simulator.kinds.registry import register
from simulator.pricing import SECONDS_PER_MONTH, Usage


@register
class LoadBalancer(ServingKind):
    name = "load_balancer"
    title = "Load balancer"
    group = "infrastructure"
    description = "Spreads requests over the replicas behind it."
    browser_icon = "load_balancer"
    diagram_icon = ("diagrams.onprem.network", "Haproxy")
    fields = serving(1, 8, "c6i.large", exponential(0.2))


@register
class Cdn(CacheKind):
    """A managed edge cache, priced per request."""

    name = "cdn"
    title = "CDN"
    group = "infrastructure"
    description = "Edge cache for static content and cacheable responses; a managed service."
    browser_icon = "cdn"
    diagram_icon = ("diagrams.aws.network", "CloudFront")
    fields = serving(1, 1000, "managed", lognormal(5.0, 30.0), hit_rate(0.9))

    def use_items(self, config: dict[str, Any], usage: Usage) -> list[tuple[str, float, str]]:
        usd = usage.rps * SECONDS_PER_MONTH / 10_000 * service_price("cdn_usd_per_10000_requests")
        return [("requests", usd, f"{usage.rps:.1f} req/s of HTTPS requests (data transfer not priced: "
                 "the board states no response size)")]


@register
class Queue(ServingKind):
    name = "queue"
    title = "Queue"
    group = "infrastructure"
    description = "Message queue that decouples producers from consumers."
    browser_icon = "queue"
    diagram_icon = ("diagrams.onprem.queue", "Rabbitmq")
    fields = serving(1, 1, "c6i.large", exponential(0.1))
