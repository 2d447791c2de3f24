"""The design report of a board: requirements, framework notes, diagram and latest run, as Markdown or blocks."""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from typing import Any

from architectures.export.notes_markdown import note_html, note_markdown
from architectures.export.plan import tail_text
from simulator.catalog import KINDS, NOTE_STEPS, NOTE_TITLES


@dataclass(frozen=True)
class Block:
    """One piece of a section: kind is "text", "notice" (set apart), "note" (the user's Markdown), "table" or "image"."""

    kind: str
    text: str = ""
    headers: tuple[str, ...] = ()
    rows: tuple[tuple[str, ...], ...] = ()
    url: str = ""

    @property
    def note_html(self) -> str:
        """A note's Markdown as safe HTML, for the page (notes_markdown.py says why it is safe)."""
        return note_html(self.text)


@dataclass(frozen=True)
class Section:
    heading: str
    level: int = 2
    blocks: list[Block] = field(default_factory=list)


@dataclass(frozen=True)
class Report:
    title: str
    subtitle: str
    sections: list[Section]


def _table(headers: tuple[str, ...], rows: list[tuple[Any, ...]]) -> Block:
    return Block("table", headers=headers, rows=tuple(tuple(str(cell) for cell in row) for row in rows))


def _num(value: Any, unit: str = "", digits: int = 2) -> str:
    if value is None:
        return "—"
    if isinstance(value, (int, float)):
        text = f"{value:,.0f}" if isinstance(value, int) or abs(value) >= 1000 else f"{value:,.{digits}f}"
        return f"{text} {unit}".strip()
    return str(value)


def _usd(value: Any) -> str:
    return f"${value:,.2f}" if isinstance(value, (int, float)) else "—"


def _requirements(document: dict[str, Any]) -> Section:
    req = document.get("requirements") or {}
    traffic = document.get("traffic") or {}
    rows = [("Peak traffic", _num(req.get("peak_rps"), "req/s")), ("P99 latency", _num(req.get("p99_ms"), "ms")),
            ("Monthly budget", _usd(req.get("monthly_budget_usd")))]
    bound = (f"{traffic['requests']:,} requests" if traffic.get("requests")
             else f"{_num(traffic.get('duration_s'), 's')}")
    simulated = (f"Simulated traffic: {_num(traffic.get('rps'), 'req/s')}, {traffic.get('arrival', 'poisson')} "
                 f"arrivals, {bound} with {_num(traffic.get('warmup_s'), 's')} of warm-up.")
    return Section("Requirements", blocks=[_table(("requirement", "target"), rows), Block("text", simulated)])


def _notes(document: dict[str, Any]) -> list[Section]:
    notes = document.get("notes") or {}
    sections = [Section("Framework notes")]
    for step in NOTE_STEPS:
        text = (notes.get(step) or "").strip()
        sections.append(Section(NOTE_TITLES[step], level=3,
                                blocks=[Block("note", text) if text else Block("text", "No notes.")]))
    return sections


SLO_NAMES = {"p99_ms": "P99 latency (ms)", "peak_rps": "Peak traffic (req/s)",
             "monthly_budget_usd": "Monthly budget (USD)"}


def _config(node: dict[str, Any], name: str) -> Any:
    """A node's setting as the simulator sees it: its own value, else the catalog default."""
    config = node.get("config") or {}
    if name in config:
        return config[name]
    kind = KINDS.get(node.get("kind", ""))
    default = next((f.default for f in kind.fields if f.name == name), None) if kind else None
    return "—" if default is None else default


def _diagram(document: dict[str, Any], image_url: str) -> Section:
    labels = {node["id"]: node.get("label") or node["id"] for node in document.get("nodes") or []}
    nodes = [(node.get("label") or node["id"], KINDS[node["kind"]].title if node.get("kind") in KINDS
              else node.get("kind", ""), _config(node, "replicas"), _config(node, "instance"))
             for node in document.get("nodes") or []]
    edges = [(labels.get(e["source"], e["source"]), labels.get(e["target"], e["target"]), e.get("mode", "sync"),
              _num(e.get("latency_ms") or 0, "ms") + tail_text(e)) for e in document.get("edges") or []]
    blocks = [Block("image", text=f"Diagram of {document.get('title') or 'the board'}", url=image_url),
              _table(("component", "kind", "replicas", "instance"), nodes)]
    if edges:
        blocks.append(_table(("from", "to", "mode", "network latency"), edges))
    return Section("Diagram", blocks=blocks)


def _cost(results: dict[str, Any], labels: dict[str, str]) -> list[Block]:
    cost = results.get("cost")
    if not cost:
        return [Block("text", "Cost not computed for this run.")]
    blocks = [Block("text", f"{_usd(cost.get('monthly_usd'))} per month, "
                            f"{_usd(cost.get('per_million_requests_usd'))} per million requests.")]
    rows = []
    for node_id, item in (cost.get("by_node") or {}).items():
        item = item if isinstance(item, dict) else {"monthly_usd": item}
        rows.append((labels.get(node_id, node_id), _usd(item.get("monthly_usd")), item.get("basis") or ""))
    if rows:
        blocks.append(_table(("component", "per month", "basis"), rows))
    if cost.get("assumptions"):
        prices = cost.get("prices") or {}
        as_of = f" (prices of {prices['region']}, {prices['as_of']})" if prices.get("as_of") else ""
        blocks.append(Block("text", f"Assumes {cost['assumptions']}{as_of}."))
    return blocks


def _version_notice(run_version: int | None, board_version: int | None) -> list[Block]:
    """Said when the run is of another version than the board the report describes."""
    if run_version is None or board_version is None or run_version == board_version:
        return []
    return [Block("notice", f"Run made on version {run_version}; the board is now at version {board_version}. "
                            "The figures below are of that version, not of the diagram above.")]


def _run(results: dict[str, Any] | None, run_note: str, labels: dict[str, str],
         notice: list[Block] | None = None) -> list[Section]:
    if not results:
        return [Section("Latest run", blocks=[Block("text", "No run yet: press Run on the board to simulate it.")])]
    lat = results.get("latency_ms") or {}
    req = results.get("requests") or {}
    ci = lat.get("p99_ci95") or []
    p99 = _num(lat.get("p99"), "ms") + (f" (95% CI {ci[0]:.2f}–{ci[1]:.2f})" if len(ci) == 2 else "")
    kpis = [("P50 latency", _num(lat.get("p50"), "ms")), ("P90 latency", _num(lat.get("p90"), "ms")),
            ("P95 latency", _num(lat.get("p95"), "ms")), ("P99 latency", p99),
            ("P99.9 latency", _num(lat.get("p999"), "ms")), ("Mean latency", _num(lat.get("mean"), "ms")),
            ("Throughput", _num(results.get("throughput_rps"), "req/s")),
            ("Requests completed / dropped", f"{_num(req.get('completed'))} / {_num(req.get('dropped'))}")]
    sections = [Section("Latest run", blocks=[*(notice or []), Block("text", run_note), _table(("figure", "value"), kpis)])]
    verdicts = []
    for name, v in (results.get("slo") or {}).items():
        shown = _usd if name.endswith("_usd") else _num
        verdicts.append((SLO_NAMES.get(name, name), shown(v.get("target")), shown(v.get("actual")),
                         "pass" if v.get("passed") else "FAIL"))
    sections.append(Section("SLO verdicts", level=3, blocks=[
        _table(("requirement", "target", "actual", "verdict"), verdicts) if verdicts
        else Block("text", "No requirement set, so no verdict.")]))
    bottleneck = results.get("bottleneck") or {}
    if bottleneck.get("node"):
        # A passing board's limit is its headroom (simulator/attribution.py).
        heading = "Headroom" if bottleneck.get("verdict") == "headroom" else "Bottleneck"
        sections.append(Section(heading, level=3, blocks=[Block(
            "text", f"{labels.get(bottleneck['node'], bottleneck['node'])}: {bottleneck.get('reason', '')}")]))
    per_node = [(labels.get(node_id, node_id), _num(s.get("utilization", 0) * 100, "%", 1),
                 _num(s.get("mean_wait_ms"), "ms"), _num(s.get("p99_wait_ms"), "ms"),
                 _num(s.get("throughput_rps"), "req/s"), _num(s.get("dropped")))
                for node_id, s in (results.get("nodes") or {}).items()]
    if per_node:
        sections.append(Section("Per component", level=3, blocks=[_table(
            ("component", "utilisation", "mean wait", "P99 wait", "throughput", "dropped"), per_node)]))
    sections.append(Section("Cost", level=3, blocks=_cost(results, labels)))
    warnings = [w.get("message", "") for w in results.get("warnings") or []]
    if warnings:
        sections.append(Section("Warnings", level=3, blocks=[Block("text", w) for w in warnings]))
    return sections


def _scorecard(card: dict[str, Any]) -> list[Section]:
    """The mock interview's scorecard (architectures/interview_scorecard.py): checks, then ratings when shown."""
    state = "ended" if card["status"] == "ended" else "still running"
    rows = [(step["title"], check.get("title") or check["id"], "pass" if check["passed"] else "FAIL", check["reason"])
            for step in card["steps"] for check in step["checks"]]
    sections = [Section("Interview scorecard", blocks=[
        Block("text", f"{card['passed']} of {card['total']} computed checks pass; the interview is {state}."),
        _table(("step", "check", "result", "why"), rows)])]
    if card["ratings_visible"]:
        ratings = [(step["title"], (step["rating"] or {}).get("score") or "—", (step["rating"] or {}).get("comment") or "")
                   for step in card["steps"]]
        sections.append(Section("Interviewer's ratings (1 to 4)", level=3,
                                blocks=[_table(("step", "rating", "comment"), ratings)]))
    return sections


def build_report(document: dict[str, Any], *, image_url: str, results: dict[str, Any] | None = None,
                 run_note: str = "", subtitle: str = "", scorecard: dict[str, Any] | None = None,
                 run_version: int | None = None, board_version: int | None = None) -> Report:
    """The report's content, shared by the Markdown export and the HTML page (a scorecard when there was an interview)."""
    labels = {node["id"]: node.get("label") or node["id"] for node in document.get("nodes") or []}
    sections = [_requirements(document), *_notes(document), _diagram(document, image_url),
                *_run(results, run_note, labels, _version_notice(run_version, board_version))]
    if scorecard is not None:
        sections += _scorecard(scorecard)
    return Report(document.get("title") or "Untitled board", subtitle, sections)


def _md(text: str) -> str:
    """User text made inert in Markdown: no raw HTML, no table breaks, no stray emphasis."""
    text = html.escape(text, quote=False)
    for char in "\\`*_[]|#":
        text = text.replace(char, "\\" + char)
    return text


def _md_cell(text: str) -> str:
    return _md(text).replace("\n", " ")


def report_markdown(report: Report) -> str:
    """The report as GitHub-flavoured Markdown."""
    out = [f"# {_md_cell(report.title)}", ""]
    if report.subtitle:
        out += [f"_{_md_cell(report.subtitle)}_", ""]
    for section in report.sections:
        out += [f"{'#' * section.level} {_md_cell(section.heading)}", ""]
        for block in section.blocks:
            if block.kind == "table":
                out.append("| " + " | ".join(block.headers) + " |")
                out.append("|" + " --- |" * len(block.headers))
                out += ["| " + " | ".join(_md_cell(cell) for cell in row) + " |" for row in block.rows]
            elif block.kind == "image":
                out.append(f"![{_md_cell(block.text)}]({block.url})")
            elif block.kind == "note":
                out.append(note_markdown(block.text))
            elif block.kind == "notice":
                out.append(f"> **{_md(block.text)}**")
            else:
                out.append(_md(block.text))
            out.append("")
    return "\n".join(out)
