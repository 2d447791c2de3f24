// Chart.js figures of a run: latency histogram and CDF, throughput, P99 and failures over time with the faults
// shaded, replicas over time, per-node bars, cost, load curve; and the pieces other chart modules draw with.

import { el } from "./dom.js";
import { clock, ms } from "./format.js";

const INK = "#334155";
const GRID_LINE = "#e2e8f0";
const SLO_COLOUR = "#dc2626";
export const SERIES = ["#2563eb", "#f59e0b", "#7c3aed", "#059669"];
const FAILED_COLOUR = "#7c3aed";
const BAND_FILL = "rgba(234, 88, 12, 0.13)";
const BAND_INK = "#9a3412";
const LONG_RUN_S = 2 * 3600; // beyond this an axis in seconds is hard to read: h:mm:ss
const FONT = { family: "system-ui, sans-serif", size: 11 };

// Chart.js (210 kB) plays no part in drawing the board: the page fetches it once the board is drawn (main.js)
// or when a chart is first drawn, whichever comes first, and not while the editor starts.
let Chart = null;
let chartLoading = null;

function useChart(library) {
  library.defaults.font = FONT;
  library.defaults.color = INK;
  library.defaults.animation = false; // results appear at once; animations would also make tests race the drawing
  library.defaults.maintainAspectRatio = false;
  Chart = library;
}

/** Resolves once charts can be drawn. The file is a UMD bundle: imported as a module it sets window.Chart. */
export function loadCharts() {
  chartLoading ||= import("../vendor/chart.umd.min.js").then(() => useChart(window.Chart), (error) => {
    chartLoading = null; // the next chart tries again
    throw error;
  });
  return chartLoading;
}

if (window.Chart) useChart(window.Chart); // another copy of this module (a test's import) loaded it already

/**
 * Straight reference lines (the SLO, the highest rate meeting it) drawn over a chart.
 * options.plugins.refLines = [{ scale: "x" | "y" | "y2", value, label, colour, dash }]
 */
const refLines = {
  id: "refLines",
  afterDatasetsDraw(chart, args, lines) {
    const { ctx, chartArea } = chart;
    for (const line of lines?.lines || []) {
      const scale = chart.scales[line.scale];
      if (!scale || line.value === null || line.value === undefined) continue;
      const at = scale.getPixelForValue(line.value);
      const vertical = scale.axis === "x";
      if (vertical ? at < chartArea.left || at > chartArea.right : at < chartArea.top || at > chartArea.bottom) continue;
      ctx.save();
      ctx.strokeStyle = line.colour || SLO_COLOUR;
      ctx.lineWidth = 1.5;
      ctx.setLineDash(line.dash || [6, 4]);
      ctx.beginPath();
      if (vertical) {
        ctx.moveTo(at, chartArea.top);
        ctx.lineTo(at, chartArea.bottom);
      } else {
        ctx.moveTo(chartArea.left, at);
        ctx.lineTo(chartArea.right, at);
      }
      ctx.stroke();
      ctx.setLineDash([]);
      ctx.fillStyle = line.colour || SLO_COLOUR;
      ctx.font = `600 11px ${FONT.family}`;
      if (vertical) {
        ctx.textAlign = at > (chartArea.left + chartArea.right) / 2 ? "right" : "left";
        ctx.fillText(line.label || "", at + (ctx.textAlign === "left" ? 4 : -4), chartArea.top + 12);
      } else {
        ctx.textAlign = "right";
        ctx.fillText(line.label || "", chartArea.right - 4, at - 4);
      }
      ctx.restore();
    }
  },
};

/**
 * Shaded spans of the x axis (the faults, over the run's time), each labelled at its top:
 * options.plugins.bands = { bands: [{ from, to, label }] }. Drawn under the lines.
 */
const shadedBands = {
  id: "bands",
  beforeDatasetsDraw(chart, args, options) {
    const { ctx, chartArea } = chart;
    const x = chart.scales.x;
    (options?.bands || []).forEach((band, index) => {
      const left = Math.max(x.getPixelForValue(band.from), chartArea.left);
      // A window shorter than a pixel is still drawn, two pixels wide.
      const right = Math.min(Math.max(x.getPixelForValue(band.to), left + 2), chartArea.right);
      if (right <= left) return;
      ctx.save();
      ctx.fillStyle = BAND_FILL;
      ctx.fillRect(left, chartArea.top, right - left, chartArea.bottom - chartArea.top);
      // Labelled at the foot of the band (the SLO's label sits near the top), staggered so neighbours stay
      // legible, with a white halo over the lines.
      const y = chartArea.bottom - 5 - 12 * (index % 3);
      ctx.font = `600 10px ${FONT.family}`;
      ctx.textAlign = "left";
      ctx.lineWidth = 3;
      ctx.strokeStyle = "#ffffff";
      ctx.strokeText(band.label || "", left + 3, y);
      ctx.fillStyle = BAND_INK;
      ctx.fillText(band.label || "", left + 3, y);
      ctx.restore();
    });
  },
};

/** An x axis of seconds after the warm-up, read as h:mm:ss for runs of hours. */
export function timeAxis(last) {
  const long = last > LONG_RUN_S;
  return axis(long ? "time after warm-up (h:mm:ss)" : "seconds after warm-up",
    { type: "linear", ticks: long ? { callback: (value) => clock(value), maxTicksLimit: 8 } : {} });
}

export function axis(title, extra = {}) {
  return { title: { display: Boolean(title), text: title }, grid: { color: GRID_LINE }, ...extra };
}

/**
 * Keeps one Chart per canvas: drawing again replaces the old chart instead of stacking them. Before Chart.js
 * has arrived the chart is drawn when it does (in call order, so the last drawing of a canvas stays) and null returned.
 */
export function draw(canvas, config) {
  if (!Chart) {
    loadCharts().then(() => draw(canvas, config), (error) => console.error("The chart library did not load:", error));
    return null;
  }
  Chart.getChart(canvas)?.destroy();
  return new Chart(canvas, { ...config, plugins: [refLines, shadedBands, ...(config.plugins || [])] });
}

/** The empirical CDF from the histogram: share of measured requests at or below each bin's upper edge. */
export function cdfPoints(results) {
  const { edges_ms: edges = [], counts = [], above = 0 } = results.histogram || {};
  const total = counts.reduce((sum, count) => sum + count, 0) + above;
  if (!total) return [];
  let running = 0;
  const points = [{ x: 0, y: 0 }];
  counts.forEach((count, index) => {
    running += count;
    points.push({ x: edges[index + 1], y: (100 * running) / total });
  });
  return points;
}

function sloLine(slo, scale) {
  return slo ? [{ scale, value: slo, label: `SLO ${slo} ms` }] : [];
}

export function latencyHistogram(canvas, results, slo) {
  const { edges_ms: edges = [], counts = [], above = 0 } = results.histogram || {};
  const total = counts.reduce((sum, count) => sum + count, 0) + above || 1;
  const data = counts.map((count, index) => ({ x: (edges[index] + edges[index + 1]) / 2, y: (100 * count) / total }));
  const top = Math.max(edges[edges.length - 1] || 1, slo ? slo * 1.08 : 0);
  return draw(canvas, {
    type: "bar",
    data: { datasets: [{ label: "Requests", data, backgroundColor: SERIES[0], barPercentage: 1, categoryPercentage: 1 }] },
    options: {
      parsing: false,
      scales: { x: axis("latency (ms)", { type: "linear", min: 0, max: top }), y: axis("% of requests", { beginAtZero: true }) },
      plugins: { legend: { display: false }, refLines: { lines: sloLine(slo, "x") },
        tooltip: { callbacks: { label: (item) => `${item.parsed.y.toFixed(2)}% near ${item.parsed.x.toFixed(2)} ms` } } },
    },
  });
}

// Past this ratio between the runs' P99s the faster run's curve would rise within a few pixels of
// the axis on a linear scale: the latency axis goes logarithmic.
const CDF_LOG_SPAN = 8;

/** The latency at which a run's CDF reaches `share` percent (the histogram's upper bin edge there). */
function latencyAtShare(results, share) {
  const point = cdfPoints(results).find((p) => p.y >= share);
  return point ? point.x : null;
}

/**
 * The latency range a CDF chart shows: from the runs' percentiles (P99.5 at the top, the SLO in view)
 * rather than the histograms' last bin, which a few slow requests stretch far out.
 */
export function cdfRange(series, slo) {
  // One run alone is drawn to its histogram's end (its P99.9), as the histogram beside it is.
  const end = (results) => (results.histogram?.edges_ms || []).at(-1);
  const tops = series.map(({ results }) => (series.length > 1 ? latencyAtShare(results, 99.5) : end(results)) ?? results.latency_ms?.p99 ?? 1);
  const top = Math.max(...tops, slo ? slo * 1.08 : 0) * 1.05;
  const lows = series.map(({ results }) => latencyAtShare(results, 1)).filter((value) => value > 0);
  const spread = Math.max(...tops) / Math.max(Math.min(...tops), 1e-9);
  if (series.length > 1 && spread > CDF_LOG_SPAN && lows.length) {
    return { type: "logarithmic", min: Math.min(...lows) / 1.5, max: top };
  }
  return { type: "linear", min: 0, max: top };
}

/** One or more CDFs (compare draws two) with the SLO as a vertical line. series: [{label, results}] */
export function latencyCdf(canvas, series, slo) {
  const range = cdfRange(series, slo);
  const title = range.type === "logarithmic" ? "latency (ms, log scale)" : "latency (ms)";
  return draw(canvas, {
    type: "line",
    data: {
      datasets: series.map(({ label, results }, index) => ({
        label, data: cdfPoints(results).filter((point) => range.type === "linear" || point.x > 0), borderColor: SERIES[index % SERIES.length], backgroundColor: SERIES[index % SERIES.length],
        pointRadius: 0, borderWidth: 2, stepped: false,
      })),
    },
    options: {
      parsing: false,
      scales: { x: axis(title, range), y: axis("% of requests ≤ latency", { min: 0, max: 100 }) },
      plugins: { legend: { display: series.length > 1 }, refLines: { lines: [...sloLine(slo, "x"), { scale: "y", value: 99, label: "P99", colour: "#64748b", dash: [2, 3] }] } },
    },
  });
}

/**
 * Throughput, P99, drops and failures per second over the run, with `bands` (the faults) shaded.
 * With time compression k the rows' times are on the real clock and their counts those of the
 * compressed run, so a row of width w carries its count over w / k seconds.
 */
export function overTime(canvas, results, slo, bands = []) {
  const points = results.timeseries || [];
  const k = results.run?.time_compression || 1;
  const step = (points.length > 1 ? points[1].t_s - points[0].t_s : 1) / k || 1;
  const rate = (name) => points.map((p) => ({ x: p.t_s, y: (p[name] || 0) / step }));
  return draw(canvas, {
    type: "line",
    data: {
      datasets: [
        { label: "throughput (req/s)", data: rate("completions"), borderColor: SERIES[0], backgroundColor: SERIES[0], pointRadius: 0, borderWidth: 2, yAxisID: "y" },
        { label: "P99 (ms)", data: points.map((p) => ({ x: p.t_s, y: Number.isFinite(p.p99_ms) ? p.p99_ms : null })), borderColor: SERIES[1], backgroundColor: SERIES[1], pointRadius: 0, borderWidth: 2, yAxisID: "y2" },
        { label: "dropped (req/s)", data: rate("dropped"), borderColor: SLO_COLOUR, backgroundColor: SLO_COLOUR, pointRadius: 0, borderWidth: 1.5, yAxisID: "y", hidden: !points.some((p) => p.dropped) },
        { label: "failed (req/s)", data: rate("errors"), borderColor: FAILED_COLOUR, backgroundColor: FAILED_COLOUR, pointRadius: 0, borderWidth: 1.5, borderDash: [5, 3], yAxisID: "y", hidden: !points.some((p) => p.errors) },
      ],
    },
    options: {
      parsing: false,
      scales: {
        x: timeAxis(points.at(-1)?.t_s || 0),
        y: axis("req/s", { beginAtZero: true, position: "left" }),
        y2: axis("P99 ms", { beginAtZero: true, position: "right", grid: { drawOnChartArea: false }, suggestedMax: slo ? slo * 1.1 : undefined }),
      },
      plugins: { refLines: { lines: sloLine(slo, "y2") }, bands: { bands } },
    },
  });
}

/** Replicas held over the run by each autoscaled node (its mean per timeline bucket). series: [{label, replicas, colour}] */
export function replicasOverTime(canvas, timeline, series, bands = []) {
  const t = timeline.t_s || [];
  return draw(canvas, {
    type: "line",
    data: {
      datasets: series.map(({ label, replicas, colour }) => ({
        label, data: replicas.map((value, index) => ({ x: t[index], y: value })), borderColor: colour, backgroundColor: colour,
        pointRadius: 0, borderWidth: 2, stepped: "middle",
      })),
    },
    options: {
      parsing: false,
      scales: { x: timeAxis(t.at(-1) || 0), y: axis("replicas", { beginAtZero: true, ticks: { precision: 0 } }) },
      plugins: { legend: { display: series.length > 1 }, bands: { bands } },
    },
  });
}

// A board of 150 components drew 150 bars per chart (3,920 px down the Results tab, in board order):
// the charts show the highest values first, the first TOP_BARS of them until "Show all" is pressed.
export const TOP_BARS = 12;
const BAR_ROW_PX = 18;
const BAR_AXIS_PX = 46;

/**
 * Horizontal bars, one per node, coloured per bar, highest value first; past `top` rows the rest
 * stay behind a "Show all" button placed after the chart. rows: [{label, value, colour}]
 */
export function nodeBars(canvas, rows, { title, max, format, top = TOP_BARS }) {
  const box = canvas.parentElement;
  const sorted = [...rows].sort((a, b) => (b.value || 0) - (a.value || 0));
  let toggle = box.nextElementSibling?.classList.contains("bars-toggle") ? box.nextElementSibling : null;
  if (sorted.length > top && !toggle) {
    toggle = Object.assign(document.createElement("button"), { type: "button", className: "link-button bars-toggle" });
    box.after(toggle);
  } else if (sorted.length <= top && toggle) {
    toggle.remove();
    toggle = null;
  }
  const show = (all) => {
    const shown = all ? sorted : sorted.slice(0, top);
    box.style.height = `${Math.max(90, BAR_ROW_PX * shown.length + BAR_AXIS_PX)}px`;
    box.dataset.shown = String(shown.length);
    if (toggle) {
      toggle.textContent = all ? `Show the top ${top} only` : `Show all ${sorted.length} (the top ${top} are shown)`;
      toggle.setAttribute("aria-expanded", String(all));
      toggle.onclick = () => show(!all);
    }
    return draw(canvas, {
      type: "bar",
      data: { labels: shown.map((row) => row.label), datasets: [{ data: shown.map((row) => row.value), backgroundColor: shown.map((row) => row.colour || SERIES[0]), barPercentage: 0.8, categoryPercentage: 1 }] },
      options: {
        indexAxis: "y",
        scales: { x: axis(title, { beginAtZero: true, max }), y: { grid: { display: false }, ticks: { autoSkip: false, font: { size: 10 } } } },
        plugins: { legend: { display: false }, tooltip: { callbacks: { label: (item) => format(item.parsed.x) } } },
      },
    });
  };
  return show(false);
}

// Past this ratio between the highest and lowest P99 of a curve (an overloaded level beside healthy ones),
// a linear axis flattens every level near the SLO onto its floor: without an SLO the axis goes logarithmic.
const LOG_SPAN = 30;
// With an SLO the P99 axis stops at this many times it, so the SLO line and the levels around it take
// most of the chart; a level above is drawn on the top edge as a triangle with its value written by it.
const SLO_CAP = 4;

/** Each level beyond the axis's top gets its P99 written above its mark at the top edge. */
const overflowMarks = {
  id: "overflowMarks",
  afterDatasetsDraw(chart) {
    const { ctx, chartArea } = chart;
    const meta = chart.getDatasetMeta(0);
    ctx.save();
    ctx.font = `600 10px ${FONT.family}`;
    ctx.textAlign = "center";
    ctx.fillStyle = SLO_COLOUR;
    chart.data.datasets[0].data.forEach((point, index) => {
      const element = meta.data[index];
      if (!point.clipped || !element) return;
      ctx.fillText(`↑ ${ms(point.p99)}`, element.x, chartArea.top + 20);
    });
    ctx.restore();
  },
};

/** The P99 axis of a load curve: {scale, top} where top is the cap's value, or null when nothing is capped. */
export function loadCurveAxis(points, slo) {
  const p99s = points.map((p) => p.p99_ms).filter((value) => value > 0);
  const highest = Math.max(...p99s, 0);
  if (slo && highest > SLO_CAP * slo) {
    const top = SLO_CAP * slo;
    return {
      top,
      scale: axis(`P99 (ms; axis capped at ${SLO_CAP}× the SLO, ▲ = beyond)`, { beginAtZero: true, min: 0, max: top }),
    };
  }
  const all = [...p99s, slo].filter((value) => value > 0);
  if (all.length > 1 && Math.max(...all) / Math.min(...all) > LOG_SPAN) {
    return {
      top: null,
      scale: axis("P99 (log scale)", {
        type: "logarithmic", ticks: { autoSkip: false, callback: (value) => (/^10*$/.test(String(value)) ? ms(value) : "") },
        grid: { color: (context) => (context.tick?.label ? GRID_LINE : "transparent") },
      }),
    };
  }
  return { top: null, scale: axis("P99 (ms)", { beginAtZero: true, suggestedMax: slo ? slo * 1.2 : undefined }) };
}

export function loadCurve(canvas, result) {
  const points = result.points || [];
  const slo = result.p99_slo_ms;
  const { top, scale } = loadCurveAxis(points, slo);
  const p99Points = points.map((p) => {
    const clipped = top !== null && p.p99_ms > top;
    return { x: p.rps, y: clipped ? top : p.p99_ms, p99: p.p99_ms, clipped };
  });
  return draw(canvas, {
    type: "line",
    data: {
      datasets: [
        {
          label: "P99 (ms)", data: p99Points, borderColor: SERIES[1], backgroundColor: points.map((p) => (p.meets_slo ? "#16a34a" : SLO_COLOUR)),
          pointRadius: p99Points.map((p) => (p.clipped ? 6 : 4)), pointStyle: p99Points.map((p) => (p.clipped ? "triangle" : "circle")),
          borderWidth: 2, yAxisID: "y", clip: false,
        },
        { label: "drops (%)", data: points.map((p) => ({ x: p.rps, y: 100 * (p.drop_rate || 0) })), borderColor: SLO_COLOUR, backgroundColor: SLO_COLOUR, pointRadius: 2, borderWidth: 1.5, borderDash: [4, 3], yAxisID: "y2" },
      ],
    },
    options: {
      parsing: false,
      layout: { padding: { top: top !== null ? 8 : 0 } },
      scales: {
        x: axis("offered load (req/s)", { type: "linear" }),
        y: scale,
        y2: axis("dropped %", { beginAtZero: true, suggestedMax: 5, position: "right", grid: { drawOnChartArea: false } }),
      },
      plugins: {
        tooltip: { callbacks: { label: (item) => (item.datasetIndex === 0 ? `P99 ${ms(item.raw.p99)} at ${item.parsed.x} req/s` : `${item.parsed.y.toFixed(2)}% dropped`) } },
        refLines: {
          lines: [
            ...sloLine(slo, "y"),
            ...(result.max_rps_meeting_slo ? [{ scale: "x", value: result.max_rps_meeting_slo, label: `max ${result.max_rps_meeting_slo} req/s`, colour: "#16a34a" }] : []),
          ],
        },
      },
    },
    plugins: [overflowMarks],
  });
}

/** Share of a canvas's pixels that are not transparent: lets tests (and us) tell a drawn chart from a blank one. */
export function inkShare(canvas) {
  const { width, height } = canvas;
  if (!width || !height) return 0;
  const pixels = canvas.getContext("2d").getImageData(0, 0, width, height).data;
  let inked = 0;
  for (let i = 3; i < pixels.length; i += 4) if (pixels[i] > 0) inked += 1;
  return inked / (width * height);
}

/** The box a chart is drawn in: a canvas of `height` pixels, described for screen readers by `label`. */
export function chartBox(name, label, height = 190) {
  return el("div", { class: "chart", style: `height:${height}px` }, el("canvas", { "data-chart": name, role: "img", "aria-label": label }));
}
