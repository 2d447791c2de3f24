// Three-way merge of board documents, so a save that lost a race (409) keeps both the server's and the user's edits.

import { diffPatch, mergePatch } from "./docops.js";

const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);

/** Merge lists of objects keyed by id: the user's changes win, untouched items follow the server. */
function mergeById(base = [], local = [], server = []) {
  const byId = (list) => new Map(list.map((item) => [item.id, item]));
  const baseMap = byId(base);
  const localMap = byId(local);
  const serverMap = byId(server);
  const out = [];
  for (const item of server) {
    const mine = localMap.get(item.id);
    const original = baseMap.get(item.id);
    if (!mine) {
      // Deleted here: keep the deletion unless the item never existed in our base (added elsewhere).
      if (!original) out.push(item);
    } else if (original && !same(mine, original)) {
      // Changed on both sides: the fields changed here win, the others keep the server's change.
      out.push(mergePatch(item, diffPatch(original, mine) || {}));
    } else {
      out.push(original ? item : mine);
    }
  }
  for (const item of local) {
    if (serverMap.has(item.id)) continue;
    const original = baseMap.get(item.id);
    // Added here, or changed here while deleted elsewhere: the user's work survives.
    if (!original || !same(item, original)) out.push(item);
  }
  return out;
}

function mergeSection(base = {}, local = {}, server = {}) {
  const out = { ...server };
  for (const key of new Set([...Object.keys(local), ...Object.keys(base)])) {
    if (!same(local[key], base[key])) {
      if (key in local) out[key] = local[key];
      else delete out[key];
    }
  }
  return out;
}

/**
 * @param base    the document as last saved by this tab
 * @param local   the document in this tab now
 * @param server  the newer document another tab or user saved
 */
export function mergeDocuments(base, local, server) {
  const merged = { ...server };
  for (const key of Object.keys(local)) {
    if (["nodes", "edges", "faults", "requirements", "traffic", "notes"].includes(key)) continue;
    if (!same(local[key], base[key])) merged[key] = local[key];
  }
  for (const section of ["requirements", "traffic", "notes"]) {
    merged[section] = mergeSection(base[section], local[section], server[section]);
  }
  merged.nodes = mergeById(base.nodes, local.nodes, server.nodes);
  const ids = new Set(merged.nodes.map((node) => node.id));
  // An edge whose end was deleted on either side cannot stay.
  merged.edges = mergeById(base.edges, local.edges, server.edges).filter((edge) => ids.has(edge.source) && ids.has(edge.target));
  // Faults merge by id too, and go with the component or connection they act on.
  for (const edge of merged.edges) ids.add(edge.id);
  merged.faults = mergeById(base.faults, local.faults, server.faults).filter((fault) => ids.has(fault.target));
  return merged;
}

export function sameDocument(a, b) {
  return same(a, b);
}
