"""The kind registry: every kind has all its parts, incomplete kinds are refused, and nothing else names kinds."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from simulator.fields import Field, exponential, serving
from simulator.kinds import (
    GROUPS, KINDS, KindDefinitionError, ScheduledKind, ServingKind, missing_parts, register, registered,
)
from simulator.nodespec import NodeSpec
from simulator.pricing import Usage
from simulator.validation import with_defaults

ROOT = Path(__file__).resolve().parents[2]
# The six components the design must have, and the common rest users expect (the product brief).
REQUIRED = ("gateway", "feature_store", "model_server", "logging", "training_pipeline", "monitor")
EXPECTED = ("client", "load_balancer", "cache", "database", "vector_index", "queue", "stream_processor",
            "batch_job", "object_storage", "cdn")


def _default_node(name: str) -> dict[str, Any]:
    document = with_defaults({"nodes": [{"id": "n", "kind": name}], "edges": []})
    return document["nodes"][0]


def test_the_required_and_expected_kinds_are_registered_in_palette_groups() -> None:
    assert set(REQUIRED) | set(EXPECTED) <= set(KINDS)
    assert {kind.group for kind in KINDS.values()} <= set(dict(GROUPS))


@pytest.mark.parametrize("name", list(KINDS))
def test_every_kind_has_all_its_parts(name: str) -> None:
    kind = KINDS[name]
    assert missing_parts(type(kind)) == []
    node = _default_node(name)
    spec = kind.node_spec(0, node)
    if kind.request_path:
        assert isinstance(spec, NodeSpec) and spec.id == "n" and spec.kind == name
    else:
        assert spec is None
    entry = kind.price(node["config"], Usage(rps=10.0, board_log_rps=10.0))
    assert isinstance(entry["monthly_usd"], float) and entry["monthly_usd"] >= 0
    assert isinstance(entry["items"], list) and isinstance(entry["basis"], str) and entry["basis"]
    assert entry["monthly_usd"] == pytest.approx(sum(item["usd"] for item in entry["items"]))


class _Complete(ServingKind):
    name = "test_complete"
    title = "Complete"
    group = "infrastructure"
    description = "A kind with every part."
    browser_icon = "queue"
    diagram_icon = ("diagrams.onprem.queue", "Rabbitmq")
    fields = serving(1, 1, "c6i.large", exponential(1.0))


@pytest.mark.parametrize("part, value, named", [
    ("title", "", "title"),
    ("description", None, "description"),
    ("browser_icon", "", "browser_icon"),
    ("group", "kitchen", "group"),
    ("diagram_icon", ("diagrams.onprem.queue",), "diagram_icon"),
    ("fields", [Field("x", "number", 1, "x")], "fields"),
    ("fields", (Field("x", "number", 1, "x"), Field("x", "number", 2, "x")), "fields (each name once)"),
    ("name", "Not A Name", "name"),
    ("default_call_mode", "sometimes", "default_call_mode"),
])
def test_a_kind_lacking_a_part_is_refused_and_the_part_named(part: str, value: Any, named: str) -> None:
    broken = type("Broken", (_Complete,), {part: value})
    with pytest.raises(KindDefinitionError, match=re.escape(named)):
        register(broken)
    assert "Not A Name" not in KINDS and KINDS.get("test_complete") is None


def test_a_kind_without_a_price_or_node_spec_is_refused() -> None:
    class NoPrice(ScheduledKind):  # ScheduledKind gives node_spec; price is left out
        name = "test_no_price"
        title = "No price"
        group = "training"
        description = "Forgets to say what it costs."
        browser_icon = "batch_job"
        diagram_icon = ("diagrams.onprem.analytics", "Spark")
        fields = ()

    with pytest.raises(KindDefinitionError, match=r"price\(\)"):
        register(NoPrice)
    assert "test_no_price" not in KINDS


def test_a_taken_name_is_refused_and_a_registered_kind_leaves_with_its_block() -> None:
    with registered(_Complete) as kind:
        assert KINDS["test_complete"] is kind
        with pytest.raises(KindDefinitionError, match="already registered"):
            register(_Complete)
    assert "test_complete" not in KINDS


# A kind's name as a string literal, compared or tested for membership: the thing the registry replaces.
_NAMES = "|".join(sorted(KINDS, key=len, reverse=True))
_LITERAL = rf"""["'`](?:{_NAMES})["'`]"""
# Membership tests count when the tested value is about a kind (`kind in (...)`, `node["kind"] not in [...]`).
_COMPARISON = re.compile(
    rf"(?:===?|!==?)\s*{_LITERAL}|{_LITERAL}\s*(?:===?|!==?)"
    rf"|kind[\w\"'\[\].()]*\s+(?:not\s+)?in\s*[\(\[\{{][^\n]*?{_LITERAL}"
    rf"|\bcase\s+{_LITERAL}|\.(?:includes|has|indexOf|startsWith)\(\s*{_LITERAL}")


def test_no_code_outside_the_registry_compares_a_kind_name_to_a_string() -> None:
    found = []
    for folder in ("simulator", "architectures", "whiteboard", "static/editor", "static/js", "templates"):
        for path in sorted((ROOT / folder).rglob("*")):
            if path.suffix not in (".py", ".js", ".html") or (ROOT / "simulator" / "kinds") in path.parents:
                continue
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                if _COMPARISON.search(line):
                    found.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert found == []


def test_the_comparison_check_catches_the_usual_spellings() -> None:
    for line in ('if node["kind"] == "model_server":', "kind.name === 'logging'", 'if kind in ("cache", "cdn"):',
                 'case "client":', 'names.includes("monitor")'):
        assert _COMPARISON.search(line), line
    assert _COMPARISON.search('if node["kind"] not in ["cache", "cdn"]:')
    assert not _COMPARISON.search('payload.get("client") == self.client_id')
    assert not _COMPARISON.search('if key not in ("state", "document", "client"):')
