"""Complaints about data protection in real Chromium with axe-core: the Head of Service Delivery logs a
complaint (a missing date is refused beside its field), sees the date its acknowledgement is due,
acknowledges it; the list shows it. Every page on the way: zero axe violations."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from tests.browser.conftest import assert_accessible, shows
from tests.browser.test_pages import people, sign_in_with_totp  # noqa: F401 -- the fixture is used by name

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_log_a_complaint_see_its_acknowledgement_date_and_acknowledge(page, people):  # noqa: F811
    from confide.complaints.models import Complaint

    sign_in_with_totp(page, "controller", "controller-password-1")
    page.goto("/complaints/")
    assert_accessible(page, "the complaints list, empty")
    page.get_by_role("link", name="Log a complaint").click()
    page.wait_for_url("**/complaints/new/")
    assert_accessible(page, "log a complaint")

    page.get_by_label("By email").check()
    page.get_by_label("Who made the complaint").fill("Mrs Philippa Quorndon-Vale, by email")
    page.get_by_label("What it is about").fill("A letter sent to the wrong address.")
    page.get_by_role("button", name="Log the complaint").click()
    assert "Enter the day the complaint was received" in page.get_by_role("alert").inner_text()
    assert_accessible(page, "log a complaint: date missing")

    received = timezone.localdate() - dt.timedelta(days=2)
    page.get_by_label("Date received").fill(received.isoformat())
    page.get_by_role("button", name="Log the complaint").click()
    page.wait_for_url("**/complaints/*/")
    complaint = Complaint.objects.get()
    due = received + dt.timedelta(days=30)
    assert shows(page, f"{due.day} {due:%B %Y}")
    assert_accessible(page, "the complaint")

    page.get_by_label("Date acknowledged").fill(timezone.localdate().isoformat())
    page.get_by_role("button", name="Record the acknowledgement").click()
    assert shows(page, "Acknowledged on")
    complaint.refresh_from_db()
    assert complaint.acknowledged_on == timezone.localdate()
    page.goto("/complaints/")
    assert shows(page, f"Complaint {complaint.pk}")
    assert_accessible(page, "the complaints list")
