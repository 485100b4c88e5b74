"""Pages at 320 px wide (WCAG 1.4.10 Reflow), in real Chromium with axe-core: the pages a worker and a
manager use most, filled with long words (a name with no spaces, a long agency name, a long right-to-left
name), never scroll sideways; the demo banner sits inside a landmark; a right-to-left name is isolated."""

from __future__ import annotations

import pytest

from tests.base import sharing_fixtures
from tests.browser.conftest import assert_accessible
from tests.browser.test_pages import people, sign_in_with_totp  # noqa: F401 -- the fixture is used by name

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NARROW = {"width": 320, "height": 800}
# Fictional, and as long as real ones get: a double-barrelled name with no space to break at, and an
# agency whose name and email address are one long word each.
LONG_NAME = "Anastasia-Wilhelmina Featherstonehaugh-Montgomery-Cholmondeley"
RTL_NAME = "فاطمة الزهراء عبدالرحمنالمصطفى"
AGENCY = "Northvale-and-Eastmere-Multi-Agency-Safeguarding-Hub-Partnership"


def _fill(p):
    from django.utils import timezone

    from confide.partners.directory import do_add_agency, do_add_agreement, do_add_contact
    from confide.records.models import Case, Client

    ids = sharing_fixtures(p)["ids"]
    for name in (LONG_NAME, RTL_NAME):
        client = Client.objects.create(display_name=name, team=p["north"])
        case = Case.objects.create(client=client, service=p["case"].service, team=p["north"],
                                   status=Case.Status.OPEN)
        case.workers.add(p["assigned"])
    agency = do_add_agency(p["manager"], name=AGENCY, kind="childrens_services", known_phone="01632 960300",
                           secure_email="duty.team.safeguarding.referrals@northvale-eastmere-mash.example.org")
    contact = do_add_contact(p["manager"], agency, name="Robin Ashdown-Featherstonehaugh", job_title="Duty")
    do_add_agreement(p["manager"], agency, title="Local information-sharing agreement",
                     starts_on=timezone.localdate(), ends_on=None, data=["case_notes"],
                     purposes=["child_protection"], contacts=[contact])
    return ids, agency


def assert_reflows(page, label: str) -> None:
    """At 320 px the page does not scroll sideways, and passes axe."""
    page.wait_for_load_state("load")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 320, f"{label}: the page is {width} px wide at a 320 px window, so it scrolls sideways"
    assert_accessible(page, f"{label} at 320 px")


def test_the_pages_people_use_most_reflow_at_320_px(page, people, settings):  # noqa: F811
    ids, agency = _fill(people)
    client = people["client"].pk
    sign_in_with_totp(page, "assigned", "assigned-password-1")
    settings.DEMO_MODE = True  # the banner on every page from here: axe's region rule checks it is in a landmark
    page.set_viewport_size(NARROW)
    for label, url in (("home", "/"), ("client list", "/clients/"), ("client file", f"/clients/{client}/"),
                       ("consent and sharing", f"/clients/{client}/sharing/"),
                       ("ask to share", f"/clients/{client}/share/"),
                       ("a request to share", f"/disclosures/{ids['disclosure_id']}/"),
                       ("partner directory", "/partners/"), ("an agency", f"/partners/{agency.pk}/")):
        page.goto(url)
        assert_reflows(page, label)
    assert page.get_by_role("complementary", name="Demo").inner_text().startswith("Demo mode.")

    page.goto("/clients/")
    assert page.get_by_role("link", name=LONG_NAME).is_visible()
    rtl = page.locator("bdi", has_text=RTL_NAME)
    assert rtl.count() == 1, "the right-to-left name is not isolated in a <bdi>"
    page.get_by_role("link", name=RTL_NAME).click()
    assert page.locator("h1 bdi").inner_text() == RTL_NAME
    assert_reflows(page, "a right-to-left client's file")


def test_a_managers_pages_reflow_at_320_px(page, people):  # noqa: F811
    ids, _agency = _fill(people)
    sign_in_with_totp(page, "manager", "manager-password-1")
    page.set_viewport_size(NARROW)
    for label, url in (("manager's home", "/"), ("approvals", "/approvals/"),
                       ("a request to approve", f"/approvals/{ids['disclosure_id']}/"), ("reviews", "/reviews/"),
                       ("clients for supervision", "/clients/?purpose=supervision")):
        page.goto(url)
        assert_reflows(page, label)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto("/approvals/")
    assert_accessible(page, "approvals at desktop width")
