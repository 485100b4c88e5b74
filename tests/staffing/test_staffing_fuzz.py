"""The staffing pages' forms, fuzzed with the shared form fuzz (tests/web/test_form_fuzz.py's Fuzzing):
whatever is posted, the answer is a normal page (never a 500, a traceback or a 400 that does not say what
was wrong). These are also the Target entries tests/web/test_form_fuzz.py needs for the staffing pages."""

from __future__ import annotations

import datetime as dt

from hypothesis.extra.django import TestCase as HypothesisTestCase

import confide.web.staffing_forms as SF
from confide.staffing.services import do_log_contact_request, do_record_application
from tests.base import ConfideTestCase
from tests.staffing.helpers import staffing_people
from tests.web.test_form_fuzz import Field, Fuzzing, Target, add_fuzz_tests

FILE_ACTIONS = ["open", "set_line_manager", "leaving"]
SECTIONS = ["notes", "contact", "reference", "medical"]

STAFFING_TARGETS = [
    Target("staffing:files", "manager", forms=("open_form",), query="", classes=(SF.OpenFileForm,),
           manual={"action": Field("choice", "open", FILE_ACTIONS)}),
    Target("staffing:files", "administrator", forms=("manager_form",), query="", classes=(SF.LineManagerForm,),
           manual={"action": Field("choice", "set_line_manager", FILE_ACTIONS)}),
    Target("staffing:files", "data_controller", forms=("leaving_form",), query="", classes=(SF.LeavingForm,),
           manual={"action": Field("choice", "leaving", FILE_ACTIONS)}),
    Target("staffing:file", "manager", {"file_id": "personnel_file"},
           forms=("notes_form", "contact_form", "reference_form"),
           classes=(SF.NoteForm, SF.ContactForm, SF.ReferenceForm),
           manual={"action": Field("choice", "notes", SECTIONS)}, valid={"notes-value": "Appraisal booked."}),
    Target("staffing:file", "data_controller", {"file_id": "personnel_file"}, forms=("medical_form",),
           classes=(SF.MedicalForm,), manual={"action": Field("choice", "medical", SECTIONS)}),
    Target("staffing:monitoring", "manager", query="", classes=(SF.MonitoringEntryForm,)),
    Target("staffing:applicants", "manager", query="", classes=(SF.ApplicationForm,),
           valid={"name": "Hyacinth Ballantyne", "application": "Ten years on a helpline."}),
    Target("staffing:applicant", "manager", {"applicant_id": "applicant"}, query="", classes=(SF.DecideForm,)),
    Target("staffing:contact_requests", "assigned", query="", classes=(SF.ContactRequestForm,),
           valid={"why": "They say they need to post a form to the worker."}),
    Target("staffing:contact_request", "manager", {"contact_request_id": "contact_request"}, query="",
           classes=(SF.ContactStepForm,)),
]
# Never posted on its own: the answers are posted as part of MonitoringEntryForm and ApplicationForm.
STAFFING_BASES = {SF.MonitoringAnswers: "the monitoring answers: posted as part of MonitoringEntryForm and "
                                        "ApplicationForm"}


class StaffingFormFuzzTests(Fuzzing, HypothesisTestCase, ConfideTestCase):
    targets = STAFFING_TARGETS

    @classmethod
    def setUpTestData(cls):
        cls.p = staffing_people("dvip")
        cls.applicant = do_record_application(cls.p["manager"], "Support worker", dt.date(2026, 1, 5),
                                              {"name": "Hyacinth Ballantyne"}, "Application text.",
                                              {"race": "white"})
        cls.contact_request = do_log_contact_request(
            cls.p["assigned"], cls.p["file"], ["home_address"], "police",
            {"name": "Barnaby Quince", "organisation": "Exampleton police",
             "why": "An enquiry they say is about a witness statement."})
        cls.baselines = {}

    def ids(self) -> dict:
        return {"client": self.p["client"].pk, "personnel_file": self.p["file"].pk, "applicant": self.applicant.pk,
                "contact_request": self.contact_request.pk}

    def test_every_staffing_form_is_fuzzed(self):
        from django import forms

        from tests.staffing.test_personnel_approvals import APPROVAL_TARGETS

        fuzzed = {cls for target in [*STAFFING_TARGETS, *APPROVAL_TARGETS] for cls in target.classes}
        for name, cls in vars(SF).items():
            if isinstance(cls, type) and issubclass(cls, forms.Form) and cls.__module__ == SF.__name__:
                self.assertTrue(cls in fuzzed or cls in STAFFING_BASES, f"{name} is not fuzzed")


add_fuzz_tests(StaffingFormFuzzTests)
