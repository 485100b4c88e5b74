"""Who may read a personnel file and its sealed medical section, for every pack, through the gate
(confide.staffing.access), each refusal on the audit log: the line manager reads the file but not the
medical section; another manager and the worker themself read nothing; the role the pack's sealed
rule names opens the medical section (DVIP 8.07); Home-Start's HSUK reviewer reads for quality
assurance, and a Home-Start trustee, whose reading needs an approval Confide does not take here, is
refused."""

from __future__ import annotations

import json

from django.contrib.auth import get_user_model
from django.http import Http404
from django.test import TestCase

from confide.audit.actions import Action
from confide.audit.models import AuditEvent
from confide.staffing import access
from confide.staffing.services import StaffingError, do_update_personnel
from tests.staffing.helpers import MEDICAL, NOTES, staffing_people

PACKS = ("dvip", "home_start", "day_mer", "justus", "derbyshire")


class PersonnelGate(TestCase):
    pack_name = "dvip"

    @classmethod
    def setUpTestData(cls):
        cls.p = staffing_people(cls.pack_name)

    def refused(self, who, *, medical=False, purpose=None) -> None:
        user = self.p[who]
        action = Action.PERSONNEL_MEDICAL_READ_REFUSED if medical else Action.PERSONNEL_READ_REFUSED
        before = AuditEvent.objects.filter(action=action, actor_id=user.pk).count()
        gate = access.access_medical if medical else access.access_personnel_file
        with self.assertRaises(Http404, msg=f"{self.pack_name}: {who} should be refused"):
            gate(user, self.p["file"].pk, purpose)
        self.assertEqual(AuditEvent.objects.filter(action=action, actor_id=user.pk).count(), before + 1,
                         f"{self.pack_name}: {who}'s refusal is on the audit log")

    def test_line_manager_reads_the_file_but_not_the_medical_section(self):
        grant = access.access_personnel_file(self.p["manager"], self.p["file"].pk)
        self.assertTrue(grant.sections)
        self.assertEqual(grant.purpose, "line_management")
        self.assertIn(NOTES, grant.file.notes)
        self.assertFalse(grant.medical)
        self.assertTrue(AuditEvent.objects.filter(action=Action.PERSONNEL_READ, actor_id=self.p["manager"].pk,
                                                  object_id=str(self.p["file"].pk)).exists())
        self.refused("manager", medical=True)

    def test_another_manager_and_other_workers_are_refused(self):
        for who in ("other_manager", "assigned", "other_team", "trustee"):
            self.refused(who)

    def test_the_worker_does_not_read_their_own_file_here(self):
        self.refused("same_team")
        self.refused("same_team", medical=True)

    def test_only_the_sealed_role_opens_the_medical_section(self):
        medical = access.access_medical(self.p["sealed"], self.p["file"].pk)
        self.assertIn(MEDICAL, medical.text)
        self.assertTrue(AuditEvent.objects.filter(action=Action.PERSONNEL_MEDICAL_READ,
                                                  actor_id=self.p["sealed"].pk).exists())
        grant = access.access_personnel_file(self.p["sealed"], self.p["file"].pk)
        self.assertTrue(grant.medical)

    def test_only_the_sealed_role_adds_to_the_medical_section(self):
        with self.assertRaises(StaffingError):
            do_update_personnel(self.p["manager"], self.p["file"], "medical", "A note the manager may not add.")
        self.assertTrue(AuditEvent.objects.filter(action=Action.PERSONNEL_UPDATED_REFUSED,
                                                  actor_id=self.p["manager"].pk).exists())

    def test_a_refusal_says_nothing_a_missing_file_would_not(self):
        with self.assertRaises(Http404):
            access.access_personnel_file(self.p["manager"], 999_999)
        event = AuditEvent.objects.filter(action=Action.PERSONNEL_READ_REFUSED).latest("seq")
        self.assertEqual(json.loads(event.detail)["reason"], "not_found")

    def test_the_list(self):
        listed = access.list_personnel_files(self.p["manager"])
        self.assertEqual([f.pk for f in listed], [self.p["file"].pk])
        self.assertFalse(access.may_list(self.p["assigned"]))
        self.assertEqual(access.list_personnel_files(self.p["assigned"]), [])
        self.assertIn(self.p["file"].pk, [f.pk for f in access.list_personnel_files(self.p["data_controller"])])


class HomeStartPersonnelGate(PersonnelGate):
    pack_name = "home_start"

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.p["reviewer"] = get_user_model().objects.create_user(
            username="reviewer", password="reviewer-password-1", role="hsuk_reviewer", team=cls.p["north"],
            first_name="Rhoda", last_name="Reviewer")

    def test_hsuk_reviewer_reads_for_quality_assurance_only(self):
        grant = access.access_personnel_file(self.p["reviewer"], self.p["file"].pk, "quality_assurance")
        self.assertTrue(grant.sections)
        self.assertFalse(grant.may_write)
        self.refused("reviewer", purpose="line_management")
        self.refused("reviewer", medical=True)

    def test_a_trustee_needs_an_approval_so_is_refused_here(self):
        self.refused("trustee", purpose="personnel_review")
        event = AuditEvent.objects.filter(action=Action.PERSONNEL_READ_REFUSED, actor_id=self.p["trustee"].pk
                                          ).latest("seq")
        self.assertEqual(json.loads(event.detail)["reason"], "needs_approval")


class DayMerPersonnelGate(PersonnelGate):
    pack_name = "day_mer"


class JustUsPersonnelGate(PersonnelGate):
    pack_name = "justus"


class DerbyshirePersonnelGate(PersonnelGate):
    pack_name = "derbyshire"


def test_every_pack_is_covered():
    assert {c.pack_name for c in (PersonnelGate, HomeStartPersonnelGate, DayMerPersonnelGate, JustUsPersonnelGate,
                                  DerbyshirePersonnelGate)} == set(PACKS)
