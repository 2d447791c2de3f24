// The X6 shapes of the canvas: a component box, a connection, the minimap's plain boxes, and cells built from board records.

import { groupColour, iconDataUrl } from "./icons.js";
import {
  ARROW, COMPONENT_MARKUP, CONNECTION_LABEL, CONNECTION_STROKE, KIND_TEXT, LABEL_Y, LINE, NAME_TEXT, NODE_HEIGHT, NODE_WIDTH, PORT_MARKUP, PORT_RADIUS,
  PORT_STROKE, SYNC_COLOUR, TEXT_X, connectionText, labelBox, lineMode, namedAfterKind, textAt, wrapWords,
} from "./look.js";

export { NODE_HEIGHT, NODE_WIDTH };

const { Graph, Markup, NodeView, attrRegistry, connectionPointRegistry } = window.X6;

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
    label: { textVerticalAnchor: "middle", lineHeight: NAME_TEXT.lineHeight, textWrap: { ...NAME_TEXT.wrap, ellipsis: "…" } },
    kind: { textVerticalAnchor: "middle", textWrap: { ...KIND_TEXT.wrap, ellipsis: "…" } },
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
    line: { stroke: SYNC_COLOUR, strokeWidth: CONNECTION_STROKE, targetMarker: { name: "block", ...ARROW } },
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

const EDGE_KEYS = new Set(["id", "source", "target", "mode", "latency_ms", "label"]);
const NODE_KEYS = new Set(["id", "kind", "label", "position", "config"]);

function extraOf(object, known) {
  return Object.fromEntries(Object.entries(object).filter(([key]) => !known.has(key)));
}

/**
 * What an edge's data looks like on the canvas: solid for sync calls, dashed and violet for async
 * copies, dotted and amber for fallbacks; its latency and call settings as a label.
 */
export function edgeLook(data) {
  const mode = lineMode(data);
  const text = connectionText(data);
  return {
    attrs: { line: { ...LINE[mode] } },
    labels: text ? [{ attrs: {
      label: { text, fill: CONNECTION_LABEL.ink, fontSize: CONNECTION_LABEL.size },
      body: { fill: CONNECTION_LABEL.fill, stroke: CONNECTION_LABEL.stroke, rx: 3, ry: 3, ...labelBox(text) },
    } }] : [],
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
  const same = namedAfterKind(text, kind.title);
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
