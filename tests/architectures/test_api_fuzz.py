"""Schemathesis against the project's own OpenAPI schema on a live server: no 5xx, located 4xx, nothing lost.

Every operation of the schema gets generated requests (valid and invalid bodies, odd path and
query values). Board-scoped operations are aimed at a real board with its edit token, so they get
past the 404 and exercise validation. Runs that the fuzzing starts are sent to a Celery queue no
worker reads, and purged afterwards: the point is the API's answers, not thousands of simulations.
Set FUZZ_EXAMPLES to generate more per operation (the longer documented run).
"""

from __future__ import annotations

import os
from collections import Counter

import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from architectures.models import Board

pytestmark = pytest.mark.django_db(transaction=True)

MIN_REQUESTS = 1000
PER_OPERATION = int(os.environ.get("FUZZ_EXAMPLES", "70"))
# Operations that start simulations or draw PNGs are slower; they get fewer examples.
FEWER = {"/api/boards/{board_id}/export.png": 4, "/api/boards/{board_id}/sweeps/": 15,
         "/api/boards/{board_id}/rightsize/": 15, "/api/boards/{board_id}/runs/": 25}
# The interview's operations each have one validation path (covered by tests/architectures/test_interview.py);
# a few examples apiece keep the suite's time in budget.
FEWER.update({f"/api/boards/{{board_id}}/interview/{tail}": 8 for tail in (
    "", "{action}/", "curveballs/", "curveballs/{card_id}/{action}/", "ratings/", "scorecard/", "replay/")})
QUEUE = "fuzz-nobody-reads-this"
SENT: Counter = Counter()


def _openapi() -> dict:
    from drf_spectacular.generators import SchemaGenerator

    return SchemaGenerator().get_schema(request=None, public=True)


schema = schemathesis.openapi.from_dict(_openapi())


@pytest.fixture(scope="module")
def quiet_queue(redis_server):
    """Runs started by the fuzzing go to a queue no worker consumes, then are thrown away."""
    from whiteboard.celery import app

    before = app.conf.task_default_queue
    app.conf.task_default_queue = QUEUE
    yield
    app.conf.task_default_queue = before
    import redis

    redis.Redis.from_url(redis_server.url).delete(QUEUE)


@pytest.fixture
def target(api, document, settings):
    settings.WRITE_RATE_LIMIT = ""  # thousands of writes from one client: the limit is tested elsewhere
    created = api.post("/api/boards/", {"document": document}, format="json").json()
    return created


def _snapshot(board_id: str) -> tuple | None:
    board = Board.objects.filter(pk=board_id).values_list("version", "title", "document").first()
    return board


def _check_operation(case, live_server, target) -> None:
    board_id = target["id"]
    if case.path_parameters and "board_id" in case.path_parameters:
        case.path_parameters["board_id"] = board_id
    headers = {"X-Board-Token": target["edit_token"]}
    before = _snapshot(board_id)
    response = case.call(base_url=live_server.url, headers=headers, timeout=60)
    SENT[f"{case.method} {case.operation.path}"] += 1
    SENT["total"] += 1

    assert response.status_code < 500, f"{case.method} {case.formatted_path} -> {response.status_code}: {response.text[:500]}"
    if 400 <= response.status_code < 500:
        body = response.json()
        assert isinstance(body.get("detail"), str) and body["detail"], body
        assert isinstance(body.get("errors"), list), body
        assert all(set(error) >= {"path", "message"} for error in body["errors"]), body
        if response.status_code == 400:
            assert body["errors"], f"a 400 without a located error: {body}"
        # A refused request changes nothing stored.
        assert _snapshot(board_id) == before, f"{case.method} {case.formatted_path} was refused but changed the board"


def _fuzz_test(operations, examples: int):
    """A generated test over `operations` with `examples` requests each: Hypothesis's own budget, so an
    operation with fewer examples is not generated for and then skipped (which cost as much as sending)."""

    @operations.parametrize()
    @settings(max_examples=examples, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    def test(case, live_server, target, quiet_queue):
        _check_operation(case, live_server, target)

    return test


test_api_answers_every_generated_request_without_a_server_error = _fuzz_test(schema.exclude(path=list(FEWER)), PER_OPERATION)
for _budget in sorted(set(FEWER.values())):
    globals()[f"test_api_answers_generated_requests_{_budget}_per_operation"] = _fuzz_test(
        schema.include(path=[path for path, n in FEWER.items() if n == _budget]), min(_budget, PER_OPERATION))


def test_fuzzing_sent_at_least_a_thousand_requests():
    """Runs after the generated tests (file order); fails if the fuzzing above was cut short."""
    if not SENT:
        pytest.skip("the fuzz tests did not run in this session")
    operations = [key for key in SENT if key != "total"]
    paths = {key.split(" ", 1)[1] for key in operations}
    print(f"\nschemathesis: {SENT['total']} requests, {len(operations)} (path, method) pairs over {len(paths)} paths")
    assert SENT["total"] >= MIN_REQUESTS, f"only {SENT['total']} generated requests were sent"
    assert len(paths) >= 20  # every path of the schema


