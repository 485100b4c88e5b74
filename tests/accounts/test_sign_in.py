"""Signing in: password, second factor, lock-out, the idle lock, and the audit of each step."""

from __future__ import annotations

import time

import pyotp
from django.contrib.auth.hashers import make_password
from django.test import override_settings
from django.urls import reverse

from confide.accounts.middleware import LAST_SEEN
from confide.accounts.services import do_issue_setup_code
from confide.audit.models import AuditEvent
from confide.audit.services import verify_chain
from tests.base import CLIENT_NAME, NOTE_TEXT, ConfideTestCase, code_for

LOGIN = reverse("accounts:login")
SECOND = reverse("accounts:second_factor")
HOME = reverse("web:home")
LOCK = reverse("accounts:lock")


def actions(user=None) -> list[str]:
    """What this person did, without the base people's set-up (their notes)."""
    events = AuditEvent.objects.order_by("seq").exclude(
        action__in=["note.added", "person.added", "safe_contact.updated", "document.added"])
    if user is not None:
        events = events.filter(actor_id=user.pk)
    return list(events.values_list("action", flat=True))


class SignInTests(ConfideTestCase):
    def password_step(self, username="assigned", password="assigned-password-1"):
        return self.client.post(LOGIN, {"username": username, "password": password})

    def test_first_sign_in_sets_up_the_second_factor_then_lands_on_home(self):
        setup_code = do_issue_setup_code(self.p["assigned"])
        response = self.password_step()
        self.assertRedirects(response, SECOND)
        page = self.client.get(SECOND)
        self.assertContains(page, "Set up your second factor")
        self.assertContains(page, "<svg", msg_prefix="a QR code is shown as inline SVG")
        secret = self.client.session["confide_pending_totp_secret"]
        self.assertRedirects(self.client.post(SECOND, {"setup_code": setup_code.lower(), "code": code_for(secret)}), HOME)
        self.p["assigned"].refresh_from_db()
        self.assertTrue(self.p["assigned"].has_second_factor)
        self.assertContains(self.client.get(HOME), CLIENT_NAME)
        self.assertEqual(actions(self.p["assigned"])[:3],
                         ["login.password_ok", "second_factor.set_up", "login.succeeded"])
        self.p["assigned"].refresh_from_db()
        self.assertEqual(self.p["assigned"].setup_code_hash, "", "a set-up code works once")

    def test_the_password_alone_cannot_set_up_a_second_factor(self):
        self.password_step()
        page = self.client.get(SECOND)
        self.assertContains(page, "You need a set-up code", status_code=403)
        self.assertNotContains(page, "<svg", status_code=403)
        self.assertEqual(actions(self.p["assigned"])[-1], "second_factor.setup_refused")
        self.assertRedirects(self.client.get(SECOND), LOGIN, msg_prefix="the half-signed-in session is gone")

    def test_a_wrong_or_expired_set_up_code_does_not_set_up_a_second_factor(self):
        user = self.p["assigned"]
        do_issue_setup_code(user)
        self.password_step()
        self.client.get(SECOND)
        secret = self.client.session["confide_pending_totp_secret"]
        wrong = self.client.post(SECOND, {"setup_code": "AAAA-BBBB-CCCC", "code": code_for(secret)})
        self.assertContains(wrong, "That set-up code or authenticator code does not match", status_code=400)
        malformed = self.client.post(SECOND, {"setup_code": "ABC", "code": code_for(secret)})
        self.assertContains(malformed, "Enter the twelve letters and numbers", status_code=400)
        code = do_issue_setup_code(user)
        self.assertRedirects(self.client.get(SECOND), LOGIN, msg_prefix="a new set-up code ends the half-signed-in session")
        user.__class__.objects.filter(pk=user.pk).update(setup_code_expires=user.date_joined)
        self.password_step()
        expired = self.client.post(SECOND, {"setup_code": code, "code": code_for(secret)})
        self.assertContains(expired, "You need a set-up code", status_code=403)
        user.refresh_from_db()
        self.assertFalse(user.has_second_factor)

    def test_password_alone_does_not_sign_in(self):
        self.password_step()
        response = self.client.get(HOME)
        self.assertRedirects(response, f"{LOGIN}?next={HOME}")

    def test_an_account_with_a_second_factor_must_give_a_fresh_code(self):
        user = self.p["assigned"]
        secret = pyotp.random_base32()
        user.totp_secret, user.totp_confirmed_at = secret, user.date_joined
        user.save()
        self.password_step()
        page = self.client.get(SECOND)
        self.assertContains(page, "Enter your code")
        self.assertNotContains(page, "<svg")
        wrong = self.client.post(SECOND, {"code": "000000" if code_for(secret) != "000000" else "111111"})
        self.assertContains(wrong, "That code does not match", status_code=400)
        good = code_for(secret)
        self.assertRedirects(self.client.post(SECOND, {"code": good}), HOME)
        # The same code cannot be used again, even within its 30 seconds.
        self.client.logout()
        self.password_step()
        self.assertContains(self.client.post(SECOND, {"code": good}), "That code does not match", status_code=400)
        self.assertIn("second_factor.failed", actions(user))

    def test_a_malformed_code_gets_a_specific_error(self):
        do_issue_setup_code(self.p["assigned"])
        self.password_step()
        response = self.client.post(SECOND, {"code": "12ab"})
        self.assertContains(response, "Enter the six digits", status_code=400)

    def test_wrong_password_is_refused_without_saying_which_part_was_wrong(self):
        response = self.password_step(password="not-the-password")
        self.assertContains(response, "That username and password do not match", status_code=400)
        unknown = self.password_step(username="nobody-here", password="whatever-it-is")
        self.assertContains(unknown, "That username and password do not match", status_code=400)
        failed = AuditEvent.objects.filter(action="login.failed").order_by("seq")
        self.assertEqual([e.actor for e in failed], ["assigned", ""])
        self.assertNotIn("nobody-here", "".join(e.detail for e in failed), "typed usernames are never recorded")

    @override_settings(LOGIN_FAILURE_LIMIT=3, LOGIN_LOCKOUT_MINUTES=15)
    def test_repeated_failures_lock_the_account_even_against_the_right_password(self):
        for _ in range(3):
            self.password_step(password="wrong-password-here")
        self.assertIn("account.locked_out", actions(self.p["assigned"]))
        response = self.password_step()
        self.assertContains(response, "This account is locked", status_code=400)
        self.assertNotIn("_auth_user_id", self.client.session)
        self.assertEqual(actions(self.p["assigned"])[-1], "login.refused_locked")

    @override_settings(LOGIN_FAILURE_LIMIT=2)
    def test_wrong_codes_count_towards_lock_out(self):
        user = self.p["assigned"]
        user.totp_secret, user.totp_confirmed_at = pyotp.random_base32(), user.date_joined
        user.save()
        self.password_step()
        self.client.post(SECOND, {"code": "000001"})
        response = self.client.post(SECOND, {"code": "000002"})
        self.assertContains(response, "This account is locked", status_code=400)
        user.refresh_from_db()
        self.assertTrue(user.is_locked_out())

    @override_settings(LOGIN_FAILURE_LIMIT=3)
    def test_signing_in_again_with_the_password_does_not_clear_wrong_codes(self):
        user = self.p["assigned"]
        user.totp_secret, user.totp_confirmed_at = pyotp.random_base32(), user.date_joined
        user.save()
        for attempt in range(3):
            self.assertRedirects(self.password_step(), SECOND, msg_prefix=f"attempt {attempt}")
            response = self.client.post(SECOND, {"code": "000009"})
        self.assertContains(response, "This account is locked", status_code=400)
        user.refresh_from_db()
        self.assertTrue(user.is_locked_out())

    @override_settings(DEMO_MODE=True)
    def test_demo_mode_waives_the_second_factor_only_for_a_demo_organisation(self):
        do_issue_setup_code(self.p["assigned"])
        self.assertRedirects(self.password_step(), SECOND)
        self.client.logout()
        self.p["assigned"].__class__.objects.filter(pk=1)  # no-op, keeps the query count honest
        from confide.accounts.models import Organisation

        Organisation.objects.filter(pk=1).update(is_demo=True)
        self.assertRedirects(self.password_step(), HOME)
        signed_in = AuditEvent.objects.filter(actor_id=self.p["assigned"].pk, action="login.succeeded").get()
        self.assertEqual(signed_in.detail, '{"second_factor":"waived_demo_mode"}')
        self.assertContains(self.client.get(HOME), "Demo mode.")

    def test_sign_out_ends_the_session_and_is_recorded(self):
        self.sign_in("assigned")
        response = self.client.post(reverse("accounts:logout"))
        self.assertRedirects(response, LOGIN)
        self.assertRedirects(self.client.get(HOME), f"{LOGIN}?next={HOME}")
        self.assertEqual(actions(self.p["assigned"])[-1], "logout")
        self.assertEqual(self.client.get(reverse("accounts:logout")).status_code, 405)

    def test_passwords_are_hashed_with_argon2_in_production(self):
        import confide.settings as production

        self.assertEqual(production.PASSWORD_HASHERS[0], "django.contrib.auth.hashers.Argon2PasswordHasher")
        with override_settings(PASSWORD_HASHERS=production.PASSWORD_HASHERS):
            self.assertTrue(make_password("a long enough password").startswith("argon2$argon2id$"))


class IdleLockTests(ConfideTestCase):
    def test_an_idle_session_locks_and_the_lock_screen_shows_no_client_data(self):
        self.sign_in("assigned")
        client_url = reverse("web:client_file", args=[self.p["client"].pk])
        self.assertContains(self.client.get(client_url), NOTE_TEXT)
        session = self.client.session
        session[LAST_SEEN] = time.time() - 11 * 60  # default idle period: 10 minutes
        session.save()
        response = self.client.get(client_url)
        self.assertRedirects(response, LOCK)
        lock = self.client.get(LOCK)
        for secret in (CLIENT_NAME, NOTE_TEXT):
            self.assertNotContains(lock, secret)
        self.assertNotContains(lock, client_url)
        self.assertIn("session.locked", actions(self.p["assigned"]))
        # While locked, every page goes back to the lock screen.
        self.assertRedirects(self.client.get(HOME), LOCK)
        wrong = self.client.post(LOCK, {"password": "not-it"})
        self.assertContains(wrong, "That password is not right", status_code=400)
        self.assertNotContains(wrong, CLIENT_NAME, status_code=400)
        self.assertRedirects(self.client.post(LOCK, {"password": "assigned-password-1"}), HOME)
        self.assertContains(self.client.get(client_url), NOTE_TEXT)
        self.assertIn("session.unlocked", actions(self.p["assigned"]))
        self.assertTrue(verify_chain().ok)

    def test_every_signed_in_page_carries_the_idle_lock_script_and_its_settings(self):
        self.sign_in("assigned")
        response = self.client.get(HOME)
        self.assertContains(response, 'data-idle-seconds="600"')
        self.assertContains(response, f'data-lock-url="{LOCK}"')
        self.assertContains(response, '<script src="/static/confide/idle.js" defer></script>', html=False)
        self.assertContains(response, 'role="alertdialog"')
        self.assertNotContains(self.client.get(LOCK), "idle.js", msg_prefix="the lock screen runs no timer")

    def test_keep_alive_extends_an_active_session_but_not_a_locked_one(self):
        keep_alive = reverse("accounts:keep_alive")
        self.sign_in("assigned")
        session = self.client.session
        session[LAST_SEEN] = time.time() - 9 * 60
        session.save()
        self.assertEqual(self.client.post(keep_alive).status_code, 204)
        self.assertGreater(self.client.session[LAST_SEEN], time.time() - 5)
        self.assertEqual(self.client.get(keep_alive).status_code, 405)
        session = self.client.session
        session[LAST_SEEN] = time.time() - 11 * 60
        session.save()
        self.assertRedirects(self.client.post(keep_alive), LOCK)

    @override_settings(IDLE_LOCK_MINUTES=2)
    def test_the_idle_period_is_configurable(self):
        self.sign_in("assigned")
        session = self.client.session
        session[LAST_SEEN] = time.time() - 3 * 60
        session.save()
        self.assertRedirects(self.client.get(HOME), LOCK)

    def test_locking_by_hand(self):
        self.sign_in("assigned")
        self.assertContains(self.client.get(LOCK), "Screen locked")
        self.assertRedirects(self.client.get(HOME), LOCK)
