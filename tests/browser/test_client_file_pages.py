"""The client file's own pages (issue 13 point 4), in real Chromium with axe-core, at desktop width and
at 320 px: a date of birth that cannot be right shown and corrected with its history, the printable
file with its Print button, and the record of access filtered (and a filter typed wrong)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone

from tests.base import CLIENT_NAME, NOTE_TEXT
from tests.browser.conftest import assert_accessible, shows
from tests.browser.test_pages import people, sign_in_with_totp  # noqa: F401 -- the fixture is used by name

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NARROW = {"width": 320, "height": 800}
WHY = "The client showed me her passport at our meeting."


def assert_fits(page, label: str) -> None:
    """At 320 px the page does not scroll sideways (WCAG 1.4.10), and passes axe."""
    page.wait_for_load_state("load")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 320, f"{label}: {width} px wide in a 320 px window"
    assert_accessible(page, f"{label} at 320 px")


def test_a_worker_corrects_a_date_of_birth_prints_the_file_and_filters_the_record_of_access(page, people):  # noqa: F811
    from confide.records.models import Client

    client = Client.objects.get(pk=people["client"].pk)
    client.date_of_birth = timezone.localdate() + dt.timedelta(days=400)  # typed before the check existed
    client.save()
    sign_in_with_totp(page, "assigned", "assigned-password-1")
    file_url = f"/clients/{client.pk}/"
    page.goto(file_url)
    identity = page.get_by_role("region", name="Who the client is")
    assert "This date of birth cannot be right." in identity.inner_text()
    assert_accessible(page, "client file with a date of birth that cannot be right")

    identity.get_by_role("link", name="Correct the date of birth").click()
    assert page.get_by_role("heading", level=1).inner_text() == f"Correct the date of birth of {CLIENT_NAME}"
    assert_accessible(page, "correcting the date of birth")
    page.get_by_label("The date of birth as it should be").fill("31 2 1985")
    page.get_by_role("button", name="Save the correction").click()
    problems = page.get_by_role("alert").inner_text()
    assert "Enter the date of birth as day month year" in problems
    assert "Say why it is being corrected" in problems
    assert_accessible(page, "correcting the date of birth: what was wrong")
    correct_url = page.url

    page.get_by_label("The date of birth as it should be").fill("27 3 1985")
    page.get_by_label("Why is it being corrected?").fill(WHY)
    page.get_by_role("button", name="Save the correction").click()
    page.wait_for_url(re.compile(rf".*/clients/{client.pk}/#identity-heading$"))
    identity = page.get_by_role("region", name="Who the client is")
    assert "27 March 1985 (age" in identity.inner_text()
    identity.get_by_text("Corrections of the name and date of birth (1)").click()
    history = identity.get_by_role("listitem").first.inner_text()
    assert "corrected by Ada Assigned" in history and WHY in history
    assert_accessible(page, "client file with its corrections open")

    page.get_by_role("link", name="Print this file").click()
    page.wait_for_load_state("load")  # print.js (deferred) shows the Print button; is_visible() does not wait
    page.get_by_role("button", name="Print").wait_for(state="visible", timeout=10_000)
    assert shows(page, NOTE_TEXT)
    assert_accessible(page, "the printable file")
    print_url = page.url

    page.goto(file_url)
    page.get_by_role("link", name="Record of access: who has looked at this file").click()
    page.reload()
    page.reload()
    record_url = page.url
    assert "Viewed this record of access 3 times on" in page.get_by_role("table").inner_text()
    page.get_by_label("What they did").select_option(label="Opened the client's file to print it")
    page.get_by_role("button", name="Show").click()
    rows = page.get_by_role("table").get_by_role("row")
    assert rows.count() == 2, "a heading row and the one print"
    assert "Opened the client's file to print it" in rows.nth(1).inner_text()
    assert_accessible(page, "the record of access, filtered")
    filtered_url = page.url

    page.get_by_label("From").fill("32 1 2026")
    page.get_by_role("button", name="Show").click()
    assert "Enter the first day as day month year" in page.get_by_role("alert").inner_text()
    assert_accessible(page, "the record of access, a filter typed wrong")
    wrong_url = page.url

    page.set_viewport_size(NARROW)
    page.goto(file_url)
    assert_accessible(page, "client file at 320 px")
    for label, url in (("correcting the date of birth", correct_url), ("the printable file", print_url),
                       ("the record of access", record_url), ("the record of access, filtered", filtered_url),
                       ("the record of access, a filter typed wrong", wrong_url)):
        page.goto(url)
        assert_fits(page, label)
