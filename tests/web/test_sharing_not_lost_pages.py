"""The pages of sharing that cannot be lost (issue 13): the link in a proper copyable field, said to
be shown once and how to get a new one; "Link issued, not yet downloaded" until the recipient
downloads; a new link from the request's own page; the recipient told plainly when a link is spent
or no longer works, with whom to call and nothing about the client; the approver shown the words
they approve; and the request form's choice of identifying details."""

from __future__ import annotations

import re

from django.urls import reverse

from confide.accounts.models import Organisation
from confide.records.models import Client
from confide.sharing.disclosure import do_decide, do_make_link
from confide.sharing.models import Disclosure, SecureLink
from tests.base import CLIENT_NAME, NOTE_TEXT, ConfideTestCase, ask, assert_no_secrets, strip_volatile

PHONE = "01632 960000"  # Ofcom's drama range


class LinkPagesTest(ConfideTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        Client.objects.filter(pk=cls.p["client"].pk).update(subject_role="victim")
        Organisation.objects.filter(pk=1).update(phone=PHONE)

    def setUp(self):
        self.disclosure = ask(self.p, channel="secure_link")
        do_decide(self.p["manager"], self.disclosure.pk, "approve", "The threshold is met.", "manager-password-1")
        self.url = reverse("web:disclosure", args=[self.disclosure.pk])

    def make_link(self):
        made = self.client.post(self.url, {"action": "link"})
        self.assertEqual(made.status_code, 200)
        return made, made.context["link_url"].rstrip("/").rsplit("/", 1)[1]

    def test_the_link_sits_in_a_copyable_field_and_says_how_to_get_a_new_one(self):
        self.sign_in("assigned")
        made, token = self.make_link()
        html = made.content.decode()
        field = re.search(r'<input[^>]*id="secure-link"[^>]*>', html).group(0)
        self.assertIn("readonly", field)
        self.assertIn(f'value="{made.context["link_url"]}"', field)
        self.assertContains(made, '<label for="secure-link">The secure link</label>', html=True)
        self.assertContains(made, "Copy link")
        self.assertContains(made, "/static/confide/copy.js")
        self.assertContains(made, "It is shown only this once:")
        self.assertContains(made, "Make a new link")
        # Leave the page and come back: no link shown (none is kept), but the request says where it
        # stands, and offers a new link rather than a new request.
        page = self.client.get(self.url)
        self.assertNotContains(page, token)
        self.assertContains(page, "<h1>Request to share: Link issued, not yet downloaded</h1>", html=True)
        self.assertContains(page, "nothing has been downloaded through it yet, so nothing has been sent")
        self.assertContains(page, '<button type="submit">Make a new link</button>', html=True)
        again, new_token = self.make_link()
        self.assertNotEqual(token, new_token)
        self.client.logout()
        self.assertEqual(self.client.get(reverse("web:shared", args=[token])).status_code, 404)
        self.assertEqual(self.client.get(reverse("web:shared", args=[new_token])).status_code, 200)

    def test_after_the_download_the_request_says_sent(self):
        _link, token = do_make_link(self.p["assigned"], self.disclosure.pk)
        self.client.post(reverse("web:shared_download", args=[token, self.p["note"].pk]))
        self.sign_in("assigned")
        page = self.client.get(self.url)
        self.assertContains(page, "<h1>Request to share: Sent</h1>", html=True)
        self.assertContains(page, "Sent: the recipient first downloaded it on")
        self.assertContains(page, "Everything downloaded: it no longer works")

    def test_a_colleague_who_did_not_ask_is_told_why_they_cannot_make_a_new_link(self):
        do_make_link(self.p["assigned"], self.disclosure.pk)
        self.disclosure.case.workers.add(self.p["same_team"])
        self.sign_in("same_team")
        page = self.client.get(self.url)
        self.assertContains(page, "Only the person who asked for this, or a manager, can make a new link for it.")
        refused = self.client.post(self.url, {"action": "link"})
        self.assertContains(refused, "Only the person who asked for this", status_code=400)
        self.assertEqual(SecureLink.objects.count(), 1)

    def test_the_recipient_is_told_plainly_after_the_last_download(self):
        _link, token = do_make_link(self.p["assigned"], self.disclosure.pk)
        self.assertEqual(self.client.post(reverse("web:shared_download", args=[token, self.p["note"].pk])).status_code,
                         200)
        page = self.client.get(reverse("web:shared", args=[token]))
        self.assertEqual(page.status_code, 404)
        self.assertContains(page, "You have downloaded everything shared with you through this link. It no longer "
                                  "works.", status_code=404)
        self.assertContains(page, "If you need it again, contact <bdi>Test Support Service</bdi> on", status_code=404)
        self.assertContains(page, PHONE, status_code=404)
        assert_no_secrets(self, page, "the spent link's page")
        self.assertNotContains(page, "Duty desk", status_code=404)

    def test_an_expired_or_stopped_link_says_so_with_whom_to_call_and_answers_as_a_wrong_one(self):
        _link, token = do_make_link(self.p["assigned"], self.disclosure.pk)
        SecureLink.objects.update(revoked_at=self.disclosure.requested_at)
        stopped = self.client.get(reverse("web:shared", args=[token]))
        wrong = self.client.get(reverse("web:shared", args=["y" * 43]))
        self.assertContains(stopped, "This link does not work", status_code=404)
        self.assertContains(stopped, PHONE, status_code=404)
        self.assertEqual(strip_volatile(stopped.content), strip_volatile(wrong.content))
        assert_no_secrets(self, stopped, "a stopped link's page")


class ApprovalPageTest(ConfideTestCase):
    def test_the_approver_sees_the_words_recipient_purpose_basis_and_identifying_details(self):
        # The defect: approvers saw "Note of 5 Dec", never what it says.
        Client.objects.filter(pk=self.p["client"].pk).update(subject_role="victim")
        disclosure = ask(self.p, channel="secure_link")
        Disclosure.objects.filter(pk=disclosure.pk).update(include_name=True)
        self.sign_in("manager")
        page = self.client.get(reverse("web:approve", args=[disclosure.pk]))
        self.assertContains(page, "What would be shared, word for word")
        self.assertContains(page, NOTE_TEXT)
        self.assertContains(page, "Duty desk")
        self.assertContains(page, "Child protection")
        self.assertContains(page, "Legal basis")
        self.assertContains(page, "<dt>Identifying details on what is sent</dt><dd>The client's name</dd>", html=True)


class DayMerChairPageTest(ConfideTestCase):
    pack_name = "day_mer"

    def test_the_chair_is_told_why_the_words_are_not_shown(self):
        Client.objects.filter(pk=self.p["client"].pk).update(subject_role="service_user")
        disclosure = ask(self.p)
        do_decide(self.p["manager"], disclosure.pk, "approve", "Discussed and the threshold is met.",
                  "manager-password-1")
        self.sign_in("trustee")
        page = self.client.get(reverse("web:approve", args=[disclosure.pk]))
        self.assertContains(page, "The policy does not let your role read these records")
        self.assertNotContains(page, NOTE_TEXT)
        self.assertNotContains(page, CLIENT_NAME)


class ShareFormTest(ConfideTestCase):
    def test_the_identifying_details_are_chosen_on_the_form_and_shown_on_the_request(self):
        Client.objects.filter(pk=self.p["client"].pk).update(subject_role="victim")
        self.sign_in("assigned")
        url = reverse("web:share", args=[self.p["client"].pk])
        form = self.client.get(url)
        self.assertContains(form, "Include the client&#x27;s name")
        self.assertContains(form, "Include their date of birth")
        self.assertContains(form, "client number only")
        self.assertNotContains(form, 'name="include_name" checked')
        posted = self.client.post(url, {
            "case": str(self.p["case"].pk), "to": "other", "other_kind": "childrens_services",
            "other_name": "Duty desk, Eastmere Children's Services", "entries": [str(self.p["note"].pk)],
            "purpose": "child_protection", "grounds": ["child_at_risk_of_significant_harm"], "channel": "secure_link",
            "include_date_of_birth": "on", "reason": "The younger child disclosed being hit at home."})
        self.assertEqual(posted.status_code, 302, posted.content.decode()[:3000])
        disclosure = Disclosure.objects.get()
        self.assertEqual((disclosure.include_name, disclosure.include_date_of_birth), (False, True))
        page = self.client.get(posted["Location"])
        self.assertContains(page, "<dt>Identifying details on what is sent</dt><dd>Their date of birth</dd>",
                            html=True)
