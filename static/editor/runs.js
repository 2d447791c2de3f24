// Runs of the board: start, cancel, follow progress over the WebSocket (polling when it is down), and sweeps.

import { ApiError, OfflineError, api } from "./api.js";

const POLL_MS = 1000; // only while the WebSocket is down, or as a safety net every few seconds
const SAFETY_POLL_MS = 4000;
const SWEEP_POLL_MS = 800;

export function explainError(error) {
  if (error instanceof OfflineError) return "the server did not answer; check your connection and try again";
  if (error instanceof ApiError) {
    const located = (error.body.errors || []).map((e) => (e.path ? `${e.path}: ${e.message}` : e.message));
    return located.length ? located.join("; ") : error.message;
  }
  return error.message || String(error);
}

/**
 * Follows the board's current run (one at a time in the UI) and tells listeners:
 *   onProgress(run)  queued / started / progress, for everyone viewing the board
 *   onFinished(run)  succeeded (with results), failed (with the reason) or cancelled
 */
export class RunController {
  constructor({ boardId, socket, beforeRun, onProgress, onFinished, onSweep, onMessage }) {
    Object.assign(this, { boardId, socket, beforeRun, onProgress, onFinished, onSweep, onMessage });
    this.active = null; // {id, status, progress}
    this.timer = null;
    socket.on("hello", (message) => this.greeted(message));
    socket.on("run.queued", ({ run }) => this.update(run));
    socket.on("run.started", ({ run }) => this.update(run));
    socket.on("run.progress", (message) => {
      if (this.active && message.run_id === this.active.id) this.update({ ...this.active, status: "running", progress: message.progress });
    });
    // Runs of a load curve or right-sizing are followed through their sweep, not one by one.
    socket.on("run.finished", ({ run }) => !run.sweep_id && this.finish(run));
    socket.on("sweep.finished", ({ sweep }) => this.onSweep?.(sweep));
    socket.on("close", () => this.poll(POLL_MS));
  }

  /** A page that connects mid-run learns where the run stands. */
  greeted({ active_runs: active = [] }) {
    const run = active.filter((r) => !r.sweep_id).sort((a, b) => (a.queued_at < b.queued_at ? 1 : -1))[0];
    if (run) this.update(run);
    else if (this.active) this.refresh(); // it may have finished while we were away
  }

  async start(options = {}) {
    if (this.active) return;
    try {
      await this.beforeRun?.();
      const run = await api.startRun(this.boardId, options);
      this.update({ ...run, progress: 0 });
    } catch (error) {
      const retry = error instanceof ApiError && error.status === 429 ? " Wait for a run to finish, then try again." : "";
      this.onMessage(`The run could not start: ${explainError(error)}.${retry}`, "warning");
    }
  }

  async cancel() {
    if (!this.active) return;
    try {
      this.finish(await api.cancelRun(this.active.id));
    } catch (error) {
      this.onMessage(`The run could not be cancelled: ${explainError(error)}`, "warning");
    }
  }

  update(run) {
    if (run.sweep_id) return;
    if (["succeeded", "failed", "cancelled"].includes(run.status)) {
      this.finish(run);
      return;
    }
    const progress = Math.max(run.progress ?? 0, this.active?.id === run.id ? this.active.progress : 0);
    this.active = { id: run.id, status: run.status, progress };
    this.onProgress(this.active);
    this.poll(this.socket.connected ? SAFETY_POLL_MS : POLL_MS);
  }

  async finish(run) {
    if (!this.active || this.active.id !== run.id) {
      // A run finishing that this page was not following (started before it opened): still show it.
      if (run.status !== "succeeded") return;
    }
    clearTimeout(this.timer);
    this.active = null;
    if (run.status === "succeeded" && !run.results) {
      try {
        run = await api.run(run.id);
      } catch (error) {
        this.onMessage(`The results could not be loaded: ${explainError(error)}`, "warning");
        return;
      }
    }
    this.onFinished(run);
  }

  poll(delay) {
    clearTimeout(this.timer);
    if (!this.active) return;
    this.timer = setTimeout(() => this.refresh(), delay);
  }

  async refresh() {
    if (!this.active) return;
    try {
      const run = await api.run(this.active.id);
      if (["succeeded", "failed", "cancelled"].includes(run.status)) this.finish(run);
      else this.update(run);
    } catch {
      this.poll(this.socket.connected ? SAFETY_POLL_MS : POLL_MS * 2);
    }
  }

  // ---- load curves and right-sizing ----

  async startSweep(kind, options = {}) {
    await this.beforeRun?.();
    return kind === "rightsize" ? api.startRightsize(this.boardId, options) : api.startLoadCurve(this.boardId, options);
  }

  /** Polls a sweep until it ends; onTick(sweep) after every answer. Resolves with the finished sweep. */
  async followSweep(sweepId, onTick) {
    for (;;) {
      let sweep;
      try {
        sweep = await api.sweep(sweepId);
      } catch (error) {
        if (!(error instanceof OfflineError)) throw error;
      }
      if (sweep) {
        onTick(sweep);
        if (sweep.status !== "running") return sweep;
      }
      await new Promise((resolve) => setTimeout(resolve, SWEEP_POLL_MS));
    }
  }
}
