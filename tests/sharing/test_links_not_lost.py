"""Sharing that cannot be lost (issue 13): a secure link, once lost, was gone for good, the request
said "Sent" with nothing downloaded, and the only way on was a new request and a new approval.
Now a new link stops the old one in the same transaction; "Sent" comes with the first download (or
a worker recording that it went some other way); the identifying details chosen in the request are
recorded with it; and an approver reads, through the gate, the words they are asked to let go."""

from __future__ import annotations

import json

from django.contrib.auth import get_user_model
from django.http import Http404
from django.urls import reverse

from confide.audit.models import AuditEvent
from confide.records.access import access_client_to_write
from confide.records.models import Client
from confide.sharing import access as sharing_gate
from confide.sharing.disclosure import (
    LINK_ISSUED,
    Asked,
    NotAllowed,
    Recipient,
    do_decide,
    do_make_link,
    do_request_disclosure,
    identifying_details,
    status_label,
)
from confide.sharing.models import Disclosure, SecureLink
from tests.base import CLIENT_NAME, NOTE_TEXT, ConfideTestCase, ask


def request(p, who="assigned", *, include_name=False, include_date_of_birth=False, entries=None) -> Disclosure:
    grant = access_client_to_write(p[who], p["client"].pk, "direct_support", action="client.sharing.write")
    return do_request_disclosure(p[who], p["pack"], grant, p["case"], Asked(
        recipient=Recipient(kind="childrens_services", name="Duty desk"), entries=entries or [p["note"]],
        purpose="child_protection", channel="secure_link", grounds=["child_at_risk_of_significant_harm"],
        reason="Concerns for the children raised at the home visit.", include_name=include_name,
        include_date_of_birth=include_date_of_birth))


def events(action: str) -> list[dict]:
    return [json.loads(e.detail) for e in AuditEvent.objects.filter(action=action).order_by("seq")]


class LinksTest(ConfideTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        Client.objects.filter(pk=cls.p["client"].pk).update(subject_role="victim")

    def ready(self, **kwargs) -> Disclosure:
        disclosure = request(self.p, **kwargs)
        do_decide(self.p["manager"], disclosure.pk, "approve", "The threshold is met.", "manager-password-1")
        disclosure.refresh_from_db()
        self.assertEqual(disclosure.status, Disclosure.Status.READY)
        return disclosure

    def download(self, token, entry=None):
        return self.client.post(reverse("web:shared_download", args=[token, (entry or self.p["note"]).pk]))

    def test_a_link_made_is_not_sent_until_the_recipient_downloads(self):
        # The defect: making the link moved the request to "Sent" with nothing downloaded.
        disclosure = self.ready()
        _link, token = do_make_link(self.p["assigned"], disclosure.pk)
        disclosure = Disclosure.objects.prefetch_related("links").get(pk=disclosure.pk)
        self.assertEqual(disclosure.status, Disclosure.Status.READY)
        self.assertIsNone(disclosure.sent_at)
        self.assertEqual(status_label(disclosure), LINK_ISSUED)
        self.assertFalse(AuditEvent.objects.filter(action="disclosure.sent").exists())
        self.assertEqual(self.download(token).status_code, 200)
        disclosure.refresh_from_db()
        self.assertEqual(disclosure.status, Disclosure.Status.SENT)
        self.assertIsNotNone(disclosure.sent_at)
        self.assertEqual(status_label(disclosure), "Sent")
        [sent] = events("disclosure.sent")
        self.assertEqual((sent["by"], sent["channel"]), ("download", "secure_link"))

    def test_a_new_link_stops_the_old_one_and_needs_no_new_approval(self):
        # The defect: leave the page and the link was gone for good; the only way on was a new
        # request and a new approval.
        disclosure = self.ready()
        first, old_token = do_make_link(self.p["assigned"], disclosure.pk)
        second, new_token = do_make_link(self.p["assigned"], disclosure.pk)
        first.refresh_from_db()
        self.assertIsNotNone(first.revoked_at)
        self.assertEqual(first.revoked_by_id, self.p["assigned"].pk)
        self.assertIsNone(SecureLink.objects.get(pk=second.pk).revoked_at)
        self.assertEqual(self.client.get(reverse("web:shared", args=[old_token])).status_code, 404)
        self.assertEqual(self.download(old_token).status_code, 404)
        self.assertEqual(self.client.get(reverse("web:shared", args=[new_token])).status_code, 200)
        self.assertEqual(self.download(new_token).status_code, 200)
        self.assertEqual(Disclosure.objects.count(), 1)
        self.assertEqual(disclosure.approvals.count(), 1)
        made = events("disclosure.link_made")
        self.assertEqual([m["stopped"] for m in made], [[], [first.pk]])

    def test_a_new_link_once_everything_was_downloaded_and_lost(self):
        disclosure = self.ready()
        _link, token = do_make_link(self.p["assigned"], disclosure.pk)
        self.download(token)
        disclosure.refresh_from_db()
        self.assertEqual(disclosure.status, Disclosure.Status.SENT)
        _again, new_token = do_make_link(self.p["assigned"], disclosure.pk)
        self.assertEqual(self.download(new_token).status_code, 200)
        disclosure.refresh_from_db()
        self.assertEqual(disclosure.status, Disclosure.Status.SENT)
        self.assertEqual(len(events("disclosure.sent")), 1, "sent once, at the first download")

    def test_only_the_requester_or_a_manager_makes_a_new_link(self):
        disclosure = self.ready()
        do_make_link(self.p["assigned"], disclosure.pk)
        with self.assertRaisesMessage(NotAllowed, "Only the person who asked for this, or a manager"):
            do_make_link(self.p["same_team"], disclosure.pk)
        self.assertEqual(SecureLink.objects.filter(revoked_at__isnull=True).count(), 1)
        _link, token = do_make_link(self.p["manager"], disclosure.pk)
        self.assertEqual(self.client.get(reverse("web:shared", args=[token])).status_code, 200)

    def test_no_link_for_a_request_that_is_not_live(self):
        for status in (Disclosure.Status.STOPPED, Disclosure.Status.CANCELLED, Disclosure.Status.DECLINED,
                       Disclosure.Status.AWAITING_APPROVAL):
            with self.subTest(status=status):
                disclosure = self.ready()
                Disclosure.objects.filter(pk=disclosure.pk).update(status=status)
                with self.assertRaisesMessage(NotAllowed, "Only an approved request can be sent."):
                    do_make_link(self.p["assigned"], disclosure.pk)
                self.assertFalse(SecureLink.objects.filter(disclosure=disclosure).exists())


class IdentifyingDetailsTest(ConfideTestCase):
    def test_the_choice_is_kept_with_the_request_and_its_audit_event_as_booleans_only(self):
        Client.objects.filter(pk=self.p["client"].pk).update(subject_role="victim")
        named = request(self.p, include_name=True)
        self.assertEqual((named.include_name, named.include_date_of_birth), (True, False))
        self.assertEqual(identifying_details(named), "The client's name")
        plain = request(self.p)
        self.assertEqual((plain.include_name, plain.include_date_of_birth), (False, False))
        self.assertIn("client's number only", identifying_details(plain))
        both = request(self.p, include_name=True, include_date_of_birth=True)
        self.assertEqual(identifying_details(both), "The client's name and their date of birth")
        asked = events("disclosure.requested")
        self.assertEqual([(d["include_name"], d["include_date_of_birth"]) for d in asked],
                         [(True, False), (False, False), (True, True)])
        for event in AuditEvent.objects.filter(action="disclosure.requested"):
            self.assertNotIn(CLIENT_NAME, event.detail)


class ApproverWordsTest(ConfideTestCase):
    def test_the_approver_reads_the_words_through_the_gate_and_it_is_recorded(self):
        Client.objects.filter(pk=self.p["client"].pk).update(subject_role="victim")
        disclosure = ask(self.p, channel="secure_link")
        record = sharing_gate.access_disclosure_to_decide(self.p["manager"], disclosure.pk)
        words = sharing_gate.access_words_to_decide(self.p["manager"], record)
        self.assertEqual([w["text"] for w in words], [NOTE_TEXT])
        [read] = AuditEvent.objects.filter(action="disclosure.approval_words")
        self.assertEqual((read.client_id, read.purpose, read.object_id), (self.p["client"].pk, "child_protection",
                                                                            str(disclosure.pk)))
        self.assertEqual(json.loads(read.detail)["entries"], [self.p["note"].pk])
        self.assertNotIn(NOTE_TEXT, read.detail)
        # Someone who is not its approver reads nothing, and is refused as a missing request is.
        with self.assertRaises(Http404):
            sharing_gate.access_words_to_decide(self.p["same_team"], record)


class TrusteeApproverWordsTest(ConfideTestCase):
    """Day-Mer: the Chair is briefed "on the full facts of the case, ensuring they do not breach
    confidentiality in doing so": the engine lets no trustee read a client's records, so the Chair
    decides on the facts, without the words."""

    pack_name = "day_mer"

    def test_the_chair_decides_on_the_facts_without_the_words(self):
        Client.objects.filter(pk=self.p["client"].pk).update(subject_role="service_user")
        disclosure = ask(self.p)
        do_decide(self.p["manager"], disclosure.pk, "approve", "Discussed and the threshold is met.",
                  "manager-password-1")
        chair = get_user_model().objects.get(pk=self.p["trustee"].pk)
        record = sharing_gate.access_disclosure_to_decide(chair, disclosure.pk)
        words = sharing_gate.access_words_to_decide(chair, record)
        self.assertEqual([w["text"] for w in words], [None])
        self.assertFalse(AuditEvent.objects.filter(action="disclosure.approval_words", actor_id=chair.pk).exists())
