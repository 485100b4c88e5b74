"""Downloads keep names private (issue 12, point 10): every file Confide hands over is saved under its
kind and number, never the name it was uploaded with, which would stay in the browser's download
history on a shared computer (DVIP 6.06: nothing left behind). The response is Django's own
FileResponse(as_attachment=True, filename=...) (issue 19, point 11), so a name that is not ASCII
cannot break its header."""

from __future__ import annotations

import datetime as dt

from django.http import FileResponse
from django.urls import reverse
from django.utils import timezone

from confide.records.access import access_client_to_write
from confide.records.entries import EntryFacts, do_add_document
from confide.records.models import Client
from confide.sharing.consent import Given, do_record_consent
from confide.sharing.disclosure import Asked, Recipient, do_decide, do_make_link, do_request_disclosure
from confide.sharing.incoming import do_log_request
from confide.web.downloads import attachment, neutral_name
from tests.base import ConfideTestCase

# Fictional: a client's first name and a place, with letters outside ASCII.
ORIGINAL = "Zelda-tenancy-Łódź.pdf"
PARTS = ("Zelda", "tenancy", "Łódź", "Lodz", "dz", "%C5")
CONTENT = b"%PDF-1.4 fictional tenancy letter"


class DownloadNameTests(ConfideTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        p = cls.p
        Client.objects.filter(pk=p["client"].pk).update(subject_role="victim")
        cls.document = do_add_document(p["assigned"], p["case"], ORIGINAL, "application/pdf", CONTENT,
                                       "Tenancy letter", EntryFacts())
        grant = access_client_to_write(p["assigned"], p["client"].pk, "direct_support", action="client.sharing.write")
        cls.consent = do_record_consent(p["assigned"], p["pack"], "Test Support Service", p["client"], p["case"].service,
                                        Given(recipients=["police"], agencies=[], data=["case_notes"],
                                              purposes=["liaison"], how="written", has_capacity=True, informed=True,
                                              free_from_duress=True, given_on=timezone.localdate(),
                                              expires_on=timezone.localdate() + dt.timedelta(days=60),
                                              form_file=(ORIGINAL, "application/pdf", CONTENT)))
        cls.logged = do_log_request(p["assigned"], p["pack"], p["client"], requester_kind="police", agency=None,
                                    how="phone", details="DC Example asked for the last address.",
                                    order="court_order", order_file=(ORIGINAL, "application/pdf", CONTENT))
        disclosure = do_request_disclosure(p["assigned"], p["pack"], grant, p["case"], Asked(
            recipient=Recipient(kind="childrens_services", name="Duty desk"), entries=[cls.document],
            purpose="child_protection", channel="secure_link", grounds=["child_at_risk_of_significant_harm"],
            reason="Concerns for the children raised at the home visit."))
        do_decide(p["manager"], disclosure.pk, "approve", "The threshold is met.", "manager-password-1")
        _link, cls.token = do_make_link(p["assigned"], disclosure.pk)
        # A signed statement of the limits of confidentiality, sealed as do_record_limits_told keeps it.
        from confide.sharing.consent import Form, do_store_wording
        from confide.sharing.models import LimitsTold

        wording = do_store_wording(p["pack"], Form("statement", "Statement", "The limits of confidentiality.\n", False))
        told = LimitsTold(client=p["client"], wording=wording, how="signed", told_on=timezone.localdate(),
                          recorded_by=p["assigned"])
        told.form_filename, told.form_content = ORIGINAL, CONTENT
        told.form_content_type = "application/pdf"
        told.save()
        cls.told = told

    def assert_neutral(self, response, expected: str):
        self.assertEqual(response.status_code, 200)
        self.assertIsInstance(response, FileResponse)
        self.assertEqual(response.getvalue(), CONTENT)
        self.assertEqual(response["Content-Length"], str(len(CONTENT)))
        header = response["Content-Disposition"]
        self.assertEqual(header, f'attachment; filename="{expected}"')
        self.assertTrue(header.isascii(), header)
        for part in PARTS:
            self.assertNotIn(part.lower(), header.lower(), f"{part!r} of the original name is in {header!r}")

    def test_a_document_downloads_as_document_and_its_number(self):
        self.sign_in("assigned")
        got = self.client.get(reverse("web:download_document", args=[self.document.pk]))
        self.assert_neutral(got, f"document-{self.document.pk}.pdf")

    def test_a_signed_consent_form_downloads_under_a_neutral_name(self):
        self.sign_in("assigned")
        got = self.client.get(reverse("web:consent_signed_form", args=[self.consent.pk]))
        self.assert_neutral(got, f"signed-form-{self.consent.pk}.pdf")

    def test_a_court_order_downloads_under_a_neutral_name(self):
        self.sign_in("assigned")
        got = self.client.get(reverse("web:incoming_order", args=[self.logged.pk]))
        self.assert_neutral(got, f"order-{self.logged.pk}.pdf")

    def test_a_signed_statement_of_limits_downloads_under_a_neutral_name(self):
        self.sign_in("assigned")
        got = self.client.get(reverse("web:limits_signed_copy", args=[self.told.pk]))
        self.assert_neutral(got, f"signed-copy-{self.told.pk}.pdf")

    def test_a_document_through_a_secure_link_downloads_under_a_neutral_name(self):
        self.client.logout()
        got = self.client.post(reverse("web:shared_download", args=[self.token, self.document.pk]))
        self.assert_neutral(got, f"shared-item-{self.document.pk}.pdf")

    def test_the_generated_pdfs_keep_their_generated_names(self):
        self.sign_in("assigned")
        got = self.client.get(reverse("web:consent_pdf", args=[self.consent.pk]))
        self.assertEqual(got["Content-Disposition"], f'attachment; filename="consent-{self.consent.pk}.pdf"')


class NeutralNameTests(ConfideTestCase):
    def test_a_non_ascii_original_name_gives_a_well_formed_ascii_header(self):
        for original in (ORIGINAL, "فاطمة-رسالة.pdf", "Wójcik\r\nSet-Cookie: x=1.pdf", "Zelda \"tenancy\".PDF"):
            with self.subTest(original=original):
                response = attachment(CONTENT, "application/pdf", "signed-form-7", original=original)
                self.assertIsInstance(response, FileResponse)
                self.assertEqual(response["Content-Disposition"], 'attachment; filename="signed-form-7.pdf"')
                self.assertEqual(response["Content-Type"], "application/pdf")
                self.assertEqual(response["Cache-Control"], "no-store")
                self.assertEqual(response.getvalue(), CONTENT)

    def test_a_name_that_is_not_ascii_is_never_sent_as_it_is(self):
        # The name Confide gives is its own kind and number; were one ever built from other words,
        # nothing outside ASCII letters, digits and hyphens would reach the header.
        response = attachment(CONTENT, "", "dokument-Łódź-7", original=ORIGINAL)
        self.assertEqual(response["Content-Disposition"], 'attachment; filename="dokument--d--7.pdf"')
        self.assertEqual(response["Content-Type"], "application/octet-stream")

    def test_only_a_listed_extension_survives_and_nothing_else_of_the_original(self):
        cases = [
            (("document-7", "application/pdf", ORIGINAL), "document-7.pdf"),
            (("document-7", "text/plain", "Zelda notes.TXT"), "document-7.txt"),
            (("document-7", "application/octet-stream", "Zelda.exe"), "document-7"),
            (("document-7", "image/jpeg; charset=binary", "Zelda"), "document-7.jpg"),
            (("document-7", "text/html", "Zelda.Łódź"), "document-7"),
            (("consent-form-v3.pdf", "application/pdf", ""), "consent-form-v3.pdf"),
            (('order"; x=1.pdf', "application/pdf", ""), "order-x-1.pdf"),  # a header cannot be made to carry more
        ]
        for args, expected in cases:
            with self.subTest(args=args):
                self.assertEqual(neutral_name(*args), expected)
                self.assertTrue(neutral_name(*args).isascii())
