// The editor page's first requests (catalog, board schema, the board), sent as soon as the page's head is parsed.
//
// The page loads this module on its own, async and ahead of everything else (editor.html), so the API answers
// arrive while the browser is still fetching and running the canvas library and the editor's other modules;
// main.js imports it too and so gets the same module and the same requests, never a second round of them.
// They go through the API client itself, so headers, credentials and the link token are those of every other call.

import { openBoard } from "./access.js";
import { api } from "./api.js";
import { drawSketch } from "./sketch.js";

const boardId = document.querySelector("script[data-board-id]").dataset.boardId;

/** [catalog, board schema, board or null]: the answers main.js builds the page from. */
export const loading = Promise.all([api.catalog(), api.boardSchema(), openBoard(boardId)]);
// main.js awaits this only once its own modules have run; until then a failure must not count as unhandled.
loading.catch(() => {});

// The board drawn as a sketch as soon as it is here (sketch.js), and once the browser has painted it:
// main.js waits for that before it draws the board with X6, a second or more of the main thread on a
// large board. Null when there is nothing to sketch; a sketch that fails is only a later picture.
const painted = () => new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve)));
export const sketched = loading.then(async ([catalog, , board]) => {
  const sketch = board && drawSketch(document.querySelector("#canvas"), document.querySelector("#minimap"), board.document, catalog.kinds);
  if (sketch) {
    await painted();
    performance.mark("editor:sketch-painted"); // the first task after the frame that painted it (the benchmark reads it)
  }
  return sketch;
}).catch((error) => {
  console.error("The board's sketch could not be drawn:", error);
  return null;
});
