// The properties panel: the selected component's or connection's catalog fields (resilience and autoscaling settings
// among them), checked inline and saved only when valid, and the faults the run plays on it.

import { connectionProblem, randomId } from "./connections.js";
import { el, options } from "./dom.js";
import { FaultSection } from "./faults.js";
import { markProblems, problemText, renderField } from "./fields.js";
import { keepingFocus } from "./focus.js";
import { groupColour, iconElement } from "./icons.js";

const touches = (list, id) => list.added.some((r) => r.id === id) || list.removed.some((r) => r.id === id) || list.updated.some(([, r]) => r.id === id);
const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);
const faultsOn = (faults, id) => (faults || []).filter((fault) => fault.target === id);

export class PropertiesPanel {
  /**
   * @param {HTMLElement} root
   * @param {import("./editor.js").Editor} editor  tells what is selected
   * @param {import("./store.js").BoardState} state  holds what is shown, and takes the edits
   * @param {object} hooks  {onMessage(text, tone)}
   */
  constructor(root, editor, state, hooks) {
    this.root = root;
    this.editor = editor;
    this.state = state;
    this.catalog = state.catalog;
    this.hooks = hooks;
    this.id = null; // the one selected component or connection
    editor.onSelectionChange(() => this.render());
    // Undo, redo, in-place label edits and other people's edits change the cell under the panel:
    // redraw, except for the panel's own edits, whose inputs already show the value (and may hold
    // the user's focus); someone typing in the panel keeps their field while others edit the cell.
    state.on("change", (change) => {
      if (!this.id || change.source === this) return;
      const faults = change.board.includes("faults") && !same(faultsOn(change.boardBefore.faults, this.id), state.faultsOn(this.id));
      if (change.origin === "load" || faults || touches(change.nodes, this.id) || touches(change.edges, this.id)) {
        // The redraw that puts a refused edit back shows the stored values, not the refused text.
        const keepTyped = !this.refused;
        this.refused = false;
        keepingFocus(this.root, () => this.render(), { keepTyped });
      }
    });
    // Values the server refused are marked at their fields (after the refused edit is put back).
    state.on("problems", (problems) => {
      // A live edit's refusal puts it back right away (in this task); a refused REST save stays on the page.
      this.refused = problems.some((problem) => problem.id === this.id || this.state.fault(problem.id)?.target === this.id);
      queueMicrotask(() => {
        this.refused = false;
      });
      this.markProblems();
    });
    this.render();
  }

  markProblems() {
    const form = this.root.querySelector("form.fields");
    if (!form || !this.id) return;
    const unplaced = markProblems(form, this.state.problemsOf(this.id));
    const box = this.root.querySelector(".panel-problems");
    box.textContent = unplaced.map((problem) => problemText(problem.field || "value", problem.message)).join(" ");
    box.hidden = !unplaced.length;
    this.faults?.markProblems();
  }

  render() {
    const selected = this.editor.selectedIds();
    this.id = selected.length === 1 ? selected[0] : null;
    const node = this.id && this.state.node(this.id);
    const edge = this.id && this.state.edge(this.id);
    this.faults = (node || edge) ? new FaultSection(this.state, this.id, this) : null;
    if (selected.length > 1) {
      this.root.replaceChildren(el("p", { class: "panel-hint", text: `${selected.length} items selected. Press Delete to remove them, Ctrl+D to duplicate.` }));
    } else if (node) {
      this.root.replaceChildren(...this.renderNode(node));
    } else if (edge) {
      this.root.replaceChildren(...this.renderEdge(edge));
    } else if (this.id && this.state.annotation(this.id)) {
      const { type } = this.state.annotation(this.id);
      const what = { text: "A text", sticky: "A sticky note", frame: "A frame" }[type];
      this.root.replaceChildren(el("p", { class: "panel-hint", text: `${what} on the board (never simulated). Double-click it to edit its `
        + `${type === "frame" ? "title" : "text"}; drag its handles to resize it${type === "text" ? "" : "; pick its colour in the bar over the canvas"}.` }));
    } else {
      this.root.replaceChildren(el("p", { class: "panel-hint", text: "Select a component or a connection to edit its properties. "
        + "Drag components from the palette; drag from a component's right port to another component to connect them." }));
    }
    this.markProblems();
  }

  /** Where the server's refusals that no field shows are said. */
  problemBox() {
    return el("p", { class: "field-error panel-problems", role: "alert", hidden: true });
  }

  /** Panel writes name the panel as their source: the board state does not redraw it for them. */
  update(id, fields) {
    if (this.state.node(id)) this.state.updateNode(id, fields, { source: this });
    else this.state.updateEdge(id, fields, { source: this });
  }

  renderNode(node) {
    const kind = this.catalog.kind(node.kind);
    const header = el("div", { class: "panel-header" }, iconElement(kind.icon, groupColour(kind.group), 24),
      el("div", {}, el("h2", { text: kind.title }), el("p", { class: "panel-description", text: kind.description })));
    const form = el("form", { class: "fields", onsubmit: (event) => event.preventDefault() },
      renderField(this.catalog.labelField, node.label, (value) => this.update(node.id, { label: value }), { prefix: "prop" }),
      ...kind.fields.map((field) => renderField(field, node.config[field.name], (value) => {
        this.update(node.id, { config: { ...this.state.node(node.id).config, [field.name]: value } });
      }, { prefix: "prop", serviceTime: this.catalog.serviceTime, tokenCount: this.catalog.tokenCount })));
    if (!kind.fields.length) form.append(el("p", { class: "panel-hint", text: "This component has no settings: traffic enters the board here." }));
    return [header, this.problemBox(), form, this.faults.element, this.connectForm(node)];
  }

  /** Connecting from the keyboard: pick a target and a mode. */
  connectForm(node) {
    const others = this.state.nodes().filter((other) => other.id !== node.id);
    const target = el("select", { "aria-label": "Component to connect to" },
      ...others.map((other) => el("option", { value: other.id, text: other.label || other.id })));
    const mode = el("select", { "aria-label": "Connection mode" }, ...options(this.catalog.edgeField("mode").choices));
    const button = el("button", { class: "button", type: "submit", text: "Connect", disabled: others.length === 0 });
    return el("form", {
      class: "connect-form",
      onsubmit: (event) => {
        event.preventDefault();
        const problem = connectionProblem(this.state, node.id, target.value, mode.value);
        if (problem) {
          this.hooks.onMessage(problem);
          return;
        }
        const edge = { id: randomId("e"), source: node.id, target: target.value, mode: mode.value };
        this.state.putEdge(edge, { source: this });
        this.hooks.onMessage(`Connected ${this.state.labelOf(node.id)} to ${this.state.labelOf(target.value)} (${mode.value}).`, "info");
      },
    }, el("h3", { text: "Connect to" }), target, mode, button);
  }

  renderEdge(edge) {
    const header = el("div", { class: "panel-header" }, el("div", {}, el("h2", { text: "Connection" }),
      el("p", { class: "panel-description", text: `${this.state.labelOf(edge.source)} → ${this.state.labelOf(edge.target)}` })));
    const form = el("form", { class: "fields", onsubmit: (event) => event.preventDefault() },
      ...this.catalog.edgeFields.map((field) => renderField(field, edge[field.name] ?? field.default, (value) => this.changeEdge(edge.id, field.name, value), { prefix: "prop" })),
      renderField({ ...this.catalog.labelField, help: "Optional text shown on the connection." }, edge.label || "", (value) => this.changeEdge(edge.id, "label", value), { prefix: "prop" }));
    return [header, this.problemBox(), form, this.faults.element];
  }

  changeEdge(id, name, value) {
    const edge = this.state.edge(id);
    // Sync and fallback calls are waited for, so neither may close a cycle of calls.
    if (name === "mode" && value !== "async" && edge.mode === "async") {
      const refusal = connectionProblem(this.state, edge.source, edge.target, value, id);
      if (refusal) {
        this.hooks.onMessage(refusal);
        queueMicrotask(() => this.render()); // put the refused value back
        return;
      }
    }
    this.update(id, { [name]: value });
  }
}
