// What a component box and a connection look like, without the canvas library: sizes, colours, markup, and texts
// fitted to a box. Shared by the canvas's X6 shapes (shapes.js) and the board's first sketch (sketch.js), which is
// drawn before X6 has loaded.

import { minimapReserve } from "./viewport.js";

export const NODE_WIDTH = 184;
export const NODE_HEIGHT = 56;
// Where a box's name is centred: above its kind, or in the middle when the name is the kind's own.
export const LABEL_Y = { withKind: 22, alone: 28 };
export const SYNC_COLOUR = "#334155";
const ASYNC_COLOUR = "#7c3aed";
const FALLBACK_COLOUR = "#b45309";
export const LINE = {
  sync: { stroke: SYNC_COLOUR, strokeDasharray: null },
  async: { stroke: ASYNC_COLOUR, strokeDasharray: "6 4" },
  fallback: { stroke: FALLBACK_COLOUR, strokeDasharray: "2 3" },
};

export const PORT_RADIUS = 5;
export const PORT_STROKE = 1.5;
// A port's look as plain attributes of its markup (no attrs for X6 to work out per port).
export const PORT_MARKUP = [{
  tagName: "circle", selector: "circle", attrs: { r: PORT_RADIUS, magnet: "true", stroke: "#2563eb", "stroke-width": PORT_STROKE, fill: "#fff" },
}];

const measuring = document.createElement("canvas").getContext("2d");
let measuringFont = null;
// Names repeat words ("Feature store", "Component 12"): each text's width is measured once per font.
const widths = new Map();

function widthOf(text, font) {
  const key = `${font}|${text}`;
  let width = widths.get(key);
  if (width === undefined) {
    if (measuringFont !== font) { // setting a font parses it, even the same one again
      measuring.font = font;
      measuringFont = font;
    }
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

export const FONT = "system-ui, sans-serif";
export const TEXT_WIDTH = NODE_WIDTH - 62; // from the icon's right to the box's right edge, less a margin
export const TEXT_X = 52;
// A box's markup carries its fixed geometry and look as plain SVG attributes, in board units: X6's
// relative attributes (refX, refWidth...) cost a measured transform per element per box, which was
// most of drawing a big board. What differs between boxes (texts, icon, colours) and what the
// results overlay paints over them are the cell's attrs.
// Texts are placed by a translation (as X6's refX and refY did), so they are drawn exactly as before.
export const textAt = (x, y) => `matrix(1,0,0,1,${x},${y})`;
export const BADGE_TEXT = { "font-size": 11, "font-family": FONT, stroke: "#ffffff", "stroke-width": 3, "paint-order": "stroke", display: "none" };
export const COMPONENT_MARKUP = [
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

// A box's name wraps onto a second line (15 px below the first) before it is cut short; its kind has one line.
export const NAME_TEXT = { fontSize: 13, lineHeight: 15, wrap: { width: TEXT_WIDTH, lines: 2, font: `600 13px ${FONT}` } };
export const KIND_TEXT = { fontSize: 11, lineHeight: null, wrap: { width: TEXT_WIDTH, lines: 1, font: `400 11px ${FONT}` } };

// A connection's label: dark text on a light box.
export const CONNECTION_LABEL = { ink: "#334155", fill: "#f8fafc", stroke: "#e2e8f0", size: 11 };
// The line of a connection and its arrowhead (a block of 10 x 7 at its target end).
export const CONNECTION_STROKE = 1.6;
export const ARROW = { width: 10, height: 7 };

// An edge label's box, from its text at 11 px system-ui (about 5.4 px a character) with some padding.
const LABEL_CHAR_PX = 5.4;
export const labelBox = (text) => {
  const width = Math.round(text.length * LABEL_CHAR_PX + 12);
  return { x: -width / 2, y: -9, width, height: 18 };
};

/** The call settings of a connection in a few words: "retry ×3 · timeout 50 ms · breaker". */
function settingsText(settings = {}) {
  const { retry, timeout_ms: timeout, circuit_breaker: breaker } = settings;
  return [
    retry ? (retry.max_attempts ? `retry ×${retry.max_attempts}` : "retries") : "",
    timeout ? `timeout ${timeout} ms` : "",
    breaker ? "breaker" : "",
  ].filter(Boolean).join(" · ");
}

/** A connection's line style: its mode when it is one the canvas draws, else a sync call's. */
export const lineMode = (data) => (data.mode in LINE ? data.mode : "sync");

/** A connection's label: its name, a mode other than sync, its latency and its call settings. */
export function connectionText(data) {
  const mode = lineMode(data);
  const tail = (data.extra || data).latency_p99_ms;
  const latency = data.latency_ms ? `${data.latency_ms} ms${tail > data.latency_ms ? ` (P99 ${tail})` : ""}` : "";
  return [data.label || "", mode === "sync" ? "" : mode, latency, settingsText(data.extra || data)]
    .filter(Boolean).join(" · ");
}

/** Whether a box's name is its kind's own title, so the kind's line under it is left out. */
export const namedAfterKind = (text, kindTitle) => (text || "").trim().toLowerCase() === kindTitle.toLowerCase();

/** The margins a fitted board keeps inside the canvas: clear of the minimap at the bottom. */
export function fitPadding(minimap) {
  return { top: 48, right: 48, bottom: Math.max(48, minimapReserve(minimap) + 24), left: 48 };
}
