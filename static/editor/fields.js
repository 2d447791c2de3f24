// Catalog fields in the browser: parse and check typed values like the server does, and render their inputs.
//
// Every bound comes with the field (its minimum, maximum, choices; `max_chars` for text) or, for a
// service time or a token count, with the catalog's rules for them (see catalog.js): none is typed here. A field of
// type "object" (a resilience or autoscaling setting) is off (null) until switched on, and then holds
// its sub-fields, each checked like any other field. What only the server can check (rules across
// fields) comes back located and is marked at its field by `markProblems`.

import { el, options } from "./dom.js";

const LABELS = {
  rps: "Simulated traffic",
  peak_rps: "Peak load to carry",
  duration_s: "Run length",
  p99_ms: "P99 latency SLO",
  monthly_budget_usd: "Monthly budget",
  latency_ms: "Latency",
  latency_p99_ms: "Latency P99",
  hit_rate: "Hit rate",
  arrival: "Traffic pattern",
  mode: "Mode",
  at_s: "Starts at",
  open_s: "Open for",
  evaluation_s: "Evaluate every",
  provision_s: "Provisioning time",
  added_ms: "Added latency",
  rate: "Failure probability",
};
const TYPE_NAMES = {
  integer: "integer", number: "number", string: "text", enum: "choice", boolean: "yes/no", service_time: "distribution",
  token_count: "distribution", object: "setting",
};
const DISTRIBUTIONS = new Set(["service_time", "token_count"]); // a picker and its parameters, not one input

export function fieldLabel(name) {
  if (LABELS[name]) return LABELS[name];
  const words = name.replace(/_(ms|s|usd|gb|h)$/, "").replace(/_/g, " ");
  return words.charAt(0).toUpperCase() + words.slice(1);
}

const num = String;

/** The range as the server words it, e.g. " from 1 to 1000". */
export function rangeText(field) {
  const low = field.minimum;
  const high = field.maximum;
  if (low != null && high != null) {
    return field.exclusive_minimum ? ` greater than ${num(low)} and at most ${num(high)}` : ` from ${num(low)} to ${num(high)}`;
  }
  if (low != null) return field.exclusive_minimum ? ` greater than ${num(low)}` : ` of at least ${num(low)}`;
  if (high != null) return ` of at most ${num(high)}`;
  return "";
}

function inRange(field, value) {
  if (field.minimum != null && (value < field.minimum || (field.exclusive_minimum && value === field.minimum))) return false;
  return field.maximum == null || value <= field.maximum;
}

/** Problem with an already typed value, or null when the server would accept it. */
export function checkValue(field, value, serviceTime, tokenCount) {
  if (value === null || value === undefined) return field.nullable ? null : "must not be empty";
  switch (field.type) {
    case "integer":
    case "number": {
      const noun = field.type === "integer" ? "an integer" : "a number";
      const ok = typeof value === "number" && Number.isFinite(value) && (field.type === "number" || Number.isInteger(value));
      return ok && inRange(field, value) ? null : `must be ${noun}${rangeText(field)}`;
    }
    case "enum":
      return field.choices.includes(value) ? null : `must be one of ${field.choices.join(", ")}`;
    case "string":
      if (typeof value !== "string") return "must be text";
      return field.max_chars != null && value.length > field.max_chars ? `must be at most ${field.max_chars} characters` : null;
    case "boolean":
      return typeof value === "boolean" ? null : "must be true or false";
    case "service_time":
      return checkServiceTime(value, serviceTime);
    case "token_count":
      return checkTokenCount(value, tokenCount);
    default:
      return null;
  }
}

function checkMs(value, what, rules) {
  const ok = typeof value === "number" && Number.isFinite(value) && value >= rules.minMs && value <= rules.maxMs;
  return ok ? null : `${what} must be a number from ${rules.minMs} to ${rules.maxMs} ms`;
}

/** Problem with a service time (`{dist, mean_ms | median_ms, p99_ms | samples_ms}`), or null. */
export function checkServiceTime(value, rules) {
  if (!value || typeof value !== "object") return "must be a distribution";
  const params = rules.params[value.dist];
  if (!params) return `must be ${rules.distributions.slice(0, -1).join(", ")} or ${rules.distributions.at(-1)}`;
  for (const key of params) {
    if (key === "samples_ms") {
      const samples = value.samples_ms;
      if (!Array.isArray(samples) || samples.length < rules.minSamples || samples.length > rules.maxSamples) {
        return `Samples must be a list of ${rules.minSamples} to ${rules.maxSamples} measured times in ms`;
      }
      const bad = samples.find((sample) => checkMs(sample, "Each sample", rules));
      if (bad !== undefined) return checkMs(bad, "Each sample", rules);
    } else {
      const problem = checkMs(value[key], PARAM_LABELS[key], rules);
      if (problem) return problem;
    }
  }
  // A lognormal is given by its median and P99: the tail must lie above the middle.
  if (params.includes("median_ms") && params.includes("p99_ms") && !(value.median_ms > 0 && value.median_ms < value.p99_ms)) {
    return "P99 must be greater than the median, which must be greater than 0";
  }
  return null;
}

/** The name of a distribution's parameter in a sentence: "P99", "High". */
function paramName(labels, key) {
  return labels[key].replace(/ \(.*\)$/, "");
}

/** Problem with a token count (`{dist, mean | low, high | median, p99 | samples}`), or null: the server's rules. */
export function checkTokenCount(value, rules) {
  if (!value || typeof value !== "object") return "must be a distribution";
  const params = rules.params[value.dist];
  if (!params) return `must be ${rules.distributions.slice(0, -1).join(", ")} or ${rules.distributions.at(-1)}`;
  const whole = (number) => Number.isInteger(number) && number >= rules.min && number <= rules.max;
  const wording = `a whole number of tokens from ${rules.min} to ${rules.max}`;
  for (const key of params) {
    if (key === "samples") {
      const samples = value.samples;
      if (!Array.isArray(samples) || samples.length < rules.minSamples || samples.length > rules.maxSamples) {
        return `Samples must be a list of ${rules.minSamples} to ${rules.maxSamples} token counts`;
      }
      if (!samples.every(whole)) return `Each sample must be ${wording}`;
    } else if (!whole(value[key])) {
      return `${paramName(TOKEN_LABELS, key)} must be ${wording}`;
    }
  }
  if (value.dist === "uniform" && value.low > value.high) return "High must be at least low";
  if (value.dist === "lognormal" && value.median >= value.p99) return "P99 must be greater than the median";
  return null;
}

/** Text typed into an input turned into a value: {value} or {error}. */
export function parseText(field, text, serviceTime, tokenCount) {
  const trimmed = text.trim();
  if (trimmed === "") {
    if (field.nullable) return { value: null };
    return { error: "must not be empty" };
  }
  let value = trimmed;
  if (field.type === "integer" || field.type === "number") {
    value = Number(trimmed.replace(/_/g, ""));
    if (!Number.isFinite(value)) return { error: `must be ${field.type === "integer" ? "an integer" : "a number"}${rangeText(field)}` };
  }
  const error = checkValue(field, value, serviceTime, tokenCount);
  return error ? { error } : { value };
}

function toText(value) {
  return value === null || value === undefined ? "" : String(value);
}

let uid = 0;
function nextId(prefix) {
  uid += 1;
  return `${prefix}-${uid}`;
}

function helpText(field) {
  const parts = [field.help];
  if (!DISTRIBUTIONS.has(field.type) && field.type !== "object" && field.default !== "") {
    parts.push(field.default === null ? "Default: empty." : `Default: ${formatDefault(field.default)}${field.unit ? ` ${field.unit}` : ""}.`);
  }
  const range = rangeText(field);
  if (range) parts.push(`Allowed:${range}${field.unit ? ` ${field.unit}` : ""}.`);
  return parts.join(" ");
}

function formatDefault(value) {
  if (typeof value === "boolean") return value ? "on" : "off"; // yes/no fields are switches
  return typeof value === "object" ? JSON.stringify(value) : String(value);
}

/** The sentence shown for a problem with a field: "Max replicas must be ...", "Mode: a fallback call needs ...". */
export function problemText(name, message) {
  // Messages from the field's own rules read "must be ..."; composite ones name their part ("P99 must ...");
  // the server's other rules say what is wrong in a sentence of their own.
  if (/^[A-Z]/.test(message)) return message;
  return /^must\b/.test(message) ? `${fieldLabel(name)} ${message}` : `${fieldLabel(name)}: ${message}`;
}

function setError(row, control, message) {
  const box = row.querySelector(".field-error");
  box.textContent = message ? problemText(row.dataset.field, message) : "";
  box.hidden = !message;
  row.classList.toggle("invalid", Boolean(message));
  control.setAttribute("aria-invalid", message ? "true" : "false");
  delete row.dataset.serverError;
}

/**
 * Marks the fields in `container` that the server refused (`problems`: [{field, message}], a field
 * such as "autoscaling.max_replicas" naming a sub-field of an object setting), and unmarks those it
 * marked before. Returns the problems no field in `container` shows.
 */
export function markProblems(container, problems) {
  for (const row of container.querySelectorAll(".field[data-server-error]")) {
    setError(row, row.querySelector("input, select"), null);
  }
  const unplaced = [];
  for (const problem of problems) {
    let row = null;
    let message = problem.message;
    const parts = problem.field.split(".");
    for (const [index, part] of parts.entries()) {
      const inner = (row || container).querySelector(`.field[data-field="${CSS.escape(part)}"]`);
      if (!inner) {
        // A distribution's parameter (`prompt_tokens.p99`) has no row of its own: said at its field, named.
        if (row) message = /^[A-Z]/.test(message) ? message : `${fieldLabel(parts.slice(index).join(".").replace(/\[\d+\]/g, ""))} ${message}`;
        break;
      }
      row = inner;
    }
    if (!row) {
      unplaced.push(problem);
      continue;
    }
    setError(row, row.querySelector("input, select"), message);
    row.dataset.serverError = "true";
  }
  return unplaced;
}

/**
 * One labelled input for a catalog field. `onCommit(value)` runs only with a
 * valid value, when the user leaves the input or presses Enter; invalid text
 * stays visible and marked, and is never handed on. `serviceTime`: the
 * catalog's service-time rules, for a field of that type.
 */
export function renderField(field, value, onCommit, { prefix = "field", serviceTime = null, tokenCount = null } = {}) {
  if (field.type === "object") return renderObject(field, value, onCommit, { prefix, serviceTime, tokenCount });
  if (field.type === "boolean") return renderSwitch(field, value, onCommit, prefix);
  const id = nextId(prefix);
  const row = el("div", { class: "field", "data-field": field.name },
    el("label", { class: "field-label", for: id, text: fieldLabel(field.name) },
      el("span", { class: "field-unit", text: [TYPE_NAMES[field.type] || field.type, field.unit].filter(Boolean).join(" · ") })));

  let control;
  let shown = null; // what goes into the row when it is more than the one control
  if (field.type === "service_time") {
    [control, shown] = renderDistribution(row, value, onCommit, serviceTimeEditor(serviceTime));
  } else if (field.type === "token_count") {
    [control, shown] = renderDistribution(row, value, onCommit, tokenCountEditor(tokenCount));
  } else if (field.type === "enum") {
    control = el("select", { onchange: () => onCommit(control.value) }, ...options(field.choices));
    control.value = value;
  } else {
    const check = () => {
      const parsed = parseText(field, control.value, serviceTime, tokenCount);
      setError(row, control, parsed.error);
      return parsed;
    };
    control = el("input", {
      type: "text", autocomplete: "off", spellcheck: "false", placeholder: field.nullable ? "empty" : null,
      inputmode: field.type === "integer" || field.type === "number" ? "decimal" : null,
      oninput: check,
      onchange: () => {
        const parsed = check();
        if (!parsed.error) onCommit(parsed.value);
      },
      onkeydown: (event) => {
        if (event.key === "Enter") control.dispatchEvent(new Event("change"));
        if (event.key === "Escape") {
          control.value = toText(value);
          setError(row, control, null);
        }
      },
    });
    control.value = toText(value);
  }
  control.id = id;
  const help = el("p", { class: "field-help", id: `${id}-help`, text: helpText(field) });
  const error = el("p", { class: "field-error", id: `${id}-error`, hidden: true, role: "alert" });
  control.setAttribute("aria-describedby", `${help.id} ${error.id}`);
  row.append(shown || control, error, help);
  return row;
}

/** What switching an object setting on gives it: each sub-field at its default (the unset ones left out). */
export function objectDefaults(field) {
  return Object.fromEntries(field.fields.filter((sub) => sub.default !== null).map((sub) => [sub.name, structuredClone(sub.default)]));
}

/** A yes/no field (streaming answers) as a switch beside its label, like an object setting's. */
function renderSwitch(field, value, onCommit, prefix) {
  const id = nextId(prefix);
  const state = el("span", { class: "field-unit", text: value ? "on" : "off" });
  const toggle = el("input", { type: "checkbox", role: "switch", id, class: "switch" });
  toggle.checked = Boolean(value);
  toggle.setAttribute("aria-checked", String(Boolean(value)));
  toggle.addEventListener("change", () => {
    state.textContent = toggle.checked ? "on" : "off";
    toggle.setAttribute("aria-checked", String(toggle.checked));
    onCommit(toggle.checked);
  });
  const help = el("p", { class: "field-help", id: `${id}-help`, text: helpText(field) });
  const error = el("p", { class: "field-error", id: `${id}-error`, hidden: true, role: "alert" });
  toggle.setAttribute("aria-describedby", `${help.id} ${error.id}`);
  return el("div", { class: "field switch-field", "data-field": field.name },
    el("div", { class: "object-head" }, el("label", { class: "field-label", for: id, text: fieldLabel(field.name) }, state), toggle),
    error, help);
}

/**
 * An object setting (retry, circuit breaker, rate limit, autoscaling): a switch that turns it on
 * (with its sub-fields' defaults) or off (null), and, while on, its sub-fields. `onCommit` gets the
 * whole new value; omitted sub-fields mean their defaults, as on the server.
 */
function renderObject(field, value, onCommit, options) {
  const id = nextId(options.prefix);
  let current = value && typeof value === "object" ? { ...value } : null;
  const state = el("span", { class: "field-unit" });
  const toggle = el("input", { type: "checkbox", role: "switch", id, class: "switch" });
  const body = el("div", { class: "object-fields" });
  const row = el("div", { class: "field object-field", "data-field": field.name },
    el("div", { class: "object-head" }, el("label", { class: "field-label", for: id, text: fieldLabel(field.name) }, state), toggle));
  const draw = () => {
    const on = current !== null;
    row.dataset.on = String(on);
    toggle.checked = on;
    toggle.setAttribute("aria-checked", String(on));
    state.textContent = on ? "on" : "off";
    body.hidden = !on;
    body.replaceChildren(...(on ? field.fields.map((sub) => renderField(sub, current[sub.name] ?? sub.default, (next) => {
      current = { ...current, [sub.name]: next };
      onCommit(current);
    }, options)) : []));
  };
  toggle.addEventListener("change", () => {
    current = toggle.checked ? objectDefaults(field) : null;
    draw();
    onCommit(current);
  });
  const help = el("p", { class: "field-help", id: `${id}-help`, text: helpText(field) });
  const error = el("p", { class: "field-error", id: `${id}-error`, hidden: true, role: "alert" });
  toggle.setAttribute("aria-describedby", `${help.id} ${error.id}`);
  row.append(error, help, body);
  draw();
  return row;
}

const PARAM_LABELS = { mean_ms: "Mean", median_ms: "Median", p99_ms: "P99", samples_ms: "Samples (comma-separated)" };
const TOKEN_LABELS = { mean: "Tokens", low: "Low", high: "High", median: "Median", p99: "P99", samples: "Samples (comma-separated)" };

/**
 * How a distribution field is edited: its distributions and each one's parameters (`params`), their
 * labels, the unit, which parameter holds samples, the check, and `seed(dist, value)`: the parameters
 * of `dist` when the user switches to it, from a typical value of the current one.
 */
function serviceTimeEditor(rules) {
  return {
    distributions: rules.distributions, params: rules.params, labels: PARAM_LABELS, unit: "ms", samples: "samples_ms",
    check: (value) => checkServiceTime(value, rules),
    seed: (dist, value) => {
      const typical = value?.mean_ms ?? value?.median_ms ?? value?.samples_ms?.[0] ?? 1;
      const seeds = { mean_ms: typical, median_ms: typical, p99_ms: Math.max(typical * 4, typical + 1), samples_ms: [typical] };
      return Object.fromEntries([["dist", dist], ...rules.params[dist].map((key) => [key, seeds[key]])]);
    },
  };
}

function tokenCountEditor(rules) {
  return {
    distributions: rules.distributions, params: rules.params, labels: TOKEN_LABELS, unit: "tokens", samples: "samples",
    check: (value) => checkTokenCount(value, rules),
    // A lognormal's P99 four times its median is a long tail of answers; uniform spans half to one and a half.
    seed: (dist, value) => {
      const typical = value?.mean ?? value?.median ?? (value?.low != null ? Math.round((value.low + value.high) / 2) : value?.samples?.[0]) ?? 200;
      const clamp = (n) => Math.min(rules.max, Math.max(rules.min, Math.round(n)));
      const seeds = { mean: clamp(typical), median: clamp(typical), p99: clamp(Math.max(typical * 4, typical + 1)),
        low: clamp(typical / 2), high: clamp(typical * 1.5), samples: [clamp(typical)] };
      return Object.fromEntries([["dist", dist], ...rules.params[dist].map((key) => [key, seeds[key]])]);
    },
  };
}

/** A distribution picker and its parameters' inputs; `onCommit` gets the whole value when it is valid. */
function renderDistribution(row, value, onCommit, editor) {
  const select = el("select", { "aria-label": "Distribution" }, ...options(editor.distributions));
  select.value = value.dist;
  const params = el("div", { class: "service-params" });
  const box = el("div", { class: "service-time" }, select, params);
  let current = { ...value };

  const draw = () => {
    params.replaceChildren(...editor.params[current.dist].map((key) => {
      const input = el("input", {
        type: "text", "data-param": key, "aria-label": `${editor.labels[key]} (${editor.unit})`,
        inputmode: key === editor.samples ? null : "decimal",
        oninput: () => read(false),
        onchange: () => read(true),
        onkeydown: (event) => {
          if (event.key === "Enter") read(true);
        },
      });
      input.value = key === editor.samples ? (current[key] || []).join(", ") : toText(current[key]);
      return el("label", { class: "service-param", text: editor.labels[key] }, input);
    }));
  };
  const read = (commit) => {
    const next = { dist: current.dist };
    for (const input of params.querySelectorAll("input")) {
      const key = input.dataset.param;
      const text = input.value.trim().replace(/_/g, "");
      next[key] = key === editor.samples
        ? text.split(/[\s,;]+/).filter(Boolean).map(Number)
        : (text === "" ? null : Number(text));
    }
    const problem = editor.check(next);
    setError(row, select, problem);
    if (!problem && commit) {
      current = next;
      onCommit(next);
    }
  };
  select.addEventListener("change", () => {
    current = editor.seed(select.value, current);
    draw();
    setError(row, select, null);
    onCommit(current);
  });
  draw();
  return [select, box];
}
