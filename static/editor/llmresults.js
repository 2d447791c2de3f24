// The Results tab's LLM serving figures of one run: per LLM server its TTFT, TPOT and end-to-end percentiles, token throughput and cost, batch and KV cache, the model it stands for, and charts of them.
//
// Every figure comes from the run's `llm` record and its node timeline (per replica); a model
// timed by the roofline from a GPU's data sheet rather than measured here says so next to it.

import { SERIES, axis, chartBox, draw, timeAxis } from "./charts.js";
import { el } from "./dom.js";
import { ms, pct, usd } from "./format.js";
import { faultBands } from "./resilience.js";

const KV_COLOUR = "#0d9488";
const CAPACITY_COLOUR = "#dc2626";
// Below this share of its capacity the KV cache is drawn to its own peak, the capacity named but off the scale:
// a line along the floor would show nothing of how it moves.
const KV_SHOWN_TO_CAPACITY = 0.2;

const tenth = (value) => (value === null || value === undefined ? "–" : value.toFixed(1));
const whole = (value) => (value === null || value === undefined ? "–" : Math.round(value).toLocaleString());

/** "207k", "1.22 M": counts of tokens as a person reads them. */
export function tokens(value) {
  if (value === null || value === undefined) return "–";
  if (value >= 1e6) return `${(value / 1e6).toPrecision(3)} M`;
  if (value >= 1e4) return `${Math.round(value / 1e3)}k`;
  return whole(value);
}

/** "1 x L40S · fp16 · tensor parallel 2": where and how the model runs. */
function placement(model) {
  return [model.device, model.precision, model.tensor_parallel > 1 ? `tensor parallel ${model.tensor_parallel}` : null].filter(Boolean).join(" · ");
}

/** The label every transformer's timings carry: an estimate from a data sheet, or measured on this machine. */
function timingLabel(model) {
  return model.estimate
    ? el("span", { class: "badge llm-estimate", "data-estimate": "true", title: model.timing_source, text: "ESTIMATE" })
    : el("span", { class: "badge llm-estimate", "data-estimate": "false", title: model.timing_source, text: "MEASURED" });
}

function timingText(model) {
  return model.estimate
    ? `Timings are an estimate, not a measurement: ${model.timing_source}.`
    : `Timings measured on this machine: ${model.timing_source}.`;
}

function qualityText(model) {
  const entries = Object.entries(model.quality || {});
  if (!entries.length) return model.quality_source ? `Quality: ${model.quality_source}.` : null;
  const figures = entries.map(([name, value]) => `${name.replace(/_/g, " ")} ${value}`).join(", ");
  return `Quality (published): ${figures}; ${model.quality_source}.`;
}

/** A transformer behind an embedding server, a reranker or a semantic cache, for the Models list. */
export function transformerCard(label, model) {
  return el("div", { class: "model-card", "data-model": model.model_class },
    el("strong", { text: `${label}: ${model.title}` }), " ", timingLabel(model),
    el("p", { text: `${placement(model)}. Stands for ${model.stands_for}.` }),
    el("p", { class: "panel-hint", text: timingText(model) }));
}

/** The "LLM serving" section of a run, or null when the board has no LLM server. */
export function llmServing(results, state) {
  const servers = Object.entries(results.llm || {});
  if (!servers.length) return null;
  const bands = faultBands(results, state.catalog);
  const cards = servers.map(([id, figures]) => nodeCard(id, figures, state.labelOf(id)));
  const section = el("details", { class: "results-section llm-serving", open: true, "data-section": "llm" },
    el("summary", { text: "LLM serving" }),
    el("p", { class: "panel-hint", text: "Time to first token (TTFT), time per output token after it (TPOT) and the whole answer, per LLM server; costs are the replicas' running cost over the tokens they make at this load." }),
    ...cards);
  return {
    section,
    draw: () => servers.forEach(([id, figures]) => drawNode(section.querySelector(`[data-llm-node="${CSS.escape(id)}"]`), results, id, figures, bands)),
  };
}

function nodeCard(id, figures, label) {
  const kpi = (key, name, value, detail = "") => el("div", { class: "kpi", "data-kpi": key },
    el("span", { class: "kpi-label", text: name }), el("span", { class: "kpi-value", text: value }), detail ? el("span", { class: "kpi-detail", text: detail }) : null);
  const row = (key, name, summary) => el("tr", { "data-metric": key },
    el("th", { scope: "row", text: name }), ...["p50", "p90", "p99"].map((p) => el("td", { "data-p": p, text: ms(summary?.[p]) })));
  const held = figures.kv_capacity_tokens ? figures.mean_kv_tokens_held / figures.kv_capacity_tokens : null;
  const quality = qualityText(figures);
  return el("div", { class: "llm-node", "data-llm-node": id },
    el("div", { class: "llm-head" }, el("strong", { text: `${label}: ${figures.title}` }), timingLabel(figures)),
    el("p", { class: "llm-model", text: `Stands for ${figures.stands_for}. Runs on ${placement(figures)}.` }),
    el("table", { class: "resilience-table llm-latency" },
      el("thead", {}, el("tr", {}, el("th", { scope: "col", text: `${whole(figures.answers)} answers` }), ...["P50", "P90", "P99"].map((text) => el("th", { scope: "col", text })))),
      el("tbody", {}, row("ttft", "Time to first token", figures.ttft_ms), row("tpot", "Time per output token", figures.tpot_ms),
        row("e2e", "Whole answer", figures.e2e_ms))),
    el("div", { class: "kpis llm-kpis" },
      kpi("output_tokens_per_s", "Output tokens/s", whole(figures.output_tokens_per_s), `${whole(figures.output_tokens_per_s_per_replica)} per replica`),
      kpi("output_tokens_per_dollar", "Tokens per dollar", tokens(figures.output_tokens_per_dollar), "output tokens"),
      kpi("usd_per_million_output_tokens", "Per million tokens", usd(figures.usd_per_million_output_tokens), "output tokens"),
      kpi("usd_per_1000_answers", "Per 1,000 answers", usd(figures.usd_per_1000_answers)),
      kpi("mean_running_sequences", "Running batch", tenth(figures.mean_running_sequences), "sequences per step (mean)"),
      kpi("kv_held", "KV cache held", pct(held), `${tokens(figures.mean_kv_tokens_held)} of ${tokens(figures.kv_capacity_tokens)} tokens per replica`),
      kpi("mean_queued_sequences", "Queued", tenth(figures.mean_queued_sequences), "sequences waiting for a place (mean)"),
      kpi("preempted", "Preempted", whole(figures.preempted), "sequences recomputed: the KV cache ran out"),
      kpi("llm_monthly_usd", "Monthly cost", usd(figures.monthly_usd), "its replicas")),
    el("h4", { text: "TTFT and TPOT percentiles" }),
    chartBox("llm-percentiles", `Time to first token and time per output token at P50, P90 and P99 for ${label}`, 170),
    el("h4", { text: "Running batch over time (per replica)" }),
    chartBox("llm-batch", `Sequences running per replica over the run for ${label}`, 150),
    el("h4", { text: "KV cache held over time (per replica)" }),
    chartBox("llm-kv", `KV-cache tokens held per replica over the run against its capacity for ${label}`, 150),
    el("p", { class: "panel-hint llm-timing", text: timingText(figures) }),
    quality ? el("p", { class: "panel-hint llm-quality", text: quality }) : null);
}

function drawNode(card, results, id, figures, bands) {
  const canvas = (name) => card.querySelector(`canvas[data-chart="${name}"]`);
  percentiles(canvas("llm-percentiles"), figures);
  const timeline = results.node_timeseries || {};
  const series = timeline.nodes?.[id] || {};
  const t = timeline.t_s || [];
  const points = (values) => (values || []).map((value, index) => ({ x: t[index], y: value }));
  overRun(canvas("llm-batch"), t, [{ label: "sequences running", data: points(series.running), colour: SERIES[2] }],
    { title: "sequences", bands });
  const peak = Math.max(0, ...(series.kv_tokens || []));
  const capacity = figures.kv_capacity_tokens;
  const toCapacity = capacity && peak >= KV_SHOWN_TO_CAPACITY * capacity;
  overRun(canvas("llm-kv"), t, [{ label: "KV tokens held", data: points(series.kv_tokens), colour: KV_COLOUR, fill: true }], {
    title: "tokens", bands, suggestedMax: toCapacity ? capacity * 1.05 : undefined, ticks: tokens,
    lines: toCapacity ? [{ scale: "y", value: capacity, label: `capacity ${tokens(capacity)} tokens`, colour: CAPACITY_COLOUR }] : [],
    note: toCapacity || !capacity ? null : `capacity ${tokens(capacity)} tokens per replica: far above this scale`,
  });
}

/** TTFT (left axis) and TPOT (right axis) at P50, P90 and P99: two scales, as the two differ by orders of magnitude. */
function percentiles(canvas, figures) {
  const keys = ["p50", "p90", "p99"];
  const values = (summary) => keys.map((key) => summary?.[key] ?? null);
  return draw(canvas, {
    type: "bar",
    data: {
      labels: ["P50", "P90", "P99"],
      datasets: [
        { label: "TTFT (ms, left)", data: values(figures.ttft_ms), backgroundColor: SERIES[0], yAxisID: "y" },
        { label: "TPOT (ms, right)", data: values(figures.tpot_ms), backgroundColor: SERIES[1], yAxisID: "y2" },
      ],
    },
    options: {
      scales: {
        x: { grid: { display: false } },
        y: axis("TTFT (ms)", { beginAtZero: true, position: "left" }),
        y2: axis("TPOT (ms)", { beginAtZero: true, position: "right", grid: { drawOnChartArea: false } }),
      },
      plugins: { legend: { display: true, labels: { boxWidth: 12 } },
        tooltip: { callbacks: { label: (item) => `${item.dataset.label.split(" (")[0]} ${item.label}: ${ms(item.parsed.y)}` } } },
    },
  });
}

/** Lines over the run's measured time (per timeline bucket), with the faults shaded and reference lines. */
function overRun(canvas, t, series, { title, bands, suggestedMax, ticks, lines = [], note = null }) {
  return draw(canvas, {
    type: "line",
    data: {
      datasets: series.map(({ label, data, colour, fill }) => ({
        label, data, borderColor: colour, backgroundColor: fill ? `${colour}22` : colour, fill: fill ? "origin" : false,
        pointRadius: 0, borderWidth: 2,
      })),
    },
    options: {
      parsing: false,
      scales: {
        x: timeAxis(t.at(-1) || 0),
        y: axis(title, { beginAtZero: true, suggestedMax, ticks: ticks ? { callback: (value) => ticks(value) } : {} }),
      },
      plugins: {
        legend: { display: false },
        title: { display: Boolean(note), text: note || "", align: "end", font: { size: 10, weight: "normal" }, padding: 2 },
        refLines: { lines }, bands: { bands },
      },
    },
  });
}
