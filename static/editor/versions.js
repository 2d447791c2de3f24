// The version history panel: lists the board's saved versions and restores one as a new version.

import { api } from "./api.js";
import { el } from "./dom.js";

const TIME = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "medium" });

export class VersionsPanel {
  /**
   * @param {HTMLElement} root
   * @param {object} options  {boardId, state (the board state: its version, and the restored board), onMessage}
   */
  constructor(root, options) {
    this.root = root;
    Object.assign(this, options);
  }

  async refresh() {
    this.root.replaceChildren(el("p", { class: "panel-hint", text: "Loading versions…" }));
    await this.state.flush();
    let versions;
    try {
      versions = await api.versions(this.boardId);
    } catch (error) {
      this.root.replaceChildren(el("p", { class: "panel-hint", text: `Versions could not be loaded: ${error.message}` }));
      return;
    }
    const list = el("ol", { class: "version-list" }, ...versions.map((version) => el("li", { class: "version", "data-version": version.number },
      el("div", {}, el("strong", { text: `Version ${version.number}` }),
        el("span", { class: "version-meta", text: `${TIME.format(new Date(version.created_at))} · ${version.title}` })),
      version.number === this.state.version
        ? el("span", { class: "version-current", text: "current" })
        : el("button", {
          class: "button", type: "button", text: "Restore", "aria-label": `Restore version ${version.number}`,
          onclick: () => this.restore(version.number),
        }))));
    this.root.replaceChildren(el("p", { class: "panel-hint", text: "Every save is a version. Restoring one saves it again as the newest version." }), list);
  }

  async restore(number) {
    await this.state.flush();
    try {
      const board = await api.restoreVersion(this.boardId, number);
      this.state.replace(board);
      this.onMessage(`Restored version ${number} as version ${board.version}.`, "info");
    } catch (error) {
      this.onMessage(`Version ${number} could not be restored: ${error.message}`);
    }
    await this.refresh();
  }
}
