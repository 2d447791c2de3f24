// The component palette: every catalog kind grouped with its icon, filtered by typing, dragged (or Enter) onto the canvas.

import { el } from "./dom.js";
import { groupColour, iconElement } from "./icons.js";

function matches(kind, groupTitle, words) {
  const haystack = `${kind.title} ${kind.name} ${kind.description} ${groupTitle}`.toLowerCase();
  return words.every((word) => haystack.includes(word));
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
      title: `${kind.description}\nDrag onto the canvas, or press Enter to add it in the middle.`,
    }, iconElement(kind.icon, colour), el("span", { class: "palette-name", text: kind.title }));
    button.addEventListener("mousedown", (event) => {
      if (event.button !== 0) return;
      event.preventDefault(); // keep the text from being selected while dragging
      this.editor.dnd.start(this.editor.buildNode(kind.name), event);
    });
    // A click (no drag) or Enter adds the component in the middle of the view.
    button.addEventListener("click", () => {
      this.editor.addNode(kind.name, this.editor.freeSpotNearCentre());
    });
    return button;
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
