"""Simulation runs end to end: a real Redis, a real Celery worker, the API and the board WebSocket."""

from __future__ import annotations

import copy
import time

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from rest_framework.test import APIClient

import simulator
from architectures.models import SimulationRun
from architectures.services import board_create
from whiteboard.asgi import application
from tests.access import BoardTokenClient, socket_protocols

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.integration]

HEADERS = [(b"origin", b"http://127.0.0.1:8000"), (b"host", b"127.0.0.1:8000")]


def stable_board(document: dict, rps: float = 300) -> dict:
    """The sample chain at a load it carries: gateway, feature store, model server, async log."""
    doc = copy.deepcopy(document)
    doc["traffic"]["rps"] = rps
    doc["requirements"] = {"peak_rps": rps, "p99_ms": 200, "monthly_budget_usd": None}
    for node in doc["nodes"]:
        if node["id"] == "ms":
            node["config"] = {"replicas": 4, "model": None, "max_batch_size": 1,
                              "service_time": {"dist": "exponential", "mean_ms": 5}}
    return doc


def wait_for_run(api: APIClient, run_id: str, timeout: float = 90) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        run = api.get(f"/api/runs/{run_id}/").json()
        if run["status"] not in ("queued", "running"):
            return run
        time.sleep(0.2)
    raise AssertionError(f"run {run_id} still {run['status']} after {timeout} s")


def test_run_goes_queued_then_succeeded_with_results_stored(celery_worker, document):
    api = BoardTokenClient()
    board = board_create(document=stable_board(document))
    response = api.post(f"/api/boards/{board.pk}/runs/", {"seed": 7, "requests": 20_000}, format="json")
    assert response.status_code == 202
    assert response.json()["status"] == "queued"
    run = wait_for_run(api, response.json()["id"])
    assert run["status"] == "succeeded", run["error"]
    assert run["progress"] == 1.0 and run["started_at"] and run["finished_at"]
    results = run["results"]
    assert results["requests"]["arrived"] == results["requests"]["completed"] + results["requests"]["dropped"] \
        + results["requests"]["in_flight"]
    assert results["latency_ms"]["p99"] > results["latency_ms"]["p50"] > 0
    # The stored results are exactly what the simulator gives for this snapshot and seed.
    stored = SimulationRun.objects.get(pk=run["id"])
    assert stored.document == board.document and stored.seed == 7
    again = simulator.run(stored.document, seed=7, requests=20_000).to_dict()
    assert again["latency_ms"] == results["latency_ms"]
    listed = api.get(f"/api/boards/{board.pk}/runs/").json()
    assert [item["id"] for item in listed] == [run["id"]] and "results" not in listed[0]


@pytest.mark.asyncio
async def test_progress_and_result_reach_a_websocket_viewer(celery_worker, document):
    board = await sync_to_async(board_create)(document=stable_board(document, rps=1000))
    viewer = WebsocketCommunicator(application, f"/ws/boards/{board.pk}/", headers=HEADERS,
                                   subprotocols=socket_protocols(board.edit_token))
    assert (await viewer.connect())[0]
    assert (await viewer.receive_json_from(timeout=5))["type"] == "hello"
    response = await sync_to_async(BoardTokenClient().post)(f"/api/boards/{board.pk}/runs/",
                                                     {"requests": 400_000}, format="json")
    run_id = response.json()["id"]
    events, started = [], time.monotonic()
    while True:
        event = await viewer.receive_json_from(timeout=90)
        events.append(event)
        if event["type"] == "run.finished":
            break
    elapsed = time.monotonic() - started
    kinds = [event["type"] for event in events]
    assert kinds[0] == "run.queued" and "run.started" in kinds
    progress = [event["progress"] for event in events if event["type"] == "run.progress"]
    assert progress, kinds
    assert progress == sorted(progress) and all(0 <= p <= 1 for p in progress)
    assert len(progress) <= 10 * elapsed + 1  # at most 10 progress messages a second
    final = events[-1]["run"]
    assert final["id"] == run_id and final["status"] == "succeeded"
    assert final["results"]["requests"]["arrived"] > 0
    await viewer.disconnect()


@pytest.mark.asyncio
async def test_client_joining_mid_run_first_gets_the_runs_current_state(celery_worker, document):
    board = await sync_to_async(board_create)(document=stable_board(document, rps=1000))
    response = await sync_to_async(BoardTokenClient().post)(f"/api/boards/{board.pk}/runs/",
                                                     {"requests": 2_000_000}, format="json")
    run_id = response.json()["id"]
    for _ in range(300):
        run = await sync_to_async(SimulationRun.objects.get)(pk=run_id)
        if run.status == "running":
            break
        time.sleep(0.1)
    late = WebsocketCommunicator(application, f"/ws/boards/{board.pk}/", headers=HEADERS,
                                   subprotocols=socket_protocols(board.edit_token))
    assert (await late.connect())[0]
    hello = await late.receive_json_from(timeout=5)
    assert [r["id"] for r in hello["active_runs"]] == [run_id]
    assert hello["active_runs"][0]["status"] == "running"
    await sync_to_async(BoardTokenClient().post)(f"/api/runs/{run_id}/cancel/")
    await late.disconnect()


def test_cancel_stops_a_running_run(celery_worker, document):
    api = BoardTokenClient()
    board = board_create(document=stable_board(document, rps=1000))
    run_id = api.post(f"/api/boards/{board.pk}/runs/", {"requests": 5_000_000}, format="json").json()["id"]
    deadline = time.monotonic() + 60
    while SimulationRun.objects.get(pk=run_id).status != "running" and time.monotonic() < deadline:
        time.sleep(0.1)
    response = api.post(f"/api/runs/{run_id}/cancel/")
    assert response.status_code == 200 and response.json()["status"] == "cancelled"
    time.sleep(3)  # the worker notices within about a second and stops without overwriting the status
    run = SimulationRun.objects.get(pk=run_id)
    assert run.status == "cancelled" and run.results is None and run.progress < 1.0


def test_cancel_of_a_queued_run_means_it_never_runs(document, redis_url):
    api = BoardTokenClient()
    board = board_create(document=stable_board(document))
    run = SimulationRun.objects.create(board=board, board_version=1, document=board.document, seed=1, requests=1000)
    assert api.post(f"/api/runs/{run.id}/cancel/").json()["status"] == "cancelled"
    from architectures.runs import run_execute

    assert run_execute(run_id=run.id) == "cancelled"
    run.refresh_from_db()
    assert run.started_at is None and run.results is None


def test_too_many_active_runs_answers_429_with_retry_after(api, document, settings, redis_url):
    settings.MAX_ACTIVE_RUNS_PER_CLIENT = 2
    board = board_create(document=stable_board(document))
    for _ in range(2):
        SimulationRun.objects.create(board=board, board_version=1, document=board.document, seed=1,
                                     requests=1000, client="127.0.0.1", status="running")
    response = api.post(f"/api/boards/{board.pk}/runs/", {}, format="json")
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert SimulationRun.objects.filter(board=board).count() == 2


@pytest.mark.parametrize("body,path", [({"requests": 0}, "requests"), ({"requests": 25_000_000}, "requests"),
                                       ({"duration_s": 86_400}, "duration_s"), ({"seed": -1}, "seed"),
                                       ({"requests": 10, "duration_s": 5}, "requests")])
def test_bad_run_request_is_400_with_path_and_no_run(api, document, body, path):
    board = board_create(document=stable_board(document))
    response = api.post(f"/api/boards/{board.pk}/runs/", body, format="json")
    assert response.status_code == 400, response.json()
    assert response.json()["errors"][0]["path"] == path
    assert not SimulationRun.objects.exists()


def test_unknown_run_is_404(api):
    assert api.get("/api/runs/00000000-0000-4000-8000-000000000000/").status_code == 404
    assert api.post("/api/runs/nope/cancel/").status_code == 404
