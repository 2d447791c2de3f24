"""Mock-interview sessions of a board and their timeline of events (see architectures/interview.py)."""

from __future__ import annotations

import uuid

from django.db import models
from django.utils import timezone

from architectures.models import Board


class InterviewSession(models.Model):
    """One mock interview on a board: its server-owned clock, current step, curveball deck and ratings."""

    ACTIVE, ENDED = "active", "ended"
    STATUSES = [(ACTIVE, "Active"), (ENDED, "Ended")]

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    board = models.ForeignKey(Board, on_delete=models.CASCADE, related_name="interviews")
    status = models.CharField(max_length=10, choices=STATUSES, default=ACTIVE)
    template = models.CharField(max_length=64, blank=True, default="")
    # SHA-256 of the interviewer's key: everyone with the edit link shares a token, so the key is
    # what tells the interviewer from the candidates; only its hash is kept.
    key_hash = models.CharField(max_length=64)
    started_at = models.DateTimeField(default=timezone.now)
    ended_at = models.DateTimeField(null=True, blank=True)
    paused_at = models.DateTimeField(null=True, blank=True)
    paused_total_s = models.FloatField(default=0.0)
    step = models.CharField(max_length=20)
    # {step: [started_s, ended_s or None]} in interview seconds (pauses excluded).
    step_times = models.JSONField(default=dict)
    # The curveball cards, played or not, with the ops that undo each played one.
    deck = models.JSONField(default=list)
    ratings = models.JSONField(default=dict)

    class Meta:
        ordering = ["-started_at"]
        constraints = [models.UniqueConstraint(fields=["board"], condition=models.Q(status="active"),
                                               name="one_active_interview_per_board")]

    def __str__(self) -> str:
        return f"interview {self.id} of {self.board_id} ({self.status})"


class InterviewEvent(models.Model):
    """One entry of a session's timeline: start, pause, resume, step, curveball.play/undo, end."""

    session = models.ForeignKey(InterviewSession, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=20)
    at = models.DateTimeField(default=timezone.now)
    elapsed_s = models.FloatField()
    step = models.CharField(max_length=20)
    board_version = models.PositiveIntegerField()
    # The board's document at the event, for the replay (see architectures/interview_replay.py).
    document = models.JSONField(null=True, blank=True)
    data = models.JSONField(default=dict)

    class Meta:
        ordering = ["id"]
