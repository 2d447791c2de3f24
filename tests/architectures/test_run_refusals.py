"""A run that could not start is refused with 400 at its field, before anything is queued."""

from __future__ import annotations

import pytest

from architectures.models import SimulationRun

pytestmark = pytest.mark.django_db


def _board(api, document) -> str:
    response = api.post("/api/boards/", {"document": document}, format="json")
    assert response.status_code == 201
    return response.json()["id"]


def test_board_with_nothing_on_the_request_path_is_refused_at_nodes(api, document):
    document["nodes"] = [{"id": "train", "kind": "training_pipeline", "label": "Training"},
                         {"id": "mon", "kind": "monitor", "label": "Monitor"}]
    document["edges"] = []
    board_id = _board(api, document)
    response = api.post(f"/api/boards/{board_id}/runs/", {}, format="json")
    assert response.status_code == 400
    assert response.json()["errors"] == [{"path": "nodes", "message": "the board has no request-path component to send traffic to"}]
    assert not SimulationRun.objects.filter(board_id=board_id).exists()


def test_warm_up_as_long_as_the_run_is_refused_at_the_warm_up(api, document):
    document["traffic"].update(duration_s=4, warmup_s=5)
    board_id = _board(api, document)
    response = api.post(f"/api/boards/{board_id}/runs/", {}, format="json")
    assert response.status_code == 400
    [error] = response.json()["errors"]
    assert error["path"] == "traffic.warmup_s" and "covers the whole run" in error["message"]
    assert not SimulationRun.objects.filter(board_id=board_id).exists()


def test_requested_duration_over_the_limit_is_refused_at_duration_s(api, document):
    board_id = _board(api, document)
    response = api.post(f"/api/boards/{board_id}/runs/", {"duration_s": 86_000}, format="json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["path"] == "duration_s"
