"""Sessions (issue 12, points 4 and 8): the database holds only a hash of each session key, so a
copy of it signs nobody in; and every session of a person ends when trust in them changes: a new
set-up code (a lost phone), a new password, a new role or team, a disabled account."""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib.sessions.models import Session as ClearKeySession
from django.db import connection
from django.test import Client
from django.urls import reverse

from confide import users
from confide.accounts.middleware import LAST_SEEN
from confide.accounts.models import Session
from confide.accounts.services import (
    AccountError,
    do_change_password,
    do_change_role,
    do_disable_user,
    do_issue_setup_code,
)
from confide.accounts.sessions import key_hash
from confide.audit.models import AuditEvent
from confide.audit.services import verify_chain
from tests.base import CLIENT_NAME, ConfideTestCase, code_for, role_of_kind

LOGIN = reverse("accounts:login")
SECOND = reverse("accounts:second_factor")
HOME = reverse("web:home")
SIGNED_OUT = f"{LOGIN}?next={HOME}"


class StoredKeyTests(ConfideTestCase):
    def sign_in_through_the_pages(self) -> tuple[str, str]:
        """Password, then setting up the second factor: the cookie's key half-way and at the end."""
        setup_code = do_issue_setup_code(self.p["assigned"])
        self.assertRedirects(self.client.post(LOGIN, {"username": "assigned", "password": "assigned-password-1"}),
                             SECOND)
        half_way = self.client.cookies[settings.SESSION_COOKIE_NAME].value
        self.client.get(SECOND)
        secret = self.client.session["confide_pending_totp_secret"]
        self.assertRedirects(self.client.post(SECOND, {"setup_code": setup_code, "code": code_for(secret)}), HOME)
        return half_way, self.client.cookies[settings.SESSION_COOKIE_NAME].value

    def test_no_table_holds_the_key_in_the_cookie(self):
        half_way, key = self.sign_in_through_the_pages()
        self.assertContains(self.client.get(HOME), CLIENT_NAME)
        self.assertNotEqual(half_way, key, "signing in gives the browser a new key")
        with connection.cursor() as cursor:
            for table in connection.introspection.table_names(cursor):
                cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608 -- table names
                for row in cursor.fetchall():
                    text = " ".join(str(value) for value in row)
                    self.assertNotIn(key, text, f"the session key is stored in {table}")
                    self.assertNotIn(half_way, text, f"the half-way session key is stored in {table}")
        row = Session.objects.get()
        self.assertEqual((row.session_key, row.user_id), (key_hash(key), self.p["assigned"].pk))
        self.assertEqual(ClearKeySession.objects.count(), 0, "Django's own session table is not used")

    def test_a_cookie_made_from_a_stored_value_signs_nobody_in(self):
        self.sign_in("assigned")
        row = Session.objects.get(user=self.p["assigned"])
        thief = Client()
        thief.cookies[settings.SESSION_COOKIE_NAME] = row.session_key
        self.assertRedirects(thief.get(HOME), SIGNED_OUT)
        self.assertContains(self.client.get(HOME), CLIENT_NAME, msg_prefix="the real cookie still works")
        self.assertEqual(Session.objects.filter(user=self.p["assigned"]).count(), 1)

    def test_signing_out_deletes_the_row(self):
        self.sign_in("assigned")
        self.client.post(reverse("accounts:logout"))
        self.assertFalse(Session.objects.filter(user=self.p["assigned"]).exists())


class TrustEndsTests(ConfideTestCase):
    """Each change below signs the person out of every browser at once, and only them."""

    def signed_in(self, who: str) -> Client:
        browser = Client()
        browser.force_login(self.p[who])
        session = browser.session
        session[LAST_SEEN] = time.time()
        session.save()
        self.assertEqual(browser.get(HOME).status_code, 200)
        return browser

    def setUp(self):
        self.phone, self.laptop = self.signed_in("assigned"), self.signed_in("assigned")
        self.colleague = self.signed_in("same_team")

    def assert_signed_out_everywhere(self, reason: str, actor=None):
        user = self.p["assigned"]
        self.assertFalse(Session.objects.filter(user=user).exists(), "the rows are deleted")
        for browser in (self.phone, self.laptop):
            self.assertRedirects(browser.get(HOME), SIGNED_OUT)
        self.assertEqual(self.colleague.get(HOME).status_code, 200, "nobody else is signed out")
        event = AuditEvent.objects.filter(action="sessions.ended").order_by("-seq").first()
        self.assertEqual((event.object_id, event.actor_id), (str(user.pk), actor.pk if actor else None))
        self.assertEqual(event.detail, f'{{"reason":"{reason}","sessions":2}}')
        self.assertTrue(verify_chain().ok)

    def test_a_new_set_up_code_for_a_lost_phone(self):
        do_issue_setup_code(self.p["assigned"], issued_by=self.p["manager"])
        self.assert_signed_out_everywhere("new_setup_code", self.p["manager"])

    def test_a_new_set_up_code_from_the_command_line(self):
        users.new_setup_code("assigned")
        self.assert_signed_out_everywhere("new_setup_code")

    def test_a_password_change(self):
        do_change_password(self.p["manager"], self.p["assigned"], "a brand new passphrase 2026")
        self.assert_signed_out_everywhere("password_changed", self.p["manager"])
        self.assertIn("user.password_changed", AuditEvent.objects.values_list("action", flat=True))

    def test_a_password_change_from_the_command_line_and_a_weak_one_refused(self):
        with self.assertRaisesMessage(users.UserError, "This password is too short") as raised:
            users.change_password("assigned", "password")
        self.assertEqual((raised.exception.field, raised.exception.code), ("password", "weak_password"))
        self.assertEqual(self.phone.get(HOME).status_code, 200, "a refused change ends nothing")
        self.assertIn("signed out everywhere", users.change_password("assigned", "a brand new passphrase 2026"))
        self.assert_signed_out_everywhere("password_changed")

    def test_a_role_change(self):
        manager_role = role_of_kind(self.p["pack"], "manager")
        do_change_role(self.p["data_controller"], self.p["assigned"], manager_role, self.p["north"])
        self.assert_signed_out_everywhere("role_changed", self.p["data_controller"])
        self.p["assigned"].refresh_from_db()
        self.assertEqual(self.p["assigned"].role, manager_role)

    def test_a_team_change_from_the_command_line(self):
        role = self.p["assigned"].role
        for args, option, words in (({"role": "wizard", "team": "north"}, "--role", "expected one of"),
                                    ({"role": role, "team": "east"}, "--team", "no team 'east'"),
                                    ({"role": role, "team": None}, "--team", "every member of staff needs a team")):
            with self.assertRaisesMessage(users.UserError, words) as raised:
                users.change_role("assigned", **args)
            self.assertEqual(raised.exception.field, option)
        self.assertEqual(self.phone.get(HOME).status_code, 200, "a refused change ends nothing")
        users.change_role("assigned", role=role, team="south")
        self.assert_signed_out_everywhere("role_changed")
        self.p["assigned"].refresh_from_db()
        self.assertEqual(self.p["assigned"].team, self.p["south"])

    def test_disabling_the_account(self):
        do_disable_user(self.p["manager"], self.p["assigned"])
        self.assert_signed_out_everywhere("disabled", self.p["manager"])
        with self.assertRaisesMessage(users.UserError, "is already disabled"):
            users.disable("assigned")

    def test_a_change_made_around_the_services_still_signs_out(self):
        # `confide manage changepassword` or a shell: no rows deleted, but the session's hash no longer
        # matches what it was trusted with, so the next request is signed out.
        user = self.p["assigned"].__class__.objects.get(pk=self.p["assigned"].pk)
        user.team = self.p["south"]
        user.save()
        for browser in (self.phone, self.laptop):
            self.assertRedirects(browser.get(HOME), SIGNED_OUT)
        self.assertEqual(self.colleague.get(HOME).status_code, 200)

    def test_a_half_signed_in_session_ends_too(self):
        do_issue_setup_code(self.p["other_team"])
        browser = Client()
        browser.post(LOGIN, {"username": "otherteam", "password": "otherteam-password-1"})
        self.assertEqual(browser.get(SECOND).status_code, 200)
        do_change_password(None, self.p["other_team"], "a brand new passphrase 2026")
        self.assertRedirects(browser.get(SECOND), LOGIN)

    def test_a_role_from_outside_the_pack_is_refused(self):
        with self.assertRaisesMessage(AccountError, "expected one of") as raised:
            do_change_role(None, self.p["assigned"], "wizard", self.p["north"])
        self.assertEqual(raised.exception.field, "role")
