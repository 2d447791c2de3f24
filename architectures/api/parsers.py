"""A JSON parser that refuses bodies over the configured size before reading them whole."""

from __future__ import annotations

import json

from django.conf import settings
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser


class BodyTooLarge(ParseError):
    status_code = 413
    default_detail = "Request body is too large."
    default_code = "body_too_large"


class LimitedJSONParser(JSONParser):
    """JSONParser with a size limit and messages that say what is wrong with the body."""

    def parse(self, stream, media_type=None, parser_context=None):
        limit = settings.MAX_REQUEST_BODY_BYTES
        request = (parser_context or {}).get("request")
        declared = request.META.get("CONTENT_LENGTH") if request is not None else None
        if declared and declared.isdigit() and int(declared) > limit:
            raise BodyTooLarge(f"request body is {int(declared)} bytes; at most {limit} are allowed")
        raw = stream.read(limit + 1) if stream is not None else b""
        if len(raw) > limit:
            raise BodyTooLarge(f"request body is larger than {limit} bytes")
        if not raw.strip():
            return {}
        try:
            return json.loads(raw.decode("utf-8"), parse_constant=_reject_constant)
        except UnicodeDecodeError:
            raise ParseError("request body is not UTF-8 text") from None
        except (ValueError, RecursionError) as error:
            raise ParseError(f"request body is not valid JSON: {error}") from None


def _reject_constant(name: str) -> None:
    raise ValueError(f"{name} is not allowed in JSON")
