"""The catalog: component kinds (from the kind registry), edge, traffic and requirement fields, and limits.

Plain data read by validation, the JSON Schema, the simulator, the UI and the export. Each
component kind lives in simulator/kinds/; this module gathers them with the document-level
fields into the one catalog the API serves.
"""

from __future__ import annotations

from typing import Any

from simulator.faults import COMMON_FIELDS as FAULT_FIELDS  # noqa: F401
from simulator.faults import FAULT_TYPES, MAX_FAULTS, catalog_entries  # noqa: F401
from simulator.fields import (  # noqa: F401  (re-exported: the catalog is where readers find field types)
    BOOLEAN, CIRCUIT_BREAKER, EDGE_TIMEOUT, ENUM, FANOUT_MODES, INTEGER, MAX_TOKENS, NUMBER, OBJECT, RETRY,
    SERVICE_DISTRIBUTIONS, SERVICE_TIME, STRING, TOKEN_COUNT, TOKEN_DISTRIBUTIONS, Field,
)
from simulator.instances import INSTANCE_TYPES
from simulator.kinds import GROUPS, KINDS, Kind  # noqa: F401

ARRIVAL_PROCESSES = ("poisson", "constant", "bursty", "diurnal")
EDGE_MODES = ("sync", "async", "fallback")
CALL_MODES = ("sync", "fallback")  # modes whose caller waits for the answer
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

# Whiteboard annotations (free text, sticky notes, frames) and connection bends: drawn and exported,
# never simulated. Their checks are in simulator/annotations.py.
ANNOTATION_TYPES = ("text", "sticky", "frame")
MAX_ANNOTATIONS = 500
MAX_ANNOTATION_TEXT_CHARS = 2000  # a text's or sticky note's text; a frame's title has MAX_LABEL_CHARS
MIN_ANNOTATION_SIZE = 20
MAX_ANNOTATION_SIZE = 20_000
MAX_EDGE_VERTICES = 32
# The fixed palette of notes and frames: the document stores the name, the browser and the PNG
# export draw its fill.
ANNOTATION_COLOURS = {
    "yellow": "#fef3c7", "orange": "#ffedd5", "green": "#dcfce7", "blue": "#dbeafe",
    "violet": "#ede9fe", "pink": "#fce7f3", "grey": "#f1f5f9",
}

EDGE_FIELDS: tuple[Field, ...] = (
    Field("mode", ENUM, "sync",
          "sync: the caller waits for the answer (on the request path); "
          "async: a copy is sent off the critical path (logging, queues); "
          "fallback: called only when the caller's sync calls before it failed, so the request still "
          "succeeds, degraded.", choices=EDGE_MODES),
    Field("latency_ms", NUMBER, 0.0, "Network time added to each call over this edge (its median when a P99 is set).",
          unit="ms", minimum=0, maximum=60_000),
    Field("latency_p99_ms", NUMBER, None,
          "P99 of the network time: each call's time is drawn from a lognormal with median latency_ms and "
          "this P99, the long tail a real hop has (a wake-up, a scheduler tick, a lost packet). Empty: every "
          "call takes exactly latency_ms.", unit="ms", minimum=0, maximum=60_000, nullable=True),
    EDGE_TIMEOUT,
    RETRY,
    CIRCUIT_BREAKER,
)
CALL_ONLY_FIELDS = ("timeout_ms", "retry", "circuit_breaker")  # not for async copies, which nobody waits for

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
    Field("prompt_tokens", TOKEN_COUNT, {"dist": "lognormal", "median": 800, "p99": 4000},
          "LLM servers: tokens in each request's prompt (the question and any retrieved context).",
          unit="tokens"),
    Field("output_tokens", TOKEN_COUNT, {"dist": "lognormal", "median": 200, "p99": 1000},
          "LLM servers: tokens in each answer.", unit="tokens"),
    Field("streaming", BOOLEAN, False,
          "LLM servers stream their answers: a request's latency through an LLM server is its time to first "
          "token (the rest keeps the server busy); otherwise the whole answer."),
    Field("time_compression", NUMBER, 1.0,
          "Run the board's slow clocks this many times faster: the run length, warm-up, arrival pattern, "
          "faults and autoscaler timings are divided by it, service times and network latencies are not. "
          "A day at full rate in a run of a few million requests (see the README).", unit="x",
          minimum=1, maximum=10_000),
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
        "token_distributions": list(TOKEN_DISTRIBUTIONS),
        "fault_types": catalog_entries(),
        "fault_fields": [f.to_dict() for f in FAULT_FIELDS],
        "note_steps": [{"name": step, "title": NOTE_TITLES[step]} for step in NOTE_STEPS],
        "instances": INSTANCE_TYPES,
        "limits": {
            "nodes": MAX_NODES, "edges": MAX_EDGES, "label_chars": MAX_LABEL_CHARS,
            "title_chars": MAX_TITLE_CHARS, "note_chars": MAX_NOTE_CHARS,
            "document_bytes": MAX_DOCUMENT_BYTES, "id_chars": MAX_ID_CHARS, "faults": MAX_FAULTS,
            "tokens": MAX_TOKENS, "annotations": MAX_ANNOTATIONS, "annotation_text_chars": MAX_ANNOTATION_TEXT_CHARS,
            "annotation_min_size": MIN_ANNOTATION_SIZE, "annotation_max_size": MAX_ANNOTATION_SIZE,
            "edge_vertices": MAX_EDGE_VERTICES,
        },
        "annotation_types": list(ANNOTATION_TYPES),
        "annotation_colours": dict(ANNOTATION_COLOURS),
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
        "faults": [],
    }
