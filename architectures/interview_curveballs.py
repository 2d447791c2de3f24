"""Curveball cards of a mock interview: the decks shipped per case-study template, and a card's change as live-edit ops.

A card is `{"id", "title", "prompt", "change"}`. Its `change` (all keys optional) says what playing it
does to the board:

    {"requirements": {"peak_rps": {"times": 3}, "p99_ms": 80},   a number sets, {"times": x} scales
     "traffic": {"rps": {"times": 3}, "arrival": "bursty"},      any traffic field
     "fault": {"type": "outage", "target": "fs", "at_s": 4, "duration_s": 6}}   added as one fault

The decks live here rather than in the template files: a template file is validated as a whole
(simulator/casestudies) and its board copied into new boards, and a card is not part of either.
"""

from __future__ import annotations

from typing import Any

from simulator.catalog import INTEGER, NUMBER, REQUIREMENT_FIELDS, TRAFFIC_FIELDS
from simulator.faults import FAULT_TYPES

REQUIREMENT_NAMES = tuple(field.name for field in REQUIREMENT_FIELDS)
TRAFFIC_NAMES = tuple(field.name for field in TRAFFIC_FIELDS)
NUMERIC_TRAFFIC = tuple(field.name for field in TRAFFIC_FIELDS if field.type in (NUMBER, INTEGER))
SECTIONS = ("requirements", "traffic", "fault")
MAX_TITLE_CHARS = 120
MAX_PROMPT_CHARS = 2000
MAX_TIMES = 1000.0
# Faults of cards start a few simulated seconds in and end before the shortest template's run does.
AT_S, DURATION_S = 4, 6


def _tripled(why: str) -> dict[str, Any]:
    return {"id": "traffic_triples", "title": "Traffic just tripled", "prompt": why,
            "change": {"requirements": {"peak_rps": {"times": 3}}, "traffic": {"rps": {"times": 3}}}}


def _fault(card_id: str, title: str, prompt: str, kind: str, target: str, **params: Any) -> dict[str, Any]:
    return {"id": card_id, "title": title, "prompt": prompt,
            "change": {"fault": {"type": kind, "target": target, "at_s": AT_S, "duration_s": DURATION_S, **params}}}


def _tighter(card_id: str, title: str, prompt: str, p99_ms: float) -> dict[str, Any]:
    return {"id": card_id, "title": title, "prompt": prompt, "change": {"requirements": {"p99_ms": p99_ms}}}


GENERIC: tuple[dict[str, Any], ...] = (
    {"id": "budget_cut", "title": "The budget is cut by a third",
     "prompt": "Finance wants the same service for two thirds of the money. What goes first?",
     "change": {"requirements": {"monthly_budget_usd": {"times": 0.67}}}},
    {"id": "bursty_traffic", "title": "Traffic comes in bursts",
     "prompt": "Requests now arrive in bursts of three times the mean rate. Does the design ride them out?",
     "change": {"traffic": {"arrival": "bursty", "burst_factor": 3}}},
    {"id": "cold_start", "title": "New users with no history",
     "prompt": "A third of today's users are new: what does the model do without their history? (No board change.)",
     "change": {}},
)

_FEATURE_STORE_DOWN = "The online feature store is down for a few seconds at peak. What do requests do meanwhile?"

TEMPLATE_DECKS: dict[str, tuple[dict[str, Any], ...]] = {
    "visual_search": (
        _tripled("A holiday campaign: image queries peak at three times today's rate."),
        _fault("knn_replica_lost", "A k-NN replica is lost", "One of the k-NN search replicas dies at peak.",
               "replicas_down", "knn", replicas=1),
    ),
    "street_view_blurring": (
        _tighter("blur_sooner", "Blur within a second", "A regulator wants faces blurred within 1 s of upload.", 1000),
        _fault("detector_slow", "The detector slows down", "A driver update makes the detector three times slower.",
               "slowdown", "det", factor=3),
    ),
    "search_ranking": (
        _fault("feature_store_down", "The feature store is down", _FEATURE_STORE_DOWN, "outage", "fs"),
        _tighter("p99_100", "P99 must drop to 100 ms", "Search latency budget shrinks: P99 100 ms end to end.", 100),
    ),
    "harmful_content": (
        _tripled("Election week: posts to check triple."),
        _fault("classifier_errors", "The classifier fails a fifth of calls", "A bad deploy: 20% of calls error.",
               "error_rate", "clf", rate=0.2),
    ),
    "video_recommendation": (
        _fault("feature_store_slow", "The feature store slows down", "A compaction makes feature reads 3x slower.",
               "slowdown", "fs", factor=3),
        _tripled("A viral creator: the home feed gets three times the traffic."),
    ),
    "event_recommendation": (
        _fault("feature_store_down", "The feature store is down", _FEATURE_STORE_DOWN, "outage", "fs"),
        _tripled("A festival weekend: three times the usual traffic."),
    ),
    "ad_click": (
        _fault("feature_store_down", "The feature store is down", _FEATURE_STORE_DOWN, "outage", "fs"),
        _tighter("auction_40ms", "The auction closes sooner", "The exchange now closes the auction at 40 ms P99.", 40),
    ),
    "similar_listings": (
        _fault("cache_flushed", "The cache is flushed", "A deploy flushes the listing cache at peak.",
               "cache_flush", "cache"),
        _tripled("Summer season: three times the listing views."),
    ),
    "news_feed": (
        _fault("cache_flushed", "The feed cache is flushed", "A cache cluster restart empties the feed cache.",
               "cache_flush", "cache"),
        _tripled("A big sports final: three times the feed refreshes."),
    ),
    "pymk_online": (
        _fault("feature_store_slow", "Graph features are slow", "Feature reads take three times longer.",
               "slowdown", "fs", factor=3),
    ),
    "pymk_batch": (
        _fault("kv_flushed", "The precomputed store is flushed", "The key-value store of precomputed lists restarts.",
               "cache_flush", "kv"),
    ),
    "fraud_detection": (
        _tripled("Black Friday: card payments triple."),
        _tighter("card_network_30ms", "The card network wants 30 ms", "The card network now allows P99 30 ms.", 30),
    ),
    "rag_chatbot": (
        _fault("llm_slow", "The LLM server slows down", "A noisy neighbour halves the GPUs' speed for a while.",
               "slowdown", "llm", factor=2),
        _tripled("A product launch: support chats triple."),
    ),
    "rag_chatbot_small_gpus": (
        _fault("llm_slow", "The LLM server slows down", "A noisy neighbour halves the GPUs' speed for a while.",
               "slowdown", "llm", factor=2),
    ),
    "llm_search_assistant": (
        _fault("semantic_cache_flushed", "The semantic cache is flushed", "The semantic cache restarts empty.",
               "cache_flush", "scache"),
        _tripled("The assistant is put on the home page: three times the questions."),
    ),
    "drill_retry_storm": (_tripled("A marketing push doubles and then triples the peak."),),
    "drill_feature_store_outage": (
        _fault("ranker_slow", "And the ranker slows down", "While the feature store is out, the ranker slows 2x.",
               "slowdown", "rank", factor=2),
    ),
    "drill_ranker_replica_lost": (
        {"id": "budget_cut", "title": "The budget is cut by a third",
         "prompt": "Spare replicas cost money: keep riding out the lost replica on two thirds of the budget.",
         "change": {"requirements": {"monthly_budget_usd": {"times": 0.67}}}},
    ),
}


def deck_for(template: str | None) -> list[dict[str, Any]]:
    """The cards a session starts with: the template's own, then the generic ones it does not already have."""
    own = [dict(card, source="template") for card in TEMPLATE_DECKS.get(template or "", ())]
    taken = {card["id"] for card in own}
    return own + [dict(card, source="generic") for card in GENERIC if card["id"] not in taken]


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _value_errors(section: str, values: Any, names: tuple[str, ...], numeric: tuple[str, ...]) -> list[dict]:
    path = f"change.{section}"
    if not isinstance(values, dict):
        return [{"path": path, "message": "must be an object"}]
    errors = []
    for name, value in values.items():
        if name not in names:
            errors.append({"path": f"{path}.{name}", "message": f"unknown; expected one of {', '.join(names)}"})
        elif isinstance(value, dict):
            times = value.get("times")
            if name not in numeric:
                errors.append({"path": f"{path}.{name}", "message": "is not a number, so it cannot be scaled"})
            elif set(value) != {"times"} or not _is_number(times) or not 0 < times <= MAX_TIMES:
                errors.append({"path": f"{path}.{name}.times",
                               "message": f"must be a number above 0 and at most {MAX_TIMES:g}"})
        elif name in numeric and not _is_number(value):
            errors.append({"path": f"{path}.{name}", "message": 'must be a number or {"times": <number>}'})
    return errors


def change_errors(change: Any) -> list[dict[str, str]]:
    """What is wrong with a card's change, each at its path (`change.requirements.peak_rps`); [] when fine.

    Values within range are the board validation's job when the card is played: the same rules
    as any edit, with the board's own paths.
    """
    if not isinstance(change, dict):
        return [{"path": "change", "message": "must be an object"}]
    errors = [{"path": f"change.{key}", "message": f"unknown; expected one of {', '.join(SECTIONS)}"}
              for key in change if key not in SECTIONS]
    if "requirements" in change:
        errors += _value_errors("requirements", change["requirements"], REQUIREMENT_NAMES, REQUIREMENT_NAMES)
    if "traffic" in change:
        errors += _value_errors("traffic", change["traffic"], TRAFFIC_NAMES, NUMERIC_TRAFFIC)
    if "fault" in change:
        fault = change["fault"]
        if not isinstance(fault, dict):
            errors.append({"path": "change.fault", "message": "must be an object"})
        else:
            if fault.get("type") not in FAULT_TYPES:
                errors.append({"path": "change.fault.type", "message": f"must be one of {', '.join(FAULT_TYPES)}"})
            if not isinstance(fault.get("target"), str):
                errors.append({"path": "change.fault.target", "message": "must be the id of a component or connection"})
    return errors


class ChangeNotApplicable(ValueError):
    """A card scales a value the board does not have."""

    def __init__(self, path: str, message: str):
        super().__init__(message)
        self.errors = [{"path": path, "message": message}]


def _new_values(section: str, values: dict[str, Any], current: dict[str, Any]) -> dict[str, Any]:
    out = {}
    for name, value in values.items():
        if isinstance(value, dict):
            base = current.get(name)
            if not _is_number(base):
                raise ChangeNotApplicable(f"change.{section}.{name}", f"the board has no {section}.{name} to scale")
            value = round(base * value["times"], 2)
        out[name] = value
    return out


def fault_id(card_id: str) -> str:
    return f"curveball_{card_id}"[:64]


def change_ops(document: dict[str, Any], card: dict[str, Any]) -> tuple[list[dict], list[dict], dict[str, Any]]:
    """(ops that play the card on `document`, ops that undo them, the values it set) — ([], [], {}) without change.

    The undo puts back the values found now (a requirement that was unset is unset again) and
    removes the card's fault.
    """
    change = card.get("change") or {}
    ops: list[dict] = []
    undo: list[dict] = []
    applied: dict[str, Any] = {}
    patch: dict[str, Any] = {}
    before: dict[str, Any] = {}
    for section in ("requirements", "traffic"):
        if change.get(section):
            current = document.get(section) or {}
            patch[section] = applied[section] = _new_values(section, change[section], current)
            before[section] = {name: current.get(name) for name in patch[section]}
    if patch:
        ops.append({"op": "board.update", "patch": patch})
        undo.append({"op": "board.update", "patch": before})
    if change.get("fault"):
        fault = {**change["fault"], "id": fault_id(card["id"])}
        ops.append({"op": "fault.add", "fault": fault})
        undo.append({"op": "fault.delete", "id": fault["id"]})
        applied["fault"] = fault["id"]
    return ops, undo, applied
