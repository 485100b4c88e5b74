"""The disclosure workflow through its pages, from both sides: the worker who asks, the people who
may and may not approve, the recipient's secure link, and the record it all leaves."""

from __future__ import annotations

import datetime as dt
import json
import re

from django.urls import reverse
from django.utils import timezone

from confide.audit.models import AuditEvent
from confide.partners.directory import do_add_agency, do_add_agreement, do_add_contact
from confide.records.models import Client
from confide.sharing.models import Consent, Disclosure, SecureLink, Task
from tests.base import NOTE_TEXT, ConfideTestCase

REASON = "Bruises seen on the younger child at the visit; the school has raised concerns too."
CONTACT_NAME = "Priya Fenwick-Hale"  # fictional duty social worker


def agencies(by):
    cs = do_add_agency(by, name="Northvale Children's Services", kind="childrens_services", known_phone="01632 960111")
    worker = do_add_contact(by, cs, name=CONTACT_NAME, job_title="Duty social worker", email="duty@example.org")
    today = timezone.localdate()
    do_add_agreement(by, cs, title="Northvale safeguarding protocol", starts_on=today - dt.timedelta(days=30),
                     ends_on=today + dt.timedelta(days=300), data=["case_notes", "risk_assessment", "contact_details"],
                     purposes=["child_protection", "safeguarding"], contacts=[worker])
    police = do_add_agency(by, name="Eastmere Police", kind="police", known_phone="01632 960222")
    return cs, worker, police


class DvipDisclosureTest(ConfideTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        Client.objects.filter(pk=cls.p["client"].pk).update(subject_role="victim")
        cls.cs, cls.worker, cls.police = agencies(cls.p["manager"])

    def ask(self, to: str, *, purpose="child_protection", grounds=("child_at_risk_of_significant_harm",),
            channel="secure_link", entries=None):
        data = {"case": str(self.p["case"].pk), "to": to, "entries": [str(e.pk) for e in (entries or [self.p["note"]])],
                "purpose": purpose, "grounds": list(grounds), "channel": channel, "reason": REASON}
        return self.client.post(reverse("web:share", args=[self.p["client"].pk]), data)

    def test_share_form_starts_empty_and_shows_what_could_go(self):
        self.sign_in("assigned")
        page = self.client.get(reverse("web:share", args=[self.p["client"].pk]))
        self.assertEqual(page.status_code, 200)
        html = page.content.decode()
        self.assertIn(NOTE_TEXT, html)
        self.assertNotIn("checked", re.sub(r'<input type="checkbox" name="grounds"[^>]*>', "", html)
                         .split('name="entries"')[1].split(">")[0])

    def test_worker_asks_manager_approves_agency_downloads_once_and_it_is_all_recorded(self):
        self.sign_in("assigned")
        response = self.ask(f"contact:{self.worker.pk}")
        disclosure = Disclosure.objects.get()
        self.assertRedirects(response, reverse("web:disclosure", args=[disclosure.pk]))
        page = self.client.get(reverse("web:disclosure", args=[disclosure.pk])).content.decode()
        self.assertIn("it may be shared if approved", page)
        self.assertIn("clause 3.02", page)
        self.assertEqual(disclosure.status, Disclosure.Status.AWAITING_APPROVAL)
        self.assertEqual(disclosure.answer["pack"]["name"], "dvip")
        self.assertTrue(disclosure.answer["legal_basis"])
        # The requester cannot approve their own request, and does not see it in any list.
        self.assertNotIn(disclosure, self.client.get(reverse("web:approvals")).context["waiting"])
        self.assertEqual(self.client.get(reverse("web:approve", args=[disclosure.pk])).status_code, 404)
        # A colleague in the same team cannot approve either (not a role the pack names).
        self.sign_in("same_team")
        self.assertEqual(self.client.get(reverse("web:approve", args=[disclosure.pk])).status_code, 404)
        # The manager approves, after confirming their password.
        self.sign_in("manager")
        self.assertIn(disclosure, self.client.get(reverse("web:approvals")).context["waiting"])
        url = reverse("web:approve", args=[disclosure.pk])
        wrong = self.client.post(url, {"decision": "approve", "note": "Child protection threshold met.",
                                       "secret": "not-my-password"})
        self.assertEqual(wrong.status_code, 400)
        self.assertContains(wrong, "That was not right", status_code=400)
        disclosure.refresh_from_db()
        self.assertEqual(disclosure.status, Disclosure.Status.AWAITING_APPROVAL)
        ok = self.client.post(url, {"decision": "approve", "note": "Child protection threshold met.",
                                    "secret": "manager-password-1"})
        self.assertEqual(ok.status_code, 302)
        disclosure.refresh_from_db()
        self.assertEqual(disclosure.status, Disclosure.Status.READY)
        self.assertEqual(disclosure.approvals.get().confirmed_with, "password")
        # The obligation becomes the requester's task.
        task = Task.objects.get(disclosure=disclosure)
        self.assertEqual(task.kind, "inform_subject_unless_increases_risk")
        self.assertEqual(task.assigned_to, self.p["assigned"])
        # The worker makes the one-time link.
        self.sign_in("assigned")
        made = self.client.post(reverse("web:disclosure", args=[disclosure.pk]), {"action": "link"})
        link_url = made.context["link_url"]
        token = link_url.rstrip("/").rsplit("/", 1)[1]
        self.assertFalse(SecureLink.objects.filter(token_hash=token).exists())  # only its hash is kept
        # The agency, not signed in, sees the item and downloads it once.
        self.client.logout()
        listing = self.client.get(link_url)
        self.assertEqual(listing.status_code, 200)
        self.assertNotContains(listing, NOTE_TEXT)
        download = reverse("web:shared_download", args=[token, self.p["note"].pk])
        first = self.client.post(download)
        self.assertEqual(first.status_code, 200)
        self.assertEqual(first["Content-Type"], "application/pdf")
        second = self.client.post(download)
        self.assertEqual(second.status_code, 404)
        # The client's record of access shows the request, the approval and the download.
        self.sign_in("assigned")
        record = self.client.get(reverse("web:record_of_access", args=[self.p["client"].pk])).content.decode()
        for words in ("Asked to share", "Approved a request to share", "Downloaded through a secure link"):
            self.assertIn(words, record)
        actions = list(AuditEvent.objects.filter(client_id=self.p["client"].pk).values_list("action", flat=True))
        self.assertIn("disclosure.downloaded", actions)

    def test_a_request_to_the_ex_partner_is_refused_finally_citing_3_08_and_recorded(self):
        self.sign_in("assigned")
        self.ask(f"person:{self.p['ex_partner'].pk}", purpose="liaison", grounds=(), channel="phone")
        disclosure = Disclosure.objects.get()
        self.assertEqual(disclosure.status, Disclosure.Status.REFUSED)
        self.assertTrue(disclosure.final)
        self.assertEqual({r["clause"] for r in disclosure.answer["reasons"]}, {"3.08"})
        page = self.client.get(reverse("web:disclosure", args=[disclosure.pk]))
        self.assertContains(page, "This refusal is final")
        self.assertContains(page, "clause 3.08")
        event = AuditEvent.objects.get(action="disclosure.refused_by_policy")
        self.assertEqual(json.loads(event.detail)["clauses"], ["3.08", "3.08"])

    def test_a_worker_who_cannot_read_the_case_cannot_start_a_disclosure(self):
        self.sign_in("other_team")
        self.assertEqual(self.client.get(reverse("web:share", args=[self.p["client"].pk])).status_code, 404)
        self.assertEqual(self.ask(f"contact:{self.worker.pk}").status_code, 404)
        self.assertFalse(Disclosure.objects.exists())

    def test_withdrawn_consent_stops_a_pending_disclosure_and_its_link(self):
        self.sign_in("assigned")
        consent = self._consent(["police"], ["case_notes"], ["liaison"])
        self.ask(f"agency:{self.police.pk}", purpose="liaison", grounds=(), channel="secure_link")
        disclosure = Disclosure.objects.get()
        self.assertEqual(disclosure.status, Disclosure.Status.READY, disclosure.answer)
        self.assertEqual(disclosure.consent, consent)
        made = self.client.post(reverse("web:disclosure", args=[disclosure.pk]), {"action": "link"})
        link_url = made.context["link_url"]
        page = self.client.post(reverse("web:consent", args=[consent.pk]),
                                {"withdrawn_on": timezone.localdate().isoformat()})
        self.assertContains(page, "Withdrawal recorded")
        self.client.logout()
        self.assertEqual(self.client.get(link_url).status_code, 404)

    def test_an_expired_consent_stops_a_request_waiting_to_be_sent(self):
        self.sign_in("assigned")
        consent = self._consent(["police"], ["case_notes"], ["liaison"])
        self.ask(f"agency:{self.police.pk}", purpose="liaison", grounds=(), channel="phone")
        disclosure = Disclosure.objects.get()
        self.assertEqual(disclosure.status, Disclosure.Status.READY)
        Consent.objects.filter(pk=consent.pk).update(expires_on=timezone.localdate() - dt.timedelta(days=1))
        page = self.client.post(reverse("web:disclosure", args=[disclosure.pk]),
                                {"action": "sent", "note": "Read to PC Dunmore by telephone."})
        self.assertContains(page, "withdrawn or has expired", status_code=400)
        disclosure.refresh_from_db()
        self.assertEqual(disclosure.status, Disclosure.Status.STOPPED)

    def test_a_date_of_birth_the_policy_cannot_use_is_said_plainly_and_nothing_typed_is_lost(self):
        # Issue 13: a client born in the future, or in 1850, made "ask the policy" a server error (the
        # engine takes ages from 0 to 130 only, RequestError on subject.age). The worker is told what
        # is wrong on the form they filled in, with what they typed still in it, and nothing is recorded.
        self.sign_in("assigned")
        today = timezone.localdate()
        for born in (today + dt.timedelta(days=400), dt.date(1850, 6, 1)):
            with self.subTest(born=born):
                client = Client.objects.get(pk=self.p["client"].pk)
                client.date_of_birth = born
                client.save()
                page = self.ask(f"contact:{self.worker.pk}")
                self.assertContains(page, "date of birth", status_code=400)
                self.assertContains(page, REASON, status_code=400)
                self.assertFalse(Disclosure.objects.exists())
                self.assertFalse(AuditEvent.objects.filter(action__startswith="disclosure.").exists())

    def test_recording_as_sent_a_request_not_ready_to_send_says_why(self):
        # Found by the form fuzz (tests/web/test_form_fuzz.py): an empty "sent" post to a request still
        # waiting for approval was a 400 naming no problem, the form it failed being absent from the page.
        self.sign_in("assigned")
        self.ask(f"contact:{self.worker.pk}", channel="phone")
        disclosure = Disclosure.objects.get()
        self.assertEqual(disclosure.status, Disclosure.Status.AWAITING_APPROVAL)
        page = self.client.post(reverse("web:disclosure", args=[disclosure.pk]), {"action": "sent"})
        self.assertContains(page, "only a request ready to send", status_code=400)
        disclosure.refresh_from_db()
        self.assertEqual(disclosure.status, Disclosure.Status.AWAITING_APPROVAL)

    def _consent(self, recipients, data, purposes) -> Consent:
        today = timezone.localdate()
        response = self.client.post(reverse("web:new_consent", args=[self.p["client"].pk]), {
            "given_by": "client", "recipients": recipients, "data": data, "purposes": purposes, "how": "written",
            "has_capacity": "on", "informed": "on", "free_from_duress": "on", "given_on": today.isoformat(),
            "expires_on": (today + dt.timedelta(days=90)).isoformat()})
        self.assertEqual(response.status_code, 302, response.content.decode()[:3000])
        return Consent.objects.latest("id")
