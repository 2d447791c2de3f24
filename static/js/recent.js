// Remembers the boards this browser opened, for the start page's "recent" list.
const KEY = "whiteboard.recentBoards";
const LIMIT = 20;

export function recentBoards() {
  try {
    const list = JSON.parse(localStorage.getItem(KEY) || "[]");
    return Array.isArray(list) ? list : [];
  } catch {
    return [];
  }
}

export function rememberBoard(id, title) {
  const list = recentBoards().filter((entry) => entry.id !== id);
  list.unshift({ id, title: title || "Untitled board", openedAt: new Date().toISOString() });
  localStorage.setItem(KEY, JSON.stringify(list.slice(0, LIMIT)));
}

export function forgetBoard(id) {
  localStorage.setItem(KEY, JSON.stringify(recentBoards().filter((entry) => entry.id !== id)));
}

// On a board page, record the visit.
const page = document.querySelector("[data-board-id]");
if (page) {
  rememberBoard(page.dataset.boardId, document.querySelector("h1")?.textContent?.trim());
}
