"""Sharing that cannot be lost (issue 13), in real Chromium with axe-core, at desktop width and at
320 px (WCAG 1.4.10): the approval page with the words to approve, the secure link in its copyable
field with its "Copy link" button, and the recipient's page after the last download."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.base import NOTE_TEXT, ask
from tests.browser.conftest import assert_accessible, shows
from tests.browser.test_pages import people, sign_in_with_totp  # noqa: F401 -- the fixture is used by name

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NARROW = {"width": 320, "height": 800}
WIDE = {"width": 1280, "height": 900}


def at_both_widths(page, label: str) -> None:
    """axe at desktop width and at 320 px, and nothing wider than the screen at 320 px."""
    page.set_viewport_size(WIDE)
    assert_accessible(page, label)
    page.set_viewport_size(NARROW)
    assert_accessible(page, f"{label} at 320 px")
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"{label}: {overflow} px wider than a 320 px screen"
    page.set_viewport_size(WIDE)


def test_approve_then_link_then_the_recipient_downloads_everything(page, people):  # noqa: F811
    from confide.accounts.models import Organisation
    from confide.records.models import Client

    Client.objects.filter(pk=people["client"].pk).update(subject_role="victim")
    Organisation.objects.filter(pk=1).update(phone="01632 960000")
    disclosure = ask(people, channel="secure_link")

    # The approver reads the words they are asked to let go.
    sign_in_with_totp(page, "manager", "manager-password-1")
    page.goto(f"/approvals/{disclosure.pk}/")
    words = page.get_by_role("region", name="What would be shared, word for word")
    assert NOTE_TEXT in words.inner_text()
    at_both_widths(page, "the approval page with the words")
    page.get_by_label("Approve: it may go").check()
    page.get_by_label("Your notes").fill("The threshold for a child protection referral is met.")
    page.get_by_label("Confirm it is you: your password, or a code from your authenticator app").fill(
        "manager-password-1")
    page.get_by_role("button", name="Record my decision").click()
    page.get_by_role("button", name="Sign out").click()

    # The worker makes the link: a read-only field with a working "Copy link" button.
    sign_in_with_totp(page, "assigned", "assigned-password-1")
    page.goto(f"/disclosures/{disclosure.pk}/?purpose=direct_support")
    page.get_by_role("button", name="Make the secure link").click()
    field = page.get_by_role("textbox", name="The secure link")
    link = field.input_value()
    assert "/shared/" in link and field.get_attribute("readonly") is not None
    assert shows(page, "It is shown only this once:")
    page.get_by_role("button", name="Copy link").click()
    status = page.locator("#copy-status")
    status.wait_for(state="attached")
    # Not wait_for_function: under the page's CSP (no 'unsafe-eval') a string predicate can be refused.
    expect(status).to_have_text(re.compile(r"\S"))
    assert "copied" in status.inner_text() or "copy it with Ctrl+C" in status.inner_text()
    at_both_widths(page, "the secure link, shown once")

    # Back on the request later: it says where it stands and offers a new link.
    page.goto(f"/disclosures/{disclosure.pk}/?purpose=direct_support")
    assert "Link issued, not yet downloaded" in page.get_by_role("heading", level=1).inner_text()
    assert page.get_by_role("button", name="Make a new link").is_visible()
    page.get_by_role("button", name="Sign out").click()

    # The recipient downloads the one item; afterwards the link's page says so plainly.
    page.goto(link)
    with page.expect_download():
        page.get_by_role("button", name="Download").click()
    page.goto(link)
    assert page.get_by_role("heading", level=1).inner_text() == "Everything has been downloaded"
    text = page.locator("main").inner_text()
    assert "You have downloaded everything shared with you through this link. It no longer works." in text
    assert "01632 960000" in text and NOTE_TEXT not in text
    at_both_widths(page, "the recipient's page after the last download")
