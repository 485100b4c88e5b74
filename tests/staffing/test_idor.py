"""Every staffing page that takes an id answers a record that is not yours exactly as one that does not
exist (the same 404, byte for byte), for GET and POST, and odd ids likewise; and the same addresses open
for the people they belong to, so the 404s are refusals, not broken addresses."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse

from confide.staffing.services import do_log_contact_request, do_record_application
from tests.base import ConfideTestCase, strip_volatile
from tests.staffing.helpers import staffing_people

ODD_IDS = ["0", "-1", str(2**63), "00", "1e3", "%20"]


class StaffingIdor(ConfideTestCase):
    @classmethod
    def setUpTestData(cls):
        cls.p = staffing_people("dvip")
        cls.applicant = do_record_application(cls.p["manager"], "Support worker", dt.date(2026, 1, 5),
                                              {"name": "Hyacinth Ballantyne"}, "Application text.")
        # Logged by the data controller: the worker (same_team) and their line manager open it too.
        cls.request = do_log_contact_request(
            cls.p["data_controller"], cls.p["file"], ["home_address"], "police",
            {"name": "Barnaby Quince", "organisation": "Exampleton police",
             "why": "An enquiry they say is about a witness statement."})

    def pages(self):
        return {"staffing:file": self.p["file"].pk, "staffing:applicant": self.applicant.pk,
                "staffing:contact_request": self.request.pk}

    @staticmethod
    def raw(name, pk) -> str:
        marker = 424242424242
        return reverse(name, args=[marker]).replace(str(marker), str(pk))

    def test_not_yours_answers_like_missing(self):
        shut = {"assigned": set(self.pages()), "other_team": set(self.pages()), "trustee": set(self.pages()),
                "same_team": {"staffing:file", "staffing:applicant"},
                # Any manager reads applications (recruitment is theirs); not another's report's file.
                "other_manager": {"staffing:file", "staffing:contact_request"}}
        for who, names in shut.items():
            self.sign_in(who)
            for name in names:
                for method in ("GET", "POST"):
                    fetch = self.client.get if method == "GET" else self.client.post
                    with self.subTest(who=who, page=name, method=method):
                        self.assert_refused(fetch(self.raw(name, self.pages()[name])), fetch(self.raw(name, 999999)),
                                            where=f"{who} {method} {name}")

    def test_odd_ids(self):
        self.sign_in("manager")
        for name in self.pages():
            missing = self.client.get(self.raw(name, 999999))
            for pk in ODD_IDS:
                response = self.client.get(self.raw(name, pk))
                self.assertEqual(response.status_code, 404, f"{name} {pk}")
                self.assertEqual(strip_volatile(response.content), strip_volatile(missing.content))

    def test_they_open_for_the_people_they_belong_to(self):
        self.sign_in("manager")
        for name, pk in self.pages().items():
            self.assertEqual(self.client.get(self.raw(name, pk)).status_code, 200, name)
        self.sign_in("same_team")
        self.assertEqual(self.client.get(self.raw("staffing:contact_request", self.request.pk)).status_code, 200)
