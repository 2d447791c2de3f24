// Start page: create a board through the API and list the boards this browser opened.
import { recentBoards, rememberBoard, forgetBoard } from "./recent.js";
import { renderGallery } from "./gallery.js";

const form = document.getElementById("new-board");
const errorBox = document.getElementById("new-board-error");

/** Creates a board from `body` ({title}, {template}...) and opens it; problems show in `box`. False when it failed. */
async function createAndOpen(body, box = errorBox) {
  box.hidden = true;
  const response = await fetch("/api/boards/", {
    method: "POST",
    headers: { "Content-Type": "application/json", Accept: "application/json" },
    body: JSON.stringify(body),
  }).catch(() => null);
  if (!response || response.status !== 201) {
    const answer = response ? await response.json().catch(() => ({})) : {};
    box.textContent = answer.errors?.length
      ? answer.errors.map((e) => `${e.path || "request"}: ${e.message}`).join("; ")
      : "Could not create the board: the server did not answer. Try again.";
    box.hidden = false;
    return false;
  }
  const board = await response.json();
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
  list.replaceChildren();
  for (const entry of boards) {
    const item = document.createElement("li");
    const link = document.createElement("a");
    link.href = `/b/${encodeURIComponent(entry.id)}/`;
    link.textContent = entry.title;
    const when = document.createElement("span");
    when.className = "muted";
    when.textContent = new Date(entry.openedAt).toLocaleString();
    item.append(link, " ", when);
    list.append(item);
  }
  // Drop boards that were deleted since; the list is only a convenience.
  for (const entry of boards) {
    const response = await fetch(`/api/boards/${encodeURIComponent(entry.id)}/`).catch(() => null);
    if (response && response.status === 404) {
      forgetBoard(entry.id);
      renderRecent();
      return;
    }
  }
}

renderRecent();
