// Icons of the component kinds (static SVG path data) and the colour of each palette group.

const PATHS = {
  client: "M3 4h18v12H3z M8 20h8 M12 16v4",
  gateway: "M12 3l8 3v6c0 5-3.5 8-8 9-4.5-1-8-4-8-9V6z M9 12l2 2 4-4",
  model_server: "M7 7h10v10H7z M10 10h4v4h-4z M9 3v4 M15 3v4 M9 17v4 M15 17v4 M3 9h4 M3 15h4 M17 9h4 M17 15h4",
  feature_store: "M4 5h16v14H4z M4 10h16 M4 15h16 M10 5v14",
  cache: "M13 2L4 14h7l-1 8 9-12h-7z",
  vector_index: "M5 18l4-6 4 3 6-9 M5 18h.01 M9 12h.01 M13 15h.01 M19 6h.01 M3 21h18",
  database: "M4 6c0-1.7 3.6-3 8-3s8 1.3 8 3-3.6 3-8 3-8-1.3-8-3z M4 6v12c0 1.7 3.6 3 8 3s8-1.3 8-3V6 M4 12c0 1.7 3.6 3 8 3s8-1.3 8-3",
  object_storage: "M4 7h16l-2 13H6z M4 7c0-1.2 3.6-2.5 8-2.5S20 5.8 20 7 M9 12h6",
  logging: "M5 3h14v18H5z M8 7h8 M8 11h8 M8 15h5",
  stream_processor: "M3 8c3-3 6 3 9 0s6 3 9 0 M3 16c3-3 6 3 9 0s6 3 9 0 M3 12h18",
  training_pipeline: "M4 12a8 8 0 0 1 14-5.3 M18 3v4h-4 M20 12a8 8 0 0 1-14 5.3 M6 21v-4h4",
  batch_job: "M12 3a9 9 0 1 0 0 18a9 9 0 1 0 0-18z M12 7v5l3 3",
  monitor: "M3 12h4l3-7 4 14 3-7h4",
  load_balancer: "M12 3v6 M12 9l-7 6 M12 9l7 6 M12 9v6 M3 15h4v5H3z M10 15h4v5h-4z M17 15h4v5h-4z",
  cdn: "M12 3a9 9 0 1 0 0 18a9 9 0 1 0 0-18z M3 12h18 M12 3c3 3 3 15 0 18 M12 3c-3 3-3 15 0 18",
  queue: "M3 8h4v8H3z M10 8h4v8h-4z M17 8h4v8h-4z",
  llm_server: "M4 5h16v11H9l-5 4z M8 9h8 M8 12h5",
  embedding_server: "M3 12h6 M6 9l3 3-3 3 M12 5v14 M15 7h5 M15 12h5 M15 17h5",
  reranker: "M4 6h16 M4 12h11 M4 18h6 M19 13v7 M17 18l2 2 2-2",
  semantic_cache: "M12 3a9 9 0 1 0 0 18a9 9 0 1 0 0-18z M8 13l4-5 4 6 M8 13h.01 M12 8h.01 M16 14h.01",
  guardrail: "M12 3l8 3v6c0 5-3.5 8-8 9-4.5-1-8-4-8-9V6z M8 12h8",
};
const FALLBACK = "M4 4h16v16H4z";

export const GROUP_COLOURS = {
  serving: "#2563eb",
  data: "#059669",
  training: "#d97706",
  infrastructure: "#7c3aed",
  genai: "#db2777",
};

export function groupColour(group) {
  return GROUP_COLOURS[group] || "#475569";
}

function pathFor(icon) {
  return PATHS[icon] || FALLBACK;
}

/** An <svg> element for the palette and panels, built with DOM calls. */
export function iconElement(icon, colour, size = 20) {
  return pathIcon(pathFor(icon), colour, size);
}

/** An <svg> element drawing SVG path data `d` (a 24x24 box) as a line icon. */
export function pathIcon(d, colour, size = 20) {
  const ns = "http://www.w3.org/2000/svg";
  const svg = document.createElementNS(ns, "svg");
  svg.setAttribute("viewBox", "0 0 24 24");
  svg.setAttribute("width", size);
  svg.setAttribute("height", size);
  svg.setAttribute("aria-hidden", "true");
  svg.classList.add("kind-icon");
  const path = document.createElementNS(ns, "path");
  path.setAttribute("d", d);
  path.setAttribute("fill", "none");
  path.setAttribute("stroke", colour);
  path.setAttribute("stroke-width", "1.8");
  path.setAttribute("stroke-linecap", "round");
  path.setAttribute("stroke-linejoin", "round");
  svg.append(path);
  return svg;
}

/** A data: URL of the same icon for the <image> inside a canvas node. */
export function iconDataUrl(icon, colour) {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24"><path d="${pathFor(icon)}" fill="none" `
    + `stroke="${colour}" stroke-width="1.8" stroke-linecap="round" stroke-linejoin="round"/></svg>`;
  return `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`;
}
