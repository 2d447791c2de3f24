// Debounced autosave through the API with a visible status; resolves 409 conflicts without losing the user's edits.

import { ApiError, OfflineError, api } from "./api.js";
import { mergeDocuments, sameDocument } from "./merge.js";

const DEBOUNCE_MS = 600;
const RETRY_MS = [2000, 4000, 8000, 15000];

const STATUS_TEXT = {
  saved: "Saved",
  unsaved: "Unsaved changes",
  saving: "Saving…",
  offline: "Offline: will retry",
  conflict: "Conflict",
  error: "Not saved",
};

export class Autosave {
  /**
   * @param {object} options
   *   boardId, version, document (as loaded),
   *   read()            -> the document in the editor now
   *   apply(document)   puts a document into the editor (after a merge or a restore)
   *   statusElement     shows the state to the user
   *   onMessage(text)
   */
  constructor(options) {
    Object.assign(this, options);
    this.saved = structuredClone(options.document);
    this.timer = null;
    this.inFlight = null;
    this.retries = 0;
    this.suspended = false;
    this.setStatus("saved");
    window.addEventListener("online", () => this.schedule(0));
    window.addEventListener("beforeunload", (event) => {
      if (this.dirty()) {
        this.flush();
        event.preventDefault();
      }
    });
  }

  setStatus(state, detail = "") {
    this.state = state;
    this.statusElement.dataset.state = state;
    this.statusElement.textContent = detail ? `${STATUS_TEXT[state]}: ${detail}` : STATUS_TEXT[state];
    this.statusElement.title = detail || STATUS_TEXT[state];
  }

  dirty() {
    if (this.live?.active) return this.live.pending();
    return !sameDocument(this.read(), this.saved);
  }

  /** Called after every edit; saves once the user pauses (or at once as a live edit, see collab.js). */
  schedule(delay = DEBOUNCE_MS) {
    if (this.live?.active) {
      this.live.schedule();
      return;
    }
    if (this.suspended) return;
    clearTimeout(this.timer);
    if (this.state !== "offline" && this.state !== "error" && this.state !== "conflict") {
      this.setStatus(this.dirty() ? "unsaved" : "saved");
    }
    this.timer = setTimeout(() => this.flush(), delay);
  }

  /** Save now (if anything changed); resolves when the editor's content is on the server or a save failed. */
  async flush() {
    if (this.live?.active) {
      await this.live.settle();
      return;
    }
    clearTimeout(this.timer);
    if (this.inFlight) {
      await this.inFlight;
      if (!this.dirty()) return;
    }
    const document = this.read();
    if (sameDocument(document, this.saved)) {
      this.setStatus("saved");
      return;
    }
    this.inFlight = this.send(document).finally(() => {
      this.inFlight = null;
    });
    await this.inFlight;
  }

  async send(document) {
    this.setStatus("saving");
    try {
      const board = await api.saveBoard(this.boardId, this.version, document);
      this.version = board.version;
      this.saved = document;
      this.retries = 0;
      // Edits made while the request was out get their own save.
      if (this.dirty()) this.schedule(0);
      else this.setStatus("saved");
    } catch (error) {
      if (error instanceof ApiError && error.status === 409) {
        await this.resolveConflict(document, error.body);
      } else if (error instanceof ApiError && error.status === 400) {
        const first = (error.body.errors || [])[0];
        this.setStatus("error", first ? `${first.path} ${first.message}` : error.message);
      } else if (error instanceof OfflineError || (error instanceof ApiError && error.status >= 500)) {
        this.setStatus("offline");
        const wait = RETRY_MS[Math.min(this.retries, RETRY_MS.length - 1)];
        this.retries += 1;
        this.timer = setTimeout(() => this.flush(), wait);
      } else {
        this.setStatus("error", error.message);
      }
    }
  }

  /**
   * Someone saved a newer version. Reload theirs and re-apply ours on top; if the
   * merged board is refused, offer both versions instead of guessing.
   */
  async resolveConflict(local, body) {
    const server = body.document;
    const merged = mergeDocuments(this.saved, local, server);
    this.version = body.current_version;
    this.saved = server;
    this.apply(merged);
    this.setStatus("conflict", `merged with version ${body.current_version} saved elsewhere`);
    try {
      const board = await api.saveBoard(this.boardId, this.version, merged);
      this.version = board.version;
      this.saved = merged;
      this.onMessage(`This board was changed elsewhere (version ${body.current_version}). Your edits were re-applied on top of it.`, "info");
      if (this.dirty()) this.schedule(0);
      else this.setStatus("saved");
    } catch (error) {
      this.offerBoth(local, server, error);
    }
  }

  offerBoth(local, server, error) {
    this.suspended = true;
    this.setStatus("conflict", "choose a version");
    this.chooseVersion({
      reason: error.message,
      keepMine: async () => {
        this.suspended = false;
        this.apply(local);
        await this.flush();
      },
      takeTheirs: () => {
        this.suspended = false;
        this.apply(server);
        this.setStatus("saved");
      },
    });
  }

  /** After a restore the server's board replaces the editor's: no save is needed for it. */
  replace(board) {
    clearTimeout(this.timer);
    this.version = board.version;
    this.saved = structuredClone(board.document);
    this.apply(board.document);
    this.setStatus("saved");
  }
}
