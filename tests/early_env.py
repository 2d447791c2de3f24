"""Loaded before Django settings: points the suite at its own Redis on a free loopback port."""

from __future__ import annotations

import os
import socket


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# The test Redis is started lazily by the redis_server fixture on this port; nothing the suite
# does can reach a Redis that a developer runs for the app itself.
os.environ["REDIS_URL"] = f"redis://127.0.0.1:{free_port()}/0"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "whiteboard.settings")
