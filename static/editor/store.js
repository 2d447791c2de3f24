// BoardState: the one owner of the board in the editor, as plain records (UI state such as the
// selection, the view and run results stays with the views).
//
// It holds three things:
// - the confirmed document and its version: what the server last said it stores;
// - the local document: the records the page shows, with the local changes not confirmed yet. Its
//   difference from the confirmed document (plus this page's own edits sent and not answered yet)
//   is what still has to reach the server;
// - the remote changes being applied: others' edits confirmed by the server, taken in version
//   order. Each one moves the confirmed document on, and the local changes are re-applied on top of
//   it field by field (a rebase), so a remote edit never undoes a local one in flight.
//
// Who talks to it (see README, "static/editor"):
// - views draw from it and write to it: the canvas (editor.js), the title, the properties and
//   framework panels, the undo timeline, the right-sizing proposal. Every write names its `source`;
//   `on("change", ...)` tells everyone, and a view skips the changes it made itself;
// - two senders take its local changes to the server: REST autosave (autosave.js) and live editing
//   over the WebSocket (collab.js). One sends at a time (`sendThrough`); `flush()` waits for it.
//
// Records are frozen: a change always makes new ones, so a document handed out never changes under
// whoever holds it.

import { applyOps, diffOps } from "./docops.js";
import { Listeners } from "./events.js";
import { locate } from "./problems.js";

const NULLABLE_SECTIONS = ["requirements", "traffic"];
const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);

function freeze(value) {
  if (value && typeof value === "object" && !Object.isFrozen(value)) {
    for (const inner of Object.values(value)) freeze(inner);
    Object.freeze(value);
  }
  return value;
}

/**
 * A merge patch cannot set a field to null (null deletes it), so an unset requirement (null) and a
 * missing one are the same thing to the server: the comparable form leaves both out.
 */
function withoutNulls(document) {
  const out = { ...document };
  for (const section of NULLABLE_SECTIONS) {
    if (out[section]) out[section] = Object.fromEntries(Object.entries(out[section]).filter(([, value]) => value !== null));
  }
  return out;
}

/** `document` with the unset (null) requirement and traffic fields of `shown` put back, so the panels keep them. */
function keepingNulls(document, shown) {
  const out = { ...document };
  for (const section of NULLABLE_SECTIONS) {
    for (const [key, value] of Object.entries(shown[section] || {})) {
      if (value === null && !(key in (out[section] || {}))) out[section] = { ...out[section], [key]: null };
    }
  }
  return out;
}

/** Records by id before and after a change: {added, removed, updated: [[before, after]]}. */
function split(byId) {
  const out = { added: [], removed: [], updated: [] };
  for (const { before, after } of byId.values()) {
    if (!before && after) out.added.push(after);
    else if (before && !after) out.removed.push(before);
    else if (before && after && !same(before, after)) out.updated.push([before, after]);
  }
  return out;
}

/**
 * A merge patch cannot store a null either (it deletes the key), so a setting that is off (null) and one
 * that is missing are the same thing to the server: the record form leaves out the null sub-fields of
 * object settings, and (`dropNulls`) the settings themselves.
 */
function compact(values, fields, { dropNulls = false } = {}) {
  const out = { ...values };
  for (const field of fields) {
    const value = out[field.name];
    if (value === null && dropNulls) delete out[field.name];
    else if (field.type === "object" && value && typeof value === "object") {
      out[field.name] = Object.fromEntries(Object.entries(value).filter(([, inner]) => inner !== null));
    }
  }
  return out;
}

function note(byId, id, before, after) {
  if (byId.has(id)) byId.get(id).after = after;
  else byId.set(id, { before, after });
}

export class BoardState {
  /**
   * @param {import("./catalog.js").Catalog} catalog
   * @param {{document: object, version: number}} board  as the API answered it
   */
  constructor(catalog, { document, version }) {
    this.catalog = catalog;
    this.listeners = new Listeners("board state"); // a broken view is a bug: reported as an error
    this.readOnly = false; // a view link: nothing local is ever sent, and nothing counts as unsaved
    this.status = { state: "saved", detail: "" };
    this.sender = null;
    this.fallback = null;
    this.sent = []; // this page's edits sent and not confirmed yet, oldest first: {id, ops}
    this.ahead = new Map(); // version -> {ops, id}: confirmed edits that arrived before their turn
    this.open = null; // the change being gathered by batch()
    this.problems = []; // what the server refused, located: [{element, id, field, message}]
    this.setLocal(this.normalise(document));
    this.setConfirmed(this.current(), version, { normalised: true });
  }

  // ---- events ----

  /**
   * `on("change", (change) => ...)`: the local document changed. `change.origin` is "local" (an edit
   * on this page, by `change.source`), "remote" (others' edits, rebased) or "load" (a whole new
   * document: merged, restored, chosen); `change.nodes` and `change.edges` hold {added, removed,
   * updated: [[before, after]]} records, `change.board` the top-level fields that changed and
   * `change.boardBefore` their values before.
   * `on("status", ({state, detail}) => ...)`: how far the local changes are from the server.
   * `on("problems", (problems) => ...)`: the server refused values (see `refused`), or they were edited since.
   * Returns a function that removes the handler.
   */
  on(type, handler) {
    return this.listeners.on(type, handler);
  }

  emit(type, payload) {
    this.listeners.emit(type, payload);
  }

  // ---- reading ----

  /** The local document: what the page shows, as the API stores it. */
  current() {
    return { ...this.fields, nodes: [...this.nodeMap.values()], edges: [...this.edgeMap.values()] };
  }

  /** Title, requirements, traffic, notes, faults and any other top-level field (nodes and edges apart). */
  board() {
    return this.fields;
  }

  /** The board's timed faults, in board order. */
  faults() {
    return this.fields.faults;
  }

  fault(id) {
    return this.fields.faults.find((fault) => fault.id === id);
  }

  /** The board's texts, sticky notes and frames, in board order (back to front). */
  annotations() {
    return this.fields.annotations || [];
  }

  annotation(id) {
    return this.annotations().find((item) => item.id === id);
  }

  /** The faults that act on one component or connection. */
  faultsOn(targetId) {
    return this.fields.faults.filter((fault) => fault.target === targetId);
  }

  node(id) {
    return this.nodeMap.get(id);
  }

  edge(id) {
    return this.edgeMap.get(id);
  }

  nodes() {
    return [...this.nodeMap.values()];
  }

  edges() {
    return [...this.edgeMap.values()];
  }

  /** A component's label (a connection's: "Gateway → Ranker"), or its id when it has none (or is gone). */
  labelOf(id) {
    const node = this.nodeMap.get(id);
    const edge = !node && this.edgeMap.get(id);
    if (edge) return `${this.labelOf(edge.source)} → ${this.labelOf(edge.target)}`;
    return node?.label || id;
  }

  get version() {
    return this.confirmed.version;
  }

  confirmedDocument() {
    return this.confirmed.document;
  }

  // ---- local writes (each names its source, which skips its own change when drawing) ----

  putNode(node, { source = null } = {}) {
    const record = this.nodeRecord(node);
    const before = record && this.nodeMap.get(record.id);
    if (!record || (before && same(before, record))) return;
    this.write(source, (change) => {
      note(change.nodes, record.id, before, record);
      this.nodeMap.set(record.id, record);
    });
  }

  /** Removes a component, its connections and the faults on them (a fault needs its target). */
  removeNode(id, { source = null } = {}) {
    if (!this.nodeMap.has(id)) return;
    this.write(source, (change) => {
      const gone = new Set([id]);
      for (const edge of this.edgeMap.values()) {
        if (edge.source === id || edge.target === id) {
          note(change.edges, edge.id, edge, undefined);
          this.edgeMap.delete(edge.id);
          gone.add(edge.id);
        }
      }
      note(change.nodes, id, this.nodeMap.get(id), undefined);
      this.nodeMap.delete(id);
      this.dropFaultsOn(gone);
    });
  }

  putEdge(edge, { source = null } = {}) {
    const record = this.edgeRecord(edge);
    const before = this.edgeMap.get(record.id);
    if (before && same(before, record)) return;
    this.write(source, (change) => {
      note(change.edges, record.id, before, record);
      this.edgeMap.set(record.id, record);
    });
  }

  removeEdge(id, { source = null } = {}) {
    if (!this.edgeMap.has(id)) return;
    this.write(source, (change) => {
      note(change.edges, id, this.edgeMap.get(id), undefined);
      this.edgeMap.delete(id);
      this.dropFaultsOn(new Set([id]));
    });
  }

  dropFaultsOn(targets) {
    const kept = this.fields.faults.filter((fault) => !targets.has(fault.target));
    if (kept.length !== this.fields.faults.length) this.fields = freeze({ ...this.fields, faults: kept });
  }

  /** Adds a fault, or replaces the one with its id (keeping its place in the list). */
  putFault(fault, { source = null } = {}) {
    this.putListed("faults", this.faultRecord(fault), source);
  }

  /** Adds a record to the top-level list `key`, or replaces the one with its id (keeping its place in the list). */
  putListed(key, record, source) {
    const list = this.fields[key] || [];
    const at = list.findIndex((other) => other.id === record.id);
    if (at >= 0 && same(list[at], record)) return;
    const next = at >= 0 ? list.map((other, index) => (index === at ? record : other)) : [...list, record];
    this.setBoard({ [key]: next }, { source });
  }

  removeFault(id, { source = null } = {}) {
    if (!this.fault(id)) return;
    this.setBoard({ faults: this.fields.faults.filter((fault) => fault.id !== id) }, { source });
  }

  /** Adds an annotation, or replaces the one with its id (keeping its place, so its depth, in the list). */
  putAnnotation(annotation, { source = null } = {}) {
    this.putListed("annotations", this.annotationRecord(annotation), source);
  }

  removeAnnotation(id, { source = null } = {}) {
    if (!this.annotation(id)) return;
    this.setBoard({ annotations: this.annotations().filter((item) => item.id !== id) }, { source });
  }

  /** Replaces fields of a component: `{label}`, `{config: {...node.config, replicas: 3}}`. */
  updateNode(id, fields, options) {
    const node = this.nodeMap.get(id);
    if (node) this.putNode({ ...node, ...fields }, options);
  }

  /** The same for a connection: `{mode}`, `{latency_ms}`; an empty `{label: ""}` removes its label. */
  updateEdge(id, fields, options) {
    const edge = this.edgeMap.get(id);
    if (edge) this.putEdge({ ...edge, ...fields }, options);
  }

  /** Replaces top-level fields: `{title}`, `{requirements}` (the whole section, unset fields as null), `{faults}`... */
  setBoard(fields, { source = null } = {}) {
    const next = { ...this.fields, ...fields };
    if (fields.faults) next.faults = fields.faults.map((fault) => this.faultRecord(fault));
    if (same(next, this.fields)) return;
    this.write(source, () => {
      this.fields = freeze(next);
    });
  }

  /** Several writes as one change (the canvas makes it one undo step). */
  batch(edit, { source = null } = {}) {
    if (this.open) {
      edit();
      return;
    }
    this.open = this.newChange("local", source);
    try {
      edit();
    } finally {
      const change = this.open;
      this.open = null;
      this.finish(change);
    }
  }

  write(source, apply) {
    const change = this.open || this.newChange("local", source);
    apply(change);
    if (!this.open) this.finish(change);
  }

  newChange(origin, source) {
    return { origin, source, nodes: new Map(), edges: new Map(), boardBefore: this.fields };
  }

  finish({ origin, source, nodes, edges, boardBefore }) {
    const board = Object.keys({ ...boardBefore, ...this.fields }).filter((key) => !same(boardBefore[key], this.fields[key]));
    const change = { origin, source, nodes: split(nodes), edges: split(edges), board, boardBefore };
    const { added, removed, updated } = change.nodes;
    const touched = added.length + removed.length + updated.length
      + change.edges.added.length + change.edges.removed.length + change.edges.updated.length + board.length;
    if (!touched) return;
    if (origin === "local") this.settleProblems(change);
    this.emit("change", change);
    if (origin === "local" && !this.readOnly) this.sender?.schedule();
  }

  // ---- what the server refused ----

  /**
   * The server refused `document` (an edit applied, or a save) with located errors
   * (`[{path, message}]`); each is kept, on its component, connection, fault or board field, until
   * that is edited again. Returns them located.
   */
  refused(errors, document) {
    this.problems = (errors || []).map((error) => locate(document, error));
    this.emit("problems", this.problems);
    return this.problems;
  }

  /** The problems of one component, connection or fault; `"board"` for the top-level fields. */
  problemsOf(id) {
    return this.problems.filter((problem) => (id === "board" ? problem.element === "board" : problem.id === id));
  }

  /** A local edit of an element (or a board field) answers the problems found on it. */
  settleProblems(change) {
    if (!this.problems.length) return;
    const ids = new Set();
    for (const list of [change.nodes, change.edges]) {
      for (const record of [...list.added, ...list.removed, ...list.updated.map(([, after]) => after)]) ids.add(record.id);
    }
    for (const key of ["faults", "annotations"]) {
      if (!change.board.includes(key)) continue;
      const before = new Map((change.boardBefore[key] || []).map((item) => [item.id, item]));
      const now = new Map((this.fields[key] || []).map((item) => [item.id, item]));
      for (const [id, item] of now) if (!same(before.get(id), item)) ids.add(id);
      for (const id of before.keys()) if (!now.has(id)) ids.add(id);
    }
    const kept = this.problems.filter((problem) => (problem.element === "board"
      ? !change.board.includes(problem.field.split(".")[0]) : !ids.has(problem.id)));
    if (kept.length === this.problems.length) return;
    this.problems = kept;
    this.emit("problems", kept);
  }

  // ---- whole documents ----

  /**
   * A whole new local document (a merge, a restore, the version the user chose); with `confirmed`
   * and `version`, also what the server now holds. Not an edit: the undo history starts again.
   */
  load(document, { confirmed, version } = {}) {
    if (confirmed !== undefined) {
      this.setConfirmed(confirmed, version);
      for (const arrived of [...this.ahead.keys()]) if (arrived <= version) this.ahead.delete(arrived);
    }
    const boardBefore = this.fields;
    this.setLocal(this.normalise(document));
    this.emit("change", { origin: "load", source: null, nodes: split(new Map()), edges: split(new Map()), board: Object.keys(this.fields), boardBefore });
  }

  /** The board as the API answered it (a restore, a reload) replaces both documents. */
  replace(board) {
    this.load(board.document, { confirmed: board.document, version: board.version });
  }

  // ---- the confirmed document and sending ----

  /** The confirmed document with this page's sent edits applied: what the server will hold. */
  expected() {
    return this.sent.reduce((document, edit) => applyOps(document, edit.ops), this.confirmedComparable);
  }

  /** The ops that would bring the server to the local document (the order of components does not count). */
  pendingOps() {
    return diffOps(this.expected(), withoutNulls(this.current()));
  }

  /** Local changes the server has not confirmed yet. */
  dirty() {
    return !this.readOnly && (this.sent.length > 0 || this.pendingOps().length > 0);
  }

  /** How many of this page's sent edits the server has not confirmed yet. */
  get unconfirmed() {
    return this.sent.length;
  }

  /** How many confirmed edits wait for an earlier version that has not arrived. */
  get waiting() {
    return this.ahead.size;
  }

  /** The REST save of `document` was stored as `version`. */
  confirmSaved(document, version) {
    this.setConfirmed(document, version);
  }

  /** An edit sent over the WebSocket, not confirmed yet. */
  markSent(edit) {
    this.sent.push(edit);
  }

  /** A sent edit the server refused or never stored; with `redraw`, its elements go back to the server's. */
  dropSent(id, { redraw = false } = {}) {
    const drop = () => {
      this.sent = this.sent.filter((own) => own.id !== id);
    };
    if (redraw) this.rebase(drop);
    else drop();
  }

  /** The live connection dropped: sent edits are stored or not, and the next comparison with the server tells. */
  connectionLost() {
    this.sent = [];
    this.ahead.clear();
  }

  /** A confirmed edit (`{ops, id}`, id when it is this page's own) at `version`, kept until its turn. */
  arrive(version, edit) {
    if (Number.isInteger(version) && version > this.version) this.ahead.set(version, edit);
  }

  /** Applies the arrived edits that are next in version order; true when some wait behind a missing version. */
  applyArrived() {
    while (this.ahead.has(this.version + 1)) {
      const edit = this.ahead.get(this.version + 1);
      this.ahead.delete(this.version + 1);
      this.rebase(() => {
        this.setConfirmed(applyOps(this.confirmedComparable, edit.ops), this.version + 1);
        if (edit.id) this.sent = this.sent.filter((own) => own.id !== edit.id);
      });
    }
    return this.ahead.size > 0;
  }

  /** The server's whole document at `version`: it holds every edit sent before it was asked for. */
  resync(document, version) {
    this.rebase(() => {
      this.sent = [];
      this.setConfirmed(document, version);
    });
    for (const arrived of [...this.ahead.keys()]) if (arrived <= version) this.ahead.delete(arrived);
  }

  /**
   * Change the confirmed document or the sent edits, keeping the local changes on top of it
   * (field by field); the views are told what differs.
   */
  rebase(changeConfirmed) {
    const before = this.current();
    const local = diffOps(this.expected(), withoutNulls(before));
    changeConfirmed();
    // Usually nothing local is pending (a viewer, or an editor whose edit came back): then the new
    // local document is the expected one, normalised already when no sent edit is on top of it.
    let expected = this.confirmedComparable;
    if (local.length || this.sent.length) expected = this.normalise(applyOps(this.expected(), local));
    const after = keepingNulls(expected, before);
    const change = this.newChange("remote", null);
    const nodes = new Map(after.nodes.map((node) => [node.id, node]));
    const edges = new Map(after.edges.map((edge) => [edge.id, edge]));
    for (const [list, was, now] of [[change.nodes, this.nodeMap, nodes], [change.edges, this.edgeMap, edges]]) {
      for (const [id, record] of was) if (!now.has(id)) note(list, id, record, undefined);
      for (const [id, record] of now) {
        const old = was.get(id);
        if (old && same(old, record)) now.set(id, old); // unchanged records stay the same objects
        else note(list, id, old, record);
      }
    }
    const { nodes: _nodes, edges: _edges, ...fields } = after;
    this.fields = same(fields, this.fields) ? this.fields : freeze(fields);
    this.nodeMap = nodes;
    this.edgeMap = edges;
    this.finish(change);
  }

  /**
   * `sender` ({schedule(), flush(), stop()}) takes the local changes to the server from now on; the
   * one before stops first (a request of its in flight finishes). The `fallback` one (REST) takes
   * over again when another stops.
   */
  async sendThrough(sender, { fallback = false } = {}) {
    if (fallback) this.fallback = sender;
    if (this.sender === sender) return;
    const previous = this.sender;
    this.sender = sender;
    await previous?.stop();
  }

  /** Whether `sender` is the one sending now. */
  sendsThrough(sender) {
    return this.sender === sender;
  }

  /** Asks the sender to send what is unsent without waiting (the network is back). */
  sendSoon() {
    if (!this.readOnly) this.sender?.schedule(0);
  }

  stopSendingThrough(sender) {
    if (this.sender !== sender) return;
    this.sender = this.fallback;
    if (this.dirty()) this.sender?.schedule();
  }

  /** Resolves when the local changes are on the server (or sending them failed). */
  async flush() {
    if (!this.readOnly) await this.sender?.flush();
  }

  setStatus(state, detail = "") {
    this.status = { state, detail };
    this.emit("status", this.status);
  }

  setReadOnly() {
    this.readOnly = true;
  }

  // ---- normal form ----

  setLocal(document) {
    const { nodes, edges, ...fields } = document;
    this.fields = freeze(fields);
    this.nodeMap = new Map(nodes.map((node) => [node.id, node]));
    this.edgeMap = new Map(edges.map((edge) => [edge.id, edge]));
  }

  setConfirmed(document, version, { normalised = false } = {}) {
    this.confirmed = { document, version };
    this.confirmedComparable = withoutNulls(normalised ? document : this.normalise(document));
  }

  /**
   * A document as the page holds it: every top-level section present, components of known kinds with
   * their kind's defaults filled in and whole-pixel positions, connections between them with their
   * defaults; so comparing two documents shows real edits only.
   */
  normalise(document) {
    const { nodes = [], edges = [], ...rest } = document;
    const fields = {
      ...rest, schema_version: 1, title: rest.title ?? "",
      requirements: rest.requirements || {}, traffic: rest.traffic || {}, notes: rest.notes || {},
      faults: (rest.faults || []).map((fault) => this.faultRecord(fault)),
    };
    if (rest.annotations) fields.annotations = rest.annotations.map((item) => this.annotationRecord(item));
    const kept = (nodes || []).map((node) => this.nodeRecord(node)).filter(Boolean);
    const ids = new Set(kept.map((node) => node.id));
    const joined = (edges || []).map((edge) => this.edgeRecord(edge)).filter((edge) => ids.has(edge.source) && ids.has(edge.target));
    return { ...structuredClone(fields), nodes: kept, edges: joined };
  }

  /** A component as a record (null for a kind the catalog does not know). */
  nodeRecord(node) {
    const kind = this.catalog.kind(node.kind);
    if (!kind) return null;
    const { id, kind: name, label, position, config, ...extra } = node;
    const at = position || {};
    return freeze({
      ...structuredClone(extra), id, kind: name, label: label ?? kind.title,
      position: { x: Math.round(at.x ?? 0), y: Math.round(at.y ?? 0) },
      config: compact({ ...structuredClone(kind.defaults), ...structuredClone(config || {}) }, kind.fields),
    });
  }

  /** A connection as a record: its settings that are off (null) are left out, as the server stores them. */
  edgeRecord(edge) {
    const { id, source, target, mode, latency_ms: latency, label, ...extra } = edge;
    const settings = compact(structuredClone(extra), this.catalog.edgeFields, { dropNulls: true });
    return freeze({ ...settings, id, source, target, mode: mode || "sync", latency_ms: latency ?? 0, ...(label ? { label } : {}) });
  }

  /** An annotation as a record: whole-pixel place and size, no empty colour. */
  annotationRecord(annotation) {
    const { x, y, w, h, color, ...rest } = annotation;
    const whole = (value) => Math.round(value ?? 0);
    return freeze({ ...structuredClone(rest), x: whole(x), y: whole(y), w: whole(w), h: whole(h), ...(color ? { color } : {}) });
  }

  /** A fault as a record: an empty label is no label. */
  faultRecord(fault) {
    const { label, ...rest } = fault;
    return freeze({ ...structuredClone(rest), ...(label ? { label } : {}) });
  }
}
