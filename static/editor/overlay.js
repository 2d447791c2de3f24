// Paints a run's results on the canvas: utilisation colours, P99 wait and drop badges, the bottleneck, lagging async edges.

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

/** green, amber or red for one node's figures; null for nodes that serve nothing (clients, off-path jobs). */
export function band(stats, unstable) {
  if (!stats || !stats.servers) return null;
  if (unstable || stats.dropped > 0 || stats.utilization >= RED_FROM) return "hot";
  if (stats.utilization >= AMBER_FROM) return "warn";
  return "ok";
}

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
    // A reloaded or merged board gets its cells rebuilt: paint them again.
    editor.graph.on("model:reseted", () => this.paint());
    editor.graph.on("cell:added", ({ cell }) => this.results && this.visible && this.paintCell(cell));
  }

  show(results) {
    this.results = results;
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

  /** What is painted, for the browser tests and screen readers: {nodeId: {band, bottleneck, drops}}. */
  state() {
    const out = {};
    for (const node of this.editor.graph.getNodes()) {
      out[node.id] = {
        band: node.getProp("overlayBand") ?? null,
        bottleneck: node.attr("outline/display") !== "none",
        drops: node.attr("drops/display") !== "none" ? node.attr("drops/text") : null,
        badge: node.attr("badge/display") !== "none" ? node.attr("badge/text") : null,
      };
    }
    for (const edge of this.editor.graph.getEdges()) {
      out[edge.id] = { lagging: Boolean(edge.getProp("overlayLagging")) };
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
    const stats = results?.nodes?.[node.id];
    const level = results ? band(stats, this.unstableNodes().has(node.id)) : null;
    const look = level ? LOOK[level] : null;
    node.setProp("overlayBand", level, SILENT);
    node.attr({
      body: look ? { fill: look.fill, stroke: look.stroke, strokeWidth: 2 } : PLAIN,
      badge: look
        ? { display: null, fill: look.text, text: `${Math.round(stats.utilization * 100)}% busy · P99 wait ${ms(stats.p99_wait_ms)}` }
        : { display: "none", text: "" },
      drops: stats && stats.dropped > 0
        ? { display: null, text: `${stats.dropped.toLocaleString()} dropped (${dropReasons(stats.drops)})` }
        : { display: "none", text: "" },
      outline: { display: results?.bottleneck?.node === node.id ? null : "none" },
    }, SILENT);
  }

  paintEdge(edge, results) {
    const data = this.board.edge(edge.id);
    if (!data) return; // still being drawn
    const target = data.target;
    const stats = results?.nodes?.[target];
    const lagging = Boolean(results && data.mode === "async" && stats &&
      (this.unstableNodes().has(target) || stats.dropped > 0 || stats.utilization >= RED_FROM));
    if (Boolean(edge.getProp("overlayLagging")) === lagging) return;
    edge.setProp("overlayLagging", lagging, SILENT);
    const look = edgeLook(data);
    if (lagging) {
      edge.attr({ line: { stroke: "#dc2626", strokeWidth: 3 } }, SILENT);
      edge.setLabels([{ attrs: { label: { text: "falls behind", fill: "#991b1b", fontSize: 11, fontWeight: 700 }, body: { fill: "#fef2f2", stroke: "#fca5a5", rx: 3, ry: 3 } } }], SILENT);
    } else {
      edge.attr({ line: { stroke: look.attrs.line.stroke, strokeWidth: 1.6 } }, SILENT);
      edge.setLabels(look.labels, SILENT);
    }
  }
}

function dropReasons(drops) {
  const parts = Object.entries(drops || {}).filter(([, count]) => count > 0).map(([reason, count]) => `${count.toLocaleString()} ${reason.replace("_", " ")}`);
  return parts.join(", ") || "dropped";
}
