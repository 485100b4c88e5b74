"""Equal-opportunities monitoring is kept apart and only counted (DVIP 8.04): a form takes no link to
anyone, the counts page shows cohorts by answer with every count under 8 as "fewer than 8", never a
row per person; an application's monitoring answers are sealed apart, never shown on its page, only
counted."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse

from confide.staffing.models import Applicant, MonitoringForm
from confide.staffing.monitoring import FEWER
from confide.staffing.services import StaffingError, do_record_application, do_record_monitoring
from tests.base import ConfideTestCase
from tests.staffing.helpers import staffing_people

APPLICANT_NAME = "Ottoline Brackenbury"  # fictional
APPLICATION = "Ten years on a helpline; references from the Exampleton refuge."


class Monitoring(ConfideTestCase):
    @classmethod
    def setUpTestData(cls):
        cls.p = staffing_people("dvip")

    def test_a_form_has_no_field_that_could_link_it_to_anyone(self):
        names = {f.name for f in MonitoringForm._meta.get_fields()}
        self.assertEqual(names, {"id", "cohort", "year", "race", "sex", "sexuality", "disability", "age_band"})
        with self.assertRaises(StaffingError):
            do_record_monitoring(self.p["manager"], "staff", 2026, {"race": "Not on the list"})

    def test_counts_never_show_a_small_group_or_a_person(self):
        for _ in range(9):
            do_record_monitoring(self.p["manager"], "staff", 2026, {"sex": "female", "age_band": "25-34"})
        do_record_monitoring(self.p["manager"], "staff", 2026, {"sex": "male", "age_band": "65+"})
        self.sign_in("manager")
        page = self.client.get(reverse("staffing:monitoring_counts")).content.decode()
        self.assertIn("<td>9</td>", page)     # nine women: shown
        self.assertIn(f"<td>{FEWER}</td>", page)  # one man: never the number
        self.assertNotIn("<td>1</td>", page)
        self.assertIn("<td>10</td>", page)    # the cohort's total
        self.sign_in("assigned")
        self.assertEqual(self.client.get(reverse("staffing:monitoring_counts")).status_code, 404)

    def test_the_form_page_records_an_unlinked_form(self):
        self.sign_in("manager")
        response = self.client.post(reverse("staffing:monitoring"), {"cohort": "volunteer", "year": "2025",
                                                                     "race": "white", "disability": "no"})
        self.assertRedirects(response, reverse("staffing:monitoring"))
        form = MonitoringForm.objects.get()
        self.assertEqual((form.cohort, form.year, form.race, form.disability, form.sex), ("volunteer", 2025, "white",
                                                                                           "no", ""))
        response = self.client.post(reverse("staffing:monitoring"), {"cohort": "volunteer", "year": "twenty"})
        self.assertContains(response, "Enter the year in figures", status_code=200)

    def test_applicants_answers_are_counted_never_shown(self):
        applicant = do_record_application(self.p["manager"], "Support worker", dt.date(2026, 1, 5),
                                          {"name": APPLICANT_NAME}, APPLICATION,
                                          {"race": "black", "sex": "female", "sexuality": "bisexual"})
        self.sign_in("manager")
        page = self.client.get(reverse("staffing:applicant", args=[applicant.pk]))
        self.assertContains(page, APPLICANT_NAME)
        self.assertContains(page, APPLICATION)
        for words in ("Bisexual", "Black, Black British", "Female"):
            self.assertNotContains(page, words)
        counts = self.client.get(reverse("staffing:monitoring_counts")).content.decode()
        self.assertNotIn(APPLICANT_NAME, counts)
        self.assertIn(FEWER, counts)

    def test_applications_open_to_managers_only_and_are_decided(self):
        applicant = do_record_application(self.p["manager"], "Support worker", dt.date(2026, 1, 5),
                                          {"name": APPLICANT_NAME}, APPLICATION)
        for who in ("assigned", "trustee"):
            self.sign_in(who)
            self.assertEqual(self.client.get(reverse("staffing:applicant", args=[applicant.pk])).status_code, 404)
            self.assertEqual(self.client.get(reverse("staffing:applicants")).status_code, 404)
        self.sign_in("data_controller")
        response = self.client.post(reverse("staffing:applicant", args=[applicant.pk]),
                                    {"outcome": "unsuccessful", "decided_on": "2026-01-20"})
        self.assertRedirects(response, reverse("staffing:applicant", args=[applicant.pk]))
        applicant.refresh_from_db()
        self.assertEqual((applicant.outcome, applicant.decided_on), (Applicant.Outcome.UNSUCCESSFUL,
                                                                     dt.date(2026, 1, 20)))
