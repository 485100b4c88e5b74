"""Notes as records of contact and correction without loss, in real Chromium with axe-core, at
desktop width and at 320 px (WCAG 1.4.10): add a note that records a telephone call, save it twice
(Back then Save), correct it, and read its earlier version."""

from __future__ import annotations

import pytest
from django.utils import timezone
from django.utils.dates import MONTHS

from tests.base import CLIENT_NAME
from tests.browser.conftest import assert_accessible, shows
from tests.browser.test_pages import people, sign_in_with_totp  # noqa: F401 -- the fixture is used by name

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FIRST = "Phoned Zelda: she will come to the Thursday drop-in."
CORRECTED = "Phoned Zelda: she will come to the Friday drop-in."
REASON = "The wrong day was typed: she said Friday."


def walk(page, width: str) -> None:
    from playwright.sync_api import expect

    today = timezone.localdate()
    said = f"{today.day} {MONTHS[today.month]} {today.year}"
    page.get_by_role("navigation", name="Sections").get_by_role("link", name="Clients").click()
    page.get_by_role("link", name=CLIENT_NAME).click()
    page.get_by_role("link", name="Note on the").first.click()
    assert_accessible(page, f"add a note ({width})")

    page.get_by_label("Note", exact=True).fill(FIRST)
    page.get_by_label("Telephone").check()
    page.get_by_label("How long it lasted, in minutes (optional)").fill("20")
    page.get_by_role("button", name="Save the note").click()
    entries = page.get_by_role("region", name="Notes, documents and assessments")
    expect(entries).to_contain_text(f"Telephone, 20 minutes, {said}")
    assert entries.inner_text().count(FIRST) == 1

    page.go_back()  # Back, then Save again: nothing is written twice
    assert page.get_by_label("Note", exact=True).input_value() == FIRST, "the browser put back what was typed"
    page.get_by_role("button", name="Save the note").click()
    entries = page.get_by_role("region", name="Notes, documents and assessments")
    expect(entries.get_by_role("status")).to_have_text("This note was already saved.")
    assert entries.inner_text().count(FIRST) == 1
    assert_accessible(page, f"client file after a second save ({width})")

    page.get_by_role("link", name="Correct the note").first.click()
    assert_accessible(page, f"correct a note ({width})")
    page.get_by_label("Why is it being corrected?").fill("typo")
    page.get_by_label("The corrected text").fill(CORRECTED)
    page.get_by_role("button", name="Save the correction").click()
    expect(page.get_by_role("alert")).to_contain_text("Say why it is being corrected")
    assert_accessible(page, f"correct a note: what was wrong ({width})")
    page.get_by_label("Why is it being corrected?").fill(REASON)
    page.get_by_role("button", name="Save the correction").click()
    entries = page.get_by_role("region", name="Notes, documents and assessments")
    expect(entries).to_contain_text("Corrected on")
    assert CORRECTED in entries.inner_text() and FIRST not in entries.inner_text()
    assert f"Corrected on {said} by Ada Assigned (version 2)" in entries.inner_text()

    page.get_by_role("link", name="See the earlier versions").first.click()
    assert_accessible(page, f"earlier versions of a note ({width})")
    assert shows(page, FIRST) and shows(page, REASON)
    page.get_by_role("link", name="Back to the file").click()
    page.get_by_role("link", name="Move to the right file").first.click()
    assert_accessible(page, f"move a note ({width})")


def test_add_correct_and_read_the_history_of_a_note_at_desktop_width(page, people):  # noqa: F811
    sign_in_with_totp(page, "assigned", "assigned-password-1")
    walk(page, "desktop")


def test_add_correct_and_read_the_history_of_a_note_at_320_px(page, people):  # noqa: F811
    page.set_viewport_size({"width": 320, "height": 800})
    sign_in_with_totp(page, "assigned", "assigned-password-1")
    walk(page, "320 px")
