"""Retention of staff and applicants' records (issue 15 point 4, DVIP 8.08): an unsuccessful
application keeps only race, sex and sexuality, unlinked, and the rest is destroyed with its key; a
personnel file past its period is destroyed whole; both need two approvals, leave a certificate that
names nobody, and are minimised or destroyed again when an older backup is restored. Real database,
real key store (the test's own)."""

from __future__ import annotations

import datetime as dt
import json

from confide.audit.models import AuditEvent
from confide.audit.services import verify_chain
from confide.keys import KeyDestroyed
from confide.keys.runtime import key_store
from confide.retention import journal, schedule, services
from confide.retention.models import Due, DueAction
from confide.staffing.models import Applicant, MonitoringForm, PersonnelFile
from tests.base import ConfideTestCase
from tests.retention.test_destruction import own_key_store

APPLICANT = "Dorinda Quillfeather"  # fictional
ANSWERS = {"race": "White British", "sex": "Female", "sexuality": "Bisexual", "disability": "Yes", "age_band": "25-34"}


class StaffRetentionTest(ConfideTestCase):
    def setUp(self):
        stack = own_key_store()
        stack.__enter__()
        self.addCleanup(stack.__exit__, None, None, None)

    def applicant(self, outcome=Applicant.Outcome.UNSUCCESSFUL, decided_on=dt.date(2026, 3, 2)) -> Applicant:
        a = Applicant.objects.create(post="Women's support worker", received_on=dt.date(2026, 2, 1), outcome=outcome,
                                     decided_on=decided_on, recorded_by=self.p["manager"])
        a.details = {"name": APPLICANT, "email": "dorinda@example.org"}
        a.application = f"{APPLICANT} has ten years in refuge work."
        a.monitoring = ANSWERS
        a.save()
        return a

    def apply_on(self, on):
        schedule.do_recompute()
        batch = services.do_prepare_batch(on)
        services.do_approve(batch.pk, self.p["manager"], command_line=True)
        services.do_approve(batch.pk, self.p["data_controller"], "controller-password-1")
        return batch, services.do_apply(batch.pk)

    def test_an_unsuccessful_application_keeps_only_race_sex_and_sexuality(self):
        a = self.applicant()
        pending = self.applicant(outcome=Applicant.Outcome.PENDING, decided_on=None)
        schedule.do_recompute()
        line = Due.objects.get(record_class="unsuccessful_application", object_id=a.pk)
        self.assertEqual((line.action, line.clause, line.due_on), (DueAction.MINIMISE, "8.08", dt.date(2026, 3, 2)))
        self.assertEqual(sorted(line.keep_only), ["race", "sex", "sexuality"])
        self.assertFalse(Due.objects.filter(object_id=pending.pk, record_class="unsuccessful_application").exists(),
                         "an application still waiting for a decision is not on the schedule")

        batch, result = self.apply_on(dt.date(2026, 3, 3))
        self.assertEqual(result["minimised"], 1)
        a.refresh_from_db()
        self.assertIsNotNone(a.minimised_at)
        self.assertEqual((bytes(a.details_sealed), bytes(a.application_sealed), bytes(a.monitoring_sealed)),
                         (b"", b"", b""))
        with self.assertRaises(KeyDestroyed):
            key_store().data_key(a.key_number)
        form = MonitoringForm.objects.get(cohort="applicant")
        self.assertEqual((form.race, form.sex, form.sexuality, form.disability, form.age_band, form.year),
                         ("White British", "Female", "Bisexual", "", "", 2026))
        event = AuditEvent.objects.get(action="retention.minimised")
        self.assertNotIn(APPLICANT, json.dumps(event.detail))
        self.assertNotIn("White British", json.dumps(event.detail))
        self.assertEqual(json.loads(event.detail)["clause"], "8.08")
        self.assertTrue(verify_chain().ok)
        self.assertEqual(pending.__class__.objects.get(pk=pending.pk).details["name"], APPLICANT,
                         "the pending application is untouched")

    def test_nothing_is_minimised_without_two_approvals(self):
        a = self.applicant()
        schedule.do_recompute()
        batch = services.do_prepare_batch(dt.date(2026, 3, 3))
        services.do_approve(batch.pk, self.p["manager"], command_line=True)
        with self.assertRaises(services.RetentionError):
            services.do_apply(batch.pk)
        self.assertEqual(Applicant.objects.get(pk=a.pk).details["name"], APPLICANT)

    def test_a_hold_on_everything_holds_staff_records_too(self):
        # A legal hold naming no client holds everything: an application is not minimised under it, and
        # one placed between approval and apply still stops it.
        a = self.applicant()
        hold = services.do_place_hold(self.p["manager"], "litigation", "Employment tribunal claim 2401")
        schedule.do_recompute()
        self.assertEqual(services.do_prepare_batch(dt.date(2026, 3, 3)).lines, [])
        services.do_release_hold(self.p["manager"], hold.pk)
        batch = services.do_prepare_batch(dt.date(2026, 3, 3))
        self.assertEqual(len(batch.lines), 1)
        services.do_approve(batch.pk, self.p["manager"], command_line=True)
        services.do_approve(batch.pk, self.p["data_controller"], "controller-password-1")
        services.do_place_hold(self.p["data_controller"], "litigation", "Employment tribunal claim 2401")
        result = services.do_apply(batch.pk)
        self.assertEqual((result["minimised"], result["held"]), (0, 1))
        self.assertEqual(Applicant.objects.get(pk=a.pk).details["name"], APPLICANT)

    def test_a_restored_backup_is_minimised_again_from_the_journal(self):
        a = self.applicant()
        before = {c: bytes(getattr(a, c)) for c in ("details_sealed", "application_sealed", "monitoring_sealed")}
        self.apply_on(dt.date(2026, 3, 3))
        self.assertTrue(any(e.get("staff") == "applicant" and e.get("object") == a.pk for e in journal.entries()))
        # An older database backup restored: the application's sealed columns are back.
        Applicant.objects.filter(pk=a.pk).update(minimised_at=None, **before)
        journal.replay()
        a.refresh_from_db()
        self.assertIsNotNone(a.minimised_at)
        self.assertEqual(bytes(a.details_sealed), b"")
        self.assertEqual(MonitoringForm.objects.filter(cohort="applicant").count(), 1,
                         "the key stays destroyed, so nothing more is copied out")

    def test_a_personnel_file_is_kept_while_the_person_works_here(self):
        file = PersonnelFile.objects.create(person=self.p["assigned"], line_manager=self.p["manager"])
        file.medical = "Fictional fit note."
        file.save()
        schedule.do_recompute()
        line = Due.objects.get(record_class="personnel_file", object_id=file.pk)
        self.assertEqual(line.action, DueAction.KEEP)
        self.assertIsNone(line.due_on)
        # DVIP's policy gives personnel files no period: once the person has left, the line is for review.
        file.left_on = dt.date(2020, 1, 31)
        file.save()
        schedule.do_recompute()
        line.refresh_from_db()
        self.assertEqual(line.action, DueAction.REVIEW)
        self.assertEqual(PersonnelFile.objects.get(pk=file.pk).medical, "Fictional fit note.")
