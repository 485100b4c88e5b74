"""Requests from outside: logged, the telephone caller called back on a known number before
anything is said (JustUs 3.3), a court order kept with the request (Home-Start 10.2), and the
answer made through the same disclosure workflow."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from confide.partners.directory import do_add_agency
from confide.sharing.models import Disclosure, IncomingRequest
from tests.base import ConfideTestCase

DETAILS = "DC Hollis Rayne rang from 07700 900555 asking for the client's current address."


class JustUsCallBackTest(ConfideTestCase):
    pack_name = "justus"

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.police = do_add_agency(cls.p["manager"], name="Eastmere Police", kind="police", known_phone="01632 960200")

    def log(self, **changes):
        data = {"requester_kind": "police", "agency": str(self.police.pk), "how": "phone", "details": DETAILS,
                "order": "", **changes}
        return self.client.post(reverse("web:new_request", args=[self.p["client"].pk]), data)

    def answer(self, logged):
        return self.client.post(reverse("web:share", args=[self.p["client"].pk]), {
            "request": str(logged.pk), "case": str(self.p["case"].pk), "to": f"agency:{self.police.pk}",
            "entries": [str(self.p["note"].pk)], "purpose": "liaison", "channel": "phone", "grounds": [],
            "reason": "Police asked by telephone for her address."})

    def test_an_unchecked_caller_is_refused_citing_3_3_and_the_call_back_is_to_the_known_number(self):
        self.sign_in("assigned")
        self.assertEqual(self.log().status_code, 302)
        logged = IncomingRequest.objects.get()
        page = self.client.get(reverse("web:incoming", args=[logged.pk]))
        self.assertContains(page, "01632 960200")
        self.assertContains(page, "Do not use the number the caller gave")
        self.assertNotIn(DETAILS.encode(), bytes(logged.details_sealed))
        # Answered before the call back: the policy refuses, citing 3.3.
        self.answer(logged)
        refused = Disclosure.objects.get()
        self.assertEqual(refused.status, "refused")
        self.assertIn("3.3", [r["clause"] for r in refused.answer["reasons"]])
        # The call back must be to the directory's number, not the caller's.
        url = reverse("web:incoming", args=[logged.pk])
        wrong = self.client.post(url, {"number": "07700 900555", "outcome": "confirmed"})
        self.assertContains(wrong, "Call back on the number in the directory", status_code=400)
        self.client.post(url, {"number": "01632 960200", "outcome": "confirmed"})
        logged.refresh_from_db()
        self.assertEqual((logged.verified, logged.verified_by), ("confirmed", self.p["assigned"]))
        # Asked again after the call back: 3.3 no longer refuses it.
        self.assertContains(self.client.get(url), "Check again whether this can be shared")
        self.answer(logged)
        answered = Disclosure.objects.latest("id")
        self.assertNotEqual(answered, refused)
        self.assertTrue(answered.identity_verified)
        self.assertNotIn("3.3", [r["clause"] for r in answered.answer["reasons"]])
        logged.refresh_from_db()
        self.assertEqual(logged.disclosure, answered)

    def test_a_request_must_say_what_was_asked(self):
        self.sign_in("assigned")
        self.assertContains(self.log(details=""), "Say who asked and what for", status_code=400)
        self.assertFalse(IncomingRequest.objects.exists())


class HomeStartCourtOrderTest(ConfideTestCase):
    pack_name = "home_start"

    def test_a_court_order_is_kept_with_the_request(self):
        self.sign_in("assigned")
        url = reverse("web:new_request", args=[self.p["client"].pk])
        data = {"requester_kind": "court", "how": "post", "details": "Order for disclosure of records, Family Court.",
                "order": "court_order"}
        self.assertContains(self.client.post(url, data), "Attach the order or summons itself", status_code=400)
        order = SimpleUploadedFile("order.pdf", b"%PDF-1.4 order of the court", content_type="application/pdf")
        self.assertEqual(self.client.post(url, {**data, "order_file": order}).status_code, 302)
        logged = IncomingRequest.objects.get()
        self.assertNotIn(b"order of the court", bytes(logged.order_content_sealed))
        got = self.client.get(reverse("web:incoming_order", args=[logged.pk]))
        self.assertEqual(got.getvalue(), b"%PDF-1.4 order of the court")
        # Answering it starts the disclosure form with the court order as its ground.
        form = self.client.get(reverse("web:share", args=[self.p["client"].pk]) + f"?request={logged.pk}")
        self.assertContains(form, 'value="court_order" id="id_grounds_')
        self.assertContains(form, "Answering the request")
