"""One of each governance record, for the shared harness tests (fictional people only): a breach the
assigned worker recorded and one the other team's worker recorded; a complaint the data controller
logged; the same-team worker's personnel file (the north team's manager is their line manager), an
application, a request for the worker's home address, and a request to read their file with an
approval; a declaration signed on paper, uploaded;
a released report and a draft; and a case study drafted by each of the two workers, one consented and reviewed, and one released."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from confide.complaints.services import NewComplaint, do_log_complaint
from confide.reports import services as report_services
from confide.staffing import clearance
from confide.staffing.models import PersonnelApproval, PersonnelFile
from confide.staffing.services import (
    do_log_contact_request,
    do_open_personnel_file,
    do_record_application,
    do_update_personnel,
)
from tests.breaches.helpers import record

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
QUARTER = (dt.date(2026, 4, 1), dt.date(2026, 6, 30))


def governance_fixtures(p: dict) -> dict:
    """The records, by name; p is tests/base.py's make_people (after add_fixtures, for other_case)."""
    manager, controller, today = p["manager"], p["data_controller"], timezone.localdate()
    out = {"breach": record(p["assigned"], p["pack"]),
           "other_breach": record(p["other_team"], p["pack"], what="A case file was left on the south office printer.")}
    out["complaint"] = do_log_complaint(controller, NewComplaint(
        received_on=today, how_received="email", from_whom="Ophelia Quarrington (fictional)",
        about="Nobody rang her back about her son's referral."))
    personnel = do_open_personnel_file(manager, p["same_team"], manager, dt.date(2024, 4, 1))
    do_update_personnel(manager, personnel, "notes", "Probation passed; settled in well on the rota.")
    do_update_personnel(manager, personnel, "contact", {"home_address": "12 Larkspur Row, Exampleton",
                                                        "phone": "07700 900888"})
    out["personnel_file"] = PersonnelFile.objects.get(pk=personnel.pk)
    out["applicant"] = do_record_application(manager, "Support worker", dt.date(2026, 1, 5),
                                             {"name": "Hyacinth Ballantyne"}, "Ten years on a helpline.",
                                             {"race": "white"})
    out["contact_request"] = do_log_contact_request(
        controller, out["personnel_file"], ["home_address"], "police",
        {"name": "Barnaby Quince", "organisation": "Exampleton police",
         "why": "An enquiry they say is about a witness statement."})
    # A request to read the personnel file with an approval (Home-Start 8.4's route; made directly here,
    # as the harness's DVIP pack has no such route): asked by the data controller, for the north
    # team's manager's role to decide.
    approval = PersonnelApproval.objects.create(file=out["personnel_file"], purpose="personnel_review",
                                                approver_roles=[manager.role], requested_by=controller)
    approval.reason = "A grievance appeal: the board needs the appraisal notes."
    approval.save()
    out["approval"] = approval
    declaration = clearance.required_for(p["assigned"])[0].id
    out["signature"] = clearance.do_upload_signed_copy(manager, p["assigned"], declaration, PNG, "image/png",
                                                       today, today)
    out["report"] = report_services.do_draft_report(manager, "quarter", *QUARTER)
    report_services.do_release_report(controller, out["report"].pk, "controller-password-1")
    out["draft_report"] = report_services.do_draft_report(manager, "quarter", *QUARTER)
    out["study"] = report_services.do_draft_case_study(p["assigned"], p["case"].pk, "A year of support",
                                                       "She came in June and found a flat by December.")
    out["other_study"] = report_services.do_draft_case_study(p["other_team"], p["other_case"].pk, "A new start",
                                                             "He rang the helpline twice before coming in.")
    released = report_services.do_draft_case_study(p["assigned"], p["case"].pk, "Moving on",
                                                   "With support she moved on and kept in touch.")
    report_services.do_record_case_study_consent(p["assigned"], released.pk, today - dt.timedelta(days=30), "writing")
    report_services.do_review_case_study(manager, released.pk, True)
    out["released_study"] = report_services.do_release_case_study(controller, released.pk)
    reviewed = report_services.do_draft_case_study(p["assigned"], p["case"].pk, "Back to work",
                                                   "With support she found a job she enjoys.")
    report_services.do_record_case_study_consent(p["assigned"], reviewed.pk, today - dt.timedelta(days=30), "writing")
    out["reviewed_study"] = report_services.do_review_case_study(manager, reviewed.pk, True)
    return out
