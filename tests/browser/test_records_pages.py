"""The client-records pages in real Chromium, each checked with axe-core: a worker's day on their
own client's file, and another team's worker breaking the glass for a manager to review."""

from __future__ import annotations

import re

import pytest

from tests.base import CLIENT_NAME, DOCUMENT_TEXT, NOTE_TEXT, OTHER_CLIENT_NAME, PERSON_NAME, SAFE_NUMBER
from tests.browser.conftest import assert_accessible, html, shows
from tests.browser.test_pages import people, sign_in_with_totp  # noqa: F401 -- the fixture is used by name

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_worker_keeps_their_clients_file(page, people):  # noqa: F811
    sign_in_with_totp(page, "assigned", "assigned-password-1")
    page.get_by_role("navigation", name="Sections").get_by_role("link", name="Clients").click()
    assert shows(page, CLIENT_NAME) and OTHER_CLIENT_NAME not in html(page)
    assert_accessible(page, "client list")
    page.get_by_label("Name, or the start of one").fill("Thistle")
    page.get_by_role("button", name="Show clients").click()
    assert shows(page, "No client you may open")
    assert OTHER_CLIENT_NAME not in html(page)
    assert_accessible(page, "client search with no result")
    page.get_by_label("Name, or the start of one").fill("quill")
    page.get_by_role("button", name="Show clients").click()
    page.get_by_role("link", name=CLIENT_NAME).click()
    safe = page.get_by_role("region", name="Safe contact")
    assert SAFE_NUMBER in safe.inner_text()
    assert shows(page, NOTE_TEXT) and shows(page, PERSON_NAME)
    assert_accessible(page, "client file")

    # A note whose wording reads as a judgement: flagged with the clause, then rephrased.
    page.get_by_role("link", name="Note on the Violence Prevention Programme case").click()
    assert_accessible(page, "add a note")
    page.get_by_label("Note", exact=True).fill("She is obviously lying about the dates.")
    page.get_by_role("button", name="Save the note").click()
    check = page.get_by_role("alert")
    assert "Check the wording before you save" in check.inner_text()
    assert page.locator("mark").all_inner_texts() == ["obviously", "lying"]
    assert_accessible(page, "add a note: the wording check")
    page.get_by_label("Note", exact=True).fill("She gave the dates as the 3rd and the 5th.")
    page.get_by_role("button", name="Save the note").click()
    assert shows(page, "She gave the dates as the 3rd and the 5th.")

    # A document, uploaded and downloaded.
    page.get_by_role("link", name="Document on the Violence Prevention Programme case").click()
    assert_accessible(page, "upload a document")
    page.get_by_label("File", exact=True).set_input_files(
        files=[{"name": "housing-letter.txt", "mimeType": "text/plain", "buffer": b"Fictional housing letter."}])
    page.get_by_label("What is it?").fill("Housing letter")
    page.get_by_role("button", name="Upload").click()
    with page.expect_download() as download:
        page.get_by_role("link", name="Download: Housing letter").click()
    # The browser's download history keeps a neutral name, never the document's own (issue 12.10).
    assert re.fullmatch(r"document-\d+\.txt", download.value.suggested_filename)
    assert open(download.value.path(), "rb").read() == b"Fictional housing letter."
    with page.expect_download() as fixture_download:
        page.get_by_role("link", name="Download: Tenancy letter").click()
    assert open(fixture_download.value.path(), "rb").read() == DOCUMENT_TEXT

    # A risk assessment, with a missing level first.
    page.get_by_role("link", name="Risk assessment on the Violence Prevention Programme case").click()
    page.get_by_label("Assessment", exact=True).fill("Checklist completed with the client.")
    page.get_by_role("button", name="Save the risk assessment").click()
    assert "Choose the level of risk." in page.get_by_role("alert").inner_text()
    assert_accessible(page, "add a risk assessment with an error")
    page.get_by_label("Medium").check()
    page.get_by_role("button", name="Save the risk assessment").click()
    assert shows(page, "Risk: Medium")

    # The people around the client, and the safe contact details.
    page.get_by_role("link", name="See or add people around the client").click()
    assert PERSON_NAME in page.get_by_role("table").inner_text()
    assert_accessible(page, "related people")
    page.get_by_label("Who are they to the client?").select_option("child")
    page.get_by_label("Name", exact=True).fill("Pip Quillfeather")
    page.get_by_role("button", name="Add").click()
    assert "Pip Quillfeather" in page.get_by_role("table").inner_text()
    page.get_by_role("link", name="Back to the file").click()
    page.get_by_role("link", name="Change or confirm the safe contact details").click()
    assert_accessible(page, "safe contact")
    page.get_by_label("Safe number").fill("07700 900777")
    page.get_by_role("button", name="Save the safe contact details").click()
    assert "07700 900777" in page.get_by_role("region", name="Safe contact").inner_text()
    assert SAFE_NUMBER not in html(page)


def test_another_teams_worker_breaks_the_glass_and_the_data_controller_reviews_it(page, people):  # noqa: F811
    client_id = str(people["client"].pk)
    sign_in_with_totp(page, "otherteam", "otherteam-password-1")
    assert CLIENT_NAME not in html(page)
    page.get_by_role("navigation", name="Sections").get_by_role("link", name="Open another file").click()
    assert_accessible(page, "open another file")
    page.get_by_label("Client number").fill(client_id)
    page.get_by_role("button", name="Open the file").click()
    assert "Give your reason" in page.get_by_role("alert").inner_text()
    assert CLIENT_NAME not in html(page)
    assert_accessible(page, "break-glass prompt asking for a reason")
    page.get_by_label("Your reason").fill("Duty worker: the client phoned the helpline and asked for her worker")
    page.get_by_role("button", name="Open the file").click()
    assert shows(page, "You broke the glass to open this file")
    assert shows(page, CLIENT_NAME)
    assert_accessible(page, "client file opened by breaking the glass")
    page.get_by_role("navigation", name="Sections").get_by_role("link", name="Open another file").click()
    page.get_by_label("Client number").fill("999999")
    page.get_by_label("Your reason").fill("Checking a number I was given")
    page.get_by_role("button", name="Open the file").click()
    assert "No file opened" in page.get_by_role("alert").inner_text()
    assert_accessible(page, "open another file: nothing opened")
    page.get_by_role("button", name="Sign out").click()

    sign_in_with_totp(page, "controller", "controller-password-1")  # reviews every team's openings
    page.get_by_role("link", name="1 break-glass opening waiting for your review").click()
    assert "Olly Otherteam" in page.get_by_role("table").inner_text()
    assert_accessible(page, "review queue")
    page.get_by_role("table").get_by_role("link").first.click()
    assert shows(page, "the client phoned the helpline")
    assert_accessible(page, "review")
    page.get_by_role("button", name="Record the review").click()
    assert "Choose the outcome of your review." in page.get_by_role("alert").inner_text()
    assert_accessible(page, "review with an error")
    page.get_by_label("The reason was good enough: no further action").check()
    page.get_by_role("button", name="Record the review").click()
    assert shows(page, "Nothing is waiting for your review")


def test_a_worker_takes_a_referral_and_opens_the_case(page, people):  # noqa: F811
    sign_in_with_totp(page, "assigned", "assigned-password-1")
    page.get_by_role("navigation", name="Sections").get_by_role("link", name="Clients").click()
    page.get_by_role("link", name="Take a new referral").click()
    assert_accessible(page, "new referral")
    page.get_by_role("button", name="Take the referral").click()
    assert "Give the client's name." in page.get_by_role("alert").inner_text()
    assert_accessible(page, "new referral with an error")
    page.get_by_label("Client's name").fill("Juniper Ashdown")
    page.get_by_label("Referred to the service").select_option("vpp")
    page.get_by_role("button", name="Take the referral").click()
    assert page.get_by_role("heading", level=1).inner_text().startswith("Juniper Ashdown")
    assert shows(page, "No safe contact details are recorded")
    page.get_by_role("link", name="Change the stage of the Violence Prevention Programme case").click()
    assert_accessible(page, "change a case")
    page.get_by_label("Open", exact=True).check()
    page.get_by_label("Family court risk assessment").check()
    page.get_by_role("button", name="Save").click()
    cases = page.get_by_role("region", name="Cases").inner_text()
    assert "Open" in cases and "Family court risk assessment" in cases


def test_the_pages_that_offer_only_what_the_pack_permits(page, people):  # noqa: F811
    """Issue 18: a volunteer's list offers only their own cases and a team purpose is refused on a
    calm page; a trustee, offered no purpose, is told so instead of given a form."""
    sign_in_with_totp(page, "volunteer", "volunteer-password-1")
    page.goto("/clients/")
    assert page.get_by_label("Show").locator("option").all_inner_texts() == ["My cases"]
    assert_accessible(page, "a volunteer's client list")
    page.goto("/clients/?purpose=cover")
    assert shows(page, "That purpose lists no clients for you")
    assert_accessible(page, "a list purpose that lists nothing")
    page.get_by_role("button", name="Sign out").click()
    sign_in_with_totp(page, "trustee", "trustee-password-1")
    page.goto("/clients/open/")
    assert shows(page, "gives no purpose for opening anyone else")
    assert page.locator("select[name=purpose]").count() == 0
    assert_accessible(page, "open another file, offered no purpose")
