// The board's timed faults in the editor: those on one component or connection (added, edited and removed in its Properties) and all of them over the run's timeline (the Framework tab's Scenarios).
//
// Faults are board records like components: the board state holds them (`faults()`, `putFault`,
// `removeFault`), autosave and live editing send them, and the server checks them (a window that
// does not fit the run, a target that does not fit the type) with located errors marked at their
// fields. Which types fit a target, their parameters and limits all come from the catalog.

import { randomId } from "./connections.js";
import { el } from "./dom.js";
import { markProblems, problemText, renderField } from "./fields.js";
import { span as windowText } from "./format.js";

const round = (value) => Number(value.toPrecision(3));

/** The run's length in seconds as the board sets it (estimated from the request count when it sets one), and its warm-up. */
export function runLength(catalog, traffic) {
  const value = (name) => traffic[name] ?? catalog.trafficField(name).default;
  const requests = value("requests");
  return {
    seconds: requests ? requests / value("rps") : value("duration_s"),
    estimate: Boolean(requests),
    warmup: value("warmup_s"),
  };
}

/** A new fault of `type` on `target`: its parameters at their defaults, its window a third of the way into the measured part of the run. */
export function newFault(catalog, type, target, traffic) {
  const run = runLength(catalog, traffic);
  const fields = [...catalog.faultFields, ...type.params];
  const fault = { id: randomId("f"), type: type.name, target, ...Object.fromEntries(fields.map((field) => [field.name, field.default])) };
  const measured = Math.max(run.seconds - run.warmup, 0);
  if (measured > 0) {
    fault.at_s = round(run.warmup + measured / 3);
    fault.duration_s = round(Math.min(fault.duration_s, measured / 3));
  }
  return fault;
}

/**
 * The Faults section of a component's or connection's Properties: its faults, each with its window
 * and parameters, a Remove button, and an Add control offering the types that fit it.
 */
export class FaultSection {
  /**
   * @param {import("./store.js").BoardState} state
   * @param {string} targetId  the component or connection
   * @param {object} source    names the writes (the properties panel, which does not redraw for its own)
   */
  constructor(state, targetId, source) {
    Object.assign(this, { state, targetId, source, catalog: state.catalog });
    const node = state.node(targetId);
    this.types = this.catalog.faultTypesFor(node || null);
    this.list = el("div", { class: "fault-cards" });
    this.element = el("section", { class: "faults", "data-section": "faults", "aria-label": "Faults" },
      el("h3", { text: "Faults in the run" }),
      el("p", { class: "panel-hint", text: this.types.length
        ? "Timed faults the run plays on this one, in simulated seconds from the start of the run (warm-up included)."
        : "Faults act on components on the request path; this one takes no requests." }),
      this.list, this.types.length ? this.addForm() : null);
    this.draw();
  }

  draw() {
    const faults = this.state.faultsOn(this.targetId);
    this.list.replaceChildren(...faults.map((fault) => this.card(fault)));
    this.markProblems();
  }

  /** Marks what the server refused on these faults at their fields (a fault's other problems under its title). */
  markProblems() {
    for (const card of this.list.querySelectorAll(".fault-card")) {
      const unplaced = markProblems(card, this.state.problemsOf(card.dataset.fault));
      const box = card.querySelector(".fault-problem");
      box.textContent = unplaced.map((problem) => problemText(problem.field || "fault", problem.message)).join(" ");
      box.hidden = !unplaced.length;
    }
  }

  addForm() {
    const select = el("select", { "aria-label": "Fault type to add", class: "fault-type" },
      ...this.types.map((type) => el("option", { value: type.name, text: type.title })));
    return el("form", {
      class: "fault-add",
      onsubmit: (event) => {
        event.preventDefault();
        const type = this.catalog.faultType(select.value);
        this.state.putFault(newFault(this.catalog, type, this.targetId, this.state.board().traffic), { source: this.source });
        this.draw();
      },
    }, select, el("button", { type: "submit", class: "button", text: "Add fault" }));
  }

  card(fault) {
    const type = this.catalog.faultType(fault.type);
    const write = (name, value) => {
      const latest = this.state.fault(fault.id);
      if (latest) this.state.putFault({ ...latest, [name]: value }, { source: this.source });
    };
    const fields = [...this.catalog.faultFields, ...(type?.params || [])];
    return el("div", { class: "fault-card", "data-fault": fault.id, "data-type": fault.type },
      el("div", { class: "fault-head" },
        el("strong", { text: type?.title || fault.type }),
        el("button", {
          type: "button", class: "link-button fault-remove", text: "Remove", "aria-label": `Remove the ${type?.title || fault.type} fault`,
          onclick: () => {
            this.state.removeFault(fault.id, { source: this.source });
            this.draw();
          },
        })),
      el("p", { class: "field-help", text: type?.description || "" }),
      el("p", { class: "field-error fault-problem", role: "alert", hidden: true }),
      el("div", { class: "fault-fields" }, ...fields.map((field) => renderField(field, fault[field.name] ?? field.default,
        (value) => write(field.name, value), { prefix: `fault-${fault.id}` }))));
  }
}

/**
 * The Framework tab's Scenarios: every fault of the board on the run's timeline, each with the
 * component or connection it acts on, a Show link (selects it, whose Properties edit the fault) and Remove.
 */
export function scenarioList(state, { onShow, source }) {
  const catalog = state.catalog;
  const faults = state.faults();
  const run = runLength(catalog, state.board().traffic);
  const span = Math.max(run.seconds, ...faults.map((fault) => fault.at_s + fault.duration_s), 1);
  const share = (seconds) => `${Math.max(0, Math.min(100, (100 * seconds) / span))}%`;
  const title = (fault) => catalog.faultType(fault.type)?.title || fault.type;
  const rows = faults.map((fault) => {
    const problems = state.problemsOf(fault.id).map((problem) => problemText(problem.field || "fault", problem.message));
    return el("li", { class: "scenario", "data-fault": fault.id },
      el("div", { class: "scenario-text" },
        el("strong", { text: title(fault) }), ` on ${state.labelOf(fault.target)} · ${windowText(fault.at_s, fault.at_s + fault.duration_s)}`,
        problems.length ? el("span", { class: "field-error scenario-problem", role: "alert", text: problems.join(" ") }) : null),
      el("div", { class: "scenario-track", "aria-hidden": "true" },
        el("span", { class: "scenario-bar", style: `left:${share(fault.at_s)};width:${share(fault.duration_s)}` })),
      el("div", { class: "scenario-actions" },
        el("button", { type: "button", class: "link-button", text: "Show", onclick: () => onShow(fault) }),
        el("button", { type: "button", class: "link-button", text: "Remove", "aria-label": `Remove the ${title(fault)} fault on ${state.labelOf(fault.target)}`,
          onclick: () => state.removeFault(fault.id, { source }) })));
  });
  const runText = `${run.estimate ? "about " : ""}${windowText(0, run.seconds)}, the first ${round(run.warmup)} s warm-up (not measured)`;
  return el("section", { class: "framework-scenarios", "data-section": "scenarios" },
    el("h2", { text: "Scenarios: faults in the run" }),
    el("p", { class: "panel-hint", text: faults.length
      ? `The run: ${runText}. Faults act at these simulated times.`
      : `No faults: the run is healthy. Select a component or connection and add one under "Faults in the run" in its Properties (the run: ${runText}).` }),
    faults.length ? el("div", { class: "scenario-axis", "aria-hidden": "true" },
      el("span", { class: "scenario-warmup", style: `width:${share(run.warmup)}` }),
      el("span", { text: "0 s" }), el("span", { text: `${round(span)} s` })) : null,
    faults.length ? el("ul", { class: "scenario-list" }, ...rows) : null);
}
