"""Pages (landing, editor) and the health endpoint."""

from __future__ import annotations

import uuid

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.csrf import ensure_csrf_cookie
from django.views.decorators.http import require_GET

from architectures.selectors import boards_owned, is_board_id
from whiteboard.health import health_report


@require_GET
@ensure_csrf_cookie
def landing(request: HttpRequest) -> HttpResponse:
    """The start page; a logged-in user also sees the boards they own."""
    mine = boards_owned(user=request.user) if request.user.is_authenticated else []
    return render(request, "landing.html", {"my_boards": mine})


@require_GET
@ensure_csrf_cookie
def board_page(request: HttpRequest, board_id: str) -> HttpResponse:
    """The editor, the same for every board id: the link's token is in the URL fragment, which the
    server never sees, so the page's script loads the board through the API (404 tells it the link
    is wrong); answering the same for every id keeps a board's existence secret."""
    if not is_board_id(board_id):
        raise Http404("No board has this address.")
    return render(request, "architectures/editor.html", {"board_id": str(uuid.UUID(board_id))})


@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    ok, report = health_report()
    if not ok:
        report["detail"] = "unavailable: " + ", ".join(report["failed"])
    return JsonResponse(report, status=200 if ok else 503)


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": "Not found.", "errors": [{"path": "", "message": f"no API at {request.path}"}]},
                            status=404)
    return render(request, "404.html", status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": "Internal server error.", "errors": []}, status=500)
    return render(request, "500.html", status=500)
