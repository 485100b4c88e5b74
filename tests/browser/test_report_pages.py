"""Reports in real Chromium with axe-core (issue 17): the committee member opens the last quarter's
released report, sees its charts and tables with small numbers hidden, and downloads the PDF and the
CSV; the data controller reviews a draft (with why each number is hidden), drafts a case study and
sees it anonymised. Every page on the way: zero axe violations."""

from __future__ import annotations

import datetime as dt
import random

import pytest

from tests.base import CLIENT_NAME
from tests.browser.conftest import assert_accessible, html, shows
from tests.browser.test_pages import people, sign_in_with_totp  # noqa: F401 -- the fixture is used by name

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

Q3 = (dt.date(2026, 7, 1), dt.date(2026, 9, 30))


def test_trustee_sees_figures_and_downloads_pdf_and_csv(page, people):  # noqa: F811
    from confide.reports import services
    from confide.reports.demo import populate_year

    populate_year(dt.date(2026, 12, 6), random.Random(5), clients=400)
    released = services.do_release_report(people["data_controller"],
                                          services.do_draft_report(people["manager"], "quarter", *Q3).pk,
                                          command_line=True)
    draft = services.do_draft_report(people["manager"], "quarter", dt.date(2026, 4, 1), dt.date(2026, 6, 30))

    sign_in_with_totp(page, "trustee", "trustee-password-1")
    page.goto("/reports/")
    assert shows(page, released.label)
    assert draft.label not in html(page)
    assert_accessible(page, "the reports, as a trustee")
    page.get_by_role("link", name=released.label).click()
    page.wait_for_url(f"**/reports/{released.pk}/")
    main = page.get_by_role("main").inner_text()
    assert "Private and confidential" in main and "New referrals by service and referral source" in main
    assert "hidden" in html(page) and CLIENT_NAME not in main
    assert page.get_by_role("img").count() >= 4  # a chart per subject, each followed by its table
    assert_accessible(page, "a released report")
    with page.expect_download() as pdf:
        page.get_by_role("link", name="PDF of the report").click()
    assert pdf.value.suggested_filename == "report-2026-07-01-to-2026-09-30.pdf"
    with page.expect_download() as csv:
        page.get_by_role("link", name="CSV for a spreadsheet").click()
    text = open(csv.value.path(), encoding="utf-8-sig").read()
    assert text.startswith("Private and confidential") and "hidden" in text
    page.goto(f"/reports/{draft.pk}/")
    assert "Release the report" not in html(page) and draft.label not in html(page)

    page.goto("/reports/")
    page.get_by_role("button", name="Sign out").click()
    sign_in_with_totp(page, "controller", "controller-password-1")
    page.goto(f"/reports/{draft.pk}/")
    assert shows(page, "Review and release")
    assert "small count" in html(page) or "protects" in html(page)
    assert_accessible(page, "a draft, for review")
    page.goto("/reports/")
    assert_accessible(page, "the reports, as the data controller")
    page.get_by_role("link", name="Draft a case study from a case").click()
    page.wait_for_url("**/case-studies/new/")
    assert_accessible(page, "drafting a case study")
    page.get_by_role("button", name="Save it, anonymised").click()
    assert shows(page, "Enter the number of the case it is drawn from.")
    assert_accessible(page, "a case study with errors")
