"""The clearance pages through the web: a new worker is shown "Before you can open clients' files" with
what is missing, signs on "Your declarations", a manager records the induction on the register, and
then the file opens. Signed copies: type and size errors beside the field; the download is an
attachment with a neutral name, for managers and the data controller only."""

from __future__ import annotations

import time

from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from confide.accounts.middleware import LAST_SEEN
from confide.staffing.models import Induction, Signature
from tests.base import CLIENT_NAME, ConfideTestCase, role_of_kind

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


class Pages(ConfideTestCase):
    def setUp(self):
        self.newbie = get_user_model().objects.create_user(
            username="newbie", password="newbie-password-1", role=role_of_kind(self.p["pack"], "worker"),
            team=self.p["north"], first_name="Nia", last_name="Newcombe")
        self.case.workers.add(self.newbie)

    def login(self, user):
        self.client.force_login(user)
        session = self.client.session
        session[LAST_SEEN] = time.time()
        session.save()

    def test_a_new_worker_signs_and_is_inducted_before_the_file_opens(self):
        self.login(self.newbie)
        file_url = reverse("web:client_file", args=[self.client_record.pk])
        refused = self.client.get(file_url)
        self.assertEqual(refused.status_code, 403)
        self.assertContains(refused, "Before you can open clients", status_code=403)
        self.assertContains(refused, 'href="/declarations/#declaration-confidentiality_procedure"', status_code=403)
        self.assertContains(refused, "Your induction", status_code=403)
        self.assertNotContains(refused, CLIENT_NAME, status_code=403)
        # A number that names nobody is answered the same way.
        self.assertEqual(self.client.get(reverse("web:client_file", args=[999_999])).status_code, 403)
        self.assertEqual(self.client.get(reverse("web:client_list")).status_code, 403)

        mine = self.client.get(reverse("clearance:mine"))
        self.assertContains(mine, "I have been given a copy of the data protection and confidentiality procedure")
        self.assertContains(mine, "Clause 8.01 of the policy")
        self.assertContains(mine, "Your name as Confide knows it: <bdi>Nia Newcombe</bdi>.")
        self.assertNotContains(mine, "Today's date, , is recorded")
        wrong = self.client.post(reverse("clearance:mine"), {"declaration": "confidentiality_procedure",
                                                             "typed_name": "Someone Else"})
        self.assertContains(wrong, "Type your name exactly as Confide knows it: Nia Newcombe.", status_code=400)
        self.assertFalse(Signature.objects.filter(person=self.newbie).exists())
        signed = self.client.post(reverse("clearance:mine"), {"declaration": "confidentiality_procedure",
                                                              "typed_name": "NIA  newcombe"})
        self.assertRedirects(signed, reverse("clearance:mine"))
        self.assertContains(self.client.get(reverse("clearance:mine")), "Signed")
        self.assertContains(self.client.get(file_url), "Not recorded yet", status_code=403)
        # The worker cannot reach the register, nor record their own induction.
        self.assertEqual(self.client.get(reverse("clearance:register")).status_code, 404)

        self.login(self.manager)
        register = self.client.get(reverse("clearance:register"))
        self.assertContains(register, "Nia Newcombe")
        self.assertContains(register, "Not recorded")
        recorded = self.client.post(reverse("clearance:register"), {
            "action": "induction", "induction-person": str(self.newbie.pk),
            "induction-completed_on": timezone.localdate().isoformat()})
        self.assertRedirects(recorded, reverse("clearance:register"))
        self.assertTrue(Induction.objects.filter(person=self.newbie).exists())

        self.login(self.newbie)
        opened = self.client.get(file_url)
        self.assertEqual(opened.status_code, 200)
        self.assertContains(opened, CLIENT_NAME)

    def test_a_signed_copy_type_size_and_download(self):
        self.login(self.manager)
        url = reverse("clearance:register")

        def upload(data, name="copy.pdf", content_type="application/pdf"):
            return self.client.post(url, {"action": "copy", "copy-person": str(self.newbie.pk),
                                          "copy-declaration": "confidentiality_procedure",
                                          "copy-signed_on": timezone.localdate().isoformat(),
                                          "copy-copy": SimpleUploadedFile(name, data, content_type)})

        self.assertContains(upload(b"PK\x03\x04 not a pdf"),
                            "The signed copy must be a PDF, a PNG or a JPEG file: this file is none of them.",
                            status_code=400)
        self.assertContains(upload(b"%PDF-" + b"0" * (5 * 1024 * 1024)), "The signed copy is too large",
                            status_code=400)
        self.assertRedirects(upload(PNG, "Nia Newcombe signed.png", "image/png"), url)
        signature = Signature.objects.get(person=self.newbie)
        download = self.client.get(reverse("clearance:copy", args=[signature.pk]))
        self.assertEqual(download.status_code, 200)
        self.assertEqual(b"".join(download.streaming_content), PNG)
        disposition = download["Content-Disposition"]
        self.assertIn("attachment", disposition)
        self.assertIn(f"signed-declaration-{signature.pk}.png", disposition)
        self.assertNotIn("Newcombe", disposition)
        self.login(self.same_team)
        self.assertEqual(self.client.get(reverse("clearance:copy", args=[signature.pk])).status_code, 404)

    def test_partner_agency_signature_on_the_register(self):
        self.login(self.p["data_controller"])
        url = reverse("clearance:register")
        missing = self.client.post(url, {"action": "outside", "outside-declaration": "partner_agency_procedure",
                                         "outside-signer_name": "Rowan Example", "outside-organisation": "",
                                         "outside-signed_on": timezone.localdate().isoformat()})
        self.assertContains(missing, "Write the name of their firm or agency.", status_code=400)
        done = self.client.post(url, {"action": "outside", "outside-declaration": "partner_agency_procedure",
                                      "outside-signer_name": "Rowan Example",
                                      "outside-organisation": "Example Housing Trust",
                                      "outside-signed_on": timezone.localdate().isoformat()})
        self.assertRedirects(done, url)
        self.assertContains(self.client.get(url), "Example Housing Trust")
