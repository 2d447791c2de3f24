// Live co-editing: local edits go to the server as ops over the board socket, the others' edits come back and are drawn.
//
// The state is the last document the server confirmed (`autosave.saved`, at `autosave.version`) plus
// the local changes not confirmed yet, which are always the difference between that document and
// the editor's. Server messages are applied to the confirmed document in version order; local
// changes are then re-applied on top (field by field), so a remote edit never undoes a local one
// in flight and every screen ends on the server's result. While the socket is down, the REST
// autosave stores edits as before; on reconnect the two are brought back in step.

import { applyOps, diffOps, diffPatch, mergePatch } from "./docops.js";
import { edgeLook } from "./editor.js";

const SEND_EVERY_MS = 40; // a drag shows on the other screens as motion, not as a jump
const GAP_WAIT_MS = 1000; // a version missing this long means a lost message: fetch the board
const RATE_RETRY_MS = 1000;

const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);

/**
 * A merge patch cannot set a field to null (null deletes it), so an unset requirement (null) and
 * a missing one are the same thing here: both read as "not set".
 */
function withoutNulls(document) {
  for (const section of ["requirements", "traffic"]) {
    if (document[section]) document[section] = Object.fromEntries(Object.entries(document[section]).filter(([, value]) => value !== null));
  }
  return document;
}

/** The part of merge patch `patch` that touches nothing `mask` touches. */
function outside(patch, mask) {
  const out = {};
  for (const [key, value] of Object.entries(patch)) {
    if (!(key in mask)) out[key] = value;
    else if (value && typeof value === "object" && !Array.isArray(value) && mask[key] && typeof mask[key] === "object" && !Array.isArray(mask[key])) {
      out[key] = outside(value, mask[key]);
    }
  }
  return out;
}

/** `document` with the unset (null) requirements and traffic fields of `shown` put back, so the panel keeps them. */
function keepingNulls(document, shown) {
  const out = structuredClone(document);
  for (const section of ["requirements", "traffic"]) {
    for (const [key, value] of Object.entries(shown[section] || {})) {
      if (value === null && !(key in (out[section] || {}))) out[section] = { ...out[section], [key]: null };
    }
  }
  return out;
}

export class LiveEditing {
  /**
   * @param {object} options
   *   socket     the page's BoardSocket
   *   autosave   holds the confirmed document and version, and saves over REST while the socket is down
   *   editor     the canvas
   *   read()     the document in the editor now
   *   showBoard(document)  puts title, requirements, traffic and notes into the page
   *   onMessage(text, tone)
   *   canEdit()  false for a view link: nothing is sent
   */
  constructor({ socket, autosave, editor, read, showBoard, onMessage, canEdit = () => true }) {
    Object.assign(this, { socket, autosave, editor, read, showBoard, onMessage, canEdit });
    this.active = false; // connected and in step with the server
    this.syncing = false;
    this.client = null;
    this.inFlight = null; // the edit sent and not answered yet
    this.unconfirmed = []; // own edits sent but not in the confirmed document yet, oldest first
    this.buffer = new Map(); // version -> {ops, id} for the confirmed document, arrived ahead of their turn
    this.sequence = 0;
    this.lastSent = 0;
    this.timer = null;
    this.gapTimer = null;
    this.waiters = [];
    // An edge being dragged out of a port is not an edit until it is dropped on a component.
    this.drawing = new Set();
    editor.graph.on("edge:added", ({ edge }) => !editor.loading && !edge.getTargetCellId() && this.drawing.add(edge.id));
    editor.graph.on("edge:connected", ({ edge }) => this.drawing.delete(edge.id) && this.schedule());
    editor.graph.on("edge:removed", ({ edge }) => this.drawing.delete(edge.id));
    autosave.live = this;
    socket.on("hello", (message) => this.hello(message));
    socket.on("close", () => this.closed());
    socket.on("sync", (message) => this.synced(message));
    socket.on("edit", (message) => this.deliver(message.version, { ops: message.ops }));
    socket.on("ack", (message) => this.acknowledged(message));
    socket.on("error", (message) => this.refused(message));
    socket.on("board.saved", (message) => message.version > this.version && this.requestSync());
  }

  get base() {
    return this.autosave.saved;
  }

  set base(document) {
    this.autosave.saved = document;
  }

  get version() {
    return this.autosave.version;
  }

  set version(number) {
    this.autosave.version = number;
  }

  /** The editor's document, without connections still being drawn. */
  local() {
    const document = withoutNulls(this.read());
    if (this.drawing.size) document.edges = document.edges.filter((edge) => !this.drawing.has(edge.id));
    return document;
  }

  /** The confirmed document with this page's own unconfirmed edits applied: what the server will hold. */
  expected() {
    // The REST autosave also sets the confirmed document (as the editor read it), hence the normalising.
    return this.unconfirmed.reduce((document, edit) => applyOps(document, edit.ops), this.normalise(this.base));
  }

  // ---- connection ----

  async hello(message) {
    this.client = message.client;
    // A REST save already under way finishes first; its own board.saved then needs no resync.
    if (this.autosave.inFlight) await this.autosave.inFlight;
    clearTimeout(this.autosave.timer);
    if (message.version === this.version) this.start();
    else this.requestSync();
  }

  closed() {
    this.active = false;
    this.syncing = false;
    // Stored or not, the next comparison with the server's document tells; the editor keeps them.
    this.inFlight = null;
    this.unconfirmed = [];
    this.buffer.clear();
    clearTimeout(this.timer);
    clearTimeout(this.gapTimer);
    this.wake();
    if (this.autosave.dirty()) this.autosave.schedule();
  }

  requestSync() {
    this.syncing = true;
    this.socket.send({ type: "sync" });
  }

  synced(message) {
    // The server answers in order, so the document it sends holds every edit sent before the request.
    this.rebase(() => {
      this.syncing = false;
      this.inFlight = null;
      this.unconfirmed = [];
      this.base = this.normalise(message.document);
      this.version = message.version;
    });
    for (const version of [...this.buffer.keys()]) if (version <= this.version) this.buffer.delete(version);
    this.start();
  }

  start() {
    this.active = true;
    this.drain();
    this.schedule(0);
  }

  // ---- the confirmed document, in version order ----

  deliver(version, edit) {
    if (!Number.isInteger(version) || version <= this.version) return;
    this.buffer.set(version, edit);
    this.drain();
  }

  drain() {
    if (this.syncing) return;
    while (this.buffer.has(this.version + 1)) {
      const edit = this.buffer.get(this.version + 1);
      this.buffer.delete(this.version + 1);
      this.rebase(() => {
        this.base = this.normalise(applyOps(this.base, edit.ops));
        this.version += 1;
        if (edit.id) this.unconfirmed = this.unconfirmed.filter((own) => own.id !== edit.id);
      });
    }
    clearTimeout(this.gapTimer);
    if (this.buffer.size) {
      this.gapTimer = setTimeout(() => this.buffer.size && this.requestSync(), GAP_WAIT_MS);
    }
  }

  /**
   * Change the confirmed document or the list of unconfirmed edits, keeping the changes made in
   * the editor since on top of it (field by field); redraw what differs.
   */
  rebase(change) {
    const before = this.local();
    const local = diffOps(this.expected(), before);
    change();
    this.show(before, this.normalise(applyOps(this.expected(), local)));
  }

  // ---- sending ----

  /** Called after every local edit: sends at most every SEND_EVERY_MS. */
  schedule(delay = null) {
    if (!this.active) return;
    clearTimeout(this.timer);
    const wait = delay ?? Math.max(0, this.lastSent + SEND_EVERY_MS - performance.now());
    this.timer = setTimeout(() => this.flush(), wait);
  }

  flush() {
    if (!this.active || this.syncing || this.inFlight || !this.canEdit()) return;
    const ops = diffOps(this.expected(), this.local());
    if (!ops.length) {
      if (!this.unconfirmed.length) this.autosave.setStatus("saved");
      this.wake();
      return;
    }
    this.sequence += 1;
    const id = `${this.client}-${this.sequence}`;
    if (!this.socket.send({ type: "edit", id, ops })) return;
    this.inFlight = { id, ops };
    this.unconfirmed.push(this.inFlight);
    this.lastSent = performance.now();
    this.autosave.setStatus("saving");
  }

  acknowledged(message) {
    if (!this.inFlight || message.id !== this.inFlight.id) return;
    const { id, ops } = this.inFlight;
    this.inFlight = null;
    this.deliver(message.version, { id, ops });
    this.wake();
    this.schedule();
  }

  refused(message) {
    if (!this.inFlight || message.id !== this.inFlight.id) return;
    const { id } = this.inFlight;
    this.inFlight = null;
    if (message.code === "rate_limited") {
      // Nothing was stored; the same changes go again (as a fresh diff) once the limit allows.
      this.unconfirmed = this.unconfirmed.filter((own) => own.id !== id);
      this.schedule(RATE_RETRY_MS);
      return;
    }
    const first = (message.errors || [])[0];
    const where = first && first.path ? ` (${first.path}: ${first.message})` : "";
    this.onMessage(`${message.detail}${where} The change was undone.`);
    // Taking the refused edit out of the expected document puts its elements back as the server has them.
    this.rebase(() => {
      this.unconfirmed = this.unconfirmed.filter((own) => own.id !== id);
    });
    this.wake();
    this.schedule();
  }

  /** Local changes the server has not confirmed yet (the order of components does not count). */
  pending() {
    return this.unconfirmed.length > 0 || diffOps(this.expected(), this.local()).length > 0;
  }

  /** Resolves when every local change is confirmed (or the socket dropped, or `timeout` passed). */
  async settle(timeout = 5000) {
    const end = performance.now() + timeout;
    while (this.active && performance.now() < end && this.pending()) {
      this.flush();
      await new Promise((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 250);
      });
    }
  }

  wake() {
    const waiters = this.waiters;
    this.waiters = [];
    for (const resolve of waiters) resolve();
  }

  // ---- drawing ----

  /** A document as the editor reads it back (kind defaults filled in), so comparing the two shows real edits only. */
  normalise(document) {
    const out = withoutNulls(structuredClone(document));
    // The page always has a title and these sections, if only empty.
    out.title = out.title ?? "";
    for (const section of ["requirements", "traffic", "notes"]) out[section] = out[section] || {};
    out.nodes = (out.nodes || []).filter((node) => this.editor.kind(node.kind)).map((node) => {
      const kind = this.editor.kind(node.kind);
      const position = node.position || {};
      return {
        ...node,
        label: node.label ?? kind.title,
        position: { x: Math.round(position.x ?? 0), y: Math.round(position.y ?? 0) },
        config: { ...structuredClone(kind.defaults), ...(node.config || {}) },
      };
    });
    out.edges = (out.edges || []).map((edge) => {
      const { label, ...rest } = edge;
      return { ...rest, mode: edge.mode || "sync", latency_ms: edge.latency_ms ?? 0, ...(label ? { label } : {}) };
    });
    return out;
  }

  /** Redraw the differences between two documents, as nobody's undoable edit. */
  show(before, after) {
    const graph = this.editor.graph;
    const changed = (list) => {
      const old = new Map((before[list] || []).map((item) => [item.id, item]));
      const now = new Map((after[list] || []).map((item) => [item.id, item]));
      return {
        gone: [...old.keys()].filter((id) => !now.has(id)),
        added: [...now.values()].filter((item) => !old.has(item.id)),
        updated: [...now.values()].filter((item) => old.has(item.id) && !same(old.get(item.id), item)).map((item) => [old.get(item.id), item]),
      };
    };
    const nodes = changed("nodes");
    const edges = changed("edges");
    const boardChanged = ["title", "requirements", "traffic", "notes"].some((key) => !same(before[key], after[key]));
    if (!nodes.gone.length && !nodes.added.length && !nodes.updated.length && !edges.gone.length && !edges.added.length && !edges.updated.length && !boardChanged) return;
    this.editor.loading = true;
    this.editor.history.disable();
    try {
      for (const id of edges.gone) graph.removeCell(id);
      for (const id of nodes.gone) graph.removeCell(id);
      for (const node of nodes.added) graph.addNode(this.editor.nodeMetadata(node));
      for (const [old, node] of nodes.updated) this.updateNode(old, node);
      for (const [old, edge] of edges.updated) {
        if (old.source !== edge.source || old.target !== edge.target) {
          graph.removeCell(edge.id);
          edges.added.push(edge);
        } else this.updateEdge(edge);
      }
      for (const edge of edges.added) graph.addEdge(this.editor.edgeMetadata(edge));
      if (boardChanged) this.showBoard(keepingNulls(after, this.read()));
    } finally {
      this.editor.history.enable();
      this.editor.loading = false;
    }
  }

  updateNode(old, node) {
    const cell = this.editor.graph.getCellById(node.id);
    if (!cell) return;
    if (old.kind !== node.kind) {
      this.editor.graph.removeCell(node.id);
      this.editor.graph.addNode(this.editor.nodeMetadata(node));
      return;
    }
    if (!same(old.position, node.position)) cell.setPosition(node.position.x, node.position.y);
    if (old.label !== node.label) cell.attr("label/text", node.label);
    const { data } = this.editor.nodeMetadata(node);
    this.setDataKeepingHistory(cell, data);
  }

  /**
   * Set a cell's data from someone else's edit, and write the fields it changed into this page's
   * undo steps for the cell (those the step did not change itself), so undoing one's own property
   * edit does not also undo theirs.
   */
  setDataKeepingHistory(cell, data) {
    const remote = diffPatch(cell.getData() || {}, data);
    if (!remote) return;
    cell.setData(data, { overwrite: true });
    const { undoStack, redoStack } = this.editor.history;
    for (const command of [...undoStack, ...redoStack].flat()) {
      const step = command.data;
      if (!step || step.id !== cell.id || step.key !== "data" || !step.prev || !step.next) continue;
      const own = diffPatch(step.prev.data || {}, step.next.data || {}) || {};
      const theirs = outside(remote, own);
      step.prev.data = mergePatch(step.prev.data, theirs);
      step.next.data = mergePatch(step.next.data, theirs);
    }
  }

  updateEdge(edge) {
    const cell = this.editor.graph.getCellById(edge.id);
    if (!cell) return;
    const { data } = this.editor.edgeMetadata(edge);
    const look = edgeLook(data);
    this.setDataKeepingHistory(cell, data);
    cell.attr("line/stroke", look.attrs.line.stroke);
    cell.attr("line/strokeDasharray", look.attrs.line.strokeDasharray);
    cell.setLabels(look.labels);
  }
}
