"""Settings helpers: good values parse, bad ones are refused with a message naming the variable."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured

from whiteboard import env


@pytest.mark.parametrize("raw,expected", [("1", True), ("true", True), ("off", False), ("0", False)])
def test_env_bool_accepts_common_spellings(monkeypatch, raw, expected):
    monkeypatch.setenv("DEBUG", raw)
    assert env.env_bool("DEBUG", not expected) is expected


def test_env_bool_rejects_other_values(monkeypatch):
    monkeypatch.setenv("DEBUG", "maybe")
    with pytest.raises(ImproperlyConfigured, match="DEBUG='maybe' is not a boolean"):
        env.env_bool("DEBUG", True)


def test_secret_key_is_generated_once_into_var_and_reused(monkeypatch, tmp_path):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    first = env.env_secret_key(tmp_path)
    assert len(first) >= 50 and (tmp_path / "secret_key").read_text().strip() == first
    assert env.env_secret_key(tmp_path) == first


def test_short_secret_key_is_refused(monkeypatch, tmp_path):
    monkeypatch.setenv("SECRET_KEY", "short")
    with pytest.raises(ImproperlyConfigured, match="at least 32"):
        env.env_secret_key(tmp_path)


def test_database_url_defaults_to_sqlite_in_var(monkeypatch, tmp_path):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    config = env.env_database(tmp_path / "db.sqlite3")
    assert config["ENGINE"] == "whiteboard.db.sqlite3" and config["NAME"] == str(tmp_path / "db.sqlite3")


def test_postgres_database_url_is_parsed(monkeypatch, tmp_path):
    monkeypatch.setenv("DATABASE_URL", "postgres://app:s3cret@db.internal:5433/boards")
    config = env.env_database(tmp_path / "x")
    assert config["ENGINE"] == "django.db.backends.postgresql"
    assert (config["NAME"], config["USER"], config["PASSWORD"], config["HOST"], config["PORT"]) == (
        "boards", "app", "s3cret", "db.internal", "5433")


@pytest.mark.parametrize("url,message", [("mysql://x/y", "not supported"), ("postgres://host:abc/db", "invalid port"),
                                         ("postgres://host/", "names no database")])
def test_bad_database_url_is_refused(monkeypatch, tmp_path, url, message):
    monkeypatch.setenv("DATABASE_URL", url)
    with pytest.raises(ImproperlyConfigured, match=message):
        env.env_database(tmp_path / "x")


@pytest.mark.parametrize("url", ["http://localhost:6379", "redis://", "redis://host:port/0"])
def test_bad_redis_url_is_refused(monkeypatch, url):
    monkeypatch.setenv("REDIS_URL", url)
    with pytest.raises(ImproperlyConfigured, match="REDIS_URL"):
        env.env_redis_url("redis://127.0.0.1:6390/0")


def test_allowed_hosts_list_is_split_on_commas(monkeypatch):
    monkeypatch.setenv("ALLOWED_HOSTS", "board.example.com, 10.0.0.5")
    assert env.env_list("ALLOWED_HOSTS", []) == ["board.example.com", "10.0.0.5"]
