"""Diagram-as-code: a standalone Python script that draws a board with `diagrams`."""

from __future__ import annotations

import re
from typing import Any

from architectures.export.plan import diagram_plan

_HEADER = '''"""Draws a board of the ML system-design whiteboard with diagrams (https://diagrams.mingrammer.com).

Needs `pip install diagrams==0.25.1` and Graphviz's `dot` on PATH.
Run: python {script} [OUTPUT_NAME]  (writes OUTPUT_NAME.png, by default next to this script)
"""

import sys

from diagrams import Cluster, Diagram, Edge
'''


def file_stem(title: str) -> str:
    """A safe ASCII file name stem from a board title ("Ad click prediction" -> "ad_click_prediction")."""
    return re.sub(r"[^a-z0-9]+", "_", title.lower()).strip("_")[:60] or "board"


def diagram_script(document: dict[str, Any]) -> str:
    """Python source that draws `document`; every piece of user text enters it through repr()."""
    plan = diagram_plan(document)
    stem = file_stem(document.get("title") or "")
    classes = sorted({(n["module"], n["cls"]) for c in plan["clusters"] for n in c["nodes"]})
    lines = [_HEADER.format(script=f"{stem}.py")]
    lines += [f"from {module} import {cls}" for module, cls in classes]
    lines += [
        "",
        f"TITLE = {plan['title']!r}",
        f"OUTPUT = sys.argv[1] if len(sys.argv) > 1 else {stem!r}",
        f"GRAPH_ATTR = {plan['graph_attr']!r}",
        "",
        'with Diagram(TITLE, filename=OUTPUT, outformat="png", show=False, direction="LR", graph_attr=GRAPH_ATTR):',
        "    node = {}",
    ]
    for cluster in plan["clusters"]:
        attrs = f", graph_attr={cluster['graph_attr']!r}" if cluster.get("graph_attr") else ""
        lines.append(f"    with Cluster({cluster['title']!r}{attrs}):")
        lines += [f"        node[{n['key']!r}] = {n['cls']}({n['label']!r})" for n in cluster["nodes"]]
    if plan["edges"]:
        lines.append("")
    for edge in plan["edges"]:
        attrs = ", ".join(f"{key}={value!r}" for key, value in edge["attrs"].items())
        lines.append(f"    node[{edge['source']!r}] >> Edge({attrs}) >> node[{edge['target']!r}]")
    return "\n".join(lines) + "\n"
