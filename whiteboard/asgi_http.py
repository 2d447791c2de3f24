"""Django's HTTP handling for the ASGI server in one hop to a pool thread per request, not one per middleware."""

from __future__ import annotations

from typing import Any

from django.core import signals
from django.core.handlers import base
from django.core.handlers.asgi import ASGIHandler, get_script_prefix
from django.core.exceptions import RequestAborted
from django.http import FileResponse, HttpResponseBase
from django.urls import set_script_prefix

from whiteboard.pool import in_pool


async def _replay(parts: list[bytes]):
    for part in parts:
        yield part


class PooledHTTPHandler(ASGIHandler):
    """ASGIHandler with the synchronous middleware chain run whole in one thread of `whiteboard.pool`.

    Django's async mode runs each synchronous middleware method and the view through a separate
    `sync_to_async` hand-off (about a dozen per request here), and each request in a new thread
    with a new database connection; profiled, those hand-offs were a third of a board read's CPU
    in the server. Here the request's signals, middleware, view and closing run in one pool
    thread, and the event loop only reads the body and sends the answer. Async views still work:
    Django's synchronous mode runs them with async_to_sync.
    """

    def __init__(self) -> None:
        base.BaseHandler.__init__(self)
        self.load_middleware(is_async=False)

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            raise ValueError(f"Django can only handle ASGI/HTTP connections, not {scope['type']}.")
        try:
            body_file = await self.read_body(receive)
        except RequestAborted:
            return
        try:
            response, closed = await in_pool(self._respond, scope, body_file)
            await self.send_response(response, send)
            if not closed:
                await in_pool(response.close)  # an async stream is closed once it has been sent
        finally:
            body_file.close()

    def _respond(self, scope: dict, body_file: Any) -> tuple[HttpResponseBase, bool]:
        """The whole synchronous part of a request, in the pool thread: the answer, and whether it is closed."""
        set_script_prefix(get_script_prefix(scope))
        signals.request_started.send(sender=self.__class__, scope=scope)
        request, error_response = self.create_request(scope, body_file)
        response = error_response if request is None else self.get_response(request)
        response._handler_class = self.__class__
        if isinstance(response, FileResponse):
            response.block_size = self.chunk_size
        if response.streaming:
            if response.is_async:
                return response, False
            # A file (static files): read here, in this thread, so that closing can happen here too.
            response.streaming_content = _replay(list(response.streaming_content))
        # Sends request_finished, which closes this thread's database connection as after any request.
        response.close()
        return response, True
