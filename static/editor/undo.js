// One undo timeline across canvas edits (X6 history) and board-level edits (title, requirements, notes,
// faults), local edits only: others' live edits are never a step.

const BURST_MS = 800;
const BOARD_KEYS = ["title", "requirements", "traffic", "notes", "faults"];
const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);

/** `now`'s faults with those a step changed (by id) set back, or again, to `target`'s; the others' stay. */
function faultsChanged(now = [], target = [], other = []) {
  const wanted = new Map(target.map((fault) => [fault.id, fault]));
  const was = new Map(other.map((fault) => [fault.id, fault]));
  const changed = new Set([...wanted.keys(), ...was.keys()].filter((id) => !same(wanted.get(id), was.get(id))));
  const out = now.filter((fault) => !changed.has(fault.id) || wanted.has(fault.id))
    .map((fault) => (changed.has(fault.id) ? wanted.get(fault.id) : fault));
  for (const id of changed) if (wanted.has(id) && !out.some((fault) => fault.id === id)) out.push(wanted.get(id));
  return structuredClone(out);
}

/**
 * The board-level state `now` with only the fields a step changed set back (or again) to `target`:
 * what others changed since, live, stays.
 */
function onlyChanged(now, target, other) {
  const out = structuredClone(now);
  if (target.title !== other.title) out.title = target.title;
  out.faults = faultsChanged(now.faults, target.faults, other.faults);
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
      // Deleting a component also removes the faults on it: one step puts back both.
      const board = this.riding;
      this.riding = null;
      this.push(board ? { canvas: true, ...board } : "canvas");
    });
    state.on("change", (change) => this.follow(change));
  }

  /** The board-level state: title, requirements, traffic, notes, faults. */
  read(fields = this.state.board()) {
    const { title, requirements, traffic, notes, faults } = fields;
    return structuredClone({ title, requirements, traffic, notes, faults });
  }

  follow(change) {
    if (change.origin === "load") {
      this.reset(); // a loaded, merged or restored board starts a new undo history
      return;
    }
    if (!change.board.some((key) => BOARD_KEYS.includes(key)) || change.source === this) return;
    if (change.origin === "local" && change.source === this.editor) {
      // The canvas's own edit (a deleted component taking its faults along) is undone by its canvas
      // step, which X6 records right after; a replayed one is that step already.
      if (!this.replaying) this.rideAlong(this.read(change.boardBefore));
      return;
    }
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

  /** Board-level changes made by a canvas edit join the canvas step X6 is about to record. */
  rideAlong(before) {
    if (!this.riding) {
      clearTimeout(this.timer);
      if (this.burst) this.burst.after = before; // a burst of typing just before keeps its own step
      this.burst = null;
      const riding = { before, after: null };
      this.riding = riding;
      // A canvas write that X6 records no step for (none is known) still gets a step of its own.
      queueMicrotask(() => {
        if (this.riding !== riding) return;
        this.riding = null;
        this.push({ before: riding.before, after: riding.after });
      });
    }
    this.riding.after = this.read();
    this.settled = this.read();
  }

  reset() {
    clearTimeout(this.timer);
    this.riding = null;
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
    this.replay(() => {
      if (entry === "canvas" || entry.canvas) canvasStep();
      if (entry !== "canvas") this.state.setBoard(onlyChanged(this.read(), entry[side], entry[other]), { source: this });
    });
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
