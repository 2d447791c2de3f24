// Start page board cards: each board's menu (rename in place, duplicate, delete with an undo), under the board's link rules.
//
// What a card offers follows what the browser's links allow (architectures/access.py): an edit link or
// the owner's account may rename and delete; any link that opens the board may duplicate it into a new
// board of the visitor's. Every card of a board (it may be under "My boards" and "recently") changes together.

import { ApiError, api, boardTokenInUse } from "../editor/api.js";
import { el } from "../editor/dom.js";
import { forgetBoard, rememberBoard, renameRemembered } from "./recent.js";
import { openWithTokens, rememberLinks } from "./tokens.js";

// A deleted board stays restorable this long; the DELETE is sent only then (or when the page is left).
export const UNDO_MS = 8000;

const cardsOf = (boardId) => [...document.querySelectorAll(`.board-card[data-board-id="${CSS.escape(boardId)}"]`)];

function located(error) {
  const errors = error instanceof ApiError ? error.body.errors || [] : [];
  if (errors.length) return errors.map((e) => (e.path ? `${e.path}: ${e.message}` : e.message)).join("; ");
  return error instanceof ApiError ? error.message : "the server did not answer; try again";
}

function csrfToken() {
  const match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]*)/);
  return match ? decodeURIComponent(match[1]) : "";
}

/**
 * DELETE with `keepalive`, so a delete still pending when the visitor leaves the page is sent anyway;
 * api.js's requests would be cancelled by the navigation.
 */
async function sendDelete(boardId) {
  const headers = { Accept: "application/json" };
  if (boardTokenInUse()) headers["X-Board-Token"] = boardTokenInUse();
  if (csrfToken()) headers["X-CSRFToken"] = csrfToken();
  const response = await fetch(`/api/boards/${encodeURIComponent(boardId)}/`, {
    method: "DELETE", credentials: "same-origin", keepalive: true, headers,
  });
  if (!response.ok) throw new ApiError(response.status, await response.json().catch(() => null));
}

export class BoardCards {
  /**
   * @param {object} parts  {toast, dialog: the delete confirmation, onDuplicated(board): list the new board,
   *                         onRemoved(): a board's cards went (deleted, or no link opens it)}
   */
  constructor({ toast, dialog, onDuplicated, onRemoved }) {
    this.toast = toast;
    this.dialog = dialog;
    this.onDuplicated = onDuplicated;
    this.onRemoved = onRemoved;
    this.pending = null; // the delete waiting for its undo: {boardId, title, timer}
    this.toastTimer = null;
    document.addEventListener("click", (event) => {
      if (!event.target.closest(".board-card-menu, .board-card-menu-button")) this.closeMenus();
    });
    // Leaving the page ends the undo: the delete goes now (keepalive lets it outlive the page).
    window.addEventListener("pagehide", () => this.commitDelete());
    toast.querySelector(".board-toast-undo").addEventListener("click", () => this.undoDelete());
  }

  /** A card for a board: its title linking to the editor, a line under it, and its menu. */
  card({ id, title, meta, role = null }) {
    const card = el("li", { class: "board-card", "data-board-id": id },
      el("a", { class: "board-card-title", href: `/b/${encodeURIComponent(id)}/`, text: title }),
      el("span", { class: "muted board-card-meta", text: meta }));
    this.enhance(card, role);
    return card;
  }

  /** Adds the menu to a card (a server-rendered one too); `role` null until a link is known to open it. */
  enhance(card, role = card.dataset.role || null) {
    const title = () => card.querySelector(".board-card-title").textContent;
    const button = el("button", {
      class: "board-card-menu-button", type: "button", "aria-haspopup": "menu", "aria-expanded": "false",
      "aria-label": `Actions for ${title()}`, title: "Rename, duplicate or delete", text: "⋯",
    });
    const item = (action, text) => el("button", { type: "button", role: "menuitem", "data-action": action, text, tabindex: "-1" });
    const menu = el("div", { class: "board-card-menu", role: "menu", "aria-label": "Board actions", hidden: true },
      item("rename", "Rename"), item("duplicate", "Duplicate"), item("delete", "Delete…"));
    button.addEventListener("click", () => (menu.hidden ? this.openMenu(card) : this.closeMenus()));
    menu.addEventListener("click", (event) => {
      const chosen = event.target.closest("[data-action]:not(:disabled)");
      if (!chosen) return;
      this.closeMenus();
      this[chosen.dataset.action](card);
    });
    menu.addEventListener("keydown", (event) => this.menuKey(event, card));
    card.append(button, menu, el("p", { class: "board-card-error error", role: "alert", hidden: true }));
    this.setRole(card, role);
  }

  /** What the card's menu offers: rename and delete need the edit role, duplicate any role. */
  setRole(card, role) {
    if (role) card.dataset.role = role;
    else delete card.dataset.role;
    const editable = role === "edit";
    for (const action of ["rename", "delete"]) {
      const item = card.querySelector(`[data-action="${action}"]`);
      item.disabled = !editable;
      item.title = editable ? "" : role ? "Only someone with the board's edit link can do this" : "Checking this board's link…";
    }
    card.querySelector('[data-action="duplicate"]').disabled = !role;
    let badge = card.querySelector(".board-card-badge");
    if (role === "view" && !badge) {
      badge = el("span", { class: "board-card-badge", text: "View only" });
      card.querySelector(".board-card-meta").after(badge);
    } else if (role !== "view") badge?.remove();
  }

  setTitle(boardId, title) {
    for (const card of cardsOf(boardId)) {
      card.querySelector(".board-card-title").textContent = title;
      card.querySelector(".board-card-menu-button").setAttribute("aria-label", `Actions for ${title}`);
    }
    renameRemembered(boardId, title);
  }

  remove(boardId) {
    for (const card of cardsOf(boardId)) card.remove();
    forgetBoard(boardId);
    this.onRemoved();
  }

  // ---- the menu ----

  openMenu(card) {
    this.closeMenus();
    const menu = card.querySelector(".board-card-menu");
    menu.hidden = false;
    card.querySelector(".board-card-menu-button").setAttribute("aria-expanded", "true");
    menu.querySelector("[role=menuitem]:not(:disabled)")?.focus();
  }

  closeMenus({ focus = null } = {}) {
    for (const menu of document.querySelectorAll(".board-card-menu:not([hidden])")) {
      menu.hidden = true;
      menu.closest(".board-card").querySelector(".board-card-menu-button").setAttribute("aria-expanded", "false");
    }
    focus?.focus();
  }

  menuKey(event, card) {
    const items = [...card.querySelectorAll("[role=menuitem]:not(:disabled)")];
    const at = items.indexOf(document.activeElement);
    const step = { ArrowDown: 1, ArrowUp: -1 }[event.key];
    if (step) {
      event.preventDefault();
      items[(at + step + items.length) % items.length]?.focus();
    } else if (event.key === "Escape" || event.key === "Tab") {
      if (event.key === "Escape") event.preventDefault();
      this.closeMenus({ focus: event.key === "Escape" ? card.querySelector(".board-card-menu-button") : null });
    }
  }

  // ---- actions ----

  /** `attempt()` with the best link this browser holds for the board; a board no link opens is dropped. */
  async withBoard(card, attempt) {
    const boardId = card.dataset.boardId;
    const error = card.querySelector(".board-card-error");
    error.hidden = true;
    try {
      const opened = await openWithTokens(boardId, attempt);
      if (opened) return opened.result;
      this.remove(boardId);
      this.say("That board no longer exists, or no link this browser holds opens it.");
    } catch (failure) {
      error.textContent = located(failure);
      error.hidden = false;
    }
    return null;
  }

  /** Rename in place: the title becomes a field; Enter or leaving it saves, Escape keeps the old title. */
  rename(card) {
    const link = card.querySelector(".board-card-title");
    const before = link.textContent;
    const input = el("input", { class: "board-card-rename", type: "text", maxlength: "200", "aria-label": "Board title" });
    input.value = before;
    let done = false;
    const finish = async (save) => {
      if (done) return;
      done = true;
      const title = input.value.trim();
      input.replaceWith(link);
      if (!save || !title || title === before) {
        link.focus();
        return;
      }
      link.textContent = title; // shown at once; put back if the server refuses it
      const board = await this.withBoard(card, () => api.renameBoard(card.dataset.boardId, title));
      if (board) this.setTitle(board.id, board.title);
      else if (card.isConnected) link.textContent = before;
      link.focus();
    };
    input.addEventListener("keydown", (event) => {
      if (event.key === "Enter") finish(true);
      if (event.key === "Escape") finish(false);
    });
    input.addEventListener("blur", () => finish(true));
    link.replaceWith(input);
    input.focus();
    input.select();
  }

  async duplicate(card) {
    const copy = await this.withBoard(card, () => api.duplicateBoard(card.dataset.boardId));
    if (!copy) return;
    rememberLinks(copy); // the copy's own links: this browser holds its edit link, as for a new board
    rememberBoard(copy.id, copy.title);
    this.onDuplicated(copy);
    this.say(`Duplicated as “${copy.title}”.`, { open: copy.url });
    cardsOf(copy.id)[0]?.querySelector(".board-card-title").focus();
  }

  delete(card) {
    const title = card.querySelector(".board-card-title").textContent;
    this.dialog.querySelector(".delete-dialog-board").textContent = title;
    this.dialog.returnValue = "";
    this.dialog.addEventListener("close", () => {
      if (this.dialog.returnValue === "delete") this.startDelete(card.dataset.boardId, title);
      else card.querySelector(".board-card-menu-button").focus();
    }, { once: true });
    this.dialog.showModal();
  }

  /** Hides the board's cards and offers an undo; the delete is sent when the undo runs out. */
  startDelete(boardId, title) {
    this.commitDelete(); // one undo at a time: an earlier delete goes now
    for (const card of cardsOf(boardId)) card.hidden = true;
    this.pending = { boardId, title, timer: setTimeout(() => this.commitDelete(), UNDO_MS) };
    this.say(`Deleted “${title}”.`, { undo: true, for: UNDO_MS });
  }

  undoDelete() {
    if (!this.pending) return;
    const { boardId, title, timer } = this.pending;
    clearTimeout(timer);
    this.pending = null;
    for (const card of cardsOf(boardId)) card.hidden = false;
    this.say(`“${title}” was not deleted.`);
    cardsOf(boardId)[0]?.querySelector(".board-card-menu-button").focus();
  }

  async commitDelete() {
    if (!this.pending) return;
    const { boardId, title, timer } = this.pending;
    clearTimeout(timer);
    this.pending = null;
    if (this.toast.querySelector(".board-toast-undo").hidden === false) this.hideToast();
    const card = cardsOf(boardId)[0];
    if (!card) return;
    // Forgotten before the answer: the page may be gone by then (pagehide), and a deleted board must not stay listed.
    const putBack = forgetBoard(boardId);
    // A board already gone (withBoard drops it) is as good as deleted.
    const deleted = await this.withBoard(card, () => sendDelete(boardId).then(() => true));
    if (deleted) this.remove(boardId);
    else if (card.isConnected) {
      putBack();
      for (const other of cardsOf(boardId)) other.hidden = false;
      this.say(`“${title}” could not be deleted: ${card.querySelector(".board-card-error").textContent}`);
    }
  }

  // ---- the toast ----

  say(text, { undo = false, open = null, for: duration = 6000 } = {}) {
    const toast = this.toast;
    toast.querySelector(".board-toast-text").textContent = text;
    toast.querySelector(".board-toast-undo").hidden = !undo;
    const link = toast.querySelector(".board-toast-open");
    link.hidden = !open;
    if (open) link.href = open;
    toast.hidden = false;
    clearTimeout(this.toastTimer);
    this.toastTimer = setTimeout(() => this.hideToast(), duration);
  }

  hideToast() {
    this.toast.hidden = true;
  }
}
