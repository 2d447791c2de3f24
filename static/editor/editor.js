// The canvas: draws the board state's records with X6 and writes what the user does on it back to the board state.
//
// Two directions, never mixed up:
// - the user edits on the canvas (drag, connect, rename, delete, paste, undo...): X6 changes its
//   cells and records the step in its history (the undo history, local edits only); the canvas then
//   writes the changed records to the board state, as its own change (`source` is the canvas);
// - anyone else changes the board state: a panel or the timeline (drawn as one undoable step),
//   others' edits arriving live (drawn as nobody's step, and kept out of this page's undo steps), or
//   a whole new document (drawn afresh, with a new history).
// The X6 graph (`editor.graph`) stays the canvas's own: views drawn over the canvas (the results
// overlay, presence, layout, exports) use it for geometry and painting, never for board data.

import { Annotations, annotationRecordOf, isAnnotation, withBends, withVertices } from "./annotations.js";
import { connectionProblem, defaultMode, randomId } from "./connections.js";
import { diffPatch, mergePatch, patchOutside } from "./docops.js";
import { el } from "./dom.js";
import {
  CONNECTION_ENDS, MinimapNodeView, NODE_HEIGHT, NODE_WIDTH, edgeData, edgeLook, edgeMetadata, edgeRecordOf, labelAttrs, nodeData, nodeMetadata, nodeRecordOf,
} from "./shapes.js";
import { fitPadding } from "./look.js";
import { removeSketch } from "./sketch.js";
import { SETTLED, drawGrid, isPanning, minimapFrameMover, panWithoutRedrawing } from "./viewport.js";

const { Graph, Selection, Snapline, Keyboard, Clipboard, History, MiniMap, Dnd, Export, Rectangle } = window.X6;

const GRID = 10;
// Canvas edits a view link's canvas answers with nothing (see lock).
const EDITING_METHODS = ["deleteSelection", "copySelection", "paste", "duplicate", "nudge", "editLabel", "undo", "redo"];
const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);

const CONTROL_KEYS = new Set(["Enter", " ", "ArrowUp", "ArrowDown", "ArrowLeft", "ArrowRight", "Home", "End", "Escape"]);

/** On a focused button, select or tab these keys mean what the browser says (Enter clicks, arrows choose). */
function keyBelongsToControl(event) {
  const target = event.target;
  if (!(target instanceof Element) || !CONTROL_KEYS.has(event.key)) return false;
  return Boolean(target.closest("select, button, a, summary, [role=tab], dialog"));
}

/** `run()` in a task of its own once the page has drawn `count` more frames. */
function afterFrames(count, run) {
  if (count === 0) setTimeout(run);
  else requestAnimationFrame(() => afterFrames(count - 1, run));
}

export class Editor {
  /**
   * @param {HTMLElement} container  where the canvas goes
   * @param {import("./store.js").BoardState} state  the board it draws and edits
   * @param {object} hooks           {onMessage(text), minimapContainer}
   */
  constructor(container, state, hooks) {
    this.state = state;
    this.catalog = state.catalog;
    this.hooks = hooks;
    this.applying = false; // drawing the board state: the cells' changes are not edits to write back
    // An edge being dragged out of a port is not an edit until it is dropped on a component.
    this.drawing = new Set();
    this.graph = new Graph({
      container,
      autoResize: true,
      // Every cell stays drawn. X6's virtual rendering re-renders each cell from scratch as it comes
      // back into view, which made panning a 200-component board cost twice the main-thread time
      // per frame, and a fitted board has every cell in view anyway (benchmarks/README.md).
      virtual: false,
      async: false, // one synchronous draw of a loaded board is faster than X6's frame-by-frame batches
      // Snap to a 10px grid; its dots are a layer of their own moved with the view (see drawGrid), because
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
        ...CONNECTION_ENDS,
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
    panWithoutRedrawing(this.graph);
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
    // The minimap draws every component a second time: it is built once the canvas has been drawn
    // (two frames: the first shows the board, the second is not held up by the minimap), so a big
    // board shows without waiting for it.
    if (hooks.minimapContainer) afterFrames(2, () => this.useMinimap(hooks.minimapContainer));
    this.annotations = new Annotations(this); // texts, sticky notes, frames, bends
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

    // The user's edits, as records of the board state.
    this.graph.on("cell:added", ({ cell }) => {
      if (cell.isEdge() && !cell.getTargetCellId()) this.drawing.add(cell.id);
      this.record(cell);
    });
    this.graph.on("cell:changed", ({ cell, options }) => !options?.overlay && this.record(cell));
    this.graph.on("cell:removed", ({ cell }) => this.forget(cell));
    this.graph.on("edge:connected", ({ edge }) => this.drawing.delete(edge.id) && this.record(edge));
    // Everyone else's changes, drawn.
    state.on("change", (change) => this.draw(change));
    // A loaded board is fitted before its cells are drawn, from sizes read while the canvas is still
    // empty: the browser then lays the cells out once, at their final zoom. (A size read after
    // drawing forces a layout of every cell, and zooming after that lays them all out again.)
    const opened = state.current();
    // The canvas's size, read while it is still empty: X6 would read it again after drawing the
    // board, when the page has to lay every cell out to answer.
    this.graph.resize(container.clientWidth, container.clientHeight);
    const padding = opened.nodes.length ? this.fitPadding() : null;
    this.load(opened);
    if (padding) this.fit(padding);
    removeSketch(container); // in the same task as the cells it stood for were drawn: no frame shows both
  }

  useMinimap(container) {
    this.minimap = new MiniMap({
      container, width: 200, height: 130, padding: 12,
      graphOptions: { createCellView: (cell) => (cell.isEdge() ? null : MinimapNodeView) },
    });
    this.graph.use(this.minimap);
    this.moveMinimapFrame = minimapFrameMover(this.minimap.viewport);
    // A drag on the map reads what X6's own frame update would have left: the frame (its zoom handle
    // scales the view by the drag over the frame's width) and the map's scale (a drag of the frame
    // pans the view by the drag over it). Both are the ones drawn here; X6's writes are ignored.
    Object.defineProperties(this.minimap, {
      geometry: { get: () => this.minimapFrame, set() {} },
      ratio: { get: () => this.minimap.targetGraph.scale().sx, set() {} },
    });
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
    // The board's boxes and the map's own fit are measured again after a change to the board or
    // the canvas's size (on which X6 refits the map its own way); a pan or zoom only moves the view.
    const changed = () => {
      this.minimapContent = undefined;
      this.minimapFitted = null;
      refresh();
    };
    for (const event of ["cell:added", "cell:removed", "node:moved", "model:updated"]) this.graph.on(event, changed);
    for (const event of ["scale", "translate", SETTLED]) this.graph.on(event, refresh);
    this.graph.on("resize", () => {
      this.minimapOffset = null;
      changed();
    });
    refresh();
  }

  drawGrid() {
    drawGrid(this.graph, GRID);
  }

  /**
   * Fit the minimap to the board plus the visible area, and frame the visible area. Mid-pan the fit
   * is kept while the visible area stays inside it, and redone with room for the pan to go on once it
   * leaves (every refit repaints the map, and so makes Chromium split the page into layers again);
   * the pan's end fits it exactly.
   */
  drawMinimapFrame() {
    const mini = this.minimap.targetGraph;
    const visible = this.graph.getGraphArea();
    const panning = isPanning(this.graph);
    // The components' boxes only: the content area X6 works out also measures every connection's
    // path, which on a 300-connection board cost more than the rest of a pan frame.
    if (this.minimapContent === undefined) {
      const nodes = this.graph.getNodes();
      this.minimapContent = nodes.length ? this.graph.getCellsBBox(nodes) : null;
    }
    const content = this.minimapContent;
    const options = this.minimap.options;
    const size = `${options.width}x${options.height}`; // sizeMinimap changes it with the canvas's width
    const fitted = this.minimapFitted?.size === size ? this.minimapFitted.area : null;
    // While the frame is dragged on the map the map keeps its fit: the frame stays under the pointer.
    const dragged = this.minimap.targetGraphTransforming && fitted;
    if (!dragged && (!panning || !fitted || !fitted.containsRect(visible) || (content && !fitted.containsRect(content)))) {
      const both = content ? content.union(visible) : visible;
      const area = panning ? both.union(visible.clone().inflate(visible.width / 2, visible.height / 2)) : both;
      if (!fitted || !area.equals(fitted)) {
        mini.resize(options.width - 2 * options.padding, options.height - 2 * options.padding);
        mini.scaleContentToFit({ padding: 4, contentArea: area, maxScale: 1 });
        this.minimapFitted = { area, size };
      }
    }
    const { sx } = mini.scale();
    const origin = mini.localToGraph(visible.x, visible.y);
    // Where the minimap's graph sits in its widget changes only with the page's layout; reading it
    // on every pan step would force a layout per frame.
    if (!this.minimapOffset) {
      const offset = mini.container.getBoundingClientRect();
      const widget = this.minimap.container.getBoundingClientRect();
      this.minimapOffset = { left: offset.left - widget.left, top: offset.top - widget.top };
    }
    const frame = {
      left: this.minimapOffset.left + origin.x, top: this.minimapOffset.top + origin.y,
      width: visible.width * sx, height: visible.height * sx,
    };
    this.moveMinimapFrame(frame, panning);
    this.minimapFrame = frame;
  }

  // ---- selection and view (UI state, not board data) ----

  selected() {
    return this.selection.getSelectedCells();
  }

  selectedIds() {
    return this.selected().map((cell) => cell.id);
  }

  onSelectionChange(handler) {
    this.graph.on("selection:changed", handler);
  }

  select(cells) {
    this.selection.clean();
    this.selection.select(cells);
  }

  clearSelection() {
    this.selection.clean();
  }

  /** Select a component and bring it to the middle of the view. */
  focus(id) {
    const cell = this.graph.getCellById(id);
    if (!cell) return;
    this.select(cell);
    this.graph.centerCell(cell);
  }

  /** The room a fit leaves round the board: clear of the minimap in the bottom-right corner while it is open. */
  fitPadding() {
    this.graph.matrix(); // X6 reads the view's transform from the page once; here, before there are cells to lay out
    return fitPadding(this.hooks.minimapContainer);
  }

  fit(padding = this.fitPadding()) {
    // The page fits the board again once the canvas has its final size: when nothing changed since
    // the last fit, setting the same zoom again would only lay every cell out once more.
    const { width, height } = this.graph.transform.getComputedSize();
    const area = this.contentArea();
    const key = JSON.stringify([width, height, padding, area]);
    if (this.fitted?.key === key && this.fitted.matrix === this.graph.view.viewport.getAttribute("transform")) return;
    this.graph.zoomToRect(area, { padding, maxScale: 1 });
    this.fitted = { key, matrix: this.graph.view.viewport.getAttribute("transform") };
  }

  /**
   * The board's extent, as X6's content area: every box, and the bends of the connections (a
   * connection otherwise runs between two boxes' ports). X6's own asks each connection for its
   * ends, a tenth of drawing a large board.
   */
  contentArea() {
    const boxes = this.graph.getNodes().map((node) => node.getBBox());
    for (const edge of this.graph.getEdges()) {
      for (const { x, y } of edge.getVertices()) boxes.push(new Rectangle(x, y, 0, 0));
    }
    return boxes.length ? boxes.reduce((all, box) => all.union(box)) : new Rectangle();
  }

  /** `handler()` after each step the undo history records; `onHistoryChange` after any change of it. */
  onUndoableEdit(handler) {
    this.graph.on("history:add", handler);
  }

  onHistoryChange(handler) {
    this.graph.on("history:change", handler);
  }

  undo() {
    if (this.history.canUndo()) this.history.undo();
  }

  redo() {
    if (this.history.canRedo()) this.history.redo();
  }

  /** A view link's canvas: no moving, connecting, label editing, deleting, pasting or undoing. */
  lock() {
    this.graph.options.interacting = false;
    for (const name of EDITING_METHODS) this[name] = () => false;
  }

  // ---- the canvas's edits, written to the board state ----

  record(cell) {
    if (this.applying) return;
    if (isAnnotation(cell)) {
      this.state.putAnnotation(annotationRecordOf(cell), { source: this });
      return;
    }
    if (cell.isNode()) {
      this.state.putNode(nodeRecordOf(cell), { source: this });
      return;
    }
    if (this.drawing.has(cell.id)) return;
    const edge = edgeRecordOf(cell);
    if (edge) this.state.putEdge(withBends(edge, cell), { source: this });
    else this.state.removeEdge(cell.id, { source: this });
  }

  forget(cell) {
    this.drawing.delete(cell.id);
    if (this.applying) return;
    if (isAnnotation(cell)) this.state.removeAnnotation(cell.id, { source: this });
    else if (cell.isNode()) this.state.removeNode(cell.id, { source: this });
    else this.state.removeEdge(cell.id, { source: this });
  }

  // ---- the board state's changes, drawn ----

  draw(change) {
    if (change.source === this) return;
    if (change.origin === "load") this.load(this.state.current());
    else this.apply(change, { undoable: change.origin === "local" });
  }

  nodeMetadata(node) {
    return nodeMetadata(node, this.catalog.kind(node.kind));
  }

  /** Replace the canvas with the records of a board document; not an undoable edit. */
  load(document) {
    this.applying = true;
    this.drawing.clear();
    try {
      const cells = [
        ...(document.annotations || []).map((record) => this.graph.createNode(this.annotations.metadata(record))),
        ...document.nodes.map((node) => this.graph.createNode(this.nodeMetadata(node))),
        ...document.edges.map((edge) => this.graph.createEdge(withVertices(edgeMetadata(edge), edge))),
      ];
      this.history.disable();
      this.graph.resetCells(cells);
      this.history.enable();
      this.history.clean();
    } finally {
      this.applying = false;
    }
  }

  /**
   * Draw a change of records: a local one (a panel's, the timeline's) as one undo step, a remote
   * one as nobody's step.
   */
  apply({ nodes, edges, board, boardBefore }, { undoable }) {
    const count = (list) => list.added.length + list.removed.length + list.updated.length;
    const notes = board.includes("annotations");
    if (!count(nodes) && !count(edges) && !notes) return;
    const graph = this.graph;
    this.applying = true;
    if (undoable) graph.startBatch("board-edit");
    else this.history.disable();
    try {
      for (const edge of edges.removed) graph.removeCell(edge.id);
      for (const node of nodes.removed) graph.removeCell(node.id);
      for (const node of nodes.added) graph.addNode(this.nodeMetadata(node));
      for (const [old, node] of nodes.updated) this.updateNode(old, node, undoable);
      const added = [...edges.added];
      for (const [old, edge] of edges.updated) {
        if (old.source !== edge.source || old.target !== edge.target) {
          graph.removeCell(edge.id);
          added.push(edge);
        } else this.updateEdge(edge, undoable);
      }
      for (const edge of added) graph.addEdge(withVertices(edgeMetadata(edge), edge));
      if (notes) this.annotations.apply(boardBefore.annotations, this.state.annotations());
    } finally {
      if (undoable) graph.stopBatch("board-edit");
      else this.history.enable();
      this.applying = false;
    }
  }

  updateNode(old, node, undoable) {
    const cell = this.graph.getCellById(node.id);
    if (!cell) return;
    if (old.kind !== node.kind) {
      this.graph.removeCell(node.id);
      this.graph.addNode(this.nodeMetadata(node));
      return;
    }
    if (!same(old.position, node.position)) cell.setPosition(node.position.x, node.position.y);
    if (old.label !== node.label) cell.attr(labelAttrs(node.label, this.catalog.kind(node.kind)));
    this.setCellData(cell, nodeData(node), undoable);
  }

  updateEdge(edge, undoable) {
    const cell = this.graph.getCellById(edge.id);
    if (!cell) return;
    const data = edgeData(edge);
    const look = edgeLook(data);
    this.setCellData(cell, data, undoable);
    if (!same(cell.getVertices(), edge.vertices || [])) cell.setVertices(structuredClone(edge.vertices || []));
    cell.attr("line/stroke", look.attrs.line.stroke);
    cell.attr("line/strokeDasharray", look.attrs.line.strokeDasharray);
    cell.setLabels(look.labels);
  }

  /**
   * Set a cell's data. Someone else's edit also goes into this page's undo steps for the cell (the
   * fields those steps did not change themselves), so undoing one's own property edit does not also
   * undo theirs.
   */
  setCellData(cell, data, undoable) {
    const change = diffPatch(cell.getData() || {}, data);
    if (!change) return;
    cell.setData(data, { overwrite: true });
    if (undoable) return;
    const { undoStack, redoStack } = this.history;
    for (const command of [...undoStack, ...redoStack].flat()) {
      const step = command.data;
      if (!step || step.id !== cell.id || step.key !== "data" || !step.prev || !step.next) continue;
      const own = diffPatch(step.prev.data || {}, step.next.data || {}) || {};
      const theirs = patchOutside(change, own);
      step.prev.data = mergePatch(step.prev.data, theirs);
      step.next.data = mergePatch(step.next.data, theirs);
    }
  }

  // ---- connection rules ----

  /** Refuse self-loops and cycles of sync calls with a message; returning false makes X6 drop the edge. */
  acceptNewEdge(edge) {
    const targetId = edge.getTargetCellId();
    const mode = defaultMode(this.state, targetId);
    const problem = connectionProblem(this.state, edge.getSourceCellId(), targetId, mode, edge.id);
    if (problem) {
      this.hooks.onMessage(problem);
      return false;
    }
    if (mode !== "sync") this.setEdgeData(edge, { ...edge.getData(), mode });
    return true;
  }

  // ---- edits (each one undoable) ----

  /** A fresh node of a kind with the kind's defaults (used by drag and by the keyboard). */
  buildNode(kindName, position = { x: 0, y: 0 }) {
    const node = this.state.nodeRecord({ id: randomId(kindName.replace(/_/g, "-")), kind: kindName, position });
    return this.graph.createNode(this.nodeMetadata(node));
  }

  addNode(kindName, position) {
    const node = this.buildNode(kindName, position);
    this.graph.addNode(node);
    this.select(node);
    return node;
  }

  connect(sourceId, targetId, mode = defaultMode(this.state, targetId)) {
    const problem = connectionProblem(this.state, sourceId, targetId, mode);
    if (problem) {
      this.hooks.onMessage(problem);
      return null;
    }
    return this.graph.addEdge(edgeMetadata(this.state.edgeRecord({ id: randomId("e"), source: sourceId, target: targetId, mode })));
  }

  setNodeConfig(node, name, value) {
    const data = node.getData();
    node.setData({ ...data, config: { ...data.config, [name]: value } }, { overwrite: true });
  }

  setLabel(cell, text) {
    if (cell.isNode()) {
      cell.attr(labelAttrs(text, this.catalog.kind(cell.getData().kind)));
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
    if (data.mode !== "async" && before.mode === "async") {
      const problem = connectionProblem(this.state, edge.getSourceCellId(), edge.getTargetCellId(), data.mode, edge.id);
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
    if (isAnnotation(node)) {
      this.annotations.editText(node);
      return;
    }
    const container = this.graph.container;
    container.querySelector(".label-editor")?.remove();
    const bbox = node.getBBox();
    const topLeft = this.graph.localToGraph(bbox.x + 48, bbox.y + 8);
    const scale = this.graph.scale().sx;
    const input = el("input", { class: "label-editor", type: "text", maxlength: this.catalog.limits.label_chars, "aria-label": "Component name" });
    input.value = node.attr("label/text") || "";
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
    const taken = (px, py) => this.state.nodes().some(({ position }) => Math.abs(position.x - px) < NODE_WIDTH && Math.abs(position.y - py) < NODE_HEIGHT);
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
