"""Running a board from the editor: progress, results, charts, the canvas overlay, compare, load curve, right-size."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.editor_page import EditorPage, wait_for

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

EXAMPLE = json.loads((Path(__file__).resolve().parents[2] / "simulator/examples/ad_click.json").read_text())
RUN_TIMEOUT_MS = 90_000  # a run queues behind others on a busy 2-core machine


@pytest.fixture
def editor(page, site, celery_worker) -> EditorPage:
    return EditorPage(page, site)


def example(**traffic) -> dict:
    document = copy.deepcopy(EXAMPLE)
    document["traffic"].update(traffic)
    return document


def overloaded() -> dict:
    """The example with its feature store cut to one server and a short queue: it must drop requests."""
    document = example(duration_s=20)
    for node in document["nodes"]:
        if node["id"] == "fs":
            node["config"] = {"replicas": 1, "concurrency": 1, "queue_limit": 100}
    return document


def open_board(editor: EditorPage, document: dict) -> str:
    status, board = editor.api("POST", "/api/boards/", {"document": document})
    assert status == 201, board
    editor.open(board["id"])
    return board["id"]


def run_and_wait(editor: EditorPage) -> None:
    page = editor.page
    # Forget the state of an earlier run, so the wait below is for this one.
    page.locator("#panel-results").evaluate("(panel) => { panel.dataset.state = 'waiting'; }")
    page.click("#action-run")
    expect(page.locator("#panel-results")).to_have_attribute("data-state", "done", timeout=RUN_TIMEOUT_MS)


def chart_ink(page, name: str, scope: str = "#panel-results") -> float:
    """Share of a chart canvas's pixels that were drawn on (0 for a blank canvas)."""
    return page.evaluate("""([scope, name]) => {
        const canvas = document.querySelector(`${scope} canvas[data-chart="${name}"]`);
        if (!canvas || !canvas.width) return 0;
        const pixels = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
        let inked = 0;
        for (let i = 3; i < pixels.length; i += 4) if (pixels[i] > 0) inked += 1;
        return inked / (canvas.width * canvas.height);
    }""", [scope, name])


def overlay(page) -> dict:
    return page.evaluate("window.boardEditor.runs.overlay.state()")


def test_run_shows_live_progress_then_results_charts_verdict_and_bottleneck(editor, page, artifacts):
    # 2.4 million requests: long enough for several progress messages even on an idle machine.
    open_board(editor, example(duration_s=3000))
    page.evaluate("""() => {
        window.progressSeen = [];
        const bar = document.querySelector("#run-progress");
        new MutationObserver(() => window.progressSeen.push(bar.value)).observe(bar, { attributes: true });
        setInterval(() => window.progressSeen.push(bar.value), 50);
    }""")
    page.click("#action-run")
    expect(page.locator("#run-status")).to_be_visible()
    expect(page.locator("#panel-results")).to_have_attribute("data-state", "done", timeout=RUN_TIMEOUT_MS)
    seen = page.evaluate("window.progressSeen")
    assert any(0 < value < 1 for value in seen), f"the progress bar never showed a value between 0 and 1: {sorted(set(seen))}"
    expect(page.locator("#run-status")).to_be_hidden()

    results = page.locator("#panel-results")
    expect(results).to_be_visible()  # the Results tab opens by itself
    verdict = page.locator(".slo-verdict")
    expect(verdict).to_have_attribute("data-verdict", "pass")
    expect(verdict).to_contain_text("Meets the P99 SLO")
    for key in ("throughput", "p50_ms", "p95_ms", "p99_ms", "drop_rate", "monthly_usd", "per_million_usd"):
        expect(results.locator(f'[data-kpi="{key}"] .kpi-value')).not_to_have_text("–")
    expect(results.locator('[data-kpi="p99_ms"] .kpi-detail')).to_contain_text("95% CI")
    for chart in ("histogram", "cdf", "timeseries", "utilisation", "wait", "cost"):
        assert chart_ink(page, chart) > 0.01, f"the {chart} chart is blank"
    expect(results.locator(".model-card")).to_contain_text("CTR logistic regression")
    expect(results.locator(".model-card")).to_contain_text("roc auc")

    stored = editor.api("GET", f"/api/boards/{editor.board_id()}/runs/")[1][0]
    run = editor.api("GET", f"/api/runs/{stored['id']}/")[1]
    # A passing board has headroom, not a bottleneck: its limit is named without the red outline.
    assert run["results"]["bottleneck"]["verdict"] == "headroom"
    painted = overlay(page)
    assert not [node for node, state in painted.items() if state.get("bottleneck")]
    assert painted["fs"]["band"] in ("ok", "warn") and "P99 wait" in painted["fs"]["badge"]
    expect(results.locator(".bottleneck")).to_contain_text("Headroom")
    page.screenshot(path=str(artifacts / "results-ad-click.png"))


def test_overloaded_board_shows_red_nodes_drops_and_a_failed_verdict(editor, page, artifacts):
    open_board(editor, overloaded())
    run_and_wait(editor)
    expect(page.locator(".slo-verdict")).to_have_attribute("data-verdict", "fail")
    painted = overlay(page)
    assert painted["fs"]["band"] == "hot"
    assert painted["fs"]["drops"] and "dropped" in painted["fs"]["drops"]
    assert painted["fs"]["bottleneck"] is True
    expect(page.locator('[data-kpi="drop_rate"] .kpi-value')).not_to_have_text("0.00%")
    # The drop badge is drawn on the canvas, not only kept in the model.
    expect(editor.node("fs").locator("text", has_text="dropped")).to_be_visible()
    page.screenshot(path=str(artifacts / "results-overloaded.png"))
    # Results painted on the canvas are not edits: nothing to undo and nothing to save.
    assert page.evaluate("window.boardEditor.timeline.canUndo()") is False
    assert page.evaluate("window.boardEditor.state.dirty()") is False


def test_two_runs_are_compared_side_by_side(editor, page):
    open_board(editor, overloaded())
    run_and_wait(editor)
    # Give the feature store its servers back and run again.
    page.evaluate("""() => {
        const { editor } = window.boardEditor;
        editor.setNodeConfig(editor.graph.getCellById("fs"), "replicas", 6);
    }""")
    run_and_wait(editor)
    boxes = page.locator(".run-history input[type=checkbox]:not([disabled])")
    expect(boxes).to_have_count(2)
    boxes.nth(0).check()
    boxes.nth(1).check()
    page.click(".compare-button")
    compare = page.locator(".compare")
    expect(compare).to_have_attribute("data-state", "done")
    expect(compare.locator('tr[data-kpi="drop_rate"] .delta')).to_have_attribute("data-change", "better")
    assert chart_ink(page, "compare-cdf", ".compare") > 0.01
    datasets = page.evaluate("Chart.getChart(document.querySelector('.compare canvas')).data.datasets.length")
    assert datasets == 2


def test_load_curve_marks_the_highest_rate_meeting_the_slo(editor, page):
    open_board(editor, example(duration_s=20))
    page.click("#tab-results")
    page.click('[data-sweep="load_curve"]')
    box = page.locator('[data-section="loadcurve"] .sweep-result')
    expect(box).to_have_attribute("data-state", "done", timeout=RUN_TIMEOUT_MS)
    expect(box.locator(".sweep-summary")).to_contain_text("Meets the P99 SLO of 60 ms up to")
    assert chart_ink(page, "loadcurve", '[data-section="loadcurve"]') > 0.01


def test_rightsize_proposal_is_applied_in_one_undoable_step(editor, page):
    open_board(editor, overloaded())
    page.click("#tab-results")
    page.click('[data-sweep="rightsize"]')
    box = page.locator('[data-section="rightsize"] .sweep-result')
    expect(box).to_have_attribute("data-state", "done", timeout=2 * RUN_TIMEOUT_MS)
    proposed = int(box.locator('tr[data-node="fs"] td').nth(2).inner_text())
    assert proposed > 1
    page.click(".apply-rightsize")
    replicas = "window.boardEditor.editor.graph.getCellById('fs').getData().config.replicas"
    assert page.evaluate(replicas) == proposed
    editor.wait_saved()
    stored = {node["id"]: node.get("config", {}) for node in editor.stored_document()["nodes"]}
    assert stored["fs"]["replicas"] == proposed
    page.click("#action-undo")
    assert page.evaluate(replicas) == 1


def test_everyone_on_the_board_sees_the_progress_and_the_results(editor, page, chromium):
    board_id = open_board(editor, example(duration_s=1500))
    other_context = chromium.new_context(viewport={"width": 1280, "height": 800})
    try:
        other = other_context.new_page()
        watcher = EditorPage(other, editor.site)
        watcher.open(board_id)
        wait_for(other, "window.boardEditor.socket.connected")
        wait_for(page, "window.boardEditor.socket.connected")
        page.click("#action-run")
        expect(other.locator("#run-status")).to_be_visible(timeout=RUN_TIMEOUT_MS)
        expect(other.locator("#panel-results")).to_have_attribute("data-state", "done", timeout=RUN_TIMEOUT_MS)
        expect(other.locator(".slo-verdict")).to_have_attribute("data-verdict", "pass")
    finally:
        other_context.close()


def test_cancel_stops_a_run_and_says_so(editor, page):
    open_board(editor, example(duration_s=20000))  # 16 million requests: far longer than the test waits
    page.click("#action-run")
    expect(page.locator("#run-status-text")).to_contain_text("Simulating", timeout=RUN_TIMEOUT_MS)
    page.click("#action-cancel-run")
    expect(page.locator("#panel-results")).to_have_attribute("data-state", "cancelled")
    expect(page.locator(".run-failure")).to_contain_text("Run cancelled")
    expect(page.locator("#run-status")).to_be_hidden()
    expect(page.locator("#action-run")).to_be_enabled()


def test_a_run_the_simulator_would_refuse_is_explained_at_its_field(editor, page, console_errors):
    console_errors.allow("status of 400")
    open_board(editor, example(duration_s=30000))  # 24 million requests, over the 20 million limit
    page.click("#action-run")
    expect(page.locator("#toast")).to_contain_text("The run could not start")
    expect(page.locator("#toast")).to_contain_text("duration_s")
    expect(page.locator("#run-status")).to_be_hidden()


def test_async_connection_into_a_log_that_falls_behind_is_flagged(editor, page):
    document = example(duration_s=20)
    for node in document["nodes"]:
        if node["id"] == "log":  # one slow writer for 800 copies a second: its backlog grows without bound
            node["config"] = {"replicas": 1, "concurrency": 1, "service_time": {"dist": "constant", "mean_ms": 5}}
    open_board(editor, document)
    run_and_wait(editor)
    painted = overlay(page)
    assert painted["e4"]["lagging"] is True  # gateway -> log, async
    assert painted["e1"]["lagging"] is False  # a sync call is never flagged
    assert painted["log"]["band"] == "hot"
    expect(page.locator('.run-warnings li[data-node="log"]')).to_contain_text("Impression log is unstable")
    # Async copies stay off the critical path: the request latency still meets the SLO.
    expect(page.locator(".checks [data-passed]").first).to_have_attribute("data-passed", "true")
    edge_label = page.evaluate("window.boardEditor.editor.graph.getCellById('e4').getLabels()[0].attrs.label.text")
    assert edge_label == "falls behind"
