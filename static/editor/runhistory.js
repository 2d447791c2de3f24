// The Results tab's run history: the board's runs, each one reopened, and two of them compared side by side.

import { api } from "./api.js";
import { chartBox, latencyCdf } from "./charts.js";
import { el } from "./dom.js";
import { ms, pct, rps, usd } from "./format.js";
import { explainError } from "./runs.js";

/** The figures compared between two runs: [key, label, read(results), format, lower is better]. */
const KPIS = [
  ["availability", "Availability", (r) => r.availability, pct, false],
  ["throughput", "Throughput", (r) => r.throughput_rps, rps, false],
  ["goodput", "Goodput", (r) => r.goodput_rps, rps, false],
  ["p50_ms", "P50", (r) => r.latency_ms.p50, ms, true],
  ["p95_ms", "P95", (r) => r.latency_ms.p95, ms, true],
  ["p99_ms", "P99", (r) => r.latency_ms.p99, ms, true],
  ["drop_rate", "Dropped", (r) => r.requests.dropped / Math.max(r.requests.arrived, 1), pct, true],
  ["monthly_usd", "Monthly cost", (r) => r.cost?.monthly_usd, usd, true],
  ["per_million_usd", "Cost per million requests", (r) => r.cost?.per_million_requests_usd, usd, true],
];

export class RunHistory {
  /**
   * @param {object} options  {boardId, onOpen(run) shows a run, onMessage(text, tone)}
   */
  constructor({ boardId, onOpen, onMessage }) {
    Object.assign(this, { boardId, onOpen, onMessage });
    this.historyList = el("ul", { class: "run-history" });
    this.compareBox = el("div", { class: "compare" });
    this.compareButton = el("button", { type: "button", class: "compare-button", text: "Compare the two ticked runs", disabled: true, onclick: () => this.compare() });
    this.element = el("details", { class: "results-section", open: true, "data-section": "history" },
      el("summary", { text: "Run history and compare" }),
      el("p", { class: "panel-hint", text: "Tick two runs to see them side by side." }),
      this.historyList, this.compareButton, this.compareBox);
  }

  async refresh() {
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
      this.onOpen(await api.run(runId));
    } catch (error) {
      this.onMessage(`That run could not be loaded: ${explainError(error)}`, "warning");
    }
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
      if (typeof before !== "number" || typeof after !== "number") {
        // A figure one of the runs does not have (an older run's results lack the newer ones).
        return el("tr", { "data-kpi": key }, el("th", { text: label }), el("td", { text: format(before) }), el("td", { text: format(after) }),
          el("td", { class: "delta", "data-change": "same", text: "–" }));
      }
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

  /** Opens the newest successful run of the board unless `shown()`, so a reloaded page shows its last results. */
  async showLatest(shown) {
    const runs = await this.refresh();
    const latest = (runs || []).find((run) => run.status === "succeeded");
    if (latest && !shown()) await this.open(latest.id);
  }
}
