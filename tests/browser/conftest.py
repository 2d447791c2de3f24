"""Fixtures of the browser tests: Debian's Chromium driven by Playwright against a live server."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in the test thread; the ORM calls pytest-django
# makes there are still plain synchronous ones.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "browser: drives a real Chromium with Playwright")


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix, request) -> None:
    """A test database of this process's own when the browser tests run alone.

    Engineers run suites side by side on one machine, and the shared SQLite test file
    is created and deleted by each of them; a name per process keeps runs apart. In a
    whole-suite run the database is the suite's (set up before any browser test).
    """
    from django.conf import settings

    if not all(item.get_closest_marker("browser") for item in request.session.items):
        return
    database = settings.DATABASES["default"]
    name = database.get("TEST", {}).get("NAME")
    if database["ENGINE"].endswith("sqlite3") and name:
        database["TEST"]["NAME"] = str(Path(name).with_name(f"test_db_browser_{os.getpid()}.sqlite3"))


@pytest.fixture(scope="session")
def chromium():
    if not Path(CHROMIUM).exists():
        pytest.skip(f"no Chromium at {CHROMIUM}")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def _serve_test_database() -> None:
    """In the server's process: use the test database, through connections of its own."""
    from django.conf import settings
    from django.db import connections

    database = settings.DATABASES["default"]
    if database.get("TEST", {}).get("NAME"):
        database["NAME"] = database["TEST"]["NAME"]
    connections.close_all()
    # asgiref runs thread-sensitive sync code (the ORM in consumers) on one executor thread; if the
    # suite's async tests made it before the fork, that thread exists only in the parent and every
    # WebSocket of the server would wait on it forever. The server gets an executor of its own.
    from concurrent.futures import ThreadPoolExecutor

    from asgiref.sync import SyncToAsync

    SyncToAsync.single_thread_executor = ThreadPoolExecutor(max_workers=1)


@pytest.fixture(scope="session")
def asgi_live_server(django_db_setup, django_db_blocker, redis_server):
    """The project's ASGI application (HTTP and WebSockets) under Daphne, in a process of its own.

    pytest-django's live_server speaks WSGI only; the editor needs its WebSocket for run
    progress and live edits, as it has under `./scripts/run`.
    """
    from functools import partial

    from channels.testing.live import make_application
    from daphne.testing import DaphneProcess
    from django.conf import settings
    from django.contrib.staticfiles.handlers import ASGIStaticFilesHandler
    from django.db import connections

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "localhost", "127.0.0.1"]
    # A busy test machine can take more than Daphne's default 5 s to accept a WebSocket.
    process = DaphneProcess("localhost", partial(make_application, static_wrapper=ASGIStaticFilesHandler),
                            kwargs={"websocket_handshake_timeout": 30, "websocket_connect_timeout": 30},
                            setup=_serve_test_database)
    with django_db_blocker.unblock():  # the forked server inherits the unblocked state
        # SQLite connections must not cross a fork (the child would share their locks and WAL index).
        connections.close_all()
        process.start()
        while not process.ready.wait(timeout=1):
            if not process.is_alive():
                raise RuntimeError("the test ASGI server stopped while starting")
    yield f"http://localhost:{process.port.value}"
    process.terminate()
    process.join(timeout=10)


@pytest.fixture
def site(asgi_live_server, transactional_db) -> str:
    """The ASGI server's address; boards broadcast their saves, so the suite's Redis runs too."""
    return asgi_live_server


class ConsoleErrors(list):
    """Errors the page logged; a test may allow the ones it provokes on purpose."""

    def __init__(self) -> None:
        super().__init__()
        self.allowed: list[re.Pattern[str]] = []

    def allow(self, pattern: str) -> None:
        self.allowed.append(re.compile(pattern))

    def unexpected(self) -> list[str]:
        return [text for text in self if not any(p.search(text) for p in self.allowed)]


@pytest.fixture
def console_errors() -> ConsoleErrors:
    return ConsoleErrors()


@pytest.fixture
def page(chromium, console_errors, request):
    """A fresh 1280x800 page; the test fails if the page logs any error it did not expect."""
    size = getattr(request, "param", {"width": 1280, "height": 800})
    context = chromium.new_context(viewport=size, accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.on("console", lambda message: message.type == "error" and console_errors.append(message.text))
    page.on("pageerror", lambda error: console_errors.append(f"uncaught: {error}"))
    yield page
    context.close()
    assert not console_errors.unexpected(), f"the browser console logged errors: {console_errors.unexpected()}"


@pytest.fixture
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


@pytest.fixture
def pair(chromium, site):
    """Alice and Bob, each in a browser of their own; each fails the test if their page logged an unexpected error."""
    from tests.browser.people import Person

    people = [Person(chromium, site, "Alice"), Person(chromium, site, "Bob")]
    yield people
    for person in people:
        person.close()
