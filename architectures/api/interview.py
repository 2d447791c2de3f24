"""REST views of a board's mock-interview session: clock, curveballs, ratings, scorecard and replay.

Who may call what is in architectures/interview.py (roles) and the README ("Mock-interview mode").
"""

from __future__ import annotations

import functools
from typing import Any, Callable

from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from architectures import access, interview
from architectures.access import EDIT, VIEW
from architectures.api.errors import error_response
from architectures.api.serializers import ErrorSerializer, validated
from architectures.interview_models import InterviewSession
from architectures.interview_replay import replay
from architectures.interview_scorecard import curveball_verdicts, scorecard
from architectures.models import Board
from simulator.catalog import NOTE_STEPS

TAGS = ["interview"]
KEY_PARAMETER = OpenApiParameter(
    interview.KEY_HEADER, OpenApiTypes.STR, OpenApiParameter.HEADER, required=False,
    description="The interviewer key the start of the session answered; without it (or with a wrong one) an "
                "edit link is a candidate and a view link an observer.")
ERRORS = {400: ErrorSerializer, 403: ErrorSerializer, 404: ErrorSerializer, 409: ErrorSerializer}
ROLES = (interview.INTERVIEWER, interview.CANDIDATE, interview.OBSERVER)


class SessionAnswerSerializer(serializers.Serializer):
    """Documents the answers of the session's endpoints (the views build plain dicts)."""

    now = serializers.DateTimeField(help_text="The server's time when it answered: clients count from it.")
    you = serializers.ChoiceField(choices=ROLES, help_text="The caller's part in the session.")
    session = serializers.JSONField(allow_null=True, help_text=(
        "id, status, started_at, ended_at, paused, paused_at, paused_total_s, elapsed_s (at `now`), total_s, "
        "step, step_index, step_started_s, steps [{name, title, suggested_s, started_s, ended_s}], curveballs "
        "(the interviewer sees every card; the others the played ones), timeline [events], ratings (null while "
        "hidden from the caller). Shapes: docs/interview-api.md."))
    interviewer_key = serializers.CharField(required=False, help_text="Only in the answer to the start: send it "
                                                                      "as X-Interviewer-Key from then on.")
    version = serializers.IntegerField(required=False, allow_null=True,
                                       help_text="Play and undo: the board version their live edit made.")


class ScorecardAnswerSerializer(serializers.Serializer):
    now = serializers.DateTimeField()
    you = serializers.ChoiceField(choices=ROLES)
    session_id = serializers.UUIDField()
    status = serializers.ChoiceField(choices=[InterviewSession.ACTIVE, InterviewSession.ENDED])
    ratings_visible = serializers.BooleanField()
    latest_run = serializers.JSONField(allow_null=True, help_text="{id, board_version, finished_at} of the run "
                                                                  "the serving checks read.")
    steps = serializers.JSONField(help_text="[{step, title, checks: [{id, passed, reason, title?}], rating}] for "
                                            "the 7 steps; rating {score 1-4, comment} or null while hidden.")
    passed = serializers.IntegerField()
    total = serializers.IntegerField()


class ReplayAnswerSerializer(serializers.Serializer):
    now = serializers.DateTimeField()
    you = serializers.ChoiceField(choices=ROLES)
    session_id = serializers.UUIDField(allow_null=True)
    versions = serializers.JSONField(help_text="[{number, at, live, title, document}], oldest first.")
    runs = serializers.JSONField(help_text="[{id, board_version, status, label, queued_at, finished_at, url, "
                                           "summary}], oldest first.")
    events = serializers.JSONField(help_text="The session's timeline, oldest first.")


SESSION_ANSWER = SessionAnswerSerializer


class StartRequestSerializer(serializers.Serializer):
    template = serializers.CharField(required=False, max_length=64,
                                     help_text="Template whose curveballs to deal; default: guessed from the title.")


class StepRequestSerializer(serializers.Serializer):
    step = serializers.ChoiceField(choices=NOTE_STEPS, required=False,
                                   help_text="Go to this step; omitted: the following one.")


class CurveballRequestSerializer(serializers.Serializer):
    title = serializers.CharField(help_text="Shown on the card.", allow_blank=True, trim_whitespace=False)
    prompt = serializers.CharField(required=False, default="", allow_blank=True, trim_whitespace=False)
    change = serializers.JSONField(required=False, default=dict,
                                   help_text='{"requirements": {"peak_rps": {"times": 3}}, "traffic": {...}, '
                                             '"fault": {...}}; see the README.')


def _errors(view: Callable) -> Callable:
    """The session's own refusals in the API's one error format."""
    @functools.wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Response:
        try:
            return view(*args, **kwargs)
        except interview.InterviewInvalid as problem:
            return error_response(400, problem.detail, problem.errors)
        except interview.NotInterviewer:
            return error_response(403, "Only the interviewer can do this.", [
                {"path": interview.KEY_HEADER, "message": "needs the key of the editor who started the interview"}])
        except interview.InterviewConflict as conflict:
            return error_response(409, str(conflict), [{"path": "", "message": str(conflict)}])
    return wrapped


def _caller(request: Request, board_id: str, need: str = VIEW) -> tuple[Board, str, InterviewSession | None, str]:
    """(board, board role, the board's session or None, the caller's part in it)."""
    board, role = access.board_access(board_id=board_id, token=access.request_token(request), user=request.user,
                                      need=need)
    session = interview.session_for_board(board)
    return board, role, session, interview.role_of(session, board_role=role, key=request.headers.get(
        interview.KEY_HEADER))


def _active(request: Request, board_id: str) -> tuple[Board, str, InterviewSession, str]:
    board, role, session, you = _caller(request, board_id, need=EDIT)
    if session is None or session.status != InterviewSession.ACTIVE:
        raise interview.InterviewConflict("No interview is running on this board.")
    return board, role, session, you


def _answer(board: Board, session: InterviewSession | None, you: str, code: int = 200, **extra: Any) -> Response:
    now = timezone.now()
    payload = None
    if session is not None:
        board.refresh_from_db(fields=["version"])  # the verdicts count the versions since each play
        payload = interview.session_payload(session, you=you, now=now, answered=curveball_verdicts(session, board))
    return Response({"now": now.isoformat(), "you": you, "session": payload, **extra}, status=code)


class InterviewView(APIView):
    @extend_schema(tags=TAGS, operation_id="interview_read", parameters=[KEY_PARAMETER],
                   responses={200: SESSION_ANSWER, 404: ErrorSerializer},
                   summary="The board's interview session (active, else the last one, else null) and the server's now")
    def get(self, request: Request, board_id: str) -> Response:
        board, _, session, you = _caller(request, board_id)
        return _answer(board, session, you)

    @extend_schema(tags=TAGS, operation_id="interview_start", request=StartRequestSerializer, responses={201: SESSION_ANSWER, **ERRORS},
                   summary="Start an interview: the caller becomes its interviewer (the answer carries the key)")
    @_errors
    def post(self, request: Request, board_id: str) -> Response:
        board, _, _, _ = _caller(request, board_id, need=EDIT)
        data = validated(StartRequestSerializer, request.data)
        started = interview.session_start(board=board, template=data.get("template"))
        return _answer(board, started.session, interview.INTERVIEWER, status.HTTP_201_CREATED,
                       interviewer_key=started.key)


CONTROL_PARAMETER = OpenApiParameter("action", OpenApiTypes.STR, OpenApiParameter.PATH,
                                     enum=list(interview.CONTROLS), description="What to do with the clock.")
CARD_PARAMETER = OpenApiParameter("action", OpenApiTypes.STR, OpenApiParameter.PATH, enum=["play", "undo"],
                                  description="play: show the card and apply its change; undo: put it back.")


class InterviewControlView(APIView):
    """The clock: pause, resume, next-step (the following step, or `step`) and end."""

    @extend_schema(tags=TAGS, operation_id="interview_control", parameters=[KEY_PARAMETER, CONTROL_PARAMETER], request=StepRequestSerializer,
                   responses={200: SESSION_ANSWER, **ERRORS},
                   summary="Interviewer: pause, resume, go to the next (or a named) step, or end the interview")
    @_errors
    def post(self, request: Request, board_id: str, action: str) -> Response:
        board, role, session, you = _active(request, board_id)
        step = validated(StepRequestSerializer, request.data).get("step") if action == "next-step" else None
        session = interview.session_control(session=session, you=you, action=action, step=step, board_role=role)
        return _answer(board, session, you)


class CurveballCreateView(APIView):
    @extend_schema(tags=TAGS, operation_id="interview_curveball_create", parameters=[KEY_PARAMETER],
                   request=CurveballRequestSerializer,
                   responses={201: SESSION_ANSWER, **ERRORS},
                   summary="Interviewer: write a curveball of your own (hidden from the others until played)")
    @_errors
    def post(self, request: Request, board_id: str) -> Response:
        board, _, session, you = _active(request, board_id)
        data = validated(CurveballRequestSerializer, request.data)
        session = interview.curveball_add(session=session, you=you, **data)
        return _answer(board, session, you, status.HTTP_201_CREATED)


class CurveballActionView(APIView):
    """A card: play (shown to all, its change applied as one live edit) or undo (the change put back)."""

    @extend_schema(tags=TAGS, operation_id="interview_curveball_action", parameters=[KEY_PARAMETER, CARD_PARAMETER],
                   request=None,
                   responses={200: SESSION_ANSWER, **ERRORS},
                   summary="Interviewer: play a curveball (its change is one live edit) or undo a played one")
    @_errors
    def post(self, request: Request, board_id: str, card_id: str, action: str) -> Response:
        board, _, session, you = _active(request, board_id)
        act = interview.curveball_play if action == "play" else interview.curveball_undo
        played = act(session=session, you=you, card_id=card_id)
        return _answer(board, played.session, you, version=played.version)


class RatingsView(APIView):
    @extend_schema(tags=TAGS, operation_id="interview_ratings", parameters=[KEY_PARAMETER],
                   request=OpenApiTypes.OBJECT,
                   responses={200: SESSION_ANSWER, **ERRORS},
                   summary='Interviewer: rate steps, {"model": {"score": 1-4, "comment": "..."}}, merged into the rest')
    @_errors
    def put(self, request: Request, board_id: str) -> Response:
        board, _, session, you = _caller(request, board_id, need=EDIT)
        if session is None:
            raise interview.InterviewConflict("This board has no interview to rate.")
        session = interview.ratings_update(session=session, you=you, ratings=request.data)
        return _answer(board, session, you)


class ScorecardView(APIView):
    @extend_schema(tags=TAGS, operation_id="interview_scorecard", parameters=[KEY_PARAMETER],
                   responses={200: ScorecardAnswerSerializer, **ERRORS},
                   summary="The scorecard: computed checks per step with reasons; ratings for the interviewer, "
                           "or for all once ended")
    @_errors
    def get(self, request: Request, board_id: str) -> Response:
        board, _, session, you = _caller(request, board_id)
        if session is None:
            raise interview.InterviewConflict("This board has no interview.")
        return Response({"now": timezone.now().isoformat(), **scorecard(session, board, you=you)})


class ReplayView(APIView):
    @extend_schema(tags=TAGS, operation_id="interview_replay", parameters=[KEY_PARAMETER],
                   responses={200: ReplayAnswerSerializer, 404: ErrorSerializer},
                   summary="The replay: the board's versions, its runs and the session's events, oldest first")
    def get(self, request: Request, board_id: str) -> Response:
        board, _, session, you = _caller(request, board_id)
        return Response({"now": timezone.now().isoformat(), "you": you, **replay(board, session)})
