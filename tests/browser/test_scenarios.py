"""Faults, resilience and autoscaling from the editor: set in the panels, stored, co-edited, run, shown and played back."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

import simulator
from tests.browser.editor_page import EDITOR, EditorPage, wait_for
from tests.browser.people import create_board, stored
from tests.browser.test_runs import RUN_TIMEOUT_MS, open_board, run_and_wait

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

EXAMPLE = json.loads((Path(__file__).resolve().parents[2] / "simulator/examples/ad_click.json").read_text())
STATE = "window.boardEditor.state"
PLAYBACK = "window.boardEditor.runs.playback"


@pytest.fixture
def editor(page, site) -> EditorPage:
    return EditorPage(page, site)


def board(**traffic) -> dict:
    document = copy.deepcopy(EXAMPLE)
    document["traffic"].update(traffic)
    return document


def select(page: Page, cell_id: str) -> None:
    page.evaluate(f"{EDITOR}.select({EDITOR}.graph.getCellById('{cell_id}'))")
    expect(page.locator("#panel-properties")).to_be_visible()


def properties(page: Page, path: str):
    """A field of the properties panel by its path: "retry.max_attempts" is a sub-field of the retry setting."""
    locator = page.locator("#panel-properties form.fields")
    for name in path.split("."):
        locator = locator.locator(f'.field[data-field="{name}"]').first
    return locator


def type_into(field, text: str) -> None:
    control = field.locator("input").first
    control.fill(text)
    control.press("Enter")


def switch_on(page: Page, name: str) -> None:
    toggle = properties(page, name).locator("input[role=switch]").first
    expect(toggle).not_to_be_checked()
    toggle.check()
    expect(properties(page, name)).to_have_attribute("data-on", "true")


def add_fault(page: Page, title: str) -> str:
    """Adds a fault of the type titled `title` to the selected component or connection; returns its id."""
    before = set(page.evaluate(f"{STATE}.faults().map((f) => f.id)"))
    page.locator("#panel-properties .fault-add select").select_option(label=title)
    page.locator("#panel-properties .fault-add button").click()
    added = set(page.evaluate(f"{STATE}.faults().map((f) => f.id)")) - before
    assert len(added) == 1, added
    return added.pop()


def fault_field(page: Page, fault_id: str, name: str, scope: str = "#panel-properties"):
    return page.locator(f'{scope} .fault-card[data-fault="{fault_id}"] .field[data-field="{name}"]')


def band_shading(page: Page, inside_s: float, outside_s: float) -> tuple[int, int]:
    """Pixels of the fault shading in a column of the time-series chart inside a fault's window and outside it."""
    return page.evaluate("""([inside, outside]) => {
        const canvas = document.querySelector('#panel-results canvas[data-chart="timeseries"]');
        const chart = Chart.getChart(canvas);
        const { top, bottom } = chart.chartArea;
        const context = canvas.getContext("2d");
        const ratio = canvas.width / canvas.getBoundingClientRect().width;
        const shaded = (seconds) => {
            const x = Math.round(chart.scales.x.getPixelForValue(seconds) * ratio);
            const column = context.getImageData(x, Math.round(top * ratio), 1, Math.round((bottom - top) * ratio)).data;
            let count = 0;
            // The band's wash: its own orange at its own translucency (where no line or grid crosses it).
            const wash = (r, g, b, a) => Math.abs(r - 234) < 12 && Math.abs(g - 88) < 16 && b < 30 && a > 20 && a < 50;
            for (let i = 0; i < column.length; i += 4) if (wash(column[i], column[i + 1], column[i + 2], column[i + 3])) count += 1;
            return count;
        };
        return [shaded(inside), shaded(outside)];
    }""", [inside_s, outside_s])


def test_a_fault_added_in_the_panel_runs_to_a_shaded_band_a_recovery_figure_and_a_playback(editor, page, celery_worker, artifacts):
    board_id = open_board(editor, board(duration_s=40))
    editor.click_node("fs")
    fault_id = add_fault(page, "Outage")
    type_into(fault_field(page, fault_id, "at_s"), "15")
    type_into(fault_field(page, fault_id, "duration_s"), "6")
    editor.wait_saved()
    [fault] = editor.stored_document()["faults"]
    assert fault == {"id": fault_id, "type": "outage", "target": "fs", "at_s": 15, "duration_s": 6}
    # The Framework tab lists it on the run's timeline.
    page.click("#tab-framework")
    expect(page.locator(f'.scenario[data-fault="{fault_id}"]')).to_contain_text("Outage on Online features · 15–21 s")

    run_and_wait(editor)
    runs = editor.api("GET", f"/api/boards/{board_id}/runs/")[1]
    results = editor.api("GET", f"/api/runs/{runs[0]['id']}/")[1]["results"]
    [impact] = results["faults"]
    assert impact["failed_while_active"] > 0  # an outage of the feature store fails the requests that reach it
    row = page.locator(f'[data-section="fault-impacts"] tr[data-fault="{fault_id}"]')
    expect(row.locator(".fault-failed")).to_have_text(f"{impact['failed_while_active']:,}")
    recovery = row.locator(".fault-recovery")
    if impact["recovery_s"] is None:
        expect(recovery).to_contain_text("did not recover within the run")
    else:
        expect(recovery).to_contain_text("at once" if impact["recovery_s"] == 0 else "after it ended")
    expect(page.locator('[data-kpi="availability"] .kpi-value')).not_to_have_text("100.00%")
    expect(page.locator('[data-section="failures"] tr[data-reason="unavailable"]')).to_be_visible()

    # The fault is shaded over its window on the time-series chart (seconds after the 5 s warm-up).
    bands = page.evaluate("Chart.getChart(document.querySelector('#panel-results canvas[data-chart=\"timeseries\"]')).options.plugins.bands.bands")
    assert [(band["from"], band["to"], band["label"]) for band in bands] == [(10, 16, "Outage")]
    inside, outside = band_shading(page, 13, 3)
    assert inside > 20 and outside == 0, (inside, outside)
    failed = page.evaluate("Chart.getChart(document.querySelector('#panel-results canvas[data-chart=\"timeseries\"]')).data.datasets[3]")
    assert failed["label"] == "failed (req/s)" and not failed.get("hidden")

    # Playback: the moments inside the fault's window mark the feature store; those outside do not.
    playback = page.locator("#playback")
    expect(playback).to_be_visible()
    steps = page.evaluate("window.boardEditor.timeline.done.length")
    timeline = results["node_timeseries"]
    inside_bucket = next(k for k, t in enumerate(timeline["t_s"]) if 16 <= timeline["start_s"] + t <= 19)
    page.locator("#playback input[type=range]").fill(str(inside_bucket))
    painted = page.evaluate("window.boardEditor.runs.overlay.state()")
    assert painted["fs"]["fault"] == "⚡ Outage"
    assert "% busy" in painted["gw"]["badge"]
    expect(editor.node("fs").locator("text", has_text="⚡ Outage")).to_be_visible()
    expect(page.locator("#playback .playback-time")).to_contain_text("Outage")
    page.screenshot(path=str(artifacts / "playback-fault-1280x800.png"))
    page.locator("#playback input[type=range]").fill("0")
    assert page.evaluate("window.boardEditor.runs.overlay.state()")["fs"]["fault"] is None
    page.click("#playback .playback-whole")
    assert "P99 wait" in page.evaluate("window.boardEditor.runs.overlay.state()")["gw"]["badge"]
    # Played back, the run is still no edit: no undo step, nothing to save.
    assert page.evaluate("window.boardEditor.timeline.done.length") == steps
    assert page.evaluate(f"{STATE}.dirty()") is False


def test_retry_autoscaling_and_a_fallback_are_switched_on_in_the_panel_and_stored(editor, page):
    open_board(editor, board())
    select(page, "e2")  # cache -> feature store
    switch_on(page, "retry")
    type_into(properties(page, "retry.max_attempts"), "4")
    type_into(properties(page, "retry.budget_ratio"), "0.2")
    type_into(properties(page, "timeout_ms"), "40")
    editor.wait_saved()
    edge = next(e for e in editor.stored_document()["edges"] if e["id"] == "e2")
    assert edge["retry"] == {"max_attempts": 4, "backoff_ms": 25, "backoff_multiplier": 2, "jitter": "full", "budget_ratio": 0.2}
    assert edge["timeout_ms"] == 40
    label = page.evaluate(f"{EDITOR}.graph.getCellById('e2').getLabels()[0].attrs.label.text")
    assert "retry ×4" in label and "timeout 40 ms" in label

    # The help says what the setting does; its sub-fields carry their own help and limits.
    expect(properties(page, "retry").locator(".field-help").first).to_contain_text("exponential backoff")
    expect(properties(page, "retry.max_attempts").locator(".field-help")).to_contain_text("from 1 to 10")
    type_into(properties(page, "retry.max_attempts"), "11")
    expect(properties(page, "retry.max_attempts").locator(".field-error")).to_contain_text("Max attempts must be an integer from 1 to 10")

    select(page, "e3")  # cache -> model server, after the sync call to the feature store
    properties(page, "mode").locator("select").select_option("fallback")
    editor.click_node("fs")
    switch_on(page, "autoscaling")
    type_into(properties(page, "autoscaling.max_replicas"), "8")
    editor.wait_saved()
    document = editor.stored_document()
    assert next(e for e in document["edges"] if e["id"] == "e3")["mode"] == "fallback"
    scaling = next(n for n in document["nodes"] if n["id"] == "fs")["config"]["autoscaling"]
    assert scaling == {"min_replicas": 1, "max_replicas": 8, "metric": "utilization", "target": 0.6, "evaluation_s": 15,
                       "scale_up_cooldown_s": 0, "scale_down_cooldown_s": 300, "provision_s": 60}

    # Off again: the setting leaves the stored document (off is no setting at all).
    select(page, "e2")
    properties(page, "retry").locator("input[role=switch]").first.uncheck()
    expect(properties(page, "retry")).to_have_attribute("data-on", "false")
    editor.wait_saved()
    assert "retry" not in next(e for e in editor.stored_document()["edges"] if e["id"] == "e2")
    # Undo brings it back, in one step.
    page.click("#action-undo")
    editor.wait_saved()
    assert next(e for e in editor.stored_document()["edges"] if e["id"] == "e2")["retry"]["max_attempts"] == 4


def test_values_the_server_refuses_are_shown_at_their_fields(editor, page, console_errors):
    console_errors.allow("status of 400")
    open_board(editor, board())
    editor.click_node("fs")
    switch_on(page, "autoscaling")
    editor.wait_saved()
    # Only the server knows that the bounds must hold together: min_replicas above max_replicas is refused.
    type_into(properties(page, "autoscaling.min_replicas"), "12")
    error = properties(page, "autoscaling.max_replicas").locator(".field-error")
    expect(error).to_have_text("Max replicas must be at least min_replicas (12)")
    expect(properties(page, "autoscaling.min_replicas").locator("input")).to_have_value("1")  # put back as stored
    expect(page.locator("#toast")).to_contain_text("Online features")
    # Editing the setting again answers the problem.
    type_into(properties(page, "autoscaling.max_replicas"), "6")
    expect(error).to_be_hidden()
    editor.wait_saved()

    # A fault that would end after the run is refused at its duration.
    fault_id = add_fault(page, "Slowdown")
    editor.wait_saved()
    type_into(fault_field(page, fault_id, "duration_s"), "100")
    expect(fault_field(page, fault_id, "duration_s").locator(".field-error")).to_contain_text("it must fit in the run")
    # So is a run made too short for a fault: the error is said on the fault, the run length put back.
    page.click("#tab-framework")
    page.click(".traffic-more summary")
    type_into(page.locator('#panel-framework .field[data-field="duration_s"]'), "15")
    expect(page.locator(f'.scenario[data-fault="{fault_id}"] .scenario-problem')).to_contain_text("after the run's 15 s")
    expect(page.locator('#panel-framework .field[data-field="duration_s"] input')).to_have_value("30")
    # A fallback needs a sync call before it from the same component: the first call of the cache is refused.
    select(page, "e2")
    properties(page, "mode").locator("select").select_option("fallback")
    expect(properties(page, "mode").locator(".field-error")).to_contain_text("Mode: a fallback call needs a sync call from cache before it")
    expect(properties(page, "mode").locator("select")).to_have_value("sync")
    editor.wait_saved()
    assert [f["duration_s"] for f in editor.stored_document()["faults"]] != [100]


def test_a_latency_tail_and_pauses_are_set_in_the_panel_stored_labelled_and_run(editor, page, celery_worker, console_errors):
    console_errors.allow("status of 400")
    board_id = open_board(editor, board(duration_s=20))
    select(page, "e3")  # cache -> model server, 0.5 ms
    expect(properties(page, "latency_p99_ms").locator("label")).to_contain_text("Latency P99")
    type_into(properties(page, "latency_p99_ms"), "4")
    editor.wait_saved()
    assert next(e for e in editor.stored_document()["edges"] if e["id"] == "e3")["latency_p99_ms"] == 4
    label = page.evaluate(f"{EDITOR}.graph.getCellById('e3').getLabels()[0].attrs.label.text")
    assert "0.5 ms (P99 4)" in label, label
    # A P99 below the median is refused by the server, said at the field and put back as stored.
    type_into(properties(page, "latency_p99_ms"), "0.2")
    expect(properties(page, "latency_p99_ms").locator(".field-error")).to_contain_text("must be at least latency_ms (0.5), not 0.2")
    expect(properties(page, "latency_p99_ms").locator("input")).to_have_value("4")

    editor.click_node("ms")
    switch_on(page, "pauses")
    expect(properties(page, "pauses").locator(".field-help").first).to_contain_text("resume where they were")
    type_into(properties(page, "pauses.every_ms"), "200")
    type_into(properties(page, "pauses.mean_ms"), "20")
    editor.wait_saved()
    document = editor.stored_document()
    assert next(n for n in document["nodes"] if n["id"] == "ms")["config"]["pauses"] == {"every_ms": 200, "mean_ms": 20}

    # The run simulates both: the same seed without the pauses gives a lower P99 (the model server stops
    # for 20 ms on average about 9% of its time, 20 / (200 + 20), so well over 1% of requests wait one out).
    run_and_wait(editor)
    [summary] = editor.api("GET", f"/api/boards/{board_id}/runs/")[1]
    record = editor.api("GET", f"/api/runs/{summary['id']}/")[1]
    calm = copy.deepcopy(document)
    del next(n for n in calm["nodes"] if n["id"] == "ms")["config"]["pauses"]
    without = simulator.run(calm, seed=record["seed"], requests=record["requests"], duration_s=record["duration_s"]).to_dict()
    assert record["results"]["latency_ms"]["p99"] > without["latency_ms"]["p99"] + 10, (record["results"]["latency_ms"], without["latency_ms"])


def test_a_board_that_cannot_keep_up_states_the_unfinished_share_next_to_its_p99(editor, page, celery_worker):
    document = board(duration_s=20)
    for node in document["nodes"]:
        if node["id"] == "fs":  # one slow server and an unbounded queue: most requests are still waiting at the end
            node["config"] = {"replicas": 1, "concurrency": 1, "service_time": {"dist": "exponential", "mean_ms": 5}}
    board_id = open_board(editor, document)
    run_and_wait(editor)
    runs = editor.api("GET", f"/api/boards/{board_id}/runs/")[1]
    results = editor.api("GET", f"/api/runs/{runs[0]['id']}/")[1]["results"]
    assert any(w["code"] == "overloaded" for w in results["warnings"])
    share = f"{100 * results['unfinished_share']:.2f}%"
    expect(page.locator('[data-kpi="p99_ms"] .kpi-detail')).to_contain_text(f"of the completed only: {share} never completed")
    expect(page.locator('.run-warnings li[data-code="overloaded"]')).to_contain_text("cannot keep up")


def test_deleting_a_component_takes_its_faults_and_one_undo_brings_both_back(editor, page):
    open_board(editor, board())
    editor.click_node("ms")
    fault_id = add_fault(page, "Replicas lost")
    editor.wait_saved()
    editor.click_node("ms")
    page.keyboard.press("Delete")
    editor.wait_saved()
    document = editor.stored_document()
    assert "ms" not in [n["id"] for n in document["nodes"]] and document["faults"] == []
    page.click("#action-undo")
    editor.wait_saved()
    document = editor.stored_document()
    assert "ms" in [n["id"] for n in document["nodes"]]
    assert [f["id"] for f in document["faults"]] == [fault_id]


def test_a_fault_added_on_one_page_is_seen_edited_and_removed_on_the_other(pair, site):
    alice, bob = pair
    shared = create_board(alice, board())
    alice.open(site, shared)
    bob.open(site, shared)

    alice.editor.click_node("fs")
    fault_id = add_fault(alice.page, "Outage")
    bob.page.click("#tab-framework")
    expect(bob.page.locator(f'.scenario[data-fault="{fault_id}"]')).to_contain_text("Outage on Online features")
    bob.page.locator(f'.scenario[data-fault="{fault_id}"] button', has_text="Show").click()
    type_into(fault_field(bob.page, fault_id, "duration_s"), "4")
    expect(fault_field(alice.page, fault_id, "duration_s").locator("input")).to_have_value("4")

    # Both add a fault at the same moment: both are kept (faults are edited one by one, like components).
    bob.editor.click_node("ms")
    alice.editor.click_node("gw")
    alice.page.locator("#panel-properties .fault-add select").select_option(label="Slowdown")
    bob.page.locator("#panel-properties .fault-add select").select_option(label="Error rate")
    alice.page.evaluate("document.querySelector('#panel-properties .fault-add button').click()")
    bob.page.evaluate("document.querySelector('#panel-properties .fault-add button').click()")
    for person in pair:
        person.settled()
    for person in pair:
        wait_for(person.page, f"{STATE}.faults().length === 3")
    assert sorted(f["type"] for f in stored(alice, shared)["document"]["faults"]) == ["error_rate", "outage", "slowdown"]

    alice.page.click("#tab-framework")
    alice.page.locator(f'.scenario[data-fault="{fault_id}"] button', has_text="Remove").click()
    for person in pair:
        wait_for(person.page, f"!{STATE}.fault('{fault_id}')")
    expect(bob.page.locator(f'.scenario[data-fault="{fault_id}"]')).to_have_count(0)


@pytest.mark.parametrize("size", [{"width": 1280, "height": 720}, {"width": 1440, "height": 900}], ids=["1280x720", "1440x900"])
def test_resilience_results_and_playback_fit_the_screen(chromium, site, celery_worker, artifacts, size):
    document = board(duration_s=40)
    document["faults"] = [{"id": "f1", "type": "outage", "target": "fs", "at_s": 15, "duration_s": 6},
                          {"id": "f2", "type": "latency_spike", "target": "e3", "at_s": 28, "duration_s": 4, "added_ms": 20}]
    for edge in document["edges"]:
        if edge["id"] == "e2":
            edge.update(retry={"max_attempts": 3, "budget_ratio": 0.2}, timeout_ms=30, circuit_breaker={}, latency_p99_ms=3)
    for node in document["nodes"]:
        if node["id"] == "ms":
            node["config"]["autoscaling"] = {"min_replicas": 2, "max_replicas": 8, "evaluation_s": 3, "provision_s": 2,
                                             "scale_down_cooldown_s": 5}
            node["config"]["pauses"] = {"every_ms": 140, "mean_ms": 2.2}
    context = chromium.new_context(viewport=size)
    page = context.new_page()
    errors = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        editor = EditorPage(page, site)
        open_board(editor, document)
        name = f"{size['width']}x{size['height']}"
        select(page, "e2")
        page.screenshot(path=str(artifacts / f"scenarios-edge-settings-{name}.png"))
        assert_fits(page, "#panel-properties")
        editor.click_node("fs")
        page.locator("#panel-properties .faults").scroll_into_view_if_needed()
        page.screenshot(path=str(artifacts / f"scenarios-node-faults-{name}.png"))
        assert_fits(page, "#panel-properties")
        editor.click_node("ms")
        properties(page, "pauses").scroll_into_view_if_needed()
        page.screenshot(path=str(artifacts / f"scenarios-node-pauses-{name}.png"))
        assert_fits(page, "#panel-properties")
        page.click("#tab-framework")
        page.locator(".framework-scenarios").scroll_into_view_if_needed()
        page.screenshot(path=str(artifacts / f"scenarios-list-{name}.png"))
        assert_fits(page, "#panel-framework")

        page.click("#action-run")
        expect(page.locator("#panel-results")).to_have_attribute("data-state", "done", timeout=RUN_TIMEOUT_MS)
        page.wait_for_timeout(300)  # the canvas refits itself to the narrower view
        page.screenshot(path=str(artifacts / f"results-resilience-top-{name}.png"))
        for section in ("fault-impacts", "calls", "autoscaling"):
            page.locator(f'[data-section="{section}"]').scroll_into_view_if_needed()
            page.screenshot(path=str(artifacts / f"results-resilience-{section}-{name}.png"))
        assert_fits(page, "#panel-results")
        expect(page.locator('[data-section="autoscaling"] li[data-node="ms"]')).to_contain_text("sized for its peak")
        # Retries and amplification per connection, and the breaker's changes, as the run reports them.
        runs = editor.api("GET", f"/api/boards/{editor.board_id()}/runs/")[1]
        results = editor.api("GET", f"/api/runs/{runs[0]['id']}/")[1]["results"]
        calls = results["edges"]["e2"]
        row = page.locator('[data-section="calls"] tr[data-edge="e2"]')
        expect(row.locator(".edge-retries")).to_have_text(f"{calls['retries']:,}")
        expect(row.locator(".edge-amplification")).to_have_text(f"{calls['amplification']:.2f}×")
        expect(page.locator('.breaker-changes li[data-edge="e2"]')).to_have_count(1 if results["breaker_changes"] else 0)
        assert page.evaluate("Chart.getChart(document.querySelector('canvas[data-chart=\"replicas\"]')).data.datasets[0].data.length") == 120

        # The playback bar has its own room: it covers no component, and the whole bar is on screen.
        bar = page.locator("#playback").bounding_box()
        assert bar["y"] + bar["height"] <= size["height"] + 0.5 and bar["x"] >= 0
        page.locator("#playback input[type=range]").fill("30")
        page.screenshot(path=str(artifacts / f"playback-{name}.png"))
        for node_id in page.evaluate(f"{EDITOR}.graph.getNodes().map((n) => n.id)"):
            box = editor.node(node_id).bounding_box()
            if box:
                assert box["y"] + box["height"] <= bar["y"] + 1 or box["y"] >= bar["y"] + bar["height"], node_id
        time_box = page.locator("#playback .playback-time")
        assert time_box.evaluate("(box) => box.getBoundingClientRect().right") <= bar["x"] + bar["width"]
    finally:
        context.close()
    assert not errors, errors


def assert_fits(page: Page, panel: str) -> None:
    """Nothing in the panel is wider than the panel, and nothing in the app bar or the tabs is cut short."""
    overflow = page.evaluate("""(panel) => {
        const root = document.querySelector(panel);
        const limit = root.getBoundingClientRect().right + 1;
        return [...root.querySelectorAll("*")].filter((node) => node.getClientRects().length && node.getBoundingClientRect().right > limit)
            .map((node) => `${node.tagName}.${node.className}`).slice(0, 5);
    }""", panel)
    assert overflow == [], overflow
    cut = page.evaluate("""() => {
        const side = document.querySelector(".side");
        const right = side.getBoundingClientRect().left + side.clientLeft + side.clientWidth + 0.5;  // inside its scroll bar
        const tabs = [...document.querySelectorAll("[role=tab]")].filter((tab) => tab.getBoundingClientRect().right > right || tab.scrollWidth > tab.clientWidth);
        // One line each: a wrapped button is taller than the bar's controls, a cut-off status wider inside than out.
        const bar = [...document.querySelectorAll(".editor-bar button, .editor-bar summary")].filter((b) => b.getClientRects().length && b.getBoundingClientRect().height > 40);
        const status = document.querySelector("#save-status");
        // The bar's controls side by side, none over the next.
        const controls = [...document.querySelectorAll(".editor-bar .bar-left > *, .editor-bar .bar-tools > *, .editor-bar .bar-right > *, .presence > *")]
            .filter((c) => c.getClientRects().length && !c.classList.contains("presence") && !c.classList.contains("visually-hidden"))
            .map((c) => [c.getBoundingClientRect(), c.id || c.className]).sort((a, b) => a[0].left - b[0].left);
        const overlapping = controls.slice(1).filter(([box], i) => box.left < controls[i][0].right - 0.5).map(([, name]) => name);
        return [...tabs.map((tab) => tab.id), ...bar.map((b) => b.id || b.textContent), ...overlapping,
                ...(status.scrollWidth > status.clientWidth ? ["#save-status"] : [])];
    }""")
    assert cut == [], cut
