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

async function request(method, url, body) {
  let response;
  try {
    response = await fetch(url, {
      method,
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: "same-origin",
    });
  } catch (error) {
    throw new OfflineError(error.message);
  }
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

const board = (id) => `/api/boards/${encodeURIComponent(id)}/`;

export const api = {
  catalog: () => request("GET", "/api/component-kinds/"),
  createBoard: (body = {}) => request("POST", "/api/boards/", body),
  getBoard: (id) => request("GET", board(id)),
  saveBoard: (id, version, document) => request("PUT", board(id), { version, document }),
  versions: (id) => request("GET", `${board(id)}versions/`),
  version: (id, number) => request("GET", `${board(id)}versions/${number}/`),
  restoreVersion: (id, number) => request("POST", `${board(id)}versions/${number}/restore/`, {}),
  importBoard: (document) => request("POST", "/api/boards/import/", { document }),
  startRun: (id, options = {}) => request("POST", `${board(id)}runs/`, options),
  runs: (id) => request("GET", `${board(id)}runs/`),
  run: (runId) => request("GET", `/api/runs/${encodeURIComponent(runId)}/`),
  cancelRun: (runId) => request("POST", `/api/runs/${encodeURIComponent(runId)}/cancel/`, {}),
  startLoadCurve: (id, options = {}) => request("POST", `${board(id)}sweeps/`, options),
  startRightsize: (id, options = {}) => request("POST", `${board(id)}rightsize/`, options),
  sweep: (sweepId) => request("GET", `/api/sweeps/${encodeURIComponent(sweepId)}/`),
};
