"""Security headers on every answer, and a production configuration that passes Django's deploy checks."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("path", ["/", "/api/component-kinds/", "/api/docs/", "/healthz", "/api/boards/missing/"])
def test_every_answer_carries_the_security_headers(client, path):
    response = client.get(path)
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]
    assert "frame-ancestors 'none'" in csp and "object-src 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["X-Frame-Options"] == "DENY"


def test_pages_have_no_inline_scripts(client):
    """The policy forbids inline scripts; a page that had one would break in the browser."""
    for path in ["/", "/api/docs/"]:
        html = client.get(path).content.decode()
        for chunk in html.split("<script")[1:]:
            assert "src=" in chunk.split(">")[0], f"{path} has an inline <script>"


def _check_deploy(**env: str) -> subprocess.CompletedProcess:
    # The browser tests set DJANGO_ALLOW_ASYNC_UNSAFE for their own process; production never does.
    environment = {key: value for key, value in os.environ.items()
                   if key not in ("DEBUG", "HTTPS", "DJANGO_ALLOW_ASYNC_UNSAFE")}
    environment.update(SECRET_KEY=secrets.token_urlsafe(50), ALLOWED_HOSTS="whiteboard.example.org", **env)
    return subprocess.run([sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
                          cwd=ROOT, env=environment, capture_output=True, text=True, timeout=120)


def test_production_settings_pass_the_deploy_checks():
    result = _check_deploy(DEBUG="0", HTTPS="1")
    assert result.returncode == 0, result.stderr + result.stdout
    assert "no issues" in result.stdout


def test_deploy_checks_name_what_a_development_setting_lacks():
    result = _check_deploy(DEBUG="1")
    assert result.returncode != 0
    assert "security.W018" in result.stderr  # DEBUG on
    assert "security.W004" in result.stderr  # no HSTS without HTTPS=1
