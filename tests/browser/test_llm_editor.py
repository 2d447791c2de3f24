"""LLM serving from the editor: an LLM server from the palette, token counts and streaming on the traffic, its results and charts, refusals at their field, load curve and right-sizing."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.editor_page import EditorPage, wait_for
from tests.browser.test_runs import RUN_TIMEOUT_MS, chart_ink, open_board, run_and_wait
from tests.browser.test_scenarios import assert_fits, properties, type_into

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LLM_CHARTS = ("llm-percentiles", "llm-batch", "llm-kv")


@pytest.fixture
def editor(page, site) -> EditorPage:
    return EditorPage(page, site)


def rag_board(**traffic) -> dict:
    """A gateway, a guardrail, an embedding server, a vector index and an LLM server of two replicas, streaming."""
    nodes = [("gw", "gateway", "API gateway", 80), ("g", "guardrail", "Prompt guardrail", 280), ("e", "embedding_server", "Query embedding", 480),
             ("v", "vector_index", "Document index", 680), ("l", "llm_server", "Answer LLM", 880)]
    return {
        "schema_version": 1, "title": "RAG chatbot",
        "requirements": {"peak_rps": 8, "p99_ms": 1500, "monthly_budget_usd": None},
        "traffic": {"rps": 8, "duration_s": 60, "warmup_s": 10, "streaming": True,
                    "prompt_tokens": {"dist": "uniform", "low": 500, "high": 3000},
                    "output_tokens": {"dist": "lognormal", "median": 150, "p99": 800}, **traffic},
        "nodes": [{"id": i, "kind": k, "label": label, "position": {"x": x, "y": 160},
                   "config": {"replicas": 2} if k == "llm_server" else {}} for i, k, label, x in nodes],
        "edges": [{"id": f"e{n}", "source": a, "target": b} for n, (a, b) in enumerate([("gw", "g"), ("gw", "e"), ("gw", "v"), ("gw", "l")])],
    }


def traffic_field(page: Page, name: str):
    return page.locator(f'#panel-framework .traffic-llm .field[data-field="{name}"]')


def set_tokens(field, dist: str, **params) -> None:
    field.locator("select").select_option(dist)
    for key, value in params.items():
        field.locator(f'input[data-param="{key}"]').fill(str(value))
    field.locator(f'input[data-param="{list(params)[-1]}"]').press("Enter")


def ms_text(value: float) -> str:
    """A time as the results panel writes it (static/editor/format.js): 3 significant figures, seconds past 1 s."""
    if value >= 1000:
        return f"{value / 1000:.{0 if value >= 10000 else 1}f} s"
    return f"{value:.0f} ms" if value >= 100 else f"{value:.1f} ms" if value >= 10 else f"{value:.2f} ms"


def stored_run(editor: EditorPage) -> dict:
    runs = editor.api("GET", f"/api/boards/{editor.board_id()}/runs/")[1]
    return editor.api("GET", f"/api/runs/{runs[0]['id']}/")[1]


def test_an_llm_server_from_the_palette_with_token_counts_runs_to_ttft_tpot_and_its_charts(editor, page, celery_worker, artifacts):
    editor.create_board_from_landing("Chat answers")
    page.locator('.palette-item[data-kind="llm_server"]').scroll_into_view_if_needed()
    expect(page.locator(".palette-group", has=page.locator('[data-kind="llm_server"]')).locator("h3")).to_have_text("Generative AI")
    gateway = editor.drag_from_palette("gateway", 420, 260)
    page.locator('.palette-item[data-kind="llm_server"]').scroll_into_view_if_needed()
    llm = editor.drag_from_palette("llm_server", 720, 260)
    editor.connect(gateway, llm)
    editor.click_node(llm)
    # Its fields come from the catalog, with their help.
    for name in ("replicas", "instance", "model_class", "precision", "tensor_parallel", "scheduling", "max_num_seqs", "max_batched_tokens"):
        expect(properties(page, name)).to_be_visible()
    expect(properties(page, "model_class").locator(".field-help")).to_contain_text("published open model")
    type_into(properties(page, "replicas"), "2")

    page.click("#tab-framework")
    type_into(page.locator('#panel-framework .field[data-field="rps"]'), "4")
    llm_requests = page.locator("#panel-framework .traffic-llm")
    if llm_requests.get_attribute("open") is None:
        llm_requests.locator("summary").click()
    prompt = traffic_field(page, "prompt_tokens")
    # A uniform count whose high is under its low is refused at the field and never saved.
    set_tokens(prompt, "uniform", low=900, high=300)
    expect(prompt.locator(".field-error")).to_have_text("High must be at least low")
    set_tokens(prompt, "uniform", low=300, high=900)
    expect(prompt.locator(".field-error")).to_be_hidden()
    output = traffic_field(page, "output_tokens")
    set_tokens(output, "constant", mean=64)
    streaming = traffic_field(page, "streaming").locator("input[role=switch]")
    expect(streaming).not_to_be_checked()
    streaming.check()
    editor.wait_saved()
    traffic = editor.stored_document()["traffic"]
    assert traffic["prompt_tokens"] == {"dist": "uniform", "low": 300, "high": 900}
    assert traffic["output_tokens"] == {"dist": "constant", "mean": 64}
    assert traffic["streaming"] is True

    run_and_wait(editor)
    figures = stored_run(editor)["results"]["llm"][llm]
    card = page.locator(f'#panel-results .llm-node[data-llm-node="{llm}"]')
    expect(card).to_be_visible()
    expect(card).to_contain_text("Llama 3.1 8B")
    expect(card).to_contain_text("1 x L40S")
    # The L40S timings come from its data sheet, not from a measurement: the card says so.
    assert figures["estimate"] is True
    expect(card.locator(".llm-estimate")).to_have_text("ESTIMATE")
    expect(card.locator(".llm-timing")).to_contain_text("an estimate, not a measurement")
    for metric, key in (("ttft", "ttft_ms"), ("tpot", "tpot_ms"), ("e2e", "e2e_ms")):
        for p in ("p50", "p90", "p99"):
            expect(card.locator(f'tr[data-metric="{metric}"] td[data-p="{p}"]')).to_have_text(ms_text(figures[key][p]))
    expect(card.locator('[data-kpi="output_tokens_per_s"] .kpi-value')).to_have_text(f"{round(figures['output_tokens_per_s']):,}")
    expect(card.locator('[data-kpi="output_tokens_per_s"] .kpi-detail')).to_have_text(f"{round(figures['output_tokens_per_s_per_replica']):,} per replica")
    for key in ("output_tokens_per_dollar", "usd_per_million_output_tokens", "usd_per_1000_answers", "kv_held", "mean_running_sequences"):
        expect(card.locator(f'[data-kpi="{key}"] .kpi-value')).not_to_have_text("–")
    for chart in LLM_CHARTS:
        assert chart_ink(page, chart, f'#panel-results .llm-node[data-llm-node="{llm}"]') > 0.01, f"the {chart} chart is blank"
    # Every constant answer is 64 tokens: TPOT is the decode step, well under TTFT's queue and prefill.
    assert figures["tpot_ms"]["p50"] > 0
    card.scroll_into_view_if_needed()
    page.screenshot(path=str(artifacts / "llm-results-1280x800.png"))


def test_a_config_the_server_cannot_serve_is_refused_at_its_field(editor, page, console_errors, artifacts):
    console_errors.allow("status of 400")
    open_board(editor, rag_board())
    editor.click_node("l")
    properties(page, "model_class").locator("select").select_option("llm_70b")
    # 70B weights in fp16 (about 141 GB) do not fit a g6e.xlarge's one 48 GB L40S: only the server knows, and
    # says it at the instance, the field to change.
    error = properties(page, "instance").locator(".field-error")
    expect(error).to_contain_text("Instance: llm_70b at fp16 needs 141.1 GB of weights")
    expect(properties(page, "model_class").locator("select")).to_have_value("llm_8b")  # put back as stored
    error.scroll_into_view_if_needed()
    page.screenshot(path=str(artifacts / "llm-refused-instance.png"))

    # Two GPUs on a one-GPU machine: refused at tensor_parallel.
    type_into(properties(page, "tensor_parallel"), "2")
    expect(properties(page, "tensor_parallel").locator(".field-error")).to_have_text("Tensor parallel: g6e.xlarge has 1 GPU(s): choose a divisor of 1")
    expect(properties(page, "tensor_parallel").locator("input")).to_have_value("1")
    editor.wait_saved()
    config = next(n for n in editor.stored_document()["nodes"] if n["id"] == "l")["config"]
    assert config.get("model_class", "llm_8b") == "llm_8b" and config.get("tensor_parallel", 1) == 1
    # Editing the component again answers the refusal, and a config that fits is stored.
    properties(page, "instance").locator("select").select_option("p4d.24xlarge")
    expect(properties(page, "tensor_parallel").locator(".field-error")).to_be_hidden()
    editor.wait_saved()
    type_into(properties(page, "tensor_parallel"), "4")
    properties(page, "model_class").locator("select").select_option("llm_70b")
    editor.wait_saved()
    config = next(n for n in editor.stored_document()["nodes"] if n["id"] == "l")["config"]
    assert (config["instance"], config["tensor_parallel"], config["model_class"]) == ("p4d.24xlarge", 4, "llm_70b")


@pytest.mark.parametrize("size", [{"width": 1280, "height": 720}, {"width": 1440, "height": 900}], ids=["1280x720", "1440x900"])
def test_llm_settings_and_results_fit_the_screen(chromium, site, celery_worker, artifacts, size):
    context = chromium.new_context(viewport=size)
    page = context.new_page()
    errors = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    page.on("pageerror", lambda error: errors.append(str(error)))
    name = f"{size['width']}x{size['height']}"
    try:
        editor = EditorPage(page, site)
        open_board(editor, rag_board())
        editor.click_node("l")
        page.screenshot(path=str(artifacts / f"llm-properties-{name}.png"))
        assert_fits(page, "#panel-properties")
        page.click("#tab-framework")
        llm_requests = page.locator("#panel-framework .traffic-llm")
        expect(llm_requests).to_have_attribute("open", "")  # the board has an LLM server: its request settings are open
        expect(traffic_field(page, "prompt_tokens").locator("select")).to_have_value("uniform")
        expect(traffic_field(page, "prompt_tokens").locator('input[data-param="high"]')).to_have_value("3000")
        expect(traffic_field(page, "streaming").locator("input[role=switch]")).to_be_checked()
        llm_requests.scroll_into_view_if_needed()
        page.screenshot(path=str(artifacts / f"llm-traffic-{name}.png"))
        assert_fits(page, "#panel-framework")

        page.click("#action-run")
        expect(page.locator("#panel-results")).to_have_attribute("data-state", "done", timeout=RUN_TIMEOUT_MS)
        page.wait_for_timeout(300)  # the canvas refits itself to the narrower view
        card = page.locator('.llm-node[data-llm-node="l"]')
        card.evaluate("(card) => card.scrollIntoView({ block: 'start' })")
        page.screenshot(path=str(artifacts / f"llm-results-top-{name}.png"))
        for chart in LLM_CHARTS:
            card.locator(f'canvas[data-chart="{chart}"]').scroll_into_view_if_needed()
            page.screenshot(path=str(artifacts / f"llm-results-{chart}-{name}.png"))
            assert chart_ink(page, chart, '.llm-node[data-llm-node="l"]') > 0.01, chart
        assert_fits(page, "#panel-results")
        # The KV chart's scale reaches the capacity when the cache is well used, or its own peak (the capacity named) when not.
        kv = page.evaluate("""() => {
            const chart = Chart.getChart(document.querySelector('.llm-node[data-llm-node="l"] canvas[data-chart="llm-kv"]'));
            const values = chart.data.datasets[0].data.map((p) => p.y);
            return { top: chart.scales.y.max, peak: Math.max(...values) };
        }""")
        figures = stored_run(editor)["results"]["llm"]["l"]
        assert kv["peak"] <= kv["top"] <= max(1.3 * kv["peak"], 1.25 * figures["kv_capacity_tokens"])
        # The transformers of the embedding server are listed with their device and their estimate label.
        expect(page.locator('.models .model-card[data-model="reference_34m"]').first).to_contain_text("ESTIMATE")
        # Nothing of the diagram is under the results panel.
        side = page.locator(".side").bounding_box()
        for node_id in ("gw", "g", "e", "v", "l"):
            box = editor.node(node_id).bounding_box()
            assert box and box["x"] + box["width"] <= side["x"] + 1, node_id
    finally:
        context.close()
    assert not errors, errors


def test_load_curve_and_right_sizing_size_the_llm_servers_replicas(editor, page, celery_worker, artifacts):
    # The final run checks the proposal at the board's own length: at 60 s (480 answers) the few still
    # waiting for their first token when it ends can pass 1% of them and read as overloaded.
    document = rag_board(duration_s=300)
    next(n for n in document["nodes"] if n["id"] == "l")["config"]["replicas"] = 1  # too few for 8 req/s of long prompts
    open_board(editor, document)
    page.click("#tab-results")
    page.click('[data-sweep="load_curve"]')
    curve = page.locator('[data-section="loadcurve"] .sweep-result')
    expect(curve).to_have_attribute("data-state", "done", timeout=2 * RUN_TIMEOUT_MS)
    assert chart_ink(page, "loadcurve", '[data-section="loadcurve"]') > 0.01
    # One replica answers the low rates in time and falls behind before the peak.
    expect(curve.locator(".sweep-summary")).to_contain_text("Meets the P99 SLO of 1500 ms up to")
    expect(curve.locator(".sweep-summary")).not_to_contain_text("up to 12 req/s")
    # Levels that cannot keep up have P99s of seconds or minutes beside sub-second ones: the axis stops at
    # 4x the SLO at most, so the SLO line stands at least a quarter of the way up, and a level beyond the
    # axis is marked at its top with its real P99 instead of stretching it.
    axis = page.evaluate("""() => {
        const chart = Chart.getChart(document.querySelector('[data-section="loadcurve"] canvas'));
        const data = chart.data.datasets[0].data;
        return { type: chart.scales.y.type, max: chart.scales.y.max, p99: data.map((point) => point.p99 ?? point.y),
                 clipped: data.filter((point) => point.clipped).map((point) => point.p99) };
    }""")
    assert axis["type"] == "linear" and axis["max"] <= 4 * 1500, axis
    assert max(axis["p99"]) > 1500, axis  # a level misses the SLO: the case the axis has to handle
    assert sorted(axis["clipped"]) == sorted(p for p in axis["p99"] if p > axis["max"]), axis
    page.click('[data-sweep="rightsize"]')
    proposal = page.locator('[data-section="rightsize"] .sweep-result')
    expect(proposal).to_have_attribute("data-state", "done", timeout=4 * RUN_TIMEOUT_MS)
    proposal.scroll_into_view_if_needed()
    page.screenshot(path=str(artifacts / "llm-rightsize-1280x800.png"))
    proposed = int(proposal.locator('tr[data-node="l"] td').nth(2).inner_text())
    assert proposed > 1, "one replica cannot hold 8 req/s: the search must add LLM replicas"
    page.click(".apply-rightsize")
    editor.wait_saved()
    assert next(n for n in editor.stored_document()["nodes"] if n["id"] == "l")["config"]["replicas"] == proposed
    # The proposal's own run meets the SLO through the LLM server: its streamed answers' first tokens come in time.
    run_and_wait(editor)
    results = stored_run(editor)["results"]
    assert results["latency_ms"]["p99"] <= 1500
    assert not [w for w in results["warnings"] if w["code"] in ("unstable", "overloaded")]
    assert results["llm"]["l"]["ttft_ms"]["p99"] <= 1500


def test_token_counts_are_checked_like_the_server_before_they_are_saved(editor, page):
    open_board(editor, rag_board())
    page.click("#tab-framework")
    output = traffic_field(page, "output_tokens")
    set_tokens(output, "lognormal", median=400, p99=300)
    expect(output.locator(".field-error")).to_have_text("P99 must be greater than the median")
    set_tokens(output, "empirical", samples="120, 80.5, 300")
    expect(output.locator(".field-error")).to_have_text("Each sample must be a whole number of tokens from 1 to 131072")
    set_tokens(output, "empirical", samples="120, 80, 300")
    expect(output.locator(".field-error")).to_be_hidden()
    streaming = traffic_field(page, "streaming").locator("input[role=switch]")
    streaming.uncheck()
    expect(traffic_field(page, "streaming")).to_contain_text("off")
    editor.wait_saved()
    traffic = editor.stored_document()["traffic"]
    assert traffic["output_tokens"] == {"dist": "empirical", "samples": [120, 80, 300]}
    assert traffic["streaming"] is False
    # Undo goes back through the committed values, and the picker shows what the board holds.
    page.click("#action-undo")
    wait_for(page, "window.boardEditor.state.current().traffic.output_tokens.dist !== 'empirical'")
    shown = page.evaluate("window.boardEditor.state.current().traffic.output_tokens")
    expect(output.locator("select")).to_have_value(shown["dist"])
    for key, value in shown.items():
        if key != "dist":
            expect(output.locator(f'input[data-param="{key}"]')).to_have_value(str(value))
