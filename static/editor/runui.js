// Wires the Run button, its progress bar and Cancel, the Results tab's parts, the canvas overlay and its timeline playback together.

import { CanvasOverlay } from "./overlay.js";
import { Playback } from "./playback.js";
import { RunResults } from "./results.js";
import { RunHistory } from "./runhistory.js";
import { RunController } from "./runs.js";
import { SweepPanels } from "./sweeps.js";
import { keepDiagramInView } from "./viewport.js";

const STATUS_TEXT = { queued: "Queued…", running: "Simulating" };

/**
 * @returns {{controller, results, history, sweeps, overlay, playback}} for main.js (and the browser tests through window.boardEditor.runs)
 * canRun: false for a view-only page (a run is a write); it still sees the runs others start.
 */
export function installRunUi({ boardId, editor, state, socket, onMessage, showTab, canRun = true }) {
  const $ = (selector) => document.querySelector(selector);
  const button = $("#action-run");
  const box = $("#run-status");
  const bar = $("#run-progress");
  const text = $("#run-status-text");
  const tab = $("#panel-results");
  const overlay = new CanvasOverlay(editor, state);
  // The Results tab widens the side panel: what was on the canvas stays in view, on every run.
  keepDiagramInView(editor, $("#minimap"));
  const playback = new Playback($("#playback"), { overlay, catalog: state.catalog });
  const results = new RunResults(tab, { state, editor, overlay, playback });
  const history = new RunHistory({
    boardId, onMessage,
    onOpen: (run) => {
      history.refresh();
      results.show(run);
    },
  });

  const showProgress = (run) => {
    box.hidden = false;
    box.dataset.status = run.status;
    bar.value = run.progress || 0;
    text.textContent = run.status === "running" ? `${STATUS_TEXT.running} ${Math.round(100 * (run.progress || 0))}%` : STATUS_TEXT[run.status] || run.status;
    button.disabled = true;
    $("#action-cancel-run").hidden = !canRun;
    results.setState("running");
  };
  const finished = (run) => {
    box.hidden = true;
    button.disabled = !canRun;
    const first = !results.run;
    history.onOpen(run);
    showTab("results");
    // The Results tab narrows the canvas: bring the whole board, with its badges, back into view.
    if (first && run.status === "succeeded") setTimeout(() => editor.fit(), 80);
    if (run.status === "failed") onMessage(`The run failed: ${run.error}`, "warning");
  };

  const controller = new RunController({
    boardId, socket, onMessage,
    beforeRun: () => state.flush(), // a run simulates the stored board: store the latest edits first
    onProgress: showProgress,
    onFinished: finished,
    onSweep: (sweep) => sweep.status !== "running" && sweeps.showSweep(sweep), // a sweep someone else started
  });
  const sweeps = new SweepPanels({ state, controller, canRun, onMessage });
  tab.append(...results.elements, ...sweeps.elements, history.element);

  button.disabled = !canRun;
  if (!canRun) button.title = "View-only link: runs are started by editors; their results appear here.";
  button.addEventListener("click", () => controller.start());
  $("#action-cancel-run").addEventListener("click", () => controller.cancel());
  document.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey) && canRun && !button.disabled) {
      event.preventDefault();
      controller.start();
    }
  });
  history.showLatest(() => results.run);
  return { controller, results, history, sweeps, overlay, playback };
}
