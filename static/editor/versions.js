// The version history panel: lists the board's saved versions and restores one as a new version.

import { api } from "./api.js";

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

const TIME = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "medium" });

export class VersionsPanel {
  /**
   * @param {HTMLElement} root
   * @param {object} options  {boardId, autosave, onMessage}
   */
  constructor(root, options) {
    this.root = root;
    Object.assign(this, options);
  }

  async refresh() {
    this.root.replaceChildren(el("p", "panel-hint", "Loading versions…"));
    await this.autosave.flush();
    let versions;
    try {
      versions = await api.versions(this.boardId);
    } catch (error) {
      this.root.replaceChildren(el("p", "panel-hint", `Versions could not be loaded: ${error.message}`));
      return;
    }
    const list = el("ol", "version-list");
    for (const version of versions) {
      const item = el("li", "version");
      item.dataset.version = version.number;
      const text = el("div");
      text.append(el("strong", "", `Version ${version.number}`), el("span", "version-meta", `${TIME.format(new Date(version.created_at))} · ${version.title}`));
      item.append(text);
      if (version.number === this.autosave.version) {
        item.append(el("span", "version-current", "current"));
      } else {
        const button = el("button", "button", "Restore");
        button.type = "button";
        button.setAttribute("aria-label", `Restore version ${version.number}`);
        button.addEventListener("click", () => this.restore(version.number));
        item.append(button);
      }
      list.append(item);
    }
    this.root.replaceChildren(el("p", "panel-hint", "Every save is a version. Restoring one saves it again as the newest version."), list);
  }

  async restore(number) {
    await this.autosave.flush();
    try {
      const board = await api.restoreVersion(this.boardId, number);
      this.autosave.replace(board);
      this.onMessage(`Restored version ${number} as version ${board.version}.`, "info");
    } catch (error) {
      this.onMessage(`Version ${number} could not be restored: ${error.message}`);
    }
    await this.refresh();
  }
}
