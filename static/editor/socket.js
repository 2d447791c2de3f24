// The page's one WebSocket to its board: connects, reconnects with backoff, and dispatches messages by type.

import { Listeners } from "./events.js";

const BACKOFF_MS = [500, 1000, 2000, 4000, 8000, 15000];

/**
 * Usage: `const socket = new BoardSocket(boardId, { protocols: () => [...] });`
 * `socket.on("run.progress", (message) => ...)`, `socket.on("open", ...)`, `socket.on("close", ...)`,
 * `socket.on("*", ...)` for every message; `socket.send(object)` returns false while disconnected.
 * `protocols` is called before every connection attempt, so a token read late is still sent.
 */
export class BoardSocket {
  constructor(boardId, { protocols = () => [], path = null } = {}) {
    this.boardId = boardId;
    this.protocols = protocols;
    this.path = path || `/ws/boards/${encodeURIComponent(boardId)}/`;
    this.listeners = new Listeners("socket", console.warn); // one broken listener must not stop the socket
    this.attempt = 0;
    this.socket = null;
    this.closedByUs = false;
    this.timer = null;
    this.connected = false;
  }

  on(type, handler) {
    return this.listeners.on(type, handler);
  }

  emit(type, payload) {
    this.listeners.emit(type, payload);
  }

  connect() {
    this.closedByUs = false;
    clearTimeout(this.timer);
    const scheme = window.location.protocol === "https:" ? "wss" : "ws";
    const url = `${scheme}://${window.location.host}${this.path}`;
    const protocols = this.protocols() || [];
    let socket;
    try {
      socket = protocols.length ? new WebSocket(url, protocols) : new WebSocket(url);
    } catch {
      this.retry();
      return this;
    }
    this.socket = socket;
    socket.addEventListener("open", () => {
      this.attempt = 0;
      this.connected = true;
      this.emit("open", {});
    });
    socket.addEventListener("message", (event) => {
      let message;
      try {
        message = JSON.parse(event.data);
      } catch {
        return;
      }
      if (!message || typeof message.type !== "string") return;
      this.emit(message.type, message);
      this.emit("*", message);
    });
    socket.addEventListener("close", (event) => {
      const wasConnected = this.connected;
      this.connected = false;
      if (this.socket === socket) this.socket = null;
      this.emit("close", { code: event.code, reason: event.reason, wasConnected });
      // 4403/4404: the board is gone or the link was revoked; retrying cannot help.
      if (!this.closedByUs && event.code !== 4403 && event.code !== 4404) this.retry();
    });
    return this;
  }

  retry() {
    const delay = BACKOFF_MS[Math.min(this.attempt, BACKOFF_MS.length - 1)];
    this.attempt += 1;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.connect(), delay);
  }

  send(message) {
    if (!this.socket || this.socket.readyState !== WebSocket.OPEN) return false;
    this.socket.send(JSON.stringify(message));
    return true;
  }

  /** Closes for good (no reconnect); `reconnect()` opens again. */
  close() {
    this.closedByUs = true;
    clearTimeout(this.timer);
    if (this.socket) this.socket.close();
  }

  reconnect() {
    this.close();
    this.connect();
  }
}
