// Figures as the results read them: times, money, rates and shares ("–" when there is none).

const missing = (value) => value === null || value === undefined;

export function ms(value) {
  if (missing(value) || Number.isNaN(value)) return "–";
  if (value >= 1000) return `${(value / 1000).toFixed(value >= 10000 ? 0 : 1)} s`;
  if (value >= 100) return `${value.toFixed(0)} ms`;
  if (value >= 10) return `${value.toFixed(1)} ms`;
  return `${value.toFixed(2)} ms`;
}

export const usd = (value) => (missing(value) ? "–" : `$${value.toLocaleString(undefined, { maximumFractionDigits: value < 10 ? 2 : 0 })}`);
export const rps = (value) => (missing(value) ? "–" : `${value.toLocaleString(undefined, { maximumFractionDigits: value < 100 ? 1 : 0 })} req/s`);
export const pct = (value) => (missing(value) ? "–" : `${(100 * value).toFixed(value > 0 && value < 0.001 ? 3 : 2)}%`);

const round3 = (value) => Number(value.toPrecision(3));

/** Seconds on the run's clock: "42.5 s", or h:mm:ss (m:ss under an hour) for long runs. */
export function clock(seconds) {
  if (missing(seconds)) return "–";
  const whole = Math.round(seconds);
  const [h, m, s] = [Math.floor(whole / 3600), Math.floor((whole % 3600) / 60), whole % 60];
  const two = (n) => String(n).padStart(2, "0");
  return h ? `${h}:${two(m)}:${two(s)}` : `${m}:${two(s)}`;
}

/** A moment of the run: "42.5 s", or h:mm:ss past the first hour. */
export const at = (seconds) => (missing(seconds) ? "–" : seconds >= 3600 ? clock(seconds) : `${round3(seconds)} s`);

/** "20–30 s" (or "1:00:00–1:30:00" past the first hour): a window on the run's clock. */
export const span = (from, to) => (to >= 3600 ? `${clock(from)}–${clock(to)}` : `${round3(from)}–${round3(to)} s`);
