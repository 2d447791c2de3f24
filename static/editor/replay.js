// Replay of the board's history: a slider over time that draws the board as it was, with the interview's events and the runs marked, and plays it back at several speeds.
//
// The board as it was is drawn on a graph of its own (preview.js's DocumentView, as History's preview
// is), laid over the canvas while the replay is open:
// the live canvas, the board state, the undo history and the two senders (autosave, live editing)
// never see it, so nothing drawn here can become an edit or an undo step, and others' edits keep
// arriving on the live canvas underneath. Leaving the replay just takes the layer away.

import { el } from "./dom.js";
import { clock, rps, usd } from "./format.js";
import { eventText, summaryText } from "./interview.js";
import { DocumentView } from "./preview.js";

const TICK_MS = 100;
const UNIT_MS = 100; // the slider's step: a short session's events are seconds apart
const SPEEDS = [10, 60, 300]; // times real time: a 45-minute interview plays in 4.5 min, 45 s or 9 s
const TIME = new Intl.DateTimeFormat(undefined, { timeStyle: "medium" });
const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);

/** The last item of `list` (sorted by `time`) at or before `at`, or null. */
function lastAtOrBefore(list, time, at) {
  let found = null;
  for (const item of list) {
    if (time(item) <= at) found = item;
    else break;
  }
  return found;
}

export class Replay {
  /**
   * @param {HTMLElement} root  the bar under the canvas (#replay)
   * @param {object} options  {wrap (the canvas's box), editor (the live canvas), state (the catalog and
   *   record helpers), interview (the session: fetches the replay), onMessage}
   */
  constructor(root, { wrap, editor, state, interview, onMessage }) {
    Object.assign(this, { root, wrap, editor, state, interview, onMessage });
    this.data = null;
    this.at = 0; // the moment shown, ms on the server's clock
    this.drawn = null; // {version, document} on the replay graph
    this.timer = null;
    this.speed = SPEEDS[1];
    this.graph = null;
    this.playButton = el("button", { type: "button", class: "icon-button replay-play", onclick: () => this.toggle() });
    this.speedSelect = el("select", { class: "replay-speed", "aria-label": "Replay speed",
      onchange: () => { this.speed = Number(this.speedSelect.value); } },
    ...SPEEDS.map((speed) => el("option", { value: speed, text: `${speed}×`, selected: speed === this.speed })));
    this.slider = el("input", { type: "range", class: "replay-slider", min: 0, max: 1, step: 1, value: 0,
      "aria-label": "Moment of the board's history", oninput: () => this.seek(this.start + Number(this.slider.value) * UNIT_MS) });
    this.marks = el("div", { class: "replay-marks", "aria-hidden": "true" });
    this.time = el("span", { class: "replay-time" });
    this.moment = el("span", { class: "replay-moment" });
    this.run = el("span", { class: "replay-run" });
    root.replaceChildren(
      el("div", { class: "replay-row" },
        el("span", { class: "replay-title", text: "Replay" }), this.playButton, this.speedSelect,
        el("div", { class: "replay-track" }, this.marks, this.slider), this.time,
        el("button", { type: "button", class: "replay-close", text: "Back to live", onclick: () => this.close() })),
      el("div", { class: "replay-row replay-info" }, this.moment, this.run));
    this.drawButton();
  }

  get open() {
    return !this.root.hidden;
  }

  /** Loads the history and shows its latest moment over the canvas. */
  async show() {
    let data;
    try {
      data = await this.interview.replay();
    } catch (error) {
      this.onMessage(`The board's history could not be loaded: ${error.message}`);
      return;
    }
    if (!data.versions.length) {
      this.onMessage("This board has no history to replay yet.", "info");
      return;
    }
    this.load(data);
    this.enter();
    this.seek(this.end);
    this.graph.zoomToFit({ padding: 48, maxScale: 1 });
  }

  load(data) {
    const parse = (iso) => (iso ? Date.parse(iso) : null);
    const versions = data.versions.map((version) => ({ ...version, ms: parse(version.at) }));
    const runs = data.runs.map((run) => ({ ...run, finishedMs: parse(run.finished_at) }));
    const events = data.events.map((event) => ({ ...event, ms: parse(event.at) }));
    this.data = {
      versions, // every state the server knows, by the moment it was reached (the runs' and events' included)
      events,
      finished: runs.filter((run) => run.finishedMs !== null && run.status === "succeeded").sort((a, b) => a.finishedMs - b.finishedMs),
      runs,
    };
    // With a session, the slider spans it (the board it started from sits at the left end); without, the whole history.
    const first = events.length ? events[0].ms : versions[0].ms;
    const lastEvent = events.length ? events[events.length - 1].ms : 0;
    const lastRun = Math.max(0, ...runs.map((run) => run.finishedMs || 0));
    this.start = first;
    this.end = Math.max(first + 1000, versions[versions.length - 1].ms, lastEvent, lastRun,
      events.length && events[events.length - 1].kind === "end" ? 0 : Date.parse(data.now));
    this.slider.max = String(Math.ceil((this.end - this.start) / UNIT_MS));
    this.drawMarks();
  }

  enter() {
    if (!this.graph) this.makeGraph();
    this.editor.clearSelection();
    this.editor.keyboard.disable(); // keys would edit the live canvas hidden underneath
    this.wrap.dataset.replay = "on";
    document.body.classList.add("replaying");
    this.root.hidden = false;
    this.layer.hidden = false;
    const box = this.wrap.getBoundingClientRect();
    this.graph.resize(box.width, box.height - this.root.offsetHeight);
  }

  close() {
    this.stop();
    this.root.hidden = true;
    if (this.layer) this.layer.hidden = true;
    delete this.wrap.dataset.replay;
    document.body.classList.remove("replaying");
    this.editor.keyboard.enable();
    this.drawn = null;
  }

  makeGraph() {
    this.layer = el("div", { class: "replay-canvas", role: "img", "aria-label": "The board as it was at the replay's moment" });
    this.wrap.append(this.layer);
    this.view = new DocumentView(this.layer, this.state.catalog);
    this.graph = this.view.graph;
  }

  /** The board at moment `at`: the last state reached at or before it (the first one before the history starts). */
  documentAt(at) {
    const { versions } = this.data;
    const version = lastAtOrBefore(versions, (v) => v.ms, at) || versions[0];
    const before = versions.slice(0, versions.indexOf(version)).reverse().find((v) => v.number !== version.number);
    return { key: version.number, version: version.number, document: version.document, before: before?.document };
  }

  seek(at) {
    this.at = Math.min(this.end, Math.max(this.start, at));
    this.slider.value = String(Math.round((this.at - this.start) / UNIT_MS));
    const shown = this.documentAt(this.at);
    if (this.drawn?.key !== shown.key) this.draw(shown);
    this.describe();
  }

  draw(shown) {
    const board = this.state.normalise(shown.document);
    this.view.show(board, { marks: this.changesSince(shown.before, board) });
    this.drawn = shown;
    // Keep the view while the board stays in it, so a change shows in place; refit when it grows out of it.
    const content = this.graph.getContentArea();
    if (content.width && !this.graph.getGraphArea().containsRect(content)) this.graph.zoomToFit({ padding: 48, maxScale: 1 });
  }

  /** The components and connections added or changed since the board's state before this one, as preview marks. */
  changesSince(before, board) {
    const marks = new Map();
    if (!before) return marks;
    const old = this.state.normalise(before);
    for (const [now, then] of [[board.nodes, old.nodes], [board.edges, old.edges]]) {
      const was = new Map(then.map((record) => [record.id, record]));
      for (const record of now) {
        if (!was.has(record.id)) marks.set(record.id, "added");
        else if (!same(was.get(record.id), record)) marks.set(record.id, "changed");
      }
    }
    return marks;
  }

  /** The moment in words: its time, the version drawn, the latest event, and the latest run's figures. */
  describe() {
    const { events, finished } = this.data;
    const event = lastAtOrBefore(events, (e) => e.ms, this.at);
    const run = lastAtOrBefore(finished, (r) => r.finishedMs, this.at);
    const offset = events.length ? ` · ${clock((this.at - events[0].ms) / 1000)} into the session` : "";
    this.time.textContent = `${TIME.format(new Date(this.at))}${offset}`;
    const needs = this.drawn.document.requirements || {};
    const asked = [needs.peak_rps ? `peak ${rps(needs.peak_rps)}` : "", needs.p99_ms ? `P99 SLO ${needs.p99_ms} ms` : "",
      needs.monthly_budget_usd ? `budget ${usd(needs.monthly_budget_usd)}` : ""].filter(Boolean).join(", ");
    this.moment.textContent = `Version ${this.drawn.version}${asked ? ` · ${asked}` : ""}${event ? ` · ${eventText(event)}` : ""}`;
    this.run.textContent = run ? `Latest run (version ${run.board_version}): ${summaryText(run.summary) || "no figures"}` : "No run yet";
    this.moment.title = this.moment.textContent;
    this.run.title = this.run.textContent;
    this.root.dataset.version = String(this.drawn.version);
    this.layer.style.bottom = `${this.root.offsetHeight}px`; // the bar grows a line when its text needs one
  }

  drawMarks() {
    const span = Math.max(1, this.end - this.start);
    const place = (ms) => `${(100 * Math.min(1, Math.max(0, (ms - this.start) / span))).toFixed(2)}%`;
    const mark = (kind, ms, title) => el("span", { class: `replay-mark replay-mark-${kind}`, title, "data-kind": kind, style: `left: ${place(ms)}` });
    this.marks.replaceChildren(
      ...this.data.versions.filter((v) => v.ms >= this.start).map((v) => mark("version", v.ms, `Version ${v.number}`)),
      ...this.data.runs.filter((r) => r.finishedMs).map((r) => mark("run", r.finishedMs, `Run of version ${r.board_version}: ${r.status}`)),
      ...this.data.events.map((e) => mark(e.kind.startsWith("curveball") ? "curveball" : "event", e.ms, eventText(e))));
  }

  toggle() {
    if (this.timer) this.stop();
    else this.play();
  }

  play() {
    if (this.at >= this.end) this.seek(this.start);
    this.timer = setInterval(() => {
      this.seek(this.at + TICK_MS * this.speed);
      if (this.at >= this.end) this.stop();
    }, TICK_MS);
    this.drawButton();
  }

  stop() {
    clearInterval(this.timer);
    this.timer = null;
    this.drawButton();
  }

  drawButton() {
    this.playButton.textContent = this.timer ? "❚❚" : "▶";
    this.playButton.setAttribute("aria-label", this.timer ? "Pause the replay" : "Play the replay");
  }

  /** What the replay shows, for the browser tests: the moment, the version and the components drawn. */
  shown() {
    if (!this.open || !this.drawn) return null;
    const nodes = this.graph.getNodes().map((node) => ({ id: node.id, ...node.getData() }));
    return { at: this.at, version: this.drawn.version, nodes, text: `${this.moment.textContent} | ${this.run.textContent}` };
  }
}
