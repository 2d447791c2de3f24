// Playback of a run's timeline: a slider over the node timeline's buckets under the canvas, which paints each moment on the nodes (through the overlay: never an edit).
//
// The node timeline (`results.node_timeseries`) has a fixed number of buckets over the measured
// window, each with every node's utilisation, failed visits and, when autoscaled, replicas. Its
// times and the faults' windows are on the run's real clock from the start of the run.

import { el } from "./dom.js";
import { at } from "./format.js";

const STEP_MS = 90; // the whole timeline plays in about ten seconds

export class Playback {
  /**
   * @param {HTMLElement} root  the bar under the canvas (hidden until a run with a timeline is shown)
   * @param {object} options  {overlay (paints the moments), catalog (the faults' titles)}
   */
  constructor(root, { overlay, catalog }) {
    Object.assign(this, { root, overlay, catalog });
    this.results = null;
    this.enabled = true;
    this.bucket = null; // the moment shown, or null for the whole run
    this.timer = null;
    this.playButton = el("button", { type: "button", class: "icon-button playback-play", onclick: () => this.toggle() });
    this.slider = el("input", {
      type: "range", class: "playback-slider", min: 0, max: 0, step: 1, value: 0, "aria-label": "Moment of the run",
      oninput: () => this.seek(Number(this.slider.value)),
    });
    this.marks = el("div", { class: "playback-marks", "aria-hidden": "true" });
    this.time = el("span", { class: "playback-time" });
    this.wholeButton = el("button", { type: "button", class: "playback-whole", text: "Whole run", title: "Show the figures of the whole run on the canvas", onclick: () => this.showWhole() });
    root.replaceChildren(
      el("span", { class: "playback-title", text: "Timeline" }), this.playButton,
      el("div", { class: "playback-track" }, this.marks, this.slider), this.time, this.wholeButton);
    this.drawButton();
  }

  /** A run was shown: play back its timeline from now on (the whole run is painted first). */
  load(results) {
    this.stop();
    const timeline = results.node_timeseries;
    this.results = timeline?.t_s?.length ? results : null;
    this.bucket = null;
    if (this.results) {
      this.slider.max = String(timeline.t_s.length - 1);
      this.slider.value = "0";
      this.drawMarks();
    }
    this.drawVisibility();
    this.drawTime();
  }

  setEnabled(enabled) {
    this.enabled = enabled;
    if (!enabled) this.showWhole();
    this.drawVisibility();
  }

  /** Where the bucket lies on the run's clock: [from, to) seconds from the start of the run. */
  window(bucket) {
    const timeline = this.results.node_timeseries;
    const from = timeline.start_s + timeline.t_s[bucket];
    return [from, from + timeline.bucket_s];
  }

  /** The faults active at some time of the bucket, by target: {targetId: "Outage"}. */
  activeFaults(bucket) {
    const [from, to] = this.window(bucket);
    const active = new Map();
    for (const fault of this.results.faults || []) {
      if (fault.at_s >= to || fault.end_s <= from) continue;
      const title = this.catalog.faultType(fault.type)?.title || fault.type;
      active.set(fault.target, active.has(fault.target) ? `${active.get(fault.target)}, ${title}` : title);
    }
    return active;
  }

  seek(bucket) {
    if (!this.results) return;
    this.bucket = bucket;
    this.slider.value = String(bucket);
    this.overlay.showMoment(bucket, this.activeFaults(bucket));
    this.drawTime();
  }

  showWhole() {
    this.stop();
    if (this.bucket === null) return;
    this.bucket = null;
    this.overlay.showMoment(null);
    this.drawTime();
  }

  toggle() {
    if (this.timer) {
      this.stop();
      return;
    }
    const last = Number(this.slider.max);
    if (this.bucket === null || this.bucket >= last) this.seek(0);
    this.timer = setInterval(() => {
      if (this.bucket >= last) this.stop();
      else this.seek(this.bucket + 1);
    }, STEP_MS);
    this.drawButton();
  }

  stop() {
    clearInterval(this.timer);
    this.timer = null;
    this.drawButton();
  }

  drawButton() {
    const playing = Boolean(this.timer);
    this.playButton.textContent = playing ? "❚❚" : "▶";
    this.playButton.setAttribute("aria-label", playing ? "Pause the timeline" : "Play the run's timeline on the canvas");
    this.playButton.title = this.playButton.getAttribute("aria-label");
  }

  drawVisibility() {
    const shown = Boolean(this.results) && this.enabled;
    this.root.hidden = !shown;
    // The bar takes its own room under the canvas instead of covering the diagram.
    this.root.parentElement.dataset.playback = shown ? "on" : "off";
  }

  /** The faults' windows as marks along the slider. */
  drawMarks() {
    const timeline = this.results.node_timeseries;
    const length = timeline.t_s.length * timeline.bucket_s;
    const share = (seconds) => Math.max(0, Math.min(100, (100 * (seconds - timeline.start_s)) / length));
    this.marks.replaceChildren(...(this.results.faults || []).map((fault) => {
      const left = share(fault.at_s);
      return el("span", { class: "playback-mark", "data-fault": fault.id, style: `left:${left}%;width:${Math.max(share(fault.end_s) - left, 0.6)}%` });
    }));
  }

  drawTime() {
    if (!this.results) return;
    const count = this.results.node_timeseries.t_s.length;
    if (this.bucket === null) {
      this.time.textContent = "whole run";
      this.wholeButton.disabled = true;
      return;
    }
    const [from] = this.window(this.bucket);
    const faults = [...this.activeFaults(this.bucket).values()];
    this.time.textContent = `at ${at(from)}${faults.length ? ` · ⚡ ${faults.join(", ")}` : ""}`;
    this.time.title = `${this.time.textContent} (moment ${this.bucket + 1} of ${count})`;
    this.wholeButton.disabled = false;
  }
}
