"""Telling a client the limits of confidentiality, in real Chromium with axe-core: the prompt on the
file, the statement with its record form, a wrong entry answered on the page, and the record."""

from __future__ import annotations

import pytest
from django.utils import timezone

from tests.base import CLIENT_NAME
from tests.browser.conftest import assert_accessible, shows
from tests.browser.test_pages import people, sign_in_with_totp  # noqa: F401 -- the fixture is used by name

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_worker_records_that_a_victim_was_told_the_limits(page, people):  # noqa: F811
    from confide.records.models import Client

    # DVIP: Women's Support Service clients "should have the limits to their confidentiality explained
    # to them either in person or by telephone" (introduction; Appendix B).
    Client.objects.filter(pk=people["client"].pk).update(subject_role="victim")
    sign_in_with_totp(page, "assigned", "assigned-password-1")
    page.get_by_role("navigation", name="Sections").get_by_role("link", name="Clients").click()
    page.get_by_role("link", name=CLIENT_NAME).click()
    limits = page.get_by_role("region", name="The limits of confidentiality")
    assert "Tell" in limits.inner_text() and "limits of confidentiality" in limits.inner_text()
    limits.get_by_role("link", name="Print it and record it").click()
    assert_accessible(page, "the limits of confidentiality")
    assert shows(page, "Nothing is recorded yet for the current wording.")

    page.get_by_label("Date they were told").fill("")
    page.get_by_role("button", name="Record it").click()
    problems = page.get_by_role("alert").inner_text()
    assert "Say how the client was told." in problems and "Enter the date the client was told." in problems
    assert_accessible(page, "the limits of confidentiality: what was wrong")

    page.get_by_label("Explained in person").check()
    page.get_by_label("Date they were told").fill(timezone.localdate().isoformat())
    page.get_by_role("button", name="Record it").click()
    limits = page.get_by_role("region", name="The limits of confidentiality")
    assert "Told on" in limits.inner_text()
    assert_accessible(page, "client file once the limits were told")
