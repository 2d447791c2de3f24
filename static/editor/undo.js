// One undo timeline across canvas edits (X6 history) and board-level edits (title, requirements, notes),
// local edits only: others' live edits are never a step.

const BURST_MS = 800;
const BOARD_KEYS = ["title", "requirements", "traffic", "notes"];

/**
 * The board-level state `now` with only the fields a step changed set back (or again) to `target`:
 * what others changed since, live, stays.
 */
function onlyChanged(now, target, other) {
  const out = structuredClone(now);
  if (target.title !== other.title) out.title = target.title;
  for (const section of ["requirements", "traffic", "notes"]) {
    const wanted = target[section] || {};
    const was = other[section] || {};
    for (const key of new Set([...Object.keys(wanted), ...Object.keys(was)])) {
      if (JSON.stringify(wanted[key]) === JSON.stringify(was[key])) continue;
      out[section] = { ...out[section] };
      if (key in wanted) out[section][key] = structuredClone(wanted[key]);
      else delete out[section][key];
    }
  }
  return out;
}

export class UndoTimeline {
  /**
   * @param {import("./editor.js").Editor} editor  the canvas, whose X6 history undoes canvas edits
   * @param {import("./store.js").BoardState} state  holds the board-level fields
   */
  constructor(editor, state) {
    this.editor = editor;
    this.state = state;
    this.listeners = new Set();
    this.reset();
    // X6 announces each command it records; the timeline keeps their order among board edits.
    editor.onUndoableEdit(() => {
      if (this.replaying) return;
      this.settle(); // a canvas edit ends a burst of typing, so each keeps its own step
      this.push("canvas");
    });
    state.on("change", (change) => this.follow(change));
  }

  /** The board-level state: title, requirements, traffic, notes. */
  read() {
    const { title, requirements, traffic, notes } = this.state.board();
    return structuredClone({ title, requirements, traffic, notes });
  }

  follow(change) {
    if (change.origin === "load") {
      this.reset(); // a loaded, merged or restored board starts a new undo history
      return;
    }
    if (!change.board.some((key) => BOARD_KEYS.includes(key)) || change.source === this) return;
    if (change.origin === "local") {
      this.boardChanged();
      return;
    }
    // Someone else's change (live): not a step, and no step of ours covers it.
    clearTimeout(this.timer);
    if (this.burst) this.burst.after = structuredClone(change.boardBefore);
    this.burst = null;
    this.settled = this.read();
  }

  /** `handler()` after every change of what can be undone or redone. */
  onChange(handler) {
    this.listeners.add(handler);
  }

  changed() {
    for (const handler of this.listeners) handler();
  }

  reset() {
    clearTimeout(this.timer);
    this.done = [];
    this.undone = [];
    this.burst = null;
    this.settled = this.read();
    this.replaying = false;
    this.changed();
  }

  push(entry) {
    this.done.push(entry);
    this.undone = [];
    this.changed();
  }

  /** After each board-level edit: a burst of typing becomes a single undo step. */
  boardChanged() {
    if (this.replaying) return;
    clearTimeout(this.timer);
    if (!this.burst) {
      this.burst = { before: this.settled, after: null };
      this.push(this.burst);
    }
    this.timer = setTimeout(() => this.settle(), BURST_MS);
  }

  settle() {
    clearTimeout(this.timer);
    if (this.burst) this.burst.after = this.read();
    this.burst = null;
    this.settled = this.read();
  }

  canUndo() {
    return this.done.length > 0;
  }

  canRedo() {
    return this.undone.length > 0;
  }

  undo() {
    this.move(this.done, this.undone, () => this.editor.undo(), "before");
  }

  redo() {
    this.move(this.undone, this.done, () => this.editor.redo(), "after");
  }

  /** Take the newest entry off one stack, replay it in the given direction, keep it on the other. */
  move(from, to, canvasStep, side) {
    this.settle();
    const entry = from.pop();
    if (!entry) return;
    const other = side === "before" ? "after" : "before";
    this.replay(() => (entry === "canvas"
      ? canvasStep()
      : this.state.setBoard(onlyChanged(this.read(), entry[side], entry[other]), { source: this })));
    to.push(entry);
    this.changed();
  }

  replay(step) {
    this.replaying = true;
    try {
      step();
    } finally {
      this.replaying = false;
      this.settled = this.read();
    }
  }
}
