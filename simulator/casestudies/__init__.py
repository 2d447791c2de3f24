"""Case studies: ready boards of the book's case studies, some broken on purpose, read from JSON files here.

Users meet them as "case-study templates" (the gallery, GET /api/templates/); in code they are
case studies, so they are not mistaken for the Django page templates in templates/. Each
`<id>.json` holds the case study's metadata and its board document:

    {"id": "visual_search", "order": 10 (place in the gallery), "title": "...", "description": "one line",
     "case_study": "Visual search",
     "compare_with": "<id>" (optional: the other half of a pair),
     "broken": null | {"step": "<note step>", "hint": "...", "fix": [{"path": "nodes[knn].config.max_batch_size",
                                                                      "value": 32}, ...]},
     "drill": null | {"step", "hint", "fix", "fault": "<fault id>", "availability_at_least": 0.95,
                      "recover_within_s": 10},
     "board": {<board document>}}

A failure drill is a board that runs a fault (its `faults`): as given it does not ride the fault
out, and with its fix it does: availability of at least `availability_at_least`, and the fault's
recovery (back to the P99 and error share of before) within `recover_within_s` of its end. Its
hint, like a broken template's, goes under its note step.

A broken template's hint is appended to its board's notes for `step`, so a board made from it
carries the hint. A fix is a list of changes; each path is dotted keys, where `nodes[<id>]` and
`edges[<id>]` pick an element by its id (ids, not positions, so a fix survives edits elsewhere);
a change `{"append": "nodes" | "edges", "value": {...}}` adds an element instead.
"""

from __future__ import annotations

import copy
import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from simulator.catalog import NOTE_STEPS
from simulator.validation import check_document

FOLDER = Path(__file__).resolve().parent
HINT_HEADING = "Broken on purpose. Hint:"
_SEGMENT = re.compile(r"^(?P<key>[A-Za-z0-9_]+)(?:\[(?P<id>[^\]]+)\])?$")


class CaseStudyNotFound(KeyError):
    """No template has this id."""


class CaseStudyError(ValueError):
    """A template file or one of its fixes is malformed."""


@dataclass(frozen=True)
class CaseStudy:
    """One case-study template: what the gallery shows, and the board it starts."""

    id: str
    order: int
    title: str
    description: str
    case_study: str
    board: dict[str, Any]
    broken: dict[str, Any] | None = None
    compare_with: str | None = None
    drill: dict[str, Any] | None = None

    @property
    def lesson(self) -> dict[str, Any] | None:
        """What the board teaches by failing: its `broken` or its `drill` entry (step, hint, fix)."""
        return self.broken or self.drill

    def document(self) -> dict[str, Any]:
        """A fresh copy of the board document, with the hint in the notes when broken on purpose."""
        document = copy.deepcopy(self.board)
        if self.lesson:
            notes = document.setdefault("notes", {})
            step = self.lesson["step"]
            notes[step] = f"{notes.get(step, '').rstrip()}\n\n**{HINT_HEADING}** {self.lesson['hint']}".lstrip()
        return document

    def fixed_document(self) -> dict[str, Any]:
        """The board with the template's fix applied (CaseStudyError when it has none)."""
        if not self.lesson:
            raise CaseStudyError(f"template {self.id} is neither broken nor a drill, so it has no fix")
        return apply_changes(self.document(), self.lesson["fix"])

    def summary(self) -> dict[str, Any]:
        """What the gallery lists: no board document, no fix (a learner should find it)."""
        return {
            "id": self.id, "title": self.title, "description": self.description, "case_study": self.case_study,
            "broken": self.broken is not None, "drill": self.drill is not None,
            "hint": self.lesson["hint"] if self.lesson else None,
            "compare_with": self.compare_with,
            "requirements": self.board.get("requirements", {}),
            "nodes": len(self.board.get("nodes", [])),
        }


def _select(container: Any, key: str, element_id: str | None, path: str) -> tuple[Any, Any]:
    """The (parent, key) a path segment names, for reading or assignment."""
    if not isinstance(container, dict):
        raise CaseStudyError(f"{path}: {key} is not inside an object")
    if element_id is None:
        return container, key
    items = container.get(key)
    if not isinstance(items, list):
        raise CaseStudyError(f"{path}: {key} is not a list")
    for index, item in enumerate(items):
        if isinstance(item, dict) and item.get("id") == element_id:
            return items, index
    raise CaseStudyError(f"{path}: no element of {key} has id {element_id!r}")


def apply_changes(document: dict[str, Any], changes: list[dict[str, Any]]) -> dict[str, Any]:
    """A copy of `document` with each change's `value` set at its `path` (missing objects are created)."""
    result = copy.deepcopy(document)
    for change in changes:
        if "append" in change:
            if change["append"] not in ("nodes", "edges"):
                raise CaseStudyError(f"append: {change['append']!r} is neither nodes nor edges")
            result.setdefault(change["append"], []).append(copy.deepcopy(change["value"]))
            continue
        path = change["path"]
        segments = path.split(".")
        target: Any = result
        for position, segment in enumerate(segments):
            match = _SEGMENT.match(segment)
            if not match:
                raise CaseStudyError(f"{path}: cannot read the segment {segment!r}")
            parent, key = _select(target, match["key"], match["id"], path)
            if position == len(segments) - 1:
                if match["id"] is not None:
                    raise CaseStudyError(f"{path}: a change sets a field, not a whole element")
                parent[key] = copy.deepcopy(change["value"])
            else:
                if isinstance(parent, dict) and key not in parent:
                    parent[key] = {}
                target = parent[key]
    return result


def _case_study(data: dict[str, Any], name: str) -> CaseStudy:
    broken = data.get("broken")
    if broken is not None and (broken.get("step") not in NOTE_STEPS or not broken.get("hint")
                               or not broken.get("fix")):
        raise CaseStudyError(f"{name}: broken needs a note step, a hint and a fix")
    drill = data.get("drill")
    if drill is not None and (drill.get("step") not in NOTE_STEPS or not drill.get("hint") or not drill.get("fix")
                              or drill.get("fault") not in {f.get("id") for f in data.get("board", {}).get("faults", [])}):
        raise CaseStudyError(f"{name}: drill needs a note step, a hint, a fix and the id of one of the board's faults")
    if drill is not None and broken is not None:
        raise CaseStudyError(f"{name}: a template is broken on purpose or a drill, not both")
    missing = [key for key in ("id", "order", "title", "description", "case_study", "board") if key not in data]
    if missing:
        raise CaseStudyError(f"{name}: missing {', '.join(missing)}")
    template = CaseStudy(id=data["id"], order=data["order"], title=data["title"], description=data["description"],
                        case_study=data["case_study"], board=data["board"], broken=broken,
                        compare_with=data.get("compare_with"), drill=drill)
    check_document(template.document())
    return template


def _read(path: Path) -> CaseStudy:
    data = json.loads(path.read_text(encoding="utf-8"))
    if data.get("id") != path.stem:
        raise CaseStudyError(f"{path.name}: id {data.get('id')!r} does not match the file name")
    return _case_study(data, path.name)


def case_study_document(data: dict[str, Any]) -> dict[str, Any]:
    """The board document of a template file's contents (hint included), for `python -m simulator run`."""
    return _case_study(data, str(data.get("id", "template"))).document()


@lru_cache(maxsize=1)
def _all() -> dict[str, CaseStudy]:
    templates = sorted((_read(path) for path in FOLDER.glob("*.json")), key=lambda t: (t.order, t.id))
    return {t.id: t for t in templates}


def case_study_ids() -> list[str]:
    return list(_all())


def all_case_studies() -> list[CaseStudy]:
    """Every template, in gallery order: the book's chapters, then the rest."""
    return list(_all().values())


def get_case_study(template_id: str) -> CaseStudy:
    """The template with this id; CaseStudyNotFound otherwise."""
    try:
        return _all()[template_id]
    except KeyError:
        raise CaseStudyNotFound(template_id) from None
