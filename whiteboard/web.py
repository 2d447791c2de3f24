"""The web tier's server process: a gunicorn worker running the ASGI app under uvicorn (uvloop, httptools, websockets)."""

from __future__ import annotations

from typing import Any

from uvicorn_worker import UvicornWorker


class Worker(UvicornWorker):
    """UvicornWorker with the loop, parsers and shutdown chosen here rather than left to "auto".

    `lifespan` is off: neither Django nor Channels answers lifespan events, and uvicorn's probe
    only logs that. On shutdown uvicorn closes open WebSockets with 1012 (service restart), so
    the editors reconnect elsewhere at once, and waits at most gunicorn's graceful timeout.
    """

    CONFIG_KWARGS = {"loop": "uvloop", "http": "httptools", "ws": "websockets-sansio", "lifespan": "off"}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.config.timeout_graceful_shutdown = self.cfg.graceful_timeout
