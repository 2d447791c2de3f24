"""Pages (landing, editor) and the health endpoint."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from architectures.selectors import BoardNotFound, board_get
from whiteboard.health import health_report


@require_GET
def landing(request: HttpRequest) -> HttpResponse:
    return render(request, "landing.html")


@require_GET
def board_page(request: HttpRequest, board_id: str) -> HttpResponse:
    try:
        board = board_get(board_id=board_id)
    except BoardNotFound:
        raise Http404("No board has this address.") from None
    return render(request, "architectures/editor.html", {"board_id": str(board.pk), "board": board})


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
