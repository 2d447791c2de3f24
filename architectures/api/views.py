"""REST views of boards, versions and the component catalog: validate, call one service, serialize."""

from __future__ import annotations

from functools import lru_cache

from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from architectures import access, services
from architectures.api.serializers import (
    BoardCreateRequestSerializer,
    BoardDuplicateRequestSerializer,
    BoardRenameRequestSerializer,
    BoardSerializer,
    BoardUpdateRequestSerializer,
    BoardVersionSerializer,
    BoardVersionSummarySerializer,
    ConflictSerializer,
    ErrorSerializer,
    validated,
)
from architectures.access import EDIT
from architectures.selectors import board_version_get, board_versions
from simulator.catalog import KINDS, catalog_dict
from simulator.schema import board_json_schema

ERRORS = {400: ErrorSerializer, 403: ErrorSerializer, 404: ErrorSerializer, 413: ErrorSerializer}


def board_answer(request: Request, board, role: str = EDIT, **kwargs) -> Response:
    """The board as this caller may see it: its role, and the links that role may know."""
    owner = access.is_owner(board, token=access.request_token(request), user=request.user)
    return Response(BoardSerializer(board, context={"request": request, "role": role, "owner": owner}).data,
                    **kwargs)


def created_answer(request: Request, board) -> Response:
    """201 with a new board as its creator sees it: both links, owner."""
    return Response(BoardSerializer(board, context={"request": request}).data, status=status.HTTP_201_CREATED,
                    headers={"Location": reverse("board-detail", args=[board.pk])})


class BoardCreateView(APIView):
    @extend_schema(request=BoardCreateRequestSerializer, responses={201: BoardSerializer, **ERRORS},
                   summary="Create a board (blank, or from a document)")
    def post(self, request: Request) -> Response:
        data = validated(BoardCreateRequestSerializer, request.data)
        board = services.board_create(document=data.get("document"), title=data.get("title"),
                                      case_study=data.get("template"), owner=access.creator(request))
        return created_answer(request, board)


class BoardDetailView(APIView):
    @extend_schema(responses={200: BoardSerializer, 404: ErrorSerializer}, summary="Read a board")
    def get(self, request: Request, board_id: str) -> Response:
        board, role = access.board_access(board_id=board_id, token=access.request_token(request), user=request.user)
        return board_answer(request, board, role)

    @extend_schema(request=BoardUpdateRequestSerializer,
                   responses={200: BoardSerializer, 409: ConflictSerializer, **ERRORS},
                   summary="Replace a board's document (optimistic concurrency on version)")
    def put(self, request: Request, board_id: str) -> Response:
        board = access.request_board(request, board_id, need=EDIT, with_document=False)
        data = validated(BoardUpdateRequestSerializer, request.data)
        board = services.board_update(board_id=board.pk, expected_version=data["version"], document=data["document"],
                                      board=board)
        return board_answer(request, board)

    @extend_schema(request=BoardUpdateRequestSerializer,
                   responses={200: BoardSerializer, 409: ConflictSerializer, **ERRORS},
                   summary="Change part of a board's document (JSON merge patch)")
    def patch(self, request: Request, board_id: str) -> Response:
        board = access.request_board(request, board_id, need=EDIT)
        data = validated(BoardUpdateRequestSerializer, request.data)
        board = services.board_patch(board_id=board.pk, expected_version=data["version"], patch=data["document"])
        return board_answer(request, board)

    @extend_schema(responses={204: None, 404: ErrorSerializer}, summary="Delete a board and its history")
    def delete(self, request: Request, board_id: str) -> Response:
        services.board_delete(board_id=access.request_board(request, board_id, need=EDIT).pk)
        return Response(status=status.HTTP_204_NO_CONTENT)


class BoardRenameView(APIView):
    @extend_schema(request=BoardRenameRequestSerializer,
                   responses={200: BoardSerializer, 409: ConflictSerializer, **ERRORS},
                   summary="Rename a board (a new version on top of the current one; needs the edit link)")
    def post(self, request: Request, board_id: str) -> Response:
        board = access.request_board(request, board_id, need=EDIT, with_document=False)
        title = validated(BoardRenameRequestSerializer, request.data)["title"]
        return board_answer(request, services.board_rename(board_id=board.pk, title=title))


class BoardDuplicateView(APIView):
    @extend_schema(request=BoardDuplicateRequestSerializer, responses={201: BoardSerializer, **ERRORS},
                   summary="Copy a board's current document into a new board of the caller's, with links of its own")
    def post(self, request: Request, board_id: str) -> Response:
        # Reading is enough: a view link may already export the document and import it.
        board = access.request_board(request, board_id)
        data = validated(BoardDuplicateRequestSerializer, request.data)
        copy = services.board_duplicate(board=board, owner=access.creator(request), title=data.get("title"))
        return created_answer(request, copy)


class BoardVersionListView(APIView):
    @extend_schema(responses={200: BoardVersionSummarySerializer(many=True), 404: ErrorSerializer},
                   summary="List a board's saved versions, newest first")
    def get(self, request: Request, board_id: str) -> Response:
        board = access.request_board(request, board_id)
        return Response(BoardVersionSummarySerializer(board_versions(board=board), many=True).data)


class BoardVersionDetailView(APIView):
    @extend_schema(responses={200: BoardVersionSerializer, 404: ErrorSerializer}, summary="Read one saved version")
    def get(self, request: Request, board_id: str, number: int) -> Response:
        version = board_version_get(board=access.request_board(request, board_id), number=number)
        return Response(BoardVersionSerializer(version).data)


class BoardVersionRestoreView(APIView):
    @extend_schema(request=None, responses={200: BoardSerializer, 409: ConflictSerializer, **ERRORS},
                   summary="Restore a saved version as the board's newest version")
    def post(self, request: Request, board_id: str, number: int) -> Response:
        board = access.request_board(request, board_id, need=EDIT)
        return board_answer(request, services.board_restore(board_id=board.pk, number=number))


class TokenRegenerateRequestSerializer(serializers.Serializer):
    role = serializers.ChoiceField(choices=access.ROLES, help_text="Which link to replace: edit or view.")


class BoardTokenRegenerateView(APIView):
    @extend_schema(request=TokenRegenerateRequestSerializer, responses={200: BoardSerializer, **ERRORS},
                   summary="Replace the edit or view link's token (owner only); the old link stops working at once")
    def post(self, request: Request, board_id: str) -> Response:
        board = access.request_owned_board(request, board_id)
        role = validated(TokenRegenerateRequestSerializer, request.data)["role"]
        board = access.token_regenerate(board=board, role=role)
        # The owner who used the edit link to regenerate it must receive the new one.
        return Response(BoardSerializer(board, context={"request": request, "role": EDIT, "owner": True}).data)


# Built once per set of registered kinds: registering or removing a kind (tests do) rebuilds them.
@lru_cache(maxsize=4)
def _catalog(kinds: tuple[str, ...]) -> dict:
    return catalog_dict()


@lru_cache(maxsize=4)
def _board_schema(kinds: tuple[str, ...]) -> dict:
    return board_json_schema()


class ComponentKindsView(APIView):
    @extend_schema(responses={200: OpenApiTypes.OBJECT},
                   summary="The catalog of component kinds: fields, units, defaults, ranges and help")
    def get(self, request: Request) -> Response:
        return Response(_catalog(tuple(KINDS)))


class BoardSchemaView(APIView):
    @extend_schema(responses={200: OpenApiTypes.OBJECT}, summary="JSON Schema of the board document")
    def get(self, request: Request) -> Response:
        return Response(_board_schema(tuple(KINDS)))
