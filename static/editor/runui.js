// Wires the Run button, its progress bar and Cancel, the Results tab and the canvas overlay together.

import { CanvasOverlay } from "./overlay.js";
import { ResultsPanel } from "./results.js";
import { RunController } from "./runs.js";

const STATUS_TEXT = { queued: "Queued…", running: "Simulating" };

/**
 * @returns {{controller, panel, overlay}} for main.js (and the browser tests through window.boardEditor.runs)
 * canRun: false for a view-only page (a run is a write); it still sees the runs others start.
 */
export function installRunUi({ boardId, editor, socket, beforeRun, onMessage, showTab, canRun = true }) {
  const $ = (selector) => document.querySelector(selector);
  const button = $("#action-run");
  const box = $("#run-status");
  const bar = $("#run-progress");
  const text = $("#run-status-text");
  const overlay = new CanvasOverlay(editor);

  const showProgress = (run) => {
    box.hidden = false;
    box.dataset.status = run.status;
    bar.value = run.progress || 0;
    text.textContent = run.status === "running" ? `${STATUS_TEXT.running} ${Math.round(100 * (run.progress || 0))}%` : STATUS_TEXT[run.status] || run.status;
    button.disabled = true;
    $("#action-cancel-run").hidden = !canRun;
    panel.setState("running");
  };
  const finished = (run) => {
    box.hidden = true;
    button.disabled = !canRun;
    const first = !panel.run;
    panel.show(run);
    showTab("results");
    // The Results tab narrows the canvas: bring the whole board, with its badges, back into view.
    if (first && run.status === "succeeded") setTimeout(() => editor.graph.zoomToFit({ padding: 48, maxScale: 1 }), 80);
    if (run.status === "failed") onMessage(`The run failed: ${run.error}`, "warning");
  };

  const controller = new RunController({
    boardId, socket, beforeRun, onMessage,
    onProgress: showProgress,
    onFinished: finished,
    onSweep: (sweep) => sweep.status !== "running" && panel.showSweep(sweep), // a sweep someone else started
  });
  const panel = new ResultsPanel($("#panel-results"), {
    boardId, editor, overlay, controller, onMessage, showTab, canRun,
    applyReplicas: (replicas) => {
      // One undo step for the whole proposal.
      editor.graph.startBatch("rightsize");
      for (const [id, count] of Object.entries(replicas)) {
        const node = editor.graph.getCellById(id);
        if (node && node.isNode()) editor.setNodeConfig(node, "replicas", count);
      }
      editor.graph.stopBatch("rightsize");
      onMessage("Replica counts applied. Press Run to check them, or Ctrl+Z to undo.", "info");
    },
  });

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
  panel.showLatest();
  return { controller, panel, overlay };
}
