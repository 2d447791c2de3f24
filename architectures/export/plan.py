"""What to draw for a board, as plain data: clusters of icon nodes and styled edges, labels escaped for Graphviz."""

from __future__ import annotations

import re
import textwrap
from typing import Any

from architectures.export.icons import GROUP_TITLES, group_of, icon_for
from simulator.annotations import contains
from simulator.catalog import ANNOTATION_COLOURS

LABEL_WIDTH = 24  # characters per line: long labels wrap instead of widening the whole rank
# A component's box on the canvas (static/editor/shapes.js): its centre decides the frame it is in.
NODE_WIDTH, NODE_HEIGHT = 184, 56
FRAME_COLOR = "grey"
SYNC_COLOR = "#334155"
ASYNC_COLOR = "#7c3aed"

# Layout settings shared by the server's PNG and the exported script, so both look the same.
# Plain splines instead of diagrams' default "ortho": Graphviz's orthogonal routing does not
# handle edge labels, and the latencies are on the labels. (On a 50-node board it is also
# about 20% slower.)
GRAPH_ATTR = {"splines": "spline", "fontsize": "22", "labelloc": "t", "pad": "0.5", "nodesep": "0.6", "ranksep": "1.0"}

_HTML_LIKE = re.compile(r"^\s*<.*>\s*$", re.DOTALL)


def graphviz_text(text: str, width: int = LABEL_WIDTH) -> str:
    """User text as a Graphviz label that shows literally: no escape sequences, no HTML label, wrapped."""
    # Lone surrogates are valid JSON but cannot be written to the UTF-8 file dot reads.
    text = str(text).encode("utf-8", "replace").decode("utf-8")
    # A backslash starts an escape in a DOT label (\N is the node name, \l a left-justified line...).
    text = text.replace("\\", "\\\\")
    lines = textwrap.wrap(text, width=width, break_long_words=True) or [""]
    label = "\n".join(lines)
    # The graphviz package passes "<...>" through unquoted as an HTML-like label; a trailing
    # space keeps it a plain string that is drawn as typed.
    return label + " " if _HTML_LIKE.match(label) else label


def _node_label(node: dict[str, Any]) -> str:
    label = graphviz_text(node.get("label") or node.get("kind") or node["id"])
    replicas = (node.get("config") or {}).get("replicas")
    if isinstance(replicas, int) and replicas > 1:
        label += f"\n× {replicas}"
    return label


def _edge_attrs(edge: dict[str, Any]) -> dict[str, str]:
    is_async = edge.get("mode") == "async"
    attrs = {"color": ASYNC_COLOR if is_async else SYNC_COLOR}
    if is_async:
        attrs["style"] = "dashed"
    latency = edge.get("latency_ms") or 0
    if latency:
        attrs["label"] = f"{latency:g} ms" + tail_text(edge)
    return attrs


def tail_text(edge: dict[str, Any]) -> str:
    """" (P99 20)" for a connection whose network time has a tail, else ""."""
    tail = edge.get("latency_p99_ms")
    return f" (P99 {tail:g})" if isinstance(tail, (int, float)) and tail > (edge.get("latency_ms") or 0) else ""


def frame_of(node: dict[str, Any], frames: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The smallest frame holding the centre of the node's box (frames may nest), or None."""
    position = node.get("position") or {}
    x = position.get("x", 0) + NODE_WIDTH / 2
    y = position.get("y", 0) + NODE_HEIGHT / 2
    holding = [frame for frame in frames if contains(frame, x, y)]
    return min(holding, key=lambda frame: frame["w"] * frame["h"], default=None)


def diagram_plan(document: dict[str, Any]) -> dict[str, Any]:
    """The drawing of `document` as JSON-ready data: title, clusters of nodes, edges.

    A component inside a frame is drawn in that frame's cluster (its title, its colour); the
    others in one cluster per catalog group.
    """
    frames = [item for item in document.get("annotations") or [] if item.get("type") == "frame"]
    by_group: dict[str, list[dict[str, str]]] = {}
    by_frame: dict[str, list[dict[str, str]]] = {}
    for node in document.get("nodes") or []:
        module, cls = icon_for(node.get("kind", ""))
        drawn = {"key": node["id"], "module": module, "cls": cls, "label": _node_label(node)}
        frame = frame_of(node, frames)
        if frame is not None:
            by_frame.setdefault(frame["id"], []).append(drawn)
        else:
            by_group.setdefault(group_of(node.get("kind", "")), []).append(drawn)
    clusters = [{"title": GROUP_TITLES.get(group, group), "nodes": by_group[group]}
                for group in [*GROUP_TITLES, *sorted(set(by_group) - set(GROUP_TITLES))] if group in by_group]
    # diagrams names a cluster's subgraph after its title, and Graphviz merges subgraphs of one
    # name: a frame titled like a group or another frame gets a number.
    titles = {cluster["title"] for cluster in clusters}
    for frame in frames:
        if frame["id"] not in by_frame:
            continue
        title = base = graphviz_text(frame.get("title") or "Frame", width=40)
        while title in titles:
            title = f"{base} ({sum(existing.startswith(base) for existing in titles) + 1})"
        titles.add(title)
        clusters.append({"title": title, "nodes": by_frame[frame["id"]], "graph_attr": {
            "bgcolor": ANNOTATION_COLOURS.get(frame.get("color") or FRAME_COLOR, ANNOTATION_COLOURS[FRAME_COLOR])}})
    known = {node["key"] for cluster in clusters for node in cluster["nodes"]}
    edges = [{"source": edge["source"], "target": edge["target"], "attrs": _edge_attrs(edge)}
             for edge in document.get("edges") or []
             if edge.get("source") in known and edge.get("target") in known]
    return {"title": graphviz_text(document.get("title") or "Untitled board", width=80),
            "graph_attr": dict(GRAPH_ATTR), "clusters": clusters, "edges": edges}
