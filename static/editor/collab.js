// Live co-editing over the board socket: the board state's local changes go to the server as ops, the server's confirmed edits come back into it.
//
// One of the board state's two senders (see store.js). The board state keeps the confirmed
// document, this page's edits sent and not confirmed yet, and the edits that arrive ahead of their
// turn, and rebases the local changes on each confirmed edit; this module speaks the socket's
// protocol (hello, sync, edit, ack, error, board.saved), paces the sending and notices lost
// messages. While the socket is down the REST autosave sends instead; on reconnect the page and
// the server are brought back in step.

const SEND_EVERY_MS = 40; // a drag shows on the other screens as motion, not as a jump
const GAP_WAIT_MS = 1000; // a version missing this long means a lost message: fetch the board
const RATE_RETRY_MS = 1000;

export class LiveEditing {
  /**
   * @param {import("./store.js").BoardState} state
   * @param {import("./socket.js").BoardSocket} socket  the page's one connection to the board
   * @param {object} hooks  {onMessage(text, tone)}
   */
  constructor(state, socket, { onMessage }) {
    Object.assign(this, { state, socket, onMessage });
    this.active = false; // connected and in step with the server
    this.syncing = false;
    this.client = null;
    this.inFlight = null; // the edit sent and not answered yet
    this.sequence = 0;
    this.lastSent = 0;
    this.timer = null;
    this.gapTimer = null;
    this.waiters = [];
    socket.on("hello", (message) => this.hello(message));
    socket.on("close", () => this.closed());
    socket.on("sync", (message) => this.synced(message));
    socket.on("edit", (message) => this.deliver(message.version, { ops: message.ops }));
    socket.on("ack", (message) => this.acknowledged(message));
    socket.on("error", (message) => this.refused(message));
    socket.on("board.saved", (message) => message.version > state.version && this.requestSync());
  }

  // ---- connection ----

  async hello(message) {
    this.client = message.client;
    // A REST save already under way finishes first; its own board.saved then needs no resync.
    await this.state.sendThrough(this);
    if (message.version === this.state.version) this.start();
    else this.requestSync();
  }

  closed() {
    this.active = false;
    this.syncing = false;
    this.inFlight = null;
    this.state.connectionLost();
    clearTimeout(this.timer);
    clearTimeout(this.gapTimer);
    this.wake();
    this.state.stopSendingThrough(this); // REST takes over, and saves what is unsaved
  }

  requestSync() {
    this.syncing = true;
    this.socket.send({ type: "sync" });
  }

  synced(message) {
    // The server answers in order, so the document it sends holds every edit sent before the request.
    this.syncing = false;
    this.inFlight = null;
    this.state.resync(message.document, message.version);
    this.start();
  }

  start() {
    this.active = true;
    this.drain();
    this.schedule(0);
  }

  // ---- the confirmed document, in version order ----

  deliver(version, edit) {
    this.state.arrive(version, edit);
    this.drain();
  }

  drain() {
    if (this.syncing) return;
    this.state.applyArrived();
    clearTimeout(this.gapTimer);
    if (this.state.waiting) {
      this.gapTimer = setTimeout(() => this.state.waiting && this.requestSync(), GAP_WAIT_MS);
    }
  }

  // ---- sending ----

  /** Called after every local edit: sends at most every SEND_EVERY_MS. */
  schedule(delay = null) {
    if (!this.active) return;
    clearTimeout(this.timer);
    const wait = delay ?? Math.max(0, this.lastSent + SEND_EVERY_MS - performance.now());
    this.timer = setTimeout(() => this.send(), wait);
  }

  send() {
    if (!this.active || this.syncing || this.inFlight || this.state.readOnly) return;
    const ops = this.state.pendingOps();
    if (!ops.length) {
      if (!this.state.unconfirmed) this.state.setStatus("saved");
      this.wake();
      return;
    }
    this.sequence += 1;
    const id = `${this.client}-${this.sequence}`;
    if (!this.socket.send({ type: "edit", id, ops })) return;
    this.inFlight = { id, ops };
    this.state.markSent(this.inFlight);
    this.lastSent = performance.now();
    this.state.setStatus("saving");
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
      this.state.dropSent(id);
      this.schedule(RATE_RETRY_MS);
      return;
    }
    // The errors are located in the document the server tried: the confirmed one with this edit on it.
    const [first] = this.state.refused(message.errors, this.state.expected());
    const where = first && first.path ? ` (${this.subject(first)}${first.path}: ${first.message})` : "";
    this.onMessage(`${message.detail}${where} The change was undone.`);
    // Taking the refused edit out of the expected document puts its elements back as the server has them.
    this.state.dropSent(id, { redraw: true });
    this.wake();
    this.schedule();
  }

  /** Whose value a located refusal is about, for the message: "Feature store, " (the component a fault acts on). */
  subject(problem) {
    if (problem.element === "board") return "";
    const id = problem.element === "fault" ? this.state.fault(problem.id)?.target ?? problem.id : problem.id;
    return `${this.state.labelOf(id)}, `;
  }

  /** Resolves when every local change is confirmed (or the socket dropped, or `timeout` passed). */
  async flush(timeout = 5000) {
    const end = performance.now() + timeout;
    while (this.active && performance.now() < end && this.state.dirty()) {
      this.send();
      await new Promise((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 250);
      });
    }
  }

  /** The board state sends through another sender from now on (it only does after `closed`). */
  stop() {
    clearTimeout(this.timer);
  }

  wake() {
    const waiters = this.waiters;
    this.waiters = [];
    for (const resolve of waiters) resolve();
  }
}
