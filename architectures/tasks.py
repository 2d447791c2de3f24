"""Celery tasks of boards: thin wrappers that load rows, call plain functions and save."""

from __future__ import annotations

import os
import socket
from collections import Counter

from celery import shared_task

from architectures.selectors import board_get
from simulator.validation import validate_document


@shared_task(name="architectures.board_summary")
def board_summary(board_id: str) -> dict:
    """Check a stored board on a worker and count its parts (used by health and integration tests)."""
    board = board_get(board_id=board_id)
    document = board.document
    return {
        "board_id": str(board.pk),
        "version": board.version,
        "valid": not validate_document(document),
        "nodes": len(document.get("nodes", [])),
        "edges": len(document.get("edges", [])),
        "kinds": dict(Counter(node["kind"] for node in document.get("nodes", []))),
        "worker": f"{socket.gethostname()}:{os.getpid()}",
    }
