"""Draws a diagram plan with `diagrams`; run as `python -m architectures.export.draw OUT_BASE < plan.json`.

It runs in its own process so that the server can bound a render's time and kill a hung `dot`.
It imports only `diagrams`, to start fast.
"""

from __future__ import annotations

import importlib
import json
import sys
from typing import Any


def _icon_class(module: str, cls: str) -> type:
    # The plan is built by the server from its icon table; refuse anything else all the same.
    if not module.startswith("diagrams.") or not cls.isidentifier():
        raise ValueError(f"not a diagrams node class: {module}.{cls}")
    return getattr(importlib.import_module(module), cls)


def draw(plan: dict[str, Any], filename: str, outformat: str = "png") -> None:
    """Write `filename`.`outformat` drawing `plan` (see architectures.export.plan.diagram_plan)."""
    from diagrams import Cluster, Diagram, Edge

    with Diagram(plan["title"], filename=filename, outformat=outformat, show=False, direction="LR",
                 graph_attr=plan["graph_attr"]):
        drawn = {}
        for cluster in plan["clusters"]:
            with Cluster(cluster["title"], graph_attr=cluster.get("graph_attr") or {}):
                for node in cluster["nodes"]:
                    drawn[node["key"]] = _icon_class(node["module"], node["cls"])(node["label"])
        for edge in plan["edges"]:
            drawn[edge["source"]] >> Edge(**edge["attrs"]) >> drawn[edge["target"]]


if __name__ == "__main__":
    draw(json.load(sys.stdin), sys.argv[1])
