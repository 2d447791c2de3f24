// REST client for boards and the component catalog, turning HTTP answers into typed errors.

/** The server answered with an error status; `body` holds its JSON detail. */
export class ApiError extends Error {
  constructor(status, body) {
    super((body && body.detail) || `The server answered ${status}`);
    this.status = status;
    this.body = body || {};
  }
}

/** The request never reached the server (network down, server stopped). */
export class OfflineError extends Error {}

// A page works on one board; every request presents that board's link token (see static/js/tokens.js).
let boardToken = "";

/** Sets the token (of an edit or view link) sent as X-Board-Token with every request. */
export function useBoardToken(token) {
  boardToken = token || "";
}

export function boardTokenInUse() {
  return boardToken;
}

function cookie(name) {
  const match = document.cookie.match(new RegExp(`(?:^|;\\s*)${name}=([^;]*)`));
  return match ? decodeURIComponent(match[1]) : "";
}

function headersFor(method, extra = {}) {
  const headers = { Accept: "application/json", ...extra };
  if (boardToken) headers["X-Board-Token"] = boardToken;
  // A logged-in user's writes are checked against CSRF; a token-only request needs none.
  if (method !== "GET" && method !== "HEAD" && cookie("csrftoken")) headers["X-CSRFToken"] = cookie("csrftoken");
  return headers;
}

async function send(method, url, options = {}) {
  try {
    return await fetch(url, { method, credentials: "same-origin", ...options, headers: headersFor(method, options.headers) });
  } catch (error) {
    throw new OfflineError(error.message);
  }
}

/** A JSON request with the board's token; `headers` adds others (the interviewer's key, interview.js). */
export async function request(method, url, body, headers = {}) {
  const response = await send(method, url, {
    headers: { "Content-Type": "application/json", ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  let data = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    // A proxy or a crashed server may answer HTML; keep the status, drop the body.
    data = { detail: `The server answered ${response.status} without JSON` };
  }
  if (!response.ok) throw new ApiError(response.status, data);
  return data;
}

/**
 * Downloads a file the server makes (an export) with the board's token, saved under the server's
 * file name. A plain link cannot send the header, and a token in the URL would reach server logs.
 */
export async function downloadFile(url) {
  const response = await send("GET", url);
  if (!response.ok) {
    const body = await response.json().catch(() => null);
    throw new ApiError(response.status, body);
  }
  const disposition = response.headers.get("Content-Disposition") || "";
  const name = (disposition.match(/filename="([^"]+)"/) || [])[1] || url.split("/").pop();
  const href = URL.createObjectURL(await response.blob());
  const link = Object.assign(document.createElement("a"), { href, download: name });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(href), 10_000);
}

/** A file the server makes, as an object URL (for an <img>); the caller revokes it. */
export async function fileUrl(url) {
  const response = await send("GET", url);
  if (!response.ok) throw new ApiError(response.status, null);
  return URL.createObjectURL(await response.blob());
}

/** A page of this site fetched with the board's token (the report page's shell loads itself this way). */
export async function fetchPage(url) {
  const response = await send("GET", url, { headers: { Accept: "text/html" } });
  if (!response.ok) throw new ApiError(response.status, null);
  return response.text();
}

const board = (id) => `/api/boards/${encodeURIComponent(id)}/`;

export const api = {
  catalog: () => request("GET", "/api/component-kinds/"),
  boardSchema: () => request("GET", "/api/schema/board/"),
  createBoard: (body = {}) => request("POST", "/api/boards/", body),
  getBoard: (id) => request("GET", board(id)),
  renameBoard: (id, title) => request("POST", `${board(id)}rename/`, { title }),
  duplicateBoard: (id, body = {}) => request("POST", `${board(id)}duplicate/`, body),
  saveBoard: (id, version, document) => request("PUT", board(id), { version, document }),
  versions: (id) => request("GET", `${board(id)}versions/`),
  version: (id, number) => request("GET", `${board(id)}versions/${number}/`),
  restoreVersion: (id, number) => request("POST", `${board(id)}versions/${number}/restore/`, {}),
  importBoard: (document) => request("POST", "/api/boards/import/", { document }),
  regenerateToken: (id, role) => request("POST", `${board(id)}regenerate-token/`, { role }),
  startRun: (id, options = {}) => request("POST", `${board(id)}runs/`, options),
  runs: (id) => request("GET", `${board(id)}runs/`),
  run: (runId) => request("GET", `/api/runs/${encodeURIComponent(runId)}/`),
  cancelRun: (runId) => request("POST", `/api/runs/${encodeURIComponent(runId)}/cancel/`, {}),
  startLoadCurve: (id, options = {}) => request("POST", `${board(id)}sweeps/`, options),
  startRightsize: (id, options = {}) => request("POST", `${board(id)}rightsize/`, options),
  sweep: (sweepId) => request("GET", `/api/sweeps/${encodeURIComponent(sweepId)}/`),
};
