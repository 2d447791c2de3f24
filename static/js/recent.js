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

/** Keeps a listed board's place and time, with its new title. */
export function renameRemembered(id, title) {
  const list = recentBoards().map((entry) => (entry.id === id ? { ...entry, title } : entry));
  localStorage.setItem(KEY, JSON.stringify(list));
}

/** Drops a board from the list; returns a function that puts it back where it was. */
export function forgetBoard(id) {
  const list = recentBoards();
  const at = list.findIndex((entry) => entry.id === id);
  localStorage.setItem(KEY, JSON.stringify(list.filter((entry) => entry.id !== id)));
  return () => {
    if (at < 0) return;
    const now = recentBoards().filter((entry) => entry.id !== id);
    now.splice(at, 0, list[at]);
    localStorage.setItem(KEY, JSON.stringify(now.slice(0, LIMIT)));
  };
}

// On a board page, record the visit.
const page = document.querySelector("main[data-board-id]"); // the start page's board cards carry ids too
if (page) {
  rememberBoard(page.dataset.boardId, document.querySelector("h1")?.textContent?.trim());
}
