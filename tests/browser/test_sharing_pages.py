"""A disclosure walked in real Chromium, for dvip, justus and day_mer: a worker asks and sees the
policy's reasons, the people the pack names approve (Day-Mer: the Centre Coordinator, then the
Chair), the worker records the steps the policy requires before sending (Day-Mer: the client is
told first), makes the secure link, and the agency, not signed in, downloads the item once.
Every page is checked with axe-core."""

from __future__ import annotations

import contextlib
import datetime as dt
import re

import pyotp
import pytest

from tests.base import CLIENT_NAME, NOTE_TEXT, make_people
from tests.browser.conftest import assert_accessible, html, shows

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

REASON = "The older child told the school about being hit; the school has raised it with us."
AGENCY = {"childrens_services": "Northvale Children's Services", "police": "Eastmere Police"}


def setup(pack: str, subject_role: str, agency_kind: str):
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from confide.accounts.services import do_issue_setup_code
    from confide.partners.directory import do_add_agency, do_add_agreement, do_add_contact
    from confide.records.models import Client

    people = make_people(pack)
    Client.objects.filter(pk=people["client"].pk).update(subject_role=subject_role)
    agency = do_add_agency(people["manager"], name=AGENCY[agency_kind], kind=agency_kind, known_phone="01632 960300")
    contact = do_add_contact(people["manager"], agency, name="Robin Ashdown", job_title="Duty officer")
    today = timezone.localdate()
    do_add_agreement(people["manager"], agency, title="Local information-sharing agreement", starts_on=today,
                     ends_on=today + dt.timedelta(days=365), data=["case_notes"],
                     purposes=["child_protection", "liaison", "safeguarding"], contacts=[contact])
    codes = {user.username: do_issue_setup_code(user) for user in get_user_model().objects.all()}
    return people, codes


def window(browser, live_server):
    """A browser window of its own (its own cookies), whose console complaints are collected (a page
    answered 4xx on purpose is asserted by the test itself)."""
    page = browser.new_context(base_url=live_server.url, locale="en-GB").new_page()
    page.console_problems = []
    page.on("console", lambda m: page.console_problems.append(m.text)
            if m.type in {"error", "warning"} and not m.text.startswith("Failed to load resource") else None)
    return page


@contextlib.contextmanager
def signed_in(browser, live_server, codes: dict, username: str, password: str):
    """A browser window of one person's own, signed in past both factors."""
    page = window(browser, live_server)
    context = page.context
    page.goto("/account/sign-in/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url("**/second-factor/")
    key = "".join(page.locator("code.secret").inner_text().split())
    page.get_by_label("Set-up code from your administrator").fill(codes[username])
    page.get_by_label("Six-digit code").fill(pyotp.TOTP(key).now())
    page.get_by_role("button", name="Confirm and sign in").click()
    page.wait_for_url(lambda url: url.rstrip("/").count("/") == 2)
    try:
        yield page
    finally:
        context.close()


def ask(page, client_id: int, *, to: str, purpose: str, grounds: list[str]) -> str:
    page.goto(f"/clients/{client_id}/")
    page.get_by_role("link", name="Consent and sharing").click()
    assert_accessible(page, "consent and sharing")
    page.get_by_role("link", name="Ask to share information").click()
    assert shows(page, NOTE_TEXT)
    assert not page.locator('input[name="entries"]:checked').count(), "nothing is ticked until ticked"
    assert_accessible(page, "ask to share")
    page.get_by_role("button", name="Check whether this can be shared").click()
    assert "Choose what to share" in page.get_by_role("alert").inner_text()
    assert_accessible(page, "ask to share, with errors")
    page.get_by_label("Share with").select_option(label=to)
    page.get_by_label(re.compile(r"^Note of")).check()  # the note only: not the document beside it
    page.get_by_label("Purpose").select_option(purpose)
    for ground in grounds:
        page.locator(f'input[name="grounds"][value="{ground}"]').check()
    page.get_by_label("How it would go").select_option("secure_link")
    page.get_by_label("Your reasons").fill(REASON)
    page.get_by_role("button", name="Check whether this can be shared").click()
    assert shows(page, "it may be shared if approved")
    assert_accessible(page, "the policy's answer")
    return page.url


def approve(page, disclosure_url: str, password: str) -> None:
    from playwright.sync_api import expect

    page.goto("/")
    page.get_by_role("link", name="waiting for your approval").click()
    assert_accessible(page, "approvals waiting")
    page.get_by_role("link", name="request").first.click()
    assert shows(page, REASON)
    assert_accessible(page, "decide on a request")
    page.get_by_label("Approve: it may go").check()
    page.get_by_label("Your notes").fill("I have read the reasons; the threshold is met.")
    page.get_by_label("Confirm it is you").fill("not my password")
    page.get_by_role("button", name="Record my decision").click()
    assert "That was not right" in page.get_by_role("alert").inner_text()
    assert_accessible(page, "decide, with a wrong password")
    page.get_by_label("Approve: it may go").check()
    page.get_by_label("Your notes").fill("I have read the reasons; the threshold is met.")
    page.get_by_label("Confirm it is you").fill(password)
    # The request's decisions ("Step 1: Approved by …"): this approver's is added to them.
    approvals = page.locator("li", has_text=re.compile(r"^Step \d+: Approved by "))
    before = approvals.count()
    page.get_by_role("button", name="Record my decision").click()
    expect(approvals).to_have_count(before + 1, timeout=15_000)
    assert shows(page, "Approved")


def record_step(worker, disclosure_url: str, title: str, note: str) -> None:
    """A step the policy requires before sending: the link button is disabled, saying why, until
    the worker records what was done."""
    worker.goto(disclosure_url)
    assert shows(worker, "Before sending") and shows(worker, title)
    assert worker.get_by_role("button", name="Make the secure link").is_disabled()
    assert shows(worker, "Before this can be sent")
    assert_accessible(worker, "before sending")
    worker.get_by_role("button", name="Record this step").click()
    assert "There is a problem" in worker.get_by_role("alert").inner_text()
    assert_accessible(worker, "before sending, with errors")
    worker.get_by_label("When and how you told the client").fill(note)
    worker.get_by_role("button", name="Record this step").click()
    assert shows(worker, "Done: recorded by") and shows(worker, note)


def deliver_and_download(browser, live_server, worker, disclosure_url: str) -> None:
    worker.goto(disclosure_url)
    assert shows(worker, "Approved: ready to send")
    worker.get_by_role("button", name="Make the secure link").click()
    link = worker.get_by_label("The secure link").input_value()
    assert_accessible(worker, "the secure link, shown once")
    agency = window(browser, live_server)  # the recipient: not signed in, a browser of their own
    try:
        agency.goto(link)
        assert NOTE_TEXT not in html(agency)
        assert CLIENT_NAME not in html(agency)
        assert_accessible(agency, "the recipient's page")
        with agency.expect_download() as download:
            agency.get_by_role("button", name="Download").first.click()
        assert open(download.value.path(), "rb").read().startswith(b"%PDF")
        # Its one item downloaded, the link is spent: it answers as if it never existed.
        assert agency.goto(link).status == 404
    finally:
        agency.context.close()
    worker.goto(disclosure_url)
    assert shows(worker, "1 item downloaded")
    worker.get_by_role("link", name="Back to consent and sharing").click()
    worker.get_by_role("link", name="Back to the file").click()
    worker.get_by_role("link", name="Record of access").click()
    worker.wait_for_load_state("load")  # seen under load: content() read mid-navigation returned ""
    record = html(worker)
    for words in ("Asked to share information", "Approved a request to share", "Downloaded through a secure link"):
        assert words in record, words


def test_dvip_a_victims_note_to_childrens_services(browser, live_server):
    people, codes = setup("dvip", "victim", "childrens_services")
    with signed_in(browser, live_server, codes, "assigned", "assigned-password-1") as worker:
        url = ask(worker, people["client"].pk, to="Robin Ashdown, Duty officer, Northvale Children's Services",
                  purpose="child_protection", grounds=["child_at_risk_of_significant_harm"])
        assert shows(worker, "clause 3.02")
        with signed_in(browser, live_server, codes, "manager", "manager-password-1") as manager:
            approve(manager, url, "manager-password-1")
        deliver_and_download(browser, live_server, worker, url)


def test_justus_serious_crime_to_the_police_by_two_workers(browser, live_server):
    people, codes = setup("justus", "service_user", "police")
    with signed_in(browser, live_server, codes, "assigned", "assigned-password-1") as worker:
        url = ask(worker, people["client"].pk, to="Robin Ashdown, Duty officer, Eastmere Police",
                  purpose="liaison", grounds=["serious_crime"])
        assert shows(worker, "clause 4.4")
        with signed_in(browser, live_server, codes, "sameteam", "sameteam-password-1") as colleague:
            approve(colleague, url, "sameteam-password-1")
        deliver_and_download(browser, live_server, worker, url)


def test_day_mer_the_coordinator_then_the_chair_and_the_client_told_first(browser, live_server):
    people, codes = setup("day_mer", "service_user", "childrens_services")
    with signed_in(browser, live_server, codes, "assigned", "assigned-password-1") as worker:
        # A serious concern for a dependant's health and safety: "the staff member will inform the
        # client that they will not be able to safeguard confidentiality" before the agencies.
        url = ask(worker, people["client"].pk, to="Robin Ashdown, Duty officer, Northvale Children's Services",
                  purpose="safeguarding", grounds=["risk_to_others"])
        with signed_in(browser, live_server, codes, "manager", "manager-password-1") as coordinator:
            approve(coordinator, url, "manager-password-1")
        worker.goto(url)
        assert shows(worker, "Waiting for approval, step 2")
        with signed_in(browser, live_server, codes, "trustee", "trustee-password-1") as chair:
            chair.goto("/")
            chair.get_by_role("link", name="waiting for your approval").click()
            chair.get_by_role("link", name="request").first.click()
            assert CLIENT_NAME not in html(chair), "the Chair is briefed without the client's name"
            approve(chair, url, "trustee-password-1")
        record_step(worker, url, "Tell the client first",
                    "Told him at the drop-in on Tuesday that we cannot keep this confidential, and why.")
        deliver_and_download(browser, live_server, worker, url)
