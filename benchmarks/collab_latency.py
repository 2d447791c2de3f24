"""Delay from an edit in one browser to its appearance in another, through the board WebSocket on loopback.

Starts its own Redis, a throw-away SQLite database and Daphne serving the project on free
loopback ports (`stack.py`), opens one board in two Chromium contexts (two people), moves a component in
the first N times (default 200, one edit at a time at a user's pace) and prints the P50, P95 and
maximum of the time until the second one has drawn it, with the load average. Beside it, the part of
that time the two pages' own code takes (the machine's load and the server move it much less): the
editor's move (canvas and board state), the time from the move until the edit is on its socket
(diff and pacing timer), its handling of the server's answer (ack), and the viewer's handling of
the edit (rebase and redraw).

    .venv/bin/python benchmarks/collab_latency.py [--edits 200] [--board simulator/examples/ad_click.json]

Both pages run in one browser on one machine, so they share a clock: the edit is stamped in the
first page just before the component moves, the second page stamps the moment its canvas gets the
new position. Each edit goes editor -> diff -> WebSocket -> server (apply, validate, store,
broadcast through Redis) -> WebSocket -> rebase -> canvas.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
import urllib.request
from pathlib import Path

from stack import ROOT, Stack, load_average, percentile

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
LIVE = "window.boardEditor.live"


def create_board(base_url: str, document: dict) -> dict:
    request = urllib.request.Request(f"{base_url}/api/boards/", data=json.dumps({"document": document}).encode(),
                                     method="POST", headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request) as response:
        return json.loads(response.read())


def stored_document(base_url: str, board: dict) -> dict:
    request = urllib.request.Request(f"{base_url}/api/boards/{board['id']}/",
                                     headers={"X-Board-Token": board["edit_token"]})
    with urllib.request.urlopen(request) as response:
        return json.loads(response.read())


def open_board(browser, url: str):
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.goto(url)
    page.wait_for_selector("#editor[data-ready=true]")
    wait_for(page, f"{LIVE}.active")
    return page


def wait_for(page, expression: str, arg=None, timeout_s: float = 10) -> None:
    """Poll a page expression (the site's CSP forbids the eval behind Playwright's wait_for_function)."""
    deadline = time.monotonic() + timeout_s
    while not page.evaluate(expression, arg):
        if time.monotonic() > deadline:
            raise TimeoutError(f"still false after {timeout_s} s: {expression}")
        time.sleep(0.002)


# Times each socket message's handlers (the page's whole reaction to it, done synchronously), and
# notes when each edit leaves.
TIME_HANDLERS = """() => {
    if (window.__handled) return;
    window.__handled = {};
    window.__sent = [];
    const socket = window.boardEditor.socket, emit = socket.emit.bind(socket), send = socket.send.bind(socket);
    socket.send = (message) => {
        if (message.type === "edit") window.__sent.push(performance.now());
        return send(message);
    };
    socket.emit = (type, payload) => {
        const start = performance.now();
        emit(type, payload);
        (window.__handled[type] = window.__handled[type] || []).push(performance.now() - start);
    };
}"""


def handled(page, kind: str, skip: int) -> list[float]:
    return page.evaluate("([kind, skip]) => (window.__handled[kind] || []).slice(skip)", [kind, skip])


def measure(editor, viewer, node_id: str, edits: int, first_x: int) -> tuple[list[float], list[float], list[float]]:
    """Edit-to-screen delays, the editor's own time for each move, and from each move to its edit leaving."""
    viewer.evaluate("""(id) => {
        if (window.__seen) return;
        window.__seen = new Map();
        window.__waiting = null;
        window.boardEditor.editor.graph.on("node:change:position", ({ node }) => {
            if (node.id !== id) return;
            const x = node.getPosition().x, stamp = performance.timeOrigin + performance.now();
            window.__seen.set(x, stamp);
            if (window.__waiting && window.__waiting.x === x) window.__waiting.resolve(stamp);
        });
    }""", node_id)
    delays, moves, sends = [], [], []
    for step in range(edits):
        x = first_x + step * 10  # a new position every time, so each edit is recognised on arrival
        sent, move, start = editor.evaluate("""([id, x]) => {
            const start = performance.now();
            window.boardEditor.editor.graph.getCellById(id).setPosition(x, 200);
            return [performance.timeOrigin + start, performance.now() - start, start];
        }""", [node_id, x])
        moves.append(move)
        # Resolved by the viewer's own event handler: no polling that would load the machine.
        seen = viewer.evaluate("""(x) => window.__seen.has(x) ? window.__seen.get(x)
            : new Promise((resolve) => { window.__waiting = { x, resolve }; })""", x)
        delays.append(seen - sent)
        left = editor.evaluate("(start) => window.__sent.find((at) => at >= start)", start)
        if left is not None:
            sends.append(left - start)
        time.sleep(0.1)  # a user's pace: the next edit is not held back by the send throttle
    return delays, moves, sends


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--edits", type=int, default=200)
    parser.add_argument("--board", default=str(ROOT / "simulator/examples/ad_click.json"))
    args = parser.parse_args()

    from playwright.sync_api import sync_playwright

    document = json.loads(Path(args.board).read_text())
    node_id = document["nodes"][0]["id"]
    # DEBUG serves the editor's static files without a collectstatic into the temporary folder.
    with Stack("collab", env={"DEBUG": "true"}) as stack:
        stack.start(workers=0)
        board = create_board(stack.base_url, document)
        url = f"{stack.base_url}/b/{board['id']}/#token={board['edit_token']}"
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--headless", "--no-sandbox"])
            editor, viewer = open_board(browser, url), open_board(browser, url)
            for page in (editor, viewer):
                page.evaluate(TIME_HANDLERS)
            measure(editor, viewer, node_id, 10, first_x=200)  # warm-up: first frames, JIT, connections
            warm = {"ack": len(handled(editor, "ack", 0)), "edit": len(handled(viewer, "edit", 0))}
            delays, moves, sends = measure(editor, viewer, node_id, args.edits, first_x=1000)
            acks, applied = handled(editor, "ack", warm["ack"]), handled(viewer, "edit", warm["edit"])
            wait_for(editor, "!window.boardEditor.state.dirty()")
            browser.close()
        stored = stored_document(stack.base_url, board)
    position = next(node for node in stored["document"]["nodes"] if node["id"] == node_id)["position"]
    assert position["x"] == 1000 + (args.edits - 1) * 10, f"the last edit is not stored ({position})"
    print(f"board: {Path(args.board).name} ({len(document['nodes'])} components, {len(document['edges'])} connections)")
    print(f"edits: {len(delays)}, one at a time, 100 ms apart; version now {stored['version']}")
    print(f"edit -> other screen: P50 {statistics.median(delays):.1f} ms, P95 {percentile(delays, 0.95):.1f} ms, "
          f"max {max(delays):.1f} ms (target P95 < 100 ms)")
    print(f"of which the pages' own code (median / P95): the move {statistics.median(moves):.2f} / {percentile(moves, 0.95):.2f} ms, "
          f"move to socket {statistics.median(sends):.2f} / {percentile(sends, 0.95):.2f} ms, "
          f"the ack {statistics.median(acks):.2f} / {percentile(acks, 0.95):.2f} ms ({len(acks)} acks), "
          f"the viewer's redraw {statistics.median(applied):.2f} / {percentile(applied, 0.95):.2f} ms ({len(applied)} edits)")
    print(f"load average (1 min): {load_average():.2f}")


if __name__ == "__main__":
    main()
