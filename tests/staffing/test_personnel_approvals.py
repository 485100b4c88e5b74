"""Home-Start 8.4: "Access to personnel files is restricted to the individual's line manager, to
trustee/s if appropriate, and to HSUK reviewers". The pack opens a file to a trustee only with an
approval: the trustee asks, saying why; someone in a role the approval names (never the trustee who
asked, nor the worker) approves; the file then opens to them for a week, its medical section still
sealed. Every step and every opening is on the record."""

from __future__ import annotations

import datetime as dt
import json

from django.http import Http404
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone
from hypothesis.extra.django import TestCase as HypothesisTestCase

import confide.web.staffing_forms as SF
from confide.audit.actions import Action
from confide.audit.models import AuditEvent
from confide.notices.models import Notice
from confide.staffing import access
from confide.staffing.models import PersonnelApproval
from confide.staffing.services import StaffingError, do_ask_personnel_access, do_decide_personnel_access
from tests.base import ConfideTestCase
from tests.staffing.helpers import MEDICAL, NOTES, staffing_people
from tests.web.test_form_fuzz import MISSING, Fuzzing, Target, add_fuzz_tests

WHY = "The board is hearing a grievance appeal from the worker and needs the appraisal notes."


class TrusteeIfAppropriate(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.p = staffing_people("home_start")

    def test_refused_until_approved_then_open_for_a_week_with_the_medical_section_sealed(self):
        trustee, file = self.p["trustee"], self.p["file"]
        with self.assertRaises(Http404):
            access.access_personnel_file(trustee, file.pk)
        refused = AuditEvent.objects.filter(action=Action.PERSONNEL_READ_REFUSED, actor_id=trustee.pk).latest("seq")
        self.assertEqual(json.loads(refused.detail)["reason"], "needs_approval")

        approval = do_ask_personnel_access(trustee, file, WHY)
        self.assertEqual((approval.status, approval.purpose), (PersonnelApproval.Status.WAITING, "personnel_review"))
        self.assertIn(self.p["sealed"].role, approval.approver_roles)
        self.assertTrue(Notice.objects.filter(user=self.p["sealed"], object_type="personnel_approval").exists())
        self.assertFalse(Notice.objects.filter(user=trustee, object_type="personnel_approval").exists())
        with self.assertRaises(Http404):  # asked is not approved
            access.access_personnel_file(trustee, file.pk)
        for who in (trustee, self.p["assigned"], self.p["same_team"]):  # the asker, a worker, the worker
            with self.assertRaises(StaffingError):
                do_decide_personnel_access(who, approval, True)

        do_decide_personnel_access(self.p["sealed"], approval, True)
        grant = access.access_personnel_file(trustee, file.pk)
        self.assertEqual((grant.purpose, grant.sections), ("personnel_review", True))
        self.assertIn(NOTES, grant.file.notes)
        with self.assertRaises(Http404):
            access.access_medical(trustee, file.pk)
        read = AuditEvent.objects.filter(action=Action.PERSONNEL_READ, actor_id=trustee.pk).latest("seq")
        self.assertEqual(json.loads(read.detail)["approval"], approval.pk)
        self.assertTrue(Notice.objects.filter(user=trustee, kind=Notice.Kind.REQUEST_APPROVED).exists())
        with self.assertRaises(StaffingError):  # decided once
            do_decide_personnel_access(self.p["sealed"], approval, False)

        PersonnelApproval.objects.filter(pk=approval.pk).update(
            decided_at=timezone.now() - dt.timedelta(days=access.APPROVAL_DAYS, minutes=1))
        with self.assertRaises(Http404):
            access.access_personnel_file(trustee, file.pk)

    def test_a_refusal_opens_nothing(self):
        approval = do_ask_personnel_access(self.p["trustee"], self.p["file"], WHY)
        do_decide_personnel_access(self.p["sealed"], approval, False)
        with self.assertRaises(Http404):
            access.access_personnel_file(self.p["trustee"], self.p["file"].pk)

    def test_the_pages_from_asking_to_reading(self):
        trustee = self.p["trustee"]
        self.client.force_login(trustee)
        self.assertContains(self.client.get(reverse("web:home")), "ask to read one")
        asked = self.client.post(reverse("staffing:access_requests"), {"file": str(self.p["file"].pk), "reason": WHY})
        approval = PersonnelApproval.objects.get()
        self.assertRedirects(asked, reverse("staffing:access_request", args=[approval.pk]))
        self.assertNotContains(self.client.get(reverse("staffing:access_request", args=[approval.pk])), "Open the file")
        self.client.force_login(self.p["sealed"])
        self.assertContains(self.client.get(reverse("web:home")), "1 request waiting for your decision")
        page = self.client.get(reverse("staffing:access_request", args=[approval.pk]))
        self.assertContains(page, WHY)
        self.client.post(reverse("staffing:access_request", args=[approval.pk]), {"decision": "approve"})
        self.client.force_login(trustee)
        self.assertContains(self.client.get(reverse("staffing:access_request", args=[approval.pk])), "Open the file")
        file_page = self.client.get(reverse("staffing:file", args=[self.p["file"].pk]))
        self.assertContains(file_page, NOTES)
        self.assertNotContains(file_page, MEDICAL)
        self.client.force_login(self.p["other_team"])  # nobody else opens the request
        self.assertEqual(self.client.get(reverse("staffing:access_request", args=[approval.pk])).status_code, 404)


class NoApprovalRoute(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.p = staffing_people("dvip")

    def test_a_dvip_committee_member_cannot_ask(self):
        with self.assertRaises(StaffingError) as refused:
            do_ask_personnel_access(self.p["trustee"], self.p["file"], WHY)
        self.assertEqual(refused.exception.status, 403)
        self.assertFalse(PersonnelApproval.objects.exists())
        self.client.force_login(self.p["trustee"])
        self.assertEqual(self.client.get(reverse("staffing:access_requests")).status_code, 404)


# The forms fuzzed, on Home-Start (the harness's DVIP gives nobody a file with an approval): asking,
# as a trustee; deciding, as the data protection lead.
APPROVAL_TARGETS = [
    Target("staffing:access_requests", "trustee", query="", classes=(SF.AskAccessForm,),
           valid={"file": "@personnel_file", "reason": WHY}),
    Target("staffing:access_request", "sealed", {"approval_id": "approval"}, query="",
           classes=(SF.DecideAccessForm,), valid={"decision": "approve"}),
]


class ApprovalFormFuzzTests(Fuzzing, HypothesisTestCase, ConfideTestCase):
    targets = APPROVAL_TARGETS

    @classmethod
    def setUpTestData(cls):
        cls.p = staffing_people("home_start")
        cls.approval = do_ask_personnel_access(cls.p["trustee"], cls.p["file"], WHY)
        cls.baselines = {}

    def ids(self) -> dict:
        return {"client": self.p["client"].pk, "personnel_file": self.p["file"].pk, "approval": self.approval.pk}

    def test_the_sensible_post_is_taken(self):
        for target in APPROVAL_TARGETS:
            fields = self.fields(target)
            data = {name: f.valid for name, f in fields.items() if f.valid is not MISSING}
            self.assertEqual(self.check(target, data).status_code, 302, target.name)


add_fuzz_tests(ApprovalFormFuzzTests)
