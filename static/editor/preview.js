// A board document drawn read-only on a canvas of its own, laid over the live one: History's preview and compare.
//
// It never touches the board state or the live canvas: the live canvas goes on drawing others' edits
// underneath, hidden, so closing the view shows the live board as it is by then. Anything that draws an
// old document (a version, a moment of a replay) can use it: `new DocumentView(host, catalog)`,
// `show(records, {marks})`, `close()`. The records are normalised (BoardState.normalise).

import { annotationMetadata, withVertices } from "./annotations.js";
import { edgeMetadata, nodeMetadata } from "./shapes.js";

const { Graph } = window.X6;

// How each compare mark looks: the box's ring, its border, and a connection's line.
export const MARKS = {
  added: { colour: "#15803d", dash: null, label: "added" },
  removed: { colour: "#b91c1c", dash: "6 4", label: "removed" },
  changed: { colour: "#d97706", dash: null, label: "changed" },
};

export class DocumentView {
  /**
   * @param {HTMLElement} host  the element it covers (positioned); the view fills it
   * @param {import("./catalog.js").Catalog} catalog
   */
  constructor(host, catalog) {
    this.catalog = catalog;
    this.container = document.createElement("div");
    this.container.className = "document-view";
    this.container.tabIndex = 0;
    host.append(this.container);
    this.graph = new Graph({
      container: this.container,
      autoResize: true,
      // Every cell drawn, not only those in view: the marks go on cells' elements once, and a preview is drawn once.
      virtual: false,
      async: false,
      interacting: false, // nothing on it can be moved, connected or edited
      grid: { size: 10, visible: false },
      panning: { enabled: true, eventTypes: ["leftMouseDown", "rightMouseDown", "mouseWheel"] },
      mousewheel: { enabled: true, modifiers: ["ctrl", "meta"], zoomAtMousePosition: true, minScale: 0.1, maxScale: 3 },
      scaling: { min: 0.1, max: 3 },
    });
  }

  /**
   * Draw `records` ({nodes, edges, annotations}); `marks` maps a component's or connection's id to a
   * key of MARKS. Components of an unknown kind are left out (the catalog no longer has them).
   */
  show(records, { marks = new Map() } = {}) {
    const nodes = records.nodes.filter((node) => this.catalog.kind(node.kind));
    const ids = new Set(nodes.map((node) => node.id));
    const colours = this.catalog.annotationColours || {};
    const cells = [
      ...(records.annotations || []).map((note) => this.graph.createNode(annotationMetadata(note, colours))),
      ...nodes.map((node) => this.graph.createNode(this.marked(nodeMetadata(node, this.catalog.kind(node.kind)), marks.get(node.id), true))),
      ...records.edges.filter((edge) => ids.has(edge.source) && ids.has(edge.target))
        .map((edge) => this.graph.createEdge(this.marked(withVertices(edgeMetadata(edge), edge), marks.get(edge.id), false))),
    ];
    this.graph.resetCells(cells);
    for (const [id, mark] of marks) this.container.querySelector(`[data-cell-id="${CSS.escape(id)}"]`)?.setAttribute("data-mark", mark);
  }

  marked(metadata, mark, isNode) {
    const look = MARKS[mark];
    if (!look) return metadata;
    const attrs = { ...metadata.attrs };
    if (isNode) {
      attrs.outline = { display: "block", stroke: look.colour, strokeDasharray: look.dash, strokeWidth: 3 };
      attrs.body = { stroke: look.colour, strokeWidth: 2, ...(mark === "removed" ? { fill: "#fef2f2" } : {}) };
      if (mark === "removed") attrs.label = { ...attrs.label, textDecoration: "line-through", fill: "#7f1d1d" };
    } else {
      attrs.line = { ...attrs.line, stroke: look.colour, strokeWidth: 2.6, strokeDasharray: look.dash ?? attrs.line?.strokeDasharray };
    }
    return { ...metadata, attrs, data: { ...metadata.data, mark } };
  }

  /** The whole document in view; `padding` (a number or {top, left, right, bottom}) leaves room for what covers it. */
  fit(padding = 48) {
    this.graph.resize(this.container.clientWidth, this.container.clientHeight);
    this.graph.zoomToFit({ padding, maxScale: 1 });
  }

  close() {
    this.graph.dispose();
    this.container.remove();
  }
}
