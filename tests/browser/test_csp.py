"""The Content Security Policy leaves every page working: a violation is a console error, which fails a test."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_api_docs_render_under_the_policy(page, site):
    response = page.goto(site + "/api/docs/")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    expect(page.locator(".swagger-ui .info .title")).to_be_visible(timeout=20_000)
    expect(page.locator(".opblock-tag", has_text="boards").first).to_be_visible()


def test_inline_script_is_refused_by_the_policy(page, site, console_errors):
    """The policy is really enforced: a script injected into the page does not run."""
    console_errors.allow("Content Security Policy")
    page.goto(site + "/")
    page.evaluate("""() => {
        const script = document.createElement("script");
        script.textContent = "window.injected = true";
        document.body.append(script);
    }""")
    assert page.evaluate("window.injected === true") is False
    assert any("Content Security Policy" in text for text in console_errors)
