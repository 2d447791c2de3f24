"""REST views of simulation runs, load-curve sweeps and right-sizing."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

import simulator
from architectures import access, runs, sweeps
from architectures.access import EDIT, VIEW
from architectures.api.serializers import ErrorSerializer, validated
from architectures.models import Board, SimulationRun
from architectures.payloads import run_accepted_payload, run_payload, run_url, sweep_payload, sweep_url
from architectures.selectors import BoardNotFound, RunNotFound, SweepNotFound, board_runs, run_get, sweep_get

ERRORS = {400: ErrorSerializer, 403: ErrorSerializer, 404: ErrorSerializer, 429: ErrorSerializer}


class RunRequestSerializer(serializers.Serializer):
    seed = serializers.IntegerField(required=False, min_value=0, max_value=2**63 - 1,
                                    help_text="Same document and seed give the same results; random when omitted.")
    requests = serializers.IntegerField(required=False, min_value=1, max_value=simulator.MAX_REQUESTS,
                                        help_text="Simulate this many requests (instead of the traffic's duration).")
    duration_s = serializers.FloatField(required=False, min_value=0.001, max_value=86_400,
                                        help_text="Simulate this many seconds of traffic.")

    def validate(self, data):
        if data.get("requests") and data.get("duration_s"):
            raise serializers.ValidationError({"requests": "give either requests or duration_s, not both"})
        return data


class SweepRequestSerializer(serializers.Serializer):
    levels = serializers.JSONField(required=False, default="auto",
                                   help_text='Request rates to try, or "auto" (10% to 150% of the target rps).')
    requests = serializers.IntegerField(required=False, min_value=1_000, max_value=1_000_000,
                                        help_text="Requests simulated at each level (default 40000).")
    seed = serializers.IntegerField(required=False, min_value=0, max_value=2**63 - 1)


class RightsizeRequestSerializer(serializers.Serializer):
    target_rps = serializers.FloatField(required=False, min_value=0.001, max_value=1_000_000,
                                        help_text="Default: requirements.peak_rps, else traffic.rps.")
    p99_ms = serializers.FloatField(required=False, min_value=0.001, max_value=600_000,
                                    help_text="Default: requirements.p99_ms.")
    requests = serializers.IntegerField(required=False, min_value=1_000, max_value=1_000_000)
    seed = serializers.IntegerField(required=False, min_value=0, max_value=2**63 - 1)


def _accepted(sweep) -> Response:
    return Response(sweep_payload(sweep), status=status.HTTP_202_ACCEPTED, headers={"Location": sweep_url(sweep)})


def _checked(request: Request, board: Board, not_found: LookupError, need: str = VIEW) -> None:
    """A run or sweep is as secret as its board: without access to the board it is not found."""
    try:
        access.request_check(request, board, need=need)
    except BoardNotFound:
        raise not_found from None


def _run(request: Request, run_id: str, need: str = VIEW) -> SimulationRun:
    run = run_get(run_id=run_id)
    _checked(request, run.board, RunNotFound(run_id), need)
    return run


def client_of(request: Request) -> str:
    return request.META.get("REMOTE_ADDR", "") or "unknown"


class BoardRunsView(APIView):
    @extend_schema(request=RunRequestSerializer, responses={202: OpenApiTypes.OBJECT, **ERRORS},
                   summary="Start a simulation run of the board's current document")
    def post(self, request: Request, board_id: str) -> Response:
        board = access.request_board(request, board_id, need=EDIT)
        data = validated(RunRequestSerializer, request.data)
        run = runs.run_start(board_id=board.pk, client=client_of(request), **data)
        return Response(run_accepted_payload(run), status=status.HTTP_202_ACCEPTED, headers={"Location": run_url(run)})

    @extend_schema(responses={200: OpenApiTypes.OBJECT}, summary="The board's runs, newest first (without results)")
    def get(self, request: Request, board_id: str) -> Response:
        board = access.request_board(request, board_id)
        return Response([run_payload(run, with_results=False) for run in board_runs(board_id=board.pk)])


class RunDetailView(APIView):
    @extend_schema(responses={200: OpenApiTypes.OBJECT, 404: ErrorSerializer}, summary="A run with its results")
    def get(self, request: Request, run_id: str) -> Response:
        return Response(run_payload(_run(request, run_id)))


class RunCancelView(APIView):
    @extend_schema(request=None, responses={200: OpenApiTypes.OBJECT, 404: ErrorSerializer},
                   summary="Cancel a queued or running run")
    def post(self, request: Request, run_id: str) -> Response:
        run = _run(request, run_id, need=EDIT)
        return Response(run_payload(runs.run_cancel(run=run), with_results=False))


class BoardSweepsView(APIView):
    @extend_schema(request=SweepRequestSerializer, responses={202: OpenApiTypes.OBJECT, **ERRORS},
                   summary="Start a load curve: one run per request rate, in parallel")
    def post(self, request: Request, board_id: str) -> Response:
        board = access.request_board(request, board_id, need=EDIT)
        data = validated(SweepRequestSerializer, request.data)
        return _accepted(sweeps.sweep_start(board_id=board.pk, client=client_of(request), **data))


class BoardRightsizeView(APIView):
    @extend_schema(request=RightsizeRequestSerializer, responses={202: OpenApiTypes.OBJECT, **ERRORS},
                   summary="Find the cheapest replica counts meeting the P99 SLO at the target rate")
    def post(self, request: Request, board_id: str) -> Response:
        board = access.request_board(request, board_id, need=EDIT)
        data = validated(RightsizeRequestSerializer, request.data)
        return _accepted(sweeps.rightsize_start(board_id=board.pk, client=client_of(request), **data))


class SweepDetailView(APIView):
    @extend_schema(responses={200: OpenApiTypes.OBJECT, 404: ErrorSerializer},
                   summary="A load curve or right-sizing search: progress and result")
    def get(self, request: Request, sweep_id: str) -> Response:
        sweep = sweep_get(sweep_id=sweep_id)
        _checked(request, sweep.board, SweepNotFound(sweep_id))
        return Response(sweep_payload(sweep))
