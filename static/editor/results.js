// The Results tab: verdicts, KPIs, charts and models of a run; run history and comparison; load curve and right-sizing.

import { api } from "./api.js";
import { SERIES, latencyCdf, latencyHistogram, loadCurve, nodeBars, overTime } from "./charts.js";
import { band, ms } from "./overlay.js";
import { explainError } from "./runs.js";

const BAND_COLOUR = { ok: "#16a34a", warn: "#d97706", hot: "#dc2626" };
const usd = (value) => (value === null || value === undefined ? "–" : `$${value.toLocaleString(undefined, { maximumFractionDigits: value < 10 ? 2 : 0 })}`);
const rps = (value) => (value === null || value === undefined ? "–" : `${value.toLocaleString(undefined, { maximumFractionDigits: value < 100 ? 1 : 0 })} req/s`);
const pct = (value) => (value === null || value === undefined ? "–" : `${(100 * value).toFixed(value > 0 && value < 0.001 ? 3 : 2)}%`);

function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === null || value === undefined || value === false) continue;
    if (name === "class") node.className = value;
    else if (name === "text") node.textContent = value;
    else if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
    else node.setAttribute(name, value === true ? "" : value);
  }
  node.append(...children.filter((child) => child !== null && child !== undefined));
  return node;
}

function chartBox(name, label, height = 190) {
  return el("div", { class: "chart", style: `height:${height}px` }, el("canvas", { "data-chart": name, role: "img", "aria-label": label }));
}

/** The figures compared between two runs: [key, label, read(results), format, lower is better]. */
const KPIS = [
  ["throughput", "Throughput", (r) => r.throughput_rps, rps, false],
  ["p50_ms", "P50", (r) => r.latency_ms.p50, ms, true],
  ["p95_ms", "P95", (r) => r.latency_ms.p95, ms, true],
  ["p99_ms", "P99", (r) => r.latency_ms.p99, ms, true],
  ["drop_rate", "Dropped", (r) => r.requests.dropped / Math.max(r.requests.arrived, 1), pct, true],
  ["monthly_usd", "Monthly cost", (r) => r.cost?.monthly_usd, usd, true],
  ["per_million_usd", "Cost per million requests", (r) => r.cost?.per_million_requests_usd, usd, true],
];

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

export class ResultsPanel {
  /**
   * @param element   the #panel-results tab panel
   * @param options   {boardId, editor, overlay, controller, onMessage, showTab(name), applyReplicas(replicas), canRun}
   */
  constructor(element, options) {
    Object.assign(this, options);
    this.element = element;
    this.run = null;
    this.build();
  }

  build() {
    this.empty = el("p", { class: "panel-hint results-empty", text: "Press Run (Ctrl+Enter) to simulate this board: throughput, P99 latency, drops and monthly cost appear here and on the canvas." });
    this.failure = el("div", { class: "run-failure", role: "alert", hidden: true });
    this.body = el("div", { class: "results-body", hidden: true });
    this.loadCurveBox = el("div", { class: "sweep-result" });
    this.rightsizeBox = el("div", { class: "sweep-result" });
    this.historyList = el("ul", { class: "run-history" });
    this.compareBox = el("div", { class: "compare" });
    const sweepButton = (kind, text, hint) => el("button", { type: "button", class: "sweep-button", "data-sweep": kind, title: hint, text, onclick: () => this.sweep(kind) });
    this.element.append(
      this.empty, this.failure, this.body,
      el("details", { class: "results-section", open: true, "data-section": "loadcurve" },
        el("summary", { text: "Load curve" }),
        el("p", { class: "panel-hint", text: "Runs the board at 10% to 150% of its peak load in parallel and marks the highest rate that meets the P99 SLO." }),
        sweepButton("load_curve", "Draw the load curve", "Simulate several request rates at once"), this.loadCurveBox),
      el("details", { class: "results-section", open: true, "data-section": "rightsize" },
        el("summary", { text: "Right-size" }),
        el("p", { class: "panel-hint", text: "Searches for the cheapest replica counts that still meet the P99 SLO at the peak load." }),
        sweepButton("rightsize", "Propose replica counts", "Search replica counts that meet the SLO at the lowest cost"), this.rightsizeBox),
      el("details", { class: "results-section", open: true, "data-section": "history" },
        el("summary", { text: "Run history and compare" }),
        el("p", { class: "panel-hint", text: "Tick two runs to see them side by side." }),
        this.historyList,
        el("button", { type: "button", class: "compare-button", text: "Compare the two ticked runs", disabled: true, onclick: () => this.compare() }),
        this.compareBox),
    );
    this.compareButton = this.element.querySelector(".compare-button");
    if (!this.canRun) for (const button of this.element.querySelectorAll(".sweep-button")) button.disabled = true;
  }

  setState(state) {
    this.element.dataset.state = state;
  }

  /** A run ended: show its results (or why it has none) and refresh the history. */
  show(run) {
    this.refreshHistory();
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
    const bottleneck = results.bottleneck;
    const header = el("p", { class: "run-meta panel-hint", text: `Board version ${run.board_version} · ${results.run.requests_simulated.toLocaleString()} requests simulated (${results.run.measured_s.toFixed(1)} s measured after ${results.run.warmup_s} s warm-up) · seed ${results.run.seed}` });
    const checks = el("ul", { class: "checks" }, ...verdict.checks.map((check) => el("li", { class: "check", "data-passed": String(check.passed) },
      el("span", { class: "badge", "data-verdict": check.passed ? "pass" : "fail", text: check.passed ? "PASS" : "FAIL" }), " ", el("span", { text: check.text }))));
    // When the design passes, the busiest box is where the next limit will come from, not a problem yet.
    const calm = verdict.verdict === "pass";
    const bottleneckLine = bottleneck ? el("div", { class: "bottleneck", "data-calm": String(calm) },
      el("strong", { text: `${calm ? "Bottleneck as load grows" : "Bottleneck"}: ${this.editor.labelOf(bottleneck.node)}` }), " — ", bottleneck.reason, " ",
      el("button", { type: "button", class: "link-button", text: "Show it", onclick: () => this.focusNode(bottleneck.node) })) : null;
    // The simulator names components by id; people know them by their labels.
    const named = (w) => (w.node && w.message.startsWith(w.node) ? this.editor.labelOf(w.node) + w.message.slice(w.node.length) : w.message);
    const warnings = (results.warnings || []).map((w) => el("li", { "data-node": w.node || null, text: named(w) }));

    this.body.replaceChildren(...[
      el("div", { class: "slo-verdict", "data-verdict": verdict.verdict }, el("span", { class: "verdict-mark", text: { pass: "✓", fail: "✗", none: "•" }[verdict.verdict] }), el("span", { text: verdict.headline })),
      checks,
      bottleneckLine,
      warnings.length ? el("ul", { class: "run-warnings" }, ...warnings) : null,
      el("div", { class: "kpis" },
        kpi("throughput", "Throughput", rps(results.throughput_rps)),
        kpi("p50_ms", "P50", ms(p99.p50)),
        kpi("p95_ms", "P95", ms(p99.p95)),
        kpi("p99_ms", "P99", ms(p99.p99), `95% CI ${ms(p99.p99_ci95[0])} – ${ms(p99.p99_ci95[1])}`),
        kpi("drop_rate", "Dropped", pct(dropShare), `${results.requests.dropped.toLocaleString()} of ${results.requests.arrived.toLocaleString()}`),
        kpi("monthly_usd", "Monthly cost", usd(results.cost?.monthly_usd)),
        kpi("per_million_usd", "Per million requests", usd(results.cost?.per_million_requests_usd))),
      header,
      el("label", { class: "overlay-toggle" }, el("input", { type: "checkbox", checked: this.overlay.visible, onchange: (event) => this.overlay.setVisible(event.target.checked) }), " Show results on the canvas"),
      el("h3", { text: "Latency distribution" }), chartBox("histogram", "Histogram of request latency with the SLO line"),
      el("h3", { text: "Latency CDF" }), chartBox("cdf", "Cumulative distribution of request latency with the SLO line"),
      el("h3", { text: "Throughput and P99 over time" }), chartBox("timeseries", "Throughput and P99 latency per second"),
      el("h3", { text: "Utilisation per component" }), chartBox("utilisation", "Utilisation of each component"),
      el("h3", { text: "P99 queue wait per component" }), chartBox("wait", "P99 wait in each component's queue"),
      el("h3", { text: "Monthly cost by component" }), chartBox("cost", "Monthly cost of each component"),
      this.costNotes(results),
      this.models(results),
    ].filter(Boolean));
    this.body.hidden = false;
    this.empty.hidden = true;
    this.drawCharts(results, slo);
  }

  drawCharts(results, slo) {
    const canvas = (name) => this.body.querySelector(`canvas[data-chart="${name}"]`);
    latencyHistogram(canvas("histogram"), results, slo);
    latencyCdf(canvas("cdf"), [{ label: "this run", results }], slo);
    overTime(canvas("timeseries"), results, slo);
    const unstable = new Set((results.warnings || []).filter((w) => w.code === "unstable").map((w) => w.node));
    const served = Object.entries(results.nodes).filter(([, stats]) => stats.servers > 0);
    const label = (id) => this.editor.labelOf(id);
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
    const items = Object.entries(cost.by_node).filter(([, c]) => c.monthly_usd > 0).map(([id, c]) => el("li", {}, el("strong", { text: `${this.editor.labelOf(id)}: ${usd(c.monthly_usd)}` }), ` — ${c.basis}`));
    return el("details", { class: "cost-notes" }, el("summary", { text: "How the cost is worked out" }),
      el("ul", {}, ...items),
      el("p", { class: "panel-hint", text: `Prices: ${cost.prices.region}, as of ${cost.prices.as_of}. ${cost.prices.note} ${cost.assumptions || ""}` }));
  }

  models(results) {
    const servers = Object.entries(results.nodes).filter(([, stats]) => stats.model);
    if (!servers.length) return null;
    const quality = (q) => Object.entries(q || {}).map(([name, value]) => `${name.replace(/_/g, " ")} ${typeof value === "number" ? value.toFixed(3) : value}`).join(", ");
    return el("div", { class: "models" }, el("h3", { text: "Models on the model servers" }),
      ...servers.map(([id, stats]) => {
        const model = stats.model;
        return el("div", { class: "model-card", "data-model": model.model },
          el("strong", { text: `${this.editor.labelOf(id)}: ${model.title}` }),
          el("p", { text: `Quality on held-out data: ${quality(model.quality)} (baseline: ${quality(model.baseline)}).` }),
          el("p", { text: `Mean batch ${stats.mean_batch_size ? stats.mean_batch_size.toFixed(1) : "–"}; batch-1 P50 ${ms(model.p50_ms_by_batch?.["1"])}; ${(model.size_bytes / 1e6).toFixed(1)} MB.` }),
          el("p", { class: "panel-hint", text: `Timings: ${model.timing_source}. ${model.speed_basis}.` }));
      }));
  }

  focusNode(id) {
    const cell = this.editor.graph.getCellById(id);
    if (!cell) return;
    this.editor.select(cell);
    this.editor.graph.centerCell(cell);
  }

  // ---- history and compare ----

  async refreshHistory() {
    let runs;
    try {
      runs = await api.runs(this.boardId);
    } catch {
      return;
    }
    const ticked = new Set([...this.historyList.querySelectorAll("input:checked")].map((box) => box.value));
    this.historyList.replaceChildren(...runs.map((run) => {
      const when = run.finished_at || run.queued_at;
      const box = el("input", { type: "checkbox", value: run.id, checked: ticked.has(run.id), disabled: run.status !== "succeeded", onchange: () => this.syncCompareButton() });
      return el("li", { "data-run-id": run.id, "data-status": run.status },
        el("label", {}, box, ` ${new Date(when).toLocaleTimeString()} · v${run.board_version} · ${run.status}${run.error ? `: ${run.error}` : ""}`),
        run.status === "succeeded" ? el("button", { type: "button", class: "link-button", text: "Show", onclick: () => this.open(run.id) }) : null);
    }));
    this.syncCompareButton();
    return runs;
  }

  syncCompareButton() {
    const ticked = this.historyList.querySelectorAll("input:checked");
    this.compareButton.disabled = ticked.length !== 2;
    for (const box of this.historyList.querySelectorAll("input")) if (!box.checked) box.disabled = ticked.length >= 2 || box.closest("li").dataset.status !== "succeeded";
  }

  async open(runId) {
    try {
      this.show(await api.run(runId));
    } catch (error) {
      this.onMessage(`That run could not be loaded: ${explainError(error)}`, "warning");
    }
  }

  /** Opens the newest successful run of the board, so a reloaded page shows its last results. */
  async showLatest() {
    const runs = await this.refreshHistory();
    const latest = (runs || []).find((run) => run.status === "succeeded");
    if (latest && !this.run) await this.open(latest.id);
  }

  async compare() {
    const ids = [...this.historyList.querySelectorAll("input:checked")].map((box) => box.value);
    let runs;
    try {
      runs = await Promise.all(ids.map((id) => api.run(id)));
    } catch (error) {
      this.onMessage(`The runs could not be loaded: ${explainError(error)}`, "warning");
      return;
    }
    runs.sort((a, b) => (a.queued_at < b.queued_at ? -1 : 1)); // older first: the difference reads "what changed"
    const [a, b] = runs;
    const name = (run) => `v${run.board_version} ${new Date(run.finished_at).toLocaleTimeString()}`;
    const rows = KPIS.map(([key, label, read, format, lowerIsBetter]) => {
      const before = read(a.results);
      const after = read(b.results);
      const delta = after - before;
      const better = delta === 0 ? "same" : (delta < 0) === lowerIsBetter ? "better" : "worse";
      const relative = before ? ` (${delta >= 0 ? "+" : ""}${((100 * delta) / before).toFixed(0)}%)` : "";
      return el("tr", { "data-kpi": key },
        el("th", { text: label }), el("td", { text: format(before) }), el("td", { text: format(after) }),
        el("td", { class: "delta", "data-change": better, text: delta === 0 ? "=" : `${delta > 0 ? "+" : "−"}${format(Math.abs(delta))}${relative}` }));
    });
    const slo = b.results.slo?.p99_ms?.target ?? a.results.slo?.p99_ms?.target ?? null;
    this.compareBox.replaceChildren(
      el("table", { class: "compare-table" },
        el("thead", {}, el("tr", {}, el("th", {}), el("th", { text: name(a) }), el("th", { text: name(b) }), el("th", { text: "Change" }))),
        el("tbody", {}, ...rows)),
      chartBox("compare-cdf", "Latency CDFs of the two runs with the SLO line", 200));
    latencyCdf(this.compareBox.querySelector("canvas"), [{ label: name(a), results: a.results }, { label: name(b), results: b.results }], slo);
    this.compareBox.dataset.state = "done";
  }

  // ---- load curve and right-sizing ----

  async sweep(kind) {
    const box = kind === "rightsize" ? this.rightsizeBox : this.loadCurveBox;
    const button = this.element.querySelector(`[data-sweep="${kind}"]`);
    const progress = el("progress", { max: 1, value: 0 });
    const status = el("span", { class: "panel-hint", text: "Queued…" });
    box.replaceChildren(el("div", { class: "sweep-progress" }, progress, status));
    box.dataset.state = "running";
    button.disabled = true;
    try {
      const started = await this.controller.startSweep(kind);
      const sweep = await this.controller.followSweep(started.id, (tick) => {
        progress.value = tick.runs_total ? tick.runs_finished / tick.runs_total : 0;
        status.textContent = kind === "rightsize"
          ? `${tick.runs_finished} configurations simulated…`
          : `${tick.runs_finished} of ${tick.runs_total} load levels simulated…`;
      });
      this.showSweep(sweep);
    } catch (error) {
      box.replaceChildren(el("p", { class: "run-failure", text: `Could not finish: ${explainError(error)}` }));
      box.dataset.state = "failed";
    } finally {
      button.disabled = !this.canRun;
    }
  }

  /** Draws a finished sweep (also one started by someone else on this board). */
  showSweep(sweep) {
    const kind = sweep.kind;
    const box = kind === "rightsize" ? this.rightsizeBox : this.loadCurveBox;
    if (sweep.status !== "succeeded") {
      box.replaceChildren(el("p", { class: "run-failure", text: sweep.error || "The search failed." }));
      box.dataset.state = "failed";
      return;
    }
    if (kind === "rightsize") this.showRightsize(box, sweep.result);
    else this.showLoadCurve(box, sweep.result);
    box.dataset.state = "done";
  }

  showLoadCurve(box, result) {
    const best = result.max_rps_meeting_slo;
    const summary = best
      ? `Meets the P99 SLO of ${result.p99_slo_ms} ms up to ${rps(best)} of the levels tried (peak target ${rps(result.target_rps)}).`
      : result.p99_slo_ms ? `No level tried meets the P99 SLO of ${result.p99_slo_ms} ms.` : "No P99 SLO set: the curve shows P99 and drops per load.";
    box.replaceChildren(el("p", { class: "sweep-summary", text: summary }), chartBox("loadcurve", "P99 latency and drops against offered load", 210));
    loadCurve(box.querySelector("canvas"), result);
  }

  showRightsize(box, result) {
    const rows = Object.entries(result.replicas).map(([id, count]) => {
      const before = result.start[id];
      return el("tr", { "data-node": id, "data-change": count === before ? "same" : count > before ? "up" : "down" },
        el("td", { text: this.editor.labelOf(id) }), el("td", { text: String(before) }), el("td", { text: String(count) }));
    });
    const apply = el("button", { type: "button", class: "primary apply-rightsize", text: "Apply these replica counts", disabled: !this.canRun,
      onclick: () => {
        this.applyReplicas(result.replicas);
        apply.disabled = true;
        apply.textContent = "Applied (Ctrl+Z undoes it)";
      } });
    box.replaceChildren(
      el("p", { class: "sweep-summary", text: `Cheapest found: ${usd(result.monthly_usd)} a month with P99 ${ms(result.p99_ms)} at ${rps(result.target_rps)} (SLO ${result.p99_slo_ms} ms), after ${result.rounds} rounds.` }),
      el("table", { class: "rightsize-table" }, el("thead", {}, el("tr", {}, el("th", { text: "Component" }), el("th", { text: "Now" }), el("th", { text: "Proposed" }))), el("tbody", {}, ...rows)),
      apply);
  }
}
