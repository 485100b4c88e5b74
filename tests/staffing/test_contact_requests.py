"""A request for a worker's home address or telephone number (DVIP 5.01; Day-Mer "referred to the
individual's line manager"), end to end: logged by anyone on the staff, the engine refusing under
5.01 until the worker agrees; passed by the line manager; agreed or refused by the worker; given only
as agreed. Nobody else opens it, and the person who logged it never sees the worker's address."""

from __future__ import annotations

import json

from django.http import Http404
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone

from confide.audit.actions import Action
from confide.audit.models import AuditEvent
from confide.staffing import access
from confide.staffing.models import ContactRequest
from confide.staffing.services import (
    StaffingError,
    do_answer_contact_request,
    do_log_contact_request,
    do_mark_contact_given,
    do_pass_contact_request,
)
from confide.web.staffing_views import home_panel
from tests.base import ConfideTestCase
from tests.staffing.helpers import HOME, PHONE, staffing_people

ASKED = {"name": "Barnaby Quince", "organisation": "Exampleton Housing Association",
         "why": "They say they need to post a tenancy form to the worker's home."}


class ContactRequestWorkflow(TestCase):
    pack_name = "dvip"

    @classmethod
    def setUpTestData(cls):
        cls.p = staffing_people(cls.pack_name)

    def log(self, who="assigned", data=("home_address",)):
        return do_log_contact_request(self.p[who], self.p["file"], list(data), "partner_agency", dict(ASKED))

    def test_agreed_and_given_end_to_end_with_the_engines_answer(self):
        request = self.log()
        self.assertEqual(request.status, ContactRequest.Status.RECEIVED)
        self.assertEqual(request.decision["decision"], "deny")
        self.assertEqual(request.decision["reasons"][0]["clause"], "5.01")
        self.assertIn("refer_to_individual_via_line_manager", request.decision["obligations"])
        # Waiting for the line manager, on their home page; nobody else may step it on.
        self.assertEqual(home_panel(self.p["manager"], timezone.localdate())["as_manager"], 1)
        with self.assertRaises(StaffingError):
            do_pass_contact_request(self.p["assigned"], request)
        with self.assertRaises(StaffingError):
            do_answer_contact_request(self.p["same_team"], request, True)  # not yet with the worker
        request = do_pass_contact_request(self.p["manager"], request)
        self.assertEqual(request.status, ContactRequest.Status.WITH_WORKER)
        self.assertEqual(home_panel(self.p["same_team"], timezone.localdate())["as_worker"], 1)
        with self.assertRaises(StaffingError):
            do_mark_contact_given(self.p["manager"], request)  # the worker has not agreed
        request = do_answer_contact_request(self.p["same_team"], request, True)
        self.assertEqual(request.status, ContactRequest.Status.AGREED)
        self.assertEqual(request.decision["decision"], "permit")
        self.assertEqual(request.decision["reasons"][0]["clause"], "5.01")
        request = do_mark_contact_given(self.p["manager"], request)
        self.assertEqual(request.status, ContactRequest.Status.GIVEN)
        actions = list(AuditEvent.objects.filter(object_type="contact_request", object_id=str(request.pk))
                       .order_by("seq").values_list("action", flat=True))
        for action in (Action.CONTACT_REQUEST_LOGGED, Action.CONTACT_REQUEST_PASSED, Action.CONTACT_REQUEST_ANSWERED,
                       Action.CONTACT_REQUEST_GIVEN):
            self.assertIn(action, actions)

    def test_refused_by_the_worker_is_never_given(self):
        request = do_pass_contact_request(self.p["manager"], self.log())
        request = do_answer_contact_request(self.p["same_team"], request, False)
        self.assertEqual(request.status, ContactRequest.Status.REFUSED)
        self.assertEqual(request.decision["decision"], "deny")
        with self.assertRaises(StaffingError):
            do_mark_contact_given(self.p["manager"], request)

    def test_only_the_three_people_open_it(self):
        request = self.log()
        for who in ("assigned", "manager", "same_team"):
            self.assertTrue(access.access_contact_request(self.p[who], request.pk)[1])
        for who in ("other_manager", "other_team", "data_controller", "trustee"):
            with self.assertRaises(Http404):
                access.access_contact_request(self.p[who], request.pk)
        self.assertEqual(AuditEvent.objects.filter(action=Action.CONTACT_REQUEST_READ_REFUSED).count(), 4)

    def test_a_worker_with_no_line_manager_cannot_be_asked_about_yet(self):
        file = self.p["file"]
        file.line_manager = None
        file.save()
        with self.assertRaises(StaffingError) as caught:
            self.log()
        self.assertIn("no line manager", caught.exception.message)


class StatutoryContactRequests(TestCase):
    """DVIP 5.01: "some Agencies ... have some automatic right of access to certain parts of personnel
    information e.g. Inland Revenue ... The line manager will notify any staff member of any legal
    requirements whereby DVIP is obliged to provide such information." """

    @classmethod
    def setUpTestData(cls):
        cls.p = staffing_people("dvip")

    def log(self, kind="hmrc", statutory="A tax query under the Taxes Management Act 1970"):
        return do_log_contact_request(self.p["assigned"], self.p["file"], ["home_address"], kind,
                                      {"name": "Hester Tallow", "organisation": "HMRC",
                                       "why": "A tax query about the worker's employment last year."}, statutory)

    def test_the_law_obliges_it_so_the_worker_is_told_and_it_is_given_even_if_they_refuse(self):
        request = self.log()
        self.assertEqual((request.decision["decision"], request.decision["reasons"][0]["clause"]), ("permit", "5.01"))
        self.assertIn("inform_subject", request.decision["obligations"])
        with self.assertRaises(StaffingError):
            do_mark_contact_given(self.p["manager"], request)  # the worker is told first
        request = do_pass_contact_request(self.p["manager"], request)
        request = do_answer_contact_request(self.p["same_team"], request, False)
        self.assertEqual(request.status, ContactRequest.Status.REFUSED)
        self.assertIsNone(request.closed_at, "a refusal does not end what the law requires")
        with self.assertRaises(StaffingError):
            do_mark_contact_given(self.p["assigned"], request)  # only the line manager gives it
        self.assertEqual(do_mark_contact_given(self.p["manager"], request).status, ContactRequest.Status.GIVEN)
        event = AuditEvent.objects.get(action=Action.CONTACT_REQUEST_GIVEN)
        self.assertIs(json.loads(event.detail)["statutory"], True)

    def test_a_duty_claimed_by_someone_the_policy_gives_no_such_right_changes_nothing(self):
        request = self.log(kind="partner_agency", statutory="They say a law requires it")
        self.assertEqual(request.decision["decision"], "deny")
        request = do_answer_contact_request(self.p["same_team"], do_pass_contact_request(self.p["manager"], request),
                                            False)
        self.assertIsNotNone(request.closed_at)
        with self.assertRaises(StaffingError):
            do_mark_contact_given(self.p["manager"], request)


class DayMerContactRequests(ContactRequestWorkflow):
    pack_name = "day_mer"

    def test_agreed_and_given_end_to_end_with_the_engines_answer(self):
        request = self.log()
        self.assertEqual(request.decision["decision"], "deny")
        self.assertIn("notify_line_manager", request.decision["obligations"])
        request = do_answer_contact_request(self.p["same_team"], do_pass_contact_request(self.p["manager"], request),
                                            True)
        self.assertEqual(request.decision["decision"], "permit")
        self.assertEqual(do_mark_contact_given(self.p["manager"], request).status, ContactRequest.Status.GIVEN)


class ContactRequestPages(ConfideTestCase):
    @classmethod
    def setUpTestData(cls):
        cls.p = staffing_people("dvip")

    def test_the_person_who_logged_it_never_sees_the_address(self):
        self.sign_in("assigned")
        response = self.client.post(reverse("staffing:contact_requests"), {
            "about": self.p["file"].pk, "data": ["home_address", "contact_details"], "recipient_kind": "partner_agency",
            **ASKED})
        request = ContactRequest.objects.get()
        self.assertRedirects(response, reverse("staffing:contact_request", args=[request.pk]))
        page = self.client.get(reverse("staffing:contact_request", args=[request.pk]))
        self.assertContains(page, "Clause 5.01")
        self.assertContains(page, "Not permitted")
        for secret in (HOME, PHONE):
            self.assertNotContains(page, secret)
        # Stepped on by the line manager and the worker, through the pages.
        self.sign_in("manager")
        self.client.post(reverse("staffing:contact_request", args=[request.pk]), {"next_step": "pass"})
        self.sign_in("same_team")
        self.client.post(reverse("staffing:contact_request", args=[request.pk]), {"next_step": "agree"})
        self.sign_in("assigned")
        page = self.client.get(reverse("staffing:contact_request", args=[request.pk]))
        self.assertContains(page, "The worker agreed")
        for secret in (HOME, PHONE):
            self.assertNotContains(page, secret)

    def test_a_step_that_is_not_theirs_changes_nothing(self):
        request = do_log_contact_request(self.p["assigned"], self.p["file"], ["home_address"], "police", dict(ASKED))
        self.sign_in("assigned")
        response = self.client.post(reverse("staffing:contact_request", args=[request.pk]), {"next_step": "pass"})
        self.assertEqual(response.status_code, 200)
        request.refresh_from_db()
        self.assertEqual(request.status, ContactRequest.Status.RECEIVED)
        self.sign_in("other_team")
        self.assertEqual(self.client.get(reverse("staffing:contact_request", args=[request.pk])).status_code, 404)
