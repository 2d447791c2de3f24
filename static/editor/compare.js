// What changed between two board documents, component by component: History's compare view reads it.

const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);
const byId = (records) => new Map(records.map((record) => [record.id, record]));

function shown(value) {
  if (value === undefined || value === null) return "unset";
  if (typeof value === "object") return JSON.stringify(value);
  return String(value);
}

/** What differs in a component, in words: ["label “A” → “B”", "replicas 8 → 4"]; position aside. */
function nodeChanges(before, after) {
  const changes = [];
  if (before.label !== after.label) changes.push(`label “${before.label}” → “${after.label}”`);
  if (before.kind !== after.kind) changes.push(`kind ${before.kind} → ${after.kind}`);
  const keys = new Set([...Object.keys(before.config || {}), ...Object.keys(after.config || {})]);
  for (const key of keys) {
    const [old, now] = [before.config?.[key], after.config?.[key]];
    if (!same(old, now)) changes.push(`${key} ${shown(old)} → ${shown(now)}`);
  }
  const { id, kind, label, position, config, ...restBefore } = before;
  const { id: _i, kind: _k, label: _l, position: _p, config: _c, ...restAfter } = after;
  for (const key of new Set([...Object.keys(restBefore), ...Object.keys(restAfter)])) {
    if (!same(restBefore[key], restAfter[key])) changes.push(`${key} changed`);
  }
  return changes;
}

function edgeChanges(before, after) {
  const changes = [];
  if (before.source !== after.source || before.target !== after.target) changes.push("reconnected");
  for (const key of new Set([...Object.keys(before), ...Object.keys(after)])) {
    if (["id", "source", "target"].includes(key) || same(before[key], after[key])) continue;
    changes.push(`${key} ${shown(before[key])} → ${shown(after[key])}`);
  }
  return changes;
}

function compareRecords(older, newer, describe) {
  const [was, now] = [byId(older), byId(newer)];
  const out = { added: [], removed: [], changed: [], moved: [] };
  for (const record of newer) if (!was.has(record.id)) out.added.push(record);
  for (const record of older) if (!now.has(record.id)) out.removed.push(record);
  for (const record of newer) {
    const before = was.get(record.id);
    if (!before || same(before, record)) continue;
    const changes = describe(before, record);
    if (changes.length) out.changed.push({ before, after: record, changes });
    else out.moved.push(record);
  }
  return out;
}

/**
 * How `newer` differs from `older` (both normalised, as BoardState.normalise gives them):
 * {nodes, edges: {added, removed, changed: [{before, after, changes}], moved}, board: [top-level field names]}.
 * A component only moved is "moved", not "changed": where a box sits does not change what the board does.
 */
export function compareDocuments(older, newer) {
  const { nodes: _n, edges: _e, ...olderFields } = older;
  const { nodes: _m, edges: _f, ...newerFields } = newer;
  const board = [...new Set([...Object.keys(olderFields), ...Object.keys(newerFields)])]
    .filter((key) => !same(olderFields[key], newerFields[key])).sort();
  return {
    nodes: compareRecords(older.nodes, newer.nodes, nodeChanges),
    edges: compareRecords(older.edges, newer.edges, edgeChanges),
    board,
  };
}

const counted = (part) => [
  part.added.length && `${part.added.length} added`,
  part.removed.length && `${part.removed.length} removed`,
  part.changed.length && `${part.changed.length} changed`,
].filter(Boolean).join(", ");

/** "3 added, 1 removed, 2 changed" for the components, then the connections and board fields, or "No differences". */
export function summaryText(diff) {
  const parts = [];
  const components = counted(diff.nodes);
  if (components) parts.push(`Components: ${components}`);
  if (diff.nodes.moved.length) parts.push(`${diff.nodes.moved.length} moved`);
  const connections = counted(diff.edges);
  if (connections) parts.push(`Connections: ${connections}`);
  if (diff.board.length) parts.push(`Also changed: ${diff.board.join(", ")}`);
  return parts.join(" · ") || "No differences";
}

/**
 * The mark of each cell to draw for a compare view, by id: "added", "removed" or "changed".
 * The cells drawn are the newer document's plus what it removed (at its old place).
 */
export function compareMarks(diff) {
  const marks = new Map();
  for (const part of [diff.nodes, diff.edges]) {
    for (const record of part.added) marks.set(record.id, "added");
    for (const record of part.removed) marks.set(record.id, "removed");
    for (const { after } of part.changed) marks.set(after.id, "changed");
  }
  return marks;
}

/** The document a compare view draws: the newer one plus the components and connections it removed. */
export function compareDocument(older, newer, diff) {
  return {
    ...newer,
    nodes: [...newer.nodes, ...diff.nodes.removed],
    edges: [...newer.edges, ...diff.edges.removed.filter((edge) => !newer.edges.some((other) => other.id === edge.id))],
  };
}
