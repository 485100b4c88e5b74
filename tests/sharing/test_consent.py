"""The consent register: what a person agreed to, in the exact wording they were shown, frozen
once agreed; invalid consent refused with its reason; a new consent supersedes the old; withdrawal
at any time; and the reminders of consents about to end."""

from __future__ import annotations

import datetime as dt
import io

from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from confide.policy import load_pack
from confide.records.models import Client
from confide.sharing.consent import consent_form, do_store_wording
from confide.sharing.models import Consent, FormWording, FrozenWording
from tests.base import CLIENT_NAME, ConfideTestCase


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


class ConsentRegisterTest(ConfideTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        Client.objects.filter(pk=cls.p["client"].pk).update(subject_role="victim")

    def record(self, **changes):
        today = timezone.localdate()
        data = {"given_by": "client", "recipients": ["police"], "data": ["case_notes"], "purposes": ["liaison"],
                "how": "written", "has_capacity": "on", "informed": "on", "free_from_duress": "on",
                "given_on": today.isoformat(), "expires_on": (today + dt.timedelta(days=20)).isoformat(), **changes}
        return self.client.post(reverse("web:new_consent", args=[self.p["client"].pk]),
                                {k: v for k, v in data.items() if v is not None})

    def test_the_form_shown_is_the_packs_and_kept_exactly_with_the_consent(self):
        self.sign_in("assigned")
        page = self.client.get(reverse("web:new_consent", args=[self.p["client"].pk]))
        self.assertContains(page, "Victim&#x27;s statement of agreement to the release of information")
        self.assertEqual(self.record().status_code, 302)
        consent = Consent.objects.get()
        self.assertEqual(consent.wording.document, "victim_consent")
        self.assertIn("We will not share anything you tell us with your partner or ex-partner", consent.wording.text)
        self.assertIsNotNone(consent.wording.frozen_at)
        self.assertIn("police", consent.scope_text)
        # The PDF of what was agreed carries the version's words and the scope.
        pdf = pdf_text(self.client.get(reverse("web:consent_pdf", args=[consent.pk])).getvalue())
        self.assertIn("We will not share anything you tell us", pdf)
        self.assertIn("version 1", pdf)
        self.assertIn("police", pdf)
        self.assertNotIn(CLIENT_NAME, self.client.get(reverse("web:consent_form_pdf", args=[self.p["client"].pk])).getvalue()
                         .decode("latin-1"))

    def test_a_victims_consent_form_says_it_must_be_in_writing(self):
        # DVIP Appendix B and 2.02: a victim's records go only with her written consent, though the
        # pack's general requirement (2.01) does not ask for writing: the form says so before it is used.
        self.sign_in("assigned")
        page = self.client.get(reverse("web:new_consent", args=[self.p["client"].pk]))
        self.assertContains(page, "This policy needs consent in writing (Appendix B)")
        Client.objects.filter(pk=self.p["client"].pk).update(subject_role="perpetrator")
        page = self.client.get(reverse("web:new_consent", args=[self.p["client"].pk]))
        self.assertNotContains(page, "This policy needs consent in writing")

    def test_agreed_wording_never_changes_and_a_changed_pack_makes_a_new_version(self):
        pack = load_pack("dvip")
        form = consent_form(pack, "victim", "vpp")
        first = do_store_wording(pack, form)
        self.assertEqual(do_store_wording(pack, form), first)  # the same words are the same version
        FormWording.objects.filter(pk=first.pk).update(frozen_at=timezone.now())
        first.refresh_from_db()
        first.text += "A sentence nobody agreed to."
        with self.assertRaises(FrozenWording):
            first.save()
        changed = form.__class__(form.document, form.title, form.text + "\nA new clause.\n", form.expiry)
        second = do_store_wording(pack, changed)
        self.assertEqual((second.version, second.document), (2, "victim_consent"))
        self.assertEqual(FormWording.objects.get(pk=first.pk).text, form.text)

    def test_consent_without_capacity_information_or_freedom_is_not_recorded(self):
        self.sign_in("assigned")
        response = self.record(free_from_duress=None)
        self.assertContains(response, "Consent can only be recorded as given when the person had capacity",
                            status_code=400, html=False)
        self.assertContains(response, 'value="police"', status_code=400)  # what was typed is kept
        self.assertFalse(Consent.objects.exists())

    def test_the_victim_form_needs_its_expiry_date_and_dates_must_make_sense(self):
        self.sign_in("assigned")
        self.assertContains(self.record(expires_on=""), "has an expiry date: fill it in", status_code=400)
        tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
        self.assertContains(self.record(given_on=tomorrow), "cannot be in the future", status_code=400)
        self.assertContains(self.record(given_by="parent"), "name of the parent or guardian", status_code=400)
        self.assertFalse(Consent.objects.exists())

    def test_a_new_consent_for_the_same_scope_supersedes_the_old(self):
        self.sign_in("assigned")
        self.record()
        self.record(recipients=["probation"])  # a different scope: both stay in force
        self.record()
        old, other, new = Consent.objects.order_by("id")
        self.assertEqual(old.superseded_by, new)
        self.assertIsNone(other.superseded_by)
        self.assertEqual((old.status(), new.status(), other.status()), ("withdrawn", "given", "given"))
        page = self.client.get(reverse("web:sharing", args=[self.p["client"].pk]))
        self.assertContains(page, "Replaced by a newer consent")

    def test_withdrawal_is_recorded_and_cannot_be_dated_in_the_future(self):
        self.sign_in("assigned")
        self.record()
        consent = Consent.objects.get()
        url = reverse("web:consent", args=[consent.pk])
        later = (timezone.localdate() + dt.timedelta(days=3)).isoformat()
        self.assertContains(self.client.post(url, {"withdrawn_on": later}), "cannot be in the future", status_code=400)
        self.client.post(url, {"withdrawn_on": timezone.localdate().isoformat()})
        consent.refresh_from_db()
        self.assertEqual(consent.status(), "withdrawn")
        self.assertContains(self.client.get(url), "Withdrawn")

    def test_workers_see_their_clients_consents_about_to_end(self):
        self.sign_in("assigned")
        self.record()
        home = self.client.get(reverse("web:home"))
        self.assertContains(home, f"{CLIENT_NAME}'s consent ends on")
        self.sign_in("other_team")
        self.assertNotContains(self.client.get(reverse("web:home")), CLIENT_NAME)

    def test_a_signed_form_is_kept_encrypted_and_given_back(self):
        from django.core.files.uploadedfile import SimpleUploadedFile

        self.sign_in("assigned")
        scan = SimpleUploadedFile("signed.pdf", b"%PDF-1.4 signed form", content_type="application/pdf")
        self.assertEqual(self.record(form_file=scan).status_code, 302)
        consent = Consent.objects.get()
        self.assertNotIn(b"signed form", bytes(consent.form_content_sealed))
        got = self.client.get(reverse("web:consent_signed_form", args=[consent.pk]))
        self.assertEqual(got.getvalue(), b"%PDF-1.4 signed form")

    def test_only_those_who_can_open_the_file_see_or_record_its_consents(self):
        self.sign_in("assigned")
        self.record()
        consent = Consent.objects.get()
        for who in ("other_team", "trustee"):
            self.sign_in(who)
            self.assertEqual(self.client.get(reverse("web:consent", args=[consent.pk])).status_code, 404)
            self.assertEqual(self.record().status_code, 404)
        self.assertEqual(Consent.objects.count(), 1)
