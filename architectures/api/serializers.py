"""Request envelopes and response shapes of the boards API (the document itself is checked by the catalog)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from architectures import access
from architectures.models import Board, BoardVersion
from simulator.catalog import MAX_TITLE_CHARS
from simulator.validation import is_storable
from simulator.casestudies import case_study_ids


def validated(serializer_class: type[serializers.Serializer], data: Any) -> dict[str, Any]:
    """The request body checked by `serializer_class`; a ValidationError (400 with paths) otherwise."""
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


@extend_schema_field(OpenApiTypes.OBJECT)
class DocumentField(serializers.JSONField):
    """A board document; its shape is served at /api/schema/board/ and checked on every write."""


class TitleField(serializers.CharField):
    """A board title: not blank, within the title limit, storable in every database."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(max_length=MAX_TITLE_CHARS, allow_blank=False, **kwargs)

    def to_internal_value(self, data: Any) -> str:
        value = super().to_internal_value(data)
        if not is_storable(value):
            raise serializers.ValidationError("contains a NUL character or an unpaired surrogate, which cannot be stored")
        return value


class BoardCreateRequestSerializer(serializers.Serializer):
    document = DocumentField(required=False, help_text="A board document; omit for a blank board.")
    title = TitleField(required=False, help_text="Title of the new board (overrides the document's).")
    template = serializers.CharField(required=False, max_length=64,
                                     help_text="Id of a case-study template to start from (GET /api/templates/).")

    def validate_template(self, value: str) -> str:
        if value not in case_study_ids():
            raise serializers.ValidationError(f"no template has the id {value!r}; GET /api/templates/ lists them")
        return value

    def validate(self, data: dict) -> dict:
        """A template stands in for the document (services.board_create copies its board)."""
        if "template" in data and "document" in data:
            raise serializers.ValidationError({"template": "give either a template or a document, not both"})
        return data


class BoardUpdateRequestSerializer(serializers.Serializer):
    version = serializers.IntegerField(min_value=1, help_text="The version this edit was made on.")
    document = DocumentField(help_text="PUT: the whole new document. PATCH: a JSON merge patch of it.")


class BoardRenameRequestSerializer(serializers.Serializer):
    title = TitleField(help_text="The board's new title.")


class BoardDuplicateRequestSerializer(serializers.Serializer):
    title = TitleField(required=False, help_text='Title of the copy; "Copy of <title>" when left out.')


class BoardSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField(help_text="The editor page of this board.")
    document = DocumentField()

    class Meta:
        model = Board
        fields = ["id", "title", "version", "document", "created_at", "updated_at", "url"]

    def get_url(self, board: Board) -> str:
        return reverse("board-page", args=[board.pk])

    def to_representation(self, board: Board) -> dict:
        """The board plus what the caller may know of its links (access.board_links).

        Context: `request` (for absolute links), `role` and `owner`. Without a role the answer
        is the creator's (edit and view links, owner): every create path (blank, document,
        template, import) answers that way without extra code.
        """
        data = super().to_representation(board)
        request = self.context.get("request")
        base_url = request.build_absolute_uri("/").rstrip("/") if request is not None else ""
        data.update(access.board_links(board, role=self.context.get("role", access.EDIT),
                                       owner=self.context.get("owner", True), base_url=base_url))
        return data


class BoardVersionSummarySerializer(serializers.ModelSerializer):
    class Meta:
        model = BoardVersion
        fields = ["number", "title", "created_at"]


class BoardVersionSerializer(serializers.ModelSerializer):
    document = DocumentField()

    class Meta:
        model = BoardVersion
        fields = ["number", "title", "created_at", "document"]


class ErrorItemSerializer(serializers.Serializer):
    path = serializers.CharField(help_text="Where the problem is, e.g. nodes[3].config.replicas.")
    message = serializers.CharField()


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()
    errors = ErrorItemSerializer(many=True)


class ConflictSerializer(ErrorSerializer):
    current_version = serializers.IntegerField()
    document = DocumentField()
