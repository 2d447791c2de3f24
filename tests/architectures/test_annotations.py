"""Whiteboard annotations and connection bends: validated with located errors, edited live, exported, never simulated."""

from __future__ import annotations

import copy

import jsonschema
import pytest

import simulator
from architectures.export.code import diagram_script
from architectures.export.plan import diagram_plan
from architectures.export.png import render_png
from architectures.live_edits import apply_ops
from simulator.catalog import MAX_ANNOTATIONS, MAX_EDGE_VERTICES
from simulator.schema import board_json_schema
from simulator.validation import validate_document

FRAME = {"id": "f1", "type": "frame", "x": 40, "y": 80, "w": 600, "h": 200, "title": "Online path", "color": "blue"}
STICKY = {"id": "s1", "type": "sticky", "x": 700, "y": 0, "w": 180, "h": 140, "text": "Why 8 replicas?",
          "color": "yellow"}
TEXT = {"id": "t1", "type": "text", "x": 0, "y": -60, "w": 240, "h": 40, "text": "Ad click prediction"}


def annotated(document: dict) -> dict:
    out = copy.deepcopy(document)
    out["annotations"] = [copy.deepcopy(FRAME), copy.deepcopy(STICKY), copy.deepcopy(TEXT)]
    out["edges"][0]["vertices"] = [{"x": 300, "y": 40}, {"x": 320, "y": 60}]
    return out


def issues_of(document: dict) -> dict[str, str]:
    return {issue.path: issue.message for issue in validate_document(document)}


def test_annotations_and_bends_are_a_valid_part_of_the_document(document):
    assert issues_of(annotated(document)) == {}


@pytest.mark.parametrize("change,path,message", [
    (lambda d: d.update(annotations={"f1": FRAME}), "annotations", "must be a list"),
    (lambda d: d["annotations"][0].update(type="circle"), "annotations[0].type", "text, sticky, frame"),
    (lambda d: d["annotations"][1].update(id=FRAME["id"]), "annotations[1].id", "duplicates the id of annotations[0]"),
    (lambda d: d["annotations"][0].pop("w"), "annotations[0].w", "is required"),
    (lambda d: d["annotations"][0].update(w=5), "annotations[0].w", "from 20 to 20000"),
    (lambda d: d["annotations"][0].update(x="left"), "annotations[0].x", "from -1000000 to 1000000"),
    (lambda d: d["annotations"][1].update(color="#ff0000"), "annotations[1].color", "yellow, orange"),
    (lambda d: d["annotations"][1].update(text="x" * 2001), "annotations[1].text", "at most 2000 characters"),
    (lambda d: d["annotations"][0].update(title="x" * 201), "annotations[0].title", "at most 200 characters"),
    (lambda d: d["annotations"][0].update(text="body"), "annotations[0].text", "a frame has a title"),
    (lambda d: d["annotations"][2].update(font="serif"), "annotations[2].font", "not a field of an annotation"),
    (lambda d: d.update(annotations=[dict(TEXT, id=f"t{i}") for i in range(MAX_ANNOTATIONS + 1)]),
     "annotations", f"at most {MAX_ANNOTATIONS} annotations"),
    (lambda d: d["edges"][0].update(vertices=[{"x": 1}]), "edges[0].vertices[0]", "a point {x, y}"),
    (lambda d: d["edges"][0].update(vertices=[{"x": 1, "y": 2e9}]), "edges[0].vertices[0].y", "from -1000000"),
    (lambda d: d["edges"][0].update(vertices=[{"x": 0, "y": 0}] * (MAX_EDGE_VERTICES + 1)),
     "edges[0].vertices", f"at most {MAX_EDGE_VERTICES} points"),
])
def test_a_bad_annotation_or_bend_is_refused_at_its_path(document, change, path, message):
    bad = annotated(document)
    change(bad)
    issues = issues_of(bad)
    assert path in issues, issues
    assert message in issues[path]


@pytest.mark.django_db
def test_the_api_refuses_a_bad_annotation_with_400_and_stores_a_good_one(api, document):
    bad = annotated(document)
    bad["annotations"][1]["color"] = "plaid"
    response = api.post("/api/boards/", {"document": bad}, format="json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["path"] == "annotations[1].color"
    created = api.post("/api/boards/", {"document": annotated(document)}, format="json")
    assert created.status_code == 201
    stored = api.get(f"/api/boards/{created.json()['id']}/").json()["document"]
    assert stored["annotations"][0] == FRAME and stored["edges"][0]["vertices"][1] == {"x": 320, "y": 60}


@pytest.mark.django_db
def test_the_schema_and_catalog_describe_annotations_and_their_limits(api, document):
    schema = api.get("/api/schema/board/").json()
    item = schema["properties"]["annotations"]["items"]
    assert schema["properties"]["annotations"]["maxItems"] == MAX_ANNOTATIONS
    assert item["properties"]["type"]["enum"] == ["text", "sticky", "frame"]
    assert schema["properties"]["edges"]["items"]["properties"]["vertices"]["maxItems"] == MAX_EDGE_VERTICES
    assert schema == board_json_schema()
    validator = jsonschema.Draft202012Validator(schema)
    assert not list(validator.iter_errors(annotated(document)))
    wrong = annotated(document)
    wrong["annotations"][0]["text"] = "a frame has a title, not a text"
    assert [error.path[-1] for error in validator.iter_errors(wrong)] == [0]
    catalog = api.get("/api/component-kinds/").json()
    assert catalog["limits"]["annotations"] == MAX_ANNOTATIONS
    assert set(catalog["annotation_colours"]) >= {"yellow", "blue", "grey"}


def test_annotation_ops_add_update_and_delete_by_id_without_touching_components(document):
    start = annotated(document)
    result = apply_ops(start, [
        {"op": "annotation.add", "annotation": {**STICKY, "id": "s2", "text": "second"}},
        {"op": "annotation.update", "id": "f1", "patch": {"x": 60, "title": "Serving"}},
        {"op": "annotation.delete", "id": "t1"},
        {"op": "edge.update", "id": "e1", "patch": {"vertices": [{"x": 10, "y": 10}]}},
    ])
    assert [item["id"] for item in result["annotations"]] == ["f1", "s1", "s2"]
    assert result["annotations"][0] == {**FRAME, "x": 60, "title": "Serving"}
    assert result["edges"][0]["vertices"] == [{"x": 10, "y": 10}]
    assert result["nodes"] == start["nodes"] and "faults" not in result
    assert validate_document(result) == []


def test_a_frame_becomes_a_cluster_of_the_components_inside_it_in_the_export(document):
    board = annotated(document)
    inside = {node["id"] for node in board["nodes"]
              if 40 <= node["position"]["x"] + 92 <= 640 and 80 <= node["position"]["y"] + 28 <= 280}
    assert inside and inside != {node["id"] for node in board["nodes"]}
    plan = diagram_plan(board)
    clusters = {cluster["title"]: cluster for cluster in plan["clusters"]}
    assert {node["key"] for node in clusters["Online path"]["nodes"]} == inside
    assert clusters["Online path"]["graph_attr"] == {"bgcolor": "#dbeafe"}
    others = {node["key"] for title, cluster in clusters.items() if title != "Online path" for node in cluster["nodes"]}
    assert not others & inside
    assert "with Cluster('Online path', graph_attr={'bgcolor': '#dbeafe'}):" in diagram_script(board)
    # Two frames of the same title stay two clusters (diagrams names a subgraph by its title).
    board["annotations"].append({**FRAME, "id": "f2", "x": 40, "y": 280, "h": 400})
    titles = [cluster["title"] for cluster in diagram_plan(board)["clusters"]]
    assert len(titles) == len(set(titles))
    assert render_png(board)[:8] == b"\x89PNG\r\n\x1a\n"


def test_annotations_and_bends_do_not_change_a_run(document):
    board = {"schema_version": 1, "title": "Two boxes",
             "traffic": {"rps": 200, "arrival": "poisson", "duration_s": 20, "warmup_s": 2},
             "nodes": [{"id": "client", "kind": "client", "position": {"x": 0, "y": 0}},
                       {"id": "gw", "kind": "gateway", "position": {"x": 300, "y": 0}}],
             "edges": [{"id": "e1", "source": "client", "target": "gw", "mode": "sync", "latency_ms": 1}]}
    plain = simulator.run(board, seed=5)
    decorated = copy.deepcopy(board)
    decorated["annotations"] = [{**FRAME, "x": -20, "y": -20}, STICKY, TEXT]
    decorated["edges"][0]["vertices"] = [{"x": 150, "y": 120}]
    again = simulator.run(decorated, seed=5)
    assert again.latency_ms.p99 == plain.latency_ms.p99 and again.throughput_rps == plain.throughput_rps
    assert again.cost == plain.cost
    assert again.nodes["gw"].utilization == plain.nodes["gw"].utilization
