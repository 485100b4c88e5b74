"""What a partner agency downloads is a document it can act on (issue 13 point 6): it names the
sending organisation, the worker who asked and how to call them back, the purpose and the basis in
words, the date, and the identifying details the request chose (the name, the date of birth), or
the client's number only. Read back from the PDF as the agency would read it."""

from __future__ import annotations

import datetime as dt
import io

from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from confide.accounts.models import Organisation
from confide.records.access import access_client_to_write
from confide.records.models import Client
from confide.sharing.disclosure import Asked, Recipient, do_decide, do_make_link, do_request_disclosure
from confide.sharing.models import Disclosure
from tests.base import CLIENT_NAME, NOTE_TEXT, ConfideTestCase

ADDRESS = "Unit 4, Eastmere Business Park\nEastmere EM1 2AB"
SWITCHBOARD = "01632 960000"
DIRECT = "01632 960123"
BORN = dt.date(1991, 3, 14)


def text_of(pdf: bytes) -> str:
    return " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages).split())


class RecipientDocumentTest(ConfideTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        Organisation.objects.filter(pk=1).update(address=ADDRESS, phone=SWITCHBOARD, email="duty@example.org")
        Organisation.objects.get(pk=1).save()  # forgets the cached organisation (accounts.models)
        client = Client.objects.get(pk=cls.p["client"].pk)
        client.date_of_birth = BORN
        client.save()

    def download(self, *, include_name=False, include_date_of_birth=False) -> tuple[Disclosure, bytes]:
        """Ask, approve and download the note through the secure link, as the agency does; the
        identifying details are set as the request form records them."""
        grant = access_client_to_write(self.p["assigned"], self.p["client"].pk, "direct_support",
                                       action="client.sharing.write")
        disclosure = do_request_disclosure(self.p["assigned"], self.p["pack"], grant, self.p["case"], Asked(
            recipient=Recipient(kind="childrens_services", name="Duty desk"), entries=[self.p["note"]],
            purpose="child_protection", channel="secure_link", grounds=["child_at_risk_of_significant_harm"],
            reason="Concerns for the children raised at the home visit."))
        Disclosure.objects.filter(pk=disclosure.pk).update(include_name=include_name,
                                                           include_date_of_birth=include_date_of_birth)
        do_decide(self.p["manager"], disclosure.pk, "approve", "The threshold is met.", "manager-password-1")
        _link, token = do_make_link(self.p["assigned"], disclosure.pk)
        got = self.client.post(reverse("web:shared_download", args=[token, self.p["note"].pk]))
        self.assertEqual((got.status_code, got["Content-Type"]), (200, "application/pdf"))
        return disclosure, got.getvalue()

    def test_it_names_the_sender_the_worker_and_how_to_call_back(self):
        disclosure, pdf = self.download()
        text = text_of(pdf)
        for words in ("Information shared by Test Support Service", "From: Test Support Service",
                      "Unit 4, Eastmere Business Park", "Eastmere EM1 2AB", f"Telephone: {SWITCHBOARD}",
                      "Email: duty@example.org", "Asked for by: Ada Assigned",
                      f"To call back: {SWITCHBOARD} (Test Support Service; ask for Ada Assigned)"):
            self.assertIn(words, text)
        self.assertIn(NOTE_TEXT, text)

    def test_a_worker_with_a_direct_line_is_called_back_on_it(self):
        type(self.p["assigned"]).objects.filter(pk=self.p["assigned"].pk).update(work_phone=DIRECT)
        _disclosure, pdf = self.download()
        self.assertIn(f"To call back: {DIRECT} (a direct line to Ada Assigned)", text_of(pdf))

    def test_with_no_number_on_file_it_says_how_to_reach_them_instead(self):
        Organisation.objects.filter(pk=1).update(phone="")
        Organisation.objects.get(pk=1).save()
        text = text_of(self.download()[1])
        self.assertIn("To call back: no telephone number is recorded; write to Test Support Service at "
                      "duty@example.org and ask for Ada Assigned.", text)

    def test_purpose_grounds_and_lawful_basis_are_in_words_with_the_date(self):
        _disclosure, pdf = self.download()
        text = text_of(pdf)
        self.assertIn("Shared for: Child protection", text)
        self.assertIn("Grounds: A child at risk of significant harm", text)
        self.assertIn("Lawful basis:", text)
        self.assertIn("UK GDPR Art 6(1)(e) public task", text)
        self.assertIn("Schedule 1 paragraph 18: safeguarding of children", text)
        self.assertIn(f"Shared on: {timezone.localdate():%-d %B %Y}", text)
        for code in ("child_protection", "child_at_risk", "childrens_services", "dvip", "DVIP"):
            self.assertNotIn(code, text)

    def test_by_default_only_the_client_number_identifies_them(self):
        disclosure, pdf = self.download()
        text = text_of(pdf)
        self.assertIn(f"About: client number {disclosure.client_id}", text)
        self.assertNotIn(CLIENT_NAME, text)
        self.assertNotIn(CLIENT_NAME.split()[-1], text)
        self.assertNotIn("Date of birth", text)
        self.assertNotIn(f"{BORN:%-d %B %Y}", text)

    def test_the_name_only_when_the_request_chose_it(self):
        disclosure, pdf = self.download(include_name=True)
        text = text_of(pdf)
        self.assertIn(f"Name: {CLIENT_NAME}", text)
        self.assertIn(f"Our reference: client number {disclosure.client_id}", text)
        self.assertNotIn(f"{BORN:%-d %B %Y}", text)

    def test_the_date_of_birth_only_when_the_request_chose_it(self):
        _disclosure, pdf = self.download(include_date_of_birth=True)
        text = text_of(pdf)
        self.assertIn(f"Date of birth: {BORN:%-d %B %Y}", text)
        self.assertNotIn(CLIENT_NAME, text)

    def test_both_and_a_name_in_arabic_prints_exactly(self):
        client = Client.objects.get(pk=self.p["client"].pk)
        client.display_name = "فاطمة الزهراء"
        client.save()
        _disclosure, pdf = self.download(include_name=True, include_date_of_birth=True)
        text = text_of(pdf)
        self.assertIn("Name: فاطمة الزهراء", text)
        self.assertIn(f"Date of birth: {BORN:%-d %B %Y}", text)

    def test_the_title_and_metadata_name_the_sender_never_the_client_or_the_pack(self):
        _disclosure, pdf = self.download(include_name=True)
        reader = PdfReader(io.BytesIO(pdf))
        self.assertEqual(reader.metadata.title, "Information shared by Test Support Service")
        self.assertEqual(set(reader.metadata), {"/Title", "/Producer"})
        self.assertIn("/StructTreeRoot", reader.trailer["/Root"])
        self.assertNotIn(CLIENT_NAME.encode(), pdf)

    def test_the_disclosure_record_says_which_identifying_details_went(self):
        disclosure, _pdf = self.download(include_name=True, include_date_of_birth=True)
        plain, _pdf = self.download()
        self.sign_in("assigned")
        for record, words in ((disclosure, "Identifying details sent: The client's name and their date of birth"),
                              (plain, "Identifying details sent: The client number only")):
            got = self.client.get(reverse("web:disclosure_record", args=[record.pk]))
            self.assertEqual(got["Content-Type"], "application/pdf")
            pdf = got.getvalue()
            text = text_of(pdf)
            self.assertIn(words, text)
            self.assertIn(f"Client: {CLIENT_NAME} (client number {record.client_id})", text)
            self.assertEqual(PdfReader(io.BytesIO(pdf)).metadata.title, f"Disclosure record {record.pk}")
