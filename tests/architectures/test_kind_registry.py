"""A kind is one registry entry: a throw-away kind is validated, priced, simulated, served and drawn.

The kind below is written the way the README's "Adding a component kind" says: one class with its
fields, defaults, icons and its own cost rule, registered with `@register` (here for one test at a
time with `registered`). Nothing else in the product is touched, and every part picks it up.
"""

from __future__ import annotations

import re
import struct
from pathlib import Path
from typing import Any

import pytest

import simulator
from architectures.export.plan import diagram_plan
from simulator.fields import NUMBER, Field, serving
from simulator.kinds import KINDS, ServingKind, registered
from simulator.pricing import SECONDS_PER_MONTH, Usage

ROOT = Path(__file__).resolve().parents[2]
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


class Translator(ServingKind):
    """A managed translation service priced per million requests: a cost rule no built-in kind has."""

    name = "throwaway_translator"
    title = "Translator"
    group = "serving"
    description = "Translates each request's text before it is scored."
    browser_icon = "gateway"
    diagram_icon = ("diagrams.onprem.network", "Nginx")
    fields = serving(3, 1, "managed", {"dist": "constant", "mean_ms": 4.0},
                     Field("usd_per_million", NUMBER, 0.5, "Price of a million translated requests.",
                           unit="USD", minimum=0, maximum=100))

    def use_items(self, config: dict[str, Any], usage: Usage) -> list[tuple[str, float, str]]:
        usd = usage.rps * SECONDS_PER_MONTH / 1e6 * config["usd_per_million"]
        return [("translated requests", usd, f"{usage.rps:.1f} req/s x ${config['usd_per_million']:g}/million")]


@pytest.fixture
def translator():
    with registered(Translator) as kind:
        yield kind
    assert Translator.name not in KINDS


def board(**config: Any) -> dict[str, Any]:
    return {
        "schema_version": 1, "title": "Translated ads",
        "traffic": {"rps": 300, "arrival": "poisson", "duration_s": 30, "warmup_s": 2},
        "nodes": [{"id": "client", "kind": "client", "position": {"x": 0, "y": 0}},
                  {"id": "tr", "kind": Translator.name, "label": "Translator", "position": {"x": 200, "y": 0},
                   "config": config}],
        "edges": [{"id": "e1", "source": "client", "target": "tr", "mode": "sync", "latency_ms": 0}],
    }


def test_a_throwaway_kind_is_simulated_with_its_defaults_and_priced_by_its_own_rule(translator):
    results = simulator.run(board(), seed=3)
    node = results.nodes["tr"]
    # Its defaults: 3 servers of a constant 4 ms. Utilisation is offered load over servers,
    # U = lambda E[S] / c = 300 x 0.004 / 3 = 0.4 (the utilisation law); 28 s of Poisson arrivals
    # (8,400 requests) put the estimate within about 0.01 of it, so 0.02 is allowed.
    assert node.servers == 3
    assert node.utilization == pytest.approx(0.4, abs=0.02)
    assert results.latency_ms.p50 >= 4.0 and results.latency_ms.mean == pytest.approx(4.0, rel=0.05)
    # Its own cost rule: throughput x seconds in a month / 1e6 x $0.50 (no machines: it is managed).
    entry = results.cost["by_node"]["tr"]
    assert entry["monthly_usd"] == pytest.approx(node.throughput_rps * SECONDS_PER_MONTH / 1e6 * 0.5)
    assert [item["what"] for item in entry["items"]] == ["translated requests"]


@pytest.mark.django_db
def test_a_throwaway_kind_is_in_the_catalog_api_and_its_config_is_validated(api, translator):
    kinds = {kind["name"]: kind for kind in api.get("/api/component-kinds/").json()["kinds"]}
    served = kinds[Translator.name]
    assert served["title"] == "Translator" and served["group"] == "serving" and served["icon"] == "gateway"
    assert served["defaults"]["replicas"] == 3 and served["defaults"]["usd_per_million"] == 0.5
    schema = api.get("/api/schema/board/").json()
    assert schema["$defs"][f"config_{Translator.name}"]["properties"]["usd_per_million"]["maximum"] == 100

    created = api.post("/api/boards/", {"document": board(usd_per_million=2.0)}, format="json")
    assert created.status_code == 201, created.content
    refused = api.patch(f"/api/boards/{created.json()['id']}/",
                        {"version": 1, "document": {"nodes": board(usd_per_million=-1)["nodes"]}}, format="json")
    assert refused.status_code == 400
    assert refused.json()["errors"] == [{"path": "nodes[1].config.usd_per_million",
                                         "message": "must be a number from 0 to 100"}]
    unknown = api.post("/api/boards/", {"document": board(colour="blue")}, format="json")
    assert unknown.status_code == 400
    assert unknown.json()["errors"][0]["path"] == "nodes[1].config.colour"


@pytest.mark.django_db
def test_a_throwaway_kind_is_drawn_by_the_png_export_with_its_own_icon(api, translator):
    document = board()
    plan = diagram_plan(document)
    drawn = [node for cluster in plan["clusters"] for node in cluster["nodes"] if node["key"] == "tr"]
    assert drawn and (drawn[0]["module"], drawn[0]["cls"]) == Translator.diagram_icon
    created = api.post("/api/boards/", {"document": document}, format="json").json()
    response = api.get(f"/api/boards/{created['id']}/export.png", HTTP_ACCEPT="image/png")
    assert response.status_code == 200 and response.content[:8] == PNG_SIGNATURE
    width, height = struct.unpack(">II", response.content[16:24])
    assert width > 100 and height > 100


def test_every_kind_has_its_icon_in_the_browser_icon_set():
    source = (ROOT / "static" / "editor" / "icons.js").read_text(encoding="utf-8")
    paths = set(re.findall(r"^\s+(\w+): \"M", source, flags=re.MULTILINE))
    assert {kind.browser_icon for kind in KINDS.values()} <= paths
