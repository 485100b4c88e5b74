"""The partner directory's pages, from both sides: managers and the data controller add and change
agencies, their staff and agreements; workers read the directory and cannot change it (404 alike for
refused and missing); trustees cannot see it; bad input keeps what was typed and says what is wrong."""

from __future__ import annotations

import re
from datetime import timedelta

from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from confide.audit.models import AuditEvent
from confide.partners.directory import do_add_agency, do_add_agreement, do_add_contact
from confide.partners.models import Agency, AgencyContact, SharingAgreement
from tests.base import ConfideTestCase

AGENCY = "Northvale Children's Services"


def stable(content: bytes) -> bytes:
    return re.sub(rb'(name="csrfmiddlewaretoken" value|name="csrf-token" content)="[^"]*"', b"", content)


class PartnerPagesTestCase(ConfideTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        today = timezone.localdate()
        manager = cls.p["manager"]
        cls.agency = do_add_agency(manager, name=AGENCY, kind="childrens_services", known_phone="01632 960100")
        cls.jo = do_add_contact(manager, cls.agency, name="Jo Bloggs", job_title="Social worker")
        cls.agreement = do_add_agreement(manager, cls.agency, title="Safeguarding children agreement",
                                         starts_on=today - timedelta(days=10), ends_on=None, data=["case_notes"],
                                         purposes=["child_protection"], contacts=[cls.jo])
        cls.old = do_add_agreement(manager, cls.agency, title="The old protocol", starts_on=today - timedelta(days=900),
                                   ends_on=today - timedelta(days=400), data=["case_notes"],
                                   purposes=["safeguarding"], contacts=[cls.jo])

    def change_urls(self) -> list[str]:
        return [reverse("partners:add_agency"), reverse("partners:change_agency", args=[self.agency.pk]),
                reverse("partners:add_contact", args=[self.agency.pk]),
                reverse("partners:change_contact", args=[self.jo.pk]),
                reverse("partners:add_agreement", args=[self.agency.pk]),
                reverse("partners:end_agreement", args=[self.agreement.pk])]


class ReadingTests(PartnerPagesTestCase):
    def test_staff_of_every_kind_but_trustees_read_the_directory(self):
        for who in ("assigned", "other_team", "volunteer", "administrator", "manager", "data_controller"):
            self.sign_in(who)
            with self.subTest(who=who):
                page = self.client.get(reverse("partners:directory"))
                self.assertContains(page, escape(AGENCY))
                self.assertContains(page, "01632 960100")
                agency = self.client.get(reverse("partners:agency", args=[self.agency.pk]))
                self.assertContains(agency, "Jo Bloggs")
                self.assertContains(agency, "In force today.")
                self.assertContains(agency, "Not in force today.")  # the old protocol
                self.assertContains(agency, "Expired: it ran until")

    def test_only_managers_see_the_links_to_change_it(self):
        self.sign_in("assigned")
        page = self.client.get(reverse("partners:agency", args=[self.agency.pk]))
        for url in self.change_urls():
            self.assertNotContains(page, f'href="{url}"')
        self.assertNotContains(self.client.get(reverse("partners:directory")), "Add an agency")
        self.sign_in("manager")
        page = self.client.get(reverse("partners:agency", args=[self.agency.pk]))
        for url in self.change_urls()[1:]:
            self.assertContains(page, f'href="{url}"')
        self.assertContains(self.client.get(reverse("partners:directory")), "Add an agency")

    def test_a_trustee_gets_404_for_the_directory_and_for_an_agency_as_for_a_missing_one(self):
        self.sign_in("trustee")
        self.assertEqual(self.client.get(reverse("partners:directory")).status_code, 404)
        refused = self.client.get(reverse("partners:agency", args=[self.agency.pk]))
        missing = self.client.get(reverse("partners:agency", args=[999999]))
        self.assertEqual((refused.status_code, missing.status_code), (404, 404))
        self.assertEqual(stable(refused.content), stable(missing.content))
        self.assertNotContains(refused, escape(AGENCY), status_code=404)

    def test_wrong_methods_are_refused(self):
        self.sign_in("manager")
        self.assertEqual(self.client.post(reverse("partners:directory")).status_code, 405)
        self.assertEqual(self.client.post(reverse("partners:agency", args=[self.agency.pk])).status_code, 405)
        self.assertEqual(self.client.delete(reverse("partners:add_agency")).status_code, 405)


class RefusedChangeTests(PartnerPagesTestCase):
    def test_a_worker_cannot_open_or_post_any_change_page_and_it_looks_like_a_missing_one(self):
        for who in ("assigned", "volunteer", "administrator", "trustee"):
            self.sign_in(who)
            before = (Agency.objects.count(), AgencyContact.objects.count(), SharingAgreement.objects.count(),
                      AuditEvent.objects.count())
            for url in self.change_urls():
                with self.subTest(who=who, url=url):
                    self.assertEqual(self.client.get(url).status_code, 404)
                    posted = self.client.post(url, {"name": "Eastmere Police", "kind": "police",
                                                    "known_phone": "01632 960200", "on": "1 1 2030"})
                    self.assertEqual(posted.status_code, 404)
                    missing = re.sub(r"/\d+/", "/999999/", url)
                    self.assertEqual(stable(self.client.get(url).content), stable(self.client.get(missing).content))
            self.assertEqual(before, (Agency.objects.count(), AgencyContact.objects.count(),
                                      SharingAgreement.objects.count(), AuditEvent.objects.count()))

    def test_a_manager_gets_404_for_a_missing_record(self):
        self.sign_in("manager")
        for name in ("change_agency", "add_contact", "add_agreement", "change_contact", "end_agreement"):
            with self.subTest(name=name):
                self.assertEqual(self.client.get(reverse(f"partners:{name}", args=[999999])).status_code, 404)


class ManagingTests(PartnerPagesTestCase):
    def test_a_manager_adds_an_agency_its_staff_and_an_agreement(self):
        self.sign_in("manager")
        response = self.client.post(reverse("partners:add_agency"), {
            "name": "Eastmere Police Public Protection Unit", "kind": "police", "known_phone": "01632 960200",
            "secure_email": "ppu@example.org", "address": "Station Road\nEastmere", "notes": ""})
        police = Agency.objects.get(name="Eastmere Police Public Protection Unit")
        self.assertRedirects(response, reverse("partners:agency", args=[police.pk]))
        self.assertEqual(police.created_by, self.p["manager"])
        response = self.client.post(reverse("partners:add_contact", args=[police.pk]),
                                    {"name": "Hollis Rayne", "job_title": "Detective Constable", "email": "",
                                     "phone": "07700 900201"})
        self.assertRedirects(response, reverse("partners:agency", args=[police.pk]))
        hollis = police.contacts.get()
        form = self.client.get(reverse("partners:add_agreement", args=[police.pk]))
        self.assertContains(form, "Hollis Rayne (Detective Constable)")
        response = self.client.post(reverse("partners:add_agreement", args=[police.pk]), {
            "title": "Eastmere MARAC protocol", "reference": "EP-1", "starts_on": "1 4 2026", "ends_on": "",
            "data": ["risk_assessment", "case_notes"], "purposes": ["risk_management"], "contacts": [str(hollis.pk)]})
        self.assertRedirects(response, reverse("partners:agency", args=[police.pk]))
        agreement = police.agreements.get()
        self.assertEqual((agreement.data, agreement.ends_on, list(agreement.contacts.all())),
                         (["case_notes", "risk_assessment"], None, [hollis]))
        page = self.client.get(reverse("partners:agency", args=[police.pk]))
        self.assertContains(page, "In force, with no end date.")
        self.assertContains(page, "case notes, risk assessment")

    def test_the_data_controller_changes_an_agency_marks_someone_as_left_and_ends_an_agreement(self):
        self.sign_in("data_controller")
        change = reverse("partners:change_agency", args=[self.agency.pk])
        self.assertContains(self.client.get(change), 'value="01632 960100"')
        response = self.client.post(change, {"name": AGENCY, "kind": "childrens_services",
                                             "known_phone": "01632 960199", "active": "on"})
        self.assertRedirects(response, reverse("partners:agency", args=[self.agency.pk]))
        self.agency.refresh_from_db()
        self.assertEqual((self.agency.known_phone, self.agency.active), ("01632 960199", True))
        contact = reverse("partners:change_contact", args=[self.jo.pk])
        self.client.post(contact, {"name": "Jo Bloggs", "job_title": "Social worker"})  # "still works there" unticked
        self.jo.refresh_from_db()
        self.assertFalse(self.jo.active)
        self.assertContains(self.client.get(reverse("partners:agency", args=[self.agency.pk])), "No: has left")
        end = reverse("partners:end_agreement", args=[self.agreement.pk])
        today = timezone.localdate()
        response = self.client.post(end, {"on": today.isoformat()})
        self.assertRedirects(response, reverse("partners:agency", args=[self.agency.pk]))
        self.agreement.refresh_from_db()
        self.assertEqual(self.agreement.ended_on, today)
        page = self.client.get(reverse("partners:agency", args=[self.agency.pk]))
        self.assertContains(page, "Ended early on")
        self.assertNotContains(page, end)
        self.assertEqual(self.client.post(end, {"on": today.isoformat()}).status_code, 200, "already ended: shown, not changed")


class BadInputTests(PartnerPagesTestCase):
    def test_a_duplicate_name_is_shown_beside_the_name_and_everything_typed_is_kept(self):
        self.sign_in("manager")
        response = self.client.post(reverse("partners:add_agency"), {
            "name": "northvale children's services", "kind": "childrens_services", "known_phone": "01632 960555",
            "secure_email": "duty@example.org", "address": "Civic Centre", "notes": "Duty desk until five"})
        self.assertEqual(response.status_code, 400)
        self.assertContains(response, 'id="id_name_error"', status_code=400)
        self.assertContains(response, "There is already an agency called northvale children&#x27;s services",
                            status_code=400)
        for typed in ('value="01632 960555"', 'value="duty@example.org"', "Civic Centre", "Duty desk until five",
                      '<option value="childrens_services" selected>'):
            self.assertContains(response, typed, status_code=400)
        self.assertEqual(Agency.objects.count(), 1)

    def test_missing_and_malformed_fields_each_say_what_is_wrong(self):
        self.sign_in("manager")
        response = self.client.post(reverse("partners:add_agency"), {
            "name": "", "kind": "", "known_phone": "call the front desk", "secure_email": "not-an-email"})
        self.assertEqual(response.status_code, 400)
        for message in ("Give the agency&#x27;s name.", "Choose what kind of agency this is.",
                        "Give the number in figures, for example 01632 960000.",
                        "Give the email address in full, for example name@example.org."):
            self.assertContains(response, message, status_code=400)
        self.assertContains(response, 'value="call the front desk"', status_code=400)

    def test_an_agreement_that_ends_before_it_starts_keeps_the_choices_made(self):
        self.sign_in("manager")
        response = self.client.post(reverse("partners:add_agreement", args=[self.agency.pk]), {
            "title": "Backwards agreement", "starts_on": "1 4 2026", "ends_on": "1 3 2026",
            "data": ["health"], "purposes": ["liaison"], "contacts": [str(self.jo.pk)]})
        self.assertEqual(response.status_code, 400)
        self.assertContains(response, 'id="id_ends_on_error"', status_code=400)
        self.assertContains(response, "The end date must be after the start date.", status_code=400)
        for typed in ('value="Backwards agreement"', 'value="1 3 2026"'):
            self.assertContains(response, typed, status_code=400)
        self.assertRegex(response.content.decode(), r'value="health"[^>]*checked')
        self.assertRegex(response.content.decode(), r'value="liaison"[^>]*checked')
        self.assertRegex(response.content.decode(), rf'value="{self.jo.pk}"[^>]*checked')
        self.assertEqual(self.agency.agreements.count(), 2)

    def test_an_agreement_needs_named_staff_and_a_date_it_can_read(self):
        self.sign_in("manager")
        response = self.client.post(reverse("partners:add_agreement", args=[self.agency.pk]), {
            "title": "No one named", "starts_on": "the first of April", "data": ["health"], "purposes": ["liaison"]})
        self.assertContains(response, "Enter the date as day month year", status_code=400)
        self.assertContains(response, "Name at least one member of the agency&#x27;s staff", status_code=400)

    def test_an_agency_with_no_staff_asks_for_them_first(self):
        self.sign_in("manager")
        empty = do_add_agency(self.p["manager"], name="Hollowmere Medical Practice", kind="gp",
                              known_phone="01632 960400")
        page = self.client.get(reverse("partners:add_agreement", args=[empty.pk]))
        self.assertContains(page, "nobody at <bdi>Hollowmere Medical Practice</bdi> is named yet")
        self.assertContains(page, reverse("partners:add_contact", args=[empty.pk]))

    def test_ending_an_agreement_before_it_starts_is_shown_beside_the_date(self):
        self.sign_in("manager")
        response = self.client.post(reverse("partners:end_agreement", args=[self.agreement.pk]), {"on": "1 1 2000"})
        self.assertContains(response, 'id="id_on_error"', status_code=400)
        self.assertContains(response, "An agreement cannot end before it starts", status_code=400)
        self.assertContains(response, 'value="1 1 2000"', status_code=400)
