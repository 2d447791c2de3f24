"""Who may do what with a board: its edit and view link tokens, and the account that owns it.

The rule, in one place for the API, the pages and the WebSocket:

- a request presents a board's token in the `X-Board-Token` header (a WebSocket as the
  subprotocol `token.<token>`); a logged-in user who owns the board needs no token;
- the edit token (or ownership) gives the role "edit", the view token the role "view";
- without either the board answers 404, so nobody learns that it exists;
- a view role may read the board, its versions, runs and exports; any write answers 403;
- the owner may regenerate a token, which revokes the old link at once. The owner is the
  account that created the board, or, for a board made without an account, whoever holds
  its edit link (there is nobody else to ask).
"""

from __future__ import annotations

import hmac
import uuid
from typing import Any

from django.db import transaction

from architectures.broadcast import board_group_send
from architectures.models import Board, new_board_token
from architectures.selectors import BoardNotFound, board_get, board_get_for_access, board_get_for_write

EDIT, VIEW = "edit", "view"
ROLES = (EDIT, VIEW)
HEADER = "X-Board-Token"
SUBPROTOCOL = "board"
TOKEN_PREFIX = "token."


class ReadOnlyAccess(PermissionError):
    """The caller may read the board but not change it (a view link)."""


class NotOwner(PermissionError):
    """Only the board's owner may do this (regenerate a link)."""


def _matches(token: str, secret: str) -> bool:
    # Constant time, so the time a wrong token takes says nothing about the right one.
    return hmac.compare_digest(token.encode(), secret.encode())


def token_role(board: Board, token: str | None) -> str | None:
    """The role a token gives on this board, or None."""
    if not token:
        return None
    is_edit = _matches(token, board.edit_token)
    is_view = _matches(token, board.view_token)
    return EDIT if is_edit else VIEW if is_view else None


def owns(board: Board, user: Any) -> bool:
    """The user is logged in and the board's account owner."""
    if board.owner_id is None or not getattr(user, "is_authenticated", False):
        return False
    return board.owner_id == user.pk


def board_role(board: Board, *, token: str | None, user: Any = None) -> str | None:
    if owns(board, user):
        return EDIT
    return token_role(board, token)


def is_owner(board: Board, *, token: str | None, user: Any = None) -> bool:
    """May regenerate the board's links: its account, or the edit link of a board without one."""
    if board.owner_id is not None:
        return owns(board, user)
    return token_role(board, token) == EDIT


def check_role(board: Board, *, token: str | None, user: Any = None, need: str = VIEW) -> str:
    """The caller's role; BoardNotFound without one, ReadOnlyAccess when `need` is edit and it is view."""
    role = board_role(board, token=token, user=user)
    if role is None:
        raise BoardNotFound(board.pk)
    if need == EDIT and role != EDIT:
        raise ReadOnlyAccess(role)
    return role


def board_access(*, board_id: str | uuid.UUID, token: str | None, user: Any = None,
                 need: str = VIEW, with_document: bool = True) -> tuple[Board, str]:
    """The board and the caller's role, checked against `need` (see check_role).

    Without `with_document` the document is not loaded (a save replaces it anyway).
    """
    board = board_get(board_id=board_id) if with_document else board_get_for_write(board_id=board_id)
    return board, check_role(board, token=token, user=user, need=need)


# ---- HTTP requests ----

def request_token(request: Any) -> str:
    return request.headers.get(HEADER, "")


def request_board(request: Any, board_id: str | uuid.UUID, *, need: str = VIEW, with_document: bool = True) -> Board:
    """The board of an API request or page, if the request may `need` it (see board_access)."""
    board, _ = board_access(board_id=board_id, token=request_token(request), user=getattr(request, "user", None),
                            need=need, with_document=with_document)
    return board


def request_owned_board(request: Any, board_id: str | uuid.UUID) -> Board:
    """The board of a request by its owner (see is_owner); NotOwner for any other editor."""
    board = request_board(request, board_id, need=EDIT)
    if not is_owner(board, token=request_token(request), user=getattr(request, "user", None)):
        raise NotOwner()
    return board


def request_check(request: Any, board: Board, *, need: str = VIEW) -> str:
    """The request's role on a board it reached through a run or a sweep."""
    return check_role(board, token=request_token(request), user=getattr(request, "user", None), need=need)


def creator(request: Any) -> Any:
    """The account a new board belongs to: the logged-in user, or None."""
    user = getattr(request, "user", None)
    return user if getattr(user, "is_authenticated", False) else None


def board_links(board: Board, *, role: str | None, owner: bool, base_url: str = "") -> dict[str, Any]:
    """What the caller may know of the board's links: the view link for any role, the edit link for editors."""
    page = f"{base_url}/b/{board.pk}/#token="
    links: dict[str, Any] = {"role": role, "owner": owner}
    if role in ROLES:
        links.update(view_token=board.view_token, view_url=page + board.view_token)
    if role == EDIT:
        links.update(edit_token=board.edit_token, edit_url=page + board.edit_token)
    return links


# ---- WebSockets ----

def socket_token(scope: dict) -> str:
    """The token a WebSocket offered as its `token.<token>` subprotocol."""
    for protocol in scope.get("subprotocols") or []:
        if protocol.startswith(TOKEN_PREFIX):
            return protocol[len(TOKEN_PREFIX):]
    return ""


def socket_access(scope: dict, board_id: str) -> tuple[Board, str, str | None] | None:
    """(board, role, the role of the token used or None for the owner's session), or None: refuse."""
    token, user = socket_token(scope), scope.get("user")
    try:
        board = board_get_for_access(board_id=board_id)
    except BoardNotFound:
        return None
    if owns(board, user):
        return board, EDIT, None
    role = token_role(board, token)
    return (board, role, role) if role else None


def socket_still_valid(board_id: Any, token: str, role: str) -> bool:
    """After a revocation: does the token a connection used still give it its role?"""
    try:
        return token_role(board_get_for_access(board_id=board_id), token) == role
    except BoardNotFound:
        return False


# ---- regenerating a link ----

@transaction.atomic
def token_regenerate(*, board: Board, role: str) -> Board:
    """A new secret for the edit or view link; the old link stops working now, open sockets on it close."""
    if role not in ROLES:
        raise ValueError(f"role must be one of {ROLES}")
    field = f"{role}_token"
    setattr(board, field, new_board_token())
    board.save(update_fields=[field])
    board_id = board.pk
    transaction.on_commit(lambda: board_group_send(board_id, {"type": "board.revoke", "role": role}))
    return board
