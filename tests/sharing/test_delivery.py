"""Delivery: only by a channel the pack allows, to exactly the approved items through a link that
a revocation or its expiry shuts, with a printable record of what went; and the flags and tasks
that go with it."""

from __future__ import annotations

import datetime as dt
import io

from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from confide.partners.directory import do_add_agency
from confide.records.access import access_client_to_write
from confide.records.models import Client
from confide.sharing.disclosure import Asked, Recipient, do_decide, do_make_link, do_request_disclosure
from confide.sharing.models import Disclosure, SecureLink, Task
from tests.base import CLIENT_NAME, NOTE_TEXT, ConfideTestCase


def request(p, *, recipient: Recipient, channel="secure_link", grounds=("child_at_risk_of_significant_harm",),
            purpose="child_protection") -> Disclosure:
    grant = access_client_to_write(p["assigned"], p["client"].pk, "direct_support", action="client.sharing.write")
    return do_request_disclosure(p["assigned"], p["pack"], grant, p["case"], Asked(
        recipient=recipient, entries=[p["note"]], purpose=purpose, channel=channel, grounds=list(grounds),
        reason="Concerns for the children raised at the home visit."))


class JustUsChannelTest(ConfideTestCase):
    pack_name = "justus"

    def test_fax_is_refused_finally_citing_3_1(self):
        disclosure = request(self.p, recipient=Recipient(kind="police", name="Front desk"), channel="fax",
                             grounds=("serious_crime",), purpose="liaison")
        self.assertEqual(disclosure.status, Disclosure.Status.REFUSED)
        self.assertTrue(disclosure.final)
        self.assertIn("3.1", [r["clause"] for r in disclosure.answer["reasons"]])


class LinkTest(ConfideTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        Client.objects.filter(pk=cls.p["client"].pk).update(subject_role="victim")
        cls.police = do_add_agency(cls.p["manager"], name="Eastmere Police", kind="police", known_phone="01632 960200")

    def ready(self, **kwargs) -> Disclosure:
        disclosure = request(self.p, **{"recipient": Recipient(kind="childrens_services", name="Duty desk"), **kwargs})
        do_decide(self.p["manager"], disclosure.pk, "approve", "The threshold is met.", "manager-password-1")
        return disclosure

    def test_a_revoked_link_returns_nothing(self):
        disclosure = self.ready()
        link, token = do_make_link(self.p["assigned"], disclosure.pk)
        self.sign_in("assigned")
        page = self.client.post(reverse("web:disclosure", args=[disclosure.pk]), {"action": "revoke", "link": link.pk})
        self.assertEqual(page.status_code, 302)
        self.client.logout()
        self.assertEqual(self.client.get(reverse("web:shared", args=[token])).status_code, 404)
        self.assertEqual(self.client.post(reverse("web:shared_download", args=[token, self.p["note"].pk])).status_code,
                         404)

    def test_an_expired_link_returns_nothing_and_a_wrong_one_answers_alike(self):
        disclosure = self.ready()
        _link, token = do_make_link(self.p["assigned"], disclosure.pk)
        SecureLink.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
        expired = self.client.get(reverse("web:shared", args=[token]))
        wrong = self.client.get(reverse("web:shared", args=["x" * 43]))
        self.assertEqual((expired.status_code, wrong.status_code), (404, 404))
        self.assertEqual(expired.content, wrong.content)
        self.assertEqual(self.client.post(reverse("web:shared_download", args=[token, self.p["note"].pk])).status_code,
                         404)

    def test_the_link_reaches_only_the_approved_items(self):
        disclosure = self.ready()
        _link, token = do_make_link(self.p["assigned"], disclosure.pk)
        other = reverse("web:shared_download", args=[token, self.p["document"].pk])  # on file, not approved
        self.assertEqual(self.client.post(other).status_code, 404)
        self.assertEqual(self.client.get(reverse("web:shared_download", args=[token, self.p["note"].pk])).status_code,
                         405, "a GET (a mail scanner following the link) spends nothing")
        got = self.client.post(reverse("web:shared_download", args=[token, self.p["note"].pk]))
        self.assertIn(NOTE_TEXT.split(" the ")[0], "".join(p.extract_text() for p in PdfReader(io.BytesIO(got.getvalue())).pages))

    def test_an_agency_with_no_agreement_in_force_is_flagged_not_refused(self):
        disclosure = self.ready(recipient=Recipient(kind="police", agency=self.police), grounds=("threat_to_life",),
                                purpose="safeguarding")
        self.assertTrue(disclosure.agreement_problems)
        self.assertIn("No information-sharing agreement", disclosure.agreement_problems[0])
        self.sign_in("assigned")
        self.assertContains(self.client.get(reverse("web:disclosure", args=[disclosure.pk])),
                            "No information-sharing agreement")

    def test_the_printable_record_says_what_went_to_whom_why_and_on_what_basis(self):
        disclosure = self.ready()
        do_make_link(self.p["assigned"], disclosure.pk)
        self.sign_in("assigned")
        pdf = self.client.get(reverse("web:disclosure_record", args=[disclosure.pk]))
        self.assertEqual(pdf["Content-Type"], "application/pdf")
        text = " ".join("".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.getvalue())).pages).split())
        for words in (CLIENT_NAME, "Duty desk", "Child protection", "A child at risk of significant harm",
                      "clause 3.02", "Art 9(2)(g)", "Approved by Mona Manager", "Concerns for the children"):
            self.assertIn(words, text)

    def test_a_victim_signing_the_dvip_form_is_given_a_copy(self):
        from confide.sharing.consent import Given, do_record_consent

        do_record_consent(self.p["assigned"], self.p["pack"], "Test Support Service",
                          Client.objects.get(pk=self.p["client"].pk), "vpp", Given(
            recipients=["police"], agencies=[], data=["case_notes"], purposes=["liaison"], how="written",
            has_capacity=True, informed=True, free_from_duress=True, given_on=timezone.localdate(),
            expires_on=timezone.localdate() + dt.timedelta(days=90)))
        task = Task.objects.get(kind="give_copy_of_consent_form")
        self.assertEqual((task.assigned_to, task.clause), (self.p["assigned"], "Appendix B"))
