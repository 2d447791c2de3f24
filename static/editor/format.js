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
