// The board drawn at once as plain SVG the moment its document arrives, before the canvas library has drawn it.
//
// Drawing a large board with X6 takes a second or more of the main thread (a cell model, a view and
// X6's attribute machinery for each of hundreds of boxes and connections), and the page loads X6 and
// its own modules before it can start. The sketch is the same picture as one SVG string the browser
// parses in one go: the components and connections as the canvas will draw them, at the zoom the
// canvas will fit them to. It is shown until the canvas has drawn its cells, then removed in the
// same task, so no frame shows both (editor.js). It takes no input: nothing on it can be clicked,
// and the texts, sticky notes and frames join when the canvas is drawn. Names and labels too small
// to read at the fitted zoom (under MIN_TEXT_PX on screen) are left out of it.

import { groupColour, iconDataUrl } from "./icons.js";
import {
  ARROW, COMPONENT_MARKUP, CONNECTION_LABEL, CONNECTION_STROKE, KIND_TEXT, LABEL_Y, LINE, NAME_TEXT, NODE_HEIGHT, NODE_WIDTH, PORT_MARKUP,
  PORT_RADIUS, PORT_STROKE, TEXT_X, connectionText, fitPadding, labelBox, lineMode, namedAfterKind, textAt, wrapWords,
} from "./look.js";

export const SKETCH_CLASS = "canvas-sketch";
export const MIN_TEXT_PX = 3; // the smallest text (a kind's line, 11 px at 100%) the sketch writes, in screen px
// Where a connection leaves and meets its ports: on the circles' outer rim (shapes.js, portRim).
const RIM = PORT_RADIUS + PORT_STROKE / 2;
const PORT_Y = NODE_HEIGHT / 2;

const escape = (text) => String(text).replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]);
const attributes = (attrs) => Object.entries(attrs).filter(([, value]) => value != null).map(([name, value]) => ` ${name}="${escape(value)}"`).join("");
const round = (value) => +value.toFixed(2);

/**
 * The lines of a text centred on its anchor as X6 writes them (`open` is its tag without the
 * closing bracket): spaces kept, the first line shifted up by half the lines below it
 * (`lineHeight` in px, or null for one em), each next line below. A single line is the text
 * element itself, shifted the same way (one element fewer than X6's tspan, drawn the same).
 */
function textElement(open, text, fontSize, lineHeight) {
  const lines = String(text).split("\n");
  const line = (value) => escape(value.replace(/ /g, "\u00a0"));
  if (lines.length === 1) return `${open} dy="0.3em">${line(lines[0])}</text>`;
  const step = lineHeight ? lineHeight / fontSize : 1;
  return `${open}>${lines.map((value, index) => {
    const dy = index === 0 ? `${0.3 - ((lines.length - 1) * step) / 2}em` : lineHeight ?? "1em";
    return `<tspan dy="${dy}"${index ? ' x="0"' : ""}>${line(value)}</tspan>`;
  }).join("")}</text>`;
}

// The markup of a box's parts, made once per kind (the colour and icon) and per name placement.
const kindParts = new Map();
const textTags = new Map();

/** The rectangles and icon of a box of `kind`, as one string. */
function kindMarkup(kind) {
  if (!kindParts.has(kind.name)) {
    const colour = groupColour(kind.group);
    kindParts.set(kind.name, COMPONENT_MARKUP.filter(({ selector }) => ["body", "accent", "icon"].includes(selector)).map(({ tagName, selector, attrs }) => {
      if (selector === "accent") return `<rect${attributes({ ...attrs, fill: colour })}/>`;
      if (selector === "icon") return `<image${attributes({ ...attrs, href: iconDataUrl(kind.icon, colour) })}/>`;
      return `<${tagName}${attributes(attrs)}/>`;
    }).join(""));
  }
  return kindParts.get(kind.name);
}

/** A box's name or kind line (`selector`), fitted as shapes.js fits it; "" for an empty one. */
function textMarkup(selector, text, alone) {
  const key = `${selector}|${alone}`;
  if (!textTags.has(key)) {
    const { attrs } = COMPONENT_MARKUP.find((part) => part.selector === selector);
    textTags.set(key, `<text${attributes({ ...attrs, transform: selector === "label" && alone ? textAt(TEXT_X, LABEL_Y.alone) : attrs.transform })}`);
  }
  const { fontSize, lineHeight, wrap } = selector === "label" ? NAME_TEXT : KIND_TEXT;
  const fitted = wrapWords(text, wrap.width, wrap.lines, wrap.font, "…");
  return fitted ? textElement(textTags.get(key), fitted, fontSize, lineHeight) : "";
}

let portsMarkup = null;

/** A box's two ports as one path of two circles (four elements fewer per box than X6's, drawn the same). */
function ports() {
  if (!portsMarkup) {
    const { r, magnet: _magnet, ...look } = PORT_MARKUP[0].attrs;
    const circle = (x) => `M ${x - r} ${PORT_Y} a ${r} ${r} 0 1 0 ${2 * r} 0 a ${r} ${r} 0 1 0 ${-2 * r} 0`;
    portsMarkup = `<path class="sketch-ports"${attributes({ ...look, d: `${circle(0)} ${circle(NODE_WIDTH)}` })}/>`;
  }
  return portsMarkup;
}

/** One component box: the parts of its markup a fresh box shows (the run's outline and badges come with a run). */
function box(node, kind, legible) {
  const alone = namedAfterKind(node.label, kind.title);
  return `<g class="sketch-box" data-id="${escape(node.id)}" transform="translate(${node.position.x},${node.position.y})">${kindMarkup(kind)}`
    + `${legible ? textMarkup("label", node.label || "", alone) : ""}${legible && !alone ? textMarkup("kind", kind.title, alone) : ""}${ports()}</g>`;
}

/** `from` moved `distance` towards `to`. */
function towards(from, to, distance) {
  const length = Math.hypot(to.x - from.x, to.y - from.y);
  if (!length) return { ...from };
  return { x: from.x + ((to.x - from.x) * distance) / length, y: from.y + ((to.y - from.y) * distance) / length };
}

/** Where a line from a port's centre towards `to` leaves the port's rim (as X6 rounds it, to 2 decimals). */
function onRim(centre, to) {
  const point = towards(centre, to, Math.min(RIM, Math.hypot(to.x - centre.x, to.y - centre.y) - 1));
  return { x: round(point.x), y: round(point.y) };
}

/**
 * One connection, as X6 draws the ml-connection shape: from the source's right port to the
 * target's left port, both ends on the ports' rims, the line stopping short of its target by its
 * own width for the arrowhead, an S-curve between (X6's "smooth" connector), its label halfway.
 * A connection with bends passes through them on X6's smooth curve.
 */
function connection(edge, boxes, legible) {
  const source = boxes.get(edge.source);
  const target = boxes.get(edge.target);
  if (!source || !target) return "";
  const out = { x: source.x + NODE_WIDTH, y: source.y + PORT_Y };
  const into = { x: target.x, y: target.y + PORT_Y };
  const bends = edge.vertices || [];
  const from = onRim(out, bends[0] || into);
  const end = towards(onRim(into, bends[bends.length - 1] || out), bends[bends.length - 1] || from, CONNECTION_STROKE);
  const curves = bends.length ? throughPoints([from, ...bends, end]) : [sCurve(from, end)];
  const d = `M ${numbers([from])} ${curves.map((curve) => `C ${numbers(curve.slice(1))}`).join(" ")}`;
  // Without bends the S-curve is symmetric about its centre: halfway along it is halfway between its ends.
  const middle = bends.length ? halfway(curves) : { x: (from.x + end.x) / 2, y: (from.y + end.y) / 2 };
  const line = `${linePrefix(lineMode(edge))} data-id="${escape(edge.id)}" d="${d}"/>`;
  const text = connectionText({ ...edge, extra: edge });
  if (!text) return line;
  const { x, y, width, height } = labelBox(text);
  labelParts ||= {
    rect: `<rect${attributes({ fill: CONNECTION_LABEL.fill, stroke: CONNECTION_LABEL.stroke, rx: 3, ry: 3 })}`,
    text: `<text${attributes({ "font-size": CONNECTION_LABEL.size, fill: CONNECTION_LABEL.ink, "text-anchor": "middle" })}`,
  };
  return `${line}<g class="sketch-label" data-id="${escape(edge.id)}" transform="${textAt(middle.x, middle.y)}">`
    + `${labelParts.rect} x="${x}" y="${y}" width="${width}" height="${height}"/>${legible ? textElement(labelParts.text, text, CONNECTION_LABEL.size, null) : ""}</g>`;
}

let labelParts = null;
const linePrefixes = new Map();

/** A connection's path element up to its id and path: its mode's line and arrowhead. */
function linePrefix(mode) {
  if (!linePrefixes.has(mode)) {
    const { stroke, strokeDasharray } = LINE[mode];
    linePrefixes.set(mode, `<path${attributes({
      class: "sketch-line", fill: "none", stroke, "stroke-width": CONNECTION_STROKE, "stroke-dasharray": strokeDasharray, "stroke-linejoin": "round",
      "marker-end": `url(#${SKETCH_CLASS}-${mode})`,
    })}`);
  }
  return linePrefixes.get(mode);
}

const numbers = (points) => points.map(({ x, y }) => `${round(x)} ${round(y)}`).join(" ");

/** X6's "smooth" connector without bends: an S-curve, its control points halfway along the longer axis. */
function sCurve(from, to) {
  if (Math.abs(from.x - to.x) >= Math.abs(from.y - to.y)) {
    const x = (from.x + to.x) / 2;
    return [from, { x, y: from.y }, { x, y: to.y }, to];
  }
  const y = (from.y + to.y) / 2;
  return [from, { x: from.x, y }, { x: to.x, y }, to];
}

/**
 * The smooth curve through `points` that X6's "smooth" connector draws through a connection's bends:
 * one cubic Bézier per pair of points, with continuous first and second derivatives at each point
 * and no curvature at the ends (the control points solve a tridiagonal system).
 */
function throughPoints(points) {
  const n = points.length - 1;
  if (n === 1) {
    const first = { x: (2 * points[0].x + points[1].x) / 3, y: (2 * points[0].y + points[1].y) / 3 };
    return [[points[0], first, { x: 2 * first.x - points[0].x, y: 2 * first.y - points[0].y }, points[1]]];
  }
  const solve = (axis) => {
    const rhs = points.slice(0, n).map((point, i) => {
      if (i === 0) return points[0][axis] + 2 * points[1][axis];
      if (i === n - 1) return (8 * points[n - 1][axis] + points[n][axis]) / 2;
      return 4 * point[axis] + 2 * points[i + 1][axis];
    });
    const x = new Array(n);
    const tmp = new Array(n);
    let b = 2;
    x[0] = rhs[0] / b;
    for (let i = 1; i < n; i += 1) {
      tmp[i] = 1 / b;
      b = (i < n - 1 ? 4 : 3.5) - tmp[i];
      x[i] = (rhs[i] - x[i - 1]) / b;
    }
    for (let i = 1; i < n; i += 1) x[n - i - 1] -= tmp[n - i] * x[n - i];
    return x;
  };
  const xs = solve("x");
  const ys = solve("y");
  return points.slice(0, n).map((point, i) => {
    const first = { x: xs[i], y: ys[i] };
    const second = i < n - 1
      ? { x: 2 * points[i + 1].x - xs[i + 1], y: 2 * points[i + 1].y - ys[i + 1] }
      : { x: (points[n].x + xs[n - 1]) / 2, y: (points[n].y + ys[n - 1]) / 2 };
    return [point, first, second, points[i + 1]];
  });
}

/** The point of a cubic Bézier at parameter `t`. */
function bezier([p0, p1, p2, p3], t) {
  const u = 1 - t;
  const at = (axis) => u * u * u * p0[axis] + 3 * u * u * t * p1[axis] + 3 * u * t * t * p2[axis] + t * t * t * p3[axis];
  return { x: at("x"), y: at("y") };
}

/** The point halfway along a chain of cubic Béziers (by length, as X6 places a label at distance 0.5). */
function halfway(curves) {
  const STEPS = 32;
  const points = curves.flatMap((curve, index) => Array.from({ length: STEPS + (index === curves.length - 1 ? 1 : 0) }, (_, step) => bezier(curve, step / STEPS)));
  const lengths = points.slice(1).map((point, index) => Math.hypot(point.x - points[index].x, point.y - points[index].y));
  let left = lengths.reduce((sum, length) => sum + length, 0) / 2;
  for (let index = 0; index < lengths.length; index += 1) {
    if (left <= lengths[index] && lengths[index] > 0) return towards(points[index], points[index + 1], left);
    left -= lengths[index];
  }
  return points[points.length - 1];
}

/** The arrowhead of each line style, as X6's "block" marker draws it. */
function markers() {
  return Object.entries(LINE).map(([mode, { stroke }]) => `<marker id="${SKETCH_CLASS}-${mode}" refX="-1" overflow="visible" orient="auto" markerUnits="userSpaceOnUse">`
    + `<path stroke="${stroke}" fill="${stroke}" transform="rotate(180)" d="M 0 0 L ${ARROW.width} ${-ARROW.height / 2} L ${ARROW.width} ${ARROW.height / 2} Z"/></marker>`).join("");
}

/**
 * The zoom and shift the canvas will fit the board to (X6's zoomToFit over the cells' geometry,
 * with the canvas's padding, never above 100%): the board's box centred in the canvas.
 */
export function fittedView(document, size, padding) {
  const boxes = [
    ...document.nodes.map(({ position }) => ({ x: position.x, y: position.y, width: NODE_WIDTH, height: NODE_HEIGHT })),
    ...(document.annotations || []).map(({ x, y, w, h }) => ({ x, y, width: w, height: h })),
    ...document.edges.flatMap((edge) => (edge.vertices || []).map(({ x, y }) => ({ x, y, width: 0, height: 0 }))),
  ];
  const left = Math.min(...boxes.map((b) => b.x));
  const top = Math.min(...boxes.map((b) => b.y));
  const width = Math.max(...boxes.map((b) => b.x + b.width)) - left;
  const height = Math.max(...boxes.map((b) => b.y + b.height)) - top;
  const scale = Math.min((size.width - padding.left - padding.right) / width, (size.height - padding.top - padding.bottom) / height, 1);
  return { scale, x: size.width / 2 - (left + width / 2) * scale, y: size.height / 2 - (top + height / 2) * scale };
}

/**
 * Draw `document`'s components and connections into `container` (the canvas, still empty), fitted
 * as the canvas will fit them. `kinds` is the catalog's list of component kinds. Returns the
 * sketch, or null for a board without components (the canvas does not fit those).
 */
export function drawSketch(container, minimap, document, kinds) {
  if (!document.nodes.length || !container.isConnected) return null;
  const byName = new Map(kinds.map((kind) => [kind.name, kind]));
  const size = { width: container.clientWidth, height: container.clientHeight };
  if (!size.width || !size.height) return null;
  const view = fittedView(document, size, fitPadding(minimap));
  const boxes = new Map(document.nodes.map((node) => [node.id, node.position]));
  // Texts too small to read at the fitted zoom are left out: a name drawn under MIN_TEXT_PX high
  // is a grey smudge, and drawing every letter of a large board was half of drawing its sketch.
  const legible = view.scale * KIND_TEXT.fontSize >= MIN_TEXT_PX;
  const parts = [
    ...document.nodes.map((node) => (byName.has(node.kind) ? box(node, byName.get(node.kind), legible) : "")),
    ...document.edges.map((edge) => connection(edge, boxes, legible)),
  ];
  const svg = `<svg class="${SKETCH_CLASS}" aria-hidden="true" width="100%" height="100%" data-components="${document.nodes.length}" data-texts="${legible}"`
    + ` data-connections="${document.edges.length}"><defs>${markers()}</defs>`
    + `<g transform="matrix(${view.scale},0,0,${view.scale},${view.x},${view.y})">${parts.join("")}</g></svg>`;
  container.insertAdjacentHTML("beforeend", svg);
  return container.lastElementChild;
}

/** Take the sketch away (the canvas has drawn the board, or it could not be opened). */
export function removeSketch(container) {
  container.querySelector(`:scope > .${SKETCH_CLASS}`)?.remove();
}
