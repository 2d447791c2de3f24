// Start page: create a board through the API and list the boards this browser opened.
import { recentBoards, rememberBoard, forgetBoard } from "./recent.js";
import { openWithTokens, rememberLinks } from "./tokens.js";
import { ApiError, api } from "../editor/api.js";
import { el } from "../editor/dom.js";
import { renderGallery } from "./gallery.js";

const form = document.getElementById("new-board");
const errorBox = document.getElementById("new-board-error");

/** Creates a board from `body` ({title}, {template}...) and opens it; problems show in `box`. False when it failed. */
async function createAndOpen(body, box = errorBox) {
  box.hidden = true;
  let board;
  try {
    board = await api.createBoard(body);
  } catch (error) {
    const errors = error instanceof ApiError ? error.body.errors || [] : [];
    box.textContent = errors.length
      ? errors.map((e) => `${e.path || "request"}: ${e.message}`).join("; ")
      : "Could not create the board: the server did not answer. Try again.";
    box.hidden = false;
    return false;
  }
  // This browser keeps the new board's links; the editor finds its edit token here.
  rememberLinks(board);
  rememberBoard(board.id, board.title);
  window.location.assign(board.url);
  return true;
}

form.addEventListener("submit", (event) => {
  event.preventDefault();
  const title = form.elements.title.value.trim();
  createAndOpen(title ? { title } : {});
});

const galleryError = document.getElementById("template-gallery-error");
renderGallery(document.getElementById("template-gallery"), galleryError,
  (templateId) => createAndOpen({ template: templateId }, galleryError));

async function renderRecent() {
  const list = document.getElementById("recent-boards");
  const boards = recentBoards();
  document.getElementById("recent-empty").hidden = boards.length > 0;
  list.replaceChildren(...boards.map((entry) => el("li", {},
    el("a", { href: `/b/${encodeURIComponent(entry.id)}/`, text: entry.title }), " ",
    el("span", { class: "muted", text: new Date(entry.openedAt).toLocaleString() }))));
  // Drop boards that were deleted since or whose links were revoked; the list is only a convenience.
  for (const entry of boards) {
    if (!(await stillOpens(entry.id))) {
      forgetBoard(entry.id);
      renderRecent();
      return;
    }
  }
}

/** False when no token this browser holds opens the board any more (openWithTokens forgets those). */
async function stillOpens(boardId) {
  try {
    return (await openWithTokens(boardId, () => api.getBoard(boardId))) !== null;
  } catch {
    return true; // offline or a server error: keep it
  }
}

renderRecent();
