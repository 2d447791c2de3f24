"""Checks of the board's whiteboard annotations (texts, sticky notes, frames) and of connection bends."""

from __future__ import annotations

from typing import Any

from simulator import catalog
from simulator.fieldcheck import Collector, check_string, is_number, join, num, register_id, type_name

ANNOTATION_KEYS = ("id", "type", "x", "y", "w", "h", "text", "title", "color")


def _check_number(value: Any, path: str, low: float, high: float, out: Collector) -> None:
    if not is_number(value) or not low <= value <= high:
        out.add(path, f"must be a number from {num(low)} to {num(high)}")


def _check_annotation(item: dict[str, Any], path: str, out: Collector) -> None:
    kind = item.get("type")
    if kind not in catalog.ANNOTATION_TYPES:
        out.add(join(path, "type"), f"must be one of {', '.join(catalog.ANNOTATION_TYPES)}")
    for key in sorted(set(item) - set(ANNOTATION_KEYS)):
        out.add(join(path, key), "is not a field of an annotation")
    bounds = {"x": (-catalog.MAX_COORDINATE, catalog.MAX_COORDINATE), "y": (-catalog.MAX_COORDINATE, catalog.MAX_COORDINATE),
              "w": (catalog.MIN_ANNOTATION_SIZE, catalog.MAX_ANNOTATION_SIZE),
              "h": (catalog.MIN_ANNOTATION_SIZE, catalog.MAX_ANNOTATION_SIZE)}
    for key, (low, high) in bounds.items():
        if key not in item:
            out.add(join(path, key), "is required")
        else:
            _check_number(item[key], join(path, key), low, high, out)
    if "text" in item:
        if kind == "frame":
            out.add(join(path, "text"), "is not a field of a frame; a frame has a title")
        else:
            check_string(item["text"], join(path, "text"), out, catalog.MAX_ANNOTATION_TEXT_CHARS)
    if "title" in item:
        if kind in ("text", "sticky"):
            out.add(join(path, "title"), f"is not a field of a {kind}; it has a text")
        else:
            check_string(item["title"], join(path, "title"), out, catalog.MAX_LABEL_CHARS)
    if "color" in item and item["color"] not in catalog.ANNOTATION_COLOURS:
        out.add(join(path, "color"), f"must be one of {', '.join(catalog.ANNOTATION_COLOURS)}")


def check_annotations(annotations: Any, out: Collector) -> None:
    """The `annotations` list: unique ids, a known type, a place, a size and text within the limits."""
    if not isinstance(annotations, list):
        out.add("annotations", f"must be a list, not {type_name(annotations)}")
        return
    if len(annotations) > catalog.MAX_ANNOTATIONS:
        out.add("annotations", f"must have at most {catalog.MAX_ANNOTATIONS} annotations, not {len(annotations)}")
        return
    seen: dict[str, int] = {}
    for i, item in enumerate(annotations):
        path = f"annotations[{i}]"
        if not isinstance(item, dict):
            out.add(path, f"must be an object, not {type_name(item)}")
            continue
        register_id(item, "annotations", i, seen, out)
        _check_annotation(item, path, out)


def check_vertices(vertices: Any, path: str, out: Collector) -> None:
    """A connection's bends: a list of at most MAX_EDGE_VERTICES points {x, y} the line passes through."""
    if not isinstance(vertices, list):
        out.add(path, f"must be a list of points, not {type_name(vertices)}")
        return
    if len(vertices) > catalog.MAX_EDGE_VERTICES:
        out.add(path, f"must have at most {catalog.MAX_EDGE_VERTICES} points, not {len(vertices)}")
        return
    for i, point in enumerate(vertices):
        where = join(path, i)
        if not isinstance(point, dict) or set(point) != {"x", "y"}:
            out.add(where, "must be a point {x, y}")
            continue
        for axis in ("x", "y"):
            _check_number(point[axis], join(where, axis), -catalog.MAX_COORDINATE, catalog.MAX_COORDINATE, out)


def contains(frame: dict[str, Any], x: float, y: float) -> bool:
    """Whether the point (x, y) lies inside the frame's box."""
    left, top = frame.get("x", 0), frame.get("y", 0)
    return left <= x <= left + frame.get("w", 0) and top <= y <= top + frame.get("h", 0)
