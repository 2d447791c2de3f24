"""Template gallery API: the list, boards created from a template, and the cached thumbnails."""

from __future__ import annotations

import io

import pytest

from simulator.casestudies import all_case_studies, get_case_study

pytestmark = pytest.mark.django_db

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def test_list_names_every_template_with_description_and_thumbnail_but_not_the_fix(api):
    response = api.get("/api/templates/")
    assert response.status_code == 200
    listed = response.json()["templates"]
    assert [t["id"] for t in listed] == [t.id for t in all_case_studies()]
    for entry in listed:
        assert entry["title"] and entry["description"] and entry["case_study"]
        assert entry["thumbnail_url"].startswith(f"/api/templates/{entry['id']}/thumbnail.png?v=")
        assert not {"board", "fix"} & set(entry) and isinstance(entry["broken"], bool), "never the fix"
    broken = {t["id"] for t in listed if t["broken"]}
    assert broken == {t.id for t in all_case_studies() if t.broken}
    assert all(t["hint"] for t in listed if t["broken"])


def test_create_board_from_template_starts_with_its_document(api):
    response = api.post("/api/boards/", {"template": "visual_search"}, format="json")
    assert response.status_code == 201, response.content
    board = response.json()
    template = get_case_study("visual_search")
    assert board["title"] == template.board["title"]
    assert board["document"]["nodes"] == template.document()["nodes"]
    assert template.broken["hint"] in board["document"]["notes"]["serving"]
    assert api.get(f"/api/boards/{board['id']}/").status_code == 200


def test_title_given_with_a_template_names_the_board(api):
    board = api.post("/api/boards/", {"template": "ad_click", "title": "My ad system"}, format="json").json()
    assert board["title"] == "My ad system" and board["document"]["title"] == "My ad system"
    assert len(board["document"]["nodes"]) == len(get_case_study("ad_click").board["nodes"])


@pytest.mark.parametrize("body, message", [
    ({"template": "no_such_case"}, "no template has the id 'no_such_case'"),
    ({"template": "ad_click", "document": {"title": "x"}}, "either a template or a document"),
    ({"template": ""}, "blank"),
])
def test_bad_template_request_is_refused_at_path_template(api, body, message):
    response = api.post("/api/boards/", body, format="json")
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert errors[0]["path"] == "template" and message in errors[0]["message"], errors


def test_thumbnail_is_drawn_once_then_served_from_the_cache(api, settings, tmp_path):
    settings.THUMBNAIL_DIR = tmp_path
    first = api.get("/api/templates/fraud_detection/thumbnail.png")
    assert first.status_code == 200 and first["Content-Type"] == "image/png"
    assert first.content.startswith(PNG_SIGNATURE)
    cached = list(tmp_path.glob("fraud_detection-*.png"))
    assert len(cached) == 1
    stamp = cached[0].stat().st_mtime_ns
    listed = next(t for t in api.get("/api/templates/").json()["templates"] if t["id"] == "fraud_detection")
    second = api.get(listed["thumbnail_url"])
    assert second.content == first.content
    assert "immutable" in second["Cache-Control"] and "immutable" not in first["Cache-Control"]
    assert cached[0].stat().st_mtime_ns == stamp, "the second answer is read from the cache, not drawn again"


def test_thumbnail_of_an_unknown_template_is_404_in_the_error_shape(api):
    response = api.get("/api/templates/no_such_case/thumbnail.png")
    assert response.status_code == 404
    assert response.json()["errors"][0]["path"] == "template"


def test_render_thumbnails_command_draws_only_the_missing_ones(settings, tmp_path):
    from django.core.management import call_command

    from architectures.thumbnails import thumbnail_path

    settings.THUMBNAIL_DIR = tmp_path
    templates = all_case_studies()
    for template in templates[1:]:  # cached already, under their current keys
        thumbnail_path(template).write_bytes(b"cached")
    out = io.StringIO()
    call_command("render_thumbnails", stdout=out)
    assert f"1 thumbnails drawn, {len(templates) - 1} already cached" in out.getvalue()
    assert thumbnail_path(templates[0]).read_bytes().startswith(PNG_SIGNATURE)
    assert thumbnail_path(templates[1]).read_bytes() == b"cached"
