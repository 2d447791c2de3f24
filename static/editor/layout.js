// Automatic left-to-right layout of the board with dagre, applied as one undoable edit.

import dagre from "../vendor/dagre.esm.js";

export function layoutLeftToRight(editor) {
  const graph = editor.graph;
  const nodes = graph.getNodes();
  if (!nodes.length) return;
  const g = new dagre.graphlib.Graph();
  g.setGraph({ rankdir: "LR", nodesep: 36, ranksep: 90, marginx: 40, marginy: 40 });
  g.setDefaultEdgeLabel(() => ({}));
  for (const node of nodes) {
    const { width, height } = node.getSize();
    g.setNode(node.id, { width, height });
  }
  for (const edge of graph.getEdges()) {
    const source = edge.getSourceCellId();
    const target = edge.getTargetCellId();
    if (source && target) g.setEdge(source, target);
  }
  dagre.layout(g);
  graph.startBatch("layout");
  for (const node of nodes) {
    const { x, y, width, height } = g.node(node.id);
    node.position(Math.round((x - width / 2) / 10) * 10, Math.round((y - height / 2) / 10) * 10);
  }
  graph.stopBatch("layout");
  graph.zoomToFit({ padding: 48, maxScale: 1 });
}
