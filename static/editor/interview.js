// Mock-interview mode in the editor: the server's session as this page knows it, the shared clock in the app bar, and the Interview tab.
//
// The server owns the session (architectures/interview.py): its clock, the current step, the deck of
// curveballs, the ratings. This page only shows it and asks for changes over REST; every browser
// learns of a change from the board socket's `interview` message. The clock is never counted here:
// each answer says how much interview time had passed at the server's `now`, and the page adds the
// time since then on the server's clock (its own clock plus the offset learned from those answers),
// so every browser shows the same time however late it joined or reloaded.

import { ApiError, request } from "./api.js";
import { el, refill } from "./dom.js";
import { clock, ms, rps, usd } from "./format.js";

const KEY_PREFIX = "whiteboard.interview."; // + board id: the interviewer's secret key, kept across reloads
const SCORECARD_EVERY_MS = 1500; // the interviewer's live scorecard follows edits at most this often
const RATING_SAVE_MS = 700;
const STEP_NAMES = {
  requirements: "Requirements", data: "Data", features: "Features", model: "Model",
  evaluation: "Evaluation", serving: "Serving", monitoring: "Monitoring",
};
const EVENT_TEXT = {
  start: () => "Interview started",
  pause: () => "Paused",
  resume: () => "Resumed",
  step: (event) => `Step: ${stepName(event.data.to || event.step)}`,
  "curveball.play": (event) => `Curveball played: ${event.data.title}`,
  "curveball.undo": (event) => `Curveball taken back: ${event.data.title}`,
  end: () => "Interview ended",
};

export const stepName = (name) => STEP_NAMES[name] || name;
export const eventText = (event) => (EVENT_TEXT[event.kind] || (() => event.kind))(event);
const minutes = (seconds) => clock(Math.max(0, seconds));
const sentence = (text) => (text ? text[0].toUpperCase() + text.slice(1) : "");
/** `node`'s children replaced by `children`, the null ones (a part this person does not get) left out. */
const fill = (node, ...children) => node.replaceChildren(...children.filter((child) => child !== null && child !== undefined));

function storedKey(boardId) {
  try {
    return localStorage.getItem(KEY_PREFIX + boardId) || "";
  } catch {
    return ""; // storage off: the role lasts as long as the page
  }
}

function storeKey(boardId, key) {
  try {
    localStorage.setItem(KEY_PREFIX + boardId, key);
  } catch {
    // see storedKey
  }
}

/** A curveball's change in words: "peak ×3, traffic ×3, P99 80 ms, outage of Online features at 10 s". */
export function changeText(change, labelOf = (id) => id) {
  if (!change) return "";
  const value = (v, unit = "") => (v && typeof v === "object" ? `×${v.times}` : `${v}${unit}`);
  const parts = [];
  const requirements = change.requirements || {};
  if (requirements.peak_rps !== undefined) parts.push(`peak ${value(requirements.peak_rps, " req/s")}`);
  if (requirements.p99_ms !== undefined) parts.push(`P99 SLO ${value(requirements.p99_ms, " ms")}`);
  if (requirements.monthly_budget_usd !== undefined) parts.push(`budget ${value(requirements.monthly_budget_usd, " $/month")}`);
  for (const [name, v] of Object.entries(change.traffic || {})) parts.push(`traffic ${name} ${value(v)}`);
  if (change.fault) parts.push(`${change.fault.type} of ${labelOf(change.fault.target)} at ${change.fault.at_s} s`);
  return parts.join(", ");
}

/**
 * The board's interview session as the server last described it, and its clock.
 * `on(handler)` is told after every change; `elapsed()` is the interview time now, in seconds.
 */
export class InterviewSession {
  /**
   * @param {object} options  {boardId, socket (the page's board socket), onMessage(text, tone)}
   */
  constructor({ boardId, socket, onMessage }) {
    Object.assign(this, { boardId, socket, onMessage });
    this.session = null;
    this.you = null;
    this.key = storedKey(boardId);
    this.offsetMs = null; // server clock minus this page's clock (see learnOffset)
    this.serverNowMs = 0; // the `now` of the answer the session came with
    this.handlers = new Set();
    this.url = `/api/boards/${encodeURIComponent(boardId)}/interview/`;
    socket.on("hello", () => this.refresh());
    socket.on("interview", (message) => this.heard(message));
    this.refresh(); // the clock shows before the socket is up
  }

  on(handler) {
    this.handlers.add(handler);
    return () => this.handlers.delete(handler);
  }

  emit() {
    for (const handler of this.handlers) {
      try {
        handler(this);
      } catch (error) {
        console.error("interview listener failed", error);
      }
    }
  }

  get interviewer() {
    return this.you === "interviewer";
  }

  /**
   * An answer stamped `now` on the server arrived at `receivedMs` on this page: the server's clock is at
   * least `now - receivedMs` ahead (the answer took some time to come). The largest such bound is the
   * closest, so the page keeps it (the clocks drift far less than a second over an interview).
   */
  learnOffset(now, receivedMs) {
    const bound = Date.parse(now) - receivedMs;
    if (Number.isFinite(bound) && (this.offsetMs === null || bound > this.offsetMs)) this.offsetMs = bound;
    return Date.parse(now);
  }

  /** The server's clock now, in milliseconds since the epoch. */
  serverNow() {
    return Date.now() + (this.offsetMs ?? 0);
  }

  /** Interview time (pauses left out) now, in seconds; 0 without a session. */
  elapsed() {
    const session = this.session;
    if (!session) return 0;
    const running = session.status === "active" && !session.paused;
    return session.elapsed_s + (running ? Math.max(0, this.serverNow() - this.serverNowMs) / 1000 : 0);
  }

  /** The current step's record, and how long it has run, in seconds. */
  currentStep() {
    const session = this.session;
    if (!session) return null;
    const step = session.steps[session.step_index] || session.steps.find((s) => s.name === session.step);
    return { ...step, spent: Math.max(0, this.elapsed() - session.step_started_s) };
  }

  take(answer, receivedMs) {
    if (!answer) return;
    if ("session" in answer) {
      const at = this.learnOffset(answer.now, receivedMs);
      if (at < this.serverNowMs) return; // answered before the session we show: requests can overtake each other
      this.serverNowMs = at;
      this.session = answer.session;
    }
    this.you = answer.you || this.you;
    this.emit();
  }

  /** Another browser changed the session: its public view, or (for the interviewer) the whole of it, fetched. */
  heard(message) {
    if (!this.interviewer) this.take({ session: message.session, now: message.now }, Date.now());
    this.refresh(); // the interviewer's whole deck and ratings; for everyone, the answers to played cards
  }

  async call(method, path = "", body = undefined) {
    const key = this.key;
    const answer = await request(method, this.url + path, body, key ? { "X-Interviewer-Key": key } : {});
    if (answer?.interviewer_key) {
      this.key = answer.interviewer_key;
      storeKey(this.boardId, this.key);
    } else if (key !== this.key) {
      return answer; // asked without the key this page holds now: it would call the interviewer a candidate
    }
    this.take(answer, Date.now());
    return answer;
  }

  async refresh() {
    try {
      await this.call("GET");
    } catch (error) {
      console.warn("the interview session could not be loaded", error);
    }
  }

  /** Asks for a change; a refusal is said in a message (and answered false), never thrown. */
  async ask(method, path, body, what) {
    try {
      return (await this.call(method, path, body)) || true;
    } catch (error) {
      const where = error instanceof ApiError && error.body.errors?.[0]?.path ? ` (${error.body.errors[0].path}: ${error.body.errors[0].message})` : "";
      this.onMessage(`${what} did not work: ${error.message}${where}`);
      return false;
    }
  }

  start = () => this.ask("POST", "", {}, "Starting the interview");

  pause = () => this.ask("POST", "pause/", {}, "Pausing");
  resume = () => this.ask("POST", "resume/", {}, "Resuming");
  end = () => this.ask("POST", "end/", {}, "Ending the interview");
  nextStep = (step) => this.ask("POST", "next-step/", step ? { step } : {}, "Moving to the next step");
  play = (id) => this.ask("POST", `curveballs/${encodeURIComponent(id)}/play/`, {}, "Playing the curveball");
  undo = (id) => this.ask("POST", `curveballs/${encodeURIComponent(id)}/undo/`, {}, "Taking the curveball back");
  addCurveball = (card) => this.ask("POST", "curveballs/", card, "Adding the curveball");
  rate = (ratings) => this.ask("PUT", "ratings/", ratings, "Saving the rating");

  async scorecard() {
    const headers = this.key ? { "X-Interviewer-Key": this.key } : {};
    return request("GET", `${this.url}scorecard/`, undefined, headers);
  }

  async replay() {
    const headers = this.key ? { "X-Interviewer-Key": this.key } : {};
    const answer = await request("GET", `${this.url}replay/`, undefined, headers);
    this.learnOffset(answer.now, Date.now());
    return answer;
  }
}

/**
 * The clock in the app bar: the current step with its time box, the interview time left, and (for the
 * interviewer) pause, next step; for an editor without a session, the button that starts one.
 */
export class InterviewClock {
  /**
   * @param {HTMLElement} root  #timer in the app bar
   * @param {InterviewSession} interview
   * @param {object} options  {canStart (an edit link), onOpen() shows the Interview tab}
   */
  constructor(root, interview, { canStart, onOpen }) {
    Object.assign(this, { root, interview, canStart, onOpen });
    this.startButton = el("button", { type: "button", class: "timer-start", text: "Start interview",
      title: "Start a mock interview on this board: you become its interviewer, everyone else with the edit link a candidate",
      onclick: () => interview.start().then((ok) => ok && onOpen()) });
    this.step = el("button", { type: "button", class: "timer-step", onclick: () => onOpen() });
    this.display = el("span", { class: "timer-display", "aria-live": "off" });
    this.pauseButton = el("button", { type: "button", class: "timer-pause icon-button",
      onclick: () => (interview.session.paused ? interview.resume() : interview.pause()) });
    this.nextButton = el("button", { type: "button", class: "timer-next icon-button", text: "Next ›", "aria-label": "Next step",
      title: "Next step of the framework", onclick: () => interview.nextStep() });
    root.replaceChildren(this.startButton, this.step, this.display, this.pauseButton, this.nextButton);
    interview.on(() => this.draw());
    setInterval(() => this.tick(), 250);
    this.draw();
  }

  draw() {
    const { session, interviewer } = this.interview;
    const live = Boolean(session && session.status === "active");
    this.startButton.hidden = Boolean(session) || !this.canStart; // a new one after the end starts from the tab
    this.step.hidden = !session;
    this.display.hidden = !session;
    this.pauseButton.hidden = !(live && interviewer);
    this.nextButton.hidden = !(live && interviewer) || session.step_index >= session.steps.length - 1;
    if (session && live && interviewer) {
      this.pauseButton.textContent = session.paused ? "▶" : "❚❚";
      this.pauseButton.setAttribute("aria-label", session.paused ? "Resume the interview" : "Pause the interview");
      this.pauseButton.title = this.pauseButton.getAttribute("aria-label");
    }
    this.root.hidden = !session && !this.canStart;
    this.tick();
  }

  tick() {
    const { session } = this.interview;
    if (!session) {
      this.root.dataset.state = "idle";
      return;
    }
    const elapsed = this.interview.elapsed();
    const left = session.total_s - elapsed;
    const step = this.interview.currentStep();
    const over = step.spent > step.suggested_s;
    if (session.status === "ended") {
      this.step.textContent = "Scorecard"; // what everyone looks for once it is over
      this.step.dataset.over = "false";
      this.step.title = "The interview has ended: open its scorecard in the Interview tab";
    } else {
      this.step.textContent = `${stepName(step.name)} ${minutes(step.spent)}/${minutes(step.suggested_s)}`;
      this.step.dataset.over = String(over);
      this.step.title = `Step ${session.step_index + 1} of ${session.steps.length}: ${step.title}, suggested ${minutes(step.suggested_s)} (${minutes(step.spent)} so far). Open the Interview tab.`;
    }
    const text = session.status === "ended" ? `Ended ${minutes(elapsed)}` : left >= 0 ? minutes(left) : `+${minutes(-left)}`;
    if (this.display.textContent !== text) this.display.textContent = text;
    this.display.title = session.status === "ended" ? "Interview time, pauses left out" : "Interview time left (pauses left out)";
    this.root.dataset.elapsed = String(Math.floor(elapsed));
    this.root.dataset.state = session.status === "ended" ? "over" : session.paused ? "paused" : left <= 300 ? "ending" : "running";
  }
}

/**
 * The Interview side tab: the session's steps and controls, the curveballs, the timeline, the scorecard
 * with the interviewer's ratings, and the button that opens the replay.
 */
export class InterviewPanel {
  /**
   * @param {HTMLElement} root  #panel-interview
   * @param {InterviewSession} interview
   * @param {object} options  {state (the board state), socket, canStart, onReplay()}
   */
  constructor(root, interview, { state, socket, canStart, onReplay }) {
    Object.assign(this, { root, interview, state, canStart, onReplay });
    this.card = null; // the scorecard last fetched
    this.cardTimer = null;
    this.ratingTimer = null;
    this.pendingRatings = {};
    this.savingRatings = {};
    this.head = el("section", { class: "interview-head" });
    this.curveballs = el("section", { class: "interview-curveballs" });
    this.timeline = el("section", { class: "interview-timeline" });
    this.scorecard = el("section", { class: "interview-scorecard" });
    root.replaceChildren(this.head, this.curveballs, this.timeline, this.scorecard);
    interview.on(() => this.render());
    setInterval(() => this.tickStep(), 1000);
    // The scorecard follows the board and its runs: live for the interviewer, at the end for everyone.
    state.on("change", (change) => {
      this.scoreSoon();
      // A card's fault needs its component: the deck's Play buttons follow components added and removed.
      const { nodes, edges } = change;
      const reshaped = nodes.added.length + nodes.removed.length + edges.added.length + edges.removed.length > 0;
      if ((reshaped || change.origin === "load") && this.interview.interviewer && this.interview.session) this.renderCurveballs();
    });
    socket.on("run.finished", () => {
      this.interview.refresh(); // a curveball may be answered now
      this.scoreSoon();
    });
    this.render();
  }

  showsScorecard() {
    const session = this.interview.session;
    return Boolean(session && (this.interview.interviewer || session.status === "ended"));
  }

  scoreSoon() {
    if (!this.showsScorecard() || this.cardTimer) return;
    this.cardTimer = setTimeout(() => {
      this.cardTimer = null;
      this.loadScorecard();
    }, SCORECARD_EVERY_MS);
  }

  async loadScorecard() {
    if (!this.showsScorecard()) return;
    try {
      this.card = await this.interview.scorecard();
    } catch (error) {
      fill(this.scorecard, el("p", { class: "panel-hint", text: `The scorecard could not be loaded: ${error.message}` }));
      return;
    }
    this.keepTyping(() => this.renderScorecard());
  }

  render() {
    const { session } = this.interview;
    this.renderHead();
    this.curveballs.hidden = !session;
    this.timeline.hidden = !session;
    if (!session) {
      fill(this.scorecard);
      return;
    }
    this.renderCurveballs();
    this.renderTimeline();
    if (this.showsScorecard()) {
      if (!this.card || this.card.session_id !== session.id) fill(this.scorecard, el("p", { class: "panel-hint", text: "Loading the scorecard…" }));
      this.loadScorecard();
    } else {
      this.card = null;
      fill(this.scorecard, el("h2", { text: "Scorecard" }),
        el("p", { class: "panel-hint", text: "The scorecard (checks computed from the board and its runs, and the interviewer's ratings) appears here when the interview ends." }));
    }
  }

  /** The current step's time in the step list moves on with the clock. */
  tickStep() {
    const session = this.interview.session;
    const shown = this.head.querySelector('.interview-step[data-current="true"] .interview-step-time');
    if (!session || !shown) return;
    const step = this.interview.currentStep();
    shown.textContent = `${minutes(step.spent)} / ${minutes(step.suggested_s)}`;
    shown.parentElement.dataset.over = String(step.spent > step.suggested_s);
  }

  renderHead() {
    const { session, you, interviewer } = this.interview;
    const roleText = { interviewer: "You are the interviewer.", candidate: "You are a candidate.", observer: "You are observing (view link)." }[you] || "";
    const replay = el("button", { type: "button", class: "interview-replay", text: "Replay the board's history",
      title: "Draw the board as it was at any moment, with the session's events and runs marked", onclick: () => this.onReplay() });
    if (!session) {
      refill(this.head, el("h2", { text: "Mock interview" }),
        el("p", { class: "panel-hint", text: "A shared 45-minute clock through the 7 steps of the framework, curveballs that change the problem mid-way, a scorecard tied to the runs, and a replay of how the design grew." }),
        this.canStart ? el("button", { type: "button", class: "primary interview-start", text: "Start interview as interviewer", onclick: () => this.interview.start() }) : el("p", { class: "panel-hint", text: "An editor of this board can start one." }),
        replay);
      return;
    }
    const ended = session.status === "ended";
    const controls = [];
    if (interviewer && !ended) {
      controls.push(
        el("button", { type: "button", class: "interview-pause", text: session.paused ? "Resume" : "Pause", onclick: () => (this.interview.session.paused ? this.interview.resume() : this.interview.pause()) }),
        el("button", { type: "button", class: "interview-next", text: "Next step", disabled: session.step_index >= session.steps.length - 1, onclick: () => this.interview.nextStep() }),
        el("button", { type: "button", class: "interview-end", text: "End interview", onclick: () => this.interview.end() }));
    }
    if (ended && this.canStart) controls.push(el("button", { type: "button", class: "interview-start", text: "Start a new interview", onclick: () => this.interview.start() }));
    const steps = this.head.querySelector(":scope > .interview-steps") || el("ol", { class: "interview-steps" });
    refill(steps, ...session.steps.map((step, index) => {
      const current = index === session.step_index && !ended;
      const spent = step.started_s === null ? null : (step.ended_s ?? this.interview.elapsed()) - step.started_s;
      // The interviewer may jump to any other step (a candidate who covers two at once, or one to skip).
      const jump = interviewer && !ended && !current;
      const name = jump ? el("button", { type: "button", class: "interview-step-name link-button", text: step.title,
        title: `Go to this step (${step.title})`, onclick: () => this.interview.nextStep(step.name) })
        : el("span", { class: "interview-step-name", text: step.title });
      return el("li", { class: "interview-step", "data-step": step.name, "data-current": String(current), "data-over": String(spent !== null && spent > step.suggested_s) },
        name,
        el("span", { class: "interview-step-time", text: `${spent === null ? "–" : minutes(spent)} / ${minutes(step.suggested_s)}` }));
    }));
    refill(this.head,
      el("h2", { text: ended ? "Mock interview (ended)" : session.paused ? "Mock interview (paused)" : "Mock interview" }),
      el("p", { class: "panel-hint interview-role", text: roleText }),
      controls.length ? el("div", { class: "interview-controls" }, ...controls) : null,
      steps, replay);
  }

  renderCurveballs() {
    const { session, interviewer } = this.interview;
    const cards = session.curveballs || [];
    // Drawn again on every session message: the cards that did not change stay the same elements (see refill).
    const list = this.curveballs.querySelector(":scope > .curveball-list") || el("ul", { class: "curveball-list" });
    refill(list, ...cards.map((card) => this.cardItem(card, interviewer && session.status === "active")));
    const hint = interviewer ? "Candidates see a card only once you play it. Playing one applies its change to the board as one edit; Undo takes it back."
      : "The interviewer's follow-up questions appear here when played.";
    refill(this.curveballs, el("h2", { text: "Curveballs" }), el("p", { class: "panel-hint", text: hint }),
      cards.length ? list : el("p", { class: "panel-hint", text: "None played yet." }),
      interviewer && session.status === "active" ? (this.ownCard ||= this.cardForm()) : null); // one form: a redraw keeps what is typed
  }

  cardItem(card, controls) {
    const played = Boolean(card.played_at) && !card.undone_at;
    const state = card.undone_at ? "undone" : played ? "played" : "unplayed";
    const answered = card.answered;
    const target = card.change?.fault?.target;
    const missing = state === "unplayed" && target && !this.state.node(target) && !this.state.edge(target) ? target : null;
    return el("li", { class: "curveball", "data-curveball": card.id, "data-state": state },
      el("div", { class: "curveball-head" }, el("strong", { text: card.title }),
        el("span", { class: "curveball-state", text: { undone: "taken back", played: `played at ${minutes(card.played_s)}`, unplayed: card.source === "interviewer" ? "yours" : "ready" }[state] })),
      card.prompt ? el("p", { class: "curveball-prompt", text: card.prompt }) : null,
      card.change ? el("p", { class: "curveball-change", text: `Change: ${changeText(card.change, (id) => this.state.labelOf(id))}` }) : null,
      missing ? el("p", { class: "curveball-missing", text: `This board has no component "${missing}" for the card's fault to act on.` }) : null,
      played && answered ? el("p", { class: "curveball-answer", "data-passed": String(answered.passed), text: `${answered.passed ? "✓" : "✗"} ${sentence(answered.reason)}` }) : null,
      controls && state === "unplayed" ? el("button", { type: "button", class: "curveball-play primary", text: "Play", disabled: Boolean(missing), onclick: () => this.interview.play(card.id) }) : null,
      controls && state === "played" ? el("button", { type: "button", class: "curveball-undo", text: "Undo", title: "Take the card's change back (one edit)", onclick: () => this.interview.undo(card.id) }) : null);
  }

  /** The interviewer's own card: a title, the question, and an optional change of the requirements. */
  cardForm() {
    const input = (name, label, attributes = {}) => el("label", { class: "curveball-field" }, el("span", { text: label }),
      el("input", { name, type: attributes.type || "text", autocomplete: "off", ...attributes }));
    const form = el("form", { class: "curveball-form" },
      input("title", "Title", { required: true, maxlength: 120, placeholder: "The budget is cut by a third" }),
      el("label", { class: "curveball-field" }, el("span", { text: "Question" }), el("textarea", { name: "prompt", rows: 2, maxlength: 2000 })),
      el("div", { class: "curveball-change-fields" },
        input("traffic", "Traffic and peak ×", { type: "number", step: "any", min: 0, placeholder: "3" }),
        input("p99", "P99 SLO ms", { type: "number", step: "any", min: 0 }),
        input("budget", "Budget ×", { type: "number", step: "any", min: 0, placeholder: "0.67" })),
      el("button", { type: "submit", text: "Add card" }));
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const value = (name) => form.elements[name].value.trim();
      const change = {};
      const requirements = {};
      if (value("traffic")) {
        requirements.peak_rps = { times: Number(value("traffic")) };
        change.traffic = { rps: { times: Number(value("traffic")) } };
      }
      if (value("p99")) requirements.p99_ms = Number(value("p99"));
      if (value("budget")) requirements.monthly_budget_usd = { times: Number(value("budget")) };
      if (Object.keys(requirements).length) change.requirements = requirements;
      const card = { title: value("title"), prompt: value("prompt"), ...(Object.keys(change).length ? { change } : {}) };
      if (await this.interview.addCurveball(card)) form.reset();
    });
    return el("details", { class: "curveball-own" }, el("summary", { text: "Write your own card" }), form);
  }

  renderTimeline() {
    const events = this.interview.session.timeline || [];
    fill(this.timeline, el("h2", { text: "Timeline" }),
      el("ol", { class: "interview-events" }, ...events.map((event) => el("li", { class: "interview-event", "data-kind": event.kind },
        el("span", { class: "interview-event-time", text: minutes(event.elapsed_s) }),
        el("span", { text: eventText(event) }),
        el("span", { class: "interview-event-version", text: `v${event.board_version}` })))));
  }

  renderScorecard() {
    const card = this.card;
    const { interviewer } = this.interview;
    const editable = interviewer; // during the interview and in the debrief after it
    const steps = card.steps.map((step) => el("li", { class: "score-step", "data-step": step.step },
      el("h3", { text: step.title }),
      el("ul", { class: "score-checks" }, ...step.checks.map((check) => el("li", { class: "score-check", "data-check": check.id, "data-passed": String(check.passed) },
        el("span", { class: "score-mark", "aria-label": check.passed ? "passed" : "not passed", text: check.passed ? "✓" : "✗" }),
        el("span", { class: "score-reason", text: check.title ? `Curveball “${check.title}”: ${check.reason}` : check.reason })))),
      editable ? this.ratingControls(step) : this.ratingText(step, card)));
    const latest = card.latest_run ? `latest run: version ${card.latest_run.board_version}` : "no run yet";
    // Drawn again every few seconds while the board changes: the steps that look the same stay (see refill).
    const list = this.scorecard.querySelector(":scope > .score-steps") || el("ol", { class: "score-steps" });
    refill(list, ...steps);
    refill(this.scorecard,
      el("h2", { text: "Scorecard" }),
      el("p", { class: "score-total", text: `${card.passed} of ${card.total} checks passed · ${latest}${card.status === "active" ? " · live" : ""}` }),
      list);
  }

  ratingText(step, card) {
    if (!card.ratings_visible) return el("p", { class: "panel-hint score-rating", text: "The interviewer's rating is shown when the interview ends." });
    if (!step.rating || (step.rating.score === null && !step.rating.comment)) return el("p", { class: "panel-hint score-rating", text: "Not rated." });
    return el("p", { class: "score-rating", "data-score": String(step.rating.score ?? "") },
      el("strong", { text: step.rating.score ? `Rating ${step.rating.score}/4` : "No rating" }), step.rating.comment ? ` · ${step.rating.comment}` : "");
  }

  /** 1–4 as a radio group and a comment; saved a moment after the interviewer stops typing. */
  ratingControls(step) {
    const pending = this.pendingRatings[step.step];
    const rating = { ...(step.rating || { score: null, comment: "" }), ...(pending || {}) };
    const group = `rating-${step.step}`;
    const change = (fields) => {
      // Read now, not when drawn: a step that looked the same was kept from an earlier drawing.
      this.pendingRatings[step.step] = { ...this.ratingNow(step.step), ...fields };
      clearTimeout(this.ratingTimer);
      this.ratingTimer = setTimeout(() => this.saveRatings(), RATING_SAVE_MS);
    };
    const scores = el("div", { class: "score-buttons", role: "radiogroup", "aria-label": `Rating of ${step.title}` },
      ...[1, 2, 3, 4].map((score) => el("label", { class: "score-choice" },
        el("input", { type: "radio", name: group, value: score, checked: rating.score === score, onchange: () => change({ score }) }), String(score))));
    const comment = el("textarea", { class: "score-comment", rows: 2, maxlength: 2000, placeholder: "Comment for the candidate", "aria-label": `Comment on ${step.title}` });
    comment.value = rating.comment || "";
    comment.addEventListener("input", () => change({ comment: comment.value }));
    return el("div", { class: "score-rate" }, el("span", { class: "score-rate-label", text: "Your rating" }), scores, comment);
  }

  /** A step's rating as the interviewer last set it: the session's, then the one being saved, then the one not sent yet. */
  ratingNow(step) {
    return { score: null, comment: "", ...this.interview.session?.ratings?.[step], ...this.savingRatings[step], ...this.pendingRatings[step] };
  }

  async saveRatings() {
    const ratings = this.pendingRatings;
    if (!Object.keys(ratings).length) return;
    this.pendingRatings = {};
    this.savingRatings = ratings;
    const saved = await this.interview.rate(ratings);
    this.savingRatings = {};
    if (!saved) this.pendingRatings = { ...ratings, ...this.pendingRatings };
    else this.scoreSoon();
  }

  /** Keeps the focused rating comment while the scorecard is drawn again. */
  keepTyping(draw) {
    const focused = this.scorecard.contains(document.activeElement) ? document.activeElement : null;
    const label = focused?.getAttribute("aria-label");
    const [start, end] = focused ? [focused.selectionStart, focused.selectionEnd] : [];
    draw();
    if (!label) return;
    const again = [...this.scorecard.querySelectorAll("textarea")].find((area) => area.getAttribute("aria-label") === label);
    if (again) {
      again.focus();
      again.setSelectionRange(start, end);
    }
  }
}

/** The run summary of the replay's moment, in one line: "P99 42 ms · 2,950 req/s · $2,100 a month". */
export function summaryText(summary) {
  if (!summary) return "";
  return [summary.p99_ms !== undefined ? `P99 ${ms(summary.p99_ms)}` : "", summary.throughput_rps !== undefined ? rps(summary.throughput_rps) : "",
    summary.monthly_usd !== undefined && summary.monthly_usd !== null ? `${usd(summary.monthly_usd)} a month` : ""].filter(Boolean).join(" · ");
}
