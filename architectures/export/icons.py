"""Which `diagrams` node class draws each component kind, and which cluster holds it."""

from __future__ import annotations

from simulator.catalog import GROUPS, KINDS

# kind -> (module, class) in diagrams 0.25.1; chosen for the tool users would recognise in that role.
KIND_ICONS: dict[str, tuple[str, str]] = {
    "client": ("diagrams.onprem.client", "Users"),
    "gateway": ("diagrams.onprem.network", "Kong"),
    "model_server": ("diagrams.aws.ml", "SagemakerModel"),
    "feature_store": ("diagrams.onprem.inmemory", "Redis"),
    "cache": ("diagrams.onprem.inmemory", "Memcached"),
    "vector_index": ("diagrams.elastic.elasticsearch", "Elasticsearch"),
    "database": ("diagrams.onprem.database", "PostgreSQL"),
    "object_storage": ("diagrams.aws.storage", "S3"),
    "logging": ("diagrams.onprem.queue", "Kafka"),
    "stream_processor": ("diagrams.onprem.analytics", "Flink"),
    "training_pipeline": ("diagrams.onprem.workflow", "Kubeflow"),
    "batch_job": ("diagrams.onprem.analytics", "Spark"),
    "monitor": ("diagrams.onprem.monitoring", "Prometheus"),
    "load_balancer": ("diagrams.onprem.network", "Haproxy"),
    "cdn": ("diagrams.aws.network", "CloudFront"),
    "queue": ("diagrams.onprem.queue", "Rabbitmq"),
}

# A kind added to the catalog before it gets an icon is still drawn, as a plain server.
FALLBACK_ICON = ("diagrams.onprem.compute", "Server")

GROUP_TITLES: dict[str, str] = dict(GROUPS)


def icon_for(kind: str) -> tuple[str, str]:
    """The (module, class name) that draws `kind`."""
    return KIND_ICONS.get(kind, FALLBACK_ICON)


def group_of(kind: str) -> str:
    """The catalog group of `kind` (its cluster on the drawing); unknown kinds count as infrastructure."""
    found = KINDS.get(kind)
    return found.group if found else "infrastructure"
