"""Reasons are real words (issue 12 point 6): a reason or note made of invisible characters is refused
wherever one is asked for, at the page and at the service, with the one rule's words
(confide.policy.reasons). What is refused is never stored."""

from __future__ import annotations

from django.urls import reverse

from confide.policy.reasons import ReasonError
from confide.records.break_glass import ReasonNeeded, do_open_outside, do_review_break_glass
from confide.records.entries import EntryError, do_add_note
from confide.records.models import BreakGlass, Client, Entry
from confide.sharing.disclosure import DisclosureError, do_decide, do_record_sent
from confide.sharing.incoming import RequestError, do_log_request
from confide.sharing.models import Approval, Disclosure, IncomingRequest, Task
from confide.sharing.tasks import TaskError, do_add_task, do_finish_task
from tests.base import ConfideTestCase, ask

ZWSP = "\u200b"
INVISIBLE = ZWSP * 10                               # ten characters to len(), nothing to a reader
MIXED = "\u200b\u200c\u200d\u2060\ufeff\u200e\u200f\u3164\u115f\u0301\u00ad\u2800"  # twelve, all invisible
RULE = "at least 10 letters or numbers; spaces, punctuation and invisible characters do not count"
REASON = "Duty worker: she phoned the helpline in distress"


class BreakGlassReasonTests(ConfideTestCase):
    """The reason for opening a file outside one's work (policy contract, `access`: "allowed with a
    recorded reason and a flag for review"; DVIP 1.01) is read by its reviewer: it must say something."""

    def test_ten_zero_width_spaces_are_refused_at_the_page_and_nothing_opens(self):
        self.sign_in("other_team")
        for reason in (INVISIBLE, MIXED, ZWSP.join("abcdefghi")):
            page = self.client.post(reverse("web:open_outside"),
                                    {"client": self.p["client"].pk, "purpose": "direct_support", "reason": reason})
            self.assertContains(page, "This file is outside your work. Give your reason", status_code=400)
            self.assertContains(page, RULE, status_code=400)
        self.assertFalse(BreakGlass.objects.exists())
        self.assertEqual(self.client.get(reverse("web:client_file", args=[self.p["client"].pk])).status_code, 404)

    def test_ten_zero_width_spaces_are_refused_at_the_service(self):
        with self.assertRaises(ReasonNeeded):
            do_open_outside(self.p["other_team"], self.p["client"].pk, "direct_support", INVISIBLE)
        self.assertFalse(BreakGlass.objects.exists())
        # A real reason in another script opens it, stored as typed.
        _client, glass = do_open_outside(self.p["other_team"], self.p["client"].pk, "direct_support",
                                         "Potrzebuję pilnie akt: dzwoniła w kryzysie")
        self.assertIsNotNone(glass)


class ReviewNoteTests(ConfideTestCase):
    def setUp(self):
        _client, self.glass = do_open_outside(self.p["other_team"], self.p["client"].pk, "direct_support", REASON)

    def test_a_review_note_of_invisible_characters_is_refused_at_the_service(self):
        with self.assertRaises(ReasonError) as raised:
            do_review_break_glass(self.p["data_controller"], self.glass, "concern", INVISIBLE)
        self.assertEqual(raised.exception.field, "note")
        self.glass.refresh_from_db()
        self.assertEqual(self.glass.outcome, BreakGlass.Outcome.PENDING)

    def test_a_break_glass_already_reviewed_is_not_reviewed_again_from_a_stale_copy(self):
        # The check that it waits for review is made on the row, read again and locked: two
        # reviewers at once cannot both record a review, the second overwriting the first.
        stale = BreakGlass.objects.get(pk=self.glass.pk)
        do_review_break_glass(self.p["data_controller"], self.glass, "appropriate", "")
        with self.assertRaisesMessage(ValueError, "already been reviewed"):
            do_review_break_glass(self.p["data_controller"], stale, "concern", "Looked at more than was needed.")
        self.glass.refresh_from_db()
        self.assertEqual(self.glass.outcome, BreakGlass.Outcome.APPROPRIATE)

    def test_a_review_note_of_invisible_characters_is_refused_at_the_page(self):
        self.sign_in("data_controller")
        url = reverse("web:review", args=[self.glass.pk])
        page = self.client.post(url, {"outcome": "appropriate", "note": MIXED})
        self.assertContains(page, RULE, status_code=400)
        self.glass.refresh_from_db()
        self.assertEqual(self.glass.outcome, BreakGlass.Outcome.PENDING)
        # A review note may still be left out altogether.
        self.assertRedirects(self.client.post(url, {"outcome": "appropriate", "note": "  "}), reverse("web:review_queue"))
        self.glass.refresh_from_db()
        self.assertEqual((self.glass.outcome, bytes(self.glass.review_note_sealed)), ("appropriate", b""))


class ApprovalNoteTests(ConfideTestCase):
    """An approver's notes are kept with the decision (Derbyshire: "always record the reasons for your
    decision, whether it is to share information or not")."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        Client.objects.filter(pk=cls.p["client"].pk).update(subject_role="victim")

    def test_an_approval_note_of_invisible_characters_is_refused_at_the_service(self):
        disclosure = ask(self.p)
        self.assertEqual(disclosure.status, Disclosure.Status.AWAITING_APPROVAL, disclosure.answer)
        for decision in ("approve", "decline"):
            with self.assertRaisesMessage(DisclosureError, f"write your reasons, which are kept with your "
                                                           f"decision ({RULE})") as raised:
                do_decide(self.p["manager"], disclosure.pk, decision, INVISIBLE, "manager-password-1")
            self.assertEqual((raised.exception.field, raised.exception.code), ("note", "reason_too_short"))
        self.assertFalse(Approval.objects.exists())

    def test_an_approval_note_of_invisible_characters_is_refused_at_the_page(self):
        disclosure = ask(self.p)
        self.sign_in("manager")
        page = self.client.post(reverse("web:approve", args=[disclosure.pk]),
                                {"decision": "approve", "note": MIXED, "secret": "manager-password-1"})
        self.assertContains(page, RULE, status_code=400)
        disclosure.refresh_from_db()
        self.assertEqual(disclosure.status, Disclosure.Status.AWAITING_APPROVAL)
        self.assertFalse(Approval.objects.exists())

    def test_a_request_reason_and_a_sent_note_of_invisible_characters_are_refused(self):
        from confide.records.access import access_client_to_write
        from confide.sharing.disclosure import Asked, Recipient, do_request_disclosure

        grant = access_client_to_write(self.p["assigned"], self.p["client"].pk, "direct_support",
                                       action="client.sharing.write")
        asked = Asked(recipient=Recipient(kind="childrens_services", name="Duty desk"), entries=[self.p["note"]],
                      purpose="child_protection", channel="phone", grounds=["child_at_risk_of_significant_harm"],
                      reason=INVISIBLE)
        with self.assertRaisesMessage(DisclosureError, f"write your reasons, which are kept whichever way "
                                                       f"the decision goes ({RULE})") as raised:
            do_request_disclosure(self.p["assigned"], self.p["pack"], grant, self.p["case"], asked)
        self.assertEqual(raised.exception.field, "reason")
        self.assertFalse(Disclosure.objects.exists())
        asked.reason = "Concerns for the children raised at the visit."
        disclosure = do_request_disclosure(self.p["assigned"], self.p["pack"], grant, self.p["case"], asked)
        do_decide(self.p["manager"], disclosure.pk, "approve", "The threshold is met, share now.", "manager-password-1")
        disclosure.refresh_from_db()
        self.assertEqual((disclosure.status, disclosure.before_sending), (Disclosure.Status.READY, []))
        with self.assertRaisesMessage(DisclosureError, f"say how and when it was sent ({RULE})") as raised:
            do_record_sent(self.p["assigned"], disclosure.pk, MIXED)
        self.assertEqual(raised.exception.field, "note")
        disclosure.refresh_from_db()
        self.assertIsNone(disclosure.sent_at)


class TaskAndNoteTests(ConfideTestCase):
    def _task(self) -> Task:
        task = do_add_task(None, kind="inform_subject_before_unless_increases_risk", title_text="Tell the client",
                           clause="3.08", client_id=self.p["client"].pk, case_id=self.p["case"].pk,
                           assigned_to_id=self.p["assigned"].pk)
        Task.objects.filter(pk=task.pk).update(may_skip=True)
        task.refresh_from_db()
        return task

    def test_a_tasks_not_done_note_of_invisible_characters_is_refused_at_the_service(self):
        task = self._task()
        with self.assertRaisesMessage(TaskError, f"say why it was not done ({RULE})") as raised:
            do_finish_task(self.p["assigned"], task, "not_done", INVISIBLE)
        self.assertEqual(raised.exception.field, "note")
        task.refresh_from_db()
        self.assertEqual(task.outcome, "")

    def test_a_tasks_not_done_note_of_invisible_characters_is_refused_at_the_page(self):
        task = self._task()
        self.sign_in("assigned")
        page = self.client.post(reverse("web:task", args=[task.pk]), {"outcome": "not_done", "note": MIXED})
        self.assertContains(page, "Say why it was not done", status_code=400)
        self.assertContains(page, RULE, status_code=400)
        task.refresh_from_db()
        self.assertEqual(task.outcome, "")

    def test_a_note_of_invisible_characters_alone_is_empty(self):
        before = Entry.objects.count()
        with self.assertRaisesMessage(EntryError, "the note is empty"):
            do_add_note(self.p["assigned"], self.p["case"], MIXED)
        self.sign_in("assigned")
        page = self.client.post(reverse("web:add_note", args=[self.p["case"].pk]),
                                {"text": INVISIBLE, "categories": ["case_notes"], "about_client": "on",
                                 "source": "client"})
        self.assertContains(page, "The note is empty", status_code=400)
        self.assertEqual(Entry.objects.count(), before)

    def test_the_details_of_a_request_from_outside_must_say_something(self):
        with self.assertRaisesMessage(RequestError, f"say who asked, what for, and what they said ({RULE})") as raised:
            do_log_request(self.p["assigned"], self.p["pack"], self.p["client"], requester_kind="police", agency=None,
                           how=IncomingRequest.How.values[0], details=INVISIBLE)
        self.assertEqual(raised.exception.field, "details")
        self.assertFalse(IncomingRequest.objects.exists())
