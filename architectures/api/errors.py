"""One error format for the whole API: {"detail": ..., "errors": [{"path": ..., "message": ...}]}."""

from __future__ import annotations

from typing import Any

from rest_framework import status
from rest_framework.exceptions import APIException, ValidationError
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from architectures.access import NotOwner, ReadOnlyAccess
from architectures.runs import InvalidRunRequest, TooManyRuns
from architectures.selectors import BoardNotFound, RunNotFound, SweepNotFound, VersionNotFound
from architectures.services import VersionConflict
from simulator.validation import BoardValidationError


def flatten(detail: Any, path: str = "") -> list[dict[str, str]]:
    """DRF's nested error detail as a flat list of located messages."""
    if isinstance(detail, dict):
        errors: list[dict[str, str]] = []
        for key, value in detail.items():
            key = "" if key == "non_field_errors" else str(key)
            errors += flatten(value, f"{path}.{key}" if path and key else path or key)
        return errors
    if isinstance(detail, list):
        if all(not isinstance(item, (dict, list)) for item in detail):
            return [{"path": path, "message": str(item)} for item in detail]
        errors = []
        for index, item in enumerate(detail):
            errors += flatten(item, f"{path}[{index}]")
        return errors
    return [{"path": path, "message": str(detail)}]


def error_response(status_code: int, detail: str, errors: list[dict[str, str]] | None = None,
                   **extra: Any) -> Response:
    return Response({"detail": detail, "errors": errors or [], **extra}, status=status_code)


def exception_handler(exc: Exception, context: dict) -> Response | None:
    if isinstance(exc, BoardValidationError):
        return error_response(400, "The board document is invalid.", exc.to_list())
    if isinstance(exc, VersionConflict):
        board = exc.board
        return error_response(
            status.HTTP_409_CONFLICT,
            f"The board was saved by someone else: it is at version {board.version}. "
            "Merge your changes into the current document and save again with that version.",
            [{"path": "version", "message": f"is stale: the current version is {board.version}"}],
            current_version=board.version, document=board.document)
    if isinstance(exc, ReadOnlyAccess):
        return error_response(403, "This link can only view the board.",
                              [{"path": "", "message": "a view link cannot change the board or start runs"}])
    if isinstance(exc, NotOwner):
        return error_response(403, "Only the board's owner can do this.",
                              [{"path": "", "message": "regenerating a link needs the board's owner"}])
    if isinstance(exc, BoardNotFound):
        return error_response(404, "Board not found.")
    if isinstance(exc, (RunNotFound, SweepNotFound)):
        return error_response(404, "Run not found." if isinstance(exc, RunNotFound) else "Sweep not found.")
    if isinstance(exc, InvalidRunRequest):
        return error_response(400, "The run request is invalid.", [{"path": exc.path, "message": str(exc)}])
    if isinstance(exc, TooManyRuns):
        response = error_response(
            429, f"You already have {exc.active} runs queued or running; wait for one to finish.",
            [{"path": "", "message": "too many active runs"}])
        response["Retry-After"] = str(exc.retry_after_s)
        return response
    if isinstance(exc, VersionNotFound):
        return error_response(404, f"This board has no version {exc.args[0]}.")
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, ValidationError):
        response.data = {"detail": "The request is invalid.", "errors": flatten(exc.detail)}
    elif isinstance(exc, APIException):
        message = str(exc.detail)
        response.data = {"detail": message, "errors": [{"path": "", "message": message}]}
    return response
