"""Test clients that hold a board's link the way its creator's browser does."""

from __future__ import annotations

import re
from typing import Any

from rest_framework.test import APIClient

from architectures.access import HEADER, SUBPROTOCOL, TOKEN_PREFIX

TOKEN_META = "HTTP_" + HEADER.upper().replace("-", "_")
_UUID = r"([0-9a-fA-F-]{36})"
BOARD_PATH = re.compile(rf"^/(?:api/boards|b)/{_UUID}/")
RUN_PATH = re.compile(rf"^/api/runs/{_UUID}/")
SWEEP_PATH = re.compile(rf"^/api/sweeps/{_UUID}/")
CREATE_PATHS = {"/api/boards/", "/api/boards/import/"}


def board_of_path(path: str) -> str | None:
    """The id of the board a request is about: in its path, or the board of the run or sweep it names."""
    from architectures.models import SimulationRun, Sweep

    path = path.split("?", 1)[0]
    if match := BOARD_PATH.match(path):
        return match.group(1)
    for pattern, model in ((RUN_PATH, SimulationRun), (SWEEP_PATH, Sweep)):
        if match := pattern.match(path):
            board_id = model.objects.filter(pk=match.group(1)).values_list("board_id", flat=True).first()
            return str(board_id) if board_id else None
    return None


def edit_token(board_id: Any) -> str:
    """The board's current edit token, read from the database (for boards made by services or other clients)."""
    from architectures.models import Board

    return Board.objects.filter(pk=board_id).values_list("edit_token", flat=True).first() or ""


def socket_protocols(token: str) -> list[str]:
    """The subprotocols a browser offers to open a board's WebSocket with a link's token."""
    return [SUBPROTOCOL, TOKEN_PREFIX + token]


class BoardTokenClient(APIClient):
    """An API client that holds the edit link of the boards it uses.

    It remembers the tokens of the boards it creates (the create and import answers carry
    them) and, for boards made elsewhere (services, the ORM), reads the edit token from the
    database; every request about a board, its runs or its sweeps then carries X-Board-Token.
    A request that sets the header itself (even to "") is sent as it is.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.tokens: dict[str, str] = {}

    def generic(self, method: str, path: str, *args: Any, **extra: Any):
        if TOKEN_META not in extra:
            board_id = board_of_path(path)
            token = board_id and (self.tokens.get(board_id) or edit_token(board_id))
            if token:
                extra[TOKEN_META] = token
        response = super().generic(method, path, *args, **extra)
        if method == "POST" and path.split("?", 1)[0] in CREATE_PATHS and response.status_code == 201:
            body = response.json()
            self.tokens[body["id"]] = body["edit_token"]
        return response
