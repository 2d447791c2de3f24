"""The registry of component kinds: every part of the product that needs a kind looks it up here."""

from __future__ import annotations

import inspect
import re
from contextlib import contextmanager
from typing import Iterator, TypeVar

from simulator.fields import Field
from simulator.kinds.base import Kind

GROUPS = (
    ("serving", "Serving path"),
    ("genai", "Generative AI"),
    ("data", "Data"),
    ("training", "Training and monitoring"),
    ("infrastructure", "Infrastructure"),
)
NAME_PATTERN = re.compile(r"^[a-z][a-z0-9_]{0,47}$")

# name -> the one instance of each registered kind, in registration order (the palette's order).
KINDS: dict[str, Kind] = {}

K = TypeVar("K", bound=type[Kind])


class KindDefinitionError(TypeError):
    """A kind class lacks one of its parts, or its name is taken."""


def missing_parts(cls: type[Kind]) -> list[str]:
    """The parts a kind class lacks or gets wrong, as readable phrases (empty when it is complete)."""
    problems = []
    for attribute in ("name", "title", "description", "browser_icon"):
        value = getattr(cls, attribute, None)
        if not isinstance(value, str) or not value.strip():
            problems.append(f"{attribute} (a non-empty string)")
    name = getattr(cls, "name", None)
    if isinstance(name, str) and name and not NAME_PATTERN.match(name):
        problems.append("name (lower-case letters, digits and _, starting with a letter)")
    if getattr(cls, "group", None) not in dict(GROUPS):
        problems.append(f"group (one of {', '.join(dict(GROUPS))})")
    icon = getattr(cls, "diagram_icon", None)
    if not (isinstance(icon, tuple) and len(icon) == 2 and all(isinstance(p, str) and p for p in icon)):
        problems.append("diagram_icon (the (module, class) of a diagrams node)")
    if getattr(cls, "default_call_mode", None) not in ("sync", "async"):
        problems.append("default_call_mode (sync or async)")
    fields = getattr(cls, "fields", None)
    if not isinstance(fields, tuple) or not all(isinstance(f, Field) for f in fields):
        problems.append("fields (a tuple of Field)")
    elif len({f.name for f in fields}) != len(fields):
        problems.append("fields (each name once)")
    problems += [f"{method}() (implemented)" for method in sorted(getattr(cls, "__abstractmethods__", ()))]
    return problems


def register(cls: K) -> K:
    """Add a kind to the registry (a class decorator); refuse it, naming what it lacks, when incomplete."""
    if not (inspect.isclass(cls) and issubclass(cls, Kind)):
        raise KindDefinitionError(f"{cls!r} is not a Kind class")
    problems = missing_parts(cls)
    if problems:
        raise KindDefinitionError(f"kind {getattr(cls, 'name', cls.__name__)!r} lacks: {'; '.join(problems)}")
    if cls.name in KINDS:
        raise KindDefinitionError(f"a kind named {cls.name!r} is already registered")
    KINDS[cls.name] = cls()
    return cls


def unregister(name: str) -> None:
    KINDS.pop(name, None)


@contextmanager
def registered(cls: type[Kind]) -> Iterator[Kind]:
    """Register a kind for the duration of a block (tests, experiments), then remove it again."""
    register(cls)
    try:
        yield KINDS[cls.name]
    finally:
        unregister(cls.name)


def get_kind(name: str) -> Kind | None:
    return KINDS.get(name)
