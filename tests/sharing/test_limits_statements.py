"""Telling a client the limits of their confidentiality (issue 11, point 4): the pack's statement for
the client's audience (DVIP Appendix A for Violence Prevention Programme clients, Appendix B for
victims, Home-Start 1.1, Day-Mer), naming the organisation running Confide, offered on the client's
file, and a record of it being given, explained or signed, when, by whom, and in which wording."""

from __future__ import annotations

import datetime as dt
import io
import json
import time

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from confide.accounts.middleware import LAST_SEEN
from confide.accounts.models import Organisation
from confide.audit.models import AuditEvent
from confide.demo import DEMO_ORGANISATION, do_ensure_demo
from confide.records.models import Case, Client
from confide.sharing.consent import Given, do_record_consent
from confide.sharing.limits import LimitsError, Told, do_record_limits_told, signed_copy, statement_for
from confide.sharing.models import Consent, FormWording, LimitsTold
from tests.base import CLIENT_NAME, ConfideTestCase, clients_named

ORG = "Test Support Service"  # tests.base's organisation
SOURCE = ("DVIP", "Domestic Violence Intervention Project", "Home-Start", "Day-Mer", "JustUs")
SIGNED = b"Signed statement of confidentiality limits, scanned."


def pdf_text(content: bytes) -> str:
    return " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages).split())


def rename(name: str) -> None:
    organisation = Organisation.objects.get(pk=1)
    organisation.name = name
    organisation.save()  # its signal clears the cached organisation


def prompt(name: str = CLIENT_NAME) -> str:
    return f"Tell <bdi>{name}</bdi> the limits of confidentiality."


class VppStatementTest(ConfideTestCase):
    """DVIP: a Violence Prevention Programme client signs Appendix A (introduction, 9.01)."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        Client.objects.filter(pk=cls.p["client"].pk).update(subject_role="perpetrator")
        cls.p["client"].refresh_from_db()

    def url(self, name="web:limits"):
        return reverse(name, args=[self.p["client"].pk])

    def test_the_file_prompts_until_it_is_recorded_for_the_current_wording(self):
        self.sign_in("assigned")
        file_url = reverse("web:client_file", args=[self.p["client"].pk])
        self.assertContains(self.client.get(file_url), prompt(), html=False)
        page = self.client.get(self.url())
        self.assertContains(page, f"{ORG} – Violence Prevention Programme: statement of confidentiality limits")
        response = self.client.post(self.url(), {"how": "signed", "told_on": timezone.localdate().isoformat(),
                                                 "form_file": SimpleUploadedFile("signed.pdf", SIGNED,
                                                                                 "application/pdf")})
        self.assertEqual(response.status_code, 302)
        record = LimitsTold.objects.get()
        self.assertEqual((record.how, record.recorded_by, record.wording.document), ("signed", self.p["assigned"],
                                                                                      "vpp_statement"))
        self.assertIsNotNone(record.wording.frozen_at)
        self.assertIn(ORG, record.wording.text)
        event = AuditEvent.objects.get(action="limits.recorded")
        detail = json.loads(event.detail) if isinstance(event.detail, str) else event.detail
        self.assertEqual((event.client_id, detail["how"], detail["signed_copy"]),
                         (self.p["client"].pk, "signed", True))
        self.assertNotIn(CLIENT_NAME, str(event.detail))
        page = self.client.get(file_url)
        self.assertNotContains(page, prompt())
        self.assertContains(page, "Told on")
        # The signed copy is sealed under the client's key, and comes back only through the gate.
        with connection.cursor() as cursor:
            cursor.execute("SELECT form_content_sealed FROM sharing_limitstold")
            self.assertNotIn(SIGNED, bytes(cursor.fetchone()[0]))
        self.assertEqual(signed_copy(record)[2], SIGNED)
        copy_url = reverse("web:limits_signed_copy", args=[record.pk])
        self.assertEqual(self.client.get(copy_url).getvalue(), SIGNED)
        self.sign_in("other_team")
        self.assertEqual(self.client.get(copy_url).status_code, 404)
        self.assertEqual(self.client.get(self.url()).status_code, 404)

    def test_a_new_wording_asks_again(self):
        self.sign_in("assigned")
        self.client.post(self.url(), {"how": "signed", "told_on": timezone.localdate().isoformat()})
        self.assertEqual(LimitsTold.objects.count(), 1)
        rename("Renamed Support Service")
        self.addCleanup(rename, ORG)
        page = self.client.get(reverse("web:client_file", args=[self.p["client"].pk]))
        self.assertContains(page, prompt())
        self.assertContains(self.client.get(self.url()), "Renamed Support Service – Violence Prevention Programme")

    def test_appendix_a_is_signed_not_only_explained(self):
        self.sign_in("assigned")
        page = self.client.post(self.url(), {"how": "explained_in_person", "told_on": timezone.localdate().isoformat()})
        self.assertEqual(page.status_code, 400)
        self.assertFalse(LimitsTold.objects.exists())
        with self.assertRaisesMessage(LimitsError, "Appendix A"):
            do_record_limits_told(self.p["assigned"], self.p["pack"], ORG, self.p["client"], "vpp",
                                  Told(how="explained_by_phone", told_on=timezone.localdate()))

    def test_a_date_in_the_future_is_refused(self):
        with self.assertRaisesMessage(LimitsError, "the date cannot be in the future") as raised:
            do_record_limits_told(self.p["assigned"], self.p["pack"], ORG, self.p["client"], "vpp",
                                  Told(how="signed", told_on=timezone.localdate() + dt.timedelta(days=1)))
        self.assertEqual(raised.exception.field, "told_on")

    def test_the_pdf_names_the_organisation_running_confide(self):
        self.sign_in("assigned")
        response = self.client.get(self.url("web:limits_pdf"))
        self.assertEqual(response["Content-Type"], "application/pdf")
        text = pdf_text(response.getvalue())
        self.assertIn(f"{ORG} – Violence Prevention Programme", text)
        self.assertIn("I have read and understood these limits", text)
        for source in SOURCE:
            self.assertNotIn(source, text)
        self.assertNotIn(CLIENT_NAME, text)

    def test_a_worker_who_may_only_read_sees_the_statement_but_cannot_record(self):
        self.sign_in("same_team")
        page = self.client.get(self.url() + "?purpose=supervision")
        self.assertEqual(page.status_code, 200)
        self.assertNotContains(page, "Record it")
        self.assertEqual(self.client.post(self.url() + "?purpose=supervision",
                                          {"how": "signed", "told_on": timezone.localdate().isoformat()}).status_code,
                         404)
        self.assertFalse(LimitsTold.objects.exists())


class NoStatementTest(ConfideTestCase):
    """A client the pack has no statement for (DVIP: a service user, neither a Violence Prevention
    Programme client nor a victim): the page says so, and a post to it says why nothing is recorded."""

    def test_a_post_says_there_is_no_statement_to_record(self):
        # Found by the form fuzz (tests/web/test_form_fuzz.py): it was a 400 naming no problem.
        self.sign_in("assigned")
        url = reverse("web:limits", args=[self.p["client"].pk])
        self.assertContains(self.client.get(url), "The policy has no written statement")
        response = self.client.post(url, {"how": "signed", "told_on": timezone.localdate().isoformat()})
        self.assertContains(response, "nothing to record here", status_code=400)
        self.assertFalse(LimitsTold.objects.exists())


class VictimStatementTest(ConfideTestCase):
    """DVIP: a victim (a Women's Support Service client, or the partner of a Violence Prevention
    Programme client) has the limits explained in person or by telephone (introduction); Appendix B,
    when signed, is always given to her in copy."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        Client.objects.filter(pk=cls.p["client"].pk).update(subject_role="victim")
        cls.p["client"].refresh_from_db()

    def test_explained_by_telephone_is_recorded(self):
        record = do_record_limits_told(self.p["assigned"], self.p["pack"], ORG, self.p["client"], "vpp",
                                       Told(how="explained_by_phone", told_on=timezone.localdate()))
        self.assertEqual(record.wording.document, "victim_consent")

    def test_signed_without_a_copy_is_refused(self):
        with self.assertRaisesMessage(LimitsError, "the client is given a copy of") as raised:
            do_record_limits_told(self.p["assigned"], self.p["pack"], ORG, self.p["client"], "vpp",
                                  Told(how="signed", told_on=timezone.localdate()))
        self.assertEqual(raised.exception.field, "copy_given")

    def test_the_consent_form_blank_and_as_agreed_names_the_organisation(self):
        self.sign_in("assigned")
        blank = pdf_text(self.client.get(reverse("web:consent_form_pdf", args=[self.p["client"].pk])).getvalue())
        self.assertIn(ORG, blank)
        consent = do_record_consent(self.p["assigned"], self.p["pack"], ORG, self.p["client"], "vpp", Given(
            recipients=["police"], agencies=[], data=["case_notes"], purposes=["liaison"], how="written",
            has_capacity=True, informed=True, free_from_duress=True, given_on=timezone.localdate(),
            expires_on=timezone.localdate() + dt.timedelta(days=30)))
        agreed = pdf_text(self.client.get(reverse("web:consent_pdf", args=[consent.pk])).getvalue())
        self.assertIn(ORG, agreed)
        for text in (blank, agreed):
            for source in SOURCE:
                self.assertNotIn(source, text)


class HomeStartStatementTest(ConfideTestCase):
    """Home-Start 1.1: families are given the information verbally and in writing."""

    pack_name = "home_start"

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        Client.objects.filter(pk=cls.p["client"].pk).update(subject_role="parent")
        cls.p["client"].refresh_from_db()

    def test_explained_without_a_copy_to_keep_is_refused(self):
        with self.assertRaisesMessage(LimitsError, "clause 1.1"):
            do_record_limits_told(self.p["assigned"], self.p["pack"], ORG, self.p["client"], "home_start",
                                  Told(how="explained_in_person", told_on=timezone.localdate()))
        record = do_record_limits_told(self.p["assigned"], self.p["pack"], ORG, self.p["client"], "home_start",
                                       Told(how="explained_in_person", told_on=timezone.localdate(), copy_given=True))
        self.assertTrue(record.copy_given)
        self.assertTrue(record.wording.title.startswith(ORG))


class DayMerStatementTest(ConfideTestCase):
    """Day-Mer's Confidentiality Agreement is a declaration staff sign: clients are told the limits in
    a statement of their own, and the agreement is offered nowhere as a client's document."""

    pack_name = "day_mer"

    def test_the_client_is_offered_the_client_statement_not_the_staff_declaration(self):
        statement = statement_for(self.p["pack"], "service_user", "day_mer", ORG)
        self.assertEqual(statement.form.document, "confidentiality_for_clients")
        self.sign_in("assigned")
        for url in (reverse("web:limits", args=[self.p["client"].pk]),
                    reverse("web:client_file", args=[self.p["client"].pk]),
                    reverse("web:new_consent", args=[self.p["client"].pk])):
            page = self.client.get(url)
            self.assertEqual(page.status_code, 200, url)
            self.assertNotContains(page, "confidentiality agreement")
            self.assertNotContains(page, "I have read and understood and will follow")
        blank = pdf_text(self.client.get(reverse("web:consent_form_pdf", args=[self.p["client"].pk])).getvalue())
        self.assertIn(f"Agreement to share information: {ORG}", blank)
        self.assertNotIn("Day-Mer", blank)
        self.assertFalse(FormWording.objects.filter(document="confidentiality_agreement").exists())
        self.assertFalse(Consent.objects.exists())


class ReferralPromptTest(ConfideTestCase):
    def test_after_taking_a_referral_the_file_asks_for_the_limits_to_be_told(self):
        self.sign_in("assigned")
        response = self.client.post(reverse("web:new_referral"), {"name": "Rowan Tealby", "subject_role": "perpetrator",
                                                                  "service": "vpp"}, follow=True)
        self.assertContains(response, prompt("Rowan Tealby"))
        self.assertContains(response, reverse("web:limits", args=[clients_named("Rowan Tealby")[0].pk]))


class DemoDocumentsTest(TestCase):
    """The documents a client receives in the demo name the demo organisation; some demo clients
    have been told the limits of confidentiality and some still show the prompt."""

    @classmethod
    def setUpTestData(cls):
        do_ensure_demo("dvip", clients=24)

    def sign_in_as_worker_of(self, client):
        worker = Case.objects.filter(client=client).first().workers.first()
        self.client.force_login(worker)
        session = self.client.session
        session[LAST_SEEN] = time.time()
        session.save()

    def test_demo_statements_and_consent_forms_name_the_demo_organisation(self):
        told = set(LimitsTold.objects.values_list("client_id", flat=True))
        with_statement = list(Client.objects.filter(subject_role="victim", cases__service__in=["wss", "vpp"])
                              .order_by("id"))
        self.assertTrue(told, "some demo clients have been told")
        self.assertTrue([c for c in with_statement if c.pk not in told], "some have not")
        self.assertTrue(all(w.text.count(DEMO_ORGANISATION) for w in FormWording.objects.all()))
        client = with_statement[0]
        self.sign_in_as_worker_of(client)
        for url in (reverse("web:limits_pdf", args=[client.pk]), reverse("web:consent_form_pdf", args=[client.pk])):
            text = pdf_text(self.client.get(url).getvalue())
            self.assertIn(DEMO_ORGANISATION, text, url)
            for source in SOURCE:
                self.assertNotIn(source, text, url)
        page = self.client.get(reverse("web:client_file", args=[client.pk]))
        self.assertContains(page, "Told on" if client.pk in told else prompt(client.display_name))
