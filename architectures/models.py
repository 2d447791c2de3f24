"""Boards and the version kept for every successful save."""

from __future__ import annotations

import secrets
import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone


def new_board_token() -> str:
    """A link secret: 32 random bytes (256 bits), URL-safe."""
    return secrets.token_urlsafe(32)


class Board(models.Model):
    """One whiteboard: its current board document, its version number and its two link tokens."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    title = models.CharField(max_length=200)
    document = models.JSONField()
    version = models.PositiveIntegerField(default=1)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="boards")
    # Secrets of the edit link and the view link (see architectures/access.py); regenerating one revokes it.
    edit_token = models.CharField(max_length=64, default=new_board_token, editable=False)
    view_token = models.CharField(max_length=64, default=new_board_token, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-updated_at"]

    def __str__(self) -> str:
        return f"{self.title} ({self.id})"


class BoardVersion(models.Model):
    """The document as it was after save number `number` of its board."""

    board = models.ForeignKey(Board, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    title = models.CharField(max_length=200, default="")
    document = models.JSONField()
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    # Kept by live edits (architectures/live_edits.py), which update it in place for its first minute.
    live = models.BooleanField(default=False)

    class Meta:
        ordering = ["-number"]
        constraints = [models.UniqueConstraint(fields=["board", "number"], name="unique_board_version")]

    def __str__(self) -> str:
        return f"{self.board_id} v{self.number}"


class Sweep(models.Model):
    """A set of runs answering one question: a load curve, or the cheapest setup meeting the SLO."""

    LOAD_CURVE = "load_curve"
    RIGHTSIZE = "rightsize"
    KINDS = [(LOAD_CURVE, "Load curve"), (RIGHTSIZE, "Right-sizing")]
    RUNNING, SUCCEEDED, FAILED = "running", "succeeded", "failed"
    STATUSES = [(RUNNING, "Running"), (SUCCEEDED, "Succeeded"), (FAILED, "Failed")]

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    board = models.ForeignKey(Board, on_delete=models.CASCADE, related_name="sweeps")
    kind = models.CharField(max_length=20, choices=KINDS)
    status = models.CharField(max_length=20, choices=STATUSES, default=RUNNING)
    params = models.JSONField(default=dict)
    result = models.JSONField(null=True, blank=True)
    error = models.TextField(blank=True, default="")
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]


class SimulationRun(models.Model):
    """One simulation of a snapshot of a board's document, run by a Celery worker."""

    QUEUED, RUNNING, SUCCEEDED, FAILED, CANCELLED = "queued", "running", "succeeded", "failed", "cancelled"
    STATUSES = [(QUEUED, "Queued"), (RUNNING, "Running"), (SUCCEEDED, "Succeeded"),
                (FAILED, "Failed"), (CANCELLED, "Cancelled")]
    ACTIVE = (QUEUED, RUNNING)

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    board = models.ForeignKey(Board, on_delete=models.CASCADE, related_name="runs")
    sweep = models.ForeignKey(Sweep, null=True, blank=True, on_delete=models.CASCADE, related_name="runs")
    board_version = models.PositiveIntegerField()
    document = models.JSONField(help_text="The exact document this run simulated.")
    seed = models.BigIntegerField()
    requests = models.PositiveIntegerField(null=True, blank=True)
    duration_s = models.FloatField(null=True, blank=True)
    label = models.CharField(max_length=200, blank=True, default="")
    status = models.CharField(max_length=20, choices=STATUSES, default=QUEUED, db_index=True)
    progress = models.FloatField(default=0.0)
    results = models.JSONField(null=True, blank=True)
    error = models.TextField(blank=True, default="")
    client = models.CharField(max_length=64, blank=True, default="", db_index=True)
    task_id = models.CharField(max_length=64, blank=True, default="")
    queued_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-queued_at"]
        indexes = [models.Index(fields=["board", "-queued_at"])]

    def __str__(self) -> str:
        return f"run {self.id} of {self.board_id} ({self.status})"

    @property
    def finished(self) -> bool:
        return self.status not in self.ACTIVE


# Kept in their own module; imported here so that Django finds them with the app's other models.
from architectures.interview_models import InterviewEvent, InterviewSession  # noqa: E402,F401
