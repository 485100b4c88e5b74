"""The partner directory in real Chromium, each page checked with axe-core: a manager adds an agency,
its staff and an agreement (with a mistake on each form first) and ends one early; a worker reads
the directory and finds no way to change it."""

from __future__ import annotations

import pytest

from confide.partners.demo import do_seed_partners
from tests.browser.conftest import assert_accessible, html, shows
from tests.browser.test_pages import people, sign_in_with_totp  # noqa: F401 -- the fixture is used by name

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_manager_keeps_the_partner_directory(page, people):  # noqa: F811
    do_seed_partners(people["data_controller"])
    sign_in_with_totp(page, "manager", "manager-password-1")
    page.get_by_role("navigation", name="Sections").get_by_role("link", name="Partner agencies").click()
    assert "Northvale Children's Services" in page.get_by_role("table").inner_text()
    assert_accessible(page, "partner directory")

    # A new agency, first with the name of one already there.
    page.get_by_role("link", name="Add an agency").click()
    assert_accessible(page, "add an agency")
    page.get_by_label("Name of the agency").fill("northvale children's services")
    page.get_by_label("Kind of agency").select_option("police")
    page.get_by_label("Switchboard number, from a trusted source").fill("01632 960500")
    page.get_by_role("button", name="Add the agency").click()
    assert "There is already an agency called" in page.get_by_role("alert").inner_text()
    assert page.get_by_label("Switchboard number, from a trusted source").input_value() == "01632 960500"
    assert_accessible(page, "add an agency with an error")
    page.get_by_label("Name of the agency").fill("Westmere Youth Offending Team")
    page.get_by_label("Kind of agency").select_option("partner_agency")
    page.get_by_role("button", name="Add the agency").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Westmere Youth Offending Team"
    assert shows(page, "There is no information-sharing agreement with this agency")
    assert_accessible(page, "agency with no staff or agreement")

    # An agreement needs named staff: the page says so and links to adding them.
    page.get_by_role("link", name="Record an agreement").click()
    assert "nobody at Westmere Youth Offending Team is named yet" in page.get_by_role("main").inner_text()
    assert_accessible(page, "record an agreement with nobody named")
    page.get_by_role("main").get_by_role("link", name="Add a member of their staff").click()
    assert_accessible(page, "add a member of staff")
    page.get_by_label("Email address").fill("not an address")
    page.get_by_role("button", name="Add them").click()
    assert "Give the person's name." in page.get_by_role("alert").inner_text()
    assert_accessible(page, "add a member of staff with errors")
    page.locator("#id_name").fill("Rowan Ashby")  # its label now carries the error too
    page.get_by_label("Job title").fill("YOT officer")
    page.get_by_label("Email address").fill("rowan.ashby@example.org")
    page.get_by_role("button", name="Add them").click()
    assert "Rowan Ashby" in page.get_by_role("table").inner_text()

    page.get_by_role("link", name="Record an agreement").click()
    assert_accessible(page, "record an agreement")
    page.get_by_label("Title").fill("Westmere youth justice agreement")
    page.get_by_label("In force from").fill("1 4 2026")
    page.get_by_label("Until (if it has an end date)").fill("1 3 2026")
    page.get_by_label("Risk assessment").check()
    page.get_by_label("Safeguarding").check()
    page.get_by_label("Rowan Ashby (YOT officer)").check()
    page.get_by_role("button", name="Record the agreement").click()
    assert "The end date must be after the start date." in page.get_by_role("alert").inner_text()
    assert page.get_by_label("Rowan Ashby (YOT officer)").is_checked()
    assert_accessible(page, "record an agreement with an error")
    page.get_by_label("Until (if it has an end date)").fill("")
    page.get_by_role("button", name="Record the agreement").click()
    agreements = page.get_by_role("region", name="Information-sharing agreements").inner_text()
    assert "In force today." in agreements and "Rowan Ashby" in agreements
    assert_accessible(page, "agency with an agreement")

    # Someone leaves; the agreement is ended early.
    page.get_by_role("link", name="Change Rowan Ashby").click()
    assert_accessible(page, "change a member of staff")
    page.get_by_label("Still works at the agency (untick when they have left)").uncheck()
    page.get_by_role("button", name="Save the changes").click()
    assert "No: has left" in page.get_by_role("region", name="Named staff").inner_text()
    page.get_by_role("link", name="End this agreement early").click()
    assert_accessible(page, "end an agreement")
    page.get_by_label("Ended on").fill("1 1 2020")
    page.get_by_role("button", name="End the agreement").click()
    assert "An agreement cannot end before it starts" in page.get_by_role("alert").inner_text()
    assert_accessible(page, "end an agreement with an error")
    page.get_by_label("Ended on").fill("2 4 2026")
    page.get_by_role("button", name="End the agreement").click()
    assert shows(page, "Ended early on 2 April 2026.")
    page.get_by_role("link", name="Change the agency's details").click()
    assert_accessible(page, "change an agency")


def test_a_worker_reads_the_directory_and_cannot_change_it(page, people):  # noqa: F811
    seeded = do_seed_partners(people["manager"])
    sign_in_with_totp(page, "assigned", "assigned-password-1")
    page.get_by_role("navigation", name="Sections").get_by_role("link", name="Partner agencies").click()
    page.wait_for_url("**/partners/")
    assert "Add an agency" not in html(page)
    page.get_by_role("link", name="Eastmere and Northvale Probation Delivery Unit").click()
    assert shows(page, "Not in force today.") and shows(page, "Expired")
    assert "Change" not in page.get_by_role("main").inner_text()
    assert_accessible(page, "agency page for a worker")
    response = page.goto(f"/partners/{seeded['probation'].pk}/change/")
    assert response.status == 404
