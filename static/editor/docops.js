// Edit operations on board documents: the difference between two documents as ops, and ops applied to a document.
//
// The server applies the same ops (architectures/live_edits.py): node.add|update|delete, edge.add|update|delete,
// fault.add|update|delete (the board's timed faults, kept by id like components), annotation.add|update|delete
// (texts, sticky notes and frames, by id as well) and board.update, where an
// update carries an RFC 7396 merge patch, so two people changing different fields of one component (or two
// people adding faults at once) both keep their change.

const BOARD_KEYS = ["title", "requirements", "traffic", "notes"];
const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);
const isObject = (value) => value !== null && typeof value === "object" && !Array.isArray(value);

/** RFC 7396: objects merge key by key, null deletes a key, anything else replaces. */
export function mergePatch(target, patch) {
  if (!isObject(patch)) return structuredClone(patch);
  const out = isObject(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete out[key];
    else out[key] = mergePatch(out[key], value);
  }
  return out;
}

/** The merge patch that turns `before` into `after` (objects only), or null when they are equal. */
export function diffPatch(before, after) {
  const patch = {};
  for (const key of new Set([...Object.keys(before), ...Object.keys(after)])) {
    if (!(key in after)) patch[key] = null;
    else if (!(key in before) || !isObject(before[key]) || !isObject(after[key])) {
      if (!same(before[key], after[key])) patch[key] = structuredClone(after[key]);
    } else {
      const inner = diffPatch(before[key], after[key]);
      if (inner) patch[key] = inner;
    }
  }
  return Object.keys(patch).length ? patch : null;
}

/** The part of merge patch `patch` that touches nothing `mask` (another merge patch) touches. */
export function patchOutside(patch, mask) {
  const out = {};
  for (const [key, value] of Object.entries(patch)) {
    if (!(key in mask)) out[key] = value;
    else if (isObject(value) && isObject(mask[key])) out[key] = patchOutside(value, mask[key]);
  }
  return out;
}

function listOps(kind, before = [], after = []) {
  const old = new Map(before.map((item) => [item.id, item]));
  const now = new Map(after.map((item) => [item.id, item]));
  const adds = [];
  const updates = [];
  const deletes = [];
  for (const item of after) {
    const previous = old.get(item.id);
    if (!previous) adds.push({ op: `${kind}.add`, [kind]: structuredClone(item) });
    else {
      const patch = diffPatch(previous, item);
      if (patch) updates.push({ op: `${kind}.update`, id: item.id, patch });
    }
  }
  for (const item of before) if (!now.has(item.id)) deletes.push({ op: `${kind}.delete`, id: item.id });
  return { adds, updates, deletes };
}

/** The ops that turn document `base` into document `local`; [] when nothing changed. */
export function diffOps(base, local) {
  const nodes = listOps("node", base.nodes, local.nodes);
  const edges = listOps("edge", base.edges, local.edges);
  const faults = listOps("fault", base.faults, local.faults);
  const notes = listOps("annotation", base.annotations, local.annotations);
  const patch = diffPatch(
    Object.fromEntries(BOARD_KEYS.filter((key) => key in base).map((key) => [key, base[key]])),
    Object.fromEntries(BOARD_KEYS.filter((key) => key in local).map((key) => [key, local[key]])),
  );
  // Edges go after the nodes they join, and leave before the nodes they joined; faults likewise
  // come after what they target and leave before it.
  return [
    ...faults.deletes, ...nodes.adds, ...nodes.updates, ...edges.deletes, ...nodes.deletes, ...edges.adds, ...edges.updates,
    ...faults.adds, ...faults.updates, ...notes.deletes, ...notes.adds, ...notes.updates,
    ...(patch ? [{ op: "board.update", patch }] : []),
  ];
}

/** As the server does: a deleted component's connections go with it, and the faults on either. */
function dropDependents(document, kind, id) {
  const gone = new Set([id]);
  if (kind === "node") {
    const edges = document.edges || [];
    for (const edge of edges) if (edge.source === id || edge.target === id) gone.add(edge.id);
    document.edges = edges.filter((edge) => !gone.has(edge.id));
  }
  if (document.faults?.length) document.faults = document.faults.filter((fault) => !gone.has(fault.target));
}

function applyOne(document, op) {
  if (op.op === "board.update") {
    for (const [key, value] of Object.entries(op.patch)) {
      if (value === null) delete document[key];
      else document[key] = mergePatch(document[key], value);
    }
    return true;
  }
  const [kind, action] = op.op.split(".");
  const list = `${kind}s`;
  document[list] = document[list] || [];
  const id = action === "add" ? op[kind].id : op.id;
  const index = document[list].findIndex((item) => item.id === id);
  if (action === "add") {
    if (index >= 0) return false;
    document[list].push(structuredClone(op[kind]));
  } else if (action === "delete") {
    if (index >= 0) document[list].splice(index, 1);
    if (kind === "node" || kind === "edge") dropDependents(document, kind, id);
  } else {
    if (index < 0) return false;
    document[list][index] = mergePatch(document[list][index], op.patch);
  }
  return true;
}

/**
 * A new document: `ops` applied to `document`. Ops that no longer fit (an update of a component
 * someone deleted, an edge whose end is gone) are skipped, as the server would refuse them.
 */
export function applyOps(document, ops) {
  const out = structuredClone(document);
  for (const op of ops) applyOne(out, op);
  const ids = new Set((out.nodes || []).map((node) => node.id));
  out.edges = (out.edges || []).filter((edge) => ids.has(edge.source) && ids.has(edge.target));
  return out;
}
