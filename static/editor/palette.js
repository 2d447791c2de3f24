// The component palette: every catalog kind grouped with its icon, filtered by typing, dragged (or Enter) onto the canvas.

import { el } from "./dom.js";
import { groupColour, iconElement } from "./icons.js";
import { NODE_HEIGHT, NODE_WIDTH } from "./shapes.js";

function matches(kind, groupTitle, words) {
  const haystack = `${kind.title} ${kind.name} ${kind.description} ${groupTitle}`.toLowerCase();
  return words.every((word) => haystack.includes(word));
}

const DRAG_THRESHOLD_PX = 4;
const GAP = 40; // between a clicked-in box and its neighbours, in board units
const GRID = 10;

/**
 * Where a clicked palette item goes: the free place nearest the middle of what is on screen, clear
 * of the other boxes and of the minimap, as whiteboards place a clicked shape; when the view is full,
 * the canvas's own stepping from the middle.
 */
export function freeSpotInView(editor) {
  const graph = editor.graph;
  const view = graph.getGraphArea();
  const inset = 16 / graph.scale().sx;
  const minimap = document.querySelector("#minimap:not([data-collapsed=true])")?.getBoundingClientRect();
  const blocked = editor.state.nodes().map(({ position }) => ({ x: position.x, y: position.y, width: NODE_WIDTH, height: NODE_HEIGHT }));
  if (minimap?.width) {
    const corner = graph.clientToLocal(minimap.left, minimap.top);
    const far = graph.clientToLocal(minimap.right, minimap.bottom);
    blocked.push({ x: corner.x - GAP, y: corner.y - GAP, width: far.x - corner.x + GAP, height: far.y - corner.y + GAP });
  }
  const free = (x, y) => x >= view.x + inset && y >= view.y + inset && x + NODE_WIDTH <= view.x + view.width - inset &&
    y + NODE_HEIGHT <= view.y + view.height - inset &&
    !blocked.some((box) => x < box.x + box.width + GAP && box.x < x + NODE_WIDTH + GAP && y < box.y + box.height + GAP && box.y < y + NODE_HEIGHT + GAP);
  const centre = view.getCenter();
  const spots = [];
  for (let row = -6; row <= 6; row += 1) {
    for (let column = -4; column <= 4; column += 1) {
      const x = Math.round((centre.x - NODE_WIDTH / 2 + column * (NODE_WIDTH + GAP) / 2) / GRID) * GRID;
      const y = Math.round((centre.y - NODE_HEIGHT / 2 + row * (NODE_HEIGHT + GAP) / 2) / GRID) * GRID;
      spots.push({ x, y, distance: Math.hypot(column * (NODE_WIDTH + GAP), row * (NODE_HEIGHT + GAP)) });
    }
  }
  spots.sort((a, b) => a.distance - b.distance);
  const spot = spots.find(({ x, y }) => free(x, y));
  return spot ? { x: spot.x, y: spot.y } : editor.freeSpotNearCentre();
}

export class Palette {
  /**
   * @param {HTMLElement} root  the palette <aside>, holding an input.palette-filter and a div.palette-groups
   * @param {object} catalog
   * @param {import("./editor.js").Editor} editor
   */
  constructor(root, catalog, editor) {
    this.root = root;
    this.editor = editor;
    this.filter = root.querySelector(".palette-filter");
    this.list = root.querySelector(".palette-groups");
    this.empty = root.querySelector(".palette-empty");
    this.items = [];
    for (const group of catalog.groups) {
      const kinds = catalog.kinds.filter((kind) => kind.group === group.name);
      if (!kinds.length) continue;
      const section = el("section", { class: "palette-group" }, el("h3", { text: group.title }));
      for (const kind of kinds) {
        const button = this.item(kind, groupColour(group.name));
        this.items.push({ button, kind, groupTitle: group.title, section });
        section.append(button);
      }
      this.list.append(section);
    }
    this.filter.addEventListener("input", () => this.apply());
    this.filter.addEventListener("keydown", (event) => {
      // Enter in the filter adds the first match: typing a name then Enter is the fastest way to add.
      if (event.key === "Enter") {
        const query = this.filter.value.trim().toLowerCase();
        const shown = this.items.filter((item) => !item.button.hidden);
        const best = shown.find((item) => item.kind.title.toLowerCase().includes(query)) || shown[0];
        if (best) best.button.click();
      }
      if (event.key === "Escape") {
        this.filter.value = "";
        this.apply();
      }
    });
  }

  item(kind, colour) {
    const button = el("button", {
      type: "button", class: "palette-item", "data-kind": kind.name,
      title: `${kind.description}\nClick (or press Enter) to add it, or drag it onto the canvas.`,
    }, iconElement(kind.icon, colour), el("span", { class: "palette-name", text: kind.title }));
    button.addEventListener("mousedown", (event) => {
      if (event.button !== 0) return;
      event.preventDefault(); // keep the text from being selected while dragging
      this.dragOnceMoved(kind, event);
    });
    // A click (no drag) or Enter adds the component at a free place in the view, selected.
    button.addEventListener("click", () => {
      this.editor.addNode(kind.name, freeSpotInView(this.editor));
    });
    return button;
  }

  /**
   * The drag starts only once the pointer has moved a few pixels: X6's drag puts its copy of the
   * box under the pointer at once, so the mouseup of a plain click landed on that copy and the
   * button never got its click.
   */
  dragOnceMoved(kind, down) {
    const move = (event) => {
      if (Math.hypot(event.clientX - down.clientX, event.clientY - down.clientY) < DRAG_THRESHOLD_PX) return;
      stop();
      this.editor.dnd.start(this.editor.buildNode(kind.name), event);
    };
    const stop = () => {
      window.removeEventListener("mousemove", move, true);
      window.removeEventListener("mouseup", stop, true);
    };
    window.addEventListener("mousemove", move, true);
    window.addEventListener("mouseup", stop, true);
  }

  apply() {
    const words = this.filter.value.toLowerCase().split(/\s+/).filter(Boolean);
    let shown = 0;
    for (const item of this.items) {
      item.button.hidden = !matches(item.kind, item.groupTitle, words);
      if (!item.button.hidden) shown += 1;
    }
    for (const section of this.list.querySelectorAll(".palette-group")) {
      section.hidden = !section.querySelector(".palette-item:not([hidden])");
    }
    this.empty.hidden = shown > 0;
  }
}
