"""Which `diagrams` node class draws each component kind, and which cluster holds it, read from the kind registry."""

from __future__ import annotations

from simulator.kinds import GROUPS, KINDS

# A node whose kind is not (or no longer) registered is still drawn, as a plain server.
FALLBACK_ICON = ("diagrams.onprem.compute", "Server")

GROUP_TITLES: dict[str, str] = dict(GROUPS)


def icon_for(kind: str) -> tuple[str, str]:
    """The (module, class name) that draws `kind`."""
    found = KINDS.get(kind)
    return found.diagram_icon if found else FALLBACK_ICON


def group_of(kind: str) -> str:
    """The catalog group of `kind` (its cluster on the drawing); unknown kinds count as infrastructure."""
    found = KINDS.get(kind)
    return found.group if found else "infrastructure"
