// The board's title in the app bar, bound to the board state, and remembered among this browser's recent boards.

import { rememberBoard } from "../js/recent.js";

const UNTITLED = "Untitled board";

/**
 * @param {HTMLInputElement} input
 * @param {import("./store.js").BoardState} state
 * @param {string} boardId
 */
export function bindTitle(input, state, boardId) {
  input.maxLength = state.catalog.limits.title_chars;
  const show = () => {
    if (input.value !== state.board().title) input.value = state.board().title;
  };
  show();
  state.on("change", (change) => change.source !== input && change.board.includes("title") && show());
  input.addEventListener("input", () => state.setBoard({ title: input.value }, { source: input }));
  rememberBoard(boardId, input.value);
  input.addEventListener("change", () => {
    if (!input.value.trim()) {
      input.value = UNTITLED;
      state.setBoard({ title: input.value }, { source: input });
    }
    rememberBoard(boardId, input.value);
  });
  input.addEventListener("keydown", (event) => {
    if (event.key === "Enter") input.blur();
  });
}
