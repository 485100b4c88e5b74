"""Retention in real Chromium with axe-core: the data controller finds a closed case past its date on
what falls due (by the client's number, never their name), prepares a batch, and approves it with
their password after a wrong one is refused on the page; a manager, the second person, approves and
applies it; the client file is destroyed. Then legal holds: a client number that names nobody is
answered beside the field, a hold is placed on everything and released. Every page on the way, and
the whole schedule: zero axe violations."""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

import pytest
from django.test import override_settings
from django.utils import timezone

from tests.base import CLIENT_NAME
from tests.browser.conftest import assert_accessible, html, shows
from tests.browser.test_pages import people, sign_in_with_totp  # noqa: F401 -- the fixture is used by name

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def own_key_store():
    """A destroyed key is not rolled back with the database: a key store of the test's own."""
    with tempfile.TemporaryDirectory() as folder, override_settings(KEYSTORE_PATH=Path(folder) / "keys.sqlite3"):
        yield


def test_due_batch_two_approvals_apply_and_holds(page, people, own_key_store):  # noqa: F811
    from confide.records.models import Case, Client
    from confide.retention.models import Batch, BatchApproval, LegalHold

    client = people["client"]
    case = Case.objects.get(pk=people["case"].pk)
    case.status, case.closed_on = Case.Status.CLOSED, timezone.localdate() - dt.timedelta(days=6 * 366)
    case.opened_on = case.closed_on - dt.timedelta(days=200)
    case.save()  # the schedule is worked out again: DVIP 9.15, five years after leaving

    sign_in_with_totp(page, "controller", "controller-password-1")
    assert shows(page, "1 record falls due in the next 30 days")
    page.get_by_role("navigation", name="Sections").get_by_role("link", name="Retention").click()
    page.wait_for_url("**/retention/due/")
    main = page.get_by_role("main").inner_text()
    assert f"Client {client.pk}" in main and "Clause 9.15 of the policy" in main
    assert CLIENT_NAME not in main
    assert_accessible(page, "what falls due")

    page.get_by_role("link", name="See the whole schedule").click()
    page.wait_for_url("**/retention/")
    assert "The policy gives no period: review" in page.get_by_role("main").inner_text()
    assert_accessible(page, "the whole schedule")
    page.go_back()
    page.wait_for_url("**/retention/due/")

    page.get_by_role("button", name="Prepare a batch for today").click()
    page.wait_for_url("**/retention/batches/*/")
    batch = Batch.objects.get()
    assert shows(page, f"Batch {batch.pk} is prepared")
    assert f"Client {client.pk}" in page.get_by_role("main").inner_text()
    assert page.get_by_role("button", name="Apply now").count() == 0
    assert_accessible(page, "the batch, prepared")

    page.get_by_label("Confirm it is you").fill("not-my-password")
    page.get_by_role("button", name="Approve").click()
    assert "That was not right" in page.get_by_role("alert").inner_text()
    assert not BatchApproval.objects.exists()
    assert_accessible(page, "approve: the wrong password")
    page.get_by_label("Confirm it is you").fill("controller-password-1")
    page.get_by_role("button", name="Approve").click()
    assert shows(page, "Your approval is recorded.")
    assert shows(page, "You have approved this batch")
    assert page.get_by_role("button", name="Approve").count() == 0
    assert_accessible(page, "the batch, one approval")

    page.get_by_role("button", name="Sign out").click()
    sign_in_with_totp(page, "manager", "manager-password-1")
    page.goto(f"/retention/batches/{batch.pk}/")
    page.get_by_label("Confirm it is you").fill("manager-password-1")
    page.get_by_role("button", name="Approve").click()
    assert shows(page, "Two people have approved it")
    assert_accessible(page, "the batch, two approvals")
    page.get_by_role("button", name="Apply now").click()
    assert "Tick the box to confirm" in page.get_by_role("alert").inner_text()
    assert_accessible(page, "apply: not confirmed")
    page.get_by_label("I have checked every line above").check()
    page.get_by_role("button", name="Apply now").click()
    assert shows(page, "The batch is applied.")
    assert "1 client file destroyed" in html(page)
    assert Client.objects.get(pk=client.pk).destroyed_at is not None
    assert_accessible(page, "the batch, applied")

    page.get_by_role("link", name="Back to what falls due").click()
    page.get_by_role("link", name="Legal holds").first.click()
    page.wait_for_url("**/retention/holds/")
    assert shows(page, "No legal hold is in place.")
    assert_accessible(page, "legal holds, none")
    page.get_by_label("Litigation").check()
    page.get_by_label("Who asked for it, or what requires it").fill("County court, claim K00XX001")
    page.get_by_label("One client's records").check()
    page.get_by_label("Client number").fill("999999")
    page.get_by_role("button", name="Place the hold").click()
    assert "There is no client number 999999" in page.get_by_role("alert").inner_text()
    assert_accessible(page, "place a hold: no such client")
    page.get_by_label("Everything: no record at all").check()
    page.get_by_role("button", name="Place the hold").click()
    hold = LegalHold.objects.get()
    assert shows(page, f"Hold {hold.pk} is placed")
    assert_accessible(page, "legal holds, one in place")
    page.get_by_role("button", name=f"Release hold {hold.pk}").click()
    assert shows(page, f"Hold {hold.pk} is released.")
    assert shows(page, "No legal hold is in place.")
    assert_accessible(page, "legal holds, released")
