// Catalog fields in the browser: parse and check typed values like the server does, and render their inputs.

const LABELS = {
  rps: "Requests per second",
  peak_rps: "Peak requests per second",
  p99_ms: "P99 latency SLO",
  monthly_budget_usd: "Monthly budget",
  latency_ms: "Latency",
  hit_rate: "Hit rate",
  arrival: "Traffic pattern",
  mode: "Mode",
};
const TYPE_NAMES = {
  integer: "integer", number: "number", string: "text", enum: "choice", boolean: "yes/no", service_time: "distribution",
};
const SERVICE_LIMIT_MS = 600000;
const MAX_SAMPLES = 10000;
const MAX_TEXT = 200;

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
export function checkValue(field, value) {
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
      return value.length > MAX_TEXT ? `must be at most ${MAX_TEXT} characters` : null;
    case "boolean":
      return typeof value === "boolean" ? null : "must be true or false";
    case "service_time":
      return checkServiceTime(value);
    default:
      return null;
  }
}

function checkMs(value, what) {
  const ok = typeof value === "number" && Number.isFinite(value) && value >= 0 && value <= SERVICE_LIMIT_MS;
  return ok ? null : `${what} must be a number from 0 to ${SERVICE_LIMIT_MS} ms`;
}

export function checkServiceTime(value) {
  if (!value || typeof value !== "object") return "must be a distribution";
  if (value.dist === "exponential" || value.dist === "constant") return checkMs(value.mean_ms, "Mean");
  if (value.dist === "lognormal") {
    const problem = checkMs(value.median_ms, "Median") || checkMs(value.p99_ms, "P99");
    if (problem) return problem;
    return value.median_ms > 0 && value.median_ms < value.p99_ms ? null : "P99 must be greater than the median, which must be greater than 0";
  }
  if (value.dist === "empirical") {
    const samples = value.samples_ms;
    if (!Array.isArray(samples) || samples.length < 1 || samples.length > MAX_SAMPLES) {
      return `Samples must be a list of 1 to ${MAX_SAMPLES} measured times in ms`;
    }
    const bad = samples.find((s) => checkMs(s, "Each sample"));
    return bad === undefined ? null : checkMs(bad, "Each sample");
  }
  return "must be exponential, constant, lognormal or empirical";
}

/** Text typed into an input turned into a value: {value} or {error}. */
export function parseText(field, text) {
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
  const error = checkValue(field, value);
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

function element(tag, className, text) {
  const el = document.createElement(tag);
  if (className) el.className = className;
  if (text !== undefined) el.textContent = text;
  return el;
}

function helpText(field) {
  const parts = [field.help];
  if (field.type !== "service_time" && field.default !== "") {
    parts.push(field.default === null ? "Default: empty." : `Default: ${formatDefault(field.default)}${field.unit ? ` ${field.unit}` : ""}.`);
  }
  const range = rangeText(field);
  if (range) parts.push(`Allowed:${range}${field.unit ? ` ${field.unit}` : ""}.`);
  return parts.join(" ");
}

function formatDefault(value) {
  return typeof value === "object" ? JSON.stringify(value) : String(value);
}

function setError(row, control, message) {
  const box = row.querySelector(".field-error");
  // Messages from the field's own rules read "must be ..."; composite ones name their part ("P99 must ...").
  const named = message && /^[A-Z]/.test(message);
  box.textContent = message ? (named ? message : `${fieldLabel(row.dataset.field)} ${message}`) : "";
  box.hidden = !message;
  row.classList.toggle("invalid", Boolean(message));
  control.setAttribute("aria-invalid", message ? "true" : "false");
}

/**
 * One labelled input for a catalog field. `onCommit(value)` runs only with a
 * valid value, when the user leaves the input or presses Enter; invalid text
 * stays visible and marked, and is never handed on.
 */
export function renderField(field, value, onCommit, { prefix = "field" } = {}) {
  const row = element("div", "field");
  row.dataset.field = field.name;
  const id = nextId(prefix);
  const label = element("label", "field-label", fieldLabel(field.name));
  label.htmlFor = id;
  label.append(element("span", "field-unit", [TYPE_NAMES[field.type] || field.type, field.unit].filter(Boolean).join(" · ")));
  row.append(label);

  let control;
  let shown = null; // what goes into the row when it is more than the one control
  if (field.type === "service_time") {
    [control, shown] = renderServiceTime(row, value, onCommit);
  } else if (field.type === "enum") {
    control = element("select");
    for (const choice of field.choices) {
      const option = element("option", "", choice);
      option.value = choice;
      control.append(option);
    }
    control.value = value;
    control.addEventListener("change", () => onCommit(control.value));
  } else if (field.type === "boolean") {
    control = element("input");
    control.type = "checkbox";
    control.checked = Boolean(value);
    control.addEventListener("change", () => onCommit(control.checked));
  } else {
    control = element("input");
    control.type = "text";
    control.autocomplete = "off";
    control.spellcheck = false;
    if (field.type === "integer" || field.type === "number") control.inputMode = "decimal";
    control.value = toText(value);
    if (field.nullable) control.placeholder = "empty";
    const check = () => {
      const parsed = parseText(field, control.value);
      setError(row, control, parsed.error);
      return parsed;
    };
    control.addEventListener("input", check);
    control.addEventListener("change", () => {
      const parsed = check();
      if (!parsed.error) onCommit(parsed.value);
    });
    control.addEventListener("keydown", (event) => {
      if (event.key === "Enter") control.dispatchEvent(new Event("change"));
      if (event.key === "Escape") {
        control.value = toText(value);
        setError(row, control, null);
      }
    });
  }
  control.id = id;
  const help = element("p", "field-help", helpText(field));
  help.id = `${id}-help`;
  const error = element("p", "field-error");
  error.id = `${id}-error`;
  error.hidden = true;
  error.setAttribute("role", "alert");
  control.setAttribute("aria-describedby", `${help.id} ${error.id}`);
  row.append(shown || control, error, help);
  return row;
}

const DIST_PARAMS = {
  exponential: ["mean_ms"],
  constant: ["mean_ms"],
  lognormal: ["median_ms", "p99_ms"],
  empirical: ["samples_ms"],
};
const PARAM_LABELS = { mean_ms: "Mean", median_ms: "Median", p99_ms: "P99", samples_ms: "Samples (comma-separated)" };

/** A typical time of a distribution, used to seed the parameters when the user switches distribution. */
function typicalMs(value) {
  if (!value) return 1;
  if (value.mean_ms != null) return value.mean_ms;
  if (value.median_ms != null) return value.median_ms;
  if (Array.isArray(value.samples_ms) && value.samples_ms.length) return value.samples_ms[0];
  return 1;
}

function switchDistribution(dist, value) {
  const ms = typicalMs(value);
  if (dist === "lognormal") return { dist, median_ms: ms, p99_ms: Math.max(ms * 4, ms + 1) };
  if (dist === "empirical") return { dist, samples_ms: [ms] };
  return { dist, mean_ms: ms };
}

function renderServiceTime(row, value, onCommit) {
  const box = element("div", "service-time");
  const select = element("select");
  select.setAttribute("aria-label", "Distribution");
  for (const dist of Object.keys(DIST_PARAMS)) {
    const option = element("option", "", dist);
    option.value = dist;
    select.append(option);
  }
  select.value = value.dist;
  box.append(select);
  const params = element("div", "service-params");
  box.append(params);
  let current = { ...value };

  const draw = () => {
    params.replaceChildren();
    for (const key of DIST_PARAMS[current.dist]) {
      const input = element("input");
      input.type = "text";
      input.dataset.param = key;
      input.setAttribute("aria-label", `${PARAM_LABELS[key]} (ms)`);
      input.value = key === "samples_ms" ? (current.samples_ms || []).join(", ") : toText(current[key]);
      const wrap = element("label", "service-param", PARAM_LABELS[key]);
      wrap.append(input);
      params.append(wrap);
      input.addEventListener("input", () => read(false));
      input.addEventListener("change", () => read(true));
      input.addEventListener("keydown", (event) => {
        if (event.key === "Enter") read(true);
      });
    }
  };
  const read = (commit) => {
    const next = { dist: current.dist };
    for (const input of params.querySelectorAll("input")) {
      const key = input.dataset.param;
      const text = input.value.trim();
      next[key] = key === "samples_ms"
        ? text.split(/[\s,;]+/).filter(Boolean).map(Number)
        : (text === "" ? null : Number(text));
    }
    const problem = checkServiceTime(next);
    setError(row, select, problem);
    if (!problem && commit) {
      current = next;
      onCommit(next);
    }
  };
  select.addEventListener("change", () => {
    current = switchDistribution(select.value, current);
    draw();
    onCommit(current);
  });
  draw();
  return [select, box];
}
