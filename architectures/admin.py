"""Admin views of boards, for operators."""

from django.contrib import admin

from architectures.models import Board, BoardVersion


@admin.register(Board)
class BoardAdmin(admin.ModelAdmin):
    list_display = ("title", "id", "version", "owner", "updated_at")
    search_fields = ("title", "id")
    readonly_fields = ("id", "created_at")


@admin.register(BoardVersion)
class BoardVersionAdmin(admin.ModelAdmin):
    list_display = ("board", "number", "created_at")
    list_select_related = ("board",)
