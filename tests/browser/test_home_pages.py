"""The home page as a working day, in real Chromium with axe-core, at desktop width and at 320 px
(WCAG 1.4.10: nothing scrolls sideways): a worker's caseload, tasks and requests; a manager's
approvals with their age, the opening to review, the team's caseloads and overdue tasks."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from tests.base import CLIENT_NAME, ask
from tests.browser.conftest import assert_accessible, html, shows
from tests.browser.test_pages import people, sign_in_with_totp  # noqa: F401 -- the fixture is used by name

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
NARROW = {"width": 320, "height": 800}


def _walk(page, label: str) -> None:
    """The page passes axe at desktop width, then at 320 px without scrolling sideways."""
    assert_accessible(page, label)
    page.set_viewport_size(NARROW)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 320, f"{label}: {width} px wide in a 320 px window"
    assert_accessible(page, f"{label} at 320 px")
    page.set_viewport_size({"width": 1280, "height": 800})


def _day(p):
    """A day's work on the fixtures' client: contacts, a risk assessment, tasks (one overdue), two
    requests (one approved) and a file opened outside someone's own work."""
    from confide.records.break_glass import do_open_outside
    from confide.records.entries import EntryFacts, do_add_note, do_add_risk_assessment
    from confide.records.models import Case
    from confide.sharing.disclosure import do_decide
    from confide.sharing.tasks import do_add_task, do_add_task_to_file

    today = timezone.localdate()
    Case.objects.filter(pk=p["case"].pk).update(referred_on=today - dt.timedelta(days=40),
                                                     next_contact_on=today + dt.timedelta(days=2))
    p["case"].refresh_from_db()
    do_add_note(p["assigned"], p["case"], "Phoned at the agreed time.",
                EntryFacts(contact_on=today - dt.timedelta(days=5), contact_kind="phone", duration_minutes=15))
    do_add_risk_assessment(p["assigned"], p["case"], "Checklist completed with the client.", "high")
    do_add_task_to_file(p["assigned"], p["case"], what="phone_client", due_on=today + dt.timedelta(days=2),
                        assigned_to_id=p["assigned"].pk)
    do_add_task(p["manager"], kind="review_case", title_text="Review the case with a manager", clause="",
                client_id=p["client"].pk, case_id=p["case"].pk, assigned_to_id=p["assigned"].pk,
                due_on=today - dt.timedelta(days=3))
    ask(p)
    approved = ask(p)
    do_decide(p["manager"], approved.pk, "approve", "Threshold met, share now.", "manager-password-1")
    do_open_outside(p["same_team"], p["other_client"].pk, "direct_support", "Duty line call, worker away today")


def test_a_workers_home_shows_their_day(page, people):  # noqa: F811
    _day(people)
    sign_in_with_totp(page, "assigned", "assigned-password-1")
    clients = page.get_by_role("region", name="Your clients")
    text = clients.inner_text()
    assert CLIENT_NAME in text and "Risk: High" in text and "Next contact:" in text and "open tasks" in text
    tasks = page.get_by_role("region", name="Your tasks").inner_text()
    assert "1 overdue." in tasks and "Phone the client" in tasks
    assert "Approved: ready to send" in page.get_by_role("region", name="Sharing and consent").inner_text()
    _walk(page, "a worker's home")
    clients.get_by_role("link", name=CLIENT_NAME).click()
    page.wait_for_url(f"**/clients/{people['client'].pk}/")


def test_a_managers_home_shows_what_waits_for_them(page, people):  # noqa: F811
    _day(people)
    sign_in_with_totp(page, "manager", "manager-password-1")
    approvals = page.get_by_role("region", name="1 request to share waiting for your approval").inner_text()
    assert "waiting since today" in approvals and CLIENT_NAME not in approvals
    assert "Sam Teamson opened a file" in page.get_by_role("region", name="Break-glass openings to review").inner_text()
    team = page.get_by_role("region", name="Your team").inner_text()
    assert "Ada Assigned" in team and "Review the case with a manager" in team and "was due" in team
    _walk(page, "a manager's home")


def test_a_trustees_home_leads_to_the_released_reports(page, people):  # noqa: F811
    # Trustees see figures only in released reports, never live counts (issue 17, DVIP 10.03).
    _day(people)
    sign_in_with_totp(page, "trustee", "trustee-password-1")
    assert shows(page, "Figures for the committee")
    assert CLIENT_NAME not in html(page)
    page.get_by_role("link", name="All released reports and case studies").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Reports"
    assert CLIENT_NAME not in html(page)
    _walk(page, "reports")
