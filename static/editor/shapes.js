// The X6 shapes of the canvas: a component box, a connection, the minimap's plain boxes, and cells built from board records.

import { groupColour, iconDataUrl } from "./icons.js";

const { Graph, Markup, NodeView, attrRegistry, connectionPointRegistry } = window.X6;

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

const PORT_RADIUS = 5;
const PORT_STROKE = 1.5;
// A port's look as plain attributes of its markup (no attrs for X6 to work out per port).
const PORT_MARKUP = [{
  tagName: "circle", selector: "circle", attrs: { r: PORT_RADIUS, magnet: "true", stroke: "#2563eb", "stroke-width": PORT_STROKE, fill: "#fff" },
}];

// Where a connection meets a port: on the circle's outer rim, as X6's "boundary" puts it, but worked
// out from the radius instead of measuring the circle in the page (a forced layout per connection
// end). Any other end (a box dropped on) keeps the boundary. The anchor the line aims at is the
// port's centre from the model (X6's "nodeCenter"), not from the drawn circle either.
const anchorPoint = connectionPointRegistry.get("anchor");
const boundaryPoint = connectionPointRegistry.get("boundary");
Graph.registerConnectionPoint("portRim", function portRim(line, view, magnet, options, type) {
  if (magnet?.getAttribute("port")) return anchorPoint.call(this, line, view, magnet, { offset: PORT_RADIUS + PORT_STROKE / 2 }, type);
  return boundaryPoint.call(this, line, view, magnet, options, type);
}, true);
export const CONNECTION_ENDS = { anchor: "nodeCenter", connectionPoint: "portRim" };

const measuring = document.createElement("canvas").getContext("2d");
// Names repeat words ("Feature store", "Component 12"): each text's width is measured once per font.
const widths = new Map();

function widthOf(text, font) {
  const key = `${font}|${text}`;
  let width = widths.get(key);
  if (width === undefined) {
    measuring.font = font;
    width = measuring.measureText(text).width;
    widths.set(key, width);
  }
  return width;
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

// X6's own text wrap breaks inside words ("Impression log f / or offline") and measures the text in
// the page (a forced layout per box): this one breaks between them, measured on a canvas, in a box
// of fixed size ({text, width, lines, font}); it gives way to the `text` attr like X6's.
const textAttr = attrRegistry.get("text");
attrRegistry.register("textWrap", {
  qualify: (value) => value !== null && typeof value === "object",
  set(value, options) {
    const text = `${value.text ?? options.attrs.text ?? ""}`;
    return textAttr.set.call(this, wrapWords(text, value.width, value.lines, value.font, value.ellipsis || "…"), options);
  },
}, true);

const FONT = "system-ui, sans-serif";
const TEXT_WIDTH = NODE_WIDTH - 62; // from the icon's right to the box's right edge, less a margin
const TEXT_X = 52;
// A box's markup carries its fixed geometry and look as plain SVG attributes, in board units: X6's
// relative attributes (refX, refWidth...) cost a measured transform per element per box, which was
// most of drawing a big board. What differs between boxes (texts, icon, colours) and what the
// results overlay paints over them are the cell's attrs.
// Texts are placed by a translation (as X6's refX and refY did), so they are drawn exactly as before.
const textAt = (x, y) => `matrix(1,0,0,1,${x},${y})`;
const BADGE_TEXT = { "font-size": 11, "font-family": FONT, stroke: "#ffffff", "stroke-width": 3, "paint-order": "stroke", display: "none" };
const COMPONENT_MARKUP = [
  // Run results drawn on the canvas (see overlay.js); hidden until a run has finished.
  { tagName: "rect", selector: "outline", attrs: {
    x: -6, y: -6, width: NODE_WIDTH + 12, height: NODE_HEIGHT + 12, rx: 12, ry: 12, fill: "none", stroke: "#b91c1c",
    "stroke-width": 3, "stroke-dasharray": "7 4", display: "none", "pointer-events": "none" } },
  { tagName: "rect", selector: "body", attrs: { width: NODE_WIDTH, height: NODE_HEIGHT, rx: 8, ry: 8, fill: "#ffffff", stroke: "#cbd5e1", "stroke-width": 1 } },
  { tagName: "rect", selector: "accent", attrs: { width: 5, height: NODE_HEIGHT, rx: 2, ry: 2, fill: "#2563eb" } },
  { tagName: "image", selector: "icon", attrs: { x: 14, y: 14, width: 28, height: 28 } },
  { tagName: "text", selector: "label", attrs: {
    transform: textAt(TEXT_X, LABEL_Y.withKind), "text-anchor": "start", "font-size": 13, "font-weight": 600, fill: "#0f172a", "font-family": FONT } },
  { tagName: "text", selector: "kind", attrs: { transform: textAt(TEXT_X, 45), "text-anchor": "start", "font-size": 11, fill: "#64748b", "font-family": FONT } },
  // Anchored by their edge nearest the box, so a badge enlarged at a low zoom (overlay.js) grows away from it.
  { tagName: "text", selector: "badge", attrs: { ...BADGE_TEXT, transform: textAt(NODE_WIDTH, -3), "text-anchor": "end", "font-weight": 600 } },
  { tagName: "text", selector: "drops", attrs: { ...BADGE_TEXT, transform: textAt(NODE_WIDTH, NODE_HEIGHT + 3), "text-anchor": "end", "font-weight": 700, fill: "#b91c1c" } },
  // A fault active at the moment the run's timeline is played back (see playback.js).
  { tagName: "text", selector: "fault", attrs: { ...BADGE_TEXT, transform: textAt(0, NODE_HEIGHT + 3), "text-anchor": "start", "font-weight": 700, fill: "#c2410c" } },
];

// The run results' badges: drawn the first time a run (or its playback) shows one on the box, so a
// board not run yet has three fewer elements per box to build, style and lay out.
const BADGES = ["badge", "drops", "fault"];
const shows = (attrs) => BADGES.some((name) => attrs?.[name] && "display" in attrs[name] && attrs[name].display !== "none");

/**
 * A component box: its markup parsed once and cloned for each box (parsing it for every box
 * created each element and set each attribute one by one).
 */
class ComponentView extends NodeView {
  renderMarkup() {
    const markup = this.cell.markup;
    if (markup !== COMPONENT_MARKUP && JSON.stringify(markup) !== COMPONENT_JSON) {
      super.renderMarkup();
      return;
    }
    template ||= Markup.parseJSONMarkup(COMPONENT_MARKUP);
    const fragment = template.fragment.cloneNode(true);
    const elements = [...fragment.childNodes];
    this.selectors = Object.fromEntries(COMPONENT_MARKUP.map(({ selector }, index) => [selector, elements[index]]));
    this.hiddenBadges = null;
    if (!shows(this.cell.getAttrs())) {
      this.hiddenBadges = BADGES.map((name) => this.selectors[name]);
      for (const name of BADGES) {
        this.selectors[name].remove();
        delete this.selectors[name];
      }
    }
    this.container.appendChild(fragment);
  }

  update(partialAttrs) {
    if (this.hiddenBadges && shows(partialAttrs ?? this.cell.getAttrs())) {
      this.selectors.kind.after(...this.hiddenBadges);
      BADGES.forEach((name, index) => {
        this.selectors[name] = this.hiddenBadges[index];
      });
      this.hiddenBadges = null;
    }
    super.update(partialAttrs);
  }
}
const COMPONENT_JSON = JSON.stringify(COMPONENT_MARKUP);
let template = null;
Graph.registerView("ml-component-view", ComponentView, true);

Graph.registerNode("ml-component", {
  width: NODE_WIDTH,
  height: NODE_HEIGHT,
  view: "ml-component-view",
  markup: COMPONENT_MARKUP,
  attrs: {
    // A name wraps onto a second line (15 px below the first) before it is cut short.
    label: {
      textVerticalAnchor: "middle", lineHeight: 15,
      textWrap: { width: TEXT_WIDTH, lines: 2, font: `600 13px ${FONT}`, ellipsis: "…" },
    },
    kind: { textVerticalAnchor: "middle", textWrap: { width: TEXT_WIDTH, lines: 1, font: `400 11px ${FONT}`, ellipsis: "…" } },
    badge: { textVerticalAnchor: "bottom" },
    drops: { textVerticalAnchor: "top" },
    fault: { textVerticalAnchor: "top" },
  },
  ports: {
    groups: {
      right: { position: "right", markup: PORT_MARKUP },
      left: { position: "left", markup: PORT_MARKUP },
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
    const { width, height } = this.cell.getSize(); // not refWidth: that measures each box's transform
    super.update({ body: { width, height, rx: 6, fill: this.cell.attr("accent/fill") || "#94a3b8" } });
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
    label: { text, transform: textAt(TEXT_X, same ? LABEL_Y.alone : LABEL_Y.withKind) },
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
