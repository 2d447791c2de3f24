"""The scorecard of a mock interview: checks per framework step computed from the board and its runs, and the ratings.

Each check is `{"id", "passed", "reason"}`; the reason says what was found either way, so a
candidate learns what to fix. A played curveball is checked in the step that was current when it
was played: answered when the board changed after it (beyond the card's own edit) and a later run
of such a version meets the requirements the card set.
"""

from __future__ import annotations

import re
from collections import deque
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Iterable

from django.db.models import F

from architectures.interview import CANDIDATE, ratings_visible, session_for_board
from architectures.interview_models import InterviewSession
from architectures.models import Board, SimulationRun
from architectures.selectors import board_latest_succeeded_run
from simulator.catalog import CALL_MODES, NOTE_STEPS, NOTE_TITLES
from simulator.kinds import KINDS, SourceKind
from simulator.kinds.scheduled import Monitor, TrainingPipeline
from simulator.kinds.serving import FeatureStore

MAX_RUNS = 50
MODEL_FIELDS = ("model", "model_class")
# A trade-off names two of these dimensions and a figure in one sentence.
DIMENSIONS = {
    "quality": re.compile(r"accura|auc|recall|precision|ndcg|\bf1\b|quality|\bmap\b|\bmrr\b|log.?loss|"
                          r"cross.?entropy|\bctr\b|click.?through", re.I),
    "latency": re.compile(r"latenc|\bp9\d|\d\s*ms\b|millisecond|slow|fast", re.I),
    "cost": re.compile(r"cost|\$|usd|dollar|budget|cheap|expensive|price|replica|gpu", re.I),
}
METRIC = re.compile(r"auc|recall|precision|ndcg|\bf1\b|accuracy|\bmap\b|\bmrr\b|log.?loss|cross.?entropy|"
                    r"\bctr\b|click.?through|calibration|rmse|\bmae\b|hit.?rate|a/b", re.I)
NO_FEATURE_STORE = re.compile(r"feature store", re.I)
REASON_WORDS = re.compile(r"\b(no|not|without|instead|because|since|precomput\w*)\b", re.I)
SENTENCE = re.compile(r"(?<=[.!?;\n])\s+")


def _check(check_id: str, passed: bool, reason: str) -> dict[str, Any]:
    return {"id": check_id, "passed": bool(passed), "reason": reason}


def _kind(node: dict[str, Any]) -> Any:
    return KINDS.get(node.get("kind", ""))


def _label(node: dict[str, Any]) -> str:
    return node.get("label") or node["id"]


def _reachable(document: dict[str, Any], start: Iterable[str], *, calls_only: bool) -> set[str]:
    """Node ids reached from `start` along edges (only the ones a caller waits for, with calls_only)."""
    out: dict[str, list[str]] = {}
    for edge in document.get("edges") or []:
        if not calls_only or edge.get("mode", "sync") in CALL_MODES:
            out.setdefault(edge["source"], []).append(edge["target"])
    seen, queue = set(start), deque(start)
    while queue:
        for target in out.get(queue.popleft(), []):
            if target not in seen:
                seen.add(target)
                queue.append(target)
    return seen


class BoardView:
    """The board document read once for the checks: its nodes by id, its serving path."""

    def __init__(self, document: dict[str, Any]):
        self.document = document
        self.nodes = {node["id"]: node for node in document.get("nodes") or []}
        sources = [node_id for node_id, node in self.nodes.items() if isinstance(_kind(node), SourceKind)]
        self.serving = _reachable(document, sources, calls_only=True)
        self.fed_by_serving = _reachable(document, self.serving, calls_only=False)

    def of(self, kind_class: type, among: Iterable[str] | None = None) -> list[dict[str, Any]]:
        ids = self.nodes if among is None else among
        return [self.nodes[i] for i in ids if i in self.nodes and isinstance(_kind(self.nodes[i]), kind_class)]

    def log_stores(self, among: Iterable[str]) -> list[dict[str, Any]]:
        return [self.nodes[i] for i in among if i in self.nodes and getattr(_kind(self.nodes[i]), "log_store", False)]

    def note(self, step: str) -> str:
        return ((self.document.get("notes") or {}).get(step) or "").strip()


def _money(value: float) -> str:
    return f"${value:,.0f}"


def run_meets(results: dict[str, Any] | None, requirements: dict[str, Any]) -> tuple[bool, str]:
    """Whether a run's results meet `requirements`: P99 under the SLO at the peak rate, cost within budget."""
    if not results:
        return False, "the run has no results"
    problems, found = [], []
    p99_target = requirements.get("p99_ms")
    p99 = (results.get("latency_ms") or {}).get("p99")
    if p99_target is not None:
        if p99 is None or p99 > p99_target:
            problems.append(f"P99 {p99 if p99 is None else round(p99, 1)} ms is over the {p99_target:g} ms SLO")
        else:
            found.append(f"P99 {p99:.1f} ms within {p99_target:g} ms")
    peak = requirements.get("peak_rps")
    verdict = (results.get("slo") or {}).get("peak_rps") or {}
    if peak is not None:
        tested = verdict.get("target")
        if tested is None or tested < peak:
            problems.append(f"the run was not made at the {peak:,.0f} req/s peak")
        elif not verdict.get("passed"):
            problems.append(f"at {peak:,.0f} req/s {verdict.get('note') or 'the board did not carry the peak'}")
        else:
            found.append(f"at the {peak:,.0f} req/s peak")
    budget = requirements.get("monthly_budget_usd")
    monthly = (results.get("cost") or {}).get("monthly_usd")
    if budget is not None:
        if monthly is None or monthly > budget:
            problems.append(f"costs {_money(monthly) if monthly is not None else 'an unknown amount'} a month, "
                            f"over the {_money(budget)} budget")
        else:
            found.append(f"{_money(monthly)} a month within {_money(budget)}")
    if problems:
        return False, "; ".join(problems)
    return True, ", ".join(found) or "no requirement set to check"


def _notes_check(board: BoardView, step: str) -> dict[str, Any]:
    text = board.note(step)
    words = len(text.split())
    return _check("notes", words >= 5, f"{words} words of notes" if words >= 5 else
                  ("notes too short (under 5 words)" if words else "no notes for this step"))


def _requirements_checks(board: BoardView) -> list[dict[str, Any]]:
    req = board.document.get("requirements") or {}
    names = {"peak_rps": "peak rps", "p99_ms": "P99 SLO", "monthly_budget_usd": "monthly budget"}
    missing = [label for name, label in names.items() if not isinstance(req.get(name), (int, float))]
    if missing:
        return [_check("requirements.numbers", False, f"not stated as numbers: {', '.join(missing)}")]
    return [_check("requirements.numbers", True, f"peak {req['peak_rps']:,.0f} req/s, P99 {req['p99_ms']:g} ms, "
                                                 f"budget {_money(req['monthly_budget_usd'])} a month")]


def _data_checks(board: BoardView) -> list[dict[str, Any]]:
    logs = board.log_stores(board.fed_by_serving)
    if logs:
        return [_check("data.logged", True, f"requests are logged to {_label(logs[0])}")]
    return [_check("data.logged", False, "no log store is fed from the serving path, so nothing records the "
                                         "requests to learn from")]


def _features_checks(board: BoardView) -> list[dict[str, Any]]:
    stores = board.of(FeatureStore, board.serving)
    if stores:
        return [_check("features.store", True, f"{_label(stores[0])} serves online features on the request path")]
    note = board.note("features")
    if NO_FEATURE_STORE.search(note) and REASON_WORDS.search(note):
        return [_check("features.store", True, "no feature store on the serving path; the features notes say why")]
    return [_check("features.store", False, "no feature store on the serving path and no stated reason for none "
                                            "in the features notes")]


def _tradeoff(text: str) -> str | None:
    for sentence in SENTENCE.split(text):
        if re.search(r"\d", sentence) and sum(bool(p.search(sentence)) for p in DIMENSIONS.values()) >= 2:
            return sentence.strip()[:120]
    return None


def _model_checks(board: BoardView) -> list[dict[str, Any]]:
    named = [(node, (node.get("config") or {}).get(field)) for node in board.nodes.values()
             for field in MODEL_FIELDS if _kind(node) is not None and _kind(node).request_path
             and (node.get("config") or {}).get(field)]
    checks = [_check("model.named", True, f"{_label(named[0][0])} serves {named[0][1]}") if named else
              _check("model.named", False, "no model server names its model (set its model in Properties)")]
    sentence = _tradeoff(f"{board.note('model')}\n{board.note('evaluation')}")
    checks.append(_check("model.tradeoff", True, f"notes state a trade-off: “{sentence}”") if sentence else
                  _check("model.tradeoff", False, "the model and evaluation notes state no trade-off with a number "
                                                  "(accuracy against latency or cost)"))
    return checks


def _evaluation_checks(board: BoardView) -> list[dict[str, Any]]:
    match = METRIC.search(board.note("evaluation"))
    return [_check("evaluation.metric", True, f"the notes name a metric ({match.group(0)})") if match else
            _check("evaluation.metric", False, "the evaluation notes name no metric (AUC, precision, NDCG, CTR...)")]


def _serving_checks(board: BoardView, latest: SimulationRun | None) -> list[dict[str, Any]]:
    if latest is None:
        reason = "no successful run yet: press Run"
        return [_check("serving.p99_at_peak", False, reason), _check("serving.budget", False, reason)]
    req = board.document.get("requirements") or {}
    latency = {key: req.get(key) for key in ("p99_ms", "peak_rps")}
    passed, reason = run_meets(latest.results, latency) if any(v is not None for v in latency.values()) else \
        (False, "no P99 SLO or peak rate stated")
    checks = [_check("serving.p99_at_peak", passed, f"latest run (version {latest.board_version}): {reason}")]
    if req.get("monthly_budget_usd") is None:
        checks.append(_check("serving.budget", False, "no budget stated"))
    else:
        passed, reason = run_meets(latest.results, {"monthly_budget_usd": req["monthly_budget_usd"]})
        checks.append(_check("serving.budget", passed, f"latest run (version {latest.board_version}): {reason}"))
    return checks


def _monitoring_checks(board: BoardView) -> list[dict[str, Any]]:
    logs = board.log_stores(board.fed_by_serving)
    fed = _reachable(board.document, [node["id"] for node in logs], calls_only=False)
    trainers = board.of(TrainingPipeline, fed)
    checks = [_check("monitoring.training", True, f"{_label(trainers[0])} trains on logged data") if trainers else
              _check("monitoring.training", False, "no training pipeline is fed from logged request data")]
    monitors = board.of(Monitor, board.fed_by_serving)
    checks.append(_check("monitoring.monitor", True, f"{_label(monitors[0])} watches the serving path") if monitors
                  else _check("monitoring.monitor", False, "no monitor is fed from the serving path"))
    return checks


def _interview_versions(session: InterviewSession) -> set[int]:
    return {card["version"] for card in session.deck if card.get("version")} | {
        event.data.get("version") for event in session.events.defer("document") if event.data.get("version")}


@dataclass(frozen=True)
class RunFigures:
    """What a curveball's verdict reads of a run: its board's requirements, traffic and faults, its figures."""

    board_version: int
    queued_at: datetime
    requirements: dict[str, Any]
    traffic: dict[str, Any]
    fault_ids: frozenset[str]
    results: dict[str, Any]


def curveball_verdict(card: dict[str, Any], board: Board, runs: list[RunFigures],
                      own_versions: set[int]) -> dict[str, Any]:
    """Was the played card answered: a change of the board after it and a later run meeting what it set?"""
    if card.get("undone_at"):
        return {"passed": False, "reason": "undone by the interviewer, so not scored"}
    played = datetime.fromisoformat(card["played_at"])
    after = card.get("version") or 0
    changed = [v for v in range(after + 1, board.version + 1) if v not in own_versions]
    if not changed:
        return {"passed": False, "reason": "the board has not changed since the curveball"}
    applied = card.get("applied") or {}
    last_reason = "no run after a change that answers it"
    for run in runs:  # oldest first: the first run that answers it
        if run.queued_at < played or run.board_version < changed[0]:
            continue
        sections = {"requirements": run.requirements, "traffic": run.traffic}
        kept = all(sections[section].get(name) == value
                   for section in sections for name, value in (applied.get(section) or {}).items())
        if applied.get("fault") and applied["fault"] not in run.fault_ids:
            kept = False
        if not kept:
            last_reason = f"the run of version {run.board_version} took back what the curveball changed"
            continue
        passed, reason = run_meets(run.results, run.requirements)
        if passed:
            return {"passed": True, "reason": f"answered: the run of version {run.board_version} meets it, {reason}"}
        last_reason = f"the run of version {run.board_version} does not meet it: {reason}"
    return {"passed": False, "reason": last_reason}


# Read inside the database, so the rest of each run's document and results is never decoded
# (every session answer computes the verdicts; whole runs were most of its time, profiled).
RUN_PARTS = {"requirements": "document__requirements", "traffic": "document__traffic", "faults": "document__faults",
             "p99": "results__latency_ms__p99", "slo": "results__slo", "monthly": "results__cost__monthly_usd"}


def runs_since(session: InterviewSession, since: datetime) -> list[RunFigures]:
    """The board's successful runs queued since `since`, oldest first."""
    rows = (SimulationRun.objects.filter(board_id=session.board_id, status=SimulationRun.SUCCEEDED,
                                         queued_at__gte=since)
            .order_by("queued_at").values("board_version", "queued_at", **{k: F(v) for k, v in RUN_PARTS.items()})
            [:MAX_RUNS])
    return [RunFigures(board_version=row["board_version"], queued_at=row["queued_at"],
                       requirements=row["requirements"] or {}, traffic=row["traffic"] or {},
                       fault_ids=frozenset(f.get("id") for f in row["faults"] or [] if isinstance(f, dict)),
                       results={"latency_ms": {"p99": row["p99"]}, "slo": row["slo"] or {},
                                "cost": {"monthly_usd": row["monthly"]}}) for row in rows]


def curveball_verdicts(session: InterviewSession, board: Board) -> dict[str, dict[str, Any]]:
    """Verdicts of the played cards, by card id."""
    played = [card for card in session.deck if card.get("played_at")]
    if not played:
        return {}
    # Only runs after the first play can answer a card: the earlier ones are not read at all.
    runs = runs_since(session, min(datetime.fromisoformat(card["played_at"]) for card in played))
    own = _interview_versions(session)
    return {card["id"]: curveball_verdict(card, board, runs, own) for card in played}


def scorecard(session: InterviewSession, board: Board, *, you: str) -> dict[str, Any]:
    """The scorecard as `you` may see it: every check; the ratings for the interviewer, or for all once ended."""
    view = BoardView(board.document)
    latest = board_latest_succeeded_run(board_id=board.pk)
    extra = {
        "requirements": _requirements_checks(view), "data": _data_checks(view),
        "features": _features_checks(view), "model": _model_checks(view), "evaluation": _evaluation_checks(view),
        "serving": _serving_checks(view, latest), "monitoring": _monitoring_checks(view),
    }
    verdicts = curveball_verdicts(session, board)
    visible = ratings_visible(session, you)
    steps = []
    for step in NOTE_STEPS:
        notes = _notes_check(view, step)
        # Requirements are judged by their numbers first; every other step by its notes first.
        checks = [*extra[step], notes] if step == "requirements" else [notes, *extra[step]]
        for card in session.deck:
            if card["id"] in verdicts and card.get("played_step") == step:
                checks.append({"id": f"curveball.{card['id']}", "title": card["title"], **verdicts[card["id"]]})
        steps.append({"step": step, "title": NOTE_TITLES[step], "checks": checks,
                      "rating": session.ratings.get(step) if visible else None})
    every = [check for step in steps for check in step["checks"]]
    return {"session_id": str(session.pk), "status": session.status, "ratings_visible": visible,
            "you": you,
            "latest_run": {"id": str(latest.pk), "board_version": latest.board_version,
                           "finished_at": latest.finished_at.isoformat()} if latest else None,
            "steps": steps, "passed": sum(check["passed"] for check in every), "total": len(every)}


def report_scorecard(board: Board) -> dict[str, Any] | None:
    """The scorecard the design report shows: of the board's latest session, as a candidate sees it; None without one."""
    session = session_for_board(board)
    return scorecard(session, board, you=CANDIDATE) if session is not None else None
