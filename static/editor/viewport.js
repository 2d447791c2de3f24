// The view of the canvas: panned without redrawing, its dot grid, and the diagram kept in view when the canvas changes size
// (a wider side panel, a smaller window) with the minimap off the boxes.

const MARGIN = 24; // screen px kept free round the boxes the user was looking at
const MINIMAP_GAP = 12; // the minimap's distance from the canvas's edges (editor.css)
const SMALL_CANVAS = 800; // below this canvas width the minimap is drawn smaller
const MINIMAP_SIZES = { large: { width: 200, height: 130 }, small: { width: 150, height: 98 } };
const COLLAPSED_KEY = "whiteboard.minimap-collapsed";
const REST_MS = 250; // a pan that has not moved for this long is over: X6's own transform catches up
const PANNING = "canvas-panning"; // on the canvas while its SVG is scrolled (editor.css)
const REACH = 20000; // px the canvas's scroller can scroll each way; a longer pan without a rest is written on the way
const FRAME_REACH = 2000; // the same for the minimap's frame, in minimap px
export const SETTLED = "viewport:settled"; // triggered on the graph when a pan's view is written to X6's group
const pans = new WeakMap(); // graph -> its scroller, the shift it scrolls by and its grid

/**
 * Pan steps move pixels already drawn. X6 pans by rewriting its viewport group's transform, and
 * for each such change Chromium repaints and re-layerises the whole SVG and, without a GPU,
 * rasterises every tile of it again (on a 200-component board most of a 31.6 ms frame at 1920x1080).
 * Here a step that only translates scrolls the SVG instead: it sits in a scroller with REACH px of
 * room each way (editor.css), and while a pan is under way the scroller scrolls on the compositor,
 * which moves the tiles it has and rasterises only the strip that comes into view. A CSS transform
 * on the SVG's own layer moved the tiles too, but Chromium split the whole page into compositor
 * layers again for every such change (10.5 of a 17.6 ms frame, more with each box, connection and
 * label, each a paint chunk of its own); a scroll offset is handed to the compositor as it is.
 * Once the view rests, or at once for a zoom or a pan past REACH, the group's transform is written as
 * X6 would and the scroll put back: between pans the scroller does not scroll and is no layer of its
 * own, so the page's layers are X6's own (a layer kept for good made Chromium split the diagram into
 * some 70 layers, which every other redraw would pay for).
 * Meanwhile X6's API answers with the matrix the user sees: X6 reads it from the group's transform
 * (TransformManager.getMatrix) and the canvas's screen offset from the SVG element's box
 * (CoordManager.getClientOffset), the only two places it reads either from the page; its
 * client-coordinate matrix (the stage's getScreenCTM) already includes the scroll. A scroll offset
 * is whole pixels: a pan by part pixels (a touchpad's wheel) is drawn within half a pixel of that
 * matrix until it rests.
 * @param {object} graph  the canvas's X6 graph
 */
export function panWithoutRedrawing(graph) {
  const manager = graph.transform;
  const svg = graph.view.svg;
  const scroller = document.createElement("div");
  scroller.className = "canvas-scroll";
  scroller.style.setProperty("--pan-reach", `${REACH}px`);
  const stage = document.createElement("div");
  stage.className = "canvas-stage";
  svg.replaceWith(scroller);
  stage.append(svg);
  scroller.append(stage);
  const pan = { scroller, shift: { x: 0, y: 0 }, grid: null };
  pans.set(graph, pan);
  const place = () => scroller.scrollTo(REACH - pan.shift.x, REACH - pan.shift.y);
  place();
  // The scroll is the pan's alone: anything else that scrolls it (an element inside brought into
  // view) is undone, and a scroller laid out afresh (shown again after display: none) is put back.
  const misplaced = () => Math.abs(scroller.scrollLeft - (REACH - pan.shift.x)) > 1 || Math.abs(scroller.scrollTop - (REACH - pan.shift.y)) > 1;
  scroller.addEventListener("scroll", () => misplaced() && place());
  new ResizeObserver(() => misplaced() && place()).observe(scroller);

  const write = manager.setMatrix.bind(manager);
  const factory = document.createElementNS("http://www.w3.org/2000/svg", "svg"); // as X6 makes its matrices
  const copy = (matrix) => {
    const out = factory.createSVGMatrix();
    for (const key of ["a", "b", "c", "d", "e", "f"]) out[key] = matrix[key];
    return out;
  };
  let shown = manager.getMatrix(); // what the user sees, and what X6's API answers
  let written = shown; // what the viewport group's transform says
  let rest = 0;
  const settle = () => {
    clearTimeout(rest);
    if (shown === written) return;
    write(shown);
    written = shown;
    pan.shift = { x: 0, y: 0 };
    place();
    graph.container.classList.remove(PANNING);
    if (pan.grid) drawGrid(graph, pan.grid.pitch);
    graph.trigger(SETTLED);
  };
  manager.getMatrix = () => copy(shown);
  manager.setMatrix = (matrix) => {
    shown = copy(matrix);
    const zoomed = ["a", "b", "c", "d"].some((key) => shown[key] !== written[key]);
    const shift = { x: shown.e - written.e, y: shown.f - written.f };
    if (zoomed || Math.abs(shift.x) > REACH || Math.abs(shift.y) > REACH) {
      settle(); // a zoom redraws anyway; the scrolled pixels would be at the old scale
      return;
    }
    if (!graph.container.classList.contains(PANNING)) graph.container.classList.add(PANNING);
    pan.shift = shift;
    place();
    clearTimeout(rest);
    rest = setTimeout(settle, REST_MS);
  };
  const clientOffset = graph.coord.getClientOffset.bind(graph.coord);
  graph.coord.getClientOffset = () => clientOffset().translate(written.e - shown.e, written.f - shown.f);
}

/** Whether a pan of the graph is under way (its view not yet written to X6's group); `SETTLED` says when it ends. */
export const isPanning = (graph) => graph.container.classList.contains(PANNING);

/**
 * The dot grid behind the diagram, aligned with it at any pan and zoom: a background of the
 * scroller's whole room (editor.css), its dots placed for the view X6's group holds, so a pan step
 * scrolls them with the diagram and a pan's end or a zoom places them again.
 * @param {object} graph  the canvas's X6 graph, panned by panWithoutRedrawing
 * @param {number} pitch  the grid's step in board units
 */
export function drawGrid(graph, pitch) {
  const pan = pans.get(graph);
  if (!pan.grid) {
    const layer = document.createElement("div");
    layer.className = "canvas-grid";
    layer.setAttribute("aria-hidden", "true");
    pan.scroller.prepend(layer);
    pan.grid = { layer, pitch, size: "", position: "" };
  }
  const grid = pan.grid;
  grid.pitch = pitch;
  const { sx } = graph.scale();
  const { tx, ty } = graph.translate();
  const step = pitch * sx;
  // Below half zoom the dots would merge into a grey wash; show every fifth one instead.
  const shown = step < 5 ? step * 5 : step;
  // The layer's origin is REACH px up and left of the canvas's, less the pan's shift.
  const phase = (offset) => (((REACH + offset) % shown) + shown) % shown;
  const size = `${shown}px ${shown}px`;
  const position = `${phase(tx - pan.shift.x)}px ${phase(ty - pan.shift.y)}px`;
  if (size === grid.size && position === grid.position) return; // a pan step: the scroll moves the dots
  Object.assign(grid.layer.style, { backgroundSize: size, backgroundPosition: position });
  Object.assign(grid, { size, position });
}

/**
 * The minimap's view frame, moved as the canvas is: by a scroll offset while a pan is under way
 * (a frame moved by left and top made Chromium split the whole page into layers again on every
 * step), by left and top otherwise.
 * @param {HTMLElement} frame  the minimap plugin's viewport element
 * @returns {(geometry: {left: number, top: number, width: number, height: number}, panning: boolean) => void}
 */
export function minimapFrameMover(frame) {
  const track = document.createElement("div");
  track.className = "minimap-track";
  track.style.setProperty("--pan-reach", `${FRAME_REACH}px`);
  frame.replaceWith(track);
  track.append(frame);
  let placed = null; // where left and top put the frame
  return (geometry, panning) => {
    const dx = placed ? geometry.left - placed.left : 0;
    const dy = placed ? geometry.top - placed.top : 0;
    const sized = placed && placed.width === geometry.width && placed.height === geometry.height;
    if (panning && sized && Math.abs(dx) < FRAME_REACH && Math.abs(dy) < FRAME_REACH) {
      track.scrollTo(FRAME_REACH - dx, FRAME_REACH - dy);
      return;
    }
    Object.assign(frame.style, {
      left: `${FRAME_REACH + geometry.left}px`, top: `${FRAME_REACH + geometry.top}px`,
      width: `${geometry.width}px`, height: `${geometry.height}px`,
    });
    placed = { ...geometry };
    track.scrollTo(FRAME_REACH, FRAME_REACH);
  };
}

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

  let size = graph.transform.getComputedSize(); // as the canvas last sized itself, not read from a page not laid out yet
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
