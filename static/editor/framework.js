// The framework panel: requirements and traffic, the run's scenarios (its faults) and Markdown notes for the 7 steps (the interview's clock is the server's: interview.js).

import DOMPurify from "../vendor/purify.es.js";
import { marked } from "../vendor/marked.esm.js";
import { el } from "./dom.js";
import { scenarioList } from "./faults.js";
import { markProblems, renderField } from "./fields.js";
import { keepingFocus } from "./focus.js";
import { RUN_FIELDS, followsPeak, peakChange, runSize, withFollowSwitch } from "./loadfields.js";

const RUN_SIZE_INPUTS = ["rps", "duration_s", "arrival", "requests", "time_compression"];
const TRAFFIC_SHOWN = RUN_FIELDS; // the others (warm-up, a request count, pattern details) sit one click away
// What each request asks of an LLM server: a group of its own, open while the board has a generative AI component.
const TRAFFIC_LLM = ["prompt_tokens", "output_tokens", "streaming"];
const GENAI_GROUP = "genai";
const SECTIONS = ["requirements", "traffic", "notes", "faults"];

/** Notes are user input: Markdown is rendered, then sanitised, before it touches the DOM. */
export function renderMarkdown(text) {
  return DOMPurify.sanitize(marked.parse(text || "", { async: false, gfm: true, breaks: true }));
}

export class FrameworkPanel {
  /**
   * Shows and edits the board state's requirements, traffic and notes, and lists its faults.
   * @param {HTMLElement} root
   * @param {import("./store.js").BoardState} state
   * @param {object} hooks  {onShowFault(fault)}: bring the fault's component or connection up (its Properties edit it)
   */
  constructor(root, state, { onShowFault }) {
    this.root = root;
    this.state = state;
    this.catalog = state.catalog;
    this.onShowFault = onShowFault;
    this.moreOpen = false;
    this.llmOpen = null; // until the user opens or closes it, it follows the board
    // Others' edits, undo and loaded boards redraw the panel; someone typing in it keeps their field.
    // Faults removed here redraw it too (the list changes shape).
    state.on("change", (change) => {
      const own = change.source === this && !change.board.includes("faults");
      if (!own && change.board.some((key) => SECTIONS.includes(key))) {
        // The redraw that puts a refused edit back shows the stored values, not the refused text.
        keepingFocus(root, () => this.render(), { keepTyped: !this.refused });
      }
      this.refused = false;
    });
    // Refused values: marked at their fields, and a fault's problem under it in the scenarios (a
    // shorter run refused because a fault would end after it is said there).
    state.on("problems", (problems) => {
      this.refused = problems.length > 0;
      queueMicrotask(() => {
        this.refused = false;
      });
      keepingFocus(root, () => this.render());
    });
    this.render();
  }

  render() {
    const traffic = this.catalog.trafficFields;
    const more = el("details", { class: "traffic-more", open: this.moreOpen, ontoggle: () => { this.moreOpen = more.open; } },
      el("summary", { text: "Warm-up, request count and traffic pattern" }),
      ...traffic.filter((f) => !TRAFFIC_SHOWN.includes(f.name) && !TRAFFIC_LLM.includes(f.name)).map((field) => this.field("traffic", field)));
    const genai = this.state.nodes().some((node) => this.catalog.kind(node.kind)?.group === GENAI_GROUP);
    const llm = el("details", { class: "traffic-more traffic-llm", open: this.llmOpen ?? genai, ontoggle: () => { this.llmOpen = llm.open; } },
      el("summary", { text: "LLM requests: prompt and answer tokens, streaming" }),
      ...traffic.filter((f) => TRAFFIC_LLM.includes(f.name)).map((field) => this.field("traffic", field)));
    const form = el("form", { class: "fields", onsubmit: (event) => event.preventDefault() },
      ...this.catalog.requirementFields.map((field) => this.field("requirements", field)),
      ...traffic.filter((f) => TRAFFIC_SHOWN.includes(f.name)).map((field) => this.field("traffic", field)), more, llm);
    this.root.replaceChildren(
      el("section", { class: "framework-requirements" }, el("h2", { text: "Requirements" }), form),
      scenarioList(this.state, { onShow: this.onShowFault, source: this }),
      el("section", { class: "framework-notes" }, el("h2", { text: "Notes by step" }), ...this.catalog.noteSteps.map((step) => this.note(step))),
    );
    this.markProblems();
  }

  /** The requirement and traffic values the server refused, at their fields. */
  markProblems() {
    const problems = this.state.problemsOf("board").map((problem) => ({ ...problem, field: problem.field.split(".").slice(1).join(".") }));
    markProblems(this.root.querySelector("form.fields"), problems.filter((problem) => problem.field));
  }

  /** Writes one field of a section (requirements, traffic, notes) to the board state. */
  write(section, name, value) {
    const board = this.state.board();
    if (section === "requirements" && name === "peak_rps") {
      // While the traffic follows the peak, both change in one edit (one undo step).
      this.state.setBoard(peakChange(board, value, this.following()), { source: this });
      if (this.following()) keepingFocus(this.root, () => this.render());
      return;
    }
    const following = this.following();
    this.state.setBoard({ [section]: { ...board[section], [name]: value } }, { source: this });
    if (section === "traffic" && name === "rps" && following && value !== (board.requirements.peak_rps ?? null)) {
      this.followPeak = false; // a rate typed apart from the peak stays apart
    }
    // The follow switch and the run's size in requests read these: redraw them.
    if (section === "traffic" && RUN_SIZE_INPUTS.includes(name)) keepingFocus(this.root, () => this.render());
  }

  /** Whether runs simulate the peak requirement: as the user switched it here, else as the board's values say. */
  following() {
    return this.followPeak ?? followsPeak(this.state.board(), this.catalog.trafficFields.find((f) => f.name === "rps"));
  }

  field(section, field) {
    const value = this.state.board()[section][field.name] ?? field.default;
    const row = renderField(field, value, (next) => this.write(section, field.name, next),
      { prefix: section, serviceTime: this.catalog.serviceTime, tokenCount: this.catalog.tokenCount });
    if (section === "traffic" && field.name === "duration_s") {
      const size = runSize(this.state.board(), this.catalog.trafficFields);
      if (size) row.append(el("p", { class: "field-help run-size", "data-over": String(size.over), text: size.text }));
    }
    if (section !== "traffic" || field.name !== "rps") return row;
    const peak = this.state.board().requirements.peak_rps ?? null;
    return withFollowSwitch(row, {
      following: this.following(), peak,
      onFollow: (on) => {
        this.followPeak = on;
        const now = this.state.board().requirements.peak_rps ?? null; // the peak may have changed since this row was drawn
        if (on && now !== null) this.write("traffic", "rps", now);
        keepingFocus(this.root, () => this.render());
      },
    });
  }

  note(step) {
    const text = this.state.board().notes[step.name] || "";
    const summary = el("summary", { text: step.title }, text.trim() ? el("span", { class: "note-filled", text: " ●" }) : null);
    const area = el("textarea", {
      rows: 6, maxlength: this.catalog.limits.note_chars, "aria-label": `Notes for ${step.title}`,
      placeholder: "Markdown: **bold**, - lists, `code`…",
    });
    area.value = text;
    const preview = el("div", { class: "note-preview markdown", "aria-label": `Preview of ${step.title}` });
    preview.innerHTML = renderMarkdown(text);
    area.addEventListener("input", () => {
      preview.innerHTML = renderMarkdown(area.value);
      this.write("notes", step.name, area.value);
    });
    return el("details", { class: "note", "data-step": step.name }, summary, area, preview);
  }
}
