"""Tasks and notices in real Chromium with axe-core, at desktop width and at 320 px (WCAG 1.4.10):
the header's notice count, the notices page (open one, mark all as read), the task list with its
due dates and the client's name, an overdue task, and setting a task on a client's file (a wrong
date answered on the page)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone

from tests.base import CLIENT_NAME
from tests.browser.conftest import assert_accessible, html, shows
from tests.browser.test_pages import people, sign_in_with_totp  # noqa: F401 -- the fixture is used by name

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def count(n: int):
    """The header's link as a screen reader names it: "Notices (2 unread)"; the page shows "Notices (2)"."""
    return re.compile(rf"^Notices \({n}\s*unread\s*\)$")


def checked(page, label: str, narrow: bool) -> None:
    page.wait_for_load_state("load")
    if narrow:
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 320, f"{label}: {width} px wide in a 320 px window"
    assert_accessible(page, f"{label}{' at 320 px' if narrow else ''}")


def walk(page, p, narrow: bool) -> None:
    from confide.notices.models import Notice
    from confide.sharing.models import Task
    from confide.sharing.tasks import new_task

    today = timezone.localdate()
    # A colleague gave the worker a task two days ago, now overdue; and one due next week.
    new_task(by=p["same_team"].pk, kind="review_safety_plan", title="Review the safety plan", client_id=p["client"].pk,
             case_id=p["case"].pk, assigned_to_id=p["assigned"].pk, due_on=today - dt.timedelta(days=2))
    new_task(by=p["same_team"].pk, kind="book_session", title="Book the next session", client_id=p["client"].pk,
             case_id=p["case"].pk, assigned_to_id=p["assigned"].pk, due_on=today + dt.timedelta(days=7))
    sign_in_with_totp(page, "assigned", "assigned-password-1")
    account = page.get_by_role("navigation", name="Account")
    assert account.get_by_role("link", name=count(2)).count() == 1

    account.get_by_role("link", name="Notices").click()
    page.wait_for_url("**/notices/")
    assert page.get_by_role("button", name="A task has been given to you").count() == 2
    assert CLIENT_NAME not in html(page)
    checked(page, "notices", narrow)
    page.get_by_role("button", name="A task has been given to you").first.click()
    page.wait_for_url("**/tasks/*/")
    assert page.get_by_role("heading", level=1).inner_text() in ("Review the safety plan", "Book the next session")
    assert shows(page, CLIENT_NAME)
    checked(page, "a task", narrow)
    assert page.get_by_role("navigation", name="Account").get_by_role("link", name=count(1)).count() == 1

    page.get_by_role("link", name="Back to your tasks").click()
    main = page.get_by_role("main")
    words = main.inner_text()
    assert "Overdue by 2 days" in words and CLIENT_NAME in words
    assert words.index("Review the safety plan") < words.index("Book the next session")
    checked(page, "task list", narrow)

    page.goto("/notices/")
    page.get_by_role("button", name="Mark all as read").click()
    page.wait_for_url("**/notices/")
    assert page.get_by_role("navigation", name="Account").get_by_role("link", name="Notices", exact=True).count() == 1
    assert Notice.objects.filter(read_at__isnull=True).count() == 0
    checked(page, "notices, all read", narrow)

    # Setting a task on the client's file, for a colleague.
    page.goto(f"/clients/{p['client'].pk}/")
    page.get_by_role("link", name="Add a task").click()
    page.get_by_label("Follow up the referral").check()
    page.get_by_label("Who will do it?").select_option(label="Sam Teamson (Violence Prevention Programme worker)")
    page.get_by_label("When is it due?").fill((today - dt.timedelta(days=1)).isoformat())
    page.get_by_role("button", name="Add the task").click()
    assert "The due date cannot be in the past" in page.get_by_role("alert").inner_text()
    checked(page, "add a task: what was wrong", narrow)
    page.get_by_label("When is it due?").fill((today + dt.timedelta(days=3)).isoformat())
    page.get_by_role("button", name="Add the task").click()
    page.wait_for_url(f"**/clients/{p['client'].pk}/")
    task = Task.objects.get(kind="follow_up_referral")
    assert (task.assigned_to_id, task.due_on) == (p["same_team"].pk, today + dt.timedelta(days=3))
    assert Notice.objects.filter(user=p["same_team"], read_at__isnull=True).count() == 1


def test_tasks_and_notices_at_desktop_width(page, people):  # noqa: F811
    walk(page, people, narrow=False)


def test_tasks_and_notices_at_320_px(page, people):  # noqa: F811
    page.set_viewport_size({"width": 320, "height": 800})
    walk(page, people, narrow=True)
