"""The catalog of component kinds: plain data read by validation, simulator, UI and export."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from simulator.instances import INSTANCE_TYPES
from simulator.models.names import DEFAULT_MODEL, MODEL_IDS

# Field types understood by validation, the JSON Schema generator and the UI.
INTEGER = "integer"
NUMBER = "number"
STRING = "string"
ENUM = "enum"
BOOLEAN = "boolean"
SERVICE_TIME = "service_time"  # {"dist": ..., "mean_ms" | "median_ms"+"p99_ms" | "samples_ms"}

SERVICE_DISTRIBUTIONS = ("exponential", "constant", "lognormal", "empirical")
ARRIVAL_PROCESSES = ("poisson", "constant", "bursty", "diurnal")
EDGE_MODES = ("sync", "async")
FANOUT_MODES = ("sequential", "parallel")
NOTE_STEPS = ("requirements", "data", "features", "model", "evaluation", "serving", "monitoring")
NOTE_TITLES = {
    "requirements": "1. Clarify requirements",
    "data": "2. Data",
    "features": "3. Features",
    "model": "4. Model",
    "evaluation": "5. Evaluation",
    "serving": "6. Serving and scaling",
    "monitoring": "7. Monitoring and maintenance",
}

# Board limits: enforced by validation on every write path and documented in the README.
MAX_NODES = 300
MAX_EDGES = 1000
MAX_LABEL_CHARS = 200
MAX_TITLE_CHARS = 200
MAX_NOTE_CHARS = 20_000
MAX_DOCUMENT_BYTES = 1_000_000
MAX_ID_CHARS = 64
MAX_EMPIRICAL_SAMPLES = 10_000
MAX_COORDINATE = 1_000_000


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


@dataclass(frozen=True)
class Kind:
    """A component kind: its place in the palette and its config fields."""

    name: str
    title: str
    group: str
    icon: str
    description: str
    fields: tuple[Field, ...]
    request_path: bool = True  # False for scheduled work (training, batch, monitor)
    tags: tuple[str, ...] = field(default=())

    def field(self, name: str) -> Field | None:
        return next((f for f in self.fields if f.name == name), None)

    def defaults(self) -> dict[str, Any]:
        return {f.name: _copy(f.default) for f in self.fields}

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "title": self.title,
            "group": self.group,
            "icon": self.icon,
            "description": self.description,
            "request_path": self.request_path,
            "fields": [f.to_dict() for f in self.fields],
            "defaults": self.defaults(),
        }


def _copy(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_copy(v) for v in value]
    return value


GROUPS = (
    ("serving", "Serving path"),
    ("data", "Data"),
    ("training", "Training and monitoring"),
    ("infrastructure", "Infrastructure"),
)


def _exp(mean_ms: float) -> dict[str, Any]:
    return {"dist": "exponential", "mean_ms": mean_ms}


def _lognormal(median_ms: float, p99_ms: float) -> dict[str, Any]:
    return {"dist": "lognormal", "median_ms": median_ms, "p99_ms": p99_ms}


def _replicas(default: int) -> Field:
    return Field("replicas", INTEGER, default, "Identical copies behind the node's queue.",
                 unit="replicas", minimum=1, maximum=1000)


def _concurrency(default: int) -> Field:
    return Field("concurrency", INTEGER, default,
                 "Requests one replica serves at the same time (worker threads or slots).",
                 unit="requests", minimum=1, maximum=1024)


def _instance(default: str) -> Field:
    return Field("instance", ENUM, default, "Machine type each replica runs on; sets its price and speed.",
                 choices=tuple(INSTANCE_TYPES))


def _service(default: dict[str, Any]) -> Field:
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


def _hit_rate(default: float) -> Field:
    return Field("hit_rate", NUMBER, default,
                 "Share of requests answered here without calling the node's sync children.",
                 unit="fraction", minimum=0, maximum=1)


def _serving(replicas: int, concurrency: int, instance: str, service: dict[str, Any],
             *extra: Field) -> tuple[Field, ...]:
    """The fields every request-path component has, then the kind's own."""
    return (_replicas(replicas), _concurrency(concurrency), _instance(instance), _service(service),
            QUEUE_LIMIT, TIMEOUT, FANOUT, *extra)


def _schedule(default_hours: float) -> Field:
    return Field("schedule_hours", NUMBER, default_hours, "Hours between two runs of this job.",
                 unit="h", minimum=0.05, maximum=24 * 365)


KINDS: dict[str, Kind] = {kind.name: kind for kind in (
    Kind("client", "Client", "serving", "client",
         "Where requests come from (apps, browsers, other services). Traffic enters here.",
         fields=(), tags=("source",)),
    Kind("gateway", "API gateway", "serving", "gateway",
         "Authenticates, rate-limits and routes each request to the services behind it.",
         _serving(2, 1, "c6i.large", _exp(0.5))),
    Kind("model_server", "Model server", "serving", "model_server",
         "Serves a model's predictions; batches waiting requests like Triton's dynamic batcher.",
         _serving(8, 1, "c6i.xlarge", _exp(20.0),
                  Field("model", ENUM, DEFAULT_MODEL,
                        "Model from the catalog whose measured predict timings set the batch time. "
                        "Empty uses the service time instead.", choices=MODEL_IDS, nullable=True),
                  Field("max_batch_size", INTEGER, 1,
                        "Most waiting requests a free replica takes into one batch.",
                        unit="requests", minimum=1, maximum=1024),
                  Field("max_batch_delay_ms", NUMBER, 0.0,
                        "Longest a free replica waits for a batch to fill before it runs a smaller one.",
                        unit="ms", minimum=0, maximum=10_000))),
    Kind("feature_store", "Feature store", "serving", "feature_store",
         "Online key-value store of precomputed features read at request time.",
         _serving(4, 1, "r6i.large", _exp(2.0))),
    Kind("cache", "Cache", "serving", "cache",
         "Answers repeated requests from memory; a hit skips the node's sync children.",
         _serving(1, 4, "cache.r6g.large", _exp(0.3), _hit_rate(0.8))),
    Kind("vector_index", "Vector index", "serving", "vector_index",
         "Approximate nearest-neighbour search over embeddings (candidate retrieval).",
         _serving(2, 2, "r6i.xlarge", _lognormal(5.0, 20.0))),
    Kind("database", "Database", "data", "database",
         "Relational or key-value database of record.",
         _serving(1, 8, "db.r6g.large", _lognormal(2.0, 15.0))),
    Kind("object_storage", "Object storage", "data", "object_storage",
         "Blob store for images, training data and model artefacts; a managed service.",
         _serving(1, 1000, "managed", _lognormal(20.0, 100.0),
                  Field("storage_gb", NUMBER, 100.0, "Data kept in the store.", unit="GB",
                        minimum=0, maximum=10_000_000))),
    Kind("logging", "Logging", "data", "logging",
         "Append-only event log (Kafka-like) that records requests and predictions for training.",
         _serving(3, 1, "kafka.m5.large", _exp(0.2),
                  Field("record_bytes", INTEGER, 1024, "Size of one logged record.", unit="bytes",
                        minimum=1, maximum=10_000_000),
                  Field("retention_days", NUMBER, 7.0, "How long records are kept.", unit="days",
                        minimum=0, maximum=3650))),
    Kind("stream_processor", "Stream processor", "data", "stream_processor",
         "Computes streaming features or aggregates from events (Flink-like).",
         _serving(2, 2, "c6i.large", _exp(1.0))),
    Kind("training_pipeline", "Training pipeline", "training", "training_pipeline",
         "Retrains the model on a schedule from logged data; off the request path.",
         (_instance("c6i.4xlarge"), _schedule(24.0),
          Field("rows_per_run", INTEGER, 1_000_000, "Training rows read by each run.", unit="rows",
                minimum=1, maximum=10_000_000_000),
          Field("model", ENUM, DEFAULT_MODEL, "Model the pipeline trains; its measured training time "
                "per row sets the run length.", choices=MODEL_IDS, nullable=True)),
         request_path=False),
    Kind("batch_job", "Batch job", "training", "batch_job",
         "Scheduled batch work such as precomputing predictions or features; off the request path.",
         (_replicas(1), _instance("c6i.2xlarge"), _schedule(24.0),
          Field("rows_per_run", INTEGER, 10_000_000, "Rows processed by each run.", unit="rows",
                minimum=1, maximum=10_000_000_000),
          Field("rows_per_second", NUMBER, 50_000.0, "Throughput of one replica.", unit="rows/s",
                minimum=1, maximum=1e9)),
         request_path=False),
    Kind("monitor", "Monitor", "training", "monitor",
         "Watches predictions and data for drift and errors; samples logged traffic.",
         (_instance("c6i.large"),
          Field("sampling_rate", NUMBER, 0.01, "Share of requests the monitor inspects.",
                unit="fraction", minimum=0, maximum=1),
          Field("checks_per_hour", NUMBER, 60.0, "Drift and quality checks run per hour.", unit="1/h",
                minimum=0, maximum=3600)),
         request_path=False),
    Kind("load_balancer", "Load balancer", "infrastructure", "load_balancer",
         "Spreads requests over the replicas behind it.",
         _serving(1, 8, "c6i.large", _exp(0.2))),
    Kind("cdn", "CDN", "infrastructure", "cdn",
         "Edge cache for static content and cacheable responses; a managed service.",
         _serving(1, 1000, "managed", _lognormal(5.0, 30.0), _hit_rate(0.9))),
    Kind("queue", "Queue", "infrastructure", "queue",
         "Message queue that decouples producers from consumers.",
         _serving(1, 1, "c6i.large", _exp(0.1))),
)}

REQUIRED_KINDS = ("gateway", "feature_store", "model_server", "logging", "training_pipeline", "monitor")

EDGE_FIELDS: tuple[Field, ...] = (
    Field("mode", ENUM, "sync",
          "sync: the caller waits for the answer (on the request path); "
          "async: a copy is sent off the critical path (logging, queues).", choices=EDGE_MODES),
    Field("latency_ms", NUMBER, 0.0, "Network time added to each call over this edge.", unit="ms",
          minimum=0, maximum=60_000),
)

TRAFFIC_FIELDS: tuple[Field, ...] = (
    Field("rps", NUMBER, 100.0, "Mean requests per second entering the board (the peak for diurnal).",
          unit="req/s", minimum=0, maximum=1_000_000, exclusive_minimum=True),
    Field("arrival", ENUM, "poisson", "How requests arrive over time.", choices=ARRIVAL_PROCESSES),
    Field("duration_s", NUMBER, 60.0, "Simulated seconds of traffic, warm-up included.", unit="s",
          minimum=0, maximum=86_400, exclusive_minimum=True),
    Field("warmup_s", NUMBER, 5.0, "Requests arriving in the first seconds are not measured.", unit="s",
          minimum=0, maximum=86_400),
    Field("requests", INTEGER, None, "Bound the run by a number of requests instead of its duration.",
          unit="requests", minimum=1, maximum=20_000_000, nullable=True),
    Field("burst_on_s", NUMBER, 1.0, "Bursty: length of a burst.", unit="s", minimum=0.001, maximum=3600),
    Field("burst_off_s", NUMBER, 4.0, "Bursty: quiet time between bursts.", unit="s", minimum=0, maximum=3600),
    Field("burst_factor", NUMBER, 3.0, "Bursty: rate during a burst as a multiple of rps.", unit="x",
          minimum=1, maximum=1000),
    Field("diurnal_period_s", NUMBER, None, "Diurnal: length of one day-night cycle; empty means the run length.",
          unit="s", minimum=1, maximum=86_400 * 7, nullable=True),
    Field("diurnal_min_fraction", NUMBER, 0.2, "Diurnal: lowest rate as a fraction of the peak.",
          unit="fraction", minimum=0, maximum=1),
)

REQUIREMENT_FIELDS: tuple[Field, ...] = (
    Field("peak_rps", NUMBER, None, "Highest request rate the design must carry.", unit="req/s",
          minimum=0, maximum=1_000_000, nullable=True, exclusive_minimum=True),
    Field("p99_ms", NUMBER, None, "99th percentile end-to-end latency the design must stay under.",
          unit="ms", minimum=0, maximum=600_000, nullable=True, exclusive_minimum=True),
    Field("monthly_budget_usd", NUMBER, None, "Most the design may cost per month.", unit="USD",
          minimum=0, maximum=1e9, nullable=True),
)


def kind_names() -> list[str]:
    return list(KINDS)


def catalog_dict() -> dict[str, Any]:
    """The whole catalog as JSON for the API and the browser."""
    return {
        "groups": [{"name": name, "title": title} for name, title in GROUPS],
        "kinds": [kind.to_dict() for kind in KINDS.values()],
        "edge_fields": [f.to_dict() for f in EDGE_FIELDS],
        "traffic_fields": [f.to_dict() for f in TRAFFIC_FIELDS],
        "requirement_fields": [f.to_dict() for f in REQUIREMENT_FIELDS],
        "service_distributions": list(SERVICE_DISTRIBUTIONS),
        "note_steps": [{"name": step, "title": NOTE_TITLES[step]} for step in NOTE_STEPS],
        "instances": INSTANCE_TYPES,
        "limits": {
            "nodes": MAX_NODES, "edges": MAX_EDGES, "label_chars": MAX_LABEL_CHARS,
            "title_chars": MAX_TITLE_CHARS, "note_chars": MAX_NOTE_CHARS,
            "document_bytes": MAX_DOCUMENT_BYTES, "id_chars": MAX_ID_CHARS,
        },
    }


def blank_document(title: str = "Untitled board") -> dict[str, Any]:
    """A new, empty board document with every top-level section present."""
    return {
        "schema_version": 1,
        "title": title,
        "requirements": {f.name: f.default for f in REQUIREMENT_FIELDS},
        "traffic": {f.name: f.default for f in TRAFFIC_FIELDS},
        "nodes": [],
        "edges": [],
        "notes": {step: "" for step in NOTE_STEPS},
    }
