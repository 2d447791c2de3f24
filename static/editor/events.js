// Handlers by event type: what the board state and the board socket tell their listeners.

export class Listeners {
  /** @param {string} what  names the emitter in the report of a handler that failed */
  constructor(what, report = console.error) {
    this.what = what;
    this.report = report;
    this.handlers = new Map();
  }

  /** Adds `handler` for events of `type`; returns a function that removes it. */
  on(type, handler) {
    if (!this.handlers.has(type)) this.handlers.set(type, new Set());
    this.handlers.get(type).add(handler);
    return () => this.handlers.get(type).delete(handler);
  }

  emit(type, payload) {
    for (const handler of this.handlers.get(type) || []) {
      try {
        handler(payload);
      } catch (error) {
        // One broken listener must not stop the others.
        this.report(`${this.what} listener for ${type} failed`, error);
      }
    }
  }
}
