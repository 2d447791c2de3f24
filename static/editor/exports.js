// Export menu: the canvas as PNG (1x, 2x) and SVG, server renders and files, and JSON import.
import { api, ApiError, OfflineError, downloadFile } from "./api.js";
import { rememberLinks } from "../js/tokens.js";

const CANVAS_OPTIONS = { padding: 24, backgroundColor: "#ffffff" };

function fileName(title) {
  return (title || "board").trim().replace(/[^\w\- ]+/g, "").replace(/\s+/g, "-").toLowerCase() || "board";
}

/**
 * Wires the export menu. Canvas exports come from X6's export plugin (exactly what is on screen);
 * the diagrams PNG, the script, JSON and the Markdown report are fetched from the server with the
 * board's token and saved (a plain download link cannot send the token header); the printable
 * report opens as a page, which finds the token this browser holds.
 */
export function installExportMenu(menu, { editor, boardId, title, onMessage }) {
  const base = `/api/boards/${encodeURIComponent(boardId)}/`;
  const links = {
    "server-png": `${base}export.png`,
    json: `${base}export.json`,
    code: `${base}export.py`,
    "report-md": `${base}report.md`,
    report: `/b/${encodeURIComponent(boardId)}/report/`,
  };
  for (const [action, href] of Object.entries(links)) {
    const link = menu.querySelector(`[data-export="${action}"]`);
    link.href = href;
    if (!link.hasAttribute("download")) continue;
    link.addEventListener("click", (event) => {
      event.preventDefault();
      downloadFile(href).catch((error) => onMessage(`Not downloaded: ${error.message}`));
    });
  }
  const canvas = {
    png: () => editor.exporter.exportPNG(fileName(title()), { ...CANVAS_OPTIONS, ratio: 1 }),
    png2x: () => editor.exporter.exportPNG(fileName(title()), { ...CANVAS_OPTIONS, ratio: 2 }),
    svg: () => editor.exporter.exportSVG(fileName(title()), svgOptions(editor.graph)),
  };
  for (const [action, run] of Object.entries(canvas)) {
    menu.querySelector(`[data-export="${action}"]`).addEventListener("click", () => withEverythingDrawn(editor.graph, run));
  }
  // Any choice closes the menu; a link's download still goes ahead.
  menu.querySelector(".export-items").addEventListener("click", (event) => {
    if (event.target.closest("[data-export]")) menu.open = false;
  });
  const input = menu.querySelector("#import-file");
  menu.querySelector('[data-export="import"]').addEventListener("click", () => input.click());
  input.addEventListener("change", async () => {
    const [file] = input.files;
    input.value = "";
    if (file) await importFile(file, onMessage);
  });
}

/**
 * X6 clears the stage's transform but keeps the zoom and pan on the viewport group around it, so
 * its SVG showed whatever part of the board was on screen. The copy drops that transform and takes
 * the whole board (from the model, with room for ports, badges and labels) as its viewBox.
 */
function svgOptions(graph) {
  const margin = CANVAS_OPTIONS.padding;
  const area = graph.getContentArea();
  const viewBox = { x: area.x - margin, y: area.y - margin, width: area.width + 2 * margin, height: area.height + 2 * margin };
  return {
    viewBox, preserveDimensions: true, copyStyles: false,
    beforeSerialize(svg) {
      svg.querySelector(".x6-graph-svg-viewport")?.removeAttribute("transform");
      return svg;
    },
  };
}

/**
 * The canvas draws only what is in view; an export must show the whole board, so drawing
 * everything is switched on for the snapshot (taken synchronously by the export) and back off.
 */
async function withEverythingDrawn(graph, run) {
  graph.disableVirtualRender();
  await new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)));
  try {
    run();
  } finally {
    graph.enableVirtualRender();
  }
}

async function importFile(file, onMessage) {
  let document;
  try {
    document = JSON.parse(await file.text());
  } catch {
    onMessage(`${file.name} is not a JSON file.`);
    return;
  }
  try {
    const board = await api.importBoard(document);
    rememberLinks(board);
    window.location.assign(board.url);
  } catch (error) {
    if (error instanceof ApiError && error.body.errors?.length) {
      const first = error.body.errors.slice(0, 3).map((e) => `${e.path || "document"}: ${e.message}`).join("; ");
      onMessage(`Not imported: ${first}`);
    } else if (error instanceof OfflineError) {
      onMessage("Not imported: the server cannot be reached.");
    } else {
      onMessage(`Not imported: ${error.message}`);
    }
  }
}
