"""Bad board documents: every one answered 400 with the located error, nothing stored or changed."""

from __future__ import annotations

import copy
import json

import pytest

from architectures.models import Board, BoardVersion

pytestmark = pytest.mark.django_db


def node(i: int, kind: str = "gateway") -> dict:
    return {"id": f"n{i}", "kind": kind, "position": {"x": i, "y": 0}}


def mutate(document: dict, change) -> dict:
    doc = copy.deepcopy(document)
    change(doc)
    return doc


BAD_DOCUMENTS = [
    ("replicas out of range", lambda d: d["nodes"][2]["config"].update(replicas=0), "nodes[2].config.replicas",
     "integer from 1 to 1000"),
    ("replicas wrong type", lambda d: d["nodes"][0]["config"].update(replicas="two"), "nodes[0].config.replicas",
     "not a string"),
    ("missing node id", lambda d: d["nodes"][1].pop("id"), "nodes[1].id", "required"),
    ("unknown kind", lambda d: d["nodes"][1].update(kind="quantum_computer"), "nodes[1].kind", "must be one of"),
    ("duplicate node id", lambda d: d["nodes"][1].update(id="gw"), "nodes[1].id", "duplicates"),
    ("dangling edge", lambda d: d["edges"][0].update(target="nowhere"), "edges[0].target", "id of a node"),
    ("self loop", lambda d: d["edges"][0].update(target="gw"), "edges[0]", "itself"),
    ("sync cycle", lambda d: d["edges"].append({"id": "back", "source": "ms", "target": "gw"}), "edges",
     "gw -> fs -> ms -> gw"),
    ("bad edge mode", lambda d: d["edges"][0].update(mode="sometimes"), "edges[0].mode", "sync, async"),
    ("unknown config field", lambda d: d["nodes"][0]["config"].update(replica=3), "nodes[0].config.replica",
     "not a field"),
    ("nodes not a list", lambda d: d.update(nodes={"gw": {}}), "nodes", "must be a list"),
    ("bad service time", lambda d: d["nodes"][0]["config"].update(service_time={"dist": "lognormal",
                                                                                 "median_ms": 5, "p99_ms": 2}),
     "nodes[0].config.service_time.p99_ms", "greater than median"),
    ("traffic rps zero", lambda d: d["traffic"].update(rps=0), "traffic.rps", "greater than 0"),
    ("unknown arrival", lambda d: d["traffic"].update(arrival="random"), "traffic.arrival", "poisson"),
    ("unknown note step", lambda d: d["notes"].update(step8="x"), "notes.step8", "steps"),
    ("note too long", lambda d: d["notes"].update(data="x" * 20_001), "notes.data", "at most 20000"),
    ("301 nodes", lambda d: d.update(nodes=[node(i) for i in range(301)], edges=[]), "nodes", "at most 300"),
    ("1001 edges", lambda d: d.update(edges=[{"id": f"e{i}", "source": "gw", "target": "fs", "mode": "async"}
                                             for i in range(1001)]), "edges", "at most 1000"),
    ("2 MB label", lambda d: d["nodes"][0].update(label="L" * 2_000_000), "nodes[0].label", "at most 200"),
    ("schema version", lambda d: d.update(schema_version=2), "schema_version", "must be 1"),
    # Faults and resilience settings are validated like the rest.
    ("unknown fault type", lambda d: d.update(faults=[{"id": "f", "type": "meteor", "target": "fs"}]),
     "faults[0].type", "must be one of replicas_down"),
    ("fault on a missing node", lambda d: d.update(faults=[{"id": "f", "type": "outage", "target": "zz"}]),
     "faults[0].target", "id of a node"),
    ("node fault on an edge", lambda d: d.update(faults=[{"id": "f", "type": "outage", "target": "e1"}]),
     "faults[0].target", "id of a node"),
    ("edge fault on a node", lambda d: d.update(faults=[{"id": "f", "type": "partition", "target": "fs"}]),
     "faults[0].target", "id of an edge"),
    ("fault after the run", lambda d: d.update(faults=[{"id": "f", "type": "outage", "target": "fs", "at_s": 55,
                                                         "duration_s": 10}]),
     "faults[0].duration_s", "after the run's 60 s"),
    ("too many replicas lost", lambda d: d.update(faults=[{"id": "f", "type": "replicas_down", "target": "fs",
                                                            "replicas": 5}]),
     "faults[0].replicas", "at most the 4 replicas"),
    ("flush of a non-cache", lambda d: d.update(faults=[{"id": "f", "type": "cache_flush", "target": "fs"}]),
     "faults[0].target", "with a hit_rate"),
    ("retry attempts out of range", lambda d: d["edges"][0].update(retry={"max_attempts": 50}),
     "edges[0].retry.max_attempts", "integer from 1 to 10"),
    ("unknown retry field", lambda d: d["edges"][0].update(retry={"tries": 2}), "edges[0].retry.tries",
     "not a field of retry"),
    ("retry on an async copy", lambda d: d["edges"][2].update(retry={}), "edges[2].retry",
     "sync and fallback calls only"),
    ("breaker ratio out of range", lambda d: d["edges"][0].update(circuit_breaker={"failure_ratio": 0}),
     "edges[0].circuit_breaker.failure_ratio", "greater than 0"),
    ("fallback with no call before it", lambda d: d["edges"].insert(0, {"id": "fb", "source": "gw", "target": "log",
                                                                        "mode": "fallback"}),
     "edges[0].mode", "needs a sync call from gw before it"),
    ("autoscaling bounds reversed", lambda d: d["nodes"][0]["config"].update(
        autoscaling={"min_replicas": 5, "max_replicas": 2}), "nodes[0].config.autoscaling.max_replicas",
     "at least min_replicas"),
    ("rate limit of zero", lambda d: d["nodes"][1]["config"].update(rate_limit={"rps": 0}),
     "nodes[1].config.rate_limit.rps", "greater than 0"),
    ("compression out of range", lambda d: d["traffic"].update(time_compression=0.5),
     "traffic.time_compression", "from 1 to 10000"),
    ("an LLM too big for its GPU", lambda d: d["nodes"].append({"id": "llm", "kind": "llm_server", "config": {
        "model_class": "llm_70b", "instance": "g6e.xlarge"}}), "nodes[4].config.instance", "needs 141.1 GB of weights"),
    ("tensor parallel past the GPUs", lambda d: d["nodes"].append({"id": "llm", "kind": "llm_server", "config": {
        "instance": "g6.xlarge", "tensor_parallel": 4}}), "nodes[4].config.tensor_parallel", "has 1 GPU(s)"),
    ("bad token count", lambda d: d["traffic"].update(prompt_tokens={"dist": "lognormal", "median": 500, "p99": 100}),
     "traffic.prompt_tokens.p99", "greater than median"),
    ("after-calls share above 1", lambda d: d["nodes"][0]["config"].update(after_calls_share=1.5),
     "nodes[0].config.after_calls_share", "0 to 1"),
    ("after-calls share on a batching server", lambda d: d["nodes"][2]["config"].update(after_calls_share=0.3),
     "nodes[2].config.after_calls_share", "server that batches"),
]


@pytest.fixture
def stored(api, document):
    board = api.post("/api/boards/", {"document": document}, format="json").json()
    return board, document


def assert_unchanged(board_id, document):
    stored = Board.objects.get(pk=board_id)
    assert stored.version == 1 and stored.document == document
    assert BoardVersion.objects.filter(board_id=board_id).count() == 1


@pytest.mark.parametrize("name,change,path,message", BAD_DOCUMENTS, ids=[b[0] for b in BAD_DOCUMENTS])
def test_bad_document_on_put_is_400_with_path_and_stored_board_unchanged(api, stored, name, change, path, message):
    board, document = stored
    bad = mutate(document, change)
    response = api.put(f"/api/boards/{board['id']}/", {"version": 1, "document": bad}, format="json")
    assert response.status_code == 400, response.content[:300]
    errors = response.json()["errors"]
    match = [e for e in errors if e["path"] == path]
    assert match, errors[:5]
    assert message in match[0]["message"]
    assert_unchanged(board["id"], document)


@pytest.mark.parametrize("name,change,path,message", BAD_DOCUMENTS[:8], ids=[b[0] for b in BAD_DOCUMENTS[:8]])
def test_bad_document_on_create_is_400_and_creates_nothing(api, document, name, change, path, message):
    response = api.post("/api/boards/", {"document": mutate(document, change)}, format="json")
    assert response.status_code == 400
    assert any(e["path"] == path for e in response.json()["errors"])
    assert Board.objects.count() == 0


def test_body_that_is_not_json_is_400_and_board_unchanged(api, stored):
    board, document = stored
    response = api.generic("PUT", f"/api/boards/{board['id']}/", "{not json", content_type="application/json")
    assert response.status_code == 400
    assert "not valid JSON" in response.json()["errors"][0]["message"]
    assert_unchanged(board["id"], document)


def test_missing_version_is_400_at_path_version(api, stored):
    board, document = stored
    response = api.put(f"/api/boards/{board['id']}/", {"document": document}, format="json")
    assert response.status_code == 400
    assert response.json()["errors"] == [{"path": "version", "message": "This field is required."}]
    assert_unchanged(board["id"], document)


def test_document_that_is_not_an_object_is_400(api, stored):
    board, document = stored
    response = api.put(f"/api/boards/{board['id']}/", {"version": 1, "document": [1, 2]}, format="json")
    assert response.status_code == 400
    assert "must be a JSON object" in response.json()["errors"][0]["message"]
    assert_unchanged(board["id"], document)


def test_body_over_the_size_limit_is_413_and_board_unchanged(api, stored, settings):
    board, document = stored
    settings.MAX_REQUEST_BODY_BYTES = 1_000_000
    body = json.dumps({"version": 1, "document": {**document, "title": "x" * 1_200_000}})
    response = api.generic("PUT", f"/api/boards/{board['id']}/", body, content_type="application/json")
    assert response.status_code == 413
    assert "at most 1000000" in response.json()["detail"]
    assert_unchanged(board["id"], document)


def test_document_over_one_megabyte_is_refused(api, stored):
    board, document = stored
    notes = {step: "n" * 19_000 for step in document["notes"]}
    nodes = [{**node(i), "label": "l" * 200} for i in range(300)]
    big = {**document, "notes": notes, "nodes": nodes, "edges": []}
    for n in big["nodes"]:
        n["config"] = {"service_time": {"dist": "empirical", "samples_ms": [1.5] * 1000}}
    response = api.put(f"/api/boards/{board['id']}/", {"version": 1, "document": big}, format="json")
    assert response.status_code == 400
    assert "at most 1000000" in response.json()["errors"][0]["message"]
    assert_unchanged(board["id"], document)


@pytest.mark.parametrize("text", ["nul \x00 inside", "lone \ud800 surrogate"])
def test_text_a_database_cannot_store_is_refused_at_its_path(api, document, text):
    """PostgreSQL refuses NUL characters and unpaired surrogates in JSON and text: 400, never a 500."""
    def post(path: str, payload: dict):
        # Escaped as \u0000 / \ud800 on the wire, as a browser's JSON.stringify sends them.
        return api.post(path, data=json.dumps(payload), content_type="application/json")

    document["notes"]["data"] = text
    response = post("/api/boards/", {"document": document})
    assert response.status_code == 400
    assert response.json()["errors"][0]["path"] == "notes.data"
    document["notes"]["data"] = ""
    document["nodes"][0]["extra"] = {f"key {text}": 1}
    assert post("/api/boards/import/", {"document": document}).json()["errors"][0]["path"] == "nodes[0].extra"
    titled = post("/api/boards/", {"title": text})
    assert titled.status_code == 400 and titled.json()["errors"][0]["path"] == "title"
    assert not Board.objects.exists()
