// The Results tab's searches over many runs: the load curve (P99 and drops against offered load) and right-sizing (the cheapest replica counts, and LLM servers' GPU machines, meeting the SLO).

import { chartBox, loadCurve } from "./charts.js";
import { el } from "./dom.js";
import { ms, rps, usd } from "./format.js";
import { explainError } from "./runs.js";

/** The LLM servers whose proposed machine differs from the one they run on. */
function changedInstances(result) {
  return Object.fromEntries(Object.entries(result.instances || {}).filter(([id, name]) => name !== result.start_instances?.[id]));
}

/** How sure the proposal is of being the cheapest, and which components the search may grow. */
function searchNote(result) {
  if (result.configurations_tried === undefined) return null; // a search made before this one was
  const limit = `${Math.round(result.near_saturation * 100)}%`;
  const text = result.proven_cheapest
    ? `${result.configurations_tried} configurations simulated: every cheaper one fails the SLO. Only components at least ${limit} busy were given replicas.`
    : `${result.configurations_tried} configurations simulated, the search's limit: a cheaper configuration may exist.`;
  return el("p", { class: "panel-hint", "data-proven": String(Boolean(result.proven_cheapest)), text });
}

export class SweepPanels {
  /**
   * @param {object} options  {state (labels, and the replica counts a proposal sets), controller (starts and
   *   follows sweeps), canRun, onMessage(text, tone)}
   */
  constructor({ state, controller, canRun, onMessage }) {
    Object.assign(this, { state, controller, canRun, onMessage });
    this.loadCurveBox = el("div", { class: "sweep-result" });
    this.rightsizeBox = el("div", { class: "sweep-result" });
    const sweepButton = (kind, text, hint) => el("button", {
      type: "button", class: "sweep-button", "data-sweep": kind, title: hint, text, disabled: !canRun, onclick: () => this.sweep(kind),
    });
    this.buttons = {
      load_curve: sweepButton("load_curve", "Draw the load curve", "Simulate several request rates at once"),
      rightsize: sweepButton("rightsize", "Propose replica counts", "Search replica counts (and LLM servers' GPU machines) that meet the SLO at the lowest cost"),
    };
    this.elements = [
      el("details", { class: "results-section", open: true, "data-section": "loadcurve" },
        el("summary", { text: "Load curve" }),
        el("p", { class: "panel-hint", text: "Runs the board at 10% to 150% of its peak load in parallel and marks the highest rate that meets the P99 SLO." }),
        this.buttons.load_curve, this.loadCurveBox),
      el("details", { class: "results-section", open: true, "data-section": "rightsize" },
        el("summary", { text: "Right-size" }),
        el("p", { class: "panel-hint", text: "Searches for the cheapest replica counts that still meet the P99 SLO at the peak load; for an LLM server, first its GPU machine." }),
        this.buttons.rightsize, this.rightsizeBox),
    ];
  }

  /** The proposed replica counts and machines as one edit of the board (one undo step on the canvas). */
  applyProposal(result) {
    const replicas = result.replicas;
    const instances = changedInstances(result);
    this.state.batch(() => {
      for (const id of new Set([...Object.keys(replicas), ...Object.keys(instances)])) {
        const node = this.state.node(id);
        if (!node) continue;
        const config = { ...node.config };
        if (id in replicas) config.replicas = replicas[id];
        if (id in instances) config.instance = instances[id];
        this.state.updateNode(id, { config });
      }
    }, { source: this });
    const what = Object.keys(instances).length ? "Replica counts and machines" : "Replica counts";
    this.onMessage(`${what} applied. Press Run to check them, or Ctrl+Z to undo.`, "info");
  }

  async sweep(kind) {
    const box = kind === "rightsize" ? this.rightsizeBox : this.loadCurveBox;
    const button = this.buttons[kind];
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
        el("td", { text: this.state.labelOf(id) }), el("td", { text: String(before) }), el("td", { text: String(count) }));
    });
    const apply = el("button", { type: "button", class: "primary apply-rightsize", text: Object.keys(changedInstances(result)).length ? "Apply these machines and replica counts" : "Apply these replica counts", disabled: !this.canRun,
      onclick: () => {
        this.applyProposal(result);
        apply.disabled = true;
        apply.textContent = "Applied (Ctrl+Z undoes it)";
      } });
    box.replaceChildren(
      el("p", { class: "sweep-summary", text: `Cheapest found: ${usd(result.monthly_usd)} a month with P99 ${ms(result.p99_ms)} at ${rps(result.target_rps)} (SLO ${result.p99_slo_ms} ms), after ${result.rounds} rounds.` }),
      searchNote(result),
      ...this.instanceLines(result),
      el("table", { class: "rightsize-table" }, el("thead", {}, el("tr", {}, el("th", { text: "Component" }), el("th", { text: "Now" }), el("th", { text: "Proposed" }))), el("tbody", {}, ...rows)),
      apply);
  }

  /** One line per LLM server: "Answer LLM: g6e.xlarge → g6.xlarge, 3 → 1 replicas", or why it stays on its machine. */
  instanceLines(result) {
    const entries = Object.entries(result.instances || {});
    if (!entries.length) return [];
    const items = entries.map(([id, instance]) => {
      const before = result.start_instances?.[id] ?? instance;
      const trials = (result.instance_trials || []).filter((trial) => trial.node === id);
      const machines = new Set(trials.map((trial) => trial.instance)).size;
      const counts = `${result.start[id]} → ${result.replicas[id]} replicas`;
      // With none passing (other components too small at their current counts), the machine is kept untested against the others.
      const why = trials.some((trial) => trial.meets_slo)
        ? `the cheapest of ${machines} machines tried that meets the SLO`
        : `none of the ${machines} machines tried met the SLO with the other components as they are`;
      const text = instance === before
        ? `${this.state.labelOf(id)}: stays on ${instance}, ${counts} (${why})`
        : `${this.state.labelOf(id)}: ${before} → ${instance}, ${counts} (${why})`;
      return el("li", { "data-node": id, "data-change": instance === before ? "same" : "instance", text });
    });
    return [el("ul", { class: "rightsize-instances" }, ...items)];
  }
}
