// The X6 canvas: component and connection shapes, editing plugins, connection rules, and board <-> graph conversion.

import { groupColour, iconDataUrl } from "./icons.js";

const { Graph, NodeView, Selection, Snapline, Keyboard, Clipboard, History, MiniMap, Dnd, Export } = window.X6;

export const NODE_WIDTH = 184;
export const NODE_HEIGHT = 56;
const GRID = 10;
const SYNC_COLOUR = "#334155";
const ASYNC_COLOUR = "#7c3aed";

const PORT = {
  attrs: { circle: { r: 5, magnet: true, stroke: "#2563eb", strokeWidth: 1.5, fill: "#fff" } },
};

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
  ],
  attrs: {
    body: { refWidth: "100%", refHeight: "100%", rx: 8, ry: 8, fill: "#ffffff", stroke: "#cbd5e1", strokeWidth: 1 },
    accent: { width: 5, refHeight: "100%", rx: 2, ry: 2, fill: "#2563eb" },
    icon: { x: 14, y: 14, width: 28, height: 28 },
    label: {
      refX: 52, refY: 21, textAnchor: "start", textVerticalAnchor: "middle", fontSize: 13, fontWeight: 600,
      fill: "#0f172a", fontFamily: "system-ui, sans-serif",
      textWrap: { width: NODE_WIDTH - 62, height: 20, ellipsis: "…" }, // below ~20px X6 drops the whole line
    },
    kind: {
      refX: 52, refY: 39, textAnchor: "start", textVerticalAnchor: "middle", fontSize: 11, fill: "#64748b",
      fontFamily: "system-ui, sans-serif",
    },
    // Run results drawn on the canvas (see overlay.js); hidden until a run has finished.
    outline: {
      x: -6, y: -6, refWidth: "100%", refWidth2: 12, refHeight: "100%", refHeight2: 12, rx: 12, ry: 12,
      fill: "none", stroke: "#b91c1c", strokeWidth: 3, strokeDasharray: "7 4", display: "none", pointerEvents: "none",
    },
    badge: {
      refX: "100%", refY: -9, textAnchor: "end", textVerticalAnchor: "middle", fontSize: 11, fontWeight: 600,
      fontFamily: "system-ui, sans-serif", stroke: "#ffffff", strokeWidth: 3, paintOrder: "stroke", display: "none",
    },
    drops: {
      refX: "100%", refY: "100%", refY2: 11, textAnchor: "end", textVerticalAnchor: "middle", fontSize: 11, fontWeight: 700,
      fontFamily: "system-ui, sans-serif", fill: "#b91c1c", stroke: "#ffffff", strokeWidth: 3, paintOrder: "stroke", display: "none",
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
class MinimapNodeView extends NodeView {
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
}, true);

const EDGE_KEYS = new Set(["id", "source", "target", "mode", "latency_ms", "label"]);
const NODE_KEYS = new Set(["id", "kind", "label", "position", "config"]);

function extraOf(object, known) {
  return Object.fromEntries(Object.entries(object).filter(([key]) => !known.has(key)));
}

const CONTROL_KEYS = new Set(["Enter", " ", "ArrowUp", "ArrowDown", "ArrowLeft", "ArrowRight", "Home", "End", "Escape"]);

/** On a focused button, select or tab these keys mean what the browser says (Enter clicks, arrows choose). */
function keyBelongsToControl(event) {
  const target = event.target;
  if (!(target instanceof Element) || !CONTROL_KEYS.has(event.key)) return false;
  return Boolean(target.closest("select, button, a, summary, [role=tab], dialog"));
}

function randomId(prefix) {
  return `${prefix}-${Math.random().toString(36).slice(2, 8)}`;
}

/** What an edge's data looks like on the canvas: dashed and violet when async, its latency as a label. */
export function edgeLook(data) {
  const async = data.mode === "async";
  const text = [data.label || "", async ? "async" : "", data.latency_ms ? `${data.latency_ms} ms` : ""].filter(Boolean).join(" · ");
  return {
    attrs: {
      line: {
        stroke: async ? ASYNC_COLOUR : SYNC_COLOUR,
        strokeDasharray: async ? "6 4" : null,
      },
    },
    labels: text ? [{ attrs: { label: { text, fill: "#334155", fontSize: 11 }, body: { fill: "#f8fafc", stroke: "#e2e8f0", rx: 3, ry: 3 } } }] : [],
  };
}

export class Editor {
  /**
   * @param {HTMLElement} container  where the canvas goes
   * @param {object} catalog         the /api/component-kinds/ answer
   * @param {object} hooks           {onMessage(text), minimapContainer}
   */
  constructor(container, catalog, hooks) {
    this.catalog = catalog;
    this.kinds = new Map(catalog.kinds.map((kind) => [kind.name, kind]));
    this.edgeFields = catalog.edge_fields;
    this.hooks = hooks;
    this.loading = false;
    this.graph = new Graph({
      container,
      autoResize: true,
      // Only cells in view are drawn, which keeps first render and panning fast on big boards.
      virtual: true,
      async: false, // one synchronous draw of a loaded board is faster than X6's frame-by-frame batches
      // Snap to a 10px grid; its dots are a CSS background moved with the view (see drawGrid), because
      // X6's own grid re-encodes a canvas image on every pan step.
      grid: { size: GRID, visible: false },
      panning: { enabled: true, eventTypes: ["rightMouseDown", "mouseWheel"] },
      mousewheel: { enabled: true, modifiers: ["ctrl", "meta"], zoomAtMousePosition: true, minScale: 0.1, maxScale: 3 },
      scaling: { min: 0.1, max: 3 },
      connecting: {
        snap: { radius: 24 },
        allowBlank: false,
        allowLoop: true, // refused in validateEdge, so the user is told why
        allowMulti: true,
        allowEdge: false,
        allowNode: true,
        highlight: true,
        connector: { name: "smooth" },
        createEdge: () => this.graph.createEdge({ shape: "ml-connection", id: randomId("e"), data: { mode: "sync", latency_ms: 0 } }),
        // Calls flow left to right: drag from a component's right port to another component.
        validateMagnet: ({ magnet }) => magnet.getAttribute("port-group") === "right",
        validateConnection: ({ targetMagnet }) => !targetMagnet || targetMagnet.getAttribute("port-group") === "left",
        validateEdge: ({ edge }) => this.acceptNewEdge(edge),
      },
      highlighting: {
        magnetAvailable: { name: "stroke", args: { attrs: { stroke: "#2563eb", strokeWidth: 2 } } },
        magnetAdsorbed: { name: "stroke", args: { attrs: { fill: "#2563eb", stroke: "#2563eb", strokeWidth: 3 } } },
      },
    });
    // The UMD build leaves out the plugins' Graph.prototype helpers, so the plugins are called directly.
    this.selection = new Selection({
      enabled: true, multiple: true, rubberband: true, movable: true, showNodeSelectionBox: true,
      showEdgeSelectionBox: true, pointerEvents: "none", multipleSelectionModifiers: ["shift", "ctrl", "meta"],
    });
    this.keyboard = new Keyboard({ enabled: true, global: true, guard: (event) => !keyBelongsToControl(event) });
    this.clipboard = new Clipboard({ enabled: true, useLocalStorage: false });
    this.history = new History({
      enabled: true,
      // Tools (the in-place label editor) and port hover state are view details, not edits.
      // Run results painted on the canvas (overlay.js) are not edits either.
      beforeAddCommand: (event, args) => !(args && (args.key === "tools" || args.key === "ports" || args.options?.overlay)),
    });
    this.exporter = new Export();
    for (const plugin of [this.selection, new Snapline({ enabled: true, sharp: true }), this.keyboard, this.clipboard, this.history, this.exporter]) {
      this.graph.use(plugin);
    }
    if (hooks.minimapContainer) {
      this.minimap = new MiniMap({
        container: hooks.minimapContainer, width: 200, height: 130, padding: 12,
        graphOptions: { createCellView: (cell) => (cell.isEdge() ? null : MinimapNodeView) },
      });
      this.graph.use(this.minimap);
      // Without the Scroller plugin X6 refits the minimap on model changes but leaves its
      // viewport frame where it was; redraw the frame once per frame after any change.
      let pending = false;
      const refresh = () => {
        if (pending) return;
        pending = true;
        requestAnimationFrame(() => {
          pending = false;
          this.drawMinimapFrame();
        });
      };
      this.minimap.updateViewport = refresh;
      for (const event of ["cell:added", "cell:removed", "node:moved", "model:updated", "scale", "translate", "resize"]) this.graph.on(event, refresh);
    }
    this.dnd = new Dnd({
      target: this.graph,
      scaled: false,
      getDropNode: (dragging) => this.buildNode(dragging.getData().kind),
      // Dropped boxes land on the grid like moved ones, so rows line up.
      validateNode: (node) => {
        const { x, y } = node.getPosition();
        node.position(Math.round(x / GRID) * GRID, Math.round(y / GRID) * GRID);
        return true;
      },
    });
    this.graph.on("node:dblclick", ({ node }) => this.editLabel(node));
    this.graph.on("translate", () => this.drawGrid());
    this.graph.on("scale", () => this.drawGrid());
    this.drawGrid();
  }

  kind(name) {
    return this.kinds.get(name);
  }

  drawGrid() {
    const { sx } = this.graph.scale();
    const { tx, ty } = this.graph.translate();
    const style = this.graph.container.style;
    const step = GRID * sx;
    // Below half zoom the dots would merge into a grey wash; show every fifth one instead.
    const shown = step < 5 ? step * 5 : step;
    style.backgroundSize = `${shown}px ${shown}px`;
    style.backgroundPosition = `${tx}px ${ty}px`;
  }

  /** Fit the minimap to the board plus the visible area, and frame the visible area. */
  drawMinimapFrame() {
    const mini = this.minimap.targetGraph;
    const visible = this.graph.getGraphArea();
    const content = this.graph.getContentArea();
    const both = content.width ? content.union(visible) : visible;
    const padding = this.minimap.options.padding;
    mini.resize(this.minimap.options.width - 2 * padding, this.minimap.options.height - 2 * padding);
    mini.scaleContentToFit({ padding: 4, contentArea: both, maxScale: 1 });
    const { sx } = mini.scale();
    const origin = mini.localToGraph(visible.x, visible.y);
    const offset = mini.container.getBoundingClientRect();
    const widget = this.minimap.container.getBoundingClientRect();
    Object.assign(this.minimap.viewport.style, {
      left: `${offset.left - widget.left + origin.x}px`, top: `${offset.top - widget.top + origin.y}px`,
      width: `${visible.width * sx}px`, height: `${visible.height * sx}px`,
    });
  }

  selected() {
    return this.selection.getSelectedCells();
  }

  select(cells) {
    this.selection.clean();
    this.selection.select(cells);
  }

  clearSelection() {
    this.selection.clean();
  }

  undo() {
    if (this.history.canUndo()) this.history.undo();
  }

  redo() {
    if (this.history.canRedo()) this.history.redo();
  }

  // ---- building cells ----

  nodeMetadata(node) {
    const kind = this.kind(node.kind);
    const colour = groupColour(kind.group);
    return {
      shape: "ml-component",
      id: node.id,
      x: node.position ? node.position.x : 0,
      y: node.position ? node.position.y : 0,
      data: { kind: kind.name, config: { ...structuredClone(kind.defaults), ...structuredClone(node.config || {}) }, extra: extraOf(node, NODE_KEYS) },
      attrs: {
        label: { text: node.label ?? kind.title },
        kind: { text: kind.title },
        icon: { "xlink:href": iconDataUrl(kind.icon, colour) },
        accent: { fill: colour },
      },
    };
  }

  /** A fresh node of a kind with the kind's defaults (used by drag and by the keyboard). */
  buildNode(kindName, position = { x: 0, y: 0 }) {
    return this.graph.createNode(this.nodeMetadata({ id: randomId(kindName.replace(/_/g, "-")), kind: kindName, position }));
  }

  edgeMetadata(edge) {
    const data = { mode: edge.mode ?? "sync", latency_ms: edge.latency_ms ?? 0, extra: extraOf(edge, EDGE_KEYS) };
    if (edge.label) data.label = edge.label;
    return {
      shape: "ml-connection",
      id: edge.id,
      source: { cell: edge.source, port: "out" },
      target: { cell: edge.target, port: "in" },
      data,
      ...edgeLook(data),
    };
  }

  // ---- document <-> graph ----

  /** Replace the canvas with the nodes and edges of a board document; not an undoable edit. */
  load(document) {
    this.loading = true;
    try {
      const cells = [
        ...(document.nodes || []).filter((node) => this.kind(node.kind)).map((node) => this.graph.createNode(this.nodeMetadata(node))),
        ...(document.edges || []).map((edge) => this.graph.createEdge(this.edgeMetadata(edge))),
      ];
      this.history.disable();
      this.graph.resetCells(cells);
      this.history.enable();
      this.history.clean();
    } finally {
      this.loading = false;
    }
  }

  toDocument() {
    const nodes = this.graph.getNodes().map((node) => {
      const data = node.getData();
      const { x, y } = node.getPosition();
      return {
        ...data.extra,
        id: node.id,
        kind: data.kind,
        label: node.attr("label/text") ?? "",
        position: { x: Math.round(x), y: Math.round(y) },
        config: structuredClone(data.config),
      };
    });
    const edges = this.graph.getEdges()
      .filter((edge) => edge.getSourceCellId() && edge.getTargetCellId())
      .map((edge) => {
        const data = edge.getData() || {};
        const out = { ...data.extra, id: edge.id, source: edge.getSourceCellId(), target: edge.getTargetCellId(), mode: data.mode || "sync", latency_ms: data.latency_ms ?? 0 };
        if (data.label) out.label = data.label;
        return out;
      });
    return { nodes, edges };
  }

  // ---- connection rules ----

  /** Refuse self-loops and cycles of sync calls with a message; returning false makes X6 drop the edge. */
  acceptNewEdge(edge) {
    const targetId = edge.getTargetCellId();
    const mode = this.defaultMode(targetId);
    const problem = this.connectionProblem(edge.getSourceCellId(), targetId, mode, edge.id);
    if (problem) {
      this.hooks.onMessage(problem);
      return false;
    }
    if (mode !== "sync") this.setEdgeData(edge, { ...edge.getData(), mode });
    return true;
  }

  /** A new edge takes its target kind's default call mode (async into logs and off-path work) unless the user says otherwise. */
  defaultMode(targetId) {
    const target = targetId && this.graph.getCellById(targetId);
    const kind = target && target.isNode() ? this.kind(target.getData().kind) : null;
    return kind ? kind.default_call_mode : "sync";
  }

  connectionProblem(sourceId, targetId, mode, ignoreEdgeId = null) {
    if (!sourceId || !targetId) return "Drop the connection on a component.";
    if (sourceId === targetId) return "A component cannot connect to itself.";
    if (mode !== "sync") return null;
    const path = this.syncPath(targetId, sourceId, ignoreEdgeId);
    if (path) {
      const names = [sourceId, ...path].map((id) => this.labelOf(id));
      return `Refused: sync calls would form a cycle (${names.join(" → ")}). Make one of these connections async.`;
    }
    return null;
  }

  labelOf(id) {
    const cell = this.graph.getCellById(id);
    return cell ? cell.attr("label/text") || id : id;
  }

  /** A path of sync edges from `from` to `to` as node ids, or null. */
  syncPath(from, to, ignoreEdgeId) {
    const next = new Map();
    for (const edge of this.graph.getEdges()) {
      if (edge.id === ignoreEdgeId || ((edge.getData() || {}).mode || "sync") !== "sync") continue;
      const source = edge.getSourceCellId();
      if (!next.has(source)) next.set(source, []);
      next.get(source).push(edge.getTargetCellId());
    }
    const parent = new Map([[from, null]]);
    const queue = [from];
    while (queue.length) {
      const id = queue.shift();
      if (id === to) {
        const path = [];
        for (let at = id; at !== null; at = parent.get(at)) path.unshift(at);
        return path;
      }
      for (const child of next.get(id) || []) {
        if (!parent.has(child)) {
          parent.set(child, id);
          queue.push(child);
        }
      }
    }
    return null;
  }

  // ---- edits (each one undoable) ----

  addNode(kindName, position) {
    const node = this.buildNode(kindName, position);
    this.graph.addNode(node);
    this.select(node);
    return node;
  }

  connect(sourceId, targetId, mode = this.defaultMode(targetId)) {
    const problem = this.connectionProblem(sourceId, targetId, mode);
    if (problem) {
      this.hooks.onMessage(problem);
      return null;
    }
    return this.graph.addEdge(this.edgeMetadata({ id: randomId("e"), source: sourceId, target: targetId, mode, latency_ms: 0 }));
  }

  setNodeConfig(node, name, value) {
    const data = node.getData();
    node.setData({ ...data, config: { ...data.config, [name]: value } }, { overwrite: true });
  }

  setLabel(cell, text) {
    if (cell.isNode()) {
      cell.attr("label/text", text);
      return;
    }
    const data = { ...cell.getData() };
    if (text) data.label = text;
    else delete data.label;
    this.setEdgeData(cell, data);
  }

  /** Change an edge's mode, latency or label; data and look change in one undo step. Returns a refusal or null. */
  setEdgeData(edge, data) {
    const before = edge.getData() || {};
    if (data.mode === "sync" && before.mode !== "sync") {
      const problem = this.connectionProblem(edge.getSourceCellId(), edge.getTargetCellId(), "sync", edge.id);
      if (problem) return problem;
    }
    const look = edgeLook(data);
    this.graph.startBatch("edit-edge");
    edge.setData(data, { overwrite: true });
    edge.attr("line/stroke", look.attrs.line.stroke);
    edge.attr("line/strokeDasharray", look.attrs.line.strokeDasharray);
    edge.setLabels(look.labels);
    this.graph.stopBatch("edit-edge");
    return null;
  }

  /**
   * Rename a component where it is drawn: an <input> over its label. One undo
   * step per rename (X6's own editor tool clears the label first, which costs two).
   */
  editLabel(node) {
    const container = this.graph.container;
    container.querySelector(".label-editor")?.remove();
    const bbox = node.getBBox();
    const topLeft = this.graph.localToGraph(bbox.x + 48, bbox.y + 8);
    const scale = this.graph.scale().sx;
    const input = document.createElement("input");
    input.className = "label-editor";
    input.type = "text";
    input.maxLength = this.catalog.limits.label_chars;
    input.value = node.attr("label/text") || "";
    input.setAttribute("aria-label", "Component name");
    Object.assign(input.style, {
      left: `${topLeft.x}px`, top: `${topLeft.y}px`, width: `${(bbox.width - 56) * scale}px`, fontSize: `${13 * scale}px`,
    });
    let done = false;
    const finish = (save) => {
      if (done) return;
      done = true;
      const text = input.value.trim();
      input.remove();
      if (save && text && text !== node.attr("label/text")) this.setLabel(node, text);
      container.focus({ preventScroll: true });
    };
    input.addEventListener("keydown", (event) => {
      event.stopPropagation();
      if (event.key === "Enter") finish(true);
      if (event.key === "Escape") finish(false);
    });
    input.addEventListener("blur", () => finish(true));
    container.append(input);
    input.focus();
    input.select();
  }

  deleteSelection() {
    const cells = this.selected();
    if (cells.length) {
      this.clearSelection();
      this.graph.removeCells(cells);
    }
    return cells.length;
  }

  copySelection() {
    const cells = this.selected();
    if (cells.length) this.clipboard.copy(cells, { deep: false });
    return cells.length;
  }

  paste() {
    if (this.clipboard.isEmpty()) return [];
    const cells = this.clipboard.paste({ offset: 32 }, this.graph);
    this.select(cells);
    return cells;
  }

  duplicate() {
    return this.copySelection() ? this.paste() : [];
  }

  nudge(dx, dy) {
    const nodes = this.selected().filter((cell) => cell.isNode());
    this.graph.startBatch("nudge");
    for (const node of nodes) node.translate(dx, dy);
    this.graph.stopBatch("nudge");
  }

  /** Where a node dropped "in the middle of the view" goes, stepping so repeated adds do not overlap. */
  freeSpotNearCentre() {
    const area = this.graph.getGraphArea();
    const centre = area.getCenter();
    let x = Math.round((centre.x - NODE_WIDTH / 2) / GRID) * GRID;
    let y = Math.round((centre.y - NODE_HEIGHT / 2) / GRID) * GRID;
    const taken = (px, py) => this.graph.getNodes().some((node) => {
      const pos = node.getPosition();
      return Math.abs(pos.x - px) < NODE_WIDTH && Math.abs(pos.y - py) < NODE_HEIGHT;
    });
    for (let step = 0; step < 40 && taken(x, y); step += 1) {
      y += NODE_HEIGHT + 2 * GRID;
      if (step % 4 === 3) {
        x += NODE_WIDTH + 4 * GRID;
        y -= 4 * (NODE_HEIGHT + 2 * GRID);
      }
    }
    return { x, y };
  }
}
