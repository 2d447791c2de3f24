// One undo timeline across canvas edits (X6 history) and board-level edits (title, requirements, notes).

const BURST_MS = 800;

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
   * @param editor  the canvas, whose X6 history undoes canvas edits
   * @param read    () => the board-level state (title, requirements, traffic, notes)
   * @param apply   (state) => puts a board-level state back into the page
   */
  constructor(editor, { read, apply, onChange }) {
    this.editor = editor;
    this.read = read;
    this.apply = apply;
    this.onChange = onChange;
    this.reset();
    // X6 announces each command it records; the timeline keeps their order among board edits.
    editor.graph.on("history:add", () => {
      if (this.replaying) return;
      this.settle(); // a canvas edit ends a burst of typing, so each keeps its own step
      this.push("canvas");
    });
  }

  reset() {
    clearTimeout(this.timer);
    this.done = [];
    this.undone = [];
    this.burst = null;
    this.settled = this.read();
    this.replaying = false;
    this.onChange?.();
  }

  push(entry) {
    this.done.push(entry);
    this.undone = [];
    this.onChange?.();
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

  /** A board-level change made by someone else (live): not a step, and no step of ours covers it. */
  outsideChange(change) {
    this.settle();
    change();
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
    this.replay(() => (entry === "canvas" ? canvasStep() : this.apply(onlyChanged(this.read(), entry[side], entry[other]))));
    to.push(entry);
    this.onChange?.();
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
