// Start page: create a board through the API and list the boards this browser opened.
import { recentBoards, rememberBoard, forgetBoard } from "./recent.js";
import { openWithTokens, rememberLinks } from "./tokens.js";
import { ApiError, api } from "../editor/api.js";
import { renderGallery } from "./gallery.js";
import { BoardCards } from "./boardcards.js";

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

const cards = new BoardCards({
  toast: document.getElementById("board-toast"),
  dialog: document.getElementById("delete-dialog"),
  onDuplicated: (copy) => {
    // A copy made while logged in is the account's; it is also this browser's newest board.
    document.getElementById("my-boards")?.prepend(cards.card({ id: copy.id, title: copy.title, meta: "Changed just now", role: "edit" }));
    renderRecent();
  },
  onRemoved: showEmpty,
});

/** The recent list shows once it has a board; emptied later, it says so. */
function showEmpty() {
  const count = document.getElementById("recent-boards").children.length;
  if (count) document.getElementById("recent").hidden = false;
  document.getElementById("recent-empty").hidden = count > 0;
}
// My boards are the account's own: the server listed them, and the session may do anything with them.
for (const card of document.querySelectorAll("#my-boards .board-card")) cards.enhance(card, "edit");

async function renderRecent() {
  const list = document.getElementById("recent-boards");
  const boards = recentBoards();
  const shown = boards.map((entry) => cards.card({
    id: entry.id, title: entry.title, meta: `Opened ${new Date(entry.openedAt).toLocaleString()}`,
  }));
  list.replaceChildren(...shown);
  showEmpty();
  // Each board's role decides its menu; boards deleted since or whose links were revoked are dropped
  // (the list is only a convenience).
  for (const [index, entry] of boards.entries()) {
    const opened = await opening(entry.id);
    if (opened === null) {
      forgetBoard(entry.id);
      shown[index].remove();
      showEmpty();
    } else if (opened) {
      cards.setRole(shown[index], opened.role);
      if (opened.title !== entry.title) cards.setTitle(entry.id, opened.title);
    }
  }
}

/** The board as a link this browser holds opens it; null when none does (openWithTokens forgets those), false offline. */
async function opening(boardId) {
  try {
    return (await openWithTokens(boardId, () => api.getBoard(boardId)))?.result ?? null;
  } catch {
    return false; // offline or a server error: keep it
  }
}

renderRecent();
