"""The administrator's staff pages, in real Chromium with axe-core, at desktop width and at 320 px
(WCAG 1.4.10): the staff list and its search, adding a person (a taken username first), changing a
role, issuing a new set-up code, and the organisation's settings."""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import assert_accessible, shows
from tests.browser.test_pages import people, sign_in_with_totp  # noqa: F401 -- the fixture is used by name

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CODE = re.compile(r"^[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}$")


def check(page, label: str, narrow: bool) -> None:
    page.wait_for_load_state("load")
    if narrow:
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 320, f"{label}: the page is {width} px wide at a 320 px window, so it scrolls sideways"
    assert_accessible(page, f"{label}{' at 320 px' if narrow else ''}")


def walk(page, narrow: bool) -> None:
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import check_password

    from confide.accounts.models import Organisation

    User = get_user_model()
    sign_in_with_totp(page, "admin", "admin-password-1")
    if narrow:
        page.set_viewport_size({"width": 320, "height": 800})
    page.get_by_role("navigation", name="Sections").get_by_role("link", name="Staff").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Staff"
    assert shows(page, "Team manager (line manager)"), "roles by their labels"
    check(page, "the staff list", narrow)

    page.get_by_label("Search by name or username").fill("mona")
    page.get_by_role("button", name="Search").click()
    results = page.locator("ul.staff-list > li")
    assert results.count() == 1 and "Mona Manager" in results.inner_text()
    check(page, "the staff list, searched", narrow)

    page.get_by_role("link", name="Add a person").click()
    page.get_by_label("First name").fill("Priya")
    page.get_by_label("Last name").fill("Fictional")
    page.get_by_label("Username").fill("Assigned")
    page.get_by_label("Email address (optional)").fill("priya@example.org")
    page.get_by_label("Role").select_option(label="Women's Support Service worker")
    page.get_by_label("Team").select_option(label="South team")
    page.get_by_label("Work phone (optional)").fill("01632 960123")
    page.get_by_label("First password").fill("a long first password 42")
    page.get_by_role("button", name="Add the person").click()
    problems = page.get_by_role("alert").inner_text()
    assert "'Assigned' is taken by another account: choose another." in problems
    check(page, "adding a person: a taken username", narrow)

    page.get_by_label("Username").fill("p.fictional")
    page.get_by_label("First password").fill("a long first password 42")  # a browser never keeps a password
    page.get_by_role("button", name="Add the person").click()
    code = page.get_by_label("Set-up code for p.fictional").input_value()
    assert CODE.match(code), code
    assert page.get_by_label("Set-up code for p.fictional").get_attribute("readonly") is not None
    assert shows(page, "never by email")
    added = User.objects.get(username="p.fictional")
    assert check_password(code.replace("-", ""), added.setup_code_hash), "the code shown is the one that works"
    check(page, "a person added, with their set-up code", narrow)

    page.get_by_role("link", name="Change their role, team or details").click()
    page.get_by_label("Role").select_option(label="Team manager (line manager)")
    check(page, "changing an account", narrow)
    page.get_by_role("button", name="Save the changes").click()
    assert "Saved." in page.get_by_role("status").inner_text()
    assert "Team manager (line manager)" in page.locator("dl").inner_text()
    assert User.objects.get(pk=added.pk).role == "team_manager"
    check(page, "the account after a new role", narrow)

    page.get_by_role("button", name="Issue a new set-up code").click()
    second = page.get_by_label("Set-up code for p.fictional").input_value()
    assert CODE.match(second) and second != code
    check(page, "a new set-up code", narrow)

    page.get_by_role("link", name="Back to the staff list").click()
    page.get_by_role("link", name="Organisation settings").click()
    page.get_by_label("Days to do a task").fill("0")
    page.get_by_role("button", name="Save the settings").click()
    assert "Give a number of days from 1 to 90." in page.get_by_role("alert").inner_text()
    check(page, "organisation settings: a wrong number of days", narrow)
    page.get_by_label("Phone number").fill("01632 960000")
    page.get_by_label("Days to do a task").fill("14")
    page.get_by_role("button", name="Save the settings").click()
    assert "Saved." in page.get_by_role("status").inner_text()
    assert Organisation.objects.get(pk=1).task_due_days == 14
    check(page, "organisation settings, saved", narrow)


def test_the_staff_pages_at_desktop_width(page, people):  # noqa: F811
    walk(page, narrow=False)


def test_the_staff_pages_at_320_px(page, people):  # noqa: F811
    walk(page, narrow=True)


def test_a_worker_is_refused_the_staff_pages_and_offered_no_link(page, people):  # noqa: F811
    sign_in_with_totp(page, "assigned", "assigned-password-1")
    assert page.get_by_role("navigation", name="Sections").get_by_role("link", name="Staff").count() == 0
    response = page.goto("/staff/")
    assert response.status == 403
    assert page.get_by_role("heading", level=1).inner_text() == "You cannot do that"
