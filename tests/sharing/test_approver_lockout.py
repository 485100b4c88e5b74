"""Approver lock-out (issue 12 point 7). Approving asks for the password again; wrong answers count
towards locking the account as at sign-in. At the limit the account locks, every session of the
person ends, and they see a page that says so (it was a NoReverseMatch 500 and a session that went
on working)."""

from __future__ import annotations

import json

from django.conf import settings
from django.test import override_settings
from django.urls import reverse

from confide.accounts.models import Session
from confide.audit.models import AuditEvent
from confide.records.models import Client
from confide.sharing.models import Approval, Disclosure
from tests.base import CLIENT_NAME, ConfideTestCase, ask

NOTE = "Discussed with the client and the threshold is met."


class ApproverLockOutTest(ConfideTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        Client.objects.filter(pk=cls.p["client"].pk).update(subject_role="victim")

    def post(self, disclosure, secret: str):
        return self.client.post(reverse("web:approve", args=[disclosure.pk]),
                                {"decision": "approve", "note": NOTE, "secret": secret})

    def test_five_wrong_passwords_lock_the_account_end_the_session_and_say_so(self):
        disclosure = ask(self.p)
        self.assertEqual(disclosure.status, Disclosure.Status.AWAITING_APPROVAL, disclosure.answer)
        manager = self.sign_in("manager")
        # Another session of the same person, on another computer, ends too.
        other = self.client_class()
        other.force_login(manager)
        self.assertEqual(Session.objects.filter(user_id=manager.pk).count(), 2)
        limit = settings.LOGIN_FAILURE_LIMIT
        self.assertEqual(limit, 5)
        for _ in range(limit - 1):
            wrong = self.post(disclosure, "not-my-password")
            self.assertContains(wrong, "That was not right", status_code=400)
        locked = self.post(disclosure, "not-my-password")
        self.assertContains(locked, "Too many wrong passwords: your account is locked for "
                                    f"{settings.LOGIN_LOCKOUT_MINUTES} minutes. Ask your manager if you need it "
                                    "sooner.", status_code=403)
        self.assertNotContains(locked, CLIENT_NAME, status_code=403)
        self.assertNotContains(locked, "Concerns for the children", status_code=403)
        # Nothing was decided.
        disclosure.refresh_from_db()
        self.assertEqual(disclosure.status, Disclosure.Status.AWAITING_APPROVAL)
        self.assertFalse(Approval.objects.exists())
        # The account is locked, as at sign-in, and no session of the person is left.
        manager.refresh_from_db()
        self.assertTrue(manager.is_locked_out())
        self.assertFalse(Session.objects.filter(user_id=manager.pk).exists())
        # The next request to any page, from either computer, goes to sign in.
        login = reverse("accounts:login")
        for client in (self.client, other):
            for url in (reverse("web:approve", args=[disclosure.pk]), reverse("web:home")):
                response = client.get(url)
                self.assertEqual(response.status_code, 302, url)
                self.assertTrue(response["Location"].startswith(login), response["Location"])
            again = client.post(reverse("web:approve", args=[disclosure.pk]),
                                {"decision": "approve", "note": NOTE, "secret": "manager-password-1"})
            self.assertEqual(again.status_code, 302)
        # Even the right password does not sign in while the lock lasts.
        sign_in = self.client.post(login, {"username": "manager", "password": "manager-password-1"})
        self.assertContains(sign_in, "locked", status_code=400)
        # The audit log records the failures, the lock and the sessions ended.
        actions = list(AuditEvent.objects.filter(actor_id=manager.pk).values_list("action", flat=True))
        self.assertEqual(actions.count("login.failed"), limit)
        self.assertIn("account.locked_out", actions)
        ended = AuditEvent.objects.filter(action="sessions.ended", object_id=manager.pk).get()
        self.assertEqual(json.loads(ended.detail), {"reason": "locked_out", "sessions": 2})
        disclosure.refresh_from_db()
        self.assertEqual(disclosure.status, Disclosure.Status.AWAITING_APPROVAL)

    @override_settings(LOGIN_FAILURE_LIMIT=2, LOGIN_LOCKOUT_MINUTES=1)
    def test_the_limit_and_the_minutes_come_from_the_settings(self):
        disclosure = ask(self.p)
        self.sign_in("manager")
        self.assertEqual(self.post(disclosure, "wrong-1").status_code, 400)
        locked = self.post(disclosure, "wrong-2")
        self.assertContains(locked, "your account is locked for 1 minute.", status_code=403)

    def test_an_account_already_locked_elsewhere_is_signed_out_at_the_approval_page(self):
        from datetime import timedelta

        from django.utils import timezone

        disclosure = ask(self.p)
        manager = self.sign_in("manager")
        type(manager).objects.filter(pk=manager.pk).update(locked_until=timezone.now() + timedelta(minutes=7))
        locked = self.post(disclosure, "manager-password-1")
        self.assertContains(locked, "your account is locked for 7 minutes", status_code=403)
        self.assertFalse(Session.objects.filter(user_id=manager.pk).exists())
        self.assertFalse(Approval.objects.exists())
