// Whiteboard annotations on the canvas (texts, sticky notes, frames), bends on connections, panning with a hand, align and distribute.
//
// Annotations are X6 nodes of their own shapes, so selecting, moving, copying, deleting and undoing
// them is what the canvas does for components already; the canvas (editor.js) writes them to the
// board state's `annotations` list instead of its components. A frame carries the cells whose
// centre lies inside it when it is dragged. None of this is simulated.

import { randomId } from "./connections.js";
import { el } from "./dom.js";
import { pathIcon } from "./icons.js";

const { Graph, Transform } = window.X6;

const SHAPES = { text: "wb-text", sticky: "wb-sticky", frame: "wb-frame" };
const TYPES = Object.fromEntries(Object.entries(SHAPES).map(([type, shape]) => [shape, type]));
const SIZES = { text: { w: 220, h: 44 }, sticky: { w: 200, h: 140 }, frame: { w: 480, h: 300 } };
const DEFAULT_COLOUR = { sticky: "yellow", frame: "grey" };
const FRAME_INK = "#64748b";
const FRAME_BEHIND = -1000; // frames sit under everything, so their contents stay clickable
const FRAME_PADDING = 40;
const HEADER = 26; // the frame's title strip above its box, by which it is picked up
// How each type's text is set: the room it leaves inside its box (twice its padding) and its font.
const TEXT = {
  text: { inset: 8, size: 18, weight: 600 }, sticky: { inset: 24, size: 14, weight: 400 }, frame: { inset: 4, size: 14, weight: 600 },
};
const LINE_HEIGHT = 1.3; // in ems, as the shapes' lineHeight says
const ELLIPSIS = "…";
const ruler = document.createElement("canvas").getContext("2d");

/** Whether a cell is an annotation (text, sticky note or frame) rather than a component. */
export function isAnnotation(cell) {
  return Boolean(cell?.isNode?.() && TYPES[cell.shape]);
}

const isFrame = (cell) => cell.shape === SHAPES.frame;

// Selectors are named apart from the components' (body, label, outline...): the results overlay
// paints those on every node, and must find nothing to paint here.
Graph.registerNode(SHAPES.sticky, {
  markup: [{ tagName: "rect", selector: "card" }, { tagName: "text", selector: "words" }],
  attrs: {
    card: { refWidth: "100%", refHeight: "100%", rx: 4, stroke: "#d6b656", strokeWidth: 1, filter: "drop-shadow(0 2px 3px rgba(15,23,42,0.15))" },
    words: {
      refX: 12, refY: 12, textAnchor: "start", textVerticalAnchor: "top", fontSize: 14, lineHeight: `${LINE_HEIGHT}em`, fill: "#1f2937",
      fontFamily: "system-ui, sans-serif",
    },
  },
}, true);

Graph.registerNode(SHAPES.text, {
  markup: [{ tagName: "rect", selector: "hit" }, { tagName: "text", selector: "words" }],
  attrs: {
    hit: { refWidth: "100%", refHeight: "100%", fill: "transparent", stroke: "none" },
    words: {
      refX: 4, refY: 4, textAnchor: "start", textVerticalAnchor: "top", fontSize: 18, lineHeight: `${LINE_HEIGHT}em`, fontWeight: 600, fill: "#0f172a",
      fontFamily: "system-ui, sans-serif",
    },
  },
}, true);

Graph.registerNode(SHAPES.frame, {
  markup: [
    { tagName: "rect", selector: "box" }, { tagName: "rect", selector: "header" }, { tagName: "text", selector: "title" },
  ],
  attrs: {
    // The inside lets clicks through: a drag in an empty part of a frame draws a rubber band.
    box: { refWidth: "100%", refHeight: "100%", rx: 8, stroke: FRAME_INK, strokeWidth: 1.5, strokeDasharray: "6 4", fillOpacity: 0.45, pointerEvents: "visibleStroke" },
    header: { refWidth: "100%", height: HEADER, y: -HEADER, fill: "transparent", cursor: "move" },
    title: {
      refX: 2, y: -7, textAnchor: "start", textVerticalAnchor: "bottom", fontSize: 14, fontWeight: 600, fill: "#334155",
      fontFamily: "system-ui, sans-serif", cursor: "move",
    },
  },
}, true);

/** The board record of an annotation cell. */
export function annotationRecordOf(cell) {
  const data = cell.getData() || {};
  const { x, y } = cell.getPosition();
  const { width, height } = cell.getSize();
  const type = TYPES[cell.shape];
  const out = { id: cell.id, type, x: Math.round(x), y: Math.round(y), w: Math.round(width), h: Math.round(height) };
  if (type === "frame") out.title = data.title ?? "";
  else out.text = data.text ?? "";
  if (data.color) out.color = data.color;
  return out;
}

/** The longest start of `text` that fits `width` with an ellipsis after it (all of it when it fits). */
function cut(text, width) {
  if (ruler.measureText(text).width <= width) return text;
  let end = text.length;
  while (end > 0 && ruler.measureText(`${text.slice(0, end)}${ELLIPSIS}`).width > width) end -= 1;
  return `${text.slice(0, end)}${ELLIPSIS}`;
}

/**
 * `text` broken into the lines that fit a box of `w` x `h` for its type (its own line breaks kept,
 * long words split, an ellipsis on the last line that fits). X6's own text wrapping loses line
 * breaks and, when only the text changes, measures against the wrong box.
 */
function wrapText(type, text, w, h) {
  const { inset, size, weight } = TEXT[type];
  const width = Math.max(w - inset, size);
  ruler.font = `${weight} ${size}px system-ui, sans-serif`;
  const room = type === "frame" ? 1 : Math.max(1, Math.floor((h - inset) / (size * LINE_HEIGHT)));
  const lines = [];
  for (const paragraph of text.split("\n")) {
    let line = "";
    for (const word of paragraph.split(" ")) {
      const joined = line ? `${line} ${word}` : word;
      if (ruler.measureText(joined).width <= width) {
        line = joined;
        continue;
      }
      if (line) lines.push(line);
      line = word;
      while (line.length > 1 && ruler.measureText(line).width > width) { // a word longer than the line
        let end = line.length - 1;
        while (end > 1 && ruler.measureText(line.slice(0, end)).width > width) end -= 1;
        lines.push(line.slice(0, end));
        line = line.slice(end);
      }
    }
    lines.push(line);
  }
  if (lines.length <= room) return lines.join("\n");
  const kept = lines.slice(0, room);
  kept[room - 1] = cut(`${kept[room - 1]} ${lines[room]}`, width);
  return kept.join("\n");
}

/** The attrs of a record's text (a frame's title), wrapped to its box. */
function words(record) {
  const text = (record.type === "frame" ? record.title || "Frame" : record.text) || "";
  return { [record.type === "frame" ? "title" : "words"]: { text: wrapText(record.type, text, record.w, record.h) } };
}

/** The attrs that draw a record: its text and its fill. */
function look(record, colours) {
  const fill = colours[record.color || DEFAULT_COLOUR[record.type]] || "transparent";
  const text = words(record);
  if (record.type === "frame") return { ...text, box: { fill } };
  if (record.type === "sticky") return { ...text, card: { fill } };
  return text;
}

function dataOf(record) {
  const { type, text, title, color } = record;
  return { type, ...(type === "frame" ? { title: title ?? "" } : { text: text ?? "" }), ...(color ? { color } : {}) };
}

/** X6 metadata of an annotation record. */
export function annotationMetadata(record, colours) {
  return {
    shape: SHAPES[record.type], id: record.id, x: record.x, y: record.y, width: record.w, height: record.h,
    data: dataOf(record), attrs: look(record, colours), ...(record.type === "frame" ? { zIndex: FRAME_BEHIND } : {}),
  };
}

/** A connection record with the bends of its cell (none: no `vertices` key, as the server stores it). */
export function withBends(record, cell) {
  const vertices = cell.getVertices().map(({ x, y }) => ({ x: Math.round(x), y: Math.round(y) }));
  const { vertices: _old, ...rest } = record;
  return vertices.length ? { ...rest, vertices } : rest;
}

/** X6 metadata of a connection with its bends. */
export function withVertices(metadata, edge) {
  return edge.vertices?.length ? { ...metadata, vertices: structuredClone(edge.vertices) } : metadata;
}

const centreInside = (box, cell) => box.containsPoint(cell.getBBox().getCenter());

/**
 * The canvas's part for annotations: draws them, turns their cell changes into records (through
 * the editor), resizes notes and frames, bends connections, and carries a frame's contents.
 */
export class Annotations {
  /** @param {import("./editor.js").Editor} editor */
  constructor(editor) {
    this.editor = editor;
    this.graph = editor.graph;
    this.colours = editor.catalog.annotationColours || {};
    this.carrying = null; // {frame, cells, bent} while a frame is dragged
    const { annotation_min_size: least, annotation_max_size: most } = editor.catalog.limits;
    this.transform = new Transform({
      resizing: {
        enabled: (node) => isAnnotation(node) && this.editable(),
        minWidth: least, minHeight: least, maxWidth: most, maxHeight: most, orthogonal: false,
      },
      rotating: false,
    });
    this.graph.use(this.transform);
    this.graph.on("node:move", ({ node }) => this.startCarrying(node));
    this.graph.on("node:change:position", ({ node, current, previous }) => this.carry(node, current, previous));
    this.graph.on("node:moved", () => {
      this.carrying = null;
    });
    // A resized note rewraps its text (a view detail: no undo step, no edit; the size is the edit).
    this.graph.on("node:change:size", ({ node }) => {
      if (!isAnnotation(node)) return;
      node.setAttrs(words(annotationRecordOf(node)), { overlay: true });
    });
    this.graph.on("selection:changed", ({ added, removed }) => {
      this.showBendTools(added, removed);
      this.showResizeHandles();
    });
  }

  editable() {
    return !this.editor.state.readOnly && this.graph.options.interacting !== false;
  }

  // ---- drawing the board state's records ----

  metadata(record) {
    return annotationMetadata(record, this.colours);
  }

  /** Draw what changed in the annotations list between two board states (removed, added, updated). */
  apply(before = [], after = []) {
    const old = new Map(before.map((item) => [item.id, item]));
    const now = new Map(after.map((item) => [item.id, item]));
    for (const id of old.keys()) if (!now.has(id)) this.graph.removeCell(id);
    for (const [id, record] of now) {
      const cell = this.graph.getCellById(id);
      if (!cell) this.graph.addNode(this.metadata(record));
      else if (JSON.stringify(old.get(id)) !== JSON.stringify(record)) this.update(cell, record);
    }
  }

  update(cell, record) {
    cell.setPosition(record.x, record.y);
    cell.setSize(record.w, record.h);
    cell.setData(dataOf(record), { overwrite: true });
    cell.setAttrs(look(record, this.colours));
  }

  // ---- edits (each one undoable, as canvas edits) ----

  /** Change a note's text, a frame's title or colour: data and look in one step. */
  change(cell, fields) {
    const record = { ...annotationRecordOf(cell), ...fields };
    this.graph.startBatch("annotation");
    cell.setData(dataOf(record), { overwrite: true });
    cell.setAttrs(look(record, this.colours));
    this.graph.stopBatch("annotation");
  }

  /**
   * Add a text, sticky note or frame in the middle of the view and start editing its text. A
   * frame added with components selected goes around them.
   */
  add(type) {
    if (!this.editable()) return null;
    const size = SIZES[type];
    const area = this.graph.getGraphArea();
    const centre = area.getCenter();
    let box = { x: centre.x - size.w / 2, y: centre.y - size.h / 2, w: size.w, h: size.h };
    const around = this.editor.selected().filter((cell) => cell.isNode());
    if (type === "frame" && around.length) {
      const bbox = this.graph.getCellsBBox(around);
      box = { x: bbox.x - FRAME_PADDING, y: bbox.y - FRAME_PADDING, w: bbox.width + 2 * FRAME_PADDING, h: bbox.height + 2 * FRAME_PADDING };
    } else {
      // Added one after another, notes step down and right instead of landing on each other.
      const taken = () => this.graph.getNodes().some((cell) => {
        const at = cell.getBBox().getCenter();
        return Math.abs(at.x - box.x - box.w / 2) < 24 && Math.abs(at.y - box.y - box.h / 2) < 24;
      });
      for (let step = 0; step < 20 && taken(); step += 1) {
        box.x += 32;
        box.y += 32;
      }
    }
    const record = {
      id: randomId(type), type, x: Math.round(box.x), y: Math.round(box.y), w: Math.round(box.w), h: Math.round(box.h),
      ...(type === "frame" ? { title: "Frame" } : { text: "" }), ...(DEFAULT_COLOUR[type] ? { color: DEFAULT_COLOUR[type] } : {}),
    };
    const cell = this.graph.addNode(this.metadata(record));
    this.editor.select(cell);
    this.editText(cell);
    return cell;
  }

  /** Set the colour of the selected notes and frames (one undo step). */
  colour(name) {
    const cells = this.editor.selected().filter((cell) => isAnnotation(cell) && TYPES[cell.shape] !== "text");
    if (!cells.length || !this.editable()) return;
    this.graph.startBatch("colour");
    for (const cell of cells) this.change(cell, { color: name });
    this.graph.stopBatch("colour");
  }

  /** Edit a note's text or a frame's title where it is drawn. */
  editText(cell) {
    if (!this.editable()) return;
    const container = this.graph.container;
    container.querySelector(".annotation-editor")?.remove();
    const frame = isFrame(cell);
    const bbox = cell.getBBox();
    const scale = this.graph.scale().sx;
    const topLeft = this.graph.localToGraph(bbox.x, frame ? bbox.y - HEADER : bbox.y);
    const field = frame ? "title" : "text";
    const limits = this.editor.catalog.limits;
    const input = el(frame ? "input" : "textarea", {
      class: `annotation-editor annotation-editor-${TYPES[cell.shape]}`,
      maxlength: frame ? limits.label_chars : limits.annotation_text_chars,
      "aria-label": frame ? "Frame title" : "Note text",
    });
    input.value = cell.getData()?.[field] ?? "";
    Object.assign(input.style, {
      left: `${topLeft.x}px`, top: `${topLeft.y}px`, width: `${bbox.width * scale}px`,
      height: `${(frame ? HEADER : bbox.height) * scale}px`, fontSize: `${(TYPES[cell.shape] === "text" ? 18 : 14) * scale}px`,
    });
    let done = false;
    const finish = (save) => {
      if (done) return;
      done = true;
      input.remove();
      const value = frame ? input.value.trim() : input.value;
      if (save && cell.model && value !== (cell.getData()?.[field] ?? "")) this.change(cell, { [field]: value });
      container.focus({ preventScroll: true });
    };
    input.addEventListener("keydown", (event) => {
      event.stopPropagation();
      if (event.key === "Escape") finish(false);
      if (event.key === "Enter" && (frame || event.ctrlKey || event.metaKey)) finish(true);
    });
    input.addEventListener("blur", () => finish(true));
    container.append(input);
    input.focus();
    input.select();
  }

  // ---- a frame carries its contents ----

  startCarrying(node) {
    if (!isFrame(node)) return;
    const box = node.getBBox();
    const selected = new Set(this.editor.selectedIds());
    const cells = this.graph.getNodes().filter((cell) => cell !== node && !selected.has(cell.id)
      && (isFrame(cell) ? box.containsRect(cell.getBBox()) : centreInside(box, cell)));
    // A connection between two carried components keeps its bends in the same place relative to them.
    const carried = new Set(cells.map((cell) => cell.id));
    const bent = this.graph.getEdges().filter((edge) => edge.getVertices().length
      && carried.has(edge.getSourceCellId()) && carried.has(edge.getTargetCellId()));
    this.carrying = { frame: node, cells, bent };
  }

  carry(node, current, previous) {
    if (!this.carrying || this.carrying.frame !== node || !previous) return;
    const dx = current.x - previous.x;
    const dy = current.y - previous.y;
    if (!dx && !dy) return;
    for (const cell of this.carrying.cells) cell.translate(dx, dy);
    for (const edge of this.carrying.bent) edge.setVertices(edge.getVertices().map(({ x, y }) => ({ x: x + dx, y: y + dy })));
  }

  /** One selected note or frame shows its resize handles (X6 shows them on a click only, not on a selection by keys). */
  showResizeHandles() {
    const selected = this.editor.selected();
    if (selected.length === 1 && isAnnotation(selected[0]) && this.editable()) this.transform.createWidget(selected[0]);
    else this.transform.clearWidgets();
  }

  // ---- bends ----

  /** A selected connection shows its bends: drag the line to add one, drag a bend to move it, double-click to remove it. */
  showBendTools(added, removed) {
    for (const cell of removed) if (cell.isEdge() && cell.model) cell.removeTool("vertices");
    if (!this.editable()) return;
    for (const cell of added) {
      if (cell.isEdge()) cell.addTools([{ name: "vertices", args: { addable: true, removable: true, stopPropagation: false } }]);
    }
  }
}

// ---- align and distribute ----

/** Move the selected boxes so they line up (`left`, `centre`, `right`, `top`, `middle`, `bottom`). */
export function align(editor, edge) {
  const cells = editor.selected().filter((cell) => cell.isNode());
  if (cells.length < 2) return false;
  const boxes = cells.map((cell) => cell.getBBox());
  const all = editor.graph.getCellsBBox(cells);
  const target = {
    left: (box) => [all.x, box.y], right: (box) => [all.x + all.width - box.width, box.y],
    centre: (box) => [all.x + (all.width - box.width) / 2, box.y],
    top: (box) => [box.x, all.y], bottom: (box) => [box.x, all.y + all.height - box.height],
    middle: (box) => [box.x, all.y + (all.height - box.height) / 2],
  }[edge];
  moveAll(editor, cells, boxes.map(target));
  return true;
}

/** Space the selected boxes evenly along `axis` ("x" or "y"), the outermost two staying where they are. */
export function distribute(editor, axis) {
  const cells = editor.selected().filter((cell) => cell.isNode());
  if (cells.length < 3) return false;
  const size = axis === "x" ? "width" : "height";
  const order = cells.map((cell) => ({ cell, box: cell.getBBox() }))
    .sort((a, b) => a.box[axis] + a.box[size] / 2 - (b.box[axis] + b.box[size] / 2));
  const start = order[0].box[axis];
  const end = Math.max(...order.map(({ box }) => box[axis] + box[size]));
  const gap = (end - start - order.reduce((sum, { box }) => sum + box[size], 0)) / (order.length - 1);
  let at = start;
  const places = order.map(({ box }) => {
    const place = axis === "x" ? [at, box.y] : [box.x, at];
    at += box[size] + gap;
    return place;
  });
  moveAll(editor, order.map(({ cell }) => cell), places);
  return true;
}

function moveAll(editor, cells, places) {
  editor.graph.startBatch("align");
  cells.forEach((cell, index) => cell.setPosition(Math.round(places[index][0]), Math.round(places[index][1])));
  editor.graph.stopBatch("align");
}

// ---- panning with the hand ----

const TYPING = "input, textarea, select, button, [contenteditable], dialog";

/**
 * A left drag pans the view while the hand tool is on or the space bar is held (right-drag and the
 * wheel pan as before). Returns {setHand(on), handOn()}.
 */
function installHand(wrap, editor, onChange) {
  const canvas = editor.graph.container;
  let tool = false;
  let space = false;
  let drag = null;
  const sync = () => {
    const hand = tool || space ? (drag ? "grabbing" : "on") : "";
    // Set only when it changes: any write restyles every element on the canvas (whiteboard.css).
    if ((wrap.dataset.hand ?? "") !== hand) wrap.dataset.hand = hand;
    onChange(tool);
  };
  canvas.addEventListener("pointerdown", (event) => {
    if (!(tool || space) || event.button !== 0) return;
    // Caught before X6 sees it, so the drag neither selects nor moves anything.
    event.preventDefault();
    event.stopPropagation();
    canvas.setPointerCapture?.(event.pointerId);
    drag = { x: event.clientX, y: event.clientY, ...editor.graph.translate() };
    sync();
  }, true);
  canvas.addEventListener("pointermove", (event) => {
    if (!drag) return;
    editor.graph.translate(drag.tx + event.clientX - drag.x, drag.ty + event.clientY - drag.y);
  }, true);
  const release = () => {
    if (!drag) return;
    drag = null;
    sync();
  };
  canvas.addEventListener("pointerup", release, true);
  canvas.addEventListener("pointercancel", release, true);
  // X6 listens for mouse events too: while the hand is out they are not the canvas's either.
  canvas.addEventListener("mousedown", (event) => {
    if ((tool || space) && event.button === 0) event.stopPropagation();
  }, true);
  document.addEventListener("keydown", (event) => {
    if (event.key !== " " || event.repeat || event.target.closest?.(TYPING)) return;
    event.preventDefault();
    space = true;
    sync();
  });
  document.addEventListener("keyup", (event) => {
    if (event.key !== " ") return;
    space = false;
    release();
    sync();
  });
  return {
    setHand(on) {
      tool = on;
      sync();
    },
    handOn: () => tool,
  };
}

// ---- the canvas tool strip and the selection bar ----

// Tool icons as SVG path data in a 24x24 box (no icon font: the page loads nothing from elsewhere).
const ICONS = {
  select: "M5 3l14 8-6 1.5L10 19z",
  hand: "M8 12V5.5a1.5 1.5 0 0 1 3 0V11 M11 10V4.5a1.5 1.5 0 0 1 3 0V11 M14 10.5V6a1.5 1.5 0 0 1 3 0v8c0 4-2.5 7-6.5 7-3 0-4.5-1.5-6-4L3 13.5a1.5 1.5 0 0 1 2.5-1.5L8 14",
  text: "M5 5h14 M12 5v14 M9 19h6",
  sticky: "M4 4h16v10l-6 6H4z M14 20v-6h6",
  frame: "M7 3v18 M17 3v18 M3 7h18 M3 17h18",
  "align-left": "M4 3v18 M8 7h12v4H8z M8 14h7v4H8z",
  "align-centre": "M12 3v18 M6 7h12v4H6z M8.5 14h7v4h-7z",
  "align-right": "M20 3v18 M4 7h12v4H4z M9 14h7v4H9z",
  "align-top": "M3 4h18 M7 8h4v12H7z M14 8h4v7h-4z",
  "align-middle": "M3 12h18 M7 6h4v12H7z M14 8.5h4v7h-4z",
  "align-bottom": "M3 20h18 M7 4h4v12H7z M14 9h4v7h-4z",
  "distribute-x": "M3 4v16 M21 4v16 M9 8h6v8H9z",
  "distribute-y": "M4 3h16 M4 21h16 M8 9h8v6H8z",
};
const ALIGN = [
  ["left", "Align left", "Alt+A"], ["centre", "Align centres horizontally", "Alt+H"], ["right", "Align right", "Alt+D"],
  ["top", "Align top", "Alt+W"], ["middle", "Align middles vertically", "Alt+V"], ["bottom", "Align bottom", "Alt+S"],
];
const DISTRIBUTE = [["x", "Distribute horizontally", "Alt+Shift+H"], ["y", "Distribute vertically", "Alt+Shift+V"]];

function toolButton(name, title, keys, onclick) {
  return el("button", { type: "button", class: "wb-tool", "data-tool": name, title: `${title} (${keys})`, "aria-label": title, onclick },
    pathIcon(ICONS[name], "currentColor", 18));
}

/**
 * The whiteboard tools over the canvas: select and hand, text, sticky note, frame (a tool strip),
 * and for the selection its colours and align / distribute (a bar); their keys, also in the `?` sheet.
 */
export function installWhiteboardTools(wrap, editor) {
  const notes = editor.annotations;
  const editable = notes.editable();
  const buttons = {};
  const hand = installHand(wrap, editor, (on) => {
    buttons.select?.setAttribute("aria-pressed", String(!on));
    buttons.hand?.setAttribute("aria-pressed", String(on));
  });
  buttons.select = toolButton("select", "Select", "V", () => hand.setHand(false));
  buttons.hand = toolButton("hand", "Hand: drag to pan", "H, or hold Space", () => hand.setHand(!hand.handOn()));
  const strip = el("div", { class: "wb-tools", role: "toolbar", "aria-label": "Whiteboard tools" }, buttons.select, buttons.hand);
  if (editable) {
    strip.append(
      toolButton("text", "Add text", "T", () => notes.add("text")),
      toolButton("sticky", "Add sticky note", "N", () => notes.add("sticky")),
      toolButton("frame", "Add frame (around the selection)", "F", () => notes.add("frame")),
    );
  }
  const swatches = el("div", { class: "wb-swatches", role: "group", "aria-label": "Colour" },
    ...Object.entries(notes.colours).map(([name, fill]) => {
      const swatch = el("button", { type: "button", class: "wb-swatch", "data-colour": name, title: name, "aria-label": `Colour ${name}`, onclick: () => notes.colour(name) });
      swatch.style.background = fill;
      return swatch;
    }));
  const aligners = el("div", { class: "wb-align", role: "group", "aria-label": "Align and distribute" },
    ...ALIGN.map(([edge, title, keys]) => toolButton(`align-${edge}`, title, keys, () => align(editor, edge))),
    ...DISTRIBUTE.map(([axis, title, keys]) => toolButton(`distribute-${axis}`, title, keys, () => distribute(editor, axis))));
  const bar = el("div", { class: "wb-selection", role: "toolbar", "aria-label": "Selection", hidden: true }, swatches, aligners);
  wrap.append(strip, bar);
  hand.setHand(false);

  const syncBar = () => {
    const cells = editor.selected().filter((cell) => cell.isNode());
    const colourable = cells.some((cell) => isAnnotation(cell) && TYPES[cell.shape] !== "text");
    swatches.hidden = !editable || !colourable;
    aligners.hidden = !editable || cells.length < 2;
    for (const button of aligners.querySelectorAll("[data-tool^=distribute]")) button.disabled = cells.length < 3;
    bar.hidden = swatches.hidden && aligners.hidden;
  };
  editor.onSelectionChange(syncBar);
  syncBar();

  const keys = [
    ["v", () => hand.setHand(false)], ["h", () => hand.setHand(!hand.handOn())],
    ...(editable ? [
      ["t", () => notes.add("text")], ["n", () => notes.add("sticky")], ["f", () => notes.add("frame")],
      ...ALIGN.map(([edge, , combo]) => [combo.toLowerCase(), () => align(editor, edge)]),
      ...DISTRIBUTE.map(([axis, , combo]) => [combo.toLowerCase(), () => distribute(editor, axis)]),
    ] : []),
  ];
  for (const [combo, action] of keys) {
    editor.keyboard.bindKey(combo, (event) => {
      event.preventDefault();
      action();
      return false;
    });
  }
  const sheet = document.querySelector("#shortcut-sheet tbody");
  const rows = [
    ["V / H, hold Space", "Select tool / hand tool (drag to pan)"], ["T / N / F", "Add a text / sticky note / frame (around the selection)"],
    ["Double-click a note or frame", "Edit its text or title (Ctrl+Enter ends)"],
    ["Alt+A / H / D", "Align left / centres / right"], ["Alt+W / V / S", "Align top / middles / bottom"],
    ["Alt+Shift+H / V", "Distribute horizontally / vertically"],
    ["Select a connection, drag its line", "Add a bend (double-click a bend removes it)"],
  ];
  for (const [combo, text] of rows) sheet?.append(el("tr", {}, el("th", { scope: "row" }, el("kbd", { text: combo })), el("td", { text })));
}
