// The link tokens this browser holds, per board and role: a link's token arrives in the URL
// fragment (#token=...), which never reaches the server, and is kept here so the board opens again
// from the start page; the creator's browser keeps the edit token even after opening the view link.
import { ApiError, useBoardToken } from "../editor/api.js";

const KEY = "whiteboard.boardTokens";

function load() {
  try {
    const all = JSON.parse(localStorage.getItem(KEY) || "{}");
    return all && typeof all === "object" && !Array.isArray(all) ? all : {};
  } catch {
    return {};
  }
}

/** {edit, view}: the tokens stored for a board (either may be missing). */
export function storedTokens(boardId) {
  return { ...(load()[boardId] || {}) };
}

export function rememberToken(boardId, role, token) {
  if (!token || (role !== "edit" && role !== "view")) return;
  const all = load();
  all[boardId] = { ...(all[boardId] || {}), [role]: token };
  localStorage.setItem(KEY, JSON.stringify(all));
}

/** Keeps the links of a board the API answered with (a creator gets both, a viewer the view link). */
export function rememberLinks(board) {
  rememberToken(board.id, "edit", board.edit_token);
  rememberToken(board.id, "view", board.view_token);
}

export function forgetToken(boardId, token) {
  const all = load();
  const kept = Object.fromEntries(Object.entries(all[boardId] || {}).filter(([, value]) => value !== token));
  if (Object.keys(kept).length) all[boardId] = kept;
  else delete all[boardId];
  localStorage.setItem(KEY, JSON.stringify(all));
}

/** The token in this page's address (#token=...), or "". */
export function linkToken() {
  return new URLSearchParams(window.location.hash.slice(1)).get("token") || "";
}

/** Takes the token out of the address bar, so it is not bookmarked, shared or shoulder-read by accident. */
export function clearLinkToken() {
  if (linkToken()) history.replaceState(history.state, "", window.location.pathname + window.location.search);
}

/** Tokens to try for a board, best first: the link's, then the stored edit and view tokens. */
export function candidateTokens(boardId) {
  const stored = storedTokens(boardId);
  return [...new Set([linkToken(), stored.edit, stored.view].filter(Boolean))];
}

/** The link of a board with a token in its fragment. */
export function boardLink(boardId, token) {
  return `${window.location.origin}/b/${encodeURIComponent(boardId)}/#token=${encodeURIComponent(token)}`;
}

/**
 * Runs `attempt()` with each token this browser has for the board (candidateTokens, then none,
 * for a logged-in owner) until one is not answered 404, and returns `{token, result}`; a stored
 * token that no longer opens the board (revoked, or the board deleted) is forgotten. Returns null
 * when none opens it. The token that worked stays the page's (api.js useBoardToken).
 */
export async function openWithTokens(boardId, attempt) {
  for (const token of [...candidateTokens(boardId), ""]) {
    useBoardToken(token);
    try {
      return { token, result: await attempt() };
    } catch (error) {
      if (!(error instanceof ApiError && error.status === 404)) throw error;
      if (token) forgetToken(boardId, token);
    }
  }
  return null;
}
