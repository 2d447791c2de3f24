"""Component kinds: one class per kind, registered in one place that every part of the product reads.

Validation, the JSON Schema, the engines' topology, cost, the palette (through the catalog API)
and the `diagrams` export all look kinds up in `KINDS`; nothing else compares a kind's name.
To add a kind, write a class in one of the modules below (or a new one imported here) and
decorate it with `@register`; see the README's "Adding a component kind".
"""

from simulator.kinds.base import CacheKind, Kind, ScheduledKind, ServingKind, SourceKind
from simulator.kinds.registry import (
    GROUPS, KINDS, KindDefinitionError, get_kind, missing_parts, register, registered, unregister,
)

# Importing the modules registers their kinds, in palette order.
from simulator.kinds import serving, genai, data, scheduled, infrastructure  # noqa: E402,F401  isort: skip

__all__ = ["GROUPS", "KINDS", "CacheKind", "Kind", "KindDefinitionError", "ScheduledKind", "ServingKind",
           "SourceKind", "get_kind", "missing_parts", "register", "registered", "unregister"]
