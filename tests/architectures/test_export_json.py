"""JSON export and import: an exact round trip, and imports validated like any other write."""

from __future__ import annotations

import json

import pytest

from architectures.export.samples import every_kind_board
from architectures.models import Board


def create(api, document) -> str:
    response = api.post("/api/boards/", {"document": document}, format="json")
    assert response.status_code == 201, response.content
    return response.json()["id"]


@pytest.mark.django_db
@pytest.mark.parametrize("wrap", [False, True], ids=["bare-document", "document-envelope"])
def test_export_then_import_keeps_every_field(api, document, wrap):
    document["nodes"][0]["label"] = "Gateway «édge» \\ <b>"
    document["x_extension"] = {"kept": [1, 2.5, None, True]}  # more fields may be added to the contract
    exported = api.get(f"/api/boards/{create(api, document)}/export.json")
    assert exported.status_code == 200
    assert exported["Content-Disposition"] == 'attachment; filename="ad_click_prediction.json"'
    body = json.loads(exported.content)
    assert body == document
    imported = api.post("/api/boards/import/", {"document": body} if wrap else body, format="json")
    assert imported.status_code == 201, imported.content
    assert imported["Location"] == f"/api/boards/{imported.json()['id']}/"
    assert api.get(f"/api/boards/{imported.json()['id']}/").json()["document"] == document


@pytest.mark.django_db
def test_round_trip_of_a_board_with_every_kind(api):
    document = every_kind_board(50)
    body = json.loads(api.get(f"/api/boards/{create(api, document)}/export.json").content)
    new_id = api.post("/api/boards/import/", body, format="json").json()["id"]
    assert Board.objects.get(pk=new_id).document == document


@pytest.mark.django_db
def test_invalid_import_is_located_and_stores_nothing(api, document):
    document["nodes"][2]["config"]["replicas"] = 0
    document["edges"][0]["target"] = "nowhere"
    response = api.post("/api/boards/import/", document, format="json")
    assert response.status_code == 400
    body = response.json()
    assert body["detail"] == "The board document is invalid."
    paths = {error["path"] for error in body["errors"]}
    assert "nodes[2].config.replicas" in paths
    assert any(path.startswith("edges[0]") for path in paths)
    assert Board.objects.count() == 0


@pytest.mark.django_db
def test_import_of_something_else_than_an_object_is_refused(api):
    response = api.post("/api/boards/import/", [1, 2], format="json")
    assert response.status_code == 400
    assert response.json()["errors"] == [{"path": "", "message": "must be a JSON object (a board document)"}]
    assert Board.objects.count() == 0
