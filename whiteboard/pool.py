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

_pools: dict[str, ThreadPoolExecutor] = {}
_pid = 0
_lock = threading.Lock()


def _pool(name: str, threads: int) -> ThreadPoolExecutor:
    global _pid
    with _lock:
        if _pid != os.getpid():  # a forked child starts pools of its own
            _pools.clear()
            _pid = os.getpid()
        if name not in _pools:
            _pools[name] = ThreadPoolExecutor(max_workers=threads, thread_name_prefix=name)
        return _pools[name]


def request_pool() -> ThreadPoolExecutor:
    """This process's pool of `WEB_THREADS` threads for HTTP requests.

    Bounded, unlike asgiref's thread per request: the number of database connections a server
    process can hold at once is bounded by its pools' threads, whatever the load.
    """
    return _pool("request", settings.WEB_THREADS)


def socket_pool() -> ThreadPoolExecutor:
    """This process's pool of `WEB_SOCKET_THREADS` threads for the WebSockets' database work.

    Apart from the HTTP requests' pool: a live edit holds its board's lock while its database
    work runs, so queued behind a busy pool's HTTP requests it kept the board's other editors
    waiting too (edit acks took twice a read's time at benchmarks/load.py's default load).
    """
    return _pool("socket", settings.WEB_SOCKET_THREADS)


async def in_pool(func: Callable[..., T], *args: Any) -> T:
    """Run `func(*args)` on a request pool thread, in a copy of the caller's context (its own thread-locals)."""
    call = functools.partial(contextvars.copy_context().run, func, *args)
    return await asyncio.get_running_loop().run_in_executor(request_pool(), call)


def database_call(func: Callable[..., T]) -> Callable[..., Any]:
    """`database_sync_to_async(func)` on the socket pool instead of asgiref's one thread for every connection.

    Connections' database work then runs in parallel (the threads wait on the database, not on
    each other); what must stay in order (one board's edits) takes a lock of its own.
    """
    return database_sync_to_async(func, thread_sensitive=False, executor=socket_pool())
