// The X6 shapes of the canvas: a component box, a connection, the minimap's plain boxes, and cells built from board records.

import { groupColour, iconDataUrl } from "./icons.js";

const { Graph, NodeView, attrRegistry } = window.X6;

export const NODE_WIDTH = 184;
export const NODE_HEIGHT = 56;
// Where a box's name is centred: above its kind, or in the middle when the name is the kind's own.
const LABEL_Y = { withKind: 22, alone: 28 };
const SYNC_COLOUR = "#334155";
const ASYNC_COLOUR = "#7c3aed";
const FALLBACK_COLOUR = "#b45309";
const LINE = {
  sync: { stroke: SYNC_COLOUR, strokeDasharray: null },
  async: { stroke: ASYNC_COLOUR, strokeDasharray: "6 4" },
  fallback: { stroke: FALLBACK_COLOUR, strokeDasharray: "2 3" },
};

const PORT = {
  attrs: { circle: { r: 5, magnet: true, stroke: "#2563eb", strokeWidth: 1.5, fill: "#fff" } },
};

const measuring = document.createElement("canvas").getContext("2d");

function widthOf(text, font) {
  measuring.font = font;
  return measuring.measureText(text).width;
}

/** The longest start of `text` that fits `width`, with the ellipsis when it had to be cut (or `more` follows). */
function cut(text, width, font, ellipsis, more = false) {
  if (!more && widthOf(text, font) <= width) return text;
  let end = text.length;
  while (end > 0 && widthOf(`${text.slice(0, end).trimEnd()}${ellipsis}`, font) > width) end -= 1;
  return `${text.slice(0, end).trimEnd()}${ellipsis}`;
}

/** One paragraph in lines of `width`, broken between words (a word longer than a line stays whole here). */
function wordLines(paragraph, width, font) {
  const out = [];
  let line = "";
  for (const word of paragraph.trim().split(/\s+/).filter(Boolean)) {
    const candidate = line ? `${line} ${word}` : word;
    if (line && widthOf(candidate, font) > width) {
      out.push(line);
      line = word;
    } else line = candidate;
  }
  return [...out, line];
}

/**
 * `text` in at most `lines` lines of `width`: its own line breaks kept, each paragraph broken
 * between words, a line too long cut; the last line ends in the ellipsis when the text goes on.
 */
export function wrapWords(text, width, lines, font, ellipsis = "…") {
  const all = text.split("\n").flatMap((paragraph) => wordLines(paragraph, width, font));
  const kept = all.slice(0, lines);
  return kept.map((line, index) => cut(line, width, font, ellipsis, index === lines - 1 && all.length > lines)).join("\n");
}

/** A wrap's width or height as X6 reads it: a share of the reference box ("50%"), an inset from it (≤ 0), or pixels. */
function extent(value, reference) {
  if (typeof value === "string" && value.endsWith("%")) return (reference * parseFloat(value)) / 100;
  const number = Number(value) || 0;
  return number <= 0 ? reference + number : number;
}

// X6's own text wrap breaks inside words ("Impression log f / or offline"): this one breaks
// between them, with the same attr, so the `text` attr still gives way to it.
const textAttr = attrRegistry.get("text");
attrRegistry.register("textWrap", {
  qualify: (value) => value !== null && typeof value === "object",
  set(value, options) {
    const { attrs, refBBox } = options;
    const size = parseFloat(attrs.fontSize || attrs["font-size"]) || 14;
    const font = `${attrs.fontWeight || attrs["font-weight"] || 400} ${size}px ${attrs.fontFamily || attrs["font-family"] || "sans-serif"}`;
    const lineHeight = parseFloat(attrs.lineHeight || attrs["line-height"]) || Math.ceil(1.4 * size);
    const width = extent(value.width, refBBox.width);
    const lines = Math.max(1, Math.floor(extent(value.height, refBBox.height) / lineHeight));
    const text = `${value.text ?? attrs.text ?? ""}`;
    return textAttr.set.call(this, wrapWords(text, width, lines, font, value.ellipsis || "…"), options);
  },
}, true);

Graph.registerNode("ml-component", {
  width: NODE_WIDTH,
  height: NODE_HEIGHT,
  markup: [
    { tagName: "rect", selector: "outline" },
    { tagName: "rect", selector: "body" },
    { tagName: "rect", selector: "accent" },
    { tagName: "image", selector: "icon" },
    { tagName: "text", selector: "label" },
    { tagName: "text", selector: "kind" },
    { tagName: "text", selector: "badge" },
    { tagName: "text", selector: "drops" },
    { tagName: "text", selector: "fault" },
  ],
  attrs: {
    body: { refWidth: "100%", refHeight: "100%", rx: 8, ry: 8, fill: "#ffffff", stroke: "#cbd5e1", strokeWidth: 1 },
    accent: { width: 5, refHeight: "100%", rx: 2, ry: 2, fill: "#2563eb" },
    icon: { x: 14, y: 14, width: 28, height: 28 },
    // A name wraps onto a second line (15 px below the first) before it is cut short.
    label: {
      refX: 52, refY: LABEL_Y.withKind, textAnchor: "start", textVerticalAnchor: "middle", fontSize: 13, fontWeight: 600,
      fill: "#0f172a", fontFamily: "system-ui, sans-serif", lineHeight: 15,
      textWrap: { width: NODE_WIDTH - 62, height: 32, ellipsis: "…" },
    },
    kind: {
      refX: 52, refY: 45, textAnchor: "start", textVerticalAnchor: "middle", fontSize: 11, fill: "#64748b",
      fontFamily: "system-ui, sans-serif",
      textWrap: { width: NODE_WIDTH - 62, height: 16, ellipsis: "…" },
    },
    // Run results drawn on the canvas (see overlay.js); hidden until a run has finished.
    outline: {
      x: -6, y: -6, refWidth: "100%", refWidth2: 12, refHeight: "100%", refHeight2: 12, rx: 12, ry: 12,
      fill: "none", stroke: "#b91c1c", strokeWidth: 3, strokeDasharray: "7 4", display: "none", pointerEvents: "none",
    },
    // Anchored by their edge nearest the box, so a badge enlarged at a low zoom (overlay.js) grows away from it.
    badge: {
      refX: "100%", refY: -3, textAnchor: "end", textVerticalAnchor: "bottom", fontSize: 11, fontWeight: 600,
      fontFamily: "system-ui, sans-serif", stroke: "#ffffff", strokeWidth: 3, paintOrder: "stroke", display: "none",
    },
    drops: {
      refX: "100%", refY: "100%", refY2: 3, textAnchor: "end", textVerticalAnchor: "top", fontSize: 11, fontWeight: 700,
      fontFamily: "system-ui, sans-serif", fill: "#b91c1c", stroke: "#ffffff", strokeWidth: 3, paintOrder: "stroke", display: "none",
    },
    // A fault active at the moment the run's timeline is played back (see playback.js).
    fault: {
      refX: 0, refY: "100%", refY2: 3, textAnchor: "start", textVerticalAnchor: "top", fontSize: 11, fontWeight: 700,
      fontFamily: "system-ui, sans-serif", fill: "#c2410c", stroke: "#ffffff", strokeWidth: 3, paintOrder: "stroke", display: "none",
    },
  },
  ports: {
    groups: {
      right: { position: "right", ...PORT },
      left: { position: "left", ...PORT },
    },
    items: [{ id: "in", group: "left" }, { id: "out", group: "right" }],
  },
}, true);

/** Minimap boxes are plain coloured rectangles: drawing labels twice would double the cost of a big board. */
export class MinimapNodeView extends NodeView {
  renderMarkup() {
    return this.renderJSONMarkup({ tagName: "rect", selector: "body" });
  }

  update() {
    super.update({ body: { refWidth: "100%", refHeight: "100%", rx: 6, fill: this.cell.attr("accent/fill") || "#94a3b8" } });
  }
}

Graph.registerEdge("ml-connection", {
  inherit: "edge",
  attrs: {
    line: { stroke: SYNC_COLOUR, strokeWidth: 1.6, targetMarker: { name: "block", width: 10, height: 7 } },
  },
  connector: { name: "smooth" },
  // X6's default label sizes its box by measuring the text (`ref`), one forced layout per label: a
  // third of drawing a 300-connection board. The box is sized from the text's length instead (edgeLook).
  defaultLabel: {
    markup: [{ tagName: "rect", selector: "body" }, { tagName: "text", selector: "label" }],
    attrs: {
      label: { fill: "#000", fontSize: 11, textAnchor: "middle", textVerticalAnchor: "middle", pointerEvents: "none" },
      body: { fill: "#fff", rx: 3, ry: 3 },
    },
    position: { distance: 0.5 },
  },
}, true);

// An edge label's box, from its text at 11 px system-ui (about 5.4 px a character) with some padding.
const LABEL_CHAR_PX = 5.4;
const labelBox = (text) => {
  const width = Math.round(text.length * LABEL_CHAR_PX + 12);
  return { x: -width / 2, y: -9, width, height: 18 };
};

const EDGE_KEYS = new Set(["id", "source", "target", "mode", "latency_ms", "label"]);
const NODE_KEYS = new Set(["id", "kind", "label", "position", "config"]);

function extraOf(object, known) {
  return Object.fromEntries(Object.entries(object).filter(([key]) => !known.has(key)));
}

/** The call settings of a connection in a few words: "retry ×3 · timeout 50 ms · breaker". */
function settingsText(settings = {}) {
  const { retry, timeout_ms: timeout, circuit_breaker: breaker } = settings;
  return [
    retry ? (retry.max_attempts ? `retry ×${retry.max_attempts}` : "retries") : "",
    timeout ? `timeout ${timeout} ms` : "",
    breaker ? "breaker" : "",
  ].filter(Boolean).join(" · ");
}

/**
 * What an edge's data looks like on the canvas: solid for sync calls, dashed and violet for async
 * copies, dotted and amber for fallbacks; its latency and call settings as a label.
 */
export function edgeLook(data) {
  const mode = data.mode in LINE ? data.mode : "sync";
  const text = [data.label || "", mode === "sync" ? "" : mode, data.latency_ms ? `${data.latency_ms} ms` : "", settingsText(data.extra || data)]
    .filter(Boolean).join(" · ");
  return {
    attrs: { line: { ...LINE[mode] } },
    labels: text ? [{ attrs: { label: { text, fill: "#334155", fontSize: 11 }, body: { fill: "#f8fafc", stroke: "#e2e8f0", rx: 3, ry: 3, ...labelBox(text) } } }] : [],
  };
}

/** The cell data of a component record: its kind, config and the fields the editor does not know. */
export function nodeData(node) {
  return { kind: node.kind, config: structuredClone(node.config), extra: extraOf(node, NODE_KEYS) };
}

/**
 * A box's name and its kind's line: the kind is written under the name only when the name is not
 * the kind's own title already (a fresh box is called after its kind), so no box says it twice.
 */
export function labelAttrs(text, kind) {
  const same = (text || "").trim().toLowerCase() === kind.title.toLowerCase();
  return {
    label: { text, refY: same ? LABEL_Y.alone : LABEL_Y.withKind },
    kind: { text: kind.title, display: same ? "none" : null },
  };
}

/** X6 metadata of a component record (a record of the board state, its kind's defaults filled in). */
export function nodeMetadata(node, kind) {
  const colour = groupColour(kind.group);
  return {
    shape: "ml-component",
    id: node.id,
    x: node.position.x,
    y: node.position.y,
    data: nodeData(node),
    attrs: {
      ...labelAttrs(node.label, kind),
      icon: { "xlink:href": iconDataUrl(kind.icon, colour) },
      accent: { fill: colour },
    },
  };
}

export function edgeData(edge) {
  const data = { mode: edge.mode, latency_ms: edge.latency_ms, extra: extraOf(edge, EDGE_KEYS) };
  if (edge.label) data.label = edge.label;
  return data;
}

export function edgeMetadata(edge) {
  const data = edgeData(edge);
  return {
    shape: "ml-connection",
    id: edge.id,
    source: { cell: edge.source, port: "out" },
    target: { cell: edge.target, port: "in" },
    data,
    ...edgeLook(data),
  };
}

/** The board record of a component cell. */
export function nodeRecordOf(cell) {
  const data = cell.getData();
  const { x, y } = cell.getPosition();
  return {
    ...data.extra,
    id: cell.id,
    kind: data.kind,
    label: cell.attr("label/text") ?? "",
    position: { x: Math.round(x), y: Math.round(y) },
    config: data.config,
  };
}

/** The board record of a connection cell, or null while one of its ends is not on a component. */
export function edgeRecordOf(cell) {
  const source = cell.getSourceCellId();
  const target = cell.getTargetCellId();
  if (!source || !target) return null;
  const data = cell.getData() || {};
  const out = { ...data.extra, id: cell.id, source, target, mode: data.mode || "sync", latency_ms: data.latency_ms ?? 0 };
  if (data.label) out.label = data.label;
  return out;
}
