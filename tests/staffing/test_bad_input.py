"""Bad input to every staffing page that takes a POST gets a clear answer, never a 500: junk in each
field, ids of records that are not there or not theirs, and an unknown action."""

from __future__ import annotations

from django.urls import reverse

from confide.staffing.services import do_log_contact_request, do_record_application
from tests.base import ConfideTestCase
from tests.staffing.helpers import staffing_people

JUNK = ["", "0", "-1", str(2**63), "abc", "1 OR 1=1", "2026-02-30", "x" * 30_000, "\x00", "٣"]


class BadInput(ConfideTestCase):
    @classmethod
    def setUpTestData(cls):
        cls.p = staffing_people("dvip")
        cls.applicant = do_record_application(cls.p["manager"], "Support worker", cls.p["file"].started_on,
                                              {"name": "Hyacinth Ballantyne"}, "Application text.")
        cls.request = do_log_contact_request(cls.p["assigned"], cls.p["file"], ["home_address"], "police",
                                             {"name": "Barnaby Quince", "organisation": "Exampleton police",
                                              "why": "An enquiry they say is about a witness statement."})

    def pages(self):
        f, a, r = self.p["file"].pk, self.applicant.pk, self.request.pk
        return [
            ("manager", reverse("staffing:files"), ["action", "open-person", "open-line_manager", "open-started_on",
                                                   "manager-file", "manager-line_manager", "leaving-file",
                                                   "leaving-left_on"], ["open", "manager", "leaving", "nonsense"]),
            ("manager", reverse("staffing:file", args=[f]), ["action", "notes-value", "contact-home_address",
                                                             "contact-phone", "reference-referee", "reference-text",
                                                             "medical-value"],
             ["notes", "contact", "reference", "medical", "nonsense"]),
            ("manager", reverse("staffing:monitoring"), ["cohort", "year", "race", "sex", "sexuality", "disability",
                                                          "age_band"], [""]),
            ("manager", reverse("staffing:applicants"), ["post", "received_on", "name", "application", "race"], [""]),
            ("manager", reverse("staffing:applicant", args=[a]), ["outcome", "decided_on"], [""]),
            ("assigned", reverse("staffing:contact_requests"), ["about", "data", "recipient_kind", "name",
                                                                 "organisation", "why"], [""]),
            ("manager", reverse("staffing:contact_request", args=[r]), ["next_step"], [""]),
        ]

    def test_no_500(self):
        for who, url, fields, actions in self.pages():
            self.sign_in(who)
            for action in actions:
                for junk in JUNK:
                    data = {name: junk for name in fields}
                    if action:
                        data["action"] = action
                    response = self.client.post(url, data)
                    self.assertLess(response.status_code, 500, f"{url} {action} {junk[:20]!r}")
                    self.assertNotIn(b"Traceback", response.content)

    def test_refused_pages_answer_404_to_a_post_too(self):
        self.sign_in("other_team")
        for who, url, _fields, actions in self.pages():
            if who == "manager":
                response = self.client.post(url, {"action": actions[0]})
                self.assertEqual(response.status_code, 404, url)
