"""Board access over the REST API: edit and view tokens, 404 without one, 403 for a view token's writes,
regenerated links, account owners and CSRF on session writes."""

from __future__ import annotations

import hmac
import importlib
import re
from unittest import mock

import pytest
from django.apps import apps as django_apps
from django.contrib.auth import get_user_model
from django.test import RequestFactory
from django.views.debug import SafeExceptionReporterFilter
from rest_framework.test import APIClient

from architectures import access
from architectures.models import Board, SimulationRun, Sweep
from architectures.services import board_create

pytestmark = pytest.mark.django_db

UNKNOWN = "00000000-0000-4000-8000-000000000000"
NOT_FOUND = {"detail": "Board not found.", "errors": []}


@pytest.fixture
def board(document) -> Board:
    return board_create(document=document)


@pytest.fixture
def run(board) -> SimulationRun:
    return SimulationRun.objects.create(board=board, board_version=1, document=board.document, seed=1)


@pytest.fixture
def sweep(board) -> Sweep:
    return Sweep.objects.create(board=board, kind=Sweep.LOAD_CURVE)


def with_token(token: str | None) -> APIClient:
    client = APIClient()
    if token is not None:
        client.credentials(HTTP_X_BOARD_TOKEN=token)
    return client


def call(client: APIClient, method: str, path: str, body: dict | None = None):
    return getattr(client, method.lower())(path, body, format="json") if body is not None \
        else getattr(client, method.lower())(path)


# Every write a board has, as (method, path template, body); {board}, {run} are filled in.
WRITES = [
    ("PUT", "/api/boards/{board}/", lambda doc: {"version": 1, "document": {**doc, "title": "changed"}}),
    ("PATCH", "/api/boards/{board}/", lambda doc: {"version": 1, "document": {"title": "changed"}}),
    ("DELETE", "/api/boards/{board}/", None),
    ("POST", "/api/boards/{board}/versions/1/restore/", lambda doc: {}),
    ("POST", "/api/boards/{board}/runs/", lambda doc: {"requests": 1000}),
    ("POST", "/api/boards/{board}/sweeps/", lambda doc: {}),
    ("POST", "/api/boards/{board}/rightsize/", lambda doc: {}),
    ("POST", "/api/runs/{run}/cancel/", lambda doc: {}),
    ("POST", "/api/boards/{board}/regenerate-token/", lambda doc: {"role": "view"}),
]
READS = [
    "/api/boards/{board}/", "/api/boards/{board}/versions/", "/api/boards/{board}/versions/1/",
    "/api/boards/{board}/runs/", "/api/runs/{run}/", "/api/sweeps/{sweep}/",
    "/api/boards/{board}/export.json", "/api/boards/{board}/export.py", "/api/boards/{board}/report.md",
]
EVERY_ENDPOINT = [("GET", path, None) for path in READS + ["/api/boards/{board}/export.png"]] + WRITES


def fill(path: str, board, run, sweep) -> str:
    return path.format(board=board.pk, run=run.pk, sweep=sweep.pk)


def test_create_answers_both_links_with_strong_distinct_tokens(api):
    response = api.post("/api/boards/", {"title": "Shared"}, format="json")
    body = response.json()
    assert response.status_code == 201
    assert body["role"] == "edit" and body["owner"] is True
    assert body["edit_url"] == f"http://testserver/b/{body['id']}/#token={body['edit_token']}"
    assert body["view_url"] == f"http://testserver/b/{body['id']}/#token={body['view_token']}"
    # token_urlsafe(32): 32 random bytes, 43 URL-safe characters.
    for token in (body["edit_token"], body["view_token"]):
        assert re.fullmatch(r"[A-Za-z0-9_-]{43}", token)
    assert body["edit_token"] != body["view_token"]


def test_import_answers_both_links(api, document):
    body = api.post("/api/boards/import/", document, format="json").json()
    stored = Board.objects.get(pk=body["id"])
    assert (body["edit_token"], body["view_token"]) == (stored.edit_token, stored.view_token)


def test_a_board_from_a_template_answers_both_links(api):
    from simulator.casestudies import case_study_ids

    body = api.post("/api/boards/", {"template": case_study_ids()[0]}, format="json").json()
    stored = Board.objects.get(pk=body["id"])
    assert (body["edit_token"], body["view_token"]) == (stored.edit_token, stored.view_token)
    assert body["edit_url"].endswith(f"#token={stored.edit_token}")


def test_every_existing_board_gets_its_own_tokens_from_the_migration(document):
    first, second = board_create(document=document), board_create(document=document)
    Board.objects.update(edit_token="same", view_token="same")
    migration = importlib.import_module("architectures.migrations.0003_board_tokens")
    migration.fill_tokens(django_apps, None)
    tokens = [token for board in Board.objects.filter(pk__in=[first.pk, second.pk])
              for token in (board.edit_token, board.view_token)]
    assert len(set(tokens)) == 4 and "same" not in tokens


@pytest.mark.parametrize("method,path,body", WRITES, ids=[f"{m} {p}" for m, p, _ in WRITES])
def test_view_token_cannot_write(method, path, body, board, run, sweep, document):
    response = call(with_token(board.view_token), method, fill(path, board, run, sweep),
                    body(document) if body else None)
    assert response.status_code == 403
    assert response.json()["detail"] == "This link can only view the board."
    assert response.json()["errors"] == [{"path": "", "message": "a view link cannot change the board or start runs"}]
    stored = Board.objects.get(pk=board.pk)
    assert (stored.version, stored.title, stored.view_token) == (1, board.title, board.view_token)
    assert SimulationRun.objects.filter(board=board).count() == 1 and Sweep.objects.filter(board=board).count() == 1
    assert SimulationRun.objects.get(pk=run.pk).status == SimulationRun.QUEUED


@pytest.mark.parametrize("path", READS)
def test_view_token_reads_the_board_its_runs_and_exports(path, board, run, sweep):
    response = with_token(board.view_token).get(fill(path, board, run, sweep))
    assert response.status_code == 200


def test_view_token_sees_the_view_link_but_not_the_edit_link(board):
    body = with_token(board.view_token).get(f"/api/boards/{board.pk}/").json()
    assert body["role"] == "view" and body["owner"] is False
    assert body["view_token"] == board.view_token
    assert "edit_token" not in body and "edit_url" not in body
    assert board.edit_token not in str(body)


@pytest.mark.parametrize("token", ["none", "wrong", "other board's"])
@pytest.mark.parametrize("method,path,body", EVERY_ENDPOINT, ids=[f"{m} {p}" for m, p, _ in EVERY_ENDPOINT])
def test_without_a_valid_token_a_board_answers_404(method, path, body, token, board, run, sweep, document):
    other = board_create(document=document)
    sent = {"none": None, "wrong": board.edit_token[:-2] + "xx", "other board's": other.edit_token}[token]
    response = call(with_token(sent), method, fill(path, board, run, sweep), body(document) if body else None)
    assert response.status_code == 404
    assert Board.objects.get(pk=board.pk).version == 1


def test_no_token_and_an_unknown_board_answer_the_same(board):
    unknown = APIClient().get(f"/api/boards/{UNKNOWN}/")
    hidden = APIClient().get(f"/api/boards/{board.pk}/")
    assert unknown.status_code == hidden.status_code == 404
    assert unknown.json() == hidden.json() == NOT_FOUND


def test_run_detail_needs_the_token_of_the_runs_board(board, run, document):
    other = board_create(document=document)
    assert with_token(None).get(f"/api/runs/{run.pk}/").status_code == 404
    assert with_token(other.edit_token).get(f"/api/runs/{run.pk}/").status_code == 404
    assert with_token(board.view_token).get(f"/api/runs/{run.pk}/").json()["id"] == str(run.pk)


@pytest.mark.parametrize("role", ["edit", "view"])
def test_regenerated_token_stops_working_at_once(role, board):
    old = getattr(board, f"{role}_token")
    response = with_token(board.edit_token).post(f"/api/boards/{board.pk}/regenerate-token/", {"role": role},
                                                format="json")
    assert response.status_code == 200
    new = response.json()[f"{role}_token"]
    assert new != old and new == getattr(Board.objects.get(pk=board.pk), f"{role}_token")
    assert with_token(old).get(f"/api/boards/{board.pk}/").status_code == 404
    assert with_token(new).get(f"/api/boards/{board.pk}/").json()["role"] == role


def test_regenerate_refuses_an_unknown_role(board):
    response = with_token(board.edit_token).post(f"/api/boards/{board.pk}/regenerate-token/", {"role": "admin"},
                                                format="json")
    assert response.status_code == 400
    assert [error["path"] for error in response.json()["errors"]] == ["role"]


def test_tokens_are_compared_in_constant_time(board):
    with mock.patch("architectures.access.hmac.compare_digest", wraps=hmac.compare_digest) as compare:
        assert with_token(board.view_token).get(f"/api/boards/{board.pk}/").status_code == 200
    compared = [call_args.args for call_args in compare.call_args_list]
    assert (board.view_token.encode(), board.view_token.encode()) in compared
    assert (board.view_token.encode(), board.edit_token.encode()) in compared


# ---- accounts ----

@pytest.fixture
def user():
    return get_user_model().objects.create_user("ada", password="a long enough password")


def logged_in(user, enforce_csrf: bool = True) -> APIClient:
    client = APIClient(enforce_csrf_checks=enforce_csrf)
    client.force_login(user)
    return client


def csrf_token(client: APIClient) -> str:
    client.get("/")  # the landing page sets the CSRF cookie
    return client.cookies["csrftoken"].value


def test_a_logged_in_user_owns_the_boards_they_create_and_opens_them_without_a_token(user):
    client = logged_in(user)
    response = client.post("/api/boards/", {"title": "Mine"}, format="json", HTTP_X_CSRFTOKEN=csrf_token(client))
    assert response.status_code == 201
    board = Board.objects.get(pk=response.json()["id"])
    assert board.owner == user
    body = client.get(f"/api/boards/{board.pk}/").json()
    assert (body["role"], body["owner"], body["edit_token"]) == ("edit", True, board.edit_token)
    stranger = get_user_model().objects.create_user("bob", password="a long enough password")
    assert logged_in(stranger).get(f"/api/boards/{board.pk}/").status_code == 404


def test_session_writes_without_the_csrf_token_are_refused(user):
    client = logged_in(user)
    response = client.post("/api/boards/", {"title": "Mine"}, format="json")
    assert response.status_code == 403
    assert response.json()["detail"].startswith("CSRF Failed")
    assert response.json()["errors"][0]["message"].startswith("CSRF Failed")
    assert not Board.objects.filter(owner=user).exists()


def test_token_only_writes_need_no_csrf_token(board, document):
    client = APIClient(enforce_csrf_checks=True)
    response = client.put(f"/api/boards/{board.pk}/", {"version": 1, "document": {**document, "title": "v2"}},
                          format="json", HTTP_X_BOARD_TOKEN=board.edit_token)
    assert response.status_code == 200 and response.json()["version"] == 2


def test_on_an_account_board_only_the_account_regenerates_links(user, document):
    board = board_create(document=document, owner=user)
    response = with_token(board.edit_token).post(f"/api/boards/{board.pk}/regenerate-token/", {"role": "view"},
                                                format="json")
    assert response.status_code == 403 and response.json()["detail"] == "Only the board's owner can do this."
    assert with_token(board.edit_token).get(f"/api/boards/{board.pk}/").json()["owner"] is False
    client = logged_in(user)
    response = client.post(f"/api/boards/{board.pk}/regenerate-token/", {"role": "view"}, format="json",
                           HTTP_X_CSRFTOKEN=csrf_token(client))
    assert response.status_code == 200 and response.json()["view_token"] != board.view_token


# ---- tokens stay out of logs ----

def test_tokens_are_not_in_log_records(board, caplog):
    caplog.set_level("DEBUG")
    caplog.set_level("DEBUG", logger="django.request")  # the project's settings log only its errors
    with_token(board.view_token).put(f"/api/boards/{board.pk}/", {"version": 1, "document": {}}, format="json")
    with_token(board.edit_token + "x").get(f"/api/boards/{board.pk}/")
    assert caplog.records  # the 403 and the 404 are logged by django.request...
    assert board.view_token not in caplog.text and board.edit_token not in caplog.text  # ...without the header


def test_error_reports_hide_the_token_header(board):
    request = RequestFactory().get(f"/api/boards/{board.pk}/", HTTP_X_BOARD_TOKEN=board.edit_token)
    meta = SafeExceptionReporterFilter().get_safe_request_meta(request)
    assert meta["HTTP_X_BOARD_TOKEN"] != board.edit_token and set(meta["HTTP_X_BOARD_TOKEN"]) == {"*"}
