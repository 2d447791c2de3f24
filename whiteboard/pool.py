"""The threads of a server process that run requests' synchronous code (Django's ORM) off its event loop."""

from __future__ import annotations

import asyncio
import contextvars
import functools
import os
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Callable, TypeVar

from channels.db import database_sync_to_async
from django.conf import settings

T = TypeVar("T")

_pool: ThreadPoolExecutor | None = None
_pid = 0
_lock = threading.Lock()


def request_pool() -> ThreadPoolExecutor:
    """This process's pool of `WEB_THREADS` threads, shared by HTTP requests and WebSocket database work.

    Bounded, unlike asgiref's thread per request: the number of database connections a server
    process can hold at once is this number, whatever the load.
    """
    global _pool, _pid
    with _lock:
        if _pool is None or _pid != os.getpid():  # a forked child starts a pool of its own
            _pool = ThreadPoolExecutor(max_workers=settings.WEB_THREADS, thread_name_prefix="request")
            _pid = os.getpid()
        return _pool


async def in_pool(func: Callable[..., T], *args: Any) -> T:
    """Run `func(*args)` on a pool thread, in a copy of the caller's context (its own thread-locals)."""
    call = functools.partial(contextvars.copy_context().run, func, *args)
    return await asyncio.get_running_loop().run_in_executor(request_pool(), call)


def database_call(func: Callable[..., T]) -> Callable[..., Any]:
    """`database_sync_to_async(func)` on the pool instead of asgiref's one thread for every connection.

    Connections' database work then runs in parallel (the threads wait on the database, not on
    each other); what must stay in order (one board's edits) takes a lock of its own.
    """
    return database_sync_to_async(func, thread_sensitive=False, executor=request_pool())
