"""The interview scorecard: checks computed from the board and real simulation runs, curveballs answered, the report."""

from __future__ import annotations

import pytest
from django.utils import timezone

import simulator
from architectures.interview_curveballs import GENERIC, TEMPLATE_DECKS, change_ops
from architectures.live_edits import apply_ops, board_apply_ops
from architectures.models import Board, SimulationRun
from simulator.casestudies import case_study_ids, get_case_study
from simulator.catalog import blank_document
from simulator.validation import check_document

pytestmark = pytest.mark.django_db

KEY = "HTTP_X_INTERVIEWER_KEY"


def start(api, board: Board) -> str:
    return api.post(f"/api/boards/{board.pk}/interview/", {}, format="json").json()["interviewer_key"]


def scorecard(api, board: Board, **extra) -> dict:
    answer = api.get(f"/api/boards/{board.pk}/interview/scorecard/", **extra)
    assert answer.status_code == 200
    return answer.json()


def checks(card: dict) -> dict[str, dict]:
    return {f"{step['step']}:{check['id']}": check for step in card["steps"] for check in step["checks"]}


def run_now(board: Board) -> SimulationRun:
    """A real, short simulation of the board as stored now, recorded as a finished run."""
    board.refresh_from_db()
    results = simulator.run(board.document, seed=1, duration_s=4).to_dict()
    now = timezone.now()
    return SimulationRun.objects.create(board=board, board_version=board.version, document=board.document, seed=1,
                                        status=SimulationRun.SUCCEEDED, results=results, queued_at=now,
                                        started_at=now, finished_at=now)


def edit(board: Board, *ops: dict) -> None:
    board_apply_ops(board_id=board.pk, ops=list(ops))


@pytest.fixture
def ad_click(api) -> Board:
    return Board.objects.get(pk=api.post("/api/boards/", {"template": "ad_click"}, format="json").json()["id"])


def test_a_complete_template_passes_every_check_with_its_figures(api, ad_click):
    start(api, ad_click)
    before = checks(scorecard(api, ad_click))
    assert not before["serving:serving.p99_at_peak"]["passed"]
    assert before["serving:serving.p99_at_peak"]["reason"] == "no successful run yet: press Run"

    run_now(ad_click)
    card = scorecard(api, ad_click)
    found = checks(card)
    assert [step["step"] for step in card["steps"]] == ["requirements", "data", "features", "model", "evaluation",
                                                        "serving", "monitoring"]
    assert card["passed"] == card["total"] == len(found), [c for c in found.values() if not c["passed"]]
    assert found["requirements:requirements.numbers"]["reason"] == "peak 3,000 req/s, P99 60 ms, budget $3,000 a month"
    assert "P99 19.1 ms within 60 ms" in found["serving:serving.p99_at_peak"]["reason"]
    assert "$2,011 a month within $3,000" in found["serving:serving.budget"]["reason"]
    assert found["model:model.named"]["reason"] == "CTR model (distilled trees) serves ctr_gbdt_distilled"
    assert found["features:features.store"]["passed"] and found["monitoring:monitoring.training"]["passed"]


def test_an_empty_board_fails_its_checks_and_says_why(api):
    board = Board.objects.get(pk=api.post("/api/boards/", {"document": blank_document("Empty")},
                                          format="json").json()["id"])
    start(api, board)
    found = checks(scorecard(api, board))
    assert not any(check["passed"] for check in found.values())
    assert found["requirements:requirements.numbers"]["reason"] == \
        "not stated as numbers: peak rps, P99 SLO, monthly budget"
    assert found["data:notes"]["reason"] == "no notes for this step"
    assert found["monitoring:monitoring.monitor"]["reason"] == "no monitor is fed from the serving path"

    edit(board, {"op": "board.update", "patch": {"notes": {
        "features": "No feature store: every feature is precomputed nightly because the user set is small."}}})
    assert checks(scorecard(api, board))["features:features.store"]["passed"]


def test_a_played_curveball_is_answered_only_by_a_later_change_and_a_run_meeting_it(api, ad_click):
    key = start(api, ad_click)
    api.post(f"/api/boards/{ad_click.pk}/interview/curveballs/auction_40ms/play/", **{KEY: key})
    run_now(ad_click)  # a run of the card's own edit answers nothing
    verdict = checks(scorecard(api, ad_click))["requirements:curveball.auction_40ms"]
    assert verdict == {"id": "curveball.auction_40ms", "title": "The auction closes sooner", "passed": False,
                       "reason": "the board has not changed since the curveball"}

    edit(ad_click, {"op": "board.update", "patch": {"requirements": {"p99_ms": 60}}})  # wishing it away
    run_now(ad_click)
    verdict = checks(scorecard(api, ad_click))["requirements:curveball.auction_40ms"]
    assert not verdict["passed"] and "took back what the curveball changed" in verdict["reason"]

    edit(ad_click, {"op": "board.update", "patch": {"requirements": {"p99_ms": 40}}},
         {"op": "node.update", "id": "ms", "patch": {"config": {"replicas": 4}}})
    run_now(ad_click)
    verdict = checks(scorecard(api, ad_click))["requirements:curveball.auction_40ms"]
    assert verdict["passed"] and "meets it, P99" in verdict["reason"] and "within 40 ms" in verdict["reason"]
    shown = api.get(f"/api/boards/{ad_click.pk}/interview/").json()["session"]["curveballs"]
    assert shown[0]["answered"]["passed"] is True


def test_a_budget_cut_not_met_by_the_next_run_says_by_how_much(api, ad_click):
    key = start(api, ad_click)
    api.post(f"/api/boards/{ad_click.pk}/interview/curveballs/budget_cut/play/", **{KEY: key})
    assert Board.objects.get(pk=ad_click.pk).document["requirements"]["monthly_budget_usd"] == 2010
    edit(ad_click, {"op": "node.update", "id": "ms", "patch": {"label": "CTR model"}})
    run_now(ad_click)
    verdict = checks(scorecard(api, ad_click))["requirements:curveball.budget_cut"]
    assert not verdict["passed"]
    assert "costs $2,011 a month, over the $2,010 budget" in verdict["reason"]


def test_the_report_carries_the_scorecard_and_the_ratings_only_after_the_end(api, ad_click, document):
    plain = Board.objects.get(pk=api.post("/api/boards/", {"document": document}, format="json").json()["id"])
    assert "Interview scorecard" not in api.get(f"/api/boards/{plain.pk}/report.md").content.decode()

    key = start(api, ad_click)
    api.put(f"/api/boards/{ad_click.pk}/interview/ratings/", {"model": {"score": 2, "comment": "No | trade-off"}},
            format="json", **{KEY: key})
    text = api.get(f"/api/boards/{ad_click.pk}/report.md").content.decode()
    assert "## Interview scorecard" in text and "the interview is still running" in text
    assert "| 1. Clarify requirements | requirements.numbers | pass | peak 3,000 req/s" in text
    assert "No \\| trade-off" not in text  # hidden until the end

    api.post(f"/api/boards/{ad_click.pk}/interview/end/", **{KEY: key})
    text = api.get(f"/api/boards/{ad_click.pk}/report.md").content.decode()
    assert "### Interviewer's ratings (1 to 4)" in text and "| 4. Model | 2 | No \\| trade-off |" in text
    page = api.get(f"/b/{ad_click.pk}/report/").content.decode()  # the printable page shows the same sections
    assert "<h2>Interview scorecard</h2>" in page and "<td>No | trade-off</td>" in page


def test_every_shipped_curveball_fits_its_templates_board():
    assert set(TEMPLATE_DECKS) <= set(case_study_ids())
    for template_id, deck in TEMPLATE_DECKS.items():
        document = get_case_study(template_id).document()
        ids = [card["id"] for card in deck]
        assert len(ids) == len(set(ids)), template_id
        for card in (*deck, *GENERIC):
            ops, undo, _ = change_ops(document, card)
            if ops:
                played = apply_ops(document, ops)
                check_document(played)  # raises, naming the path, when a card does not fit its board
                undone = apply_ops(played, undo)
                # A board without faults gets an empty list from the fault's add and delete: the same board.
                assert {**undone, "faults": undone.get("faults") or []} == \
                    {**document, "faults": document.get("faults") or []}, (template_id, card["id"])
