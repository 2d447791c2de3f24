"""Managing boards from the start page: rename and duplicate through the API, under the link and account rules."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from rest_framework.test import APIClient

from architectures.models import Board, BoardVersion
from architectures.services import board_create, board_update
from simulator.catalog import MAX_TITLE_CHARS

pytestmark = pytest.mark.django_db

NOT_FOUND = {"detail": "Board not found.", "errors": []}


def holding(token: str | None = None) -> APIClient:
    client = APIClient()
    if token:
        client.credentials(HTTP_X_BOARD_TOKEN=token)
    return client


@pytest.fixture
def board(document) -> Board:
    return board_create(document=document)


# ---- rename ----

def test_rename_stores_the_title_as_a_new_version_and_keeps_the_document(board, document):
    response = holding(board.edit_token).post(f"/api/boards/{board.pk}/rename/", {"title": "  CTR v2 "}, format="json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["title"] == "CTR v2" and body["version"] == 2 and body["role"] == "edit"
    board.refresh_from_db()
    assert board.title == "CTR v2" and board.document == {**document, "title": "CTR v2"}
    assert list(BoardVersion.objects.filter(board=board).values_list("number", "title")) == [
        (2, "CTR v2"), (1, "Ad click prediction")]


def test_rename_lands_on_top_of_edits_made_since_the_caller_looked(board, document):
    # Someone saved version 2 in the editor; the start page never saw it and sends no version.
    changed = {**document, "nodes": [{**document["nodes"][0], "label": "Edge gateway"}, *document["nodes"][1:]]}
    board_update(board_id=board.pk, expected_version=1, document=changed)
    response = holding(board.edit_token).post(f"/api/boards/{board.pk}/rename/", {"title": "Renamed"}, format="json")
    assert response.status_code == 200
    board.refresh_from_db()
    assert board.version == 3 and board.title == "Renamed"
    assert board.document["nodes"][0]["label"] == "Edge gateway"


def test_rename_to_the_same_title_makes_no_version(board):
    response = holding(board.edit_token).post(f"/api/boards/{board.pk}/rename/", {"title": board.title}, format="json")
    assert response.status_code == 200 and response.json()["version"] == 1
    assert BoardVersion.objects.filter(board=board).count() == 1


@pytest.mark.parametrize("body,path,message", [
    ({}, "title", "This field is required."),
    ({"title": "   "}, "title", "This field may not be blank."),
    ({"title": "x" * (MAX_TITLE_CHARS + 1)}, "title", f"Ensure this field has no more than {MAX_TITLE_CHARS} characters."),
    ({"title": "bad\u0000title"}, "title", "contains a NUL character or an unpaired surrogate, which cannot be stored"),
    ({"title": ["x"]}, "title", "Not a valid string."),
])
def test_bad_rename_is_located_and_stores_nothing(board, body, path, message):
    response = holding(board.edit_token).post(f"/api/boards/{board.pk}/rename/", body, format="json")
    assert response.status_code == 400, response.content
    errors = response.json()["errors"]
    assert [error["path"] for error in errors] == [path]
    if message:
        assert errors[0]["message"] == message
    board.refresh_from_db()
    assert board.version == 1 and board.title == "Ad click prediction"


def test_view_link_cannot_rename_and_no_link_is_told_nothing(board):
    response = holding(board.view_token).post(f"/api/boards/{board.pk}/rename/", {"title": "x"}, format="json")
    assert response.status_code == 403
    assert response.json()["detail"] == "This link can only view the board."
    response = holding().post(f"/api/boards/{board.pk}/rename/", {"title": "x"}, format="json")
    assert response.status_code == 404 and response.json() == NOT_FOUND
    board.refresh_from_db()
    assert board.title == "Ad click prediction"


def test_owner_account_renames_without_a_token(document):
    user = get_user_model().objects.create_user("ann", password="pw-123456789")
    board = board_create(document=document, owner=user)
    client = APIClient()
    client.force_authenticate(user)
    assert client.post(f"/api/boards/{board.pk}/rename/", {"title": "Mine"}, format="json").status_code == 200
    other = APIClient()
    other.force_authenticate(get_user_model().objects.create_user("bob", password="pw-123456789"))
    assert other.post(f"/api/boards/{board.pk}/rename/", {"title": "His"}, format="json").status_code == 404


# ---- duplicate ----

def test_duplicate_is_a_new_board_with_its_own_links_and_a_fresh_history(board, document):
    board_update(board_id=board.pk, expected_version=1, document={**document, "title": "CTR"})
    response = holding(board.edit_token).post(f"/api/boards/{board.pk}/duplicate/", {}, format="json")
    assert response.status_code == 201, response.content
    copy = response.json()
    assert copy["id"] != str(board.pk) and response["Location"] == f"/api/boards/{copy['id']}/"
    assert copy["title"] == "Copy of CTR" and copy["version"] == 1
    assert copy["document"] == {**document, "title": "Copy of CTR"}
    assert copy["role"] == "edit" and copy["owner"] is True
    assert {copy["edit_token"], copy["view_token"]}.isdisjoint({board.edit_token, board.view_token})
    # The original's links do not open the copy, and the copy's do not open the original.
    assert holding(board.edit_token).get(f"/api/boards/{copy['id']}/").status_code == 404
    assert holding(copy["edit_token"]).get(f"/api/boards/{board.pk}/").status_code == 404
    assert holding(copy["edit_token"]).get(f"/api/boards/{copy['id']}/versions/").json()[0]["number"] == 1
    board.refresh_from_db()
    assert board.version == 2 and board.title == "CTR"


def test_view_link_may_duplicate_into_a_board_it_can_edit(board):
    response = holding(board.view_token).post(f"/api/boards/{board.pk}/duplicate/", {"title": "My take"}, format="json")
    assert response.status_code == 201
    copy = response.json()
    assert copy["title"] == "My take" and copy["edit_token"]
    assert holding(copy["edit_token"]).post(f"/api/boards/{copy['id']}/rename/", {"title": "Mine"},
                                            format="json").status_code == 200


def test_duplicate_belongs_to_the_account_that_asked(document):
    ann = get_user_model().objects.create_user("ann", password="pw-123456789")
    bob = get_user_model().objects.create_user("bob", password="pw-123456789")
    board = board_create(document=document, owner=ann)
    client = APIClient()
    client.force_authenticate(bob)
    # Bob holds the view link Ann sent him.
    client.credentials(HTTP_X_BOARD_TOKEN=board.view_token)
    response = client.post(f"/api/boards/{board.pk}/duplicate/", {}, format="json")
    assert response.status_code == 201
    assert Board.objects.get(pk=response.json()["id"]).owner == bob
    assert Board.objects.get(pk=board.pk).owner == ann


def test_duplicate_of_a_long_title_stays_within_the_limit(document):
    board = board_create(document={**document, "title": "t" * MAX_TITLE_CHARS})
    response = holding(board.edit_token).post(f"/api/boards/{board.pk}/duplicate/", {}, format="json")
    assert response.status_code == 201
    assert response.json()["title"] == ("Copy of " + "t" * MAX_TITLE_CHARS)[:MAX_TITLE_CHARS]


def test_duplicate_needs_a_link_and_a_located_title(board):
    response = holding().post(f"/api/boards/{board.pk}/duplicate/", {}, format="json")
    assert response.status_code == 404 and response.json() == NOT_FOUND
    response = holding(board.edit_token).post(f"/api/boards/{board.pk}/duplicate/", {"title": ""}, format="json")
    assert response.status_code == 400 and response.json()["errors"][0]["path"] == "title"
    assert Board.objects.count() == 1


# ---- delete (the start page's undo waits before sending it; the API deletes at once) ----

def test_view_link_cannot_delete_and_edit_link_deletes_everything(board):
    assert holding(board.view_token).delete(f"/api/boards/{board.pk}/").status_code == 403
    assert holding(board.edit_token).delete(f"/api/boards/{board.pk}/").status_code == 204
    assert not Board.objects.filter(pk=board.pk).exists()
    assert not BoardVersion.objects.filter(board_id=board.pk).exists()
    assert holding(board.edit_token).post(f"/api/boards/{board.pk}/rename/", {"title": "x"},
                                          format="json").status_code == 404


def test_new_endpoints_are_in_the_openapi_schema(api):
    paths = api.get("/api/schema/", HTTP_ACCEPT="application/json").json()["paths"]
    rename, duplicate = paths["/api/boards/{board_id}/rename/"]["post"], paths["/api/boards/{board_id}/duplicate/"]["post"]
    assert {"200", "400", "403", "404", "409"} <= set(rename["responses"])
    assert {"201", "400", "404"} <= set(duplicate["responses"])
    assert rename["requestBody"]["content"]["application/json"]["schema"]["$ref"].startswith("#/components/schemas/BoardRenameRequest")
