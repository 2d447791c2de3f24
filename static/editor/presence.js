// Who is on the board: the presence list (an editable guest name and a colour each), live cursors and selections.
//
// Names come from other people: they are only ever set as text (textContent), never as HTML.

import { el } from "./dom.js";

const NAME_KEY = "whiteboard.guest-name";
const COLOUR_KEY = "whiteboard.guest-colour";
const COLOURS = ["#e11d48", "#d97706", "#16a34a", "#0891b2", "#2563eb", "#7c3aed", "#c026d3", "#475569"];
const CURSOR_EVERY_MS = 50;
const MAX_NAME = 40; // the server keeps the first 40 characters of a name (architectures/live_consumer.py)

function stored(key, fallback) {
  try {
    const value = localStorage.getItem(key);
    if (value) return value;
    localStorage.setItem(key, fallback);
  } catch {
    // Storage may be off (private mode); the name then lasts as long as the page.
  }
  return fallback;
}

export class Presence {
  /**
   * @param {HTMLElement} root  where the list of people goes (in the app bar)
   * @param {object} options    {socket, editor}
   */
  constructor(root, { socket, editor }) {
    this.root = root;
    this.socket = socket;
    this.editor = editor;
    this.graph = editor.graph;
    this.name = stored(NAME_KEY, `Guest ${Math.floor(10 + Math.random() * 90)}`).slice(0, MAX_NAME);
    this.colour = stored(COLOUR_KEY, COLOURS[Math.floor(Math.random() * COLOURS.length)]);
    this.people = new Map(); // client id -> {name, colour, role, selection, cursor}
    this.me = null;
    this.layer = el("div", { class: "presence-layer", "aria-hidden": "true" });
    this.graph.container.append(this.layer);
    this.buildList();
    this.lastCursor = 0;
    this.cursorTimer = null;
    this.drawPending = false;

    socket.on("hello", (message) => {
      this.me = message.client;
      this.announce();
    });
    socket.on("close", () => {
      this.people.clear();
      this.draw();
    });
    socket.on("presence", (message) => {
      const known = this.people.get(message.client) || {};
      this.people.set(message.client, { ...known, ...message });
      this.draw();
    });
    socket.on("presence.leave", (message) => {
      this.people.delete(message.client);
      this.draw();
    });
    socket.on("cursor", (message) => {
      const person = this.people.get(message.client);
      if (!person) return;
      person.cursor = message.x === null || message.y === null ? null : { x: message.x, y: message.y };
      this.draw();
    });

    const container = this.graph.container;
    container.addEventListener("pointermove", (event) => this.pointer(event));
    container.addEventListener("pointerleave", () => this.sendCursor(null));
    editor.onSelectionChange(() => this.announce());
    for (const event of ["translate", "scale", "resize", "node:change:position", "cell:removed", "cell:added"]) {
      this.graph.on(event, () => this.draw());
    }
  }

  buildList() {
    this.list = el("ul", { class: "presence-list", "aria-label": "People on this board" });
    const label = el("label", { class: "visually-hidden", for: "presence-name", text: "Your name" });
    this.nameInput = el("input", {
      class: "presence-name", id: "presence-name", type: "text", maxlength: MAX_NAME, autocomplete: "off", spellcheck: "false",
      title: "Your name, as the others see it",
    });
    this.nameInput.value = this.name;
    this.nameInput.style.setProperty("--person", this.colour);
    this.nameInput.addEventListener("change", () => {
      this.name = this.nameInput.value.trim().slice(0, MAX_NAME) || this.name;
      this.nameInput.value = this.name;
      try {
        localStorage.setItem(NAME_KEY, this.name);
      } catch {
        // see stored()
      }
      this.announce();
    });
    this.nameInput.addEventListener("keydown", (event) => {
      event.stopPropagation(); // typing a name is not a canvas shortcut
      if (event.key === "Enter") this.nameInput.blur();
    });
    this.root.replaceChildren(label, this.nameInput, this.list);
  }

  announce() {
    const selection = this.editor.selectedIds();
    this.socket.send({ type: "presence", name: this.name, colour: this.colour, selection });
  }

  pointer(event) {
    const point = this.graph.clientToLocal(event.clientX, event.clientY);
    this.sendCursor({ x: point.x, y: point.y });
  }

  /** Throttled: at most one cursor message every CURSOR_EVERY_MS, the newest position last. */
  sendCursor(point) {
    this.pendingCursor = point;
    if (this.cursorTimer) return;
    const wait = Math.max(0, this.lastCursor + CURSOR_EVERY_MS - performance.now());
    this.cursorTimer = setTimeout(() => {
      this.cursorTimer = null;
      this.lastCursor = performance.now();
      const at = this.pendingCursor;
      this.socket.send({ type: "cursor", x: at ? at.x : null, y: at ? at.y : null });
    }, wait);
  }

  draw() {
    if (this.drawPending) return;
    this.drawPending = true;
    requestAnimationFrame(() => {
      this.drawPending = false;
      this.drawList();
      this.drawCanvas();
    });
  }

  drawList() {
    // You are the name field; the list is everyone else.
    const items = [];
    for (const [client, person] of this.people) {
      // A round badge with the initial; the whole name is in the tooltip and for screen readers.
      const item = el("li", {
        class: "person", "data-client": client, "data-role": person.role,
        title: person.role === "view" ? `${person.name} (view only)` : person.name,
      }, el("span", { class: "person-initial", text: [...person.name.trim()][0] || "?" }), el("span", { class: "person-name visually-hidden", text: person.name }),
      person.role === "view" ? el("span", { class: "visually-hidden", text: " (viewing)" }) : null);
      item.style.setProperty("--person", person.colour);
      items.push(item);
    }
    this.list.replaceChildren(...items);
  }

  drawCanvas() {
    const shapes = [];
    for (const [client, person] of this.people) {
      for (const id of person.selection || []) {
        const cell = this.graph.getCellById(id);
        if (!cell) continue;
        const box = cell.getBBox();
        const topLeft = this.graph.localToGraph(box.x, box.y);
        const bottomRight = this.graph.localToGraph(box.x + box.width, box.y + box.height);
        const outline = el("div", { class: "remote-selection", "data-client": client, "data-cell": id });
        outline.style.setProperty("--person", person.colour);
        Object.assign(outline.style, {
          left: `${topLeft.x - 4}px`, top: `${topLeft.y - 4}px`,
          width: `${bottomRight.x - topLeft.x + 8}px`, height: `${bottomRight.y - topLeft.y + 8}px`,
        });
        shapes.push(outline);
      }
      if (person.cursor) {
        const at = this.graph.localToGraph(person.cursor.x, person.cursor.y);
        const cursor = el("div", { class: "remote-cursor", "data-client": client }, el("span", { class: "remote-cursor-name", text: person.name }));
        cursor.style.setProperty("--person", person.colour);
        cursor.style.transform = `translate(${at.x}px, ${at.y}px)`;
        shapes.push(cursor);
      }
    }
    this.layer.replaceChildren(...shapes);
  }
}
