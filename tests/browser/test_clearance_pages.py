"""Declarations before access, in real Chromium with axe-core: a manager finds the new worker on the
register as not signed and not inducted, records the induction; the new worker, signed in, is shown
"Before you can open clients' files" when opening a client's file, follows the link, is told beside
the field that a wrong name is not theirs, signs with their own, and the file opens. Every page on the
way: zero axe violations."""

from __future__ import annotations

import pytest
from django.utils import timezone

from tests.base import CLIENT_NAME, role_of_kind
from tests.browser.conftest import assert_accessible, html, shows
from tests.browser.test_pages import SETUP_CODES, people, sign_in_with_totp  # noqa: F401 -- the fixture is used by name

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_register_induction_then_the_new_worker_signs_and_opens_the_file(page, people):  # noqa: F811
    from django.contrib.auth import get_user_model

    from confide.accounts.services import do_issue_setup_code
    from confide.staffing.models import Induction, Signature

    newbie = get_user_model().objects.create_user(
        username="newbie", password="newbie-password-1", role=role_of_kind(people["pack"], "worker"),
        team=people["north"], first_name="Nia", last_name="Newcombe")
    people["case"].workers.add(newbie)
    SETUP_CODES["newbie"] = do_issue_setup_code(newbie)

    sign_in_with_totp(page, "manager", "manager-password-1")
    page.goto("/declarations/register/")
    main = page.get_by_role("main").inner_text()
    assert "Nia Newcombe" in main and "not signed" in main and "Cannot open them yet" in main
    assert "Overdue: was due" in main  # make_people leaves one training module overdue, said in words
    assert CLIENT_NAME not in main
    page.get_by_label("Who was inducted").select_option(label="Nia Newcombe")
    page.get_by_label("Date the induction was completed").fill(timezone.localdate().isoformat())
    page.get_by_role("button", name="Record the induction").click()
    assert shows(page, "The induction is recorded.")
    assert Induction.objects.filter(person=newbie).exists()
    assert_accessible(page, "the register")
    page.get_by_role("button", name="Sign out").click()

    sign_in_with_totp(page, "newbie", "newbie-password-1")
    page.goto(f"/clients/{people['client'].pk}/")
    assert shows(page, "Before you can open clients")
    assert CLIENT_NAME not in html(page)
    assert_accessible(page, "before you can open clients' files")
    page.get_by_role("link", name="Read and sign it").click()
    page.wait_for_url("**/declarations/**")
    assert "I have been given a copy of the data protection and confidentiality procedure" in html(page)

    page.get_by_label("Type your full name to sign").fill("Someone Else")
    page.get_by_role("button", name="Sign:").click()
    assert "Type your name exactly as Confide knows it: Nia Newcombe." in page.get_by_role("alert").inner_text()
    assert not Signature.objects.filter(person=newbie).exists()
    page.get_by_label("Type your full name to sign").fill("nia newcombe")
    page.get_by_role("button", name="Sign:").click()
    assert shows(page, "Signed. Thank you.")
    assert shows(page, "Everything the policy asks of you before you open clients' files is done.")
    assert_accessible(page, "your declarations")

    page.goto(f"/clients/{people['client'].pk}/")
    assert shows(page, CLIENT_NAME)
