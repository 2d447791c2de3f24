// The X6 shapes of the canvas: a component box, a connection, the minimap's plain boxes, and cells built from board records.

import { groupColour, iconDataUrl } from "./icons.js";
import {
  ARROW, COMPONENT_MARKUP, CONNECTION_LABEL, CONNECTION_STROKE, KIND_TEXT, LABEL_Y, LINE, NAME_TEXT, NODE_HEIGHT, NODE_WIDTH, PORT_MARKUP, PORT_RADIUS,
  PORT_STROKE, SYNC_COLOUR, TEXT_X, connectionText, labelBox, lineMode, namedAfterKind, textAt, wrapWords,
} from "./look.js";

export { NODE_HEIGHT, NODE_WIDTH };

const { Config, Dom, EdgeView, Graph, Markup, NodeView, attrRegistry, connectionPointRegistry } = window.X6;

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
    if (partialAttrs === undefined && this.drawFresh()) return;
    super.update(partialAttrs);
  }

  /**
   * A box's whole look when it has only what nodeMetadata gives it (no run painted on it, its
   * badges not made yet): its name and kind written with X6's own text layout, its icon and colour
   * set, without X6's attribute pipeline (finding, sorting and merging every attr of every part,
   * a quarter of drawing a large board). Anything else goes X6's way. Returns whether it drew.
   */
  drawFresh() {
    const attrs = this.cell.getAttrs();
    if (!this.hiddenBadges || Object.keys(attrs).some((name) => !FRESH[name]?.(attrs[name]))) return false;
    this.cleanCache();
    if (Config.useCSSSelector) this.removePorts(); // X6's update() then draws the ports again, as here
    const { label, kind, icon, accent } = this.selectors;
    writeText(label, attrs.label, NAME_TEXT.lineHeight);
    writeText(kind, attrs.kind, null);
    if (attrs.icon?.["xlink:href"] !== undefined) icon.setAttributeNS(XLINK, "xlink:href", attrs.icon["xlink:href"]);
    if (attrs.accent?.fill !== undefined) accent.setAttribute("fill", attrs.accent.fill);
    if (Config.useCSSSelector) this.renderPorts();
    return true;
  }

  /**
   * A box's two ports, cloned: X6 lays each port of each box out through its port layouts, label
   * layouts and attrs, though a component's are always the same two circles at the middle of its
   * sides. Any other ports take X6's way.
   */
  renderPorts() {
    if (!hasStandardPorts(this.cell)) {
      super.renderPorts();
      return;
    }
    const { width, height } = this.cell.getSize();
    portTemplate ||= Markup.parseJSONMarkup(PORT_MARKUP).fragment.firstChild;
    for (const { id, group } of STANDARD_PORTS) {
      const portElement = document.createElementNS(SVG, "g");
      portElement.setAttribute("class", `x6-port x6-port-${group}`);
      portElement.setAttribute("transform", `matrix(1,0,0,1,${group === "right" ? width : 0},${height / 2})`);
      const circle = portTemplate.cloneNode(false);
      circle.setAttribute("port", id);
      circle.setAttribute("port-group", group);
      circle.setAttribute("class", "x6-port-body");
      portElement.appendChild(circle);
      this.container.appendChild(portElement);
      const selectors = { circle };
      this.portsCache[id] = { portElement, portSelectors: selectors, portContentElement: circle, portContentSelectors: selectors };
    }
    this.cleanCache();
    this.updateConnectedEdges();
  }

  // Every box's view of a graph gets the same options: X6 deep-copies and merges its defaults for
  // each view it makes (a tenth of drawing a large board), and no view changes them.
  ensureOptions(options) {
    return sharedOptions(this, options, () => super.ensureOptions(options));
  }
}

const SVG = "http://www.w3.org/2000/svg";
const XLINK = "http://www.w3.org/1999/xlink";
const only = (...keys) => (value) => value !== null && typeof value === "object" && Object.keys(value).every((key) => keys.includes(key));
// The attrs a box has from the shape and nodeMetadata, by part: what drawFresh() can draw itself.
const FRESH = {
  label: only("text", "transform", "textVerticalAnchor", "lineHeight", "textWrap"),
  kind: only("text", "display", "textVerticalAnchor", "textWrap"),
  icon: only("xlink:href"),
  accent: only("fill"),
  badge: only("textVerticalAnchor"),
  drops: only("textVerticalAnchor"),
  fault: only("textVerticalAnchor"),
};

/** A name or kind line as X6's text and textWrap attrs write it (shapes' textWrap, X6's Dom.text). */
function writeText(element, attrs, lineHeight) {
  const text = `${attrs.text ?? ""}`;
  if (attrs.transform !== undefined) element.setAttribute("transform", attrs.transform);
  const wrap = attrs.textWrap;
  Dom.text(element, wrap ? wrapWords(text, wrap.width, wrap.lines, wrap.font, wrap.ellipsis || "…") : text,
    { textVerticalAnchor: attrs.textVerticalAnchor, lineHeight: lineHeight ?? undefined });
  element.setAttribute("text", text); // as X6 leaves it (the text attr given way to textWrap is written as is)
  if (attrs.display === null) element.removeAttribute("display");
  else if (attrs.display !== undefined) element.setAttribute("display", attrs.display);
}
const STANDARD_PORTS = [{ id: "in", group: "left" }, { id: "out", group: "right" }];
let portTemplate = null;

const optionsByView = new Map(); // view class -> graph -> options
/** The options X6 made for the first view of this class on this graph (only for X6's own {graph}). */
function sharedOptions(view, options, make) {
  if (Object.keys(options).length !== 1 || !options.graph) return make();
  const byGraph = optionsByView.get(view.constructor) ?? new WeakMap();
  optionsByView.set(view.constructor, byGraph);
  if (!byGraph.has(options.graph)) byGraph.set(options.graph, make());
  return byGraph.get(options.graph);
}

/**
 * A connection's view: its options shared as a box's are, its two paths and its label's markup
 * cloned, and a label with the look edgeLook gives it written directly (X6 deep-merges and runs
 * every label's attrs through its attribute pipeline: a fifth of drawing a large board). A label
 * painted otherwise (the results overlay's) goes X6's way.
 */
class ConnectionView extends EdgeView {
  ensureOptions(options) {
    return sharedOptions(this, options, () => super.ensureOptions(options));
  }

  renderMarkup() {
    const markup = this.cell.markup;
    if (JSON.stringify(markup) !== (edgeMarkupJSON ||= JSON.stringify(Markup.getEdgeMarkup()))) {
      super.renderMarkup();
      return;
    }
    edgeTemplate ||= Markup.parseJSONMarkup(markup);
    const fragment = edgeTemplate.fragment.cloneNode(true);
    const [wrap, line] = fragment.childNodes;
    this.selectors = { wrap, line, lines: [wrap, line], [this.rootSelector]: this.container };
    this.container.append(fragment);
  }

  parseLabelMarkup(markup) {
    if (!markup || JSON.stringify(markup) !== LABEL_MARKUP_JSON) return super.parseLabelMarkup(markup);
    labelTemplate ||= Markup.parseJSONMarkup(LABEL_MARKUP);
    const fragment = labelTemplate.fragment.cloneNode(true);
    const [body, label] = fragment.childNodes;
    return { fragment, selectors: { body, label } };
  }

  updateLabels() {
    const labels = this.cell.labels;
    const plain = this.labelContainer && JSON.stringify(this.cell.getDefaultLabel().attrs) === LABEL_ATTRS_JSON && labels.every((label) => !label.markup && plainLabel(label.attrs));
    if (!plain) {
      super.updateLabels();
      return;
    }
    const cursor = this.can("edgeLabelMovable") ? "move" : "default";
    labels.forEach(({ attrs }, index) => {
      this.labelCache[index].setAttribute("cursor", cursor);
      const { body, label } = this.labelSelectors[index];
      const text = { ...LABEL_ATTRS.label, ...attrs.label };
      const box = { ...LABEL_ATTRS.body, ...attrs.body };
      for (const [name, value] of Object.entries(box)) body.setAttribute(name, value);
      label.setAttribute("font-size", text.fontSize);
      Dom.text(label, `${text.text ?? ""}`, { textVerticalAnchor: text.textVerticalAnchor });
      label.setAttribute("fill", text.fill);
      label.setAttribute("text-anchor", text.textAnchor);
      label.setAttribute("pointer-events", text.pointerEvents);
    });
  }

  // A label halfway along a connection without bends sits halfway between the curve's ends: X6's
  // S-curve is symmetric about its centre. X6 measures the curve's length for each label instead.
  updateLabelPositions() {
    const path = this.path;
    const labels = this.cell.getLabels();
    const halfway = this.labelContainer && path && this.routePoints?.length === 0 && this.cell.getConnector()?.name === "smooth"
      && JSON.stringify(this.cell.getDefaultLabel().position) === HALFWAY && labels.every((label) => label.position == null);
    if (!halfway) return super.updateLabelPositions();
    const { start, end } = path;
    const transform = `matrix(1,0,0,1,${(start.x + end.x) / 2},${(start.y + end.y) / 2})`;
    labels.forEach((_, index) => this.labelCache[index]?.setAttribute("transform", transform));
    return this;
  }
}
let edgeMarkupJSON = null;
const HALFWAY = JSON.stringify({ distance: 0.5 });
let edgeTemplate = null;
let labelTemplate = null;
// A label as edgeLook writes it: its text and colours over the default label's, nothing else.
const plainLabel = (attrs) => attrs !== null && typeof attrs === "object" && Object.keys(attrs).every((name) => name === "label" || name === "body")
  && only("text", "fill", "fontSize")(attrs.label ?? {}) && only("fill", "stroke", "rx", "ry", "x", "y", "width", "height")(attrs.body ?? {});
Graph.registerView("ml-connection-view", ConnectionView, true);
const COMPONENT_JSON = JSON.stringify(COMPONENT_MARKUP);
let template = null;
Graph.registerView("ml-component-view", ComponentView, true);

const LABEL_MARKUP = [{ tagName: "rect", selector: "body" }, { tagName: "text", selector: "label" }];
const LABEL_ATTRS = {
  label: { fill: "#000", fontSize: 11, textAnchor: "middle", textVerticalAnchor: "middle", pointerEvents: "none" },
  body: { fill: "#fff", rx: 3, ry: 3 },
};
const LABEL_MARKUP_JSON = JSON.stringify(LABEL_MARKUP);
const LABEL_ATTRS_JSON = JSON.stringify(LABEL_ATTRS);

const ComponentNode = Graph.registerNode("ml-component", {
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

const portsPosition = ComponentNode.prototype.getPortsPosition;
const hasStandardPorts = (node) => {
  const ports = node.getPorts();
  return ports.length === STANDARD_PORTS.length && ports.every((port, index) => port.id === STANDARD_PORTS[index].id && port.group === STANDARD_PORTS[index].group);
};
/**
 * Where a box's ports are, without X6's port layouts: each connection asks for its two ends (to
 * draw itself, and for the board's extent), and X6 laid out every port of the box each time.
 */
ComponentNode.prototype.getPortsPosition = function getPortsPosition(groupName) {
  if (!hasStandardPorts(this)) return portsPosition.call(this, groupName);
  const { width, height } = this.getSize();
  const [port] = STANDARD_PORTS.filter(({ group }) => group === groupName);
  return port ? { [port.id]: { position: { x: groupName === "right" ? width : 0, y: height / 2 }, angle: 0 } } : {};
};

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
  view: "ml-connection-view",
  attrs: {
    line: { stroke: SYNC_COLOUR, strokeWidth: CONNECTION_STROKE, targetMarker: { name: "block", ...ARROW } },
  },
  connector: { name: "smooth" },
  // X6's default label sizes its box by measuring the text (`ref`), one forced layout per label: a
  // third of drawing a 300-connection board. The box is sized from the text's length instead (edgeLook).
  defaultLabel: { markup: LABEL_MARKUP, attrs: LABEL_ATTRS, position: { distance: 0.5 } },
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
