// The framework panel: requirements and traffic pattern, Markdown notes for the 7 steps, and the interview timer.

import DOMPurify from "../vendor/purify.es.js";
import { marked } from "../vendor/marked.esm.js";
import { renderField } from "./fields.js";

const TRAFFIC_SHOWN = ["arrival", "rps"];
const INTERVIEW_SECONDS = 45 * 60;

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

/** Notes are user input: Markdown is rendered, then sanitised, before it touches the DOM. */
export function renderMarkdown(text) {
  return DOMPurify.sanitize(marked.parse(text || "", { async: false, gfm: true, breaks: true }));
}

export class FrameworkPanel {
  /**
   * @param {HTMLElement} root
   * @param {object} catalog
   * @param {object} hooks  {onChange()} called after every accepted edit
   */
  constructor(root, catalog, hooks) {
    this.root = root;
    this.catalog = catalog;
    this.hooks = hooks;
    this.state = { requirements: {}, traffic: {}, notes: {} };
  }

  /** Show a document's requirements, traffic and notes. */
  load(document) {
    this.state = {
      requirements: structuredClone(document.requirements || {}),
      traffic: structuredClone(document.traffic || {}),
      notes: structuredClone(document.notes || {}),
    };
    this.render();
  }

  read() {
    return structuredClone(this.state);
  }

  render() {
    this.root.replaceChildren();
    const requirements = el("section", "framework-requirements");
    requirements.append(el("h2", "", "Requirements"));
    const form = el("form", "fields");
    form.addEventListener("submit", (event) => event.preventDefault());
    for (const field of this.catalog.requirement_fields) {
      form.append(this.field("requirements", field));
    }
    for (const field of this.catalog.traffic_fields.filter((f) => TRAFFIC_SHOWN.includes(f.name))) {
      form.append(this.field("traffic", field));
    }
    requirements.append(form);
    this.root.append(requirements);

    const notes = el("section", "framework-notes");
    notes.append(el("h2", "", "Notes by step"));
    for (const step of this.catalog.note_steps) notes.append(this.note(step));
    this.root.append(notes);
  }

  field(section, field) {
    const value = this.state[section][field.name] ?? field.default;
    return renderField(field, value, (next) => {
      this.state[section][field.name] = next;
      this.hooks.onChange();
    }, { prefix: section });
  }

  note(step) {
    const text = this.state.notes[step.name] || "";
    const details = el("details", "note");
    details.dataset.step = step.name;
    const summary = el("summary", "", step.title);
    if (text.trim()) summary.append(el("span", "note-filled", " ●"));
    details.append(summary);
    const area = el("textarea");
    area.value = text;
    area.rows = 6;
    area.maxLength = this.catalog.limits.note_chars;
    area.setAttribute("aria-label", `Notes for ${step.title}`);
    area.placeholder = "Markdown: **bold**, - lists, `code`…";
    const preview = el("div", "note-preview markdown");
    preview.setAttribute("aria-label", `Preview of ${step.title}`);
    preview.innerHTML = renderMarkdown(text);
    area.addEventListener("input", () => {
      this.state.notes[step.name] = area.value;
      preview.innerHTML = renderMarkdown(area.value);
      this.hooks.onChange();
    });
    details.append(area, preview);
    return details;
  }
}

/** The optional 45-minute mock-interview countdown in the app bar. */
export class InterviewTimer {
  constructor(root) {
    this.root = root;
    this.display = root.querySelector(".timer-display");
    this.toggle = root.querySelector(".timer-toggle");
    this.reset = root.querySelector(".timer-reset");
    this.remaining = INTERVIEW_SECONDS;
    this.interval = null;
    this.toggle.addEventListener("click", () => (this.interval ? this.pause() : this.start()));
    this.reset.addEventListener("click", () => {
      this.pause();
      this.remaining = INTERVIEW_SECONDS;
      this.draw();
    });
    this.draw();
  }

  start() {
    if (this.remaining <= 0) this.remaining = INTERVIEW_SECONDS;
    const endsAt = Date.now() + this.remaining * 1000;
    this.interval = setInterval(() => {
      this.remaining = Math.max(0, Math.round((endsAt - Date.now()) / 1000));
      if (this.remaining === 0) this.pause();
      this.draw();
    }, 250);
    this.draw();
  }

  pause() {
    clearInterval(this.interval);
    this.interval = null;
    this.draw();
  }

  draw() {
    const minutes = Math.floor(this.remaining / 60);
    const seconds = String(this.remaining % 60).padStart(2, "0");
    this.display.textContent = this.remaining === 0 ? "Time's up" : `${minutes}:${seconds}`;
    this.toggle.textContent = this.interval ? "Pause" : "Start interview";
    this.root.dataset.state = this.remaining === 0 ? "over" : this.remaining <= 300 ? "ending" : this.interval ? "running" : "idle";
  }
}
