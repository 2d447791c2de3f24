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


def test_board_page_for_unknown_board_is_404(client):
    assert client.get("/b/00000000-0000-4000-8000-000000000000/").status_code == 404
    assert client.get("/b/nope/").status_code == 404
