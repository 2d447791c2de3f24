"""Per-client rate limits on writes: a client that sends too many gets 429 with Retry-After."""

from __future__ import annotations

from django.conf import settings
from django.core.cache import caches
from rest_framework.request import Request
from rest_framework.throttling import SimpleRateThrottle

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


class WriteRateThrottle(SimpleRateThrottle):
    """Counts a client's writes (every method but GET, HEAD and OPTIONS) per minute, by IP address.

    The counts live in the server process's memory: with several server processes behind a proxy,
    each allows the rate (the limit is per process, which the README says).
    """

    scope = "writes"
    cache = caches["throttle"]

    def get_rate(self) -> str | None:
        return settings.WRITE_RATE_LIMIT or None

    def allow_request(self, request: Request, view) -> bool:
        if request.method in SAFE_METHODS or not self.rate:
            return True
        return super().allow_request(request, view)

    def get_cache_key(self, request: Request, view) -> str:
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}
