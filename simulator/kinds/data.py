"""Kinds that keep data: databases, object storage, the event log and stream processing."""

from __future__ import annotations

from typing import Any

from simulator.fields import INTEGER, NUMBER, Field, exponential, lognormal, serving
from simulator.instances import service_price
from simulator.kinds.base import ServingKind
from simulator.kinds.registry import register
from simulator.pricing import SECONDS_PER_MONTH, Usage, log_storage_gb


@register
class Database(ServingKind):
    name = "database"
    title = "Database"
    group = "data"
    description = "Relational or key-value database of record."
    browser_icon = "database"
    diagram_icon = ("diagrams.onprem.database", "PostgreSQL")
    fields = serving(1, 8, "db.r6g.large", lognormal(2.0, 15.0))


@register
class ObjectStorage(ServingKind):
    """A managed blob store: priced by what it keeps and by its read requests."""

    name = "object_storage"
    title = "Object storage"
    group = "data"
    description = "Blob store for images, training data and model artefacts; a managed service."
    browser_icon = "object_storage"
    diagram_icon = ("diagrams.aws.storage", "S3")
    fields = serving(1, 1000, "managed", lognormal(20.0, 100.0),
                     Field("storage_gb", NUMBER, 100.0, "Data kept in the store.", unit="GB",
                           minimum=0, maximum=10_000_000))

    def use_items(self, config: dict[str, Any], usage: Usage) -> list[tuple[str, float, str]]:
        gb, price = config["storage_gb"], service_price("object_storage_usd_per_gb_month")
        gets = usage.rps * SECONDS_PER_MONTH / 1000 * service_price("object_storage_usd_per_1000_get")
        return [("storage", gb * price, f"{gb:,.0f} GB x ${price:g}/GB-month"),
                ("read requests", gets, f"{usage.rps:.1f} req/s of GET requests")]


@register
class Logging(ServingKind):
    """An append-only log on brokers: priced by its brokers and the records it keeps."""

    name = "logging"
    title = "Logging"
    group = "data"
    description = "Append-only event log (Kafka-like) that records requests and predictions for training."
    browser_icon = "logging"
    diagram_icon = ("diagrams.onprem.queue", "Kafka")
    log_store = True
    default_call_mode = "async"
    fields = serving(3, 1, "kafka.m5.large", exponential(0.2),
                     Field("record_bytes", INTEGER, 1024, "Size of one logged record.", unit="bytes",
                           minimum=1, maximum=10_000_000),
                     Field("retention_days", NUMBER, 7.0, "How long records are kept.", unit="days",
                           minimum=0, maximum=3650))

    def use_items(self, config: dict[str, Any], usage: Usage) -> list[tuple[str, float, str]]:
        gb = log_storage_gb(usage.rps, config["record_bytes"], config["retention_days"])
        price = service_price("kafka_storage_usd_per_gb_month")
        return [("log storage", gb * price, f"{gb:,.1f} GB kept x ${price:g}/GB-month "
                 f"({usage.rps:.1f} rec/s x {config['record_bytes']} B x {config['retention_days']:g} days)")]


@register
class StreamProcessor(ServingKind):
    name = "stream_processor"
    title = "Stream processor"
    group = "data"
    description = "Computes streaming features or aggregates from events (Flink-like)."
    browser_icon = "stream_processor"
    diagram_icon = ("diagrams.onprem.analytics", "Flink")
    fields = serving(2, 2, "c6i.large", exponential(1.0))
