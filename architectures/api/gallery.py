"""The case-study template gallery: the list of templates and each one's thumbnail."""

from __future__ import annotations

import asyncio

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import reverse
from django.views.decorators.http import require_GET
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from architectures.export.png import ExportFailed
from architectures.thumbnails import template_thumbnail, thumbnail_key
from simulator.casestudies import CaseStudyNotFound, all_case_studies, get_case_study


class TemplateListView(APIView):
    @extend_schema(responses={200: OpenApiTypes.OBJECT},
                   summary="Case-study templates: id, title, one-line description, requirements, thumbnail")
    def get(self, request: Request) -> Response:
        return Response({"templates": [
            # The key in the address changes with the picture, so browsers may keep it for good.
            {**template.summary(),
             "thumbnail_url": f"{reverse('template-thumbnail', args=[template.id])}?v={thumbnail_key(template)}"}
            for template in all_case_studies()]})


def _error(status: int, detail: str, message: str) -> JsonResponse:
    return JsonResponse({"detail": detail, "errors": [{"path": "template", "message": message}]}, status=status)


@require_GET
async def template_thumbnail_view(request: HttpRequest, template_id: str) -> HttpResponse:
    """The template's board drawn by the PNG export; drawn off the event loop, cached on disk."""
    try:
        template = get_case_study(template_id)
    except CaseStudyNotFound:
        return _error(404, "Template not found.", f"no template has the id {template_id!r}")
    try:
        png = await asyncio.to_thread(template_thumbnail, template)
    except ExportFailed as exc:
        return _error(503, "The thumbnail could not be drawn.", str(exc))
    response = HttpResponse(png, content_type="image/png")
    # Listed addresses carry the picture's key (?v=...); a bare address may change under the browser.
    current = request.GET.get("v") == thumbnail_key(template)
    response["Cache-Control"] = "public, max-age=31536000, immutable" if current else "public, max-age=300"
    return response
