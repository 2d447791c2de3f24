"""Validation of board documents against the catalog, with errors located by path."""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from typing import Any, Iterable

from simulator import catalog
from simulator.catalog import Field

ID_PATTERN = re.compile(r"^[A-Za-z0-9_.:\-]+$")
MAX_REPORTED_ERRORS = 100


@dataclass(frozen=True)
class Issue:
    """One problem in a document: where it is and what is wrong."""

    path: str
    message: str

    def to_dict(self) -> dict[str, str]:
        return {"path": self.path, "message": self.message}


class BoardValidationError(ValueError):
    """Raised for a document that breaks the board contract; `issues` says where."""

    def __init__(self, issues: list[Issue]):
        self.issues = issues
        first = issues[0] if issues else Issue("", "invalid document")
        more = f" (and {len(issues) - 1} more)" if len(issues) > 1 else ""
        super().__init__(f"{first.path or 'document'}: {first.message}{more}")

    def to_list(self) -> list[dict[str, str]]:
        return [issue.to_dict() for issue in self.issues]


def join(path: str, key: str | int) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    return f"{path}.{key}" if path else key


class _Collector:
    def __init__(self) -> None:
        self.issues: list[Issue] = []

    def add(self, path: str, message: str) -> None:
        if len(self.issues) < MAX_REPORTED_ERRORS:
            self.issues.append(Issue(path, message))


def _type_name(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _is_integer(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return True
    return isinstance(value, float) and value.is_integer()


def _range_text(f: Field) -> str:
    low, high = f.minimum, f.maximum
    if low is not None and high is not None:
        if f.exclusive_minimum:
            return f" greater than {_num(low)} and at most {_num(high)}"
        return f" from {_num(low)} to {_num(high)}"
    if low is not None:
        return f" greater than {_num(low)}" if f.exclusive_minimum else f" of at least {_num(low)}"
    if high is not None:
        return f" of at most {_num(high)}"
    return ""


def _num(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def _check_field(f: Field, value: Any, path: str, out: _Collector) -> None:
    if value is None:
        if not f.nullable:
            out.add(path, "must not be empty")
        return
    if f.type in (catalog.INTEGER, catalog.NUMBER):
        noun = "an integer" if f.type == catalog.INTEGER else "a number"
        ok = _is_integer(value) if f.type == catalog.INTEGER else _is_number(value)
        in_range = ok and _in_range(f, value)
        if not in_range:
            out.add(path, f"must be {noun}{_range_text(f)}" + ("" if ok else f", not {_type_name(value)}"))
    elif f.type == catalog.ENUM:
        if not isinstance(value, str) or value not in f.choices:
            out.add(path, f"must be one of {', '.join(f.choices)}")
    elif f.type == catalog.STRING:
        if not isinstance(value, str):
            out.add(path, f"must be a string, not {_type_name(value)}")
        elif len(value) > catalog.MAX_LABEL_CHARS:
            out.add(path, f"must be at most {catalog.MAX_LABEL_CHARS} characters")
    elif f.type == catalog.BOOLEAN:
        if not isinstance(value, bool):
            out.add(path, f"must be true or false, not {_type_name(value)}")
    elif f.type == catalog.SERVICE_TIME:
        _check_service_time(value, path, out)


def _in_range(f: Field, value: float) -> bool:
    if f.minimum is not None:
        if value < f.minimum or (f.exclusive_minimum and value == f.minimum):
            return False
    return f.maximum is None or value <= f.maximum


def _check_service_time(value: Any, path: str, out: _Collector) -> None:
    if not isinstance(value, dict):
        out.add(path, f"must be an object with a dist, not {_type_name(value)}")
        return
    dist = value.get("dist")
    if dist not in catalog.SERVICE_DISTRIBUTIONS:
        out.add(join(path, "dist"), f"must be one of {', '.join(catalog.SERVICE_DISTRIBUTIONS)}")
        return
    allowed = {"dist", "mean_ms", "median_ms", "p99_ms", "samples_ms"}
    for key in value:
        if key not in allowed:
            out.add(join(path, key), "is not a service time field")

    def positive(key: str) -> float | None:
        number = value.get(key)
        if not _is_number(number) or not 0 <= number <= 600_000:
            out.add(join(path, key), f"must be a number from 0 to 600000 (ms) for {dist}")
            return None
        return float(number)

    if dist in ("exponential", "constant"):
        positive("mean_ms")
    elif dist == "lognormal":
        median, p99 = positive("median_ms"), positive("p99_ms")
        if median is not None and p99 is not None and not (0 < median < p99):
            out.add(join(path, "p99_ms"), "must be greater than median_ms, which must be greater than 0")
    else:
        samples = value.get("samples_ms")
        if not isinstance(samples, list) or not 1 <= len(samples) <= catalog.MAX_EMPIRICAL_SAMPLES:
            out.add(join(path, "samples_ms"),
                    f"must be a list of 1 to {catalog.MAX_EMPIRICAL_SAMPLES} measured times in ms")
            return
        for i, sample in enumerate(samples):
            if not _is_number(sample) or not 0 <= sample <= 600_000:
                out.add(join(join(path, "samples_ms"), i), "must be a number from 0 to 600000 (ms)")
                break


def _check_fields(fields: Iterable[Field], data: Any, path: str, out: _Collector, what: str) -> None:
    if not isinstance(data, dict):
        out.add(path, f"must be an object, not {_type_name(data)}")
        return
    known = {f.name: f for f in fields}
    for key in data:
        if key not in known:
            out.add(join(path, key), f"is not a field of {what}")
    for name, f in known.items():
        if name in data:
            _check_field(f, data[name], join(path, name), out)


def _check_string(value: Any, path: str, out: _Collector, limit: int, required: bool = True) -> bool:
    if value is None and not required:
        return True
    if not isinstance(value, str):
        out.add(path, f"must be a string, not {_type_name(value)}")
        return False
    if len(value) > limit:
        out.add(path, f"must be at most {limit} characters, not {len(value)}")
        return False
    return True


def _check_id(value: Any, path: str, out: _Collector) -> bool:
    if not isinstance(value, str) or not value:
        out.add(path, "must be a non-empty string")
        return False
    if len(value) > catalog.MAX_ID_CHARS or not ID_PATTERN.match(value):
        out.add(path, f"must be 1 to {catalog.MAX_ID_CHARS} letters, digits or _ . : -")
        return False
    return True


def _register_id(item: dict, collection: str, i: int, index: dict[str, int], out: _Collector) -> None:
    """Check an item's id and record it in `index`, reporting a duplicate against the first."""
    path = f"{collection}[{i}].id"
    if "id" not in item:
        out.add(path, "is required")
    elif _check_id(item["id"], path, out):
        if item["id"] in index:
            out.add(path, f"duplicates the id of {collection}[{index[item['id']]}]")
        else:
            index[item["id"]] = i


def _check_nodes(nodes: Any, out: _Collector) -> dict[str, int]:
    """Check every node; return the index of each valid id for the edge checks."""
    index: dict[str, int] = {}
    if not isinstance(nodes, list):
        out.add("nodes", f"must be a list, not {_type_name(nodes)}")
        return index
    if len(nodes) > catalog.MAX_NODES:
        out.add("nodes", f"must have at most {catalog.MAX_NODES} nodes, not {len(nodes)}")
        return index
    for i, node in enumerate(nodes):
        path = f"nodes[{i}]"
        if not isinstance(node, dict):
            out.add(path, f"must be an object, not {_type_name(node)}")
            continue
        _register_id(node, "nodes", i, index, out)
        kind = catalog.KINDS.get(node.get("kind")) if isinstance(node.get("kind"), str) else None
        if kind is None:
            out.add(join(path, "kind"), f"must be one of {', '.join(catalog.KINDS)}")
        if "label" in node:
            _check_string(node["label"], join(path, "label"), out, catalog.MAX_LABEL_CHARS)
        if "position" in node:
            _check_position(node["position"], join(path, "position"), out)
        if kind is not None and "config" in node:
            _check_fields(kind.fields, node["config"], join(path, "config"), out, f"a {kind.name}")
    return index


def _check_position(value: Any, path: str, out: _Collector) -> None:
    if not isinstance(value, dict):
        out.add(path, f"must be an object with x and y, not {_type_name(value)}")
        return
    for axis in ("x", "y"):
        number = value.get(axis)
        if not _is_number(number) or abs(number) > catalog.MAX_COORDINATE:
            out.add(join(path, axis), f"must be a number from -{catalog.MAX_COORDINATE} to {catalog.MAX_COORDINATE}")


def _check_edges(edges: Any, node_index: dict[str, int], out: _Collector) -> list[tuple[str, str, int]]:
    """Check every edge; return the valid sync edges as (source, target, edge index)."""
    sync: list[tuple[str, str, int]] = []
    if not isinstance(edges, list):
        out.add("edges", f"must be a list, not {_type_name(edges)}")
        return sync
    if len(edges) > catalog.MAX_EDGES:
        out.add("edges", f"must have at most {catalog.MAX_EDGES} edges, not {len(edges)}")
        return sync
    seen: dict[str, int] = {}
    for i, edge in enumerate(edges):
        path = f"edges[{i}]"
        if not isinstance(edge, dict):
            out.add(path, f"must be an object, not {_type_name(edge)}")
            continue
        _register_id(edge, "edges", i, seen, out)
        ends_ok = True
        for end in ("source", "target"):
            value = edge.get(end)
            if not isinstance(value, str) or value not in node_index:
                out.add(join(path, end), f"must be the id of a node on the board, not {json.dumps(value)[:80]}")
                ends_ok = False
        if ends_ok and edge["source"] == edge["target"]:
            out.add(path, f"connects node {edge['source']} to itself; self-loops are not allowed")
            ends_ok = False
        extra = {k: v for k, v in edge.items() if k not in ("id", "source", "target", "label")}
        _check_fields(catalog.EDGE_FIELDS, extra, path, out, "an edge")
        if "label" in edge:
            _check_string(edge["label"], join(path, "label"), out, catalog.MAX_LABEL_CHARS)
        if ends_ok and edge.get("mode", "sync") == "sync":
            sync.append((edge["source"], edge["target"], i))
    return sync


def find_sync_cycle(sync_edges: list[tuple[str, str, int]]) -> list[str] | None:
    """Return one cycle of sync edges as a list of node ids (first repeated at the end), or None."""
    graph: dict[str, list[str]] = {}
    for source, target, _ in sync_edges:
        graph.setdefault(source, []).append(target)
    state: dict[str, int] = {}  # 1 = on the current path, 2 = finished
    for start in graph:
        if state.get(start):
            continue
        stack: list[tuple[str, Iterable[str]]] = [(start, iter(graph.get(start, ())))]
        path = [start]
        state[start] = 1
        while stack:
            node, children = stack[-1]
            child = next(children, None)
            if child is None:
                stack.pop()
                path.pop()
                state[node] = 2
            elif state.get(child) == 1:
                return path[path.index(child):] + [child]
            elif not state.get(child):
                state[child] = 1
                path.append(child)
                stack.append((child, iter(graph.get(child, ()))))
    return None


_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def is_storable(text: str) -> bool:
    """False for text holding a NUL character or an unpaired surrogate, which databases refuse."""
    return not _UNSTORABLE.search(text)


def _check_storable(document: Any, out: _Collector) -> None:
    """Text a database cannot store: NUL characters and unpaired surrogates, in keys or values, anywhere.

    PostgreSQL's JSON refuses both; refusing them here keeps every database (and export) alike.
    """
    stack: list[tuple[str, Any]] = [("", document)]
    while stack:
        path, value = stack.pop()
        if isinstance(value, str):
            if not is_storable(value):
                out.add(path, "contains a NUL character or an unpaired surrogate, which cannot be stored")
        elif isinstance(value, dict):
            for key, item in value.items():
                if isinstance(key, str) and not is_storable(key):
                    out.add(path, "has a key containing a NUL character or an unpaired surrogate")
                    continue
                stack.append((join(path, key), item))
        elif isinstance(value, list):
            stack.extend((join(path, index), item) for index, item in enumerate(value))


def validate_document(document: Any) -> list[Issue]:
    """All the problems in a board document (an empty list when it is valid)."""
    out = _Collector()
    if not isinstance(document, dict):
        out.add("", f"the board document must be a JSON object, not {_type_name(document)}")
        return out.issues
    _check_storable(document, out)
    if out.issues:
        return out.issues
    version = document.get("schema_version", 1)
    if version != 1:
        out.add("schema_version", "must be 1")
    if "title" in document:
        _check_string(document["title"], "title", out, catalog.MAX_TITLE_CHARS)
    for section, fields in (("requirements", catalog.REQUIREMENT_FIELDS), ("traffic", catalog.TRAFFIC_FIELDS)):
        if section in document:
            _check_fields(fields, document[section], section, out, section)
    if "notes" in document:
        notes = document["notes"]
        if not isinstance(notes, dict):
            out.add("notes", f"must be an object keyed by framework step, not {_type_name(notes)}")
        else:
            for key, text in notes.items():
                if key not in catalog.NOTE_STEPS:
                    out.add(join("notes", key), f"must be one of the steps {', '.join(catalog.NOTE_STEPS)}")
                else:
                    _check_string(text, join("notes", key), out, catalog.MAX_NOTE_CHARS)
    node_index = _check_nodes(document.get("nodes", []), out)
    sync = _check_edges(document.get("edges", []), node_index, out)
    if not out.issues:
        cycle = find_sync_cycle(sync)
        if cycle:
            out.add("edges", "sync edges form a cycle: " + " -> ".join(cycle)
                    + "; make one of these edges async or remove it")
    if not out.issues:
        size = len(json.dumps(document, separators=(",", ":")).encode())
        if size > catalog.MAX_DOCUMENT_BYTES:
            out.add("", f"the document is {size} bytes; at most {catalog.MAX_DOCUMENT_BYTES} are allowed")
    return out.issues


def check_document(document: Any) -> None:
    """Raise BoardValidationError naming every problem, or return quietly."""
    issues = validate_document(document)
    if issues:
        raise BoardValidationError(issues)


def with_defaults(document: dict[str, Any]) -> dict[str, Any]:
    """A copy of a valid document with every omitted field set to its catalog default."""
    full = catalog.blank_document(document.get("title", "Untitled board"))
    for section in ("requirements", "traffic"):
        full[section].update(document.get(section) or {})
    full["notes"].update(document.get("notes") or {})
    full["nodes"] = []
    for node in document.get("nodes", []):
        kind = catalog.KINDS[node["kind"]]
        config = kind.defaults()
        config.update(node.get("config") or {})
        full["nodes"].append({**node, "label": node.get("label", kind.title), "config": config})
    full["edges"] = [
        {**{f.name: f.default for f in catalog.EDGE_FIELDS}, **edge} for edge in document.get("edges", [])
    ]
    for key, value in document.items():
        full.setdefault(key, value)
    return full
