// Connection rules of a board, read from its records: no self-loops, no cycle of calls (sync or fallback: both are
// waited for), and the mode a new connection gets.

/** A path of calls (every edge but async copies) from `from` to `to` as node ids, or null. */
function callPath(state, from, to, ignoreEdgeId) {
  const next = new Map();
  for (const edge of state.edges()) {
    if (edge.id === ignoreEdgeId || edge.mode === "async") continue;
    if (!next.has(edge.source)) next.set(edge.source, []);
    next.get(edge.source).push(edge.target);
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

/**
 * Why a connection from `sourceId` to `targetId` in `mode` may not be made (the message for the
 * user), or null when it may. `ignoreEdgeId`: the connection being changed, which does not count.
 */
export function connectionProblem(state, sourceId, targetId, mode, ignoreEdgeId = null) {
  if (!sourceId || !targetId) return "Drop the connection on a component.";
  if (sourceId === targetId) return "A component cannot connect to itself.";
  if (mode === "async") return null;
  const path = callPath(state, targetId, sourceId, ignoreEdgeId);
  if (path) {
    const names = [sourceId, ...path].map((id) => state.labelOf(id));
    return `Refused: calls would form a cycle (${names.join(" → ")}). Make one of these connections async.`;
  }
  return null;
}

/** The mode a new connection into `targetId` gets unless the user says otherwise: its kind's default call mode (async into logs and off-path work). */
export function defaultMode(state, targetId) {
  const node = targetId && state.node(targetId);
  const kind = node && state.catalog.kind(node.kind);
  return kind ? kind.default_call_mode : "sync";
}

export function randomId(prefix) {
  return `${prefix}-${Math.random().toString(36).slice(2, 8)}`;
}
