// The app bar's canvas tools (undo, redo, zoom, fit, layout, the shortcut sheet) and the hint on an empty canvas.

import { layoutLeftToRight } from "./layout.js";
import { installShortcuts } from "./shortcuts.js";

/**
 * @param {import("./editor.js").Editor} editor
 * @param {import("./undo.js").UndoTimeline} timeline
 * @param {import("./store.js").BoardState} state  for the empty-canvas hint
 */
export function installToolbar(editor, timeline, state) {
  const $ = (selector) => document.querySelector(selector);
  const sheet = $("#shortcut-sheet");
  const undo = () => timeline.undo();
  const redo = () => timeline.redo();
  const rename = () => {
    const [cell] = editor.selected();
    if (cell && cell.isNode()) editor.editLabel(cell);
  };
  installShortcuts(editor, { sheet, rename, undo, redo });

  $("#action-undo").addEventListener("click", undo);
  $("#action-redo").addEventListener("click", redo);
  $("#action-layout").addEventListener("click", () => layoutLeftToRight(editor));
  $("#action-fit").addEventListener("click", () => editor.fit());
  $("#action-zoom-in").addEventListener("click", () => editor.graph.zoom(0.1));
  $("#action-zoom-out").addEventListener("click", () => editor.graph.zoom(-0.1));
  $("#action-shortcuts").addEventListener("click", () => sheet.showModal());
  sheet.querySelector(".close").addEventListener("click", () => sheet.close());

  const syncUndoButtons = () => {
    $("#action-undo").disabled = !timeline.canUndo();
    $("#action-redo").disabled = !timeline.canRedo();
  };
  timeline.onChange(syncUndoButtons);
  editor.onHistoryChange(syncUndoButtons);
  syncUndoButtons();

  const emptyHint = $("#canvas-empty");
  const syncEmptyHint = () => {
    emptyHint.hidden = state.nodes().length > 0;
  };
  state.on("change", syncEmptyHint);
  syncEmptyHint();
}
