// Saving the board state over REST: debounced saves with a visible status, and 409 conflicts resolved without losing the user's edits.
//
// One of the board state's two senders (see store.js): it sends while the live connection is down
// (collab.js sends the rest of the time) and is the one the board state falls back to.

import { ApiError, OfflineError, api } from "./api.js";
import { mergeDocuments } from "./merge.js";

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

/** Shows the board state's save status in `element`, as it changes. */
export function showSaveStatus(element, state) {
  const paint = ({ state: name, detail }) => {
    element.dataset.state = name;
    element.textContent = detail ? `${STATUS_TEXT[name]}: ${detail}` : STATUS_TEXT[name];
    element.title = detail || STATUS_TEXT[name];
  };
  state.on("status", paint);
  paint(state.status);
}

/**
 * The dialog that asks which version to keep when a merged board is refused:
 * returns `chooseVersion({reason, keepMine(), takeTheirs()})` for Autosave.
 */
export function conflictDialog(dialog) {
  return ({ reason, keepMine, takeTheirs }) => {
    dialog.querySelector(".conflict-reason").textContent = reason;
    dialog.hidden = false;
    dialog.querySelector(".keep-mine").onclick = () => {
      dialog.hidden = true;
      keepMine();
    };
    dialog.querySelector(".take-theirs").onclick = () => {
      dialog.hidden = true;
      takeTheirs();
    };
  };
}

export class Autosave {
  /**
   * @param {import("./store.js").BoardState} state
   * @param {object} options  {boardId, onMessage(text, tone), chooseVersion (see conflictDialog)}
   */
  constructor(state, { boardId, onMessage, chooseVersion }) {
    Object.assign(this, { state, boardId, onMessage, chooseVersion });
    this.timer = null;
    this.inFlight = null;
    this.retries = 0;
    this.suspended = false; // while the user chooses between two versions
    state.sendThrough(this, { fallback: true });
    window.addEventListener("online", () => state.sendSoon());
    window.addEventListener("beforeunload", (event) => {
      if (state.dirty()) {
        state.flush();
        event.preventDefault();
      }
    });
  }

  sending() {
    return this.state.sendsThrough(this) && !this.state.readOnly;
  }

  /** After every edit: saves once the user pauses. */
  schedule(delay = DEBOUNCE_MS) {
    if (!this.sending() || this.suspended) return;
    clearTimeout(this.timer);
    if (!["offline", "error", "conflict"].includes(this.state.status.state)) {
      this.state.setStatus(this.state.dirty() ? "unsaved" : "saved");
    }
    this.timer = setTimeout(() => this.flush(), delay);
  }

  /** Save now (if anything changed); resolves when the editor's content is on the server or a save failed. */
  async flush() {
    if (!this.sending()) return;
    clearTimeout(this.timer);
    if (this.inFlight) {
      await this.inFlight;
      if (!this.state.dirty()) return;
    }
    if (!this.state.dirty()) {
      this.state.setStatus("saved");
      return;
    }
    this.inFlight = this.send(this.state.current()).finally(() => {
      this.inFlight = null;
    });
    await this.inFlight;
  }

  /** Another sender takes over: the save under way finishes, nothing more is sent from here. */
  async stop() {
    clearTimeout(this.timer);
    if (this.inFlight) await this.inFlight;
    clearTimeout(this.timer);
  }

  async send(document) {
    this.state.setStatus("saving");
    try {
      const board = await api.saveBoard(this.boardId, this.state.version, document);
      this.state.confirmSaved(document, board.version);
      this.retries = 0;
      // Edits made while the request was out get their own save.
      if (this.state.dirty()) this.schedule(0);
      else this.state.setStatus("saved");
    } catch (error) {
      if (error instanceof ApiError && error.status === 409) {
        await this.resolveConflict(document, error.body);
      } else if (error instanceof ApiError && error.status === 400) {
        // The refused values stay on the page, marked at their fields, until they are changed.
        const [first] = this.state.refused(error.body.errors, document);
        this.state.setStatus("error", first ? `${first.path} ${first.message}` : error.message);
      } else if (error instanceof OfflineError || (error instanceof ApiError && error.status >= 500)) {
        this.state.setStatus("offline");
        const wait = RETRY_MS[Math.min(this.retries, RETRY_MS.length - 1)];
        this.retries += 1;
        this.timer = setTimeout(() => this.flush(), wait);
      } else {
        this.state.setStatus("error", error.message);
      }
    }
  }

  /**
   * Someone saved a newer version. Reload theirs and re-apply ours on top; if the
   * merged board is refused, offer both versions instead of guessing.
   */
  async resolveConflict(local, body) {
    const server = body.document;
    const merged = mergeDocuments(this.state.confirmedDocument(), local, server);
    this.state.load(merged, { confirmed: server, version: body.current_version });
    this.state.setStatus("conflict", `merged with version ${body.current_version} saved elsewhere`);
    try {
      const shown = this.state.current();
      const board = await api.saveBoard(this.boardId, this.state.version, shown);
      this.state.confirmSaved(shown, board.version);
      this.onMessage(`This board was changed elsewhere (version ${body.current_version}). Your edits were re-applied on top of it.`, "info");
      if (this.state.dirty()) this.schedule(0);
      else this.state.setStatus("saved");
    } catch (error) {
      this.offerBoth(local, server, error);
    }
  }

  offerBoth(local, server, error) {
    this.suspended = true;
    this.state.setStatus("conflict", "choose a version");
    this.chooseVersion({
      reason: error.message,
      keepMine: async () => {
        this.suspended = false;
        this.state.load(local);
        await this.flush();
      },
      takeTheirs: () => {
        this.suspended = false;
        this.state.load(server);
        this.state.setStatus("saved");
      },
    });
  }
}
