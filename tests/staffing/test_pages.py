"""The personnel file pages: each section shown only as the gate permits, the medical section sealed
("Sealed: only <role> may open it (clause)") to everyone but the role the pack names, refused exactly as
a missing file is; the list; opening a file, setting a line manager and recording a leaving date."""

from __future__ import annotations

from django.urls import reverse

from confide.audit.actions import Action
from confide.audit.models import AuditEvent
from confide.staffing.models import PersonnelFile
from tests.base import ConfideTestCase
from tests.staffing.helpers import HOME, MEDICAL, NOTES, REFEREE, REFERENCE, SECRETS, staffing_people


class PersonnelPages(ConfideTestCase):
    @classmethod
    def setUpTestData(cls):
        cls.p = staffing_people("dvip")

    def url(self, pk=None):
        return reverse("staffing:file", args=[pk or self.p["file"].pk])

    def test_the_line_manager_sees_the_sections_and_a_sealed_envelope(self):
        self.sign_in("manager")
        page = self.client.get(self.url())
        for text in (NOTES, HOME, REFERENCE, "Given in confidence (clause 8.05)"):
            self.assertContains(page, text)
        self.assertNotContains(page, MEDICAL)
        self.assertContains(page, "Sealed: only Head of Service Delivery (Data Controller) may open it (clause 8.07).")
        self.assertEqual(page["Cache-Control"], "no-store")
        self.assertTrue(AuditEvent.objects.filter(action=Action.PERSONNEL_MEDICAL_READ_REFUSED,
                                                  actor_id=self.p["manager"].pk).exists())

    def test_the_sealed_role_opens_the_medical_section(self):
        self.sign_in("data_controller")
        page = self.client.get(self.url())
        self.assertContains(page, MEDICAL)
        self.assertContains(page, "Opened for payroll")
        # Payroll opens where to send pay slips, never probation notes or references given in confidence.
        self.assertContains(page, HOME)
        for secret in (NOTES, REFERENCE, REFEREE):
            self.assertNotContains(page, secret)
        self.assertContains(page, "its notes and its references are not shown")

    def test_payroll_cannot_add_to_the_notes_or_references(self):
        from confide.staffing.services import StaffingError, do_update_personnel

        for section, value in (("notes", "Late twice."), ("references", {"referee": "X", "text": "Fine."})):
            with self.assertRaises(StaffingError, msg=section):
                do_update_personnel(self.p["data_controller"], self.p["file"], section, value)
        do_update_personnel(self.p["data_controller"], self.p["file"], "contact",
                            {"home_address": "3 Quince Lane, Exampleton", "phone": ""})

    def test_everyone_else_is_refused_as_a_missing_file_is(self):
        missing_pk = PersonnelFile.objects.order_by("-pk").first().pk + 100
        for who in ("assigned", "same_team", "other_team", "trustee"):
            self.sign_in(who)
            like = self.client.get(self.url(missing_pk))
            response = self.client.get(self.url())
            self.assert_refused(response, like, where=who)
            for secret in SECRETS:
                self.assertNotContains(response, secret, status_code=404)

    def test_the_line_manager_adds_a_note_and_an_empty_one_is_refused_beside_the_field(self):
        self.sign_in("manager")
        response = self.client.post(self.url(), {"action": "notes", "notes-value": "Appraisal booked for June."})
        self.assertRedirects(response, self.url())
        self.assertIn("Appraisal booked for June.", PersonnelFile.objects.get(pk=self.p["file"].pk).notes)
        response = self.client.post(self.url(), {"action": "notes", "notes-value": ""})
        self.assertContains(response, "Write what to add.")
        response = self.client.post(self.url(), {"action": "medical", "medical-value": "Not the manager's to add."})
        self.assertContains(response, "The medical section is sealed")

    def test_the_list_and_what_the_keepers_do(self):
        self.sign_in("assigned")
        self.assertEqual(self.client.get(reverse("staffing:files")).status_code, 404)
        self.sign_in("manager")
        page = self.client.get(reverse("staffing:files"))
        self.assertContains(page, "Sam Teamson")
        self.assertNotContains(page, NOTES)
        response = self.client.post(reverse("staffing:files"), {
            "action": "open", "open-person": self.p["other_team"].pk, "open-line_manager": self.p["other_manager"].pk})
        self.assertRedirects(response, reverse("staffing:files"))
        opened = PersonnelFile.objects.get(person=self.p["other_team"])
        self.assertEqual(opened.line_manager_id, self.p["other_manager"].pk)
        response = self.client.post(reverse("staffing:files"), {
            "action": "set_line_manager", "manager-file": opened.pk, "manager-line_manager": self.p["manager"].pk})
        self.assertRedirects(response, reverse("staffing:files"))
        response = self.client.post(reverse("staffing:files"), {
            "action": "leaving", "leaving-file": self.p["file"].pk, "leaving-left_on": "2020-01-01"})
        self.assertContains(response, "They cannot have left before they started.")
        response = self.client.post(reverse("staffing:files"), {
            "action": "leaving", "leaving-file": self.p["file"].pk, "leaving-left_on": "2026-01-31"})
        self.assertRedirects(response, reverse("staffing:files"))
        self.assertEqual(str(PersonnelFile.objects.get(pk=self.p["file"].pk).left_on), "2026-01-31")


class HomeStartMedicalOnly(ConfideTestCase):
    """Home-Start's data protection lead opens the sealed medical section, and nothing else of the file."""

    @classmethod
    def setUpTestData(cls):
        cls.p = staffing_people("home_start")

    def test_the_sealed_role_sees_only_the_medical_section(self):
        self.sign_in("sealed")
        page = self.client.get(reverse("staffing:file", args=[self.p["file"].pk]))
        self.assertContains(page, MEDICAL)
        self.assertContains(page, "Opened for its sealed medical section only")
        for secret in (NOTES, HOME, REFERENCE):
            self.assertNotContains(page, secret)
        self.sign_in("manager")
        page = self.client.get(reverse("staffing:file", args=[self.p["file"].pk]))
        self.assertContains(page, "Sealed: only Data protection lead (Data Controller) may open it")
