// What the page may do with its board: opening it with a link's token, the read-only editor of a
// view link, the Share dialog (links, copy, regenerate) and a revoked link.

import { ApiError, api, boardTokenInUse, useBoardToken } from "./api.js";
import { clearLinkToken, openWithTokens, rememberLinks } from "../js/tokens.js";

const CLOSE_REVOKED = 4403;

/** The board as the first token this browser holds for it opens it (see tokens.js), or null. */
export async function openBoard(boardId) {
  const opened = await openWithTokens(boardId, () => api.getBoard(boardId));
  if (!opened) return null;
  const board = opened.result;
  // This browser keeps the links it may know (an editor both, a viewer the view link).
  rememberLinks(board);
  clearLinkToken();
  return board;
}

/** WebSocket subprotocols: the board's, and the token this page uses (none for an owner's session). */
export function socketProtocols() {
  const token = boardTokenInUse();
  return token ? ["board", `token.${token}`] : ["board"];
}

/**
 * Wires access into the editor page.
 * @param {object} options  {board (the API's answer), editor, state (the board state), socket, onMessage, reload()}
 */
export function installAccess({ board, editor, state, socket, onMessage, reload }) {
  const share = new ShareDialog(document.getElementById("share-dialog"), board, { onMessage, socket });
  document.getElementById("action-share").addEventListener("click", () => share.open());
  if (board.role === "view") makeReadOnly(editor, state);
  // A viewer (and anyone else the server tells) sees saves made elsewhere.
  socket.on("board.saved", ({ version }) => {
    if (state.readOnly && version > state.version) reload();
  });
  socket.on("close", async ({ code }) => {
    if (code !== CLOSE_REVOKED) return;
    // The owner may be replacing the very link this page uses: then the page carries on with the new one.
    await share.renewing;
    if (await stillOpens(board.id)) {
      if (!socket.socket) socket.connect();
      return;
    }
    makeReadOnly(editor, state, "Link revoked");
    onMessage("The board's owner replaced this link: it no longer opens the board. Ask for the new link.");
  });
}

async function stillOpens(boardId) {
  try {
    await api.getBoard(boardId);
    return true;
  } catch (error) {
    return !(error instanceof ApiError && error.status === 404);
  }
}

/** A view link's editor: nothing on the page can change the board; the server refuses it anyway (403). */
export function makeReadOnly(editor, state, badgeText = "View only") {
  document.body.classList.add("read-only");
  const badge = document.getElementById("view-only-badge");
  badge.textContent = badgeText;
  badge.hidden = false;
  editor.lock();
  document.getElementById("action-run").disabled = true; // also stops Ctrl+Enter (runui.js)
  state.setReadOnly(); // nothing is sent, and nothing counts as unsaved: leaving the page never asks
  document.getElementById("board-title").readOnly = true;
  for (const panel of document.querySelectorAll("#palette, #panel-properties, #panel-framework, #panel-versions")) {
    lockControls(panel);
  }
}

/** Inputs read-only and buttons disabled in a container, including whatever it draws later; `data-reads` controls only look. */
function lockControls(container) {
  const lock = () => {
    for (const control of container.querySelectorAll("input:not([data-reads]), textarea, select, button:not([data-reads])")) {
      if (control.matches("textarea, input[type=text], input[type=number], input[type=search], input:not([type])")) {
        control.readOnly = true;
      } else {
        control.disabled = true;
      }
    }
  };
  lock();
  new MutationObserver(lock).observe(container, { childList: true, subtree: true });
}

class ShareDialog {
  constructor(dialog, board, { onMessage, socket }) {
    this.dialog = dialog;
    this.board = board;
    this.onMessage = onMessage;
    this.socket = socket;
    this.renewing = Promise.resolve(); // settles when a link replacement in progress is done
    dialog.querySelector(".close").addEventListener("click", () => dialog.close());
    for (const button of dialog.querySelectorAll("[data-copy]")) {
      button.addEventListener("click", () => this.copy(button));
    }
    for (const button of dialog.querySelectorAll("[data-regenerate]")) {
      button.addEventListener("click", () => this.regenerate(button.dataset.regenerate));
    }
    this.render();
  }

  open() {
    this.render();
    this.dialog.showModal();
  }

  render() {
    const { board, dialog } = this;
    for (const role of ["edit", "view"]) {
      const row = dialog.querySelector(`[data-link="${role}"]`);
      const url = board[`${role}_url`];
      row.hidden = !url;
      row.querySelector("input").value = url || "";
    }
    for (const button of dialog.querySelectorAll("[data-regenerate]")) button.hidden = !board.owner;
    dialog.querySelector(".share-owner-note").hidden = !board.owner;
  }

  async copy(button) {
    const input = button.closest("[data-link]").querySelector("input");
    try {
      await navigator.clipboard.writeText(input.value);
    } catch {
      // No clipboard permission: leave the link selected for Ctrl+C.
      input.select();
      button.textContent = "Press Ctrl+C";
      return;
    }
    button.textContent = "Copied";
    setTimeout(() => {
      button.textContent = "Copy";
    }, 2000);
  }

  async regenerate(role) {
    let finished;
    this.renewing = new Promise((resolve) => {
      finished = resolve;
    });
    try {
      await this.replaceLink(role);
    } finally {
      finished();
    }
  }

  async replaceLink(role) {
    const usedOld = boardTokenInUse() === this.board[`${role}_token`];
    try {
      const board = await api.regenerateToken(this.board.id, role);
      this.board = { ...this.board, ...board };
    } catch (error) {
      this.onMessage(error instanceof ApiError ? error.message : "The link could not be replaced: the server cannot be reached.");
      return;
    }
    rememberLinks(this.board);
    if (usedOld) {
      // This page came in through the link just replaced: carry on with the new one.
      useBoardToken(this.board[`${role}_token`]);
      this.socket.reconnect();
    }
    this.render();
    this.onMessage(`New ${role} link made: the old one no longer opens the board.`, "info");
  }
}
