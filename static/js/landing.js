// Start page: create a board through the API and list the boards this browser opened.
import { recentBoards, rememberBoard, forgetBoard } from "./recent.js";

const form = document.getElementById("new-board");
const errorBox = document.getElementById("new-board-error");

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  errorBox.hidden = true;
  const title = form.elements.title.value.trim();
  const response = await fetch("/api/boards/", {
    method: "POST",
    headers: { "Content-Type": "application/json", Accept: "application/json" },
    body: JSON.stringify(title ? { title } : {}),
  }).catch(() => null);
  if (!response || response.status !== 201) {
    const body = response ? await response.json().catch(() => ({})) : {};
    errorBox.textContent = body.errors?.length
      ? body.errors.map((e) => `${e.path || "request"}: ${e.message}`).join("; ")
      : "Could not create the board: the server did not answer. Try again.";
    errorBox.hidden = false;
    return;
  }
  const board = await response.json();
  rememberBoard(board.id, board.title);
  window.location.assign(board.url);
});

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
