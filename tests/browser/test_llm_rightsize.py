"""Right-sizing an LLM board from the editor: the proposal names the GPU machine it changes, and applying it sets machine and replicas in one undoable step."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.editor_page import EditorPage, wait_for
from tests.browser.test_runs import RUN_TIMEOUT_MS, open_board, run_and_wait

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def editor(page, site) -> EditorPage:
    return EditorPage(page, site)


def oversized_chat_board() -> dict:
    """Three L40S machines (g6e.xlarge) behind a gateway for 4 short streamed chats a second, P99 SLO 1 s."""
    return {
        "schema_version": 1, "title": "Oversized chat",
        "requirements": {"peak_rps": 4, "p99_ms": 1000, "monthly_budget_usd": None},
        "traffic": {"rps": 4, "duration_s": 60, "warmup_s": 10, "streaming": True,
                    "prompt_tokens": {"dist": "uniform", "low": 200, "high": 600},
                    "output_tokens": {"dist": "constant", "mean": 100}},
        "nodes": [{"id": "gw", "kind": "gateway", "label": "API gateway", "position": {"x": 120, "y": 160}, "config": {}},
                  {"id": "l", "kind": "llm_server", "label": "Chat LLM", "position": {"x": 420, "y": 160},
                   "config": {"replicas": 3, "instance": "g6e.xlarge"}}],
        "edges": [{"id": "e0", "source": "gw", "target": "l"}],
    }


def llm_config(page) -> dict:
    return page.evaluate("window.boardEditor.state.node('l').config")


def test_applying_a_proposal_that_moves_the_llm_to_a_cheaper_gpu_sets_machine_and_replicas_in_one_undo_step(editor, page, celery_worker, artifacts):
    open_board(editor, oversized_chat_board())
    page.click("#tab-results")
    page.click('[data-sweep="rightsize"]')
    proposal = page.locator('[data-section="rightsize"] .sweep-result')
    expect(proposal).to_have_attribute("data-state", "done", timeout=4 * RUN_TIMEOUT_MS)
    proposal.scroll_into_view_if_needed()
    page.screenshot(path=str(artifacts / "llm-rightsize-instance.png"))
    # One L4 (g6.xlarge, $0.8048/h) answers 4 short chats a second within the SLO for less than one
    # L40S ($1.861/h): the line says which machine, from what, and the replica change.
    line = proposal.locator('.rightsize-instances li[data-node="l"]')
    expect(line).to_have_attribute("data-change", "instance")
    expect(line).to_contain_text("Chat LLM: g6e.xlarge → g6.xlarge, 3 → 1 replicas")
    expect(line).to_contain_text("the cheapest of")
    expect(proposal.locator('tr[data-node="l"] td').nth(2)).to_have_text("1")
    # It says every cheaper configuration fails, and that only busy components were given replicas.
    expect(proposal.locator('[data-proven="true"]')).to_contain_text("every cheaper one fails the SLO")
    apply = proposal.locator(".apply-rightsize")
    expect(apply).to_have_text("Apply these machines and replica counts")
    apply.click()
    assert (llm_config(page)["instance"], llm_config(page)["replicas"]) == ("g6.xlarge", 1)
    editor.wait_saved()
    stored = {n["id"]: n["config"] for n in editor.stored_document()["nodes"]}
    assert (stored["l"]["instance"], stored["l"]["replicas"]) == ("g6.xlarge", 1)
    assert stored["gw"]["replicas"] == 1  # the gateway's spare replica went in the same edit

    # One undo puts back both the machine and the count (and the gateway's).
    page.click("#action-undo")
    wait_for(page, "window.boardEditor.state.node('l').config.instance === 'g6e.xlarge'")
    assert llm_config(page)["replicas"] == 3
    assert page.evaluate("window.boardEditor.state.node('gw').config.replicas ?? 2") == 2
    page.click("#action-redo")
    wait_for(page, "window.boardEditor.state.node('l').config.instance === 'g6.xlarge'")
    editor.wait_saved()

    # The applied board, run as it stands, meets the SLO on the L4 at its price.
    run_and_wait(editor)
    runs = editor.api("GET", f"/api/boards/{editor.board_id()}/runs/")[1]
    results = editor.api("GET", f"/api/runs/{runs[0]['id']}/")[1]["results"]
    assert results["latency_ms"]["p99"] <= 1000
    assert results["cost"]["by_node"]["l"]["monthly_usd"] == pytest.approx(1 * 0.8048 * 730)
