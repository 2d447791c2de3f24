"""What a run says about a board: the traffic follows the peak requirement, the run length is in reach, the limit is where the P99 is spent, and the printable report says which version the run was of."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.editor_page import EditorPage
from tests.browser.test_runs import open_board, overlay, run_and_wait

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def editor(page, site, celery_worker) -> EditorPage:
    return EditorPage(page, site)


def framework_field(page, section: str, name: str):
    # Each name is in one section only (peak_rps and p99_ms in requirements, rps and duration_s in traffic).
    return page.locator(f'#panel-framework form.fields > .field[data-field="{name}"], '
                        f'#panel-framework .traffic-more > .field[data-field="{name}"]').first


def slow_links_board() -> dict:
    """A quiet gateway, feature store and model at 200 req/s whose two sync links take 40 ms each: P99 SLO 60 ms."""
    def node(node_id, kind, label, x, config):
        return {"id": node_id, "kind": kind, "label": label, "position": {"x": x, "y": 160}, "config": config}
    return {"schema_version": 1, "title": "Slow links",
            "requirements": {"peak_rps": 200, "p99_ms": 60, "monthly_budget_usd": None},
            "traffic": {"rps": 200, "duration_s": 12, "warmup_s": 2},
            "nodes": [node("gw", "gateway", "Gateway", 80, {"replicas": 1, "service_time": {"dist": "exponential", "mean_ms": 0.3}}),
                      node("fs", "feature_store", "Features", 340, {"replicas": 4}),
                      node("ms", "model_server", "Ranker", 600, {"replicas": 4, "model": None, "max_batch_size": 1,
                                                                 "service_time": {"dist": "exponential", "mean_ms": 4}})],
            "edges": [{"id": "e1", "source": "gw", "target": "fs", "latency_ms": 40},
                      {"id": "e2", "source": "fs", "target": "ms", "latency_ms": 40}]}


def test_traffic_follows_the_peak_the_limit_is_where_the_p99_goes_and_the_report_renders_notes_and_the_run_version(editor, page, artifacts):
    open_board(editor, slow_links_board())
    page.click("#tab-framework")
    peak = framework_field(page, "requirements", "peak_rps")
    traffic = framework_field(page, "traffic", "rps")
    length = framework_field(page, "traffic", "duration_s")
    # The two rates say which is which; the traffic equals the peak, so it follows it.
    expect(peak.locator("label").first).to_contain_text("Peak load to carry")
    expect(traffic.locator("label").first).to_contain_text("Simulated traffic")
    expect(traffic).to_have_attribute("data-following", "true")
    expect(traffic.locator("input.follow-peak")).to_be_checked()
    # A new peak moves the traffic with it, in one edit.
    peak.locator("input").first.fill("250")
    peak.locator("input").first.press("Enter")
    assert page.evaluate("window.boardEditor.state.board().traffic.rps") == 250
    expect(traffic.locator('input[type="text"]')).to_have_value("250")
    # The run length is shown (not folded away) with its allowed range, and a bad one is refused at the field.
    expect(length.locator("label").first).to_contain_text("Run length")
    expect(length.locator(".field-help").first).to_contain_text("at most 86400")
    length.locator("input").first.fill("0")
    length.locator("input").first.press("Enter")
    expect(length.locator(".field-error")).to_be_visible()
    length.locator("input").first.fill("12")
    length.locator("input").first.press("Enter")
    # It says what the length means in requests at the simulated rate, and the longest a run can be.
    expect(length.locator(".run-size")).to_have_text(
        "About 3,000 requests at 250 req/s; at this rate a run can last at most 80,000 s (20,000,000 requests).")
    # A rate typed apart from the peak sets the traffic apart: it keeps its own rate when the peak changes.
    traffic.locator('input[type="text"]').fill("300")
    traffic.locator('input[type="text"]').press("Enter")
    expect(traffic).to_have_attribute("data-following", "false")
    expect(traffic.locator("input.follow-peak")).not_to_be_checked()
    peak.locator("input").first.fill("200")
    peak.locator("input").first.press("Enter")
    board = page.evaluate("window.boardEditor.state.board()")
    assert (board["requirements"]["peak_rps"], board["traffic"]["rps"], board["traffic"]["duration_s"]) == (200, 300, 12)
    traffic.locator("input.follow-peak").click()  # back to the peak: both 200
    assert page.evaluate("window.boardEditor.state.board().traffic.rps") == 200
    page.screenshot(path=str(artifacts / "analysis-load-fields.png"))

    # 80 ms of links against a 60 ms SLO: the limit is the network, not the quiet gateway.
    run_and_wait(editor)
    line = page.locator("#panel-results .bottleneck")
    expect(line.locator("strong")).to_have_text("Bottleneck: network latency on the sync calls")
    expect(line).to_have_attribute("data-cause", "network")
    expect(line).to_contain_text("network latency")
    expect(line).to_contain_text("Gateway → Features")
    painted = overlay(page)
    outlined = [node for node, state in painted.items() if state.get("bottleneck")]
    assert outlined and outlined != ["gw"]
    page.screenshot(path=str(artifacts / "analysis-network-bottleneck.png"))

    # With a 200 ms SLO the same board passes: its line is headroom, with no red outline.
    page.click("#tab-framework")
    slo = framework_field(page, "requirements", "p99_ms")
    slo.locator("input").first.fill("200")
    slo.locator("input").first.press("Enter")
    run_and_wait(editor)
    expect(page.locator(".slo-verdict")).to_have_attribute("data-verdict", "pass")
    expect(line).to_contain_text("Headroom")
    expect(line).to_contain_text("today's load before it saturates")
    expect(line).to_contain_text("under the 200 ms SLO")
    assert not [node for node, state in overlay(page).items() if state.get("bottleneck")]

    # A note in Markdown, saved after the run: the printable report renders it and says the run is of the older version.
    page.click("#tab-framework")
    page.locator('.note[data-step="serving"] summary').click()
    area = page.locator('.note[data-step="serving"] textarea')
    area.fill("Serve with **Triton**, `max_batch_size` 16\n<b>typed tag</b>")
    editor.wait_saved()
    board = editor.api("GET", f"/api/boards/{editor.board_id()}/")[1]
    newest = editor.api("GET", f"/api/boards/{editor.board_id()}/runs/")[1][0]
    made_on = editor.api("GET", f"/api/runs/{newest['id']}/")[1]["board_version"]
    assert board["version"] > made_on
    page.goto(f"{editor.site}/b/{editor.board_id()}/report/")
    report = page.locator("main.report")
    expect(report.locator('.note strong')).to_have_text("Triton")
    expect(report.locator(".note code")).to_have_text("max_batch_size")
    expect(report.locator(".note b")).to_have_count(0)  # typed HTML is text, not an element
    expect(report.locator(".note")).to_contain_text("<b>typed tag</b>")
    expect(report.locator(".notice")).to_have_text(
        f"Run made on version {made_on}; the board is now at version {board['version']}. "
        "The figures below are of that version, not of the diagram above.")
    page.screenshot(path=str(artifacts / "analysis-report-version.png"), full_page=True)
