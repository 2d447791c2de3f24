// Automatic left-to-right layout of the board with dagre, applied as one undoable edit: ranks wrapped into a grid that fits the view on large boards, connection labels kept apart.

import dagre from "../vendor/dagre.esm.js";
import { isAnnotation } from "./annotations.js";

const GRID = 10;
const NODESEP = 36;
const RANKSEP = 90;
// dagre's own result is kept while its width-to-height ratio is within this factor of the view's;
// past it (a rank of dozens of components drawn as one tall column, or a long chain as one row) the
// ranks are wrapped into a grid.
const ASPECT_SLACK = 2.5;
const BAND_GAP = 80; // between two bands of wrapped ranks, so a band reads as a row of its own
// Wrapped columns stand wider apart than dagre's ranks: a connection between two of them has room for its label.
const WRAPPED_RANKSEP = 150;
// An edge label as the canvas draws it (11 px system-ui, see shapes.js edgeLook): an estimate of
// its box per character, used to keep labels apart without measuring each one in the DOM.
const LABEL_CHAR_PX = 6.4;
const LABEL_PAD_PX = 10;
const LABEL_HEIGHT_PX = 18;
const LABEL_BASELINE_PX = 3; // a label's box sits this much below its point on the connection
// Where along a connection its label may sit (share of its length) and how far off it (px).
const LABEL_STOPS = [0.5, 0.42, 0.58, 0.34, 0.66, 0.26, 0.74, 0.18, 0.82, 0.1, 0.9];
const LABEL_OFFSETS = [0, -12, 12, -24, 24, -36, 36, -48, 48, -60, 60];

const snap = (value) => Math.round(value / GRID) * GRID;

/** dagre's left-to-right placement: {id: {x, y}} top-left corners, and its ranks as lists of ids, top to bottom. */
function dagrePlacement(nodes, edges) {
  const g = new dagre.graphlib.Graph();
  g.setGraph({ rankdir: "LR", nodesep: NODESEP, ranksep: RANKSEP, marginx: 40, marginy: 40 });
  g.setDefaultEdgeLabel(() => ({}));
  for (const node of nodes) g.setNode(node.id, { ...node.getSize() });
  for (const [source, target] of edges) g.setEdge(source, target);
  dagre.layout(g);
  const placed = {};
  const byX = new Map();
  for (const node of nodes) {
    const { x, y, width, height } = g.node(node.id);
    placed[node.id] = { x: x - width / 2, y: y - height / 2 };
    const key = Math.round(x);
    if (!byX.has(key)) byX.set(key, []);
    byX.get(key).push(node.id);
  }
  const ranks = [...byX.entries()].sort((a, b) => a[0] - b[0])
    .map(([, ids]) => ids.sort((a, b) => placed[a].y - placed[b].y));
  return { placed, ranks };
}

function extent(placed, size) {
  const boxes = Object.entries(placed).map(([id, { x, y }]) => [x, y, x + size[id].width, y + size[id].height]);
  const width = Math.max(...boxes.map((b) => b[2])) - Math.min(...boxes.map((b) => b[0]));
  const height = Math.max(...boxes.map((b) => b[3])) - Math.min(...boxes.map((b) => b[1]));
  return { width, height };
}

/**
 * Ranks wrapped into a grid of the view's shape: a rank longer than `rows` is split into several
 * columns side by side, and the columns run left to right in bands stacked top to bottom, each band
 * continuing where the one above ended. Picks the column length and band count whose shape is
 * nearest the view's with the least empty space, preferring fewer bands (they break the flow).
 */
export function wrappedPlacement(ranks, cell, aspect) {
  const count = ranks.reduce((sum, rank) => sum + rank.length, 0);
  const longest = Math.max(...ranks.map((rank) => rank.length));
  let best = null;
  for (let rows = 1; rows <= longest; rows += 1) {
    const columns = ranks.reduce((sum, rank) => sum + Math.ceil(rank.length / rows), 0);
    for (let bands = 1; bands <= columns; bands += 1) {
      const perBand = Math.ceil(columns / bands);
      if (bands > 1 && perBand * (bands - 1) >= columns) continue; // an empty last band
      const width = perBand * cell.width;
      const height = bands * rows * cell.height + (bands - 1) * BAND_GAP;
      const fill = (count * cell.width * cell.height) / (width * height);
      const score = Math.abs(Math.log(width / height / aspect)) + 0.7 * Math.abs(Math.log(fill)) + 0.12 * (bands - 1);
      if (!best || score < best.score) best = { score, rows, perBand };
    }
  }
  const placed = {};
  let column = 0;
  for (const rank of ranks) {
    for (let start = 0; start < rank.length; start += best.rows) {
      const band = Math.floor(column / best.perBand);
      const x = (column % best.perBand) * cell.width;
      const top = band * (best.rows * cell.height + BAND_GAP);
      rank.slice(start, start + best.rows).forEach((id, row) => {
        placed[id] = { x, y: top + row * cell.height };
      });
      column += 1;
    }
  }
  return placed;
}

/** The point at `share` of the length of X6's "smooth" connector from s to t (a cubic Bézier). */
function pointAlong(s, t, share) {
  const horizontal = Math.abs(s.x - t.x) >= Math.abs(s.y - t.y);
  const mid = horizontal ? (s.x + t.x) / 2 : (s.y + t.y) / 2;
  const c1 = horizontal ? { x: mid, y: s.y } : { x: s.x, y: mid };
  const c2 = horizontal ? { x: mid, y: t.y } : { x: t.x, y: mid };
  const at = (u) => {
    const v = 1 - u;
    const a = v * v * v;
    const b = 3 * v * v * u;
    const c = 3 * v * u * u;
    const d = u * u * u;
    return { x: a * s.x + b * c1.x + c * c2.x + d * t.x, y: a * s.y + b * c1.y + c * c2.y + d * t.y };
  };
  const steps = 24;
  const points = [s];
  const lengths = [0];
  for (let i = 1; i <= steps; i += 1) {
    const p = at(i / steps);
    points.push(p);
    lengths.push(lengths[i - 1] + Math.hypot(p.x - points[i - 1].x, p.y - points[i - 1].y));
  }
  const goal = share * lengths[steps];
  const i = Math.max(1, lengths.findIndex((length) => length >= goal));
  const part = lengths[i] - lengths[i - 1] || 1;
  const f = (goal - lengths[i - 1]) / part;
  const p = points[i - 1];
  const q = points[i];
  const normal = { x: -(q.y - p.y) / part, y: (q.x - p.x) / part };
  return { x: p.x + f * (q.x - p.x), y: p.y + f * (q.y - p.y), normal };
}

/**
 * Moves connection labels that would be drawn over another label (or a component) along their
 * connection, or a little off it: where several connections cross in one spot, dagre's layout puts
 * their midpoints, and so their labels, on top of each other.
 */
export function spreadLabels(graph, options = {}) {
  const nodes = graph.getNodes().map((node) => {
    const { x, y, width, height } = node.getBBox();
    return [x, y, x + width, y + height];
  });
  const labels = [];
  const hits = (boxes, box) => boxes.some((b) => box[0] < b[2] && b[0] < box[2] && box[1] < b[3] && b[1] < box[3]);
  for (const edge of graph.getEdges()) {
    const current = edge.getLabels();
    const text = current[0]?.attrs?.label?.text;
    const source = edge.getSourceCell();
    const target = edge.getTargetCell();
    if (!text || !source || !target) continue;
    const from = source.getBBox();
    const to = target.getBBox();
    // A connection starts and ends on its ports' rims, about 6 px outside the boxes.
    const s = { x: from.x + from.width + 6, y: from.y + from.height / 2 };
    const t = { x: to.x - 6, y: to.y + to.height / 2 };
    const half = { x: (String(text).length * LABEL_CHAR_PX + LABEL_PAD_PX) / 2 + 2, y: LABEL_HEIGHT_PX / 2 + 2 };
    const candidates = LABEL_STOPS.flatMap((distance) => {
      const p = pointAlong(s, t, distance);
      return LABEL_OFFSETS.map((offset) => {
        const cx = p.x + offset * p.normal.x;
        const cy = p.y + offset * p.normal.y + LABEL_BASELINE_PX;
        return { distance, offset, box: [cx - half.x, cy - half.y, cx + half.x, cy + half.y] };
      });
    });
    // Clear of labels and boxes if it can be, else clear of the other labels, else where it was.
    const chosen = candidates.find((c) => !hits(labels, c.box) && !hits(nodes, c.box))
      || candidates.find((c) => !hits(labels, c.box)) || candidates[0];
    labels.push(chosen.box);
    const position = { distance: chosen.distance, offset: chosen.offset };
    const was = current[0].position;
    if (was?.distance === position.distance && (was?.offset || 0) === position.offset) continue;
    edge.setLabels([{ ...current[0], position }, ...current.slice(1)], options);
  }
}

export function layoutLeftToRight(editor) {
  const graph = editor.graph;
  // Components only: notes and frames stay where people put them.
  const nodes = graph.getNodes().filter((node) => !isAnnotation(node));
  if (!nodes.length) return;
  const ids = new Set(nodes.map((node) => node.id));
  const edges = graph.getEdges().map((edge) => [edge.getSourceCellId(), edge.getTargetCellId()]).filter(([s, t]) => ids.has(s) && ids.has(t));
  const size = Object.fromEntries(nodes.map((node) => [node.id, node.getSize()]));
  const { placed: flowing, ranks } = dagrePlacement(nodes, edges);
  const view = graph.container.getBoundingClientRect();
  const aspect = view.width && view.height ? view.width / view.height : 16 / 10;
  const { width, height } = extent(flowing, size);
  const shape = width / height / aspect;
  let placed = flowing;
  if (shape > ASPECT_SLACK || shape < 1 / ASPECT_SLACK) {
    const widest = Math.max(...nodes.map((node) => size[node.id].width));
    const tallest = Math.max(...nodes.map((node) => size[node.id].height));
    placed = wrappedPlacement(ranks, { width: widest + WRAPPED_RANKSEP, height: tallest + NODESEP }, aspect);
  }
  graph.startBatch("layout");
  for (const node of nodes) node.position(snap(placed[node.id].x + 40), snap(placed[node.id].y + 40));
  // A label's place is not board data (a connection's record leaves it out): moving it is no edit to
  // save, and writing 300 unchanged connections to the board state took a third of the layout's time.
  spreadLabels(graph, { overlay: true });
  graph.stopBatch("layout");
  graph.zoomToFit({ padding: 48, maxScale: 1 });
}
