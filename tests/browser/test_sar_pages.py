"""Subject-access requests in real Chromium with axe-core: the data controller logs a request from
the client's file (a date to come answered on the page), sees the clock with the policy's later
deadline flagged, records the search and compiles the file; a manager, the second person, finds it
on the list by the client's number, accepts the proposed redactions, withholds the health item and
releases the copy with their password. Every page on the way: zero axe violations."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from tests.base import CLIENT_NAME, PERSON_NAME
from tests.browser.conftest import assert_accessible, html, shows
from tests.browser.test_pages import people, sign_in_with_totp  # noqa: F401 -- the fixture is used by name

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_subject_access_request_from_logging_to_release(page, people):  # noqa: F811
    from confide.subject_access.models import Item, Release, SubjectAccessRequest

    today = timezone.localdate()
    client = people["client"]
    sign_in_with_totp(page, "controller", "controller-password-1")
    page.get_by_role("navigation", name="Sections").get_by_role("link", name="Subject access").click()
    page.wait_for_url("**/subject-access/")
    assert shows(page, "No subject-access requests are open.")
    assert_accessible(page, "the list, empty")

    page.goto(f"/clients/{client.pk}/?purpose=subject_access")
    page.get_by_role("link", name="Log a subject-access request").click()
    page.wait_for_url(f"**/clients/{client.pk}/subject-access/new/")
    assert_accessible(page, "log a request")
    page.get_by_label("When was the request received?").fill((today + dt.timedelta(days=1)).isoformat())
    page.get_by_label("Verbally (in person or by phone)").check()
    page.get_by_label("Known to us: the client's worker recognised them").check()
    page.get_by_label("When was their identity confirmed?").fill(today.isoformat())
    page.get_by_role("button", name="Log the request").click()
    assert "That date is in the future" in page.get_by_role("alert").inner_text()
    assert_accessible(page, "log a request: what was wrong")
    page.get_by_label("When was the request received?").fill((today - dt.timedelta(days=2)).isoformat())
    page.get_by_role("button", name="Log the request").click()
    page.wait_for_url("**/subject-access/*/")
    sar = SubjectAccessRequest.objects.get()
    assert CLIENT_NAME not in page.url
    main = page.get_by_role("main").inner_text()
    assert "Due by" in main and "40 days" in main and "would be late" in main
    assert_accessible(page, "the request and its clock")

    page.get_by_label("Where did you look?").fill("This file, the paper file and the team inbox.")
    page.get_by_label("When did you finish looking?").fill(today.isoformat())
    page.get_by_role("button", name="Record the search").click()
    assert shows(page, "Recorded: the search made.")
    page.get_by_role("button", name="Compile the file", exact=True).click()
    page.wait_for_url("**/subject-access/*/review/")
    assert shows(page, "A second person reviews and releases the copy: you compiled it.")
    assert page.get_by_role("button", name="Release the copy").count() == 0
    assert_accessible(page, "the review, as its compiler")

    page.get_by_role("button", name="Sign out").click()
    sign_in_with_totp(page, "manager", "manager-password-1")
    page.goto("/subject-access/")
    assert shows(page, f"Client {client.pk}")
    assert CLIENT_NAME not in page.get_by_role("main").inner_text()
    assert_accessible(page, "the list, as a reviewer")
    page.get_by_role("link", name=f"Client {client.pk}").click()
    page.wait_for_url("**/subject-access/*/review/")
    assert PERSON_NAME in page.locator("mark").all_inner_texts()
    assert_accessible(page, "the review, as the second person")

    page.get_by_role("button", name="Save these redaction decisions").click()
    page.wait_for_url("**/review/")
    assert shows(page, "Saved: the redaction decisions.")
    health = Item.objects.get(request=sar, decision=Item.Decision.WAIT_HEALTH)
    item = page.locator(f"#item-{health.position}")
    item.get_by_text(f"Change the decision on item {health.position}").click()
    item.get_by_label("Withhold it").check()
    item.get_by_role("button", name=f"Save the decision on item {health.position}").click()
    assert shows(page, f"Saved: the decision on item {health.position}.")
    assert "Exemptions log" in html(page)
    assert_accessible(page, "the review, ready to release")

    page.get_by_label("Confirm it is you").fill("not-my-password")
    page.get_by_role("button", name="Release the copy").click()
    assert "That is not your password" in page.get_by_role("alert").inner_text()
    assert_accessible(page, "release: the wrong password")
    page.get_by_label("Confirm it is you").fill("manager-password-1")
    page.get_by_role("button", name="Release the copy").click()
    page.wait_for_url(f"**/subject-access/{sar.pk}/")
    assert shows(page, "Reviewed and released by")
    assert Release.objects.filter(request=sar, reviewed_by=people["manager"]).count() == 1
    assert_accessible(page, "the request, released")
