// Keeps the diagram in view when the canvas changes size (a wider side panel, a smaller window) and the minimap off the boxes.

const MARGIN = 24; // screen px kept free round the boxes the user was looking at
const MINIMAP_GAP = 12; // the minimap's distance from the canvas's edges (editor.css)
const SMALL_CANVAS = 800; // below this canvas width the minimap is drawn smaller
const MINIMAP_SIZES = { large: { width: 200, height: 130 }, small: { width: 150, height: 98 } };
const COLLAPSED_KEY = "whiteboard.minimap-collapsed";

function remembered() {
  try {
    return localStorage.getItem(COLLAPSED_KEY) === "true";
  } catch {
    return false; // storage refused (private mode): the minimap simply starts open
  }
}

/**
 * The minimap's size for the canvas's width, its button to fold it away, and the diagram kept in
 * view through the canvas's resizes: the boxes the user saw before stay on screen, clear of the
 * minimap, panned if they fit at the same zoom, else zoomed out just enough.
 * @param {import("./editor.js").Editor} editor
 * @param {HTMLElement} minimap  #minimap, in the canvas's wrapper
 */
export function keepDiagramInView(editor, minimap) {
  const graph = editor.graph;
  const toggle = document.createElement("button");
  Object.assign(toggle, { type: "button", className: "minimap-toggle" });
  minimap.removeAttribute("aria-hidden");
  minimap.append(toggle);
  // The canvas builds its minimap after its first frame: size it (and hide the map itself, not its
  // button, from screen readers) once it is there.
  const built = () => {
    if (!editor.minimap) return false;
    editor.minimap.container.setAttribute("aria-hidden", "true");
    sizeMinimap(editor, graph.container.clientWidth);
    return true;
  };
  if (!built()) {
    const watch = new MutationObserver(() => built() && watch.disconnect());
    watch.observe(minimap, { childList: true });
  }
  const setCollapsed = (collapsed) => {
    minimap.dataset.collapsed = String(collapsed);
    toggle.textContent = collapsed ? "Map" : "–";
    toggle.title = collapsed ? "Show the minimap" : "Hide the minimap";
    toggle.setAttribute("aria-label", toggle.title);
    toggle.setAttribute("aria-expanded", String(!collapsed));
  };
  setCollapsed(remembered());
  toggle.addEventListener("click", () => {
    const collapsed = minimap.dataset.collapsed !== "true";
    setCollapsed(collapsed);
    try {
      localStorage.setItem(COLLAPSED_KEY, String(collapsed));
    } catch {
      // see remembered()
    }
    if (!collapsed) editor.drawMinimapFrame?.();
  });

  let size = { width: graph.container.clientWidth, height: graph.container.clientHeight };
  graph.on("resize", ({ width, height }) => {
    const before = size;
    size = { width, height };
    sizeMinimap(editor, width);
    if (before.width && before.height) keepSeenBoxes(editor, minimap, before, size);
  });
}

const minimapSize = (canvasWidth) => (canvasWidth < SMALL_CANVAS ? MINIMAP_SIZES.small : MINIMAP_SIZES.large);

function sizeMinimap(editor, canvasWidth) {
  const plugin = editor.minimap;
  if (!plugin) return;
  const wanted = minimapSize(canvasWidth);
  if (plugin.options.width === wanted.width && plugin.options.height === wanted.height) return;
  Object.assign(plugin.options, wanted);
  Object.assign(plugin.container.style, { width: `${wanted.width}px`, height: `${wanted.height}px` });
  editor.drawMinimapFrame?.();
}

/**
 * The screen height the open minimap takes at the bottom of the canvas (0 when folded away), from
 * the size it has or will have: the first fit comes before the canvas builds it.
 */
export function minimapReserve(minimap) {
  if (!minimap || minimap.dataset.collapsed === "true") return 0;
  return minimapSize(minimap.parentElement.clientWidth).height + 2 + MINIMAP_GAP; // 2: its border
}

/** After a resize from `before` to `after`: bring the boxes that were on screen back on screen. */
function keepSeenBoxes(editor, minimap, before, after) {
  const graph = editor.graph;
  const { sx: scale } = graph.scale();
  const { tx, ty } = graph.translate();
  const seenArea = { x: -tx / scale, y: -ty / scale, width: before.width / scale, height: before.height / scale };
  const seen = graph.getNodes().filter((node) => {
    const box = node.getBBox();
    return box.x < seenArea.x + seenArea.width && seenArea.x < box.x + box.width && box.y < seenArea.y + seenArea.height && seenArea.y < box.y + box.height;
  });
  if (!seen.length) return;
  const boxes = graph.getCellsBBox(seen);
  // Where they may go on screen: inside the margins, above the minimap.
  const area = { left: MARGIN, top: MARGIN, right: after.width - MARGIN, bottom: after.height - Math.max(MARGIN, minimapReserve(minimap)) };
  if (area.right <= area.left || area.bottom <= area.top) return;
  const screen = { left: boxes.x * scale + tx, top: boxes.y * scale + ty, right: (boxes.x + boxes.width) * scale + tx, bottom: (boxes.y + boxes.height) * scale + ty };
  if (screen.left >= area.left && screen.top >= area.top && screen.right <= area.right && screen.bottom <= area.bottom) return;
  const fits = screen.right - screen.left <= area.right - area.left && screen.bottom - screen.top <= area.bottom - area.top;
  if (fits) {
    const shift = (low, high, from, to) => (high > to ? to - high : low < from ? from - low : 0);
    graph.translate(tx + shift(screen.left, screen.right, area.left, area.right), ty + shift(screen.top, screen.bottom, area.top, area.bottom));
    return;
  }
  const zoom = Math.min(scale, (area.right - area.left) / boxes.width, (area.bottom - area.top) / boxes.height);
  graph.scale(zoom, zoom);
  const centre = { x: boxes.x + boxes.width / 2, y: boxes.y + boxes.height / 2 };
  graph.translate((area.left + area.right) / 2 - centre.x * zoom, (area.top + area.bottom) / 2 - centre.y * zoom);
}
