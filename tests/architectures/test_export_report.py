"""The design report: Markdown and a printable page with requirements, notes, diagram and the latest run."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

import simulator
from architectures.export.notes_markdown import note_markdown
from architectures.export.report import build_report, report_markdown
from architectures.models import Board, SimulationRun

AD_CLICK = Path(__file__).resolve().parents[2] / "simulator" / "examples" / "ad_click.json"


@pytest.fixture(scope="module")
def ad_click_results() -> dict:
    """Results of a real, short simulation of the ad click example."""
    return simulator.run(json.loads(AD_CLICK.read_text()), seed=1, duration_s=8).to_dict()


def store_run(board: Board, results: dict | None, status: str, finished_minutes_ago: float) -> SimulationRun:
    return SimulationRun.objects.create(
        board=board, board_version=board.version, document=board.document, seed=1, status=status,
        results=results, finished_at=timezone.now() - timedelta(minutes=finished_minutes_ago))


def create(api, document) -> Board:
    return Board.objects.get(pk=api.post("/api/boards/", {"document": document}, format="json").json()["id"])


@pytest.mark.django_db
def test_report_without_a_run_says_so(api, document):
    board = create(api, document)
    response = api.get(f"/api/boards/{board.pk}/report.md")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/markdown; charset=utf-8"
    text = response.content.decode()
    assert text.startswith("# Ad click prediction\n")
    assert "| Peak traffic | 2,000 req/s |" in text and "| P99 latency | 50 ms |" in text
    assert "### 1. Clarify requirements\n\n2k QPS at peak" in text
    assert "### 2. " in text and "No notes." in text
    assert f"](http://testserver/api/boards/{board.pk}/export.png)" in text
    assert "No run yet" in text


@pytest.mark.django_db
def test_report_shows_the_newest_succeeded_run(api, ad_click_results):
    document = json.loads(AD_CLICK.read_text())
    board = create(api, document)
    # Shaped like simulator.cost.board_cost's section, which runs will carry.
    cost = {"monthly_usd": 4321.5, "per_million_requests_usd": 2.08,
            "by_node": {"ms": {"kind": "model_server", "monthly_usd": 3000.0, "basis": "4 x c6i.xlarge"},
                        "gw": {"kind": "gateway", "monthly_usd": 1321.5}},
            "prices": {"region": "us-east-1", "as_of": "2026-11"}, "assumptions": "the rate holds all month"}
    results = {**ad_click_results, "cost": cost,
               "slo": {**ad_click_results["slo"],
                       "monthly_budget_usd": {"target": 8000, "actual": 4321.5, "passed": True}}}
    store_run(board, {**results, "throughput_rps": 1.0}, SimulationRun.SUCCEEDED, finished_minutes_ago=30)
    newest = store_run(board, results, SimulationRun.SUCCEEDED, finished_minutes_ago=5)
    store_run(board, None, SimulationRun.FAILED, finished_minutes_ago=1)
    text = api.get(f"/api/boards/{board.pk}/report.md").content.decode()
    assert f"Run {newest.id}" in text
    p99 = ad_click_results["latency_ms"]["p99"]
    assert f"| P99 latency | {p99:.2f} ms (95% CI" in text
    assert f"| Throughput | {ad_click_results['throughput_rps']:,.2f} req/s |" in text
    assert "| P99 latency (ms) | 60 |" in text and "| pass |" in text
    assert "| CTR model | Model server | 4 | c6i.xlarge |" in text  # catalog default where unset
    limit = ad_click_results["bottleneck"]
    label = next(n["label"] for n in document["nodes"] if n["id"] == limit["node"])
    heading = "Headroom" if limit["verdict"] == "headroom" else "Bottleneck"
    assert f"### {heading}\n\n{label}: {limit['reason']}" in text
    # The run is of the board's own version: nothing to warn about.
    assert "Run made on version" not in text
    assert "$4,321.50 per month, $2.08 per million requests." in text
    assert "| CTR model | $3,000.00 | 4 x c6i.xlarge |" in text and "| API gateway | $1,321.50 |  |" in text
    assert "| Monthly budget (USD) | $8,000.00 | $4,321.50 | pass |" in text
    assert "Assumes the rate holds all month (prices of us-east-1, 2026-11)." in text


def test_report_without_cost_says_cost_not_computed(ad_click_results):
    results = {key: value for key, value in ad_click_results.items() if key != "cost"}
    report = build_report(json.loads(AD_CLICK.read_text()), image_url="/x.png", results=results)
    assert "Cost not computed for this run." in report_markdown(report)


def test_report_shows_the_cost_the_simulator_computed(ad_click_results):
    cost = ad_click_results["cost"]
    text = report_markdown(build_report(json.loads(AD_CLICK.read_text()), image_url="/x.png",
                                        results=ad_click_results))
    assert f"${cost['monthly_usd']:,.2f} per month" in text
    assert f"| API gateway | ${cost['by_node']['gw']['monthly_usd']:,.2f} | {cost['by_node']['gw']['basis']} |" in text


def test_user_text_cannot_inject_html_or_break_tables_in_markdown(document):
    document["nodes"][0]["label"] = "<img src=x onerror=alert(1)> | col"
    document["notes"]["model"] = "<script>alert(1)</script>\n**bold**"
    text = report_markdown(build_report(document, image_url="/x.png"))
    assert "<img src=x" not in text and "<script>" not in text
    assert "| &lt;img src=x onerror=alert(1)&gt; \\| col | API gateway |" in text
    # The note's Markdown stays Markdown; its raw HTML is escaped.
    assert "&lt;script&gt;alert(1)&lt;/script&gt;  \n**bold**" in text


@pytest.mark.django_db
def test_report_page_escapes_user_text_and_shows_the_diagram(client, api, document):
    document["title"] = "<script>alert(1)</script>"
    document["notes"]["serving"] = "line one\n<b>two</b>"
    board = create(api, document)
    response = client.get(f"/b/{board.pk}/report/", HTTP_X_BOARD_TOKEN=board.view_token)
    assert response.status_code == 200
    page = response.content.decode()
    # Neither the title nor any inline script: the only script is the page's own static file.
    assert re.findall(r"<script[^>]*>", page) == ['<script type="module" src="/static/js/report.js">']
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert '<div class="note markdown"><p>line one<br>\n&lt;b&gt;two&lt;/b&gt;</p>\n</div>' in page
    # The diagram is fetched by the page's script with the token (an <img src> could not send it).
    assert f'<img data-src="http://testserver/api/boards/{board.pk}/export.png"' in page


@pytest.mark.django_db
def test_report_page_with_a_wrong_token_is_404_and_without_one_a_shell_like_any_other(client, api, document):
    board = create(api, document)
    unknown = "00000000-0000-0000-0000-000000000000"
    assert client.get(f"/b/{unknown}/report/", HTTP_X_BOARD_TOKEN="wrong").status_code == 404
    assert client.get(f"/b/{board.pk}/report/", HTTP_X_BOARD_TOKEN="wrong").status_code == 404
    shell = client.get(f"/b/{board.pk}/report/")
    assert shell.status_code == 200 and board.title not in shell.content.decode()
    assert (client.get(f"/b/{unknown}/report/").content.decode().replace(unknown, "ID")
            == shell.content.decode().replace(str(board.pk), "ID"))


NOTE = ("Serve with **Triton** and `max_batch_size` 16.\n# Plan\n- cache features\n- shadow the model\n\n"
        "```\n<b>kept</b> * as code\n```\n[bad](javascript:alert(1)) ![pixel](https://tracker.example/p.png)")


@pytest.mark.django_db
def test_notes_markdown_is_rendered_in_both_reports_without_letting_html_or_scripts_through(client, api, document):
    document["notes"]["serving"] = NOTE
    board = create(api, document)
    text = api.get(f"/api/boards/{board.pk}/report.md").content.decode()
    # The Markdown file keeps the note as Markdown (not escaped), its heading under the step's.
    assert "Serve with **Triton** and `max_batch_size` 16.  \n#### Plan  \n- cache features  " in text
    assert "```\n<b>kept</b> * as code\n```" in text  # a code block is code, kept as typed
    page = client.get(f"/b/{board.pk}/report/", HTTP_X_BOARD_TOKEN=board.view_token).content.decode()
    assert "<strong>Triton</strong>" in page and "<code>max_batch_size</code>" in page
    assert "<h4>Plan</h4>" in page and "<li>cache features</li>" in page
    assert "<pre><code>&lt;b&gt;kept&lt;/b&gt; * as code\n</code></pre>" in page
    assert "javascript:" not in page.split("<main", 1)[1].replace("[bad](javascript:alert(1))", "")
    # An image is only a link: reading the report fetches nothing from another site.
    assert 'src="https://tracker.example' not in page and 'href="https://tracker.example/p.png">pixel</a>' in page


@pytest.mark.django_db
def test_a_run_of_an_older_version_is_said_to_be_of_that_version(client, api, document, ad_click_results):
    board = create(api, document)
    store_run(board, ad_click_results, SimulationRun.SUCCEEDED, finished_minutes_ago=5)  # of version 1
    for label in ("Gateway A", "Gateway B"):  # two saves: the board is at version 3
        document["nodes"][0]["label"] = label
        assert api.put(f"/api/boards/{board.pk}/", {"document": document, "version": board.version},
                       format="json").status_code == 200
        board.refresh_from_db()
    said = "Run made on version 1; the board is now at version 3."
    assert f"> **{said}" in api.get(f"/api/boards/{board.pk}/report.md").content.decode()
    page = client.get(f"/b/{board.pk}/report/", HTTP_X_BOARD_TOKEN=board.view_token).content.decode()
    assert f'<p class="notice" role="note">{said}' in page


def test_markdown_notes_escape_tags_but_keep_code_spans_as_typed():
    # Markdown shows a code span's text as typed (a renderer escapes it), so `a<b` must not become `a&lt;b`.
    assert note_markdown("if `a<b` then <script>x</script>") == "if `a<b` then &lt;script&gt;x&lt;/script&gt;"
