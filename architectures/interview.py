"""Mock-interview sessions: the server-owned clock and step, curveballs played as live edits, ratings, roles.

Roles (see README, "Mock-interview mode"): the edit-link holder who starts a session gets a secret
key and is its interviewer while they present it (`X-Interviewer-Key`); every other editor is a
candidate and a view link is an observer. Candidates and observers see only the played curveballs
and no ratings until the session ends. Every timeline event is broadcast to the board's sockets
as `{"type": "interview", "event", "session", "now"}` with the session as a candidate sees it.
"""

from __future__ import annotations

import copy
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from architectures.access import EDIT
from architectures.broadcast import board_broadcast_soon
from architectures.interview_curveballs import (
    MAX_PROMPT_CHARS, MAX_TITLE_CHARS, ChangeNotApplicable, change_errors, change_ops, deck_for,
)
from architectures.interview_models import InterviewEvent, InterviewSession
from architectures.live_edits import EditRefused, board_apply_ops
from architectures.models import Board
from simulator.casestudies import all_case_studies, case_study_ids
from simulator.catalog import NOTE_STEPS, NOTE_TITLES

INTERVIEWER, CANDIDATE, OBSERVER = "interviewer", "candidate", "observer"
CONTROLS = ("pause", "resume", "next-step", "end")
KEY_HEADER = "X-Interviewer-Key"
EDIT_AUTHOR = "interview"  # the `client` of the live edits a session makes
# Suggested time box of each step, in seconds: 45 minutes in all, most of it on serving and the model.
TIME_BOXES = {"requirements": 300, "data": 300, "features": 300, "model": 480, "evaluation": 300,
              "serving": 720, "monitoring": 300}
TOTAL_S = sum(TIME_BOXES.values())
# A session whose interviewer lost their key may be ended by any editor after this long.
ABANDONED_AFTER = timedelta(hours=3)
MAX_CARDS = 50
MAX_COMMENT_CHARS = 2000
CARD_ID = re.compile(r"[^a-z0-9]+")


class InterviewConflict(Exception):
    """The action does not fit the session's state (already paused, nothing to resume, no session...)."""


class NotInterviewer(PermissionError):
    """Only the session's interviewer may do this."""


class InterviewInvalid(ValueError):
    """The request's values are wrong; `errors` locate each problem."""

    def __init__(self, detail: str, errors: list[dict[str, str]]):
        super().__init__(detail)
        self.detail = detail
        self.errors = errors


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def role_of(session: InterviewSession | None, *, board_role: str, key: str | None) -> str:
    """The caller's part in the session: a view link observes; the editor holding the key interviews."""
    if board_role != EDIT:
        return OBSERVER
    if session is not None and key and hmac.compare_digest(_hash(key), session.key_hash):
        return INTERVIEWER
    return CANDIDATE


# ---- the clock ----

def elapsed_s(session: InterviewSession, now: datetime) -> float:
    """Interview seconds at `now`: time since the start without pauses, frozen at the end."""
    end = session.ended_at or now
    paused = (end - session.paused_at).total_seconds() if session.paused_at else 0.0
    return max(0.0, (end - session.started_at).total_seconds() - session.paused_total_s - paused)


def _steps(session: InterviewSession) -> list[dict[str, Any]]:
    return [{"name": step, "title": NOTE_TITLES[step], "suggested_s": TIME_BOXES[step],
             "started_s": (session.step_times.get(step) or [None, None])[0],
             "ended_s": (session.step_times.get(step) or [None, None])[1]} for step in NOTE_STEPS]


# ---- reading ----

def session_for_board(board: Board) -> InterviewSession | None:
    """The board's active session, else its most recent one, else None."""
    sessions = InterviewSession.objects.filter(board=board)
    return sessions.filter(status=InterviewSession.ACTIVE).first() or sessions.first()


def event_payload(event: InterviewEvent) -> dict[str, Any]:
    return {"id": event.pk, "kind": event.kind, "at": event.at.isoformat(), "elapsed_s": round(event.elapsed_s, 3),
            "step": event.step, "board_version": event.board_version, "data": event.data}


PRIVATE_CARD_KEYS = ("undo_ops", "applied")
UNPLAYED = {"played_at": None, "played_s": None, "played_step": None, "version": None, "undone_at": None}


def card_payload(card: dict[str, Any]) -> dict[str, Any]:
    """A card without the ops kept to undo it, with every play field present (null until played)."""
    return {**UNPLAYED, **{key: value for key, value in card.items() if key not in PRIVATE_CARD_KEYS}}


def ratings_visible(session: InterviewSession, you: str) -> bool:
    return you == INTERVIEWER or session.status == InterviewSession.ENDED


def session_payload(session: InterviewSession, *, you: str, now: datetime,
                    answered: dict[str, dict[str, Any]] | None = None) -> dict[str, Any]:
    """The session as `you` may see it (see the module docstring); `answered`: verdicts by card id."""
    cards = session.deck if you == INTERVIEWER else [card for card in session.deck if card.get("played_at")]
    answered = answered or {}
    return {
        "id": str(session.pk), "board_id": str(session.board_id), "status": session.status,
        "template": session.template or None,
        "started_at": session.started_at.isoformat(),
        "ended_at": session.ended_at.isoformat() if session.ended_at else None,
        "paused": session.paused_at is not None,
        "paused_at": session.paused_at.isoformat() if session.paused_at else None,
        "paused_total_s": round(session.paused_total_s, 3),
        "elapsed_s": round(elapsed_s(session, now), 3), "total_s": TOTAL_S,
        "step": session.step, "step_index": NOTE_STEPS.index(session.step),
        "step_started_s": (session.step_times.get(session.step) or [0.0])[0],
        "steps": _steps(session),
        "curveballs": [{**card_payload(card), "answered": answered.get(card["id"])} for card in cards],
        "timeline": [event_payload(event) for event in session.events.defer("document")],
        "ratings": copy.deepcopy(session.ratings) if ratings_visible(session, you) else None,
    }


# ---- writing ----

def _guess_template(board: Board) -> str:
    """The template a board was probably made from: the one whose board has its title."""
    title = (board.document.get("title") or "").strip().lower()
    return next((t.id for t in all_case_studies() if (t.board.get("title") or "").strip().lower() == title), "")


def _record(session: InterviewSession, kind: str, *, now: datetime, **data: Any) -> InterviewEvent:
    """Store an event with the board as it is now, and broadcast it once committed.

    The board's document is kept with the event: live edits share one history entry for a minute
    (architectures/live_edits.py), so the versions alone cannot show the board at each event.
    """
    version, document = Board.objects.filter(pk=session.board_id).values_list("version", "document").get()
    event = InterviewEvent.objects.create(session=session, kind=kind, at=now, elapsed_s=elapsed_s(session, now),
                                          step=session.step, board_version=version, document=document, data=data)
    session_id = session.pk

    def send() -> None:
        # Read again after the commit: the broadcast shows the session as stored, as a candidate sees it.
        stored = InterviewSession.objects.get(pk=session_id)
        moment = timezone.now()
        board_broadcast_soon(stored.board_id, {"type": "interview", "event": event_payload(event),
                                               "session": session_payload(stored, you=CANDIDATE, now=moment),
                                               "now": moment.isoformat()})

    transaction.on_commit(send)
    return event


@dataclass(frozen=True)
class Started:
    session: InterviewSession
    key: str


def session_start(*, board: Board, template: str | None = None) -> Started:
    """Start the board's session now, at the first step; InterviewConflict when one is running."""
    if template is not None and template not in case_study_ids():
        raise InterviewInvalid("The request is invalid.", [{"path": "template", "message": f"no template {template!r}"}])
    key = secrets.token_urlsafe(32)
    now = timezone.now()
    template = template if template is not None else _guess_template(board)
    try:
        with transaction.atomic():
            session = InterviewSession.objects.create(
                board=board, template=template, key_hash=_hash(key), started_at=now, step=NOTE_STEPS[0],
                step_times={NOTE_STEPS[0]: [0.0, None]}, deck=deck_for(template))
            _record(session, "start", now=now)
    except IntegrityError:
        raise InterviewConflict("An interview is already running on this board.") from None
    return Started(session=session, key=key)


def _locked(session: InterviewSession) -> InterviewSession:
    """The session row re-read under a lock, so two clicks of the interviewer apply one after the other."""
    fresh = InterviewSession.objects.select_for_update().get(pk=session.pk)
    if fresh.status != InterviewSession.ACTIVE:
        raise InterviewConflict("The interview has ended.")
    return fresh


def _close_step(session: InterviewSession, at_s: float) -> None:
    times = session.step_times.setdefault(session.step, [at_s, None])
    times[1] = round(at_s, 3)


def session_control(*, session: InterviewSession, you: str, action: str, step: str | None = None,
                    board_role: str = EDIT) -> InterviewSession:
    """pause, resume, next-step (to `step`, or the following one) or end, by the interviewer.

    An editor without the key may end a session started ABANDONED_AFTER ago (its key was lost).
    """
    now = timezone.now()
    abandoned = action == "end" and board_role == EDIT and now - session.started_at >= ABANDONED_AFTER
    if you != INTERVIEWER and not abandoned:
        raise NotInterviewer()
    with transaction.atomic():
        session = _locked(session)
        at_s = elapsed_s(session, now)
        fields = ["paused_at", "paused_total_s", "step", "step_times", "status", "ended_at"]
        data: dict[str, Any] = {}
        if action == "pause":
            if session.paused_at:
                raise InterviewConflict("The interview is already paused.")
            session.paused_at = now
        elif action == "resume":
            if not session.paused_at:
                raise InterviewConflict("The interview is not paused.")
            session.paused_total_s += (now - session.paused_at).total_seconds()
            session.paused_at = None
        elif action == "next-step":
            target = _next_step(session, step)
            _close_step(session, at_s)
            session.step_times[target] = [round(at_s, 3), None]
            data = {"from": session.step, "to": target}
            session.step = target
        elif action == "end":
            _close_step(session, at_s)
            if session.paused_at:
                session.paused_total_s += (now - session.paused_at).total_seconds()
                session.paused_at = None
            session.status, session.ended_at = InterviewSession.ENDED, now
        else:
            raise InterviewInvalid("The request is invalid.", [{"path": "action", "message": f"unknown {action!r}"}])
        session.save(update_fields=fields)
        _record(session, "step" if action == "next-step" else action, now=now, **data)
    return session


def _next_step(session: InterviewSession, step: str | None) -> str:
    if step is None:
        index = NOTE_STEPS.index(session.step) + 1
        if index >= len(NOTE_STEPS):
            raise InterviewConflict("This is the last step: end the interview instead.")
        return NOTE_STEPS[index]
    if step not in NOTE_STEPS:
        raise InterviewInvalid("The request is invalid.",
                               [{"path": "step", "message": f"must be one of {', '.join(NOTE_STEPS)}"}])
    return step


def _card(session: InterviewSession, card_id: str) -> dict[str, Any]:
    for card in session.deck:
        if card["id"] == card_id:
            return card
    raise InterviewInvalid("No such curveball.", [{"path": "curveball", "message": f"no curveball {card_id!r}"}])


def curveball_add(*, session: InterviewSession, you: str, title: Any, prompt: Any = "",
                  change: Any = None) -> InterviewSession:
    """An interviewer's own card, hidden from the others until played."""
    if you != INTERVIEWER:
        raise NotInterviewer()
    errors = []
    if not isinstance(title, str) or not 0 < len(title.strip()) <= MAX_TITLE_CHARS:
        errors.append({"path": "title", "message": f"must be text of 1 to {MAX_TITLE_CHARS} characters"})
    if not isinstance(prompt, str) or len(prompt) > MAX_PROMPT_CHARS:
        errors.append({"path": "prompt", "message": f"must be text of at most {MAX_PROMPT_CHARS} characters"})
    change = {} if change is None else change
    errors += change_errors(change)
    if errors:
        raise InterviewInvalid("The curveball is invalid.", errors)
    with transaction.atomic():
        session = _locked(session)
        if len(session.deck) >= MAX_CARDS:
            raise InterviewInvalid("The deck is full.", [{"path": "", "message": f"at most {MAX_CARDS} curveballs"}])
        taken = {card["id"] for card in session.deck}
        base = CARD_ID.sub("_", title.strip().lower()).strip("_")[:40] or "curveball"
        card_id, number = base, 2
        while card_id in taken:
            card_id, number = f"{base}_{number}", number + 1
        session.deck.append({"id": card_id, "title": title.strip(), "prompt": prompt, "change": change,
                             "source": "interviewer"})
        session.save(update_fields=["deck"])
    return session


def _apply(session: InterviewSession, ops: list[dict], edit_id: str) -> int | None:
    if not ops:
        return None
    try:
        return board_apply_ops(board_id=session.board_id, ops=ops, edit_id=edit_id, author=EDIT_AUTHOR).version
    except EditRefused as refused:
        raise InterviewInvalid(refused.detail, refused.errors) from None


@dataclass(frozen=True)
class Played:
    session: InterviewSession
    version: int | None


def curveball_play(*, session: InterviewSession, you: str, card_id: str) -> Played:
    """Show the card to everyone and apply its change as one live edit (validated, versioned, broadcast)."""
    if you != INTERVIEWER:
        raise NotInterviewer()
    with transaction.atomic():
        session = _locked(session)
        card = _card(session, card_id)
        if card.get("played_at"):
            raise InterviewConflict("This curveball was already played.")
        board = Board.objects.only("document", "version").get(pk=session.board_id)
        try:
            ops, undo, applied = change_ops(board.document, card)
        except ChangeNotApplicable as problem:
            raise InterviewInvalid("The curveball does not fit this board.", problem.errors) from None
        version = _apply(session, ops, f"curveball-{card_id}")
        now = timezone.now()
        card.update(played_at=now.isoformat(), played_s=round(elapsed_s(session, now), 3), played_step=session.step,
                    version=version, undone_at=None, undo_ops=undo, applied=applied)
        session.save(update_fields=["deck"])
        _record(session, "curveball.play", now=now, curveball=card_id,
                title=card["title"], version=version)
    return Played(session=session, version=version)


def curveball_undo(*, session: InterviewSession, you: str, card_id: str) -> Played:
    """Put back what the played card changed (one live edit); the card stays shown, marked undone."""
    if you != INTERVIEWER:
        raise NotInterviewer()
    with transaction.atomic():
        session = _locked(session)
        card = _card(session, card_id)
        if not card.get("played_at") or card.get("undone_at"):
            raise InterviewConflict("This curveball is not in play.")
        version = _apply(session, card.get("undo_ops") or [], f"curveball-undo-{card_id}")
        now = timezone.now()
        card["undone_at"] = now.isoformat()
        session.save(update_fields=["deck"])
        _record(session, "curveball.undo", now=now, curveball=card_id,
                title=card["title"], version=version)
    return Played(session=session, version=version)


def _rating_errors(ratings: Any) -> list[dict[str, str]]:
    if not isinstance(ratings, dict) or not ratings:
        return [{"path": "", "message": "must be an object of ratings by step"}]
    errors = []
    for step, rating in ratings.items():
        if step not in NOTE_STEPS:
            errors.append({"path": str(step)[:40], "message": f"unknown step; expected one of {', '.join(NOTE_STEPS)}"})
            continue
        if not isinstance(rating, dict) or set(rating) - {"score", "comment"}:
            errors.append({"path": step, "message": 'must be {"score": 1-4 or null, "comment": text}'})
            continue
        score = rating.get("score")
        if score is not None and (not isinstance(score, int) or isinstance(score, bool) or not 1 <= score <= 4):
            errors.append({"path": f"{step}.score", "message": "must be a whole number from 1 to 4, or null"})
        comment = rating.get("comment", "")
        if not isinstance(comment, str) or len(comment) > MAX_COMMENT_CHARS:
            errors.append({"path": f"{step}.comment", "message": f"must be text of at most {MAX_COMMENT_CHARS} characters"})
    return errors


def ratings_update(*, session: InterviewSession, you: str, ratings: Any) -> InterviewSession:
    """Merge the interviewer's ratings of some steps into the session's (allowed after the end too)."""
    if you != INTERVIEWER:
        raise NotInterviewer()
    errors = _rating_errors(ratings)
    if errors:
        raise InterviewInvalid("The ratings are invalid.", errors)
    with transaction.atomic():
        session = InterviewSession.objects.select_for_update().get(pk=session.pk)
        for step, rating in ratings.items():
            session.ratings[step] = {**session.ratings.get(step, {"score": None, "comment": ""}), **rating}
        session.save(update_fields=["ratings"])
    return session
