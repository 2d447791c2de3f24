"""Optional accounts: sign up, log in and out (CSRF-protected forms), and "My boards" on the start page."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from architectures.services import board_create

pytestmark = pytest.mark.django_db

PASSWORD = "correct horse battery"


def form_token(client: Client, path: str) -> str:
    client.get(path)
    return client.cookies["csrftoken"].value


def test_sign_up_creates_the_account_and_logs_it_in():
    client = Client(enforce_csrf_checks=True)
    token = form_token(client, "/accounts/signup/")
    response = client.post("/accounts/signup/", {"username": "ada", "password1": PASSWORD, "password2": PASSWORD,
                                                 "csrfmiddlewaretoken": token})
    assert response.status_code == 302 and response["Location"] == "/"
    assert "ada" in client.get("/").content.decode()
    assert get_user_model().objects.filter(username="ada").exists()


def test_sign_up_refuses_a_weak_password_with_the_reason_and_creates_nothing():
    response = Client().post("/accounts/signup/", {"username": "ada", "password1": "123", "password2": "123"})
    assert response.status_code == 400
    assert "This password is too short" in response.content.decode()
    assert not get_user_model().objects.exists()


def test_account_forms_without_the_csrf_token_are_refused():
    client = Client(enforce_csrf_checks=True)
    get_user_model().objects.create_user("ada", password=PASSWORD)
    assert client.post("/accounts/signup/", {"username": "bob", "password1": PASSWORD,
                                             "password2": PASSWORD}).status_code == 403
    assert client.post("/accounts/login/", {"username": "ada", "password": PASSWORD}).status_code == 403
    assert "_auth_user_id" not in client.session


def test_log_in_shows_my_boards_and_log_out_hides_them(document):
    ada = get_user_model().objects.create_user("ada", password=PASSWORD)
    bob = get_user_model().objects.create_user("bob", password=PASSWORD)
    mine = board_create(document={**document, "title": "Ada's board"}, owner=ada)
    board_create(document={**document, "title": "Bob's board"}, owner=bob)
    board_create(document={**document, "title": "Nobody's board"})
    client = Client(enforce_csrf_checks=True)
    token = form_token(client, "/accounts/login/")
    response = client.post("/accounts/login/", {"username": "ada", "password": PASSWORD,
                                                "csrfmiddlewaretoken": token})
    assert response.status_code == 302
    page = client.get("/").content.decode()
    assert "My boards" in page and f'href="/b/{mine.pk}/"' in page and "Ada&#x27;s board" in page
    assert "Bob" not in page and "Nobody" not in page
    client.post("/accounts/logout/", {"csrfmiddlewaretoken": client.cookies["csrftoken"].value})
    assert "My boards" not in client.get("/").content.decode()
