// Located errors of the server (`nodes[3].config.autoscaling.max_replicas: must be ...`) turned into the board element and field they are about.

const LISTS = { nodes: "node", edges: "edge", faults: "fault", annotations: "annotation" };

/**
 * Where one error of the server points in `document` (the document it refused): `{element, id,
 * field, message, path}`, with `element` "node", "edge", "fault" or "board" and `field` the path
 * inside it (a component's config fields without their `config.` prefix: the panel shows them so).
 * An index the document no longer holds is reported on the board, with its path as the field.
 */
export function locate(document, { path = "", message = "" }) {
  const match = /^(nodes|edges|faults|annotations)\[(\d+)\]\.?(.*)$/.exec(path);
  const item = match && (document[match[1]] || [])[Number(match[2])];
  if (!item) return { element: "board", id: null, field: path, message, path };
  let field = match[3];
  if (match[1] === "nodes" && field.startsWith("config.")) field = field.slice("config.".length);
  return { element: LISTS[match[1]], id: item.id, field, message, path };
}
