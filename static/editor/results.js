// The Results tab's run results: the verdict against the requirements, KPIs, resilience figures, charts, cost notes and the models of one run.

import { SERIES, chartBox, latencyCdf, latencyHistogram, nodeBars, overTime } from "./charts.js";
import { el } from "./dom.js";
import { ms, pct, rps, usd } from "./format.js";
import { llmServing, transformerCard } from "./llmresults.js";
import { band } from "./overlay.js";
import { autoscaledNodes, callsPerConnection, failuresByReason, faultBands, faultImpacts } from "./resilience.js";

// A limit that is not one component is named for what it is; "Show it" still goes to the component at its end.
const LIMIT_TITLES = { network: "network latency on the sync calls", sync_chain: "a chain of sync calls" };

const BAND_COLOUR = { ok: "#16a34a", warn: "#d97706", hot: "#dc2626" };

/** Pass/fail of each requirement, and the sentence a newcomer reads first. */
export function verdictOf(results) {
  const slo = results.slo || {};
  const checks = [];
  if (slo.p99_ms) checks.push({ name: "P99 SLO", passed: slo.p99_ms.passed, text: `P99 ${ms(slo.p99_ms.actual)} ${slo.p99_ms.passed ? "≤" : ">"} ${slo.p99_ms.target} ms` });
  if (slo.peak_rps) checks.push({ name: "peak load", passed: slo.peak_rps.passed, text: `${rps(slo.peak_rps.actual)} at a peak of ${rps(slo.peak_rps.target)}: ${slo.peak_rps.note}` });
  if (slo.monthly_budget_usd) checks.push({ name: "budget", passed: slo.monthly_budget_usd.passed, text: `${usd(slo.monthly_budget_usd.actual)} a month ${slo.monthly_budget_usd.passed ? "within" : "over"} ${usd(slo.monthly_budget_usd.target)}` });
  if (!checks.length) return { verdict: "none", headline: "No requirements set: add a P99 SLO, peak load and budget in the Framework tab to get a verdict.", checks };
  const failed = checks.filter((check) => !check.passed);
  const list = (names) => (names.length > 1 ? `${names.slice(0, -1).join(", ")} and ${names[names.length - 1]}` : names[0]);
  const headline = failed.length ? `Misses the ${list(failed.map((c) => c.name))}` : `Meets the ${list(checks.map((c) => c.name))}`;
  return { verdict: failed.length ? "fail" : "pass", headline, checks };
}

export class RunResults {
  /**
   * The part of the Results tab that shows one run; the tab's `data-state` says where the run stands.
   * @param {HTMLElement} tab    the #panel-results tab panel
   * @param {object} options     {state (labels of the components), editor (to show a component), overlay, playback}
   */
  constructor(tab, { state, editor, overlay, playback }) {
    Object.assign(this, { tab, state, editor, overlay, playback });
    this.run = null; // the run shown
    this.empty = el("p", { class: "panel-hint results-empty", text: "Press Run (Ctrl+Enter) to simulate this board: throughput, P99 latency, drops and monthly cost appear here and on the canvas." });
    this.failure = el("div", { class: "run-failure", role: "alert", hidden: true });
    this.body = el("div", { class: "results-body", hidden: true });
    this.elements = [this.empty, this.failure, this.body];
  }

  setState(state) {
    this.tab.dataset.state = state;
  }

  /** A run ended: show its results (or why it has none). */
  show(run) {
    if (run.status !== "succeeded") {
      this.failure.replaceChildren(
        el("strong", { text: run.status === "cancelled" ? "Run cancelled." : "The run failed." }), " ",
        run.status === "cancelled" ? "Press Run to start again." : (run.error || "No reason was given."));
      this.failure.hidden = false;
      this.setState(run.status);
      return;
    }
    this.failure.hidden = true;
    this.run = run;
    this.render(run);
    this.overlay.show(run.results);
    this.playback.load(run.results);
    this.setState("done");
  }

  render(run) {
    const results = run.results;
    const verdict = verdictOf(results);
    const slo = results.slo?.p99_ms?.target ?? null;
    const p99 = results.latency_ms;
    const kpi = (key, label, value, detail = "") => el("div", { class: "kpi", "data-kpi": key },
      el("span", { class: "kpi-label", text: label }), el("span", { class: "kpi-value", text: value }), detail ? el("span", { class: "kpi-detail", text: detail }) : null);
    const dropShare = results.requests.dropped / Math.max(results.requests.arrived, 1);
    const failed = results.requests.failed ?? 0;
    const bottleneck = results.bottleneck;
    const k = results.run.time_compression || 1;
    const compressed = k > 1 ? ` · time compressed ${k}× (the run stands for ${(results.run.represents_s / 3600).toFixed(1)} h)` : "";
    const header = el("p", { class: "run-meta panel-hint", text: `Board version ${run.board_version} · ${results.run.requests_simulated.toLocaleString()} requests simulated (${results.run.measured_s.toFixed(1)} s measured after ${results.run.warmup_s} s warm-up) · seed ${results.run.seed}${compressed}` });
    const checks = el("ul", { class: "checks" }, ...verdict.checks.map((check) => el("li", { class: "check", "data-passed": String(check.passed) },
      el("span", { class: "badge", "data-verdict": check.passed ? "pass" : "fail", text: check.passed ? "PASS" : "FAIL" }), " ", el("span", { text: check.text }))));
    // A passing board's limit is its headroom (the component closest to its limit); a failing one's is
    // where its P99 is spent or the capacity it lacks (simulator/attribution.py). Runs stored before
    // the simulator said which fall back to the verdict.
    const calm = bottleneck?.verdict ? bottleneck.verdict === "headroom" : verdict.verdict === "pass";
    const bottleneckLine = bottleneck ? el("div", { class: "bottleneck", "data-calm": String(calm), "data-cause": bottleneck.cause || null },
      el("strong", { text: `${calm ? "Headroom" : "Bottleneck"}: ${LIMIT_TITLES[bottleneck.cause] || this.state.labelOf(bottleneck.node)}` }), " — ", bottleneck.reason, " ",
      el("button", { type: "button", class: "link-button", text: "Show it", onclick: () => this.editor.focus(bottleneck.node) })) : null;
    // The simulator names components by id; people know them by their labels.
    const named = (w) => (w.node && w.message.startsWith(w.node) ? this.state.labelOf(w.node) + w.message.slice(w.node.length) : w.message);
    const warnings = (results.warnings || []).map((w) => el("li", { "data-node": w.node || null, "data-code": w.code, text: named(w) }));
    // A run that could not keep up: its P99 is that of the requests that completed, and says so.
    const overloaded = (results.warnings || []).some((w) => w.code === "overloaded");
    const p99Detail = `95% CI ${ms(p99.p99_ci95[0])} – ${ms(p99.p99_ci95[1])}${overloaded ? ` · of the completed only: ${pct(results.unfinished_share)} never completed` : ""}`;
    const bands = faultBands(results, this.state.catalog);
    const scaled = autoscaledNodes(results, this.state, bands);
    const llm = llmServing(results, this.state);
    this.drawExtra = () => {
      scaled?.draw();
      llm?.draw();
    };

    this.body.replaceChildren(...[
      el("div", { class: "slo-verdict", "data-verdict": verdict.verdict }, el("span", { class: "verdict-mark", text: { pass: "✓", fail: "✗", none: "•" }[verdict.verdict] }), el("span", { text: verdict.headline })),
      checks,
      bottleneckLine,
      warnings.length ? el("ul", { class: "run-warnings" }, ...warnings) : null,
      el("div", { class: "kpis" },
        kpi("availability", "Availability", pct(results.availability), results.requests.degraded ? `${pct(results.degraded_share)} degraded (served by a fallback)` : "completed of measured"),
        kpi("throughput", "Throughput", rps(results.throughput_rps)),
        kpi("goodput", "Goodput", rps(results.goodput_rps), slo !== null ? `within the ${slo} ms SLO` : "no P99 SLO: every completion"),
        kpi("p50_ms", "P50", ms(p99.p50)),
        kpi("p95_ms", "P95", ms(p99.p95)),
        kpi("failed", "Failed", pct(failed / Math.max(results.requests.arrived, 1)), `${failed.toLocaleString()} of ${results.requests.arrived.toLocaleString()}`),
        kpi("p99_ms", "P99", ms(p99.p99), p99Detail),
        kpi("drop_rate", "Dropped", pct(dropShare), `${results.requests.dropped.toLocaleString()} of ${results.requests.arrived.toLocaleString()}`),
        kpi("monthly_usd", "Monthly cost", usd(results.cost?.monthly_usd)),
        kpi("per_million_usd", "Per million requests", usd(results.cost?.per_million_requests_usd))),
      header,
      el("label", { class: "overlay-toggle" }, el("input", { type: "checkbox", checked: this.overlay.visible, onchange: (event) => this.showOnCanvas(event.target.checked) }), " Show results on the canvas"),
      failuresByReason(results),
      faultImpacts(results, { state: this.state, catalog: this.state.catalog }),
      llm?.section,
      el("h3", { text: "Latency distribution" }), chartBox("histogram", "Histogram of request latency with the SLO line"),
      el("h3", { text: "Latency CDF" }), chartBox("cdf", "Cumulative distribution of request latency with the SLO line"),
      el("h3", { text: "Throughput, P99 and failures over time" }),
      chartBox("timeseries", `Throughput, P99 latency, drops and failures per second${bands.length ? ", with each fault shaded over its window" : ""}`),
      callsPerConnection(results, this.state),
      scaled?.section,
      el("h3", { text: "Utilisation per component" }), chartBox("utilisation", "Utilisation of each component"),
      el("h3", { text: "P99 queue wait per component" }), chartBox("wait", "P99 wait in each component's queue"),
      el("h3", { text: "Monthly cost by component" }), chartBox("cost", "Monthly cost of each component"),
      this.costNotes(results),
      this.models(results),
    ].filter(Boolean));
    this.body.hidden = false;
    this.empty.hidden = true;
    this.drawCharts(results, slo, bands);
  }

  /** The results on the canvas, and its timeline playback, on or off. */
  showOnCanvas(visible) {
    this.overlay.setVisible(visible);
    this.playback.setEnabled(visible);
  }

  drawCharts(results, slo, bands) {
    const canvas = (name) => this.body.querySelector(`canvas[data-chart="${name}"]`);
    latencyHistogram(canvas("histogram"), results, slo);
    latencyCdf(canvas("cdf"), [{ label: "this run", results }], slo);
    overTime(canvas("timeseries"), results, slo, bands);
    this.drawExtra();
    const unstable = new Set((results.warnings || []).filter((w) => w.code === "unstable").map((w) => w.node));
    const served = Object.entries(results.nodes).filter(([, stats]) => stats.servers > 0);
    const label = (id) => this.state.labelOf(id);
    nodeBars(canvas("utilisation"), served.map(([id, stats]) => ({ label: label(id), value: 100 * Math.min(stats.utilization, 1), colour: BAND_COLOUR[band(stats, unstable.has(id))] })),
      { title: "% busy", max: 100, format: (value) => `${value.toFixed(1)}% busy` });
    nodeBars(canvas("wait"), served.map(([id, stats]) => ({ label: label(id), value: stats.p99_wait_ms, colour: BAND_COLOUR[band(stats, unstable.has(id))] })),
      { title: "P99 wait (ms)", format: (value) => `P99 wait ${ms(value)}` });
    const costs = Object.entries(results.cost?.by_node || {}).filter(([, cost]) => cost.monthly_usd > 0).sort((a, b) => b[1].monthly_usd - a[1].monthly_usd);
    nodeBars(canvas("cost"), costs.map(([id, cost]) => ({ label: label(id), value: cost.monthly_usd, colour: SERIES[0] })),
      { title: "USD per month", format: (value) => `${usd(value)} a month` });
  }

  costNotes(results) {
    const cost = results.cost;
    if (!cost) return null;
    const items = Object.entries(cost.by_node).filter(([, c]) => c.monthly_usd > 0).map(([id, c]) => el("li", {}, el("strong", { text: `${this.state.labelOf(id)}: ${usd(c.monthly_usd)}` }), ` — ${c.basis}`));
    return el("details", { class: "cost-notes" }, el("summary", { text: "How the cost is worked out" }),
      el("ul", {}, ...items),
      el("p", { class: "panel-hint", text: `Prices: ${cost.prices.region}, as of ${cost.prices.as_of}. ${cost.prices.note} ${cost.assumptions || ""}` }));
  }

  models(results) {
    // LLM servers have their own section; the other transformers (embeddings, rerankers, caches) are listed here.
    const servers = Object.entries(results.nodes).filter(([id, stats]) => stats.model && !results.llm?.[id]);
    if (!servers.length) return null;
    const quality = (q) => Object.entries(q || {}).map(([name, value]) => `${name.replace(/_/g, " ")} ${typeof value === "number" ? value.toFixed(3) : value}`).join(", ");
    return el("div", { class: "models" }, el("h3", { text: "Models and their timings" }),
      ...servers.map(([id, stats]) => {
        const model = stats.model;
        if (model.model_class) return transformerCard(this.state.labelOf(id), model);
        return el("div", { class: "model-card", "data-model": model.model },
          el("strong", { text: `${this.state.labelOf(id)}: ${model.title}` }),
          el("p", { text: `Quality on held-out data: ${quality(model.quality)} (baseline: ${quality(model.baseline)}).` }),
          el("p", { text: `Mean batch ${stats.mean_batch_size ? stats.mean_batch_size.toFixed(1) : "–"}; batch-1 P50 ${ms(model.p50_ms_by_batch?.["1"])}; ${(model.size_bytes / 1e6).toFixed(1)} MB.` }),
          el("p", { class: "panel-hint", text: `Timings: ${model.timing_source}. ${model.speed_basis}.` }));
      }));
  }
}
