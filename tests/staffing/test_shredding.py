"""Retention of staff records: an unsuccessful application minimised to the pack's keep_only fields as
an unlinked monitoring form, and a personnel file destroyed; each by destroying its own key, in a key
store of the test's own (a destroyed key is not rolled back with the database)."""

from __future__ import annotations

import datetime as dt
import json
import tempfile
from pathlib import Path

from django.test import TestCase, override_settings

from confide.audit.actions import Action
from confide.audit.models import AuditEvent
from confide.keys import runtime
from confide.keys.sealed import UNREADABLE
from confide.staffing.models import Applicant, ContactRequest, MonitoringForm, PersonnelFile
from confide.staffing.services import (
    StaffingError,
    do_destroy_personnel_file,
    do_log_contact_request,
    do_minimise_applicant,
    do_record_application,
)
from tests.staffing.helpers import staffing_people


class OwnKeyStore(TestCase):
    def setUp(self):
        folder = tempfile.TemporaryDirectory()
        self.addCleanup(folder.cleanup)
        settings = override_settings(KEYSTORE_PATH=Path(folder.name) / "keys.sqlite3")
        settings.enable()
        self.addCleanup(settings.disable)
        runtime.forget()
        self.addCleanup(runtime.forget)
        self.p = staffing_people("dvip")


class Minimise(OwnKeyStore):
    def test_monitoring_is_detached_on_receipt_keeping_only_the_packs_fields(self):
        # DVIP 8.04: detached from the application on receipt; 8.08: only race, sex and sexuality kept.
        applicant = do_record_application(self.p["manager"], "Support worker", dt.date(2025, 3, 2),
                                          {"name": "Hyacinth Ballantyne", "email": "h@example.org"},
                                          "Application text.", {"race": "asian", "sex": "female",
                                                                "sexuality": "heterosexual", "age_band": "35-44"})
        form = MonitoringForm.objects.get()
        self.assertEqual((form.cohort, form.year, form.race, form.sex, form.sexuality, form.age_band, form.disability),
                         ("applicant", 2025, "asian", "female", "heterosexual", "", ""))
        self.assertEqual(bytes(Applicant.objects.get(pk=applicant.pk).monitoring_sealed), b"",
                         "nothing of the monitoring answers stays with the application")
        recorded = AuditEvent.objects.get(action=Action.APPLICANT_RECORDED)
        self.assertEqual((json.loads(recorded.detail)["monitoring_detached"],
                          json.loads(recorded.detail)["monitoring_not_kept"]), (3, 1))
        self.assertNotIn("asian", recorded.detail)

        self.assertIsNone(do_minimise_applicant(self.p["data_controller"], applicant, ["race", "sex", "sexuality"]),
                          "nothing more to copy out: the answers were detached on receipt")
        applicant = Applicant.objects.get(pk=applicant.pk)
        self.assertIsNotNone(applicant.minimised_at)
        self.assertEqual((bytes(applicant.details_sealed), bytes(applicant.application_sealed),
                          bytes(applicant.monitoring_sealed)), (b"", b"", b""))
        self.assertFalse(runtime.key_store().existing_keys([applicant.key_number]))
        event = AuditEvent.objects.get(action=Action.APPLICANT_MINIMISED)
        self.assertEqual(json.loads(event.detail)["fields_kept"], 0)
        self.assertEqual(MonitoringForm.objects.count(), 1)
        with self.assertRaises(StaffingError):
            do_minimise_applicant(self.p["data_controller"], applicant, ["race"])

    def test_an_application_recorded_before_detaching_keeps_only_the_fields_asked(self):
        applicant = do_record_application(self.p["manager"], "Support worker", dt.date(2025, 3, 2),
                                          {"name": "Hyacinth Ballantyne"}, "Application text.")
        applicant.monitoring = {"race": "asian", "sex": "female", "sexuality": "heterosexual", "age_band": "35-44"}
        applicant.save()  # as one recorded before answers were detached on receipt
        form = do_minimise_applicant(self.p["data_controller"], applicant, ["race", "sex", "sexuality"])
        self.assertEqual((form.race, form.sex, form.sexuality, form.age_band), ("asian", "female", "heterosexual", ""))
        self.assertEqual(bytes(Applicant.objects.get(pk=applicant.pk).monitoring_sealed), b"")

    def test_a_worker_may_not(self):
        applicant = do_record_application(self.p["manager"], "Support worker", dt.date(2025, 3, 2),
                                          {"name": "Hyacinth Ballantyne"}, "Application text.")
        with self.assertRaises(StaffingError):
            do_minimise_applicant(self.p["assigned"], applicant, ["race"])


class Destroy(OwnKeyStore):
    def test_the_file_and_requests_about_the_worker_become_unreadable(self):
        file = self.p["file"]
        request = do_log_contact_request(self.p["assigned"], file, ["home_address"], "police",
                                         {"name": "Barnaby Quince", "organisation": "Exampleton police",
                                          "why": "An enquiry they say is about a witness statement."})
        destroyed = do_destroy_personnel_file(self.p["data_controller"], file)
        self.assertIsNotNone(destroyed.destroyed_at)
        fresh = PersonnelFile.objects.get(pk=file.pk)
        self.assertEqual(fresh.notes, "")
        self.assertEqual(bytes(fresh.medical_sealed), b"")
        self.assertFalse(runtime.key_store().existing_keys([file.key_number]))
        self.assertEqual(bytes(ContactRequest.objects.get(pk=request.pk).asked_by_sealed), b"")
        # A stale copy sealed before the destruction no longer opens.
        stale = PersonnelFile(pk=file.pk, ref=file.ref, person_id=file.person_id, notes_sealed=file.notes_sealed)
        self.assertEqual(stale.notes, UNREADABLE)
        self.assertTrue(AuditEvent.objects.filter(action=Action.PERSONNEL_DESTROYED).exists())
        with self.assertRaises(StaffingError):
            do_destroy_personnel_file(self.p["assigned"], fresh)
