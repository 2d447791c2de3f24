// Paints a run's results on the canvas: utilisation colours, P99 wait and drop badges, the bottleneck, lagging async
// edges; or, during playback of the run's timeline, one moment of it: utilisation, failures and replicas per node,
// and the faults active then.

import { ms } from "./format.js";
import { edgeLook } from "./shapes.js";

// Utilisation bands: below 70% a node has headroom; from 90% its queue grows fast (M/M/c waits explode near 1).
const AMBER_FROM = 0.7;
const RED_FROM = 0.9;
const LOOK = {
  ok: { fill: "#f0fdf4", stroke: "#16a34a", text: "#166534" },
  warn: { fill: "#fffbeb", stroke: "#d97706", text: "#92400e" },
  hot: { fill: "#fef2f2", stroke: "#dc2626", text: "#991b1b" },
};
const PLAIN = { fill: "#ffffff", stroke: "#cbd5e1", strokeWidth: 1 };
const SILENT = { overlay: true }; // neither an undo step nor an edit to save (see editor.js)
const BOTTLENECK_OUTLINE = { stroke: "#b91c1c", strokeDasharray: "7 4" };
const FAULT_OUTLINE = { stroke: "#ea580c", strokeDasharray: "3 3" };
const FAULT_INK = "#c2410c";
// The badges keep at least this size on screen: at a board's fit zoom (about 0.45) their 11 px shrank to 5.
const BADGE_PX = 11;
const MIN_SCREEN_PX = 10;
// Below this zoom a badge says its first figure only (the rest is in the Results tab): the whole
// line, enlarged, would run into the next box's.
const FULL_TEXT_FROM = 0.8;
const BADGES = ["badge", "drops", "fault"];

/** green, amber or red for one node's figures; null for nodes that serve nothing (clients, off-path jobs). */
export function band(stats, unstable) {
  if (!stats || !stats.servers) return null;
  if (unstable || stats.dropped > 0 || stats.utilization >= RED_FROM) return "hot";
  if (stats.utilization >= AMBER_FROM) return "warn";
  return "ok";
}

/** The same bands for one moment of a node's timeline: its utilisation then, red when visits failed. */
function momentBand(utilization, errors) {
  if (errors > 0 || utilization >= RED_FROM) return "hot";
  return utilization >= AMBER_FROM ? "warn" : "ok";
}

const replicaText = (value) => (Number.isInteger(value) ? String(value) : value.toFixed(1));

/** The results of a run drawn over the canvas's cells; the connections' modes come from the board state. */
export class CanvasOverlay {
  /**
   * @param {import("./editor.js").Editor} editor  whose cells it paints (as view details, never edits)
   * @param {import("./store.js").BoardState} state
   */
  constructor(editor, state) {
    this.editor = editor;
    this.board = state; // the board state (state() below says what is painted)
    this.results = null;
    this.visible = true;
    this.moment = null; // a bucket of the node timeline being played back, or null for the whole run
    // A reloaded or merged board gets its cells rebuilt: paint them again.
    editor.graph.on("model:reseted", () => this.paint());
    editor.graph.on("cell:added", ({ cell }) => this.results && this.visible && this.paintCell(cell));
    editor.graph.on("scale", () => this.results && this.rescaleBadges());
  }

  show(results) {
    this.results = results;
    this.moment = null;
    this.paint();
  }

  /**
   * Paint one moment of the run: `bucket` of its node timeline (null: the whole run again).
   * `faults` are the run's faults active then (by target), as playback.js finds them.
   */
  showMoment(bucket, faults = new Map()) {
    this.moment = bucket === null ? null : { bucket, faults };
    this.paint();
  }

  setVisible(visible) {
    this.visible = visible;
    this.paint();
  }

  clear() {
    this.results = null;
    this.paint();
  }

  /** What is painted, for the browser tests and screen readers: {nodeId: {band, bottleneck, drops, badge, fault}}. */
  state() {
    const out = {};
    const shown = (cell, name) => (cell.attr(`${name}/display`) !== "none" ? cell.getProp("overlayText")?.[name] ?? null : null);
    for (const node of this.editor.graph.getNodes()) {
      out[node.id] = {
        band: node.getProp("overlayBand") ?? null,
        bottleneck: node.attr("outline/display") !== "none" && !shown(node, "fault"),
        drops: shown(node, "drops"),
        badge: shown(node, "badge"),
        fault: shown(node, "fault"),
      };
    }
    for (const edge of this.editor.graph.getEdges()) {
      const look = edge.getProp("overlayLook") || "";
      out[edge.id] = { lagging: look === "lagging", fault: look.startsWith("fault:") ? look.slice("fault:".length) : null };
    }
    return out;
  }

  paint() {
    const graph = this.editor.graph;
    graph.startBatch("overlay");
    try {
      for (const cell of graph.getCells()) this.paintCell(cell);
    } finally {
      graph.stopBatch("overlay");
    }
  }

  unstableNodes() {
    return new Set((this.results?.warnings || []).filter((w) => w.code === "unstable").map((w) => w.node));
  }

  paintCell(cell) {
    const active = this.visible && this.results;
    if (cell.isNode()) this.paintNode(cell, active ? this.results : null);
    else this.paintEdge(cell, active ? this.results : null);
  }

  paintNode(node, results) {
    // A box never painted has nothing to clear: a board drawn afresh (every load) skips its boxes,
    // whose attrs X6 would otherwise work through again, a third of drawing a big board.
    if (!results && !node.getProp("overlayPainted")) return;
    node.setProp("overlayPainted", Boolean(results), SILENT);
    if (results && this.moment) {
      this.paintMoment(node, results);
      return;
    }
    const stats = results?.nodes?.[node.id];
    const level = results ? band(stats, this.unstableNodes().has(node.id)) : null;
    const look = level ? LOOK[level] : null;
    const busy = look ? `${Math.round(stats.utilization * 100)}% busy` : null;
    const lost = stats && (stats.dropped > 0 || stats.failed > 0);
    node.setProp("overlayBand", level, SILENT);
    node.attr({
      body: look ? { fill: look.fill, stroke: look.stroke, strokeWidth: 2 } : PLAIN,
      // A passing board's limit is headroom, not a problem: no red outline for it.
      outline: { display: results?.bottleneck?.node === node.id && results.bottleneck.verdict !== "headroom" ? null : "none", ...BOTTLENECK_OUTLINE },
      ...this.badgeAttrs(node, {
        badge: busy && { full: `${busy} · P99 wait ${ms(stats.p99_wait_ms)}`, short: busy, fill: look.text },
        drops: lost && { full: lossText(stats), short: lossText(stats, { short: true }) },
        fault: null,
      }),
    }, SILENT);
  }

  /**
   * The attrs of a node's badges ({name: {full, short, fill} or null for none}): the full texts kept
   * on the node for state(), the drawn ones sized for the zoom.
   */
  badgeAttrs(node, badges) {
    node.setProp("overlayText", Object.fromEntries(BADGES.map((name) => [name, badges[name]?.full ?? null])), SILENT);
    node.setProp("overlayShort", Object.fromEntries(BADGES.map((name) => [name, badges[name]?.short ?? null])), SILENT);
    const size = this.badgeSize();
    this.drawnSize = size;
    return Object.fromEntries(BADGES.map((name) => {
      const badge = badges[name];
      if (!badge) return [name, { display: "none", text: "" }];
      return [name, { display: null, text: size.full ? badge.full : badge.short, fontSize: size.fontSize, strokeWidth: size.stroke,
        ...(badge.fill ? { fill: badge.fill } : {}) }];
    }));
  }

  /** The badges' size in board units for the current zoom, and whether their whole text fits. */
  badgeSize() {
    const scale = this.editor.graph.scale().sx;
    // In half-pixel steps, so a zoom redraws the badges only when their size really changes.
    const fontSize = Math.max(BADGE_PX, Math.ceil((2 * MIN_SCREEN_PX) / scale) / 2);
    return { fontSize, stroke: (3 * fontSize) / BADGE_PX, full: scale >= FULL_TEXT_FROM };
  }

  /** After a zoom: the badges' size and text again, once per frame however many zoom steps came. */
  rescaleBadges() {
    if (this.rescalePending) return;
    this.rescalePending = true;
    requestAnimationFrame(() => {
      this.rescalePending = false;
      const size = this.badgeSize();
      if (size.fontSize === this.drawnSize?.fontSize && size.full === this.drawnSize.full) return;
      this.drawnSize = size;
      const graph = this.editor.graph;
      graph.startBatch("overlay");
      try {
        for (const node of graph.getNodes()) {
          const full = node.getProp("overlayText");
          if (!full) continue;
          const short = node.getProp("overlayShort");
          for (const name of BADGES) {
            if (full[name] === null) continue;
            node.attr(name, { text: size.full ? full[name] : short[name], fontSize: size.fontSize, strokeWidth: size.stroke }, SILENT);
          }
        }
      } finally {
        graph.stopBatch("overlay");
      }
    });
  }

  /** One bucket of the node's timeline: its utilisation, failed visits and replicas then, and a fault active on it. */
  paintMoment(node, results) {
    const { bucket, faults } = this.moment;
    const series = results.node_timeseries?.nodes?.[node.id];
    const fault = faults.get(node.id);
    const utilization = series ? series.utilization[bucket] : null;
    const errors = series ? series.errors[bucket] : 0;
    const level = series ? momentBand(utilization, errors) : null;
    const look = level ? LOOK[level] : null;
    const replicas = series?.replicas ? ` · ${replicaText(series.replicas[bucket])} replicas` : "";
    const busy = look ? `${Math.round(utilization * 100)}% busy` : null;
    const failed = `${errors.toLocaleString()} failed`;
    node.setProp("overlayBand", level, SILENT);
    node.attr({
      body: look ? { fill: look.fill, stroke: look.stroke, strokeWidth: 2 } : PLAIN,
      outline: { display: fault ? null : "none", ...FAULT_OUTLINE },
      ...this.badgeAttrs(node, {
        badge: busy && { full: `${busy}${replicas}`, short: busy, fill: look.text },
        drops: errors > 0 && { full: failed, short: failed },
        fault: fault && { full: `⚡ ${fault}`, short: `⚡ ${fault}` },
      }),
    }, SILENT);
  }

  paintEdge(edge, results) {
    const data = this.board.edge(edge.id);
    if (!data) return; // still being drawn
    const target = data.target;
    const stats = results?.nodes?.[target];
    const fault = results && this.moment ? this.moment.faults.get(edge.id) : null;
    const lagging = Boolean(results && !this.moment && data.mode === "async" && stats &&
      (this.unstableNodes().has(target) || stats.dropped > 0 || stats.utilization >= RED_FROM));
    const wanted = fault ? `fault:${fault}` : lagging ? "lagging" : "";
    if ((edge.getProp("overlayLook") || "") === wanted) return;
    edge.setProp("overlayLook", wanted, SILENT);
    const look = edgeLook(data);
    const label = (text, fill, body) => [{ attrs: { label: { text, fill, fontSize: 11, fontWeight: 700 }, body: { fill: body, stroke: "#fca5a5", rx: 3, ry: 3 } } }];
    if (fault) {
      edge.attr({ line: { stroke: FAULT_INK, strokeWidth: 3 } }, SILENT);
      edge.setLabels(label(`⚡ ${fault}`, FAULT_INK, "#fff7ed"), SILENT);
    } else if (lagging) {
      edge.attr({ line: { stroke: "#dc2626", strokeWidth: 3 } }, SILENT);
      edge.setLabels(label("falls behind", "#991b1b", "#fef2f2"), SILENT);
    } else {
      edge.attr({ line: { stroke: look.attrs.line.stroke, strokeWidth: 1.6 } }, SILENT);
      edge.setLabels(look.labels, SILENT);
    }
  }
}

/** "12 dropped (12 queue full) · 30 failed": a node's lost visits over the whole run; short, without the reasons. */
function lossText(stats, { short = false } = {}) {
  return [
    stats.dropped > 0 ? `${stats.dropped.toLocaleString()} dropped${short ? "" : ` (${dropReasons(stats.drops)})`}` : "",
    stats.failed > 0 ? `${stats.failed.toLocaleString()} failed` : "",
  ].filter(Boolean).join(" · ");
}

function dropReasons(drops) {
  const parts = Object.entries(drops || {}).filter(([, count]) => count > 0).map(([reason, count]) => `${count.toLocaleString()} ${reason.replace("_", " ")}`);
  return parts.join(", ") || "dropped";
}
