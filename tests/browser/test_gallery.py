"""The start page's case-study gallery: thumbnails and descriptions, a board started from a template, then run."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from architectures.thumbnails import thumbnail_path
from simulator.casestudies import HINT_HEADING, all_case_studies, get_case_study
from tests.browser.editor_page import EditorPage

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

RUN_TIMEOUT_MS = 90_000  # a run queues behind others on a busy 2-core machine
THUMBNAIL_TIMEOUT_MS = 60_000  # a cold cache (var/thumbnails) draws the pictures one at a time


def open_gallery(page, site: str):
    page.goto(site + "/")
    gallery = page.locator("#template-gallery")
    expect(gallery).to_have_attribute("data-ready", "true")
    return gallery


def start_from_template(page, site: str, template_id: str) -> EditorPage:
    """Click the template's tile on the start page and wait for the new board's editor."""
    editor = EditorPage(page, site)
    open_gallery(page, site).locator(f'.template-card[data-template="{template_id}"] .template-open').click()
    page.wait_for_url("**/b/*/**")
    editor.wait_ready()
    return editor


def run_to_verdict(page):
    """Press Run and wait for the results; the SLO verdict's locator."""
    page.click("#action-run")
    results = page.locator("#panel-results")
    expect(results).to_have_attribute("data-state", "done", timeout=RUN_TIMEOUT_MS)
    return results.locator(".slo-verdict")


def test_gallery_shows_every_template_with_a_drawn_thumbnail_and_one_line(page, site, artifacts):
    gallery = open_gallery(page, site)
    templates = all_case_studies()
    cards = gallery.locator(".template-card")
    expect(cards).to_have_count(len(templates))
    for template, card in zip(templates, cards.all()):
        expect(card.locator("h3")).to_have_text(template.title)
        expect(card.locator(".template-description")).to_have_text(template.description)
        expect(card.locator("img")).to_have_attribute("loading", "lazy")
        expect(card.locator(".template-badge.broken")).to_have_count(1 if template.broken else 0)
        expect(card.locator(".template-badge.drill")).to_have_count(1 if template.drill else 0)
    # Lazy images load as they come into view: scroll to each and wait for its picture.
    for card in cards.all():
        card.scroll_into_view_if_needed()
        page.wait_for_function("(img) => img.complete && img.naturalWidth > 200",
                               arg=card.locator("img").element_handle(), timeout=THUMBNAIL_TIMEOUT_MS)
    assert all(thumbnail_path(t).exists() for t in templates), "the pictures were drawn by the export into the cache"
    page.screenshot(path=str(artifacts / "gallery.png"), full_page=True)


def test_board_started_from_a_template_opens_then_runs_and_shows_its_verdict(page, site, celery_worker, artifacts):
    template = get_case_study("event_recommendation")
    editor = start_from_template(page, site, template.id)
    assert sorted(editor.node_ids()) == sorted(n["id"] for n in template.board["nodes"])
    stored = editor.document()
    assert stored["title"] == template.board["title"]
    assert stored["notes"]["serving"] == template.board["notes"]["serving"]

    # A healthy template meets its requirements as given.
    expect(run_to_verdict(page)).to_have_attribute("data-verdict", "pass")
    page.screenshot(path=str(artifacts / "gallery-template-run.png"))


def test_broken_template_shows_its_hint_in_the_notes_and_runs_to_a_failing_verdict(page, site, celery_worker):
    template = get_case_study("fraud_detection")
    start_from_template(page, site, template.id)
    page.click("#tab-framework")
    note = page.locator(f'#panel-framework details[data-step="{template.broken["step"]}"]')
    note.locator("summary").click()
    expect(note.locator(".note-preview strong")).to_have_text(HINT_HEADING)
    expect(note.locator(".note-preview")).to_contain_text(template.broken["hint"])
    expect(run_to_verdict(page)).to_have_attribute("data-verdict", "fail")
