// Starts the editor page: loads the catalog and the board, then wires canvas, panels, autosave and shortcuts together.

import { openBoard, installAccess, socketProtocols } from "./access.js";
import { api } from "./api.js";
import { Autosave } from "./autosave.js";
import { Editor } from "./editor.js";
import { installExportMenu } from "./exports.js";
import { FrameworkPanel, InterviewTimer } from "./framework.js";
import { layoutLeftToRight } from "./layout.js";
import { Palette } from "./palette.js";
import { PropertiesPanel } from "./properties.js";
import { installShortcuts } from "./shortcuts.js";
import { installRunUi } from "./runui.js";
import { BoardSocket } from "./socket.js";
import { LiveEditing } from "./collab.js";
import { keepingFocus } from "./focus.js";
import { Presence } from "./presence.js";
import { UndoTimeline } from "./undo.js";
import { VersionsPanel } from "./versions.js";
import { rememberBoard } from "../js/recent.js";

const $ = (selector) => document.querySelector(selector);

/** Short messages (refused connections, conflicts) in a live region the screen reader announces. */
function toaster(element) {
  let timer = null;
  return (text, tone = "warning") => {
    element.textContent = text;
    element.dataset.tone = tone;
    element.hidden = false;
    clearTimeout(timer);
    timer = setTimeout(() => {
      element.hidden = true;
    }, 6000);
  };
}

function setupTabs(onShow) {
  const tabs = [...document.querySelectorAll("[role=tab]")];
  const show = (tab) => {
    for (const other of tabs) {
      const selected = other === tab;
      other.setAttribute("aria-selected", String(selected));
      other.tabIndex = selected ? 0 : -1;
      document.getElementById(other.getAttribute("aria-controls")).hidden = !selected;
    }
    onShow(tab.dataset.tab);
  };
  for (const tab of tabs) {
    tab.addEventListener("click", () => show(tab));
    tab.addEventListener("keydown", (event) => {
      const step = { ArrowRight: 1, ArrowLeft: -1 }[event.key];
      if (!step) return;
      const next = tabs[(tabs.indexOf(tab) + step + tabs.length) % tabs.length];
      next.focus();
      show(next);
    });
  }
  return (name) => show(tabs.find((tab) => tab.dataset.tab === name));
}

async function start() {
  const root = $("#editor");
  const boardId = root.dataset.boardId;
  const message = toaster($("#toast"));
  let catalog;
  let board;
  try {
    [catalog, board] = await Promise.all([api.catalog(), openBoard(boardId)]);
  } catch (error) {
    $("#canvas").textContent = `The board could not be loaded: ${error.message}`;
    return;
  }
  if (!board) {
    $("#canvas").textContent = "This board does not exist, or this link no longer opens it (it may have been replaced by a new one).";
    return;
  }

  performance.mark("editor:data-loaded"); // the benchmark times drawing from here
  const editor = new Editor($("#canvas"), catalog, { onMessage: message, minimapContainer: $("#minimap") });
  const title = $("#board-title");
  let timeline = null;
  const boardEdited = () => {
    timeline.boardChanged();
    autosave.schedule();
  };
  const framework = new FrameworkPanel($("#panel-framework"), catalog, { onChange: boardEdited });
  let extra = {};

  const apply = (document) => {
    extra = Object.fromEntries(Object.entries(document).filter(([key]) => !["title", "nodes", "edges", "requirements", "traffic", "notes"].includes(key)));
    title.value = document.title ?? "";
    editor.load(document);
    framework.load(document);
    timeline?.reset(); // a loaded, merged or restored board starts a new undo history
  };
  // Everything the user can change, gathered into the board document the API stores.
  const read = () => {
    const state = framework.read();
    return { ...extra, schema_version: 1, title: title.value, requirements: state.requirements, traffic: state.traffic, ...editor.toDocument(), notes: state.notes };
  };

  apply(board.document);
  const autosave = new Autosave({
    boardId,
    version: board.version,
    document: read(),
    read,
    apply,
    statusElement: $("#save-status"),
    onMessage: message,
    chooseVersion: (choice) => chooseVersion(choice),
  });
  timeline = new UndoTimeline(editor, {
    read: () => ({ title: title.value, ...framework.read() }),
    apply: (state) => {
      title.value = state.title;
      framework.load(state);
      autosave.schedule();
    },
    onChange: () => syncUndoButtons(),
  });
  // The page's one live connection to the board: run progress and results, edits of others.
  const socket = new BoardSocket(boardId, { protocols: socketProtocols });
  // Edits of everyone on the board, live (collab.js), and who they are (presence.js).
  const live = new LiveEditing({
    socket, autosave, editor, read, onMessage: message,
    showBoard: (doc) => timeline.outsideChange(() => {
      if (title.value !== (doc.title ?? "")) title.value = doc.title ?? "";
      keepingFocus($("#panel-framework"), () => framework.load(doc));
    }),
    canEdit: () => !document.body.classList.contains("read-only"),
  });
  new Presence($("#presence"), { socket, editor });
  window.boardEditor = { editor, autosave, timeline, socket, live }; // for the browser tests and the benchmark

  const graph = editor.graph;
  graph.on("cell:added", () => !editor.loading && autosave.schedule());
  graph.on("cell:removed", () => !editor.loading && autosave.schedule());
  graph.on("cell:changed", ({ options }) => !editor.loading && !options?.overlay && autosave.schedule());
  title.addEventListener("input", boardEdited);
  rememberBoard(boardId, title.value);
  title.addEventListener("change", () => {
    if (!title.value.trim()) title.value = "Untitled board";
    rememberBoard(boardId, title.value);
    autosave.schedule();
  });
  title.addEventListener("keydown", (event) => {
    if (event.key === "Enter") title.blur();
  });

  new Palette($("#palette"), catalog, editor);
  new PropertiesPanel($("#panel-properties"), editor, { onMessage: message });
  new InterviewTimer($("#timer"));
  const versions = new VersionsPanel($("#panel-versions"), { boardId, autosave, onMessage: message });
  const showTab = setupTabs((name) => {
    root.dataset.side = name; // the Results tab gets a wider side panel for its charts
    if (name === "versions") versions.refresh();
  });
  graph.on("selection:changed", ({ added }) => added.length && showTab("properties"));
  window.boardEditor.runs = installRunUi({
    boardId, editor, socket, onMessage: message, showTab,
    beforeRun: () => autosave.flush(), // a run simulates the stored board: store the latest edits first
    canRun: board.role !== "view", // a run is a write: a view link sees runs but starts none
  });

  const rename = () => {
    const [cell] = editor.selected();
    if (cell && cell.isNode()) editor.editLabel(cell);
  };
  installShortcuts(editor, { sheet: $("#shortcut-sheet"), rename, undo: () => timeline.undo(), redo: () => timeline.redo() });

  $("#action-undo").addEventListener("click", () => timeline.undo());
  $("#action-redo").addEventListener("click", () => timeline.redo());
  $("#action-layout").addEventListener("click", () => layoutLeftToRight(editor));
  $("#action-fit").addEventListener("click", () => graph.zoomToFit({ padding: 48, maxScale: 1 }));
  $("#action-zoom-in").addEventListener("click", () => graph.zoom(0.1));
  $("#action-zoom-out").addEventListener("click", () => graph.zoom(-0.1));
  installExportMenu($("#export-menu"), { editor, boardId, title: () => title.value, onMessage: message });
  // Share dialog, the read-only editor of a view link, live reloads for viewers, revoked links.
  installAccess({ board, editor, autosave, socket, onMessage: message, reload: async () => autosave.replace(await api.getBoard(boardId)) });
  $("#action-shortcuts").addEventListener("click", () => $("#shortcut-sheet").showModal());
  $("#shortcut-sheet .close").addEventListener("click", () => $("#shortcut-sheet").close());
  const emptyHint = $("#canvas-empty");
  const syncEmptyHint = () => {
    emptyHint.hidden = graph.getNodes().length > 0;
  };
  for (const event of ["cell:added", "cell:removed", "model:reseted"]) graph.on(event, syncEmptyHint);
  syncEmptyHint();
  function syncUndoButtons() {
    if (!timeline) return; // called once while the timeline is being built
    $("#action-undo").disabled = !timeline.canUndo();
    $("#action-redo").disabled = !timeline.canRedo();
  }
  graph.on("history:change", syncUndoButtons);
  syncUndoButtons();

  const conflict = $("#conflict");
  function chooseVersion({ reason, keepMine, takeTheirs }) {
    conflict.querySelector(".conflict-reason").textContent = reason;
    conflict.hidden = false;
    conflict.querySelector(".keep-mine").onclick = () => {
      conflict.hidden = true;
      keepMine();
    };
    conflict.querySelector(".take-theirs").onclick = () => {
      conflict.hidden = true;
      takeTheirs();
    };
  }

  // Fit once the canvas has its final size (the grid layout settles after the first frame).
  requestAnimationFrame(() => {
    const box = $("#canvas").getBoundingClientRect();
    graph.resize(box.width, box.height);
    if (graph.getNodes().length) graph.zoomToFit({ padding: 48, maxScale: 1 });
    root.dataset.ready = "true";
  });
  socket.connect();
}

start();
