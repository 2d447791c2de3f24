// Starts the editor page: loads the catalog and the board into one BoardState, then gives every view and sender its part of the page.
//
// Who talks to whom (all through the board state, store.js, except where noted):
//   canvas (editor.js), title, properties (with the faults on the selection), framework (with all the faults),
//   undo timeline, right-sizing                    -> read and write the board state
//   autosave (REST) and live editing (WebSocket)  -> send its changes and take the server's back into it
//   results overlay and its playback, presence     -> draw over the canvas; presence and runs share the page's socket
//   interview clock, tab and replay                -> the server's session over REST and the socket; the replay
//                                                     draws past boards on a layer of its own, never the board state

import { installAccess, socketProtocols } from "./access.js";
import { api } from "./api.js";
import { Autosave, conflictDialog, showSaveStatus } from "./autosave.js";
import { Catalog } from "./catalog.js";
import { loadCharts } from "./charts.js";
import { LiveEditing } from "./collab.js";
import { installWhiteboardTools } from "./annotations.js";
import { Editor } from "./editor.js";
import { installExportMenu } from "./exports.js";
import { FrameworkPanel } from "./framework.js";
import { InterviewClock, InterviewPanel, InterviewSession } from "./interview.js";
import { Palette } from "./palette.js";
import { Presence } from "./presence.js";
import { PropertiesPanel } from "./properties.js";
import { Replay } from "./replay.js";
import { installRunUi } from "./runui.js";
import { BoardSocket } from "./socket.js";
import { loading, sketched } from "./startup.js";
import { BoardState } from "./store.js";
import { bindTitle } from "./title.js";
import { installToolbar } from "./toolbar.js";
import { UndoTimeline } from "./undo.js";
import { VersionsPanel } from "./versions.js";

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
  const side = document.querySelector(".side");
  const scrolled = new Map(); // each tab opens where it was left, not where the one before was scrolled to
  const show = (tab) => {
    const before = tabs.find((other) => other.getAttribute("aria-selected") === "true");
    if (before && before !== tab) scrolled.set(before, side.scrollTop);
    for (const other of tabs) {
      const selected = other === tab;
      other.setAttribute("aria-selected", String(selected));
      other.tabIndex = selected ? 0 : -1;
      document.getElementById(other.getAttribute("aria-controls")).hidden = !selected;
    }
    if (before !== tab) side.scrollTop = scrolled.get(tab) || 0;
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

/** The catalog and the board (requested by startup.js), or null (with the reason on the canvas) when the board cannot be opened. */
async function load() {
  try {
    const [catalog, schema, board] = await loading;
    if (board) return { catalog: new Catalog(catalog, schema), board };
    $("#canvas").textContent = "This board does not exist, or this link no longer opens it (it may have been replaced by a new one).";
  } catch (error) {
    $("#canvas").textContent = `The board could not be loaded: ${error.message}`;
  }
  return null;
}

async function start() {
  const root = $("#editor");
  const boardId = root.dataset.boardId;
  const message = toaster($("#toast"));
  const loaded = await load();
  if (!loaded) return;
  const { catalog, board } = loaded;
  await sketched; // painted first: the board shows while the canvas draws it

  performance.mark("editor:data-loaded"); // the benchmark times drawing from here
  const state = new BoardState(catalog, board);
  const editor = new Editor($("#canvas"), state, { onMessage: message, minimapContainer: $("#minimap") });
  const timeline = new UndoTimeline(editor, state);
  bindTitle($("#board-title"), state, boardId);
  new FrameworkPanel($("#panel-framework"), state, { onShowFault: (fault) => editor.focus(fault.target) });
  new PropertiesPanel($("#panel-properties"), editor, state, { onMessage: message });
  new Palette($("#palette"), catalog, editor);
  showSaveStatus($("#save-status"), state);
  const autosave = new Autosave(state, { boardId, onMessage: message, chooseVersion: conflictDialog($("#conflict")) });
  // The page's one live connection to the board: run progress and results, edits of others, who is here.
  const socket = new BoardSocket(boardId, { protocols: socketProtocols });
  const live = new LiveEditing(state, socket, { onMessage: message });
  new Presence($("#presence"), { socket, editor });

  const versions = new VersionsPanel($("#panel-versions"), { boardId, state, editor, onMessage: message });
  const showTab = setupTabs((name) => {
    root.dataset.side = name; // the Results tab gets a wider side panel for its charts
    if (name === "versions") versions.refresh();
  });
  editor.onSelectionChange(({ added }) => added.length && !replay.open && showTab("properties"));
  const canRun = board.role !== "view"; // a run is a write: a view link sees runs but starts none
  // The mock interview: the server's session, its clock in the app bar, its tab, and the replay over the canvas.
  const interview = new InterviewSession({ boardId, socket, onMessage: message });
  const replay = new Replay($("#replay"), { wrap: $(".canvas-wrap"), editor, state, interview, onMessage: message });
  new InterviewClock($("#timer"), interview, { canStart: canRun, onOpen: () => showTab("interview") });
  new InterviewPanel($("#panel-interview"), interview, { state, socket, canStart: canRun, onReplay: () => replay.show() });
  const runs = installRunUi({ boardId, editor, state, socket, onMessage: message, showTab, canRun });
  installToolbar(editor, timeline, state);
  installExportMenu($("#export-menu"), { editor, boardId, title: () => state.board().title, onMessage: message });
  // Share dialog, the read-only editor of a view link, live reloads for viewers, revoked links.
  installAccess({ board, editor, state, socket, onMessage: message, reload: async () => state.replace(await api.getBoard(boardId)) });
  installWhiteboardTools($(".canvas-wrap"), editor); // after access: a view link gets no tools that edit

  // The browser tests' and the benchmarks' hook: the board state and the parts that send and draw it.
  window.boardEditor = { state, editor, timeline, autosave, live, socket, runs, interview, replay };

  // Fit once the canvas has its final size (the grid layout settles after the first frame).
  requestAnimationFrame(() => {
    const box = $("#canvas").getBoundingClientRect();
    editor.graph.resize(box.width, box.height);
    if (state.nodes().length) editor.fit();
    root.dataset.ready = "true";
    // The chart library, now that the board is drawn, so results open without waiting for it (charts.js).
    setTimeout(() => loadCharts().catch((error) => console.error("The chart library did not load:", error)));
  });
  socket.connect();
}

start();
