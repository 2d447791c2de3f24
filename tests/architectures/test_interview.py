"""Mock-interview sessions over REST: the server's clock and steps, curveballs, ratings, roles and the replay."""

from __future__ import annotations

from datetime import timedelta

import pytest
from rest_framework.test import APIClient

from architectures.interview_models import InterviewSession
from architectures.live_edits import board_apply_ops
from architectures.models import Board, BoardVersion

pytestmark = pytest.mark.django_db

KEY = "HTTP_X_INTERVIEWER_KEY"


def url(board: Board, tail: str = "") -> str:
    return f"/api/boards/{board.pk}/interview/{tail}"


@pytest.fixture
def board(api) -> Board:
    answer = api.post("/api/boards/", {"template": "ad_click"}, format="json")
    return Board.objects.get(pk=answer.json()["id"])


@pytest.fixture
def observer(board) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_X_BOARD_TOKEN=board.view_token)
    return client


@pytest.fixture
def key(api, board) -> str:
    answer = api.post(url(board), {}, format="json")
    assert answer.status_code == 201, answer.json()
    assert answer.json()["you"] == "interviewer"
    return answer.json()["interviewer_key"]


def shift_start(board: Board, seconds: float) -> None:
    """Make the session look as if it started `seconds` earlier (the clock reads real time)."""
    session = InterviewSession.objects.get(board=board)
    session.started_at -= timedelta(seconds=seconds)
    if session.paused_at:
        session.paused_at -= timedelta(seconds=seconds)
    session.save()


def test_the_clock_is_the_servers_and_every_role_reads_the_same_time(api, board, key, observer):
    shift_start(board, 100)
    readings = [api.get(url(board), **{KEY: key}).json(), api.get(url(board)).json(), observer.get(url(board)).json()]

    assert [r["you"] for r in readings] == ["interviewer", "candidate", "observer"]
    for reading in readings:
        session = reading["session"]
        assert 100 <= session["elapsed_s"] < 101.5 and session["paused"] is False
        assert session["step"] == "requirements" and session["step_index"] == 0 and session["total_s"] == 2700
        assert [s["suggested_s"] for s in session["steps"]] == [300, 300, 300, 480, 300, 720, 300]
        assert reading["now"] and session["started_at"]
    assert api.post(url(board), {}, format="json").status_code == 409  # one session per board


def test_pause_stops_the_clock_and_resume_keeps_the_paused_time_out(api, board, key):
    shift_start(board, 100)
    assert api.post(url(board, "pause/"), **{KEY: key}).status_code == 200
    shift_start(board, 30)  # 30 s pass while paused
    paused = api.get(url(board)).json()["session"]
    assert paused["paused"] and 100 <= paused["elapsed_s"] < 101.5
    assert api.post(url(board, "pause/"), **{KEY: key}).status_code == 409

    resumed = api.post(url(board, "resume/"), **{KEY: key}).json()["session"]
    assert not resumed["paused"] and 29.5 < resumed["paused_total_s"] < 31.5
    assert 100 <= resumed["elapsed_s"] < 101.5
    assert [e["kind"] for e in resumed["timeline"]] == ["start", "pause", "resume"]
    assert api.post(url(board, "resume/"), **{KEY: key}).status_code == 409


def test_steps_advance_with_their_times_and_a_late_joiner_sees_them(api, board, key, observer):
    shift_start(board, 250)
    data = api.post(url(board, "next-step/"), {}, format="json", **{KEY: key}).json()["session"]
    assert data["step"] == "data" and 250 <= data["step_started_s"] < 251.5
    jumped = api.post(url(board, "next-step/"), {"step": "serving"}, format="json", **{KEY: key})
    assert jumped.json()["session"]["step"] == "serving"
    bad = api.post(url(board, "next-step/"), {"step": "lunch"}, format="json", **{KEY: key})
    assert bad.status_code == 400 and bad.json()["errors"][0]["path"] == "step"

    late = observer.get(url(board)).json()["session"]
    steps = {s["name"]: s for s in late["steps"]}
    assert late["step"] == "serving" and steps["requirements"]["ended_s"] == steps["data"]["started_s"]
    assert steps["model"]["started_s"] is None
    assert [e["data"] for e in late["timeline"] if e["kind"] == "step"] == [
        {"from": "requirements", "to": "data"}, {"from": "data", "to": "serving"}]

    ended = api.post(url(board, "end/"), **{KEY: key}).json()["session"]
    assert ended["status"] == "ended" and ended["ended_at"]
    assert api.post(url(board, "pause/"), **{KEY: key}).status_code == 409
    # A new session may start once the last one ended.
    assert api.post(url(board), {}, format="json").status_code == 201


def test_only_the_interviewer_controls_the_session(api, board, key, observer):
    for tail in ("pause/", "next-step/", "end/", "curveballs/feature_store_down/play/"):
        refused = api.post(url(board, tail), {}, format="json")
        assert refused.status_code == 403, tail
        assert refused.json()["errors"][0]["path"] == "X-Interviewer-Key"
        assert api.post(url(board, tail), {}, format="json", **{KEY: "not-the-key"}).status_code == 403
        assert observer.post(url(board, tail), {}, format="json", **{KEY: key}).status_code == 403
    assert api.put(url(board, "ratings/"), {"model": {"score": 3}}, format="json").status_code == 403
    assert observer.post(url(board), {}, format="json").status_code == 403  # a view link starts nothing
    assert APIClient().get(url(board)).status_code == 404  # without a link the board does not exist
    assert api.get(url(board)).json()["session"]["timeline"][-1]["kind"] == "start"


def test_curveballs_stay_hidden_until_played_and_play_as_one_undoable_live_edit(api, board, key, observer):
    deck = api.get(url(board), **{KEY: key}).json()["session"]["curveballs"]
    assert [card["id"] for card in deck][:2] == ["feature_store_down", "auction_40ms"]
    assert all("undo_ops" not in card for card in deck)
    assert api.get(url(board)).json()["session"]["curveballs"] == []
    assert observer.get(url(board)).json()["session"]["curveballs"] == []

    version = Board.objects.get(pk=board.pk).version
    played = api.post(url(board, "curveballs/feature_store_down/play/"), **{KEY: key}).json()
    assert played["version"] == version + 1
    stored = Board.objects.get(pk=board.pk)
    fault = next(f for f in stored.document["faults"] if f["id"] == "curveball_feature_store_down")
    assert fault["type"] == "outage" and fault["target"] == "fs"
    assert BoardVersion.objects.get(board=board, number=version + 1).live
    seen = api.get(url(board)).json()["session"]
    assert [card["id"] for card in seen["curveballs"]] == ["feature_store_down"]
    assert seen["timeline"][-1]["kind"] == "curveball.play" and seen["timeline"][-1]["board_version"] == version + 1
    assert api.post(url(board, "curveballs/feature_store_down/play/"), **{KEY: key}).status_code == 409

    api.post(url(board, "curveballs/auction_40ms/play/"), **{KEY: key})
    assert Board.objects.get(pk=board.pk).document["requirements"]["p99_ms"] == 40
    undone = api.post(url(board, "curveballs/auction_40ms/undo/"), **{KEY: key}).json()
    assert undone["version"] == version + 3
    api.post(url(board, "curveballs/feature_store_down/undo/"), **{KEY: key})
    stored = Board.objects.get(pk=board.pk)
    assert stored.document["requirements"]["p99_ms"] == 60
    assert not any(f["id"].startswith("curveball_") for f in stored.document.get("faults") or [])
    assert [e["kind"] for e in api.get(url(board)).json()["session"]["timeline"]] == [
        "start", "curveball.play", "curveball.play", "curveball.undo", "curveball.undo"]
    assert api.post(url(board, "curveballs/auction_40ms/undo/"), **{KEY: key}).status_code == 409


def test_an_interviewers_own_curveball_is_checked_and_a_misfit_changes_nothing(api, board, key):
    bad = api.post(url(board, "curveballs/"), {"title": "", "change": {
        "requirements": {"peak_rps": {"times": -1}, "speed": 3}, "traffic": {"arrival": {"times": 2}},
        "fault": {"type": "meteor"}, "mood": 1}}, format="json", **{KEY: key})
    assert bad.status_code == 400
    assert sorted(e["path"] for e in bad.json()["errors"]) == [
        "change.fault.target", "change.fault.type", "change.mood", "change.requirements.peak_rps.times",
        "change.requirements.speed", "change.traffic.arrival", "title"]

    made = api.post(url(board, "curveballs/"), {"title": "Ranker is gone", "prompt": "What now?", "change": {
        "fault": {"type": "outage", "target": "no_such_node", "at_s": 2, "duration_s": 3}}},
        format="json", **{KEY: key})
    assert made.status_code == 201
    card = made.json()["session"]["curveballs"][-1]
    assert card["id"] == "ranker_is_gone" and card["source"] == "interviewer" and card["played_at"] is None
    assert api.get(url(board)).json()["session"]["curveballs"] == []  # hidden from the candidate

    version = Board.objects.get(pk=board.pk).version
    refused = api.post(url(board, "curveballs/ranker_is_gone/play/"), **{KEY: key})
    assert refused.status_code == 400 and refused.json()["errors"][0]["path"].startswith("faults[")
    assert Board.objects.get(pk=board.pk).version == version
    assert api.get(url(board), **{KEY: key}).json()["session"]["curveballs"][-1]["played_at"] is None


def test_ratings_are_validated_and_hidden_from_the_others_until_the_end(api, board, key, observer):
    bad = api.put(url(board, "ratings/"), {"model": {"score": 5}, "lunch": {"score": 1},
                                           "data": {"score": True, "comment": 3}}, format="json", **{KEY: key})
    assert bad.status_code == 400
    assert sorted(e["path"] for e in bad.json()["errors"]) == ["data.comment", "data.score", "lunch", "model.score"]

    rated = api.put(url(board, "ratings/"), {"model": {"score": 3, "comment": "Named the model, no trade-off"}},
                    format="json", **{KEY: key})
    assert rated.json()["session"]["ratings"] == {"model": {"score": 3, "comment": "Named the model, no trade-off"}}
    api.put(url(board, "ratings/"), {"model": {"score": 4}}, format="json", **{KEY: key})
    for client in (api, observer):
        assert client.get(url(board)).json()["session"]["ratings"] is None
        card = client.get(url(board, "scorecard/")).json()
        assert card["ratings_visible"] is False and all(step["rating"] is None for step in card["steps"])
    mine = api.get(url(board, "scorecard/"), **{KEY: key}).json()
    assert next(s for s in mine["steps"] if s["step"] == "model")["rating"] == {
        "score": 4, "comment": "Named the model, no trade-off"}

    api.post(url(board, "end/"), **{KEY: key})
    after = observer.get(url(board, "scorecard/")).json()
    assert after["ratings_visible"] and next(s for s in after["steps"] if s["step"] == "model")["rating"]["score"] == 4


def test_replay_lists_versions_oldest_first_with_documents_runs_and_events(api, board, key):
    api.post(url(board, "curveballs/auction_40ms/play/"), **{KEY: key})
    board_apply_ops(board_id=board.pk, ops=[{"op": "node.update", "id": "ms", "patch": {"config": {"replicas": 5}}}])
    answer = api.get(url(board, "replay/")).json()
    numbers = [v["number"] for v in answer["versions"]]
    assert numbers[0] == 1 and numbers == sorted(numbers)
    assert answer["versions"][0]["document"]["requirements"]["p99_ms"] == 60
    last = answer["versions"][-1]["document"]
    assert last["requirements"]["p99_ms"] == 40
    assert next(n for n in last["nodes"] if n["id"] == "ms")["config"]["replicas"] == 5
    assert [e["kind"] for e in answer["events"]] == ["start", "curveball.play"]
    assert answer["runs"] == [] and answer["you"] == "candidate"
    # The play and the fix share one live history entry (version 3); the play's event kept version 2,
    # which comes between them, and the live entry is placed at the fix that reached version 3.
    assert [(v["number"], v["source"]) for v in answer["versions"]] == [(1, "history"), (2, "event"), (3, "history")]
    (snapshot,) = answer["snapshots"]
    assert snapshot == answer["versions"][1]
    assert snapshot["document"]["requirements"]["p99_ms"] == 40
    assert next(n for n in snapshot["document"]["nodes"] if n["id"] == "ms")["config"]["replicas"] == 3
    assert answer["versions"][2]["at"] > snapshot["at"] >= answer["versions"][2]["began_at"]


def test_a_board_without_a_session_answers_null(api, document):
    board = Board.objects.get(pk=api.post("/api/boards/", {"document": document}, format="json").json()["id"])
    assert api.get(url(board)).json()["session"] is None
    assert api.get(url(board, "scorecard/")).status_code == 409
    assert api.post(url(board, "pause/")).status_code == 409
    refused = api.post(url(board), {"template": "nope"}, format="json")
    assert refused.status_code == 400 and refused.json()["errors"][0]["path"] == "template"
    # Its title matches no template: the deck is the one asked for, then the generic cards.
    started = api.post(url(board), {"template": "visual_search"}, format="json").json()["session"]
    assert [card["id"] for card in started["curveballs"]] == [
        "traffic_triples", "knn_replica_lost", "budget_cut", "bursty_traffic", "cold_start"]


def test_the_interview_api_is_in_the_openapi_schema(api):
    schema = api.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    paths = schema["paths"]
    for tail in ("", "{action}/", "curveballs/", "curveballs/{card_id}/{action}/", "ratings/", "scorecard/",
                 "replay/"):
        operations = paths[f"/api/boards/{{board_id}}/interview/{tail}"]
        assert all(op["tags"] == ["interview"] for op in operations.values())
    parameters = paths["/api/boards/{board_id}/interview/{action}/"]["post"]["parameters"]
    assert any(p["name"] == "X-Interviewer-Key" and p["in"] == "header" for p in parameters)
    action = next(p for p in parameters if p["name"] == "action")
    assert sorted(action["schema"]["enum"]) == ["end", "next-step", "pause", "resume"]
    answer = schema["components"]["schemas"]["SessionAnswer"]["properties"]
    assert {"now", "you", "session", "interviewer_key", "version"} <= set(answer)
    assert schema["components"]["schemas"]["YouEnum"]["enum"] == ["interviewer", "candidate", "observer"]



def test_an_editor_may_end_a_session_whose_key_was_lost_after_three_hours(api, board, key, observer):
    shift_start(board, 2 * 3600)
    assert api.post(url(board, "end/")).status_code == 403
    shift_start(board, 3600)
    assert observer.post(url(board, "end/")).status_code == 403
    assert api.post(url(board, "pause/")).status_code == 403  # only ending is open to the others
    ended = api.post(url(board, "end/"))
    assert ended.status_code == 200 and ended.json()["session"]["status"] == "ended"
