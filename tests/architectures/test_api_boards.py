"""Boards API: create, read, update, conflict, patch, versions, restore and delete."""

from __future__ import annotations

import uuid

import pytest

from architectures.models import Board, BoardVersion

pytestmark = pytest.mark.django_db


def create(api, document=None, **extra):
    body = {"document": document} if document is not None else {}
    body.update(extra)
    response = api.post("/api/boards/", body, format="json")
    assert response.status_code == 201, response.content
    return response.json()


def test_create_blank_board_returns_id_version_and_page_url(api):
    response = api.post("/api/boards/", {}, format="json")
    assert response.status_code == 201
    board = response.json()
    assert uuid.UUID(board["id"]).version == 4
    assert board["version"] == 1
    assert board["url"] == f"/b/{board['id']}/"
    assert response["Location"] == f"/api/boards/{board['id']}/"
    assert board["document"]["nodes"] == [] and board["document"]["schema_version"] == 1
    assert set(board["document"]["notes"]) == {"requirements", "data", "features", "model",
                                               "evaluation", "serving", "monitoring"}


def test_create_with_title_only_names_the_blank_board(api):
    board = create(api, title="Visual search")
    assert board["title"] == "Visual search" and board["document"]["title"] == "Visual search"


def test_board_ids_are_random_not_sequential(api):
    ids = [uuid.UUID(create(api)["id"]) for _ in range(3)]
    assert len(set(ids)) == 3
    assert all(i.version == 4 for i in ids)


def test_create_from_document_then_read_it_back_exactly(api, document):
    board = create(api, document)
    response = api.get(f"/api/boards/{board['id']}/")
    assert response.status_code == 200
    assert response.json()["document"] == document
    assert response.json()["title"] == "Ad click prediction"


def test_put_with_current_version_stores_and_increments(api, document):
    board = create(api, document)
    document["nodes"][0]["config"]["replicas"] = 6
    response = api.put(f"/api/boards/{board['id']}/", {"version": 1, "document": document}, format="json")
    assert response.status_code == 200
    assert response.json()["version"] == 2
    stored = Board.objects.get(pk=board["id"])
    assert stored.version == 2 and stored.document["nodes"][0]["config"]["replicas"] == 6


def test_put_with_stale_version_answers_409_with_current_document_and_stores_nothing(api, document):
    board = create(api, document)
    first = {**document, "title": "First edit"}
    assert api.put(f"/api/boards/{board['id']}/", {"version": 1, "document": first}, format="json").status_code == 200
    stale = {**document, "title": "Stale edit"}
    response = api.put(f"/api/boards/{board['id']}/", {"version": 1, "document": stale}, format="json")
    assert response.status_code == 409
    body = response.json()
    assert body["current_version"] == 2
    assert body["document"]["title"] == "First edit"
    assert body["errors"][0]["path"] == "version"
    stored = Board.objects.get(pk=board["id"])
    assert stored.title == "First edit" and stored.version == 2
    assert BoardVersion.objects.filter(board_id=board["id"]).count() == 2


def test_save_that_read_the_board_before_another_save_committed_is_a_conflict(api, document):
    """The race the version check before the write cannot see: settled by the compare-and-swap."""
    from architectures.selectors import board_get_for_write
    from architectures.services import VersionConflict, board_update

    board = create(api, document)
    read_by_both = board_get_for_write(board_id=board["id"])
    board_update(board_id=board["id"], expected_version=1, document={**document, "title": "Won"},
                 board=board_get_for_write(board_id=board["id"]))
    with pytest.raises(VersionConflict) as conflict:
        board_update(board_id=board["id"], expected_version=1, document={**document, "title": "Lost"},
                     board=read_by_both)
    assert conflict.value.board.version == 2 and conflict.value.board.document["title"] == "Won"
    stored = Board.objects.get(pk=board["id"])
    assert stored.title == "Won" and stored.version == 2
    assert BoardVersion.objects.filter(board_id=board["id"]).count() == 2


def test_patch_merges_top_level_sections(api, document):
    board = create(api, document)
    response = api.patch(f"/api/boards/{board['id']}/",
                         {"version": 1, "document": {"title": "Renamed", "requirements": {"p99_ms": 80}}},
                         format="json")
    assert response.status_code == 200
    stored = response.json()["document"]
    assert stored["title"] == "Renamed"
    assert stored["requirements"] == {"peak_rps": 2000, "p99_ms": 80, "monthly_budget_usd": 8000}
    assert stored["nodes"] == document["nodes"]


def test_patch_with_stale_version_answers_409(api, document):
    board = create(api, document)
    response = api.patch(f"/api/boards/{board['id']}/", {"version": 7, "document": {"title": "x"}}, format="json")
    assert response.status_code == 409
    assert Board.objects.get(pk=board["id"]).title == "Ad click prediction"


def test_every_save_is_kept_as_a_version_listed_newest_first(api, document):
    board = create(api, document)
    for version, title in ((1, "Two"), (2, "Three")):
        api.put(f"/api/boards/{board['id']}/", {"version": version, "document": {**document, "title": title}},
                format="json")
    response = api.get(f"/api/boards/{board['id']}/versions/")
    assert response.status_code == 200
    assert [(v["number"], v["title"]) for v in response.json()] == [
        (3, "Three"), (2, "Two"), (1, "Ad click prediction")]
    one = api.get(f"/api/boards/{board['id']}/versions/1/").json()
    assert one["document"] == document


def test_restore_makes_an_old_version_the_newest(api, document):
    board = create(api, document)
    changed = {**document, "nodes": document["nodes"][:1], "edges": []}
    api.put(f"/api/boards/{board['id']}/", {"version": 1, "document": changed}, format="json")
    response = api.post(f"/api/boards/{board['id']}/versions/1/restore/")
    assert response.status_code == 200
    assert response.json()["version"] == 3
    assert response.json()["document"] == document
    assert Board.objects.get(pk=board["id"]).document == document
    assert BoardVersion.objects.filter(board_id=board["id"]).count() == 3


def test_restore_of_missing_version_is_404(api):
    board = create(api)
    response = api.post(f"/api/boards/{board['id']}/versions/9/restore/")
    assert response.status_code == 404
    assert "no version 9" in response.json()["detail"]


def test_delete_removes_board_and_versions(api, document):
    board = create(api, document)
    assert api.delete(f"/api/boards/{board['id']}/").status_code == 204
    assert api.get(f"/api/boards/{board['id']}/").status_code == 404
    assert not BoardVersion.objects.filter(board_id=board["id"]).exists()


@pytest.mark.parametrize("board_id", [str(uuid.uuid4()), "not-a-uuid", "1"])
def test_unknown_board_is_json_404(api, board_id):
    response = api.get(f"/api/boards/{board_id}/")
    assert response.status_code == 404
    assert response.json()["detail"] == "Board not found."


def test_unknown_api_path_is_json_404(api):
    response = api.get("/api/nothing-here/")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"


def test_component_kinds_lists_the_catalog_with_field_metadata(api):
    catalog = api.get("/api/component-kinds/").json()
    kinds = {kind["name"]: kind for kind in catalog["kinds"]}
    for required in ("gateway", "feature_store", "model_server", "logging", "training_pipeline", "monitor",
                     "client", "load_balancer", "cache", "database", "vector_index", "queue",
                     "stream_processor", "batch_job", "object_storage", "cdn"):
        assert required in kinds
    replicas = next(f for f in kinds["model_server"]["fields"] if f["name"] == "replicas")
    assert replicas["type"] == "integer" and replicas["minimum"] == 1 and replicas["maximum"] == 1000
    assert replicas["help"] and replicas["unit"] == "replicas"
    assert kinds["cache"]["defaults"]["hit_rate"] == 0.8
    assert catalog["limits"]["nodes"] == 300


def test_board_schema_is_served_and_accepts_a_valid_document(api, document):
    import jsonschema

    schema = api.get("/api/schema/board/").json()
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.Draft202012Validator(schema).validate(document)
    bad = {**document, "nodes": [{**document["nodes"][0], "config": {"replicas": 0}}]}
    assert not jsonschema.Draft202012Validator(schema).is_valid(bad)


def test_openapi_schema_and_offline_docs_page(api):
    schema = api.get("/api/schema/", HTTP_ACCEPT="application/json")
    assert schema.status_code == 200
    assert "/api/boards/{board_id}/versions/{number}/restore/" in schema.json()["paths"]
    docs = api.get("/api/docs/")
    assert docs.status_code == 200
    html = docs.content.decode()
    assert "swagger-ui" in html and "cdn.jsdelivr" not in html and "unpkg" not in html
