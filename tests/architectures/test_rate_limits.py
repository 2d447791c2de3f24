"""Per-client write rate limits: 429 with Retry-After and a located error; reads and other clients go on."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


@pytest.fixture
def board(api, document) -> dict:
    response = api.post("/api/boards/", {"document": document}, format="json")
    assert response.status_code == 201
    return response.json()


def test_writes_over_the_rate_get_429_with_retry_after(api, board, settings):
    settings.WRITE_RATE_LIMIT = "5/min"
    version = board["version"]
    answers = []
    for _ in range(6):
        response = api.patch(f"/api/boards/{board['id']}/", {"version": version, "document": {"title": f"t{version}"}},
                             format="json")
        answers.append(response.status_code)
        if response.status_code == 200:
            version = response.json()["version"]
    # The create above counted as a write too.
    assert answers == [200, 200, 200, 200, 429, 429]
    refused = api.patch(f"/api/boards/{board['id']}/", {"version": version, "document": {"title": "late"}}, format="json")
    assert refused.status_code == 429
    assert 0 < int(refused.headers["Retry-After"]) <= 60
    body = refused.json()
    assert "throttled" in body["detail"] and body["errors"][0]["path"] == ""
    # Nothing refused was stored; reads still answer.
    stored = api.get(f"/api/boards/{board['id']}/")
    assert stored.status_code == 200 and stored.json()["version"] == version
    assert stored.json()["title"] == f"t{version - 1}"


def test_the_limit_counts_each_client_apart(api, board, settings):
    settings.WRITE_RATE_LIMIT = "2/min"
    assert api.post("/api/boards/", {}, format="json").status_code == 201
    assert api.post("/api/boards/", {}, format="json").status_code == 429
    other = api.post("/api/boards/", {}, format="json", REMOTE_ADDR="10.0.0.7")
    assert other.status_code == 201


def test_an_empty_limit_turns_it_off(api, board, settings):
    settings.WRITE_RATE_LIMIT = ""
    assert all(api.post("/api/boards/", {}, format="json").status_code == 201 for _ in range(20))
