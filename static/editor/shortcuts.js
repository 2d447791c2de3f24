// Keyboard shortcuts of the editor and the sheet listing them (opened with ?).

import { el } from "./dom.js";
import { layoutLeftToRight } from "./layout.js";

const GRID = 10;

/** [keys shown to the user, description, X6/Mousetrap key combos, action(editor)] */
function bindings(editor, actions) {
  const graph = editor.graph;
  return [
    ["Delete / Backspace", "Delete the selection", ["delete", "backspace"], () => editor.deleteSelection()],
    ["Ctrl+C", "Copy", ["ctrl+c", "meta+c"], () => editor.copySelection()],
    ["Ctrl+X", "Cut", ["ctrl+x", "meta+x"], () => editor.copySelection() && editor.deleteSelection()],
    ["Ctrl+V", "Paste", ["ctrl+v", "meta+v"], () => editor.paste()],
    ["Ctrl+D", "Duplicate", ["ctrl+d", "meta+d"], () => editor.duplicate()],
    ["Ctrl+Z", "Undo", ["ctrl+z", "meta+z"], () => actions.undo()],
    ["Ctrl+Shift+Z / Ctrl+Y", "Redo", ["ctrl+shift+z", "meta+shift+z", "ctrl+y"], () => actions.redo()],
    ["Ctrl+A", "Select everything", ["ctrl+a", "meta+a"], () => editor.select(graph.getCells())],
    ["Escape", "Clear the selection", ["escape"], () => editor.clearSelection()],
    ["Arrow keys", "Move the selection (Shift: further)", ["up", "down", "left", "right", "shift+up", "shift+down", "shift+left", "shift+right"], null],
    ["] / [", "Select the next / previous component", ["]", "["], null],
    ["Enter / F2, double-click", "Rename the selected component in place", ["enter", "f2"], () => actions.rename()],
    ["+ / −", "Zoom in / out", ["=", "+", "-"], null],
    ["Shift+1", "Zoom to fit", ["shift+1", "!"], () => graph.zoomToFit({ padding: 48, maxScale: 1 })],
    ["Shift+0", "Zoom to 100%", ["shift+0", ")"], () => graph.zoomTo(1)],
    ["Shift+L", "Lay out left to right", ["shift+l", "L"], () => layoutLeftToRight(editor)],
    ["Right-drag, wheel", "Pan the canvas", [], null],
    ["Ctrl+wheel", "Zoom at the pointer", [], null],
    ["Drag on empty canvas", "Select with a rubber band (Shift+click adds)", [], null],
    ["Ctrl+Enter", "Run the simulation", [], null],
    ["?", "Show this sheet", ["?", "shift+/"], () => actions.showSheet()],
  ];
}

function arrow(editor, key) {
  const [name, dir] = key.includes("+") ? [key.split("+")[1], 5] : [key, 1];
  const step = GRID * dir;
  const delta = { up: [0, -step], down: [0, step], left: [-step, 0], right: [step, 0] }[name];
  editor.nudge(...delta);
}

function cycleSelection(editor, forward) {
  const nodes = editor.graph.getNodes();
  if (!nodes.length) return;
  const current = editor.selected().find((cell) => cell.isNode());
  const index = current ? nodes.indexOf(current) : -1;
  let nextIndex = forward ? 0 : nodes.length - 1;
  if (index >= 0) nextIndex = (index + (forward ? 1 : -1) + nodes.length) % nodes.length;
  const next = nodes[nextIndex];
  editor.select(next);
  editor.graph.centerCell(next);
}

export function installShortcuts(editor, { sheet, rename, undo, redo }) {
  const graph = editor.graph;
  const actions = {
    rename,
    undo,
    redo,
    showSheet: () => (sheet.open ? sheet.close() : sheet.showModal()),
  };
  const list = bindings(editor, actions);
  for (const [, , keys, action] of list) {
    if (!action || !keys.length) continue;
    editor.keyboard.bindKey(keys, (event) => {
      event.preventDefault();
      action();
      return false;
    });
  }
  for (const key of ["up", "down", "left", "right", "shift+up", "shift+down", "shift+left", "shift+right"]) {
    editor.keyboard.bindKey(key, (event) => {
      if (!editor.selected().length) return true;
      event.preventDefault();
      arrow(editor, key);
      return false;
    });
  }
  editor.keyboard.bindKey("]", () => cycleSelection(editor, true));
  editor.keyboard.bindKey("[", () => cycleSelection(editor, false));
  editor.keyboard.bindKey(["=", "+"], () => graph.zoom(0.1));
  editor.keyboard.bindKey("-", () => graph.zoom(-0.1));

  const table = sheet.querySelector("tbody");
  for (const [keys, description] of list) {
    table.append(el("tr", {}, el("th", { scope: "row" }, el("kbd", { text: keys })), el("td", { text: description })));
  }
}
