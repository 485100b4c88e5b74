"""Every page, in real Chromium: it works without JavaScript, passes axe-core with zero violations,
and the browser reports no Content-Security-Policy violation."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pyotp
import pytest

from confide.audit.services import verify_chain
from tests.base import CLIENT_NAME, NOTE_TEXT, OTHER_CLIENT_NAME, make_people
from tests.browser.conftest import assert_accessible, html, shows

HOME_URL = re.compile(r"^http://[^/]+/$")
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


SETUP_CODES: dict[str, str] = {}


@pytest.fixture
def people(live_server):
    from django.contrib.auth import get_user_model

    from confide.accounts.services import do_issue_setup_code

    people = make_people("dvip")
    for user in get_user_model().objects.all():
        SETUP_CODES[user.username] = do_issue_setup_code(user)
    return people


def sign_in_with_totp(page, username: str, password: str) -> None:
    """The whole first sign-in, as a person does it: password, set-up code, scan (here: read) the
    key, code from the app."""
    page.goto("/account/sign-in/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url("**/second-factor/")
    key = re.sub(r"\s", "", page.locator("code.secret").inner_text())
    page.get_by_label("Set-up code from your administrator").fill(SETUP_CODES[username])
    page.get_by_label("Six-digit code").fill(pyotp.TOTP(key).now())
    page.get_by_role("button", name="Confirm and sign in").click()
    page.wait_for_url(HOME_URL)


def test_sign_in_pages_and_errors_are_accessible(page, people):
    page.goto("/account/sign-in/")
    assert page.title() == "Sign in – Confide"
    assert_accessible(page, "sign-in")
    page.get_by_label("Username").fill("assigned")
    page.get_by_label("Password").fill("wrong-password-typed")
    page.get_by_role("button", name="Continue").click()
    assert "do not match" in page.get_by_role("alert").inner_text()
    assert_accessible(page, "sign-in with an error")
    page.get_by_label("Username").fill("assigned")
    page.get_by_label("Password").fill("assigned-password-1")
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url("**/second-factor/")
    assert page.locator("svg").count() == 1
    assert_accessible(page, "second-factor set-up")
    page.get_by_label("Six-digit code").fill("12")
    page.get_by_role("button", name="Confirm and sign in").click()
    assert shows(page, "Enter the six digits")
    assert_accessible(page, "second-factor set-up with an error")


def test_a_worker_signs_in_with_a_second_factor_sees_only_their_client_and_locks_the_screen(page, people):
    sign_in_with_totp(page, "assigned", "assigned-password-1")
    assert page.get_by_role("heading", level=1).inner_text() == "Hello, Ada"
    assert shows(page, CLIENT_NAME)
    assert OTHER_CLIENT_NAME not in html(page)
    assert_accessible(page, "worker home")
    page.get_by_role("link", name=CLIENT_NAME).click()
    assert shows(page, NOTE_TEXT)
    assert_accessible(page, "client file")
    page.get_by_role("link", name="Record of access").click()
    table = page.get_by_role("table").inner_text()
    assert "Ada Assigned" in table and "Opened the client's file" in table
    assert_accessible(page, "record of access")
    page.get_by_role("link", name="Lock screen").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Screen locked"
    for secret in (CLIENT_NAME, NOTE_TEXT, "Record of access"):
        assert secret not in html(page)
    assert_accessible(page, "lock screen")
    page.go_back()
    page.reload()
    assert CLIENT_NAME not in html(page), "going back after locking shows nothing"
    page.get_by_label("Password").fill("assigned-password-1")
    page.get_by_role("button", name="Unlock").click()
    assert shows(page, CLIENT_NAME)
    page.get_by_role("button", name="Sign out").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Sign in"
    assert verify_chain().ok


@pytest.mark.parametrize("who, heading, sees_client", [
    ("manager", "Break-glass openings to review", False),
    ("controller", "Audit log", False),
    ("trustee", "Figures for the committee", False),
    ("otherteam", "Your clients", False),
    ("admin", "Staff accounts", False),
    ("volunteer", "Your clients", False),
])
def test_each_role_has_an_accessible_home_page(page, people, who, heading, sees_client):
    sign_in_with_totp(page, who, f"{who}-password-1")
    assert page.get_by_role("heading", name=heading).count() == 1
    assert (CLIENT_NAME in html(page)) is sees_client
    assert_accessible(page, f"{who} home")


def test_the_data_controller_finds_a_record_of_access_by_number(page, people):
    sign_in_with_totp(page, "controller", "controller-password-1")
    page.get_by_role("link", name="find a record of access").click()
    assert_accessible(page, "record-of-access lookup")
    page.get_by_role("button", name="Show the record").click()
    assert "Enter the client's number" in page.get_by_role("alert").inner_text()
    assert_accessible(page, "record-of-access lookup with an error")
    page.get_by_label("Client number").fill(str(people["client"].pk))
    page.get_by_label("Why are you looking?").select_option("audit")
    page.get_by_role("button", name="Show the record").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Record of access"
    assert "Checking who has looked at the file" in page.get_by_role("table").inner_text()
    assert_accessible(page, "record of access for an audit")


def test_a_file_that_is_not_yours_is_an_accessible_not_found_page(page, people):
    sign_in_with_totp(page, "otherteam", "otherteam-password-1")
    response = page.goto(f"/clients/{people['client'].pk}/")
    assert response.status == 404
    assert CLIENT_NAME not in html(page)
    assert_accessible(page, "not found")


def test_the_idle_lock_warns_can_be_extended_and_clears_the_screen(page, people):
    # The page's clock is Playwright's: time stands still while axe runs, and jumps when told.
    page.clock.install()
    sign_in_with_totp(page, "assigned", "assigned-password-1")
    # The clock is read on the client's page once it has loaded and its idle script has started:
    # read on the page before, the jump below could land before the new page's clock began.
    with page.expect_navigation(wait_until="load"):
        page.get_by_role("link", name=CLIENT_NAME).click()
    assert shows(page, NOTE_TEXT)
    warning = page.get_by_role("alertdialog", name="Your screen will lock soon")
    assert warning.is_hidden()
    now = datetime.fromtimestamp(page.evaluate("Date.now()") / 1000, tz=UTC)
    page.clock.pause_at(now + timedelta(seconds=545))  # 9 min 5 s idle: the warning comes a minute before the lock
    warning.wait_for(state="visible", timeout=5000)
    assert page.evaluate("document.activeElement.id") == "idle-keep-working", "the warning takes the focus"
    page.clock.resume()  # axe needs its timers; the lock is still 55 s away
    assert_accessible(page, "idle-lock warning")
    with page.expect_response("**/account/keep-alive/") as kept:
        page.get_by_role("button", name="Keep working").click()
    assert kept.value.status == 204
    assert warning.is_hidden()
    assert shows(page, NOTE_TEXT), "keeping working stays on the page"
    page.clock.fast_forward(601_000)  # ten minutes more without a touch
    page.wait_for_url("**/account/lock/**", timeout=10000)
    assert page.get_by_role("heading", level=1).inner_text() == "Screen locked"
    for secret in (CLIENT_NAME, NOTE_TEXT):
        assert secret not in html(page)
