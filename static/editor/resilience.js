// The Results tab's resilience figures of one run: failures by reason, each fault's impact and recovery, calls per connection (retries, amplification, breakers), and autoscaled replicas with their cost against peak sizing.
//
// Times in the results are on the run's real clock: the faults' windows, breaker changes and the
// node timeline from the start of the run, the time series from the end of the warm-up.

import { SERIES, chartBox, replicasOverTime } from "./charts.js";
import { el } from "./dom.js";
import { at, ms, pct, span, usd } from "./format.js";

const BREAKER_CHANGES_SHOWN = 12;
const words = (name) => name.replace(/_/g, " ");
const count = (value) => (value ?? 0).toLocaleString();

/** Where the warm-up ends on the real clock: the time series and the node timeline count from there. */
function warmupEnd(results) {
  return results.node_timeseries?.start_s ?? results.run.warmup_s * (results.run.time_compression || 1);
}

/** The faults of a run as shaded spans of the charts' axis (seconds after the warm-up). */
export function faultBands(results, catalog) {
  const start = warmupEnd(results);
  return (results.faults || []).map((fault) => ({
    from: fault.at_s - start, to: fault.end_s - start, id: fault.id,
    label: catalog.faultType(fault.type)?.title || fault.type,
  }));
}

function table(head, rows, attributes = {}) {
  return el("table", { class: "resilience-table", ...attributes },
    el("thead", {}, el("tr", {}, ...head.map((text) => el("th", { scope: "col", text })))),
    el("tbody", {}, ...rows));
}

/** Measured requests that failed or were dropped, by reason (one line when none did). */
export function failuresByReason(results) {
  const measured = Math.max(results.requests.arrived, 1);
  const rows = [
    ...Object.entries(results.errors || {}).map(([reason, n]) => ["failed", reason, n]),
    ...Object.entries(results.drops || {}).map(([reason, n]) => ["dropped", reason, n]),
  ].filter(([, , n]) => n > 0).sort((a, b) => b[2] - a[2]);
  const body = rows.length
    ? table(["Reason", "Requests", "Share"], rows.map(([what, reason, n]) => el("tr", { "data-reason": reason },
      el("td", { text: `${words(reason)} (${what})` }), el("td", { text: count(n) }), el("td", { text: pct(n / measured) }))))
    : el("p", { class: "panel-hint", text: "No measured request failed or was dropped." });
  return el("section", { class: "resilience", "data-section": "failures" }, el("h3", { text: "Failures by reason" }), body);
}

/** Each fault of the run: its window, the requests that failed while it was active and how long the board took to recover. */
export function faultImpacts(results, { state, catalog }) {
  const faults = results.faults || [];
  if (!faults.length) return null;
  const recovery = (fault) => {
    if (fault.recovery_s === null || fault.recovery_s === undefined) return "did not recover within the run";
    return fault.recovery_s === 0 ? "at once" : `${at(fault.recovery_s)} after it ended`;
  };
  const before = (fault) => `before it: P99 ${ms(fault.p99_before_ms)}, ${pct(fault.error_share_before)} failing`;
  return el("section", { class: "resilience", "data-section": "fault-impacts" },
    el("h3", { text: "Faults: impact and recovery" }),
    table(["Fault", "Window", "Failed while active", "Recovery"], faults.map((fault) => el("tr", { "data-fault": fault.id },
      el("td", {}, el("strong", { text: catalog.faultType(fault.type)?.title || fault.type }), ` on ${state.labelOf(fault.target)}`),
      el("td", { text: span(fault.at_s, fault.end_s) }),
      el("td", { class: "fault-failed", text: count(fault.failed_while_active) }),
      el("td", { class: "fault-recovery", "data-recovered": String(fault.recovery_s !== null && fault.recovery_s !== undefined) },
        recovery(fault), el("span", { class: "cell-detail", text: before(fault) }))))),
    el("p", { class: "panel-hint", text: "Recovered: the per-second P99 within 10% of the median second before the fault and the failing share within 10% of before (or 0.1 point), for three seconds in a row." }));
}

/** Calls over the connections with call settings, a fault or the fallback mode: retries, amplification, failures, breaker changes. */
export function callsPerConnection(results, state) {
  const edges = Object.entries(results.edges || {});
  if (!edges.length) return null;
  const failures = (stats) => Object.entries(stats.failures || {}).filter(([, n]) => n > 0)
    .map(([reason, n]) => `${count(n)} ${words(reason)}`);
  const rows = edges.map(([id, stats]) => {
    const detail = [
      ...failures(stats),
      stats.retries_refused_by_budget ? `${count(stats.retries_refused_by_budget)} retries refused by the budget` : "",
      stats.copies_lost ? `${count(stats.copies_lost)} copies lost` : "",
    ].filter(Boolean).join(" · ");
    const name = `${state.labelOf(stats.source)} → ${state.labelOf(stats.target)}${stats.mode === "sync" ? "" : ` (${stats.mode})`}`;
    return el("tr", { "data-edge": id },
      el("td", {}, name, detail ? el("span", { class: "cell-detail", text: detail }) : null),
      el("td", { text: count(stats.calls) }),
      el("td", { class: "edge-retries", text: count(stats.retries) }),
      el("td", { class: "edge-amplification", text: Number.isFinite(stats.amplification) ? `${stats.amplification.toFixed(2)}×` : "–" }),
      el("td", { text: count(stats.breaker_changes) }));
  });
  return el("section", { class: "resilience", "data-section": "calls" },
    el("h3", { text: "Calls per connection" }),
    table(["Connection", "Calls", "Retries", "Attempts per call", "Breaker changes"], rows),
    breakerChanges(results, state));
}

/** The circuit breakers' state changes in time order, per connection (the first few of each). */
function breakerChanges(results, state) {
  const changes = results.breaker_changes || [];
  if (!changes.length) return null;
  const byEdge = new Map();
  for (const change of changes) {
    if (!byEdge.has(change.edge)) byEdge.set(change.edge, []);
    byEdge.get(change.edge).push(change);
  }
  return el("div", { class: "breaker-changes" }, el("h4", { text: "Circuit breaker changes" }),
    el("ul", {}, ...[...byEdge].map(([edge, list]) => {
      const shown = list.slice(0, BREAKER_CHANGES_SHOWN).map((change) => `${words(change.state)} at ${at(change.t_s)}`);
      const more = list.length > shown.length ? `, and ${list.length - shown.length} more` : "";
      return el("li", { "data-edge": edge }, el("strong", { text: `${state.labelOf(edge)}: ` }), `${shown.join(", ")}${more}`);
    })));
}

/** The autoscaled nodes: replicas over the run, and what the run's replicas cost against a fixed count sized for the peak. */
export function autoscaledNodes(results, state, bands) {
  const timeline = results.node_timeseries || {};
  const scaled = Object.entries(timeline.nodes || {}).filter(([, series]) => Array.isArray(series.replicas));
  if (!scaled.length) return null;
  const costs = results.cost?.by_node || {};
  const lines = scaled.map(([id, series]) => {
    const cost = costs[id];
    const held = series.replicas.reduce((sum, value) => sum + value, 0) / Math.max(series.replicas.length, 1);
    const peak = Math.max(...series.replicas);
    // Under half a cent in a hundred dollars is rounding, not a saving.
    const saving = cost?.peak_sizing_usd ? 1 - cost.monthly_usd / cost.peak_sizing_usd : null;
    const saved = saving !== null && saving > 5e-5;
    return el("li", { "data-node": id },
      el("strong", { text: `${state.labelOf(id)}: ` }),
      `${held.toFixed(1)} replicas on average, up to ${peak.toFixed(1)}`,
      cost ? `; ${usd(cost.monthly_usd)} a month against ${usd(cost.peak_sizing_usd)} sized for its peak` : "",
      saving !== null ? el("span", { class: "saving", "data-saving": String(saved), text: ` (${saved ? `${pct(saving)} less` : "no saving: it held its peak count"})` }) : null);
  });
  const section = el("section", { class: "resilience", "data-section": "autoscaling" },
    el("h3", { text: "Autoscaled replicas over time" }),
    chartBox("replicas", "Replicas held by each autoscaled component over the run", 160),
    el("ul", { class: "autoscaling-costs" }, ...lines));
  const draw = () => replicasOverTime(section.querySelector("canvas"), timeline,
    scaled.map(([id, series], index) => ({ label: state.labelOf(id), replicas: series.replicas, colour: SERIES[index % SERIES.length] })), bands);
  return { section, draw };
}
