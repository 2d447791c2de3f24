"""What to draw for a board, as plain data: clusters of icon nodes and styled edges, labels escaped for Graphviz."""

from __future__ import annotations

import re
import textwrap
from typing import Any

from architectures.export.icons import GROUP_TITLES, group_of, icon_for

LABEL_WIDTH = 24  # characters per line: long labels wrap instead of widening the whole rank
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
        attrs["label"] = f"{latency:g} ms"
    return attrs


def diagram_plan(document: dict[str, Any]) -> dict[str, Any]:
    """The drawing of `document` as JSON-ready data: title, clusters (catalog groups) of nodes, edges."""
    by_group: dict[str, list[dict[str, str]]] = {}
    for node in document.get("nodes") or []:
        module, cls = icon_for(node.get("kind", ""))
        by_group.setdefault(group_of(node.get("kind", "")), []).append(
            {"key": node["id"], "module": module, "cls": cls, "label": _node_label(node)})
    known = {node["key"] for nodes in by_group.values() for node in nodes}
    clusters = [{"title": GROUP_TITLES.get(group, group), "nodes": by_group[group]}
                for group in [*GROUP_TITLES, *sorted(set(by_group) - set(GROUP_TITLES))] if group in by_group]
    edges = [{"source": edge["source"], "target": edge["target"], "attrs": _edge_attrs(edge)}
             for edge in document.get("edges") or []
             if edge.get("source") in known and edge.get("target") in known]
    return {"title": graphviz_text(document.get("title") or "Untitled board", width=80),
            "graph_attr": dict(GRAPH_ATTR), "clusters": clusters, "edges": edges}
