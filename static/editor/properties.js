// The properties panel: the selected component's or connection's catalog fields, checked inline, saved only when valid.

import { renderField } from "./fields.js";
import { keepingFocus } from "./focus.js";
import { groupColour, iconElement } from "./icons.js";

const LABEL_FIELD = { name: "label", type: "string", default: "", help: "Name shown on the canvas (double-click the box to edit it there).", nullable: false };

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

export class PropertiesPanel {
  constructor(root, editor, hooks) {
    this.root = root;
    this.editor = editor;
    this.hooks = hooks; // {onMessage}
    this.cell = null;
    const graph = editor.graph;
    graph.on("selection:changed", () => this.render());
    // Undo, redo, in-place label edits and other people's edits change the cell under the panel:
    // redraw, except for the panel's own edits, whose inputs already show the value (and may hold
    // the user's focus); someone typing in the panel keeps their field while others edit the cell.
    graph.on("cell:changed", ({ cell }) => {
      if (cell === this.cell && !this.committing) keepingFocus(this.root, () => this.render());
    });
    graph.on("cell:removed", ({ cell }) => {
      if (cell === this.cell) this.render();
    });
    this.render();
  }

  /** Wrap an edit made from the panel so the change events it causes do not redraw the panel. */
  own(edit) {
    return (value) => {
      this.committing = true;
      try {
        edit(value);
      } finally {
        this.committing = false;
      }
    };
  }

  render() {
    const selected = this.editor.selected();
    this.cell = selected.length === 1 ? selected[0] : null;
    this.root.replaceChildren();
    if (selected.length > 1) {
      this.root.append(el("p", "panel-hint", `${selected.length} items selected. Press Delete to remove them, Ctrl+D to duplicate.`));
    } else if (!this.cell) {
      this.root.append(el("p", "panel-hint", "Select a component or a connection to edit its properties. "
        + "Drag components from the palette; drag from a component's right port to another component to connect them."));
    } else if (this.cell.isNode()) {
      this.renderNode(this.cell);
    } else {
      this.renderEdge(this.cell);
    }
  }

  renderNode(node) {
    const data = node.getData();
    const kind = this.editor.kind(data.kind);
    const header = el("div", "panel-header");
    header.append(iconElement(kind.icon, groupColour(kind.group), 24));
    const titles = el("div");
    titles.append(el("h2", "", kind.title), el("p", "panel-description", kind.description));
    header.append(titles);
    this.root.append(header);
    const form = el("form", "fields");
    form.addEventListener("submit", (event) => event.preventDefault());
    form.append(renderField(LABEL_FIELD, node.attr("label/text") || "", this.own((value) => this.editor.setLabel(node, value)), { prefix: "prop" }));
    for (const field of kind.fields) {
      form.append(renderField(field, data.config[field.name], this.own((value) => this.editor.setNodeConfig(node, field.name, value)), { prefix: "prop" }));
    }
    if (!kind.fields.length) form.append(el("p", "panel-hint", "This component has no settings: traffic enters the board here."));
    this.root.append(form, this.connectForm(node));
  }

  /** Connecting from the keyboard: pick a target and a mode. */
  connectForm(node) {
    const form = el("form", "connect-form");
    form.append(el("h3", "", "Connect to"));
    const target = el("select");
    target.setAttribute("aria-label", "Component to connect to");
    for (const other of this.editor.graph.getNodes()) {
      if (other === node) continue;
      const option = el("option", "", other.attr("label/text") || other.id);
      option.value = other.id;
      target.append(option);
    }
    const mode = el("select");
    mode.setAttribute("aria-label", "Connection mode");
    for (const name of ["sync", "async"]) {
      const option = el("option", "", name);
      option.value = name;
      mode.append(option);
    }
    const button = el("button", "button", "Connect");
    button.type = "submit";
    button.disabled = target.options.length === 0;
    form.append(target, mode, button);
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const edge = this.editor.connect(node.id, target.value, mode.value);
      if (edge) this.hooks.onMessage(`Connected ${node.attr("label/text")} to ${this.editor.labelOf(target.value)} (${mode.value}).`, "info");
    });
    return form;
  }

  renderEdge(edge) {
    const data = edge.getData() || {};
    const header = el("div", "panel-header");
    const titles = el("div");
    titles.append(
      el("h2", "", "Connection"),
      el("p", "panel-description", `${this.editor.labelOf(edge.getSourceCellId())} → ${this.editor.labelOf(edge.getTargetCellId())}`),
    );
    header.append(titles);
    this.root.append(header);
    const form = el("form", "fields");
    form.addEventListener("submit", (event) => event.preventDefault());
    const change = (name, value) => this.own(() => {
      const next = { ...edge.getData(), [name]: value };
      if (name === "label" && !value) delete next.label;
      const refusal = this.editor.setEdgeData(edge, next);
      if (refusal) {
        this.hooks.onMessage(refusal);
        queueMicrotask(() => this.render()); // put the refused value back
      }
    })();
    for (const field of this.editor.edgeFields) {
      form.append(renderField(field, data[field.name] ?? field.default, (value) => change(field.name, value), { prefix: "prop" }));
    }
    form.append(renderField({ ...LABEL_FIELD, help: "Optional text shown on the connection." }, data.label || "", (value) => change("label", value), { prefix: "prop" }));
    this.root.append(form);
  }
}
