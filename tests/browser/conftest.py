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


@pytest.fixture
def site(live_server, redis_server) -> str:
    """The live server's address; boards broadcast their saves, so the suite's Redis runs too."""
    return live_server.url


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
