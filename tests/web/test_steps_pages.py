"""The request's page lists the steps the policy requires before sending (DVIP 3.08: explore the
implications with the victim before disclosure is made), each with its clause and a form to record
it; the link button is disabled, and refused, until every step is recorded; then the page shows who
recorded what and when."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from confide.records.access import access_client_to_write
from confide.records.models import Client
from confide.sharing.consent import Given, do_record_consent
from confide.sharing.disclosure import Asked, Recipient, do_request_disclosure
from confide.sharing.models import Disclosure, DisclosureStep, SecureLink
from tests.base import ConfideTestCase

EXPLORED = "Talked it through with her at the office: she asked us to leave out where the children go to school."


class BeforeSendingPageTest(ConfideTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        p = cls.p
        Client.objects.filter(pk=p["client"].pk).update(subject_role="victim")
        p["client"].refresh_from_db()
        do_record_consent(p["assigned"], p["pack"], "Test Support Service", p["client"], p["case"].service, Given(
            recipients=["partner_agency"], agencies=[], data=["case_notes"], purposes=["liaison"], how="written",
            has_capacity=True, informed=True, free_from_duress=True, given_on=timezone.localdate(),
            expires_on=timezone.localdate() + dt.timedelta(days=180)))
        grant = access_client_to_write(p["assigned"], p["client"].pk, "direct_support", action="client.sharing.write")
        cls.disclosure = do_request_disclosure(p["assigned"], p["pack"], grant, p["case"], Asked(
            recipient=Recipient(kind="partner_agency", name="Larkspur Housing Trust"), entries=[p["note"]],
            purpose="liaison", channel="secure_link", grounds=[], reason="She asked us to support her housing move."))

    def url(self) -> str:
        return reverse("web:disclosure", args=[self.disclosure.pk])

    def test_the_step_is_listed_and_the_link_refused_until_it_is_recorded(self):
        self.assertEqual(self.disclosure.status, Disclosure.Status.READY)
        self.sign_in("assigned")
        page = self.client.get(self.url())
        self.assertContains(page, "Before sending")
        self.assertContains(page, "Explore with the client what sharing could mean")
        self.assertContains(page, "(clause 3.08)")
        self.assertContains(page, "Before this can be sent, record that you explored with the client what sharing "
                                  "could mean.")
        self.assertContains(page, '<button type="submit" disabled aria-describedby="not-yet">Make the secure link'
                                  '</button>', html=True)
        # Posted anyway: refused, saying what is missing; no link is made.
        refused = self.client.post(self.url(), {"action": "link"})
        self.assertContains(refused, "record that you explored with the client", status_code=400)
        self.assertFalse(SecureLink.objects.exists())
        # A note that is not a note is refused on the form.
        short = self.client.post(self.url(), {"action": "step", "step": "explore_implications",
                                              "explore_implications-outcome": "done",
                                              "explore_implications-note": ". . . . . . . . . . . ."})
        self.assertContains(short, "write at least 10 letters or numbers", status_code=400)
        self.assertFalse(DisclosureStep.objects.exists())
        done = self.client.post(self.url(), {"action": "step", "step": "explore_implications",
                                             "explore_implications-outcome": "done",
                                             "explore_implications-note": EXPLORED})
        self.assertRedirects(done, self.url())
        page = self.client.get(self.url())
        self.assertContains(page, "Done: recorded by <bdi>Ada Assigned</bdi>")
        self.assertContains(page, EXPLORED)
        self.assertNotContains(page, "disabled")
        made = self.client.post(self.url(), {"action": "link"})
        self.assertEqual(made.status_code, 200)
        self.assertTrue(made.context["link_url"])
        self.assertEqual(SecureLink.objects.count(), 1)

    def test_a_step_the_policy_does_not_let_be_skipped_offers_no_skip(self):
        self.sign_in("assigned")
        page = self.client.get(self.url())
        self.assertNotContains(page, "it would raise the risk")
        skipped = self.client.post(self.url(), {"action": "step", "step": "explore_implications",
                                                "explore_implications-outcome": "skipped",
                                                "explore_implications-note": "She could not be reached this week."})
        self.assertEqual(skipped.status_code, 400)
        self.assertFalse(DisclosureStep.objects.exists())

    def test_only_someone_who_may_work_on_the_case_records_a_step(self):
        self.sign_in("other_team")
        posted = self.client.post(self.url(), {"action": "step", "step": "explore_implications",
                                               "explore_implications-outcome": "done",
                                               "explore_implications-note": EXPLORED})
        self.assertEqual(posted.status_code, 404)
        self.assertFalse(DisclosureStep.objects.exists())
        # A step the request does not ask for is not something to record here.
        self.sign_in("assigned")
        odd = self.client.post(self.url(), {"action": "step", "step": "verify_requester_identity",
                                            "verify_requester_identity-outcome": "done",
                                            "verify_requester_identity-note": EXPLORED})
        self.assertEqual(odd.status_code, 400)
        self.assertFalse(DisclosureStep.objects.exists())


class JustUsTickIsTheCallBackTest(ConfideTestCase):
    """JustUs 3.3: the "I called them back" tick on the request asks for the number called, and is
    kept with the request as its call back."""

    pack_name = "justus"

    def test_the_tick_needs_the_number_and_is_kept_as_the_step(self):
        from confide.partners.directory import do_add_agency

        police = do_add_agency(self.p["manager"], name="Eastmere Police", kind="police", known_phone="01632 960200")
        self.sign_in("assigned")
        url = reverse("web:share", args=[self.p["client"].pk])
        form = {"case": str(self.p["case"].pk), "to": f"agency:{police.pk}", "entries": [str(self.p["note"].pk)],
                "purpose": "liaison", "grounds": ["serious_crime"], "channel": "phone", "identity_verified": "on",
                "reason": "DC Rayne asked about the assault at the centre."}
        self.assertContains(self.client.post(url, form), "Give the number you called back on.", status_code=400)
        self.assertFalse(Disclosure.objects.exists())
        asked = self.client.post(url, {**form, "callback_number": "01632 960200"})
        self.assertEqual(asked.status_code, 302)
        step = DisclosureStep.objects.get()
        self.assertEqual((step.kind, step.clause, step.number), ("verify_requester_identity", "3.3", "01632 960200"))
        page = self.client.get(asked["Location"])
        self.assertContains(page, "Call back on a known number")
        self.assertContains(page, "called back on 01632 960200")
