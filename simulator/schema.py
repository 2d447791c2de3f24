"""JSON Schema of the board document, generated from the catalog for browsers and other clients.

The catalog is the single source of truth: `simulator.validation` checks documents against it
directly (for located, readable messages and the semantic checks a schema cannot express), and
this module describes the same shape as JSON Schema (draft 2020-12).
"""

from __future__ import annotations

from typing import Any

from simulator import catalog
from simulator.catalog import Field
from simulator.validation import ID_PATTERN


def _field_schema(f: Field) -> dict[str, Any]:
    schema: dict[str, Any]
    if f.type == catalog.SERVICE_TIME:
        schema = {"$ref": "#/$defs/service_time"}
    elif f.type == catalog.TOKEN_COUNT:
        schema = {"$ref": "#/$defs/token_count"}
    elif f.type == catalog.ENUM:
        schema = {"type": "string", "enum": list(f.choices)}
    elif f.type == catalog.STRING:
        schema = {"type": "string", "maxLength": catalog.MAX_LABEL_CHARS}
    elif f.type == catalog.BOOLEAN:
        schema = {"type": "boolean"}
    elif f.type == catalog.OBJECT:
        schema = _object(f.fields)
    else:
        schema = {"type": f.type}
        if f.minimum is not None:
            schema["exclusiveMinimum" if f.exclusive_minimum else "minimum"] = f.minimum
        if f.maximum is not None:
            schema["maximum"] = f.maximum
    if f.nullable:
        schema = {"anyOf": [schema, {"type": "null"}]}
    schema.update({"description": f.help, "default": f.default})
    if f.unit:
        schema["x-unit"] = f.unit
    return schema


def _object(fields: tuple[Field, ...]) -> dict[str, Any]:
    return {
        "type": "object",
        "additionalProperties": False,
        "properties": {f.name: _field_schema(f) for f in fields},
    }


def _token_count_schema() -> dict[str, Any]:
    count = {"type": "integer", "minimum": 1, "maximum": catalog.MAX_TOKENS}
    return {
        "type": "object", "required": ["dist"], "additionalProperties": False,
        "properties": {"dist": {"type": "string", "enum": list(catalog.TOKEN_DISTRIBUTIONS)}, "mean": count,
                       "low": count, "high": count, "median": count, "p99": count,
                       "samples": {"type": "array", "minItems": 1, "maxItems": catalog.MAX_EMPIRICAL_SAMPLES,
                                   "items": count}},
        "allOf": [{"if": {"properties": {"dist": {"const": dist}}}, "then": {"required": list(needs)}}
                  for dist, needs in (("constant", ("mean",)), ("uniform", ("low", "high")),
                                      ("lognormal", ("median", "p99")), ("empirical", ("samples",)))],
    }


def _service_time_schema() -> dict[str, Any]:
    time = {"type": "number", "minimum": 0, "maximum": 600_000}
    return {
        "type": "object",
        "required": ["dist"],
        "additionalProperties": False,
        "properties": {
            "dist": {"type": "string", "enum": list(catalog.SERVICE_DISTRIBUTIONS)},
            "mean_ms": time, "median_ms": time, "p99_ms": time,
            "samples_ms": {"type": "array", "minItems": 1, "maxItems": catalog.MAX_EMPIRICAL_SAMPLES, "items": time},
        },
        "allOf": [
            {"if": {"properties": {"dist": {"enum": ["exponential", "constant"]}}},
             "then": {"required": ["mean_ms"]}},
            {"if": {"properties": {"dist": {"const": "lognormal"}}}, "then": {"required": ["median_ms", "p99_ms"]}},
            {"if": {"properties": {"dist": {"const": "empirical"}}}, "then": {"required": ["samples_ms"]}},
        ],
    }


def _point(limit: float) -> dict[str, Any]:
    coordinate = {"type": "number", "minimum": -limit, "maximum": limit}
    return {"type": "object", "required": ["x", "y"], "additionalProperties": False,
            "properties": {"x": coordinate, "y": coordinate}}


def _annotations_schema() -> dict[str, Any]:
    """Texts, sticky notes and frames: drawn on the canvas and in the export, never simulated."""
    coordinate = {"type": "number", "minimum": -catalog.MAX_COORDINATE, "maximum": catalog.MAX_COORDINATE}
    size = {"type": "number", "minimum": catalog.MIN_ANNOTATION_SIZE, "maximum": catalog.MAX_ANNOTATION_SIZE}
    text = {"type": "string", "maxLength": catalog.MAX_ANNOTATION_TEXT_CHARS}
    return {
        "type": "array", "maxItems": catalog.MAX_ANNOTATIONS,
        "description": "Whiteboard annotations; a frame groups the components whose centre lies inside it.",
        "items": {
            "type": "object", "required": ["id", "type", "x", "y", "w", "h"], "additionalProperties": False,
            "properties": {
                "id": {"type": "string", "minLength": 1, "maxLength": catalog.MAX_ID_CHARS, "pattern": ID_PATTERN.pattern},
                "type": {"type": "string", "enum": list(catalog.ANNOTATION_TYPES)},
                "x": coordinate, "y": coordinate, "w": size, "h": size, "text": text,
                "title": {"type": "string", "maxLength": catalog.MAX_LABEL_CHARS},
                "color": {"type": "string", "enum": list(catalog.ANNOTATION_COLOURS)},
            },
            "allOf": [{"if": {"properties": {"type": {"const": "frame"}}},
                       "then": {"not": {"required": ["text"]}}, "else": {"not": {"required": ["title"]}}}],
        },
    }


def board_json_schema() -> dict[str, Any]:
    """The board document's JSON Schema; semantic rules are listed under x-semantic-rules."""
    identifier = {"type": "string", "minLength": 1, "maxLength": catalog.MAX_ID_CHARS,
                  "pattern": ID_PATTERN.pattern}
    kinds = list(catalog.KINDS)
    node_rules = [
        {"if": {"properties": {"kind": {"const": name}}},
         "then": {"properties": {"config": {"$ref": f"#/$defs/config_{name}"}}}}
        for name in kinds
    ]
    defs: dict[str, Any] = {f"config_{name}": _object(kind.fields) for name, kind in catalog.KINDS.items()}
    defs["service_time"] = _service_time_schema()
    defs["token_count"] = _token_count_schema()
    edge = _object(catalog.EDGE_FIELDS)
    edge["required"] = ["id", "source", "target"]
    edge["properties"].update({"id": identifier, "source": identifier, "target": identifier,
                               "label": {"type": "string", "maxLength": catalog.MAX_LABEL_CHARS},
                               "vertices": {"type": "array", "maxItems": catalog.MAX_EDGE_VERTICES,
                                            "description": "Bends the drawn line passes through; not simulated.",
                                            "items": _point(catalog.MAX_COORDINATE)}})
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "Board document",
        "type": "object",
        "properties": {
            "schema_version": {"const": 1},
            "title": {"type": "string", "maxLength": catalog.MAX_TITLE_CHARS},
            "requirements": _object(catalog.REQUIREMENT_FIELDS),
            "traffic": _object(catalog.TRAFFIC_FIELDS),
            "nodes": {
                "type": "array", "maxItems": catalog.MAX_NODES,
                "items": {
                    "type": "object", "required": ["id", "kind"],
                    "properties": {
                        "id": identifier,
                        "kind": {"type": "string", "enum": kinds},
                        "label": {"type": "string", "maxLength": catalog.MAX_LABEL_CHARS},
                        "position": {
                            "type": "object", "required": ["x", "y"],
                            "properties": {axis: {"type": "number", "minimum": -catalog.MAX_COORDINATE,
                                                  "maximum": catalog.MAX_COORDINATE} for axis in ("x", "y")},
                        },
                        "config": {"type": "object"},
                    },
                    "allOf": node_rules,
                },
            },
            "edges": {"type": "array", "maxItems": catalog.MAX_EDGES, "items": edge},
            "faults": {
                "type": "array", "maxItems": catalog.MAX_FAULTS,
                "items": {
                    "type": "object", "required": ["id", "type", "target"],
                    "properties": {"id": identifier, "type": {"type": "string", "enum": list(catalog.FAULT_TYPES)},
                                   "target": identifier,
                                   "label": {"type": "string", "maxLength": catalog.MAX_LABEL_CHARS},
                                   **{f.name: _field_schema(f) for f in catalog.FAULT_FIELDS}},
                    "allOf": [{"if": {"properties": {"type": {"const": name}}},
                               "then": {"properties": {f.name: _field_schema(f) for f in fault.params}}}
                              for name, fault in catalog.FAULT_TYPES.items()],
                    "unevaluatedProperties": False,
                },
            },
            "annotations": _annotations_schema(),
            "notes": {
                "type": "object", "additionalProperties": False,
                "properties": {step: {"type": "string", "maxLength": catalog.MAX_NOTE_CHARS,
                                      "title": catalog.NOTE_TITLES[step]} for step in catalog.NOTE_STEPS},
            },
        },
        "$defs": defs,
        "x-semantic-rules": [
            "node ids are unique; edge ids are unique",
            "every edge's source and target is the id of a node on the board",
            "no edge connects a node to itself",
            "sync and fallback edges form no cycle",
            "timeout_ms, retry and circuit_breaker are set on sync and fallback edges only",
            "a fallback edge follows a sync edge from the same node (in edge order)",
            "with autoscaling: min_replicas <= replicas <= max_replicas; a utilization target is at most 1",
            "a fault's target is a node (an edge for latency_spike and partition) that fits its type, and "
            "the fault ends within the run",
            "annotation ids are unique",
            f"the document serialises to at most {catalog.MAX_DOCUMENT_BYTES} bytes",
        ],
        "x-limits": catalog.catalog_dict()["limits"],
    }
