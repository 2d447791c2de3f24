"""Load curves and right-sizing fan runs out to a real worker and join them with a chord."""

from __future__ import annotations

import time

import pytest
from rest_framework.test import APIClient

from architectures.models import SimulationRun
from architectures.services import board_create
from architectures.sweeps import scaled, shrink_candidates
from tests.access import BoardTokenClient
from tests.architectures.test_runs_api import stable_board

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.integration]


def wait_for_sweep(api: APIClient, sweep_id: str, timeout: float = 240) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        sweep = api.get(f"/api/sweeps/{sweep_id}/").json()
        if sweep["status"] != "running":
            return sweep
        time.sleep(0.3)
    raise AssertionError(f"sweep still running after {timeout} s: {sweep}")


def test_load_curve_over_three_levels_returns_three_points_with_p99_rising(celery_worker, document):
    api = BoardTokenClient()
    board = board_create(document=stable_board(document, rps=300))
    response = api.post(f"/api/boards/{board.pk}/sweeps/", {"levels": [900, 150, 600], "requests": 20_000,
                                                             "seed": 5}, format="json")
    assert response.status_code == 202
    sweep = wait_for_sweep(api, response.json()["id"])
    assert sweep["status"] == "succeeded", sweep
    points = sweep["result"]["points"]
    assert [p["rps"] for p in points] == [150, 600, 900]
    p99 = [p["p99_ms"] for p in points]
    assert p99[0] < p99[1] < p99[2]
    # The highest level meeting the board's 200 ms P99 SLO is reported.
    passing = [p["rps"] for p in points if p["p99_ms"] <= 200 and p["drop_rate"] <= 0.001]
    assert sweep["result"]["max_rps_meeting_slo"] == max(passing)


def test_auto_levels_span_ten_to_one_hundred_fifty_percent_of_target(api, document, redis_url):
    board = board_create(document=stable_board(document, rps=400))
    response = api.post(f"/api/boards/{board.pk}/sweeps/", {"requests": 4_000}, format="json")  # 10 s at 400 req/s: past the 5 s warm-up
    assert response.json()["params"]["levels"] == [40, 100, 200, 300, 400, 500, 600]


@pytest.mark.parametrize("levels,path", [([], "levels"), ([100, -1], "levels[1]"), ("many", "levels")])
def test_bad_levels_are_400_with_path(api, document, levels, path):
    board = board_create(document=stable_board(document))
    response = api.post(f"/api/boards/{board.pk}/sweeps/", {"levels": levels}, format="json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["path"] == path


def test_rightsizing_returns_counts_whose_own_run_meets_the_slo(celery_worker, document):
    api = BoardTokenClient()
    doc = stable_board(document, rps=300)
    doc["requirements"]["p99_ms"] = 60
    for node in doc["nodes"]:  # generously over-provisioned to begin with
        if node["kind"] in ("gateway", "feature_store", "model_server"):
            node.setdefault("config", {})["replicas"] = 12
    board = board_create(document=doc)
    response = api.post(f"/api/boards/{board.pk}/rightsize/", {"requests": 20_000, "seed": 11}, format="json")
    assert response.status_code == 202
    sweep = wait_for_sweep(api, response.json()["id"])
    assert sweep["status"] == "succeeded", sweep
    result = sweep["result"]
    assert result["p99_ms"] <= 60
    assert sum(result["replicas"].values()) < 3 * 12  # it found something cheaper than the start
    # The configuration's own run, stored with its exact document, meets the SLO with no unstable node.
    run = SimulationRun.objects.get(pk=result["run_id"])
    configured = {n["id"]: n["config"]["replicas"] for n in run.document["nodes"] if n["id"] in result["replicas"]}
    assert configured == result["replicas"]
    assert run.results["latency_ms"]["p99"] <= 60
    assert not [w for w in run.results["warnings"] if w.get("code") == "unstable"]


def test_rightsize_without_a_p99_slo_is_400(api, document):
    doc = stable_board(document)
    doc["requirements"]["p99_ms"] = None
    board = board_create(document=doc)
    response = api.post(f"/api/boards/{board.pk}/rightsize/", {}, format="json")
    assert response.status_code == 400 and response.json()["errors"][0]["path"] == "p99_ms"


def test_search_steps_scale_and_shrink_replica_counts():
    assert scaled({"a": 3, "b": 1}, 0.5) == {"a": 2, "b": 1}
    assert scaled({"a": 3}, 4) == {"a": 12}
    assert shrink_candidates({"a": 8, "b": 1, "c": 2}) == [{"a": 6, "b": 1, "c": 2}, {"a": 8, "b": 1, "c": 1}]
