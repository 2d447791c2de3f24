"""Validation of board documents against the catalog, with errors located by path."""

from __future__ import annotations

import json
import re
from typing import Any, Iterable

from simulator import catalog
from simulator.annotations import check_annotations, check_vertices
from simulator.fault_validation import check_autoscaling, check_calls, check_faults
from simulator.faults import resolved as resolved_fault
from simulator.fieldcheck import (  # noqa: F401  (ID_PATTERN and Issue are read from here by other modules)
    ID_PATTERN, Collector, Issue, check_fields, check_id, check_string, is_number, join, register_id, type_name,
)


class BoardValidationError(ValueError):
    """Raised for a document that breaks the board contract; `issues` says where."""

    def __init__(self, issues: list[Issue]):
        self.issues = issues
        first = issues[0] if issues else Issue("", "invalid document")
        more = f" (and {len(issues) - 1} more)" if len(issues) > 1 else ""
        super().__init__(f"{first.path or 'document'}: {first.message}{more}")

    def to_list(self) -> list[dict[str, str]]:
        return [issue.to_dict() for issue in self.issues]


def _check_nodes(nodes: Any, out: Collector) -> dict[str, int]:
    """Check every node; return the index of each valid id for the edge checks."""
    index: dict[str, int] = {}
    if not isinstance(nodes, list):
        out.add("nodes", f"must be a list, not {type_name(nodes)}")
        return index
    if len(nodes) > catalog.MAX_NODES:
        out.add("nodes", f"must have at most {catalog.MAX_NODES} nodes, not {len(nodes)}")
        return index
    for i, node in enumerate(nodes):
        path = f"nodes[{i}]"
        if not isinstance(node, dict):
            out.add(path, f"must be an object, not {type_name(node)}")
            continue
        register_id(node, "nodes", i, index, out)
        kind = catalog.KINDS.get(node.get("kind")) if isinstance(node.get("kind"), str) else None
        if kind is None:
            out.add(join(path, "kind"), f"must be one of {', '.join(catalog.KINDS)}")
        if "label" in node:
            check_string(node["label"], join(path, "label"), out, catalog.MAX_LABEL_CHARS)
        if "position" in node:
            _check_position(node["position"], join(path, "position"), out)
        if kind is not None and "config" in node:
            before = len(out.issues)
            check_fields(kind.fields, node["config"], join(path, "config"), out, f"a {kind.name}")
            if len(out.issues) == before and isinstance(node["config"], dict):
                kind.check_config({**kind.defaults(), **node["config"]}, join(path, "config"), out)
        elif kind is not None:
            kind.check_config(kind.defaults(), join(path, "config"), out)
    return index


def _check_position(value: Any, path: str, out: Collector) -> None:
    if not isinstance(value, dict):
        out.add(path, f"must be an object with x and y, not {type_name(value)}")
        return
    for axis in ("x", "y"):
        number = value.get(axis)
        if not is_number(number) or abs(number) > catalog.MAX_COORDINATE:
            out.add(join(path, axis), f"must be a number from -{catalog.MAX_COORDINATE} to {catalog.MAX_COORDINATE}")


def _check_edges(edges: Any, node_index: dict[str, int], out: Collector) -> list[tuple[str, str, int]]:
    """Check every edge; return the valid sync edges as (source, target, edge index)."""
    sync: list[tuple[str, str, int]] = []
    if not isinstance(edges, list):
        out.add("edges", f"must be a list, not {type_name(edges)}")
        return sync
    if len(edges) > catalog.MAX_EDGES:
        out.add("edges", f"must have at most {catalog.MAX_EDGES} edges, not {len(edges)}")
        return sync
    seen: dict[str, int] = {}
    for i, edge in enumerate(edges):
        path = f"edges[{i}]"
        if not isinstance(edge, dict):
            out.add(path, f"must be an object, not {type_name(edge)}")
            continue
        register_id(edge, "edges", i, seen, out)
        ends_ok = True
        for end in ("source", "target"):
            value = edge.get(end)
            if not isinstance(value, str) or value not in node_index:
                out.add(join(path, end), f"must be the id of a node on the board, not {json.dumps(value)[:80]}")
                ends_ok = False
        if ends_ok and edge["source"] == edge["target"]:
            out.add(path, f"connects node {edge['source']} to itself; self-loops are not allowed")
            ends_ok = False
        extra = {k: v for k, v in edge.items() if k not in ("id", "source", "target", "label", "vertices")}
        if "vertices" in edge:
            check_vertices(edge["vertices"], join(path, "vertices"), out)
        check_fields(catalog.EDGE_FIELDS, extra, path, out, "an edge")
        _check_latency_tail(edge, path, out)
        if "label" in edge:
            check_string(edge["label"], join(path, "label"), out, catalog.MAX_LABEL_CHARS)
        if ends_ok and edge.get("mode", "sync") in catalog.CALL_MODES:
            sync.append((edge["source"], edge["target"], i))
    return sync


TAIL_FIELD = next(f for f in catalog.EDGE_FIELDS if f.name == "latency_p99_ms")


def _check_latency_tail(edge: dict[str, Any], path: str, out: Collector) -> None:
    """A latency P99 needs a median above 0 to draw around, and is no lower than it."""
    p99, median = edge.get("latency_p99_ms"), edge.get("latency_ms", 0.0)
    if not isinstance(p99, (int, float)) or isinstance(p99, bool) or not isinstance(median, (int, float)) \
            or not 0 <= p99 <= TAIL_FIELD.maximum:
        return  # a wrong type or range is check_fields' message
    if median <= 0:
        out.add(join(path, "latency_p99_ms"), "needs a latency_ms above 0 (the median each call's time is drawn "
                                              "around); leave it empty for a connection with no network time")
    elif p99 < median:
        out.add(join(path, "latency_p99_ms"), f"must be at least latency_ms ({median:g}), not {p99:g}")


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


def _check_storable(document: Any, out: Collector) -> None:
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
    out = Collector()
    if not isinstance(document, dict):
        out.add("", f"the board document must be a JSON object, not {type_name(document)}")
        return out.issues
    _check_storable(document, out)
    if out.issues:
        return out.issues
    version = document.get("schema_version", 1)
    if version != 1:
        out.add("schema_version", "must be 1")
    if "title" in document:
        check_string(document["title"], "title", out, catalog.MAX_TITLE_CHARS)
    for section, fields in (("requirements", catalog.REQUIREMENT_FIELDS), ("traffic", catalog.TRAFFIC_FIELDS)):
        if section in document:
            check_fields(fields, document[section], section, out, section)
    if "notes" in document:
        notes = document["notes"]
        if not isinstance(notes, dict):
            out.add("notes", f"must be an object keyed by framework step, not {type_name(notes)}")
        else:
            for key, text in notes.items():
                if key not in catalog.NOTE_STEPS:
                    out.add(join("notes", key), f"must be one of the steps {', '.join(catalog.NOTE_STEPS)}")
                else:
                    check_string(text, join("notes", key), out, catalog.MAX_NOTE_CHARS)
    if "annotations" in document:
        check_annotations(document["annotations"], out)
    node_index = _check_nodes(document.get("nodes", []), out)
    sync = _check_edges(document.get("edges", []), node_index, out)
    if not out.issues:
        check_calls(document.get("edges", []), out)
        check_autoscaling(document.get("nodes", []), out)
        if "faults" in document:
            check_faults(document, out)
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
        config.update({name: kind.field(name).resolve(value) for name, value in (node.get("config") or {}).items()})
        full["nodes"].append({**node, "label": node.get("label", kind.title), "config": config})
    edge_fields = {f.name: f for f in catalog.EDGE_FIELDS}
    full["edges"] = [
        {**{f.name: f.default for f in catalog.EDGE_FIELDS},
         **{key: edge_fields[key].resolve(value) if key in edge_fields else value for key, value in edge.items()}}
        for edge in document.get("edges", [])
    ]
    full["faults"] = [resolved_fault(fault) for fault in document.get("faults") or []]
    for key, value in document.items():
        full.setdefault(key, value)
    return full
