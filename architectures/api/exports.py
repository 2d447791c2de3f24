"""Export and import views: PNG, diagram-as-code, JSON, the design report, and import of a document."""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from architectures import access, services
from architectures.api.errors import error_response
from architectures.api.serializers import BoardSerializer, ErrorSerializer
from architectures.export.code import diagram_script, file_stem
from architectures.export.png import DEFAULT_TIMEOUT_S, ExportFailed, render_png
from architectures.export.report import Report, build_report, report_markdown
from architectures.interview_scorecard import report_scorecard
from architectures.models import Board
from architectures.selectors import BoardNotFound, board_latest_succeeded_run, is_board_id


class AnyAccept(BaseContentNegotiation):
    """Files are answered whatever the Accept header says; errors still come as JSON."""

    def select_renderer(self, request: Request, renderers: list, format_suffix: str | None = None) -> tuple:
        return renderers[0], renderers[0].media_type

    def select_parser(self, request: Request, parsers: list) -> Any:
        return parsers[0]


def _file(content: bytes | str, content_type: str, filename: str, disposition: str = "attachment") -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    return response


class ExportView(APIView):
    """Base of the read-only exports: any role on the board (edit or view) may download them."""

    content_negotiation_class = AnyAccept


class BoardExportPngView(ExportView):
    """The board drawn as a PNG by diagrams and Graphviz; 503 when drawing fails or times out."""

    @extend_schema(operation_id="board_export_png",
                   responses={(200, "image/png"): OpenApiTypes.BINARY, 404: ErrorSerializer, 503: ErrorSerializer},
                   summary="The board drawn as a PNG (diagrams and Graphviz)")
    def get(self, request: Request, board_id: str) -> HttpResponse:
        board = access.request_board(request, board_id)
        try:
            png = render_png(board.document, timeout_s=getattr(settings, "EXPORT_TIMEOUT_S", DEFAULT_TIMEOUT_S))
        except ExportFailed as exc:
            return error_response(status.HTTP_503_SERVICE_UNAVAILABLE, f"The picture could not be drawn: {exc}")
        return _file(png, "image/png", f"{file_stem(board.title)}.png", disposition="inline")


class BoardExportCodeView(ExportView):
    """Diagram-as-code: a Python script that draws the board with diagrams."""

    @extend_schema(operation_id="board_export_py",
                   responses={(200, "text/x-python"): OpenApiTypes.STR, 404: ErrorSerializer},
                   summary="A Python script using diagrams that draws the board")
    def get(self, request: Request, board_id: str) -> HttpResponse:
        board = access.request_board(request, board_id)
        stem = file_stem(board.title)
        return _file(diagram_script(board.document), "text/x-python; charset=utf-8", f"{stem}.py")


class BoardExportJsonView(ExportView):
    """The board document as a JSON file."""

    @extend_schema(operation_id="board_export_json", responses={200: OpenApiTypes.OBJECT, 404: ErrorSerializer},
                   summary="The board document as a JSON file (import it with POST /api/boards/import/)")
    def get(self, request: Request, board_id: str) -> HttpResponse:
        board = access.request_board(request, board_id)
        body = json.dumps(board.document, indent=2, ensure_ascii=False)
        return _file(body, "application/json; charset=utf-8", f"{file_stem(board.title)}.json")


class BoardImportView(APIView):
    """A new board from an exported document, validated like any other write."""

    @extend_schema(operation_id="board_import", request=OpenApiTypes.OBJECT,
                   responses={201: BoardSerializer, 400: ErrorSerializer},
                   summary="Create a board from an exported document (the document itself, or {\"document\": ...})")
    def post(self, request: Request) -> Response:
        board = services.board_import(data=request.data, owner=access.creator(request))
        return Response(BoardSerializer(board, context={"request": request}).data, status=status.HTTP_201_CREATED,
                        headers={"Location": reverse("board-detail", args=[board.pk])})


def _report(request: HttpRequest, board: Board) -> Report:
    run = board_latest_succeeded_run(board_id=board.pk)
    note = ""
    if run is not None:
        note = (f"Run {run.id} of version {run.board_version} (seed {run.seed}), "
                f"finished {run.finished_at:%Y-%m-%d %H:%M} UTC.")
    image_url = request.build_absolute_uri(reverse("board-export-png", args=[board.pk]))
    return build_report(board.document, image_url=image_url, results=run.results if run else None,
                        run_note=note, subtitle=f"Design report, board version {board.version}",
                        scorecard=report_scorecard(board),
                        run_version=run.board_version if run else None, board_version=board.version)


class BoardReportMarkdownView(ExportView):
    """The design report in Markdown."""

    @extend_schema(operation_id="board_report_md",
                   responses={(200, "text/markdown"): OpenApiTypes.STR, 404: ErrorSerializer},
                   summary="The design report in Markdown: requirements, notes, diagram, latest run")
    def get(self, request: Request, board_id: str) -> HttpResponse:
        board = access.request_board(request, board_id)
        return _file(report_markdown(_report(request, board)), "text/markdown; charset=utf-8",
                     f"{file_stem(board.title)}_report.md", disposition="inline")


@require_GET
def board_report_page(request: HttpRequest, board_id: str) -> HttpResponse:
    """The design report as a page to read and print.

    A page load cannot carry the X-Board-Token header and the link's token stays in the URL
    fragment, so without a session owner the page is a shell whose script fetches this same
    address again with the header. Every UUID gets the same shell: existence is not revealed.
    """
    try:
        board = access.request_board(request, board_id)
    except BoardNotFound:
        if access.request_token(request) or not is_board_id(board_id):
            raise Http404("No board has this address.") from None
        return render(request, "architectures/report.html", {"board_id": board_id, "shell": True})
    return render(request, "architectures/report.html",
                  {"board_id": str(board.pk), "board": board, "report": _report(request, board)})
