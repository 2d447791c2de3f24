// The version history panel: lists the board's saved versions, previews one read-only on the canvas,
// compares it with the current board, and restores one as a new version.
//
// A preview draws the version on a canvas of its own over the live one (preview.js): the live canvas
// and the board state go on taking others' edits underneath, and nothing is edited or sent while the
// preview shows (the palette, the canvas tools and the title are inert, and canvas keys are held back).

import { api } from "./api.js";
import { compareDocument, compareDocuments, compareMarks, summaryText } from "./compare.js";
import { el } from "./dom.js";
import { DocumentView, MARKS } from "./preview.js";

const TIME = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "medium" });
// What a preview makes inert: everything else that could change the board.
const EDITING_PARTS = ["#palette", ".bar-tools", "#board-title", ".wb-tools", ".wb-selection"];

export class VersionsPanel {
  /**
   * @param {HTMLElement} root
   * @param {object} options  {boardId, state (the board state: its version, and the restored board),
   *                           editor (the live canvas, hidden under a preview), onMessage}
   */
  constructor(root, options) {
    this.root = root;
    Object.assign(this, options);
    this.previewing = null; // {number, records, mode: "version" | "compare", view, banner, changedMeanwhile, stop()}
    // Leaving the History tab leaves the preview: the other panels edit the live board.
    new MutationObserver(() => this.root.hidden && this.leave()).observe(root, { attributes: true, attributeFilter: ["hidden"] });
  }

  async refresh() {
    if (!this.list) this.root.replaceChildren(el("p", { class: "panel-hint", text: "Loading versions…" }));
    await this.state.flush();
    let versions;
    try {
      versions = await api.versions(this.boardId);
    } catch (error) {
      this.root.replaceChildren(el("p", { class: "panel-hint", text: `Versions could not be loaded: ${error.message}` }));
      return;
    }
    const canRestore = !this.state.readOnly;
    this.list = el("ol", { class: "version-list" }, ...versions.map((version) => el("li", { class: "version", "data-version": version.number },
      el("div", {}, el("strong", { text: `Version ${version.number}` }),
        el("span", { class: "version-meta", text: `${TIME.format(new Date(version.created_at))} · ${version.title}` })),
      version.number === this.state.version
        ? el("span", { class: "version-current", text: "current" })
        : el("div", { class: "version-actions" },
          el("button", {
            class: "button version-preview", type: "button", text: "Preview", "data-reads": true,
            "aria-label": `Preview version ${version.number}`, onclick: () => this.preview(version.number),
          }),
          canRestore ? el("button", {
            class: "button", type: "button", text: "Restore", "aria-label": `Restore version ${version.number}`,
            onclick: () => this.restore(version.number),
          }) : null))));
    this.details = el("section", { class: "compare-details", "aria-live": "polite", hidden: true });
    this.root.replaceChildren(
      el("p", { class: "panel-hint", text: "Every save is a version. Preview one on the canvas, compare it with the current board, or restore it as the newest version." }),
      this.details, this.list);
    this.listed = this.state.version;
    this.markRows();
    if (this.previewing) this.draw({ keepView: true });
  }

  async restore(number) {
    this.leave();
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

  // ---- preview and compare ----

  /** Shows version `number` read-only over the canvas (`mode` "compare" highlights what changed since). */
  async preview(number, mode = "version") {
    let version;
    try {
      version = await api.version(this.boardId, number);
    } catch (error) {
      this.onMessage(`Version ${number} could not be loaded: ${error.message}`);
      return;
    }
    const records = this.state.normalise(version.document);
    if (this.previewing) Object.assign(this.previewing, { number, records, mode });
    else this.enter(number, records, mode);
    this.draw();
    this.previewing.view.container.focus({ preventScroll: true });
  }

  enter(number, records, mode) {
    const host = this.editor.graph.container.parentElement;
    this.editor.clearSelection();
    const page = document.getElementById("editor");
    page.dataset.previewing = "true";
    const inert = EDITING_PARTS.map((selector) => document.querySelector(selector)).filter((part) => part && !part.inert);
    for (const part of inert) part.inert = true;
    const view = new DocumentView(host, this.state.catalog);
    const banner = this.banner();
    host.append(banner);
    const preview = { number, records, mode, view, banner, changedMeanwhile: false };
    // Others' edits keep arriving into the live board underneath; a compare view follows them.
    let queued = false;
    const offChange = this.state.on("change", () => {
      const first = !preview.changedMeanwhile;
      preview.changedMeanwhile = true;
      // The version itself does not change: only a comparison is drawn again (and the note, once).
      if (queued || (preview.mode !== "compare" && !first)) return;
      queued = true;
      requestAnimationFrame(() => {
        queued = false;
        if (this.previewing === preview) this.draw({ keepView: true });
      });
    });
    // Others' saves add versions: the list follows (once a second at most), so "current" stays true.
    let listing = null;
    const relist = () => {
      if (listing || this.state.version === this.listed) return;
      listing = setTimeout(() => {
        listing = null;
        if (this.previewing === preview) this.refresh();
      }, 1000);
    };
    const offStatus = this.state.on("status", relist);
    const offRelist = this.state.on("change", relist);
    // Canvas and editor shortcuts (Delete, Ctrl+Z, arrows...) would act on the hidden live canvas.
    const guard = (event) => {
      if (event.key === "Escape" && !event.target.closest?.("dialog")) {
        event.preventDefault();
        this.leave();
      } else if (!event.target.closest?.(".side, .preview-banner, dialog, .presence")) {
        event.stopImmediatePropagation();
        // Ctrl+A and the like would select the page's text instead of the canvas's boxes.
        if ((event.ctrlKey || event.metaKey) && event.key !== "c") event.preventDefault();
      }
    };
    window.addEventListener("keydown", guard, true);
    preview.stop = () => {
      offChange();
      offStatus();
      offRelist();
      clearTimeout(listing);
      window.removeEventListener("keydown", guard, true);
      for (const part of inert) part.inert = false;
      delete page.dataset.previewing;
      view.close();
      banner.remove();
    };
    this.previewing = preview;
  }

  banner() {
    const button = (action, text, extra = {}) => el("button", { type: "button", "data-preview": action, text, ...extra });
    const banner = el("div", { class: "preview-banner", role: "region", "aria-label": "Version preview" },
      el("div", { class: "preview-row" },
        el("div", { class: "preview-title" }, el("strong", { class: "preview-name" }), el("span", { class: "preview-note" })),
        el("div", { class: "preview-actions" },
          button("compare", "Compare with current", { "aria-pressed": "false" }),
          this.state.readOnly ? null : button("restore", "Restore"),
          button("leave", "Back to live board", { class: "primary", title: "Esc" }))),
      el("div", { class: "preview-legend", hidden: true },
        ...Object.entries(MARKS).map(([mark, look]) => el("span", { class: "preview-key", "data-mark": mark },
          el("span", { class: "preview-swatch", "data-mark": mark }), look.label)),
        el("span", { class: "preview-summary" })));
    banner.addEventListener("click", (event) => {
      const action = event.target.closest("[data-preview]")?.dataset.preview;
      if (action === "compare") this.toggleCompare();
      if (action === "restore") this.restore(this.previewing.number);
      if (action === "leave") this.leave();
    });
    return banner;
  }

  toggleCompare() {
    this.previewing.mode = this.previewing.mode === "compare" ? "version" : "compare";
    this.draw(); // fitted again: what the current board added may lie outside the version's area
  }

  /** Draws the previewed version, or its comparison with the live board, and says what it shows. */
  draw({ keepView = false } = {}) {
    const preview = this.previewing;
    const { number, records, mode, view, banner } = preview;
    const comparing = mode === "compare";
    const matrix = keepView ? view.graph.matrix() : null;
    let diff = null;
    if (comparing) {
      const current = this.state.normalise(this.state.current());
      diff = compareDocuments(records, current);
      view.show(compareDocument(records, current, diff), { marks: compareMarks(diff) });
    } else view.show(records);

    banner.dataset.mode = mode;
    banner.querySelector(".preview-name").textContent = comparing ? `Version ${number} → current board` : `Version ${number}`;
    banner.querySelector(".preview-note").textContent = comparing
      ? "Read-only · what changed since this version"
      : preview.changedMeanwhile
        ? "Read-only · the live board changed meanwhile; going back shows it"
        : "Read-only preview · nothing here is saved";
    banner.querySelector(".preview-legend").hidden = !comparing;
    banner.querySelector(".preview-summary").textContent = diff ? summaryText(diff) : "";
    const compare = banner.querySelector('[data-preview="compare"]');
    compare.setAttribute("aria-pressed", String(comparing));
    compare.textContent = comparing ? "Show the version alone" : "Compare with current";
    this.showDetails(diff);
    this.markRows();
    // Fitted under the banner when first shown; redrawn for others' edits, it keeps the user's view.
    if (matrix) view.graph.matrix(matrix);
    else view.fit({ top: banner.offsetHeight + 32, left: 48, right: 48, bottom: 48 });
  }

  /** The compare view's list of differences in the side panel; a click centres that component. */
  showDetails(diff) {
    if (!this.details) return;
    this.details.hidden = !diff;
    if (!diff) return;
    const item = (mark, record, text) => el("li", { "data-mark": mark },
      el("button", {
        type: "button", class: "compare-item", "data-reads": true, text,
        onclick: () => {
          const cell = this.previewing?.view.graph.getCellById(record.id);
          if (cell) this.previewing.view.graph.centerCell(cell);
        },
      }));
    const name = (record) => record.label || record.id;
    const edgeName = (edge) => `${this.nameIn(edge.source)} → ${this.nameIn(edge.target)}`;
    const items = [
      ...diff.nodes.added.map((node) => item("added", node, `Added ${name(node)}`)),
      ...diff.nodes.removed.map((node) => item("removed", node, `Removed ${name(node)}`)),
      ...diff.nodes.changed.map(({ after, changes }) => item("changed", after, `${name(after)}: ${changes.join(", ")}`)),
      ...diff.edges.added.map((edge) => item("added", edge, `Connected ${edgeName(edge)}`)),
      ...diff.edges.removed.map((edge) => item("removed", edge, `Disconnected ${edgeName(edge)}`)),
      ...diff.edges.changed.map(({ after, changes }) => item("changed", after, `${edgeName(after)}: ${changes.join(", ")}`)),
    ];
    this.details.replaceChildren(
      el("h3", { text: `Version ${this.previewing.number} → current board` }),
      el("p", { class: "compare-summary", text: summaryText(diff) }),
      items.length ? el("ul", { class: "compare-list" }, ...items) : null);
  }

  nameIn(id) {
    const record = this.state.node(id) || this.previewing.records.nodes.find((node) => node.id === id);
    return record?.label || id;
  }

  markRows() {
    for (const row of this.list?.querySelectorAll(".version") || []) {
      const shown = this.previewing && Number(row.dataset.version) === this.previewing.number;
      row.classList.toggle("previewing", Boolean(shown));
      row.querySelector(".version-preview")?.setAttribute("aria-pressed", String(Boolean(shown)));
    }
  }

  /** Back to the live board, which has every edit that arrived meanwhile. */
  leave() {
    const preview = this.previewing;
    if (!preview) return;
    this.previewing = null;
    preview.stop();
    if (this.details) this.details.hidden = true;
    this.markRows();
    this.editor.drawGrid?.();
    this.list?.querySelector(`.version[data-version="${preview.number}"] .version-preview`)?.focus({ preventScroll: true });
  }
}
