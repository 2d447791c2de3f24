// The Requirements form's two request rates and the run length: the peak the design must carry, the traffic a run simulates (which follows the peak unless set apart), and how long a run simulates.

import { el } from "./dom.js";

/** Shown beside the peak requirement and traffic, always open: a run's rate and length are what a first run needs. */
export const RUN_FIELDS = ["rps", "duration_s", "arrival"];

/**
 * Whether the simulated traffic follows the peak requirement: it does while equal to it, and on a
 * board with no peak yet while at its default (so a blank board's first peak moves its traffic too).
 * @param {object} board  the board state's board (requirements, traffic)
 * @param {object} rpsField  the catalog's traffic.rps field
 */
export function followsPeak(board, rpsField) {
  const peak = board.requirements?.peak_rps ?? null;
  const rate = board.traffic?.rps ?? rpsField.default;
  return peak === null ? rate === rpsField.default : rate === peak;
}

/** The one edit a new peak makes: the requirement, and the traffic with it while it follows. */
export function peakChange(board, value, following) {
  const change = { requirements: { ...board.requirements, peak_rps: value } };
  if (following && value !== null) change.traffic = { ...board.traffic, rps: value };
  return change;
}

/**
 * Adds to the rendered traffic-rate row a switch "Same as the peak requirement" and a line saying
 * which rate runs simulate. Typing another rate into the row sets the traffic apart (framework.js).
 * @param {HTMLElement} row  the row renderField made for traffic.rps
 * @param {object} options  {following, peak, onFollow(on)}
 */
export function withFollowSwitch(row, { following, peak, onFollow }) {
  const toggle = el("input", { type: "checkbox", role: "switch", class: "switch follow-peak", "aria-label": "Simulated traffic: same as the peak requirement" });
  toggle.checked = following;
  toggle.addEventListener("change", () => onFollow(toggle.checked));
  const note = el("p", { class: "field-help follow-note", text: following
    ? (peak === null ? "Follows the peak requirement once you set one." : "Runs simulate the peak requirement. Type another rate (a quiet hour, a spike) to set the traffic apart.")
    : "Runs simulate this rate, apart from the peak requirement." });
  row.dataset.following = String(following);
  // After the rate's own input, so the row's first input stays the rate.
  row.querySelector(".field-error")?.before(el("label", { class: "follow-peak-label" }, toggle, " Same as the peak requirement"));
  row.append(note);
  return row;
}

/**
 * What a run length means in requests, for steady traffic (poisson or constant, not compressed):
 * rps x length, against the per-run request limit (the traffic "requests" field's maximum). The
 * server checks every pattern when Run is pressed; this says it before, where the length is typed.
 * @returns {{text: string, over: boolean} | null}
 */
export function runSize(board, trafficFields) {
  const traffic = board.traffic || {};
  const byName = Object.fromEntries(trafficFields.map((field) => [field.name, field]));
  const arrival = traffic.arrival ?? byName.arrival?.default;
  const compression = traffic.time_compression ?? byName.time_compression?.default ?? 1;
  if (traffic.requests != null || !["poisson", "constant"].includes(arrival) || compression !== 1) return null;
  const rate = traffic.rps ?? byName.rps.default;
  const length = traffic.duration_s ?? byName.duration_s.default;
  const limit = byName.requests?.maximum;
  const count = Math.round(rate * length);
  const most = limit ? Math.floor(limit / rate) : null;
  const text = `About ${count.toLocaleString("en-US")} requests at ${rate.toLocaleString("en-US")} req/s` +
    (most !== null ? `; at this rate a run can last at most ${most.toLocaleString("en-US")} s (${limit.toLocaleString("en-US")} requests).` : ".");
  return { text, over: limit ? count > limit : false };
}
