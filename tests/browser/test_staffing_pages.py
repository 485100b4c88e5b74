"""Staff records in real Chromium with axe-core: the line manager opens the list of personnel files,
opens a worker's file (notes, contact details, references given in confidence, the medical section
sealed to the role the pack names), then logs a request for the worker's home address (DVIP 5.01),
sees the policy's answer under clause 5.01, and passes it to the worker. Each page: zero axe
violations."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.browser.conftest import assert_accessible, shows
from tests.browser.test_pages import people, sign_in_with_totp  # noqa: F401 -- the fixture is used by name

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NOTES = "Probation passed: Sam settled in well on the rota."  # fictional
HOME = "12 Larkspur Row, Exampleton"
MEDICAL = "Fit note: back strain, two weeks from the third."


def test_personnel_file_and_contact_request(page, people):  # noqa: F811
    from confide.staffing.models import ContactRequest
    from confide.staffing.services import do_open_personnel_file, do_update_personnel

    file = do_open_personnel_file(people["manager"], people["same_team"], people["manager"], dt.date(2024, 4, 1))
    do_update_personnel(people["manager"], file, "notes", NOTES)
    do_update_personnel(people["manager"], file, "contact", {"home_address": HOME, "phone": "07700 900888"})
    do_update_personnel(people["manager"], file, "references", {"referee": "Petronella Fairweather",
                                                                 "text": "Reliable and kind."})
    do_update_personnel(people["data_controller"], file, "medical", MEDICAL)

    sign_in_with_totp(page, "manager", "manager-password-1")
    page.goto("/staff-records/")
    page.get_by_role("link", name="Sam Teamson").click()
    page.wait_for_url(f"**/staff-records/{file.pk}/")
    main = page.get_by_role("main").inner_text()
    assert NOTES in main and HOME in main and "Given in confidence (clause 8.05)" in main
    assert MEDICAL not in main
    assert "Sealed: only Head of Service Delivery (Data Controller) may open it (clause 8.07)." in main
    assert_accessible(page, "the personnel file, as line manager")

    page.goto("/staff-records/contact-requests/")
    page.get_by_label("Which worker did they ask about?").select_option(label="Sam Teamson")
    page.get_by_label("Their home address").check()
    page.get_by_label("Who is asking?").select_option("partner_agency")
    page.get_by_label("Their name").fill("Barnaby Quince")
    page.get_by_label("Their organisation, or how they know the worker").fill("Exampleton Housing Association")
    page.get_by_label("Why do they want it?").fill("They say they need to post a tenancy form to the worker.")
    page.get_by_role("button", name="Log the request").click()
    page.wait_for_url("**/staff-records/contact-requests/*/")
    assert shows(page, "Clause 5.01")
    main = page.get_by_role("main").inner_text()
    assert "Not permitted" in main and HOME not in main
    assert_accessible(page, "a request for contact details")
    page.get_by_role("button", name="Passed to the worker").click()
    assert shows(page, "Passed to the worker.")
    assert ContactRequest.objects.get().status == ContactRequest.Status.WITH_WORKER


def test_a_request_to_read_a_personnel_file_and_opening_a_file_by_number(page, people):  # noqa: F811
    # The approval pages (Home-Start 8.4's route; made directly here, as the DVIP test pack has no such
    # route): the manager's role decides a request the data controller made. Then the page that opens a
    # file by its number for a purpose. Each page: zero axe violations.
    from confide.staffing.models import PersonnelApproval
    from confide.staffing.services import do_open_personnel_file

    file = do_open_personnel_file(people["manager"], people["same_team"], people["manager"], dt.date(2024, 4, 1))
    approval = PersonnelApproval.objects.create(file=file, purpose="personnel_review",
                                                approver_roles=[people["manager"].role],
                                                requested_by=people["data_controller"])
    approval.reason = "A grievance appeal: the board needs the appraisal notes."
    approval.save()

    sign_in_with_totp(page, "manager", "manager-password-1")
    assert shows(page, "1 request waiting for your decision")
    page.get_by_role("link", name="1 request waiting for your decision").click()
    page.wait_for_url("**/staff-records/access-requests/")
    assert_accessible(page, "requests to read personnel files")
    page.get_by_role("link", name=f"Request {approval.pk}").click()
    assert shows(page, "A grievance appeal")
    assert_accessible(page, "a request to read a personnel file")
    page.get_by_label("Refuse").check()
    page.get_by_role("button", name="Record the decision").click()
    assert shows(page, "Your decision is recorded")
    assert PersonnelApproval.objects.get().status == PersonnelApproval.Status.REFUSED

    page.goto("/clients/by-number/")
    assert shows(page, "Open a file by its number")
    assert_accessible(page, "open a file by its number")
    page.get_by_role("button", name="Open the file").click()
    assert "Enter the client's number" in page.get_by_role("alert").inner_text()
    assert_accessible(page, "open a file by its number: number missing")
