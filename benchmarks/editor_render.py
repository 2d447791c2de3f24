"""Time to first render, to an interactive canvas, and pan frame times of the board editor in Chromium, on a 200-node, 300-edge board.

Runs without the project's server: a loopback HTTP server in this script answers the page, its
static files and the API calls from this checkout, so the figures measure the browser side only.
Like the real server (uvicorn, with WhiteNoise for the static files) it sends each answer at once
(TCP_NODELAY: no Nagle delay on the last small packet of an answer) and answers several requests at
a time, and every answer says `Cache-Control: no-store`, so each page load is a first visit.

    .venv/bin/python benchmarks/editor_render.py [--nodes 200] [--edges 300] [--runs 3]
"""

from __future__ import annotations

import argparse
import json
import mimetypes
import os
import random
import statistics
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "whiteboard.settings")

import django  # noqa: E402

django.setup()

from django.template.loader import render_to_string  # noqa: E402
from playwright.sync_api import sync_playwright  # noqa: E402

from architectures.templatetags.modules import current_bundle  # noqa: E402
from django.test import Client  # noqa: E402
from simulator.catalog import KINDS, blank_document  # noqa: E402

BOARD_ID = "00000000-0000-4000-8000-000000000200"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    # Uncapped frames, so a frame's time is its work and not the 60 Hz vsync wait.
    "--disable-gpu-vsync", "--disable-frame-rate-limit",
]


def big_board(node_count: int, edge_count: int, seed: int = 7) -> dict:
    """A grid of components with forward-only edges (so no sync cycle), a fifth of them async."""
    rng = random.Random(seed)
    kinds = [k for k in KINDS if KINDS[k].request_path]
    document = blank_document("Benchmark board")
    columns = 20
    for i in range(node_count):
        document["nodes"].append({
            "id": f"n{i}", "kind": kinds[i % len(kinds)], "label": f"Component {i}",
            "position": {"x": (i % columns) * 240, "y": (i // columns) * 110}, "config": {},
        })
    pairs: set[tuple[int, int]] = set()
    for i in range(min(edge_count, node_count - 1)):
        pairs.add((i, i + 1))
    while len(pairs) < edge_count:
        a = rng.randrange(node_count - 1)
        pairs.add((a, rng.randrange(a + 1, min(node_count, a + 45))))
    for n, (a, b) in enumerate(sorted(pairs)):
        document["edges"].append({"id": f"e{n}", "source": f"n{a}", "target": f"n{b}",
                                  "mode": "async" if rng.random() < 0.2 else "sync", "latency_ms": 0.5})
    return document


def api_answers() -> dict[str, bytes]:
    """The catalog and the board schema as the API serves them (no database is involved)."""
    client = Client()
    return {url: client.get(url).content for url in ("/api/component-kinds/", "/api/schema/board/")}


def answer(url: str, board: dict, html: str, answers: dict[str, bytes]) -> tuple[int, str, bytes]:
    """What the server would answer for `url`: (status, content type, body)."""
    if url.startswith("/static/"):
        path = ROOT / "static" / url[len("/static/"):].split("?")[0]
        if path.is_file():
            return 200, mimetypes.guess_type(path.name)[0] or "text/javascript", path.read_bytes()
        return 404, "text/plain", b""
    if url in answers:
        return 200, "application/json", answers[url]
    if url == f"/api/boards/{BOARD_ID}/":
        return 200, "application/json", json.dumps({"id": BOARD_ID, "version": 1, "title": board["title"], "document": board, "role": "edit"}).encode()
    if url == f"/api/boards/{BOARD_ID}/interview/":
        return 200, "application/json", b"{}"  # no interview session on this board
    if url == f"/api/boards/{BOARD_ID}/runs/":
        return 200, "application/json", b"[]"  # no results to show yet
    if url == f"/b/{BOARD_ID}/":
        return 200, "text/html", html.encode()
    if url.startswith("/ws/"):
        return 404, "text/plain", b""  # no WebSocket here: the page retries quietly
    print(f"not served: {url}")
    return 404, "text/plain", b""


def start_server(board: dict, html: str, answers: dict[str, bytes]) -> ThreadingHTTPServer:
    """A loopback HTTP server answering from memory, several requests at a time as a real server would
    (Playwright's request routing answers them one after another, which hid what parallel fetches gain)."""

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        # Otherwise the end of many answers waits for the browser's delayed ACK (tens of ms on loopback).
        disable_nagle_algorithm = True

        def do_GET(self) -> None:  # noqa: N802 (the http.server name)
            status, content_type, body = answer(self.path, board, html, answers)
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")  # every page load fetches everything, as a first visit does
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


# Every frame from the document's start is recorded by a script the page runs before its own (so a
# board drawn while `page.goto` was still waiting for the load event is seen at the frame it appeared,
# not at the first frame a later script could look). A frame's DOM is painted right after its
# callbacks, in the same task; a message posted from its callback arrives once that task is over, so
# its arrival is when the frame was painted (a frame's own timestamp is when it began, which can be
# before a long task ahead of its callbacks had even started). The board is interactive once the
# first frame after which the editor is ready and the number of components and connections X6 has
# drawn stays the same for three frames has been painted; it is rendered (in view) once the frame
# that drew its sketch (static/editor/sketch.js) with all of them has been painted, as the page's
# mark `editor:sketch-painted` says, or else when it is interactive; the minimap is complete at the
# first frame holding every component.
RECORD_FRAMES = """(() => {
    const frames = [];
    window.__renderFrames = frames;
    const count = (selector) => document.querySelectorAll(selector).length;
    const painted = new MessageChannel();
    painted.port1.onmessage = ({ data }) => { frames[data][4] = performance.now(); };
    const tick = (now) => {
        const editor = document.querySelector('#editor');
        const drawn = editor && editor.dataset.ready ? count('#canvas .x6-node') * 10000 + count('#canvas .x6-edge') : -1;
        const sketch = document.querySelector('#canvas > .canvas-sketch');
        const sketched = sketch ? 10000 * sketch.dataset.components + Number(sketch.dataset.connections) : -1;
        frames.push([now, drawn, count('#minimap .x6-node'), sketched, null]);
        painted.port2.postMessage(frames.length - 1);
        if (!window.__stopRecording) requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
})();"""

MEASURE_FIRST_RENDER = """async () => {
    const frame = () => new Promise((resolve) => requestAnimationFrame(resolve));
    const frames = window.__renderFrames;
    const rendered = () => {
        let count = -1, stable = 0, first = 0;
        for (let i = 0; i < frames.length; i += 1) {
            const drawn = frames[i][1];
            if (drawn > 0 && drawn === count) { stable += 1; } else { stable = 0; count = drawn; first = i; }
            if (stable >= 3) return { at: frames[first][4], count };
        }
        return null;
    };
    let found = rendered();
    while (!found) { await frame(); found = rendered(); }
    const components = Math.floor(found.count / 10000);
    let complete = null;
    while (!(complete = frames.find(([now, , minimap]) => now >= found.at && minimap >= components))) await frame();
    window.__stopRecording = true;
    const dataLoaded = performance.getEntriesByName('editor:data-loaded')[0].startTime;
    // The sketch's frame is followed at once by the page's own next task, which marks it painted
    // (static/editor/startup.js); a message from the frame can queue behind that task's drawing.
    const sketched = frames.some(([, , , sketch]) => sketch === found.count) && performance.getEntriesByName('editor:sketch-painted')[0];
    return { ms: sketched ? Math.min(sketched.startTime, found.at) : found.at, interactive_ms: found.at, draw_ms: found.at - dataLoaded,
             minimap_ms: complete[0], drawn: `${components} components and ${found.count % 10000} connections` };
}"""

MEASURE_PAN = """async (frames) => {
    const graph = window.boardEditor.editor.graph;
    graph.zoomTo(1);
    const times = [];
    let last = await new Promise((resolve) => requestAnimationFrame(resolve));
    for (let i = 0; i < frames; i += 1) {
        const { tx, ty } = graph.translate();
        graph.translate(tx - 12, ty - 4);
        const now = await new Promise((resolve) => requestAnimationFrame(resolve));
        times.push(now - last);
        last = now;
    }
    return times;
}"""


def measure(browser, origin: str, size: dict) -> dict:
    page = browser.new_page(viewport=size)
    errors: list[str] = []
    page.on("console", lambda m: m.type == "error" and errors.append(m.text))
    # The renderer's main-thread busy time (CDP's TaskDuration): on a shared machine wall-clock
    # figures swing with the load, the work the page does much less.
    cdp = page.context.new_cdp_session(page)
    cdp.send("Performance.enable", {"timeDomain": "threadTicks"})
    page.add_init_script(RECORD_FRAMES)
    page.goto(f"{origin}/b/{BOARD_ID}/")
    first = page.evaluate(MEASURE_FIRST_RENDER)
    busy_render = main_thread_s(cdp)
    page.screenshot(path=str(ROOT / "test-artifacts" / f"benchmark-{size['width']}x{size['height']}.png"))
    page.evaluate(MEASURE_PAN, 20)  # the first frames warm the JIT up
    before_pan = main_thread_s(cdp)
    frames = page.evaluate(MEASURE_PAN, 220)
    busy_pan = (main_thread_s(cdp) - before_pan) / len(frames)
    page.close()
    # The page's WebSocket has no server here (the board is served from memory); it retries quietly.
    errors = [text for text in errors if not text.startswith("WebSocket connection to")]
    if errors:
        raise SystemExit(f"the page logged errors: {errors}")
    frames.sort()
    return {"first_render_ms": first["ms"], "interactive_ms": first["interactive_ms"], "draw_ms": first["draw_ms"], "minimap_ms": first["minimap_ms"], "drawn": first["drawn"],
            "frame_median_ms": statistics.median(frames),
            "frame_p95_ms": frames[int(len(frames) * 0.95)], "busy_render_ms": 1000 * busy_render, "busy_frame_ms": 1000 * busy_pan}


def main_thread_s(cdp) -> float:
    """Seconds the page's main thread has spent in tasks so far (script, style, layout, paint)."""
    return next(m["value"] for m in cdp.send("Performance.getMetrics")["metrics"] if m["name"] == "TaskDuration")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nodes", type=int, default=200)
    parser.add_argument("--edges", type=int, default=300)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--chromium", default=os.environ.get("CHROMIUM", "/usr/bin/chromium"))
    args = parser.parse_args()
    board = big_board(args.nodes, args.edges)
    (ROOT / "test-artifacts").mkdir(exist_ok=True)
    html = render_to_string("architectures/editor.html", {"board_id": BOARD_ID})
    answers = api_answers()
    code = "bundled (static/build)" if current_bundle() else "one module at a time (no current bundle: run scripts/frontend)"
    print(f"board: {len(board['nodes'])} nodes, {len(board['edges'])} edges; editor code {code}; "
          f"load average {os.getloadavg()[0]:.1f}", flush=True)
    server = start_server(board, html, answers)
    origin = f"http://127.0.0.1:{server.server_address[1]}"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=args.chromium, args=CHROMIUM_ARGS)
        for size in ({"width": 1280, "height": 800}, {"width": 1920, "height": 1080}):
            results = [measure(browser, origin, size) for _ in range(args.runs)]
            first = statistics.median(r["first_render_ms"] for r in results)
            draw = statistics.median(r["draw_ms"] for r in results)
            interactive = statistics.median(r["interactive_ms"] for r in results)
            median = statistics.median(r["frame_median_ms"] for r in results)
            p95 = statistics.median(r["frame_p95_ms"] for r in results)
            minimap = statistics.median(r["minimap_ms"] for r in results)
            busy_render = statistics.median(r["busy_render_ms"] for r in results)
            busy_frame = statistics.median(r["busy_frame_ms"] for r in results)
            print(f"{size['width']}x{size['height']}: first render {first:.0f} ms, interactive {interactive:.0f} ms "
                  f"(of which drawing the board with X6 {draw:.0f} ms; "
                  f"{results[0]['drawn']} drawn; minimap complete at {minimap:.0f} ms), "
                  f"pan frame median {median:.1f} ms, p95 {p95:.1f} ms; main thread busy {busy_render:.0f} ms until rendered, "
                  f"{busy_frame:.1f} ms per pan frame (median of {args.runs} runs; load average {os.getloadavg()[0]:.1f})", flush=True)
        browser.close()
    server.shutdown()


if __name__ == "__main__":
    main()
