"""Pages: the landing page, a board's page and the not-found page."""

from __future__ import annotations

import pytest

from architectures.services import board_create

pytestmark = pytest.mark.django_db


def test_landing_page_offers_a_new_board_and_recent_list(client):
    response = client.get("/")
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="new-board"' in html and 'id="recent-boards"' in html
    assert "<script>" not in html  # scripts come from static files only


def test_board_page_renders_for_a_stored_board(client, document):
    board = board_create(document=document)
    response = client.get(f"/b/{board.pk}/")
    assert response.status_code == 200
    assert str(board.pk) in response.content.decode()


def test_board_page_does_not_tell_an_unknown_board_from_a_stored_one(client, document):
    """The link's token is in the URL fragment, which the server never sees: every board id gets
    the same page, whose script asks the API (which answers 404 without a valid token)."""
    board = board_create(document=document)
    unknown = "00000000-0000-4000-8000-000000000000"
    stored_page = client.get(f"/b/{board.pk}/").content.decode().replace(str(board.pk), "ID")
    unknown_response = client.get(f"/b/{unknown}/")
    assert unknown_response.status_code == 200
    assert unknown_response.content.decode().replace(unknown, "ID") == stored_page


def test_board_page_of_an_id_that_is_no_uuid_is_404(client):
    assert client.get("/b/nope/").status_code == 404
