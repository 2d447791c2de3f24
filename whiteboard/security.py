"""Content Security Policy for every answer: scripts only from this site, nothing from elsewhere."""

from __future__ import annotations

from typing import Callable

from django.http import HttpRequest, HttpResponse

# Styles may be inline: the canvas library and the charts set style attributes on the elements they
# draw. Scripts may not: every page loads its code from /static/ (no inline <script>, no eval).
POLICY = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", POLICY)
        return response
