"""Signing in: password, lock-out, second factor, idle lock. Each step writes its audit event."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import timedelta

import pyotp
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from confide.audit.services import record_event

TOTP_STEP = 30
TOTP_ISSUER = "Confide"


@dataclass(frozen=True)
class PasswordCheck:
    user: object | None
    outcome: str  # "ok", "wrong", "locked"


def check_password(username: str, password: str, *, success_action: str = "login.password_ok") -> PasswordCheck:
    """First step of signing in. Counts failures and locks the account after too many.

    The typed username is never written to the audit log or the logs: people type passwords into
    the wrong box. An unknown account is recorded as such, with nothing of what was typed.
    """
    User = get_user_model()
    with transaction.atomic():
        user = User.objects.select_for_update().filter(username__iexact=username.strip(), is_active=True).first()
        if user is None:
            # Spend the same time as a real check, so timing does not reveal which usernames exist.
            User().set_password(password)
            record_event(None, "login.failed", detail={"reason": "unknown_account"})
            return PasswordCheck(None, "wrong")
        now = timezone.now()
        if user.is_locked_out(now):
            record_event(user, "login.refused_locked", object_type="user", object_id=user.pk)
            return PasswordCheck(user, "locked")
        if not user.check_password(password):
            user.failed_logins += 1
            detail = {"failures": user.failed_logins}
            if user.failed_logins >= settings.LOGIN_FAILURE_LIMIT:
                user.locked_until = now + timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES)
                user.failed_logins = 0
                user.save(update_fields=["failed_logins", "locked_until"])
                record_event(user, "login.failed", object_type="user", object_id=user.pk, detail=detail)
                record_event(user, "account.locked_out", object_type="user", object_id=user.pk,
                             detail={"minutes": settings.LOGIN_LOCKOUT_MINUTES})
                return PasswordCheck(user, "locked")
            user.save(update_fields=["failed_logins"])
            record_event(user, "login.failed", object_type="user", object_id=user.pk, detail=detail)
            return PasswordCheck(user, "wrong")
        user.failed_logins = 0
        user.locked_until = None
        user.save(update_fields=["failed_logins", "locked_until"])
        record_event(user, success_action, object_type="user", object_id=user.pk)
        return PasswordCheck(user, "ok")


def new_totp_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(user, secret: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=user.get_username(), issuer_name=TOTP_ISSUER)


def _matching_step(secret: str, code: str, last_step: int, now: float | None = None) -> int | None:
    """The time step whose code matches, allowing one step of clock drift either way, and never a
    step already used (no replay)."""
    code = "".join(code.split())
    if len(code) != 6 or not code.isdigit():
        return None
    totp = pyotp.TOTP(secret)
    current = int((now if now is not None else time.time()) // TOTP_STEP)
    for step in (current - 1, current, current + 1):
        if step > last_step and totp.generate_otp(step) == code:
            return step
    return None


def confirm_second_factor(user, secret: str, code: str) -> bool:
    """Set-up: the code from the person's app proves they hold the secret before it is saved."""
    with transaction.atomic():
        step = _matching_step(secret, code, 0)
        if step is None:
            record_event(user, "second_factor.setup_failed", object_type="user", object_id=user.pk)
            return False
        user.totp_secret = secret
        user.totp_confirmed_at = timezone.now()
        user.totp_last_step = step
        user.save(update_fields=["totp_secret", "totp_confirmed_at", "totp_last_step"])
        record_event(user, "second_factor.set_up", object_type="user", object_id=user.pk)
        return True


def check_second_factor(user, code: str) -> str:
    """Second step of signing in: 'ok', 'wrong' or 'locked'. Wrong codes count towards lock-out."""
    User = get_user_model()
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        now = timezone.now()
        if user.is_locked_out(now):
            record_event(user, "login.refused_locked", object_type="user", object_id=user.pk)
            return "locked"
        step = _matching_step(user.totp_secret, code, user.totp_last_step)
        if step is None:
            user.second_factor_failures += 1
            record_event(user, "second_factor.failed", object_type="user", object_id=user.pk,
                         detail={"failures": user.second_factor_failures})
            if user.second_factor_failures >= settings.LOGIN_FAILURE_LIMIT:
                user.locked_until = now + timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES)
                user.second_factor_failures = 0
                user.save(update_fields=["second_factor_failures", "locked_until"])
                record_event(user, "account.locked_out", object_type="user", object_id=user.pk,
                             detail={"minutes": settings.LOGIN_LOCKOUT_MINUTES})
                return "locked"
            user.save(update_fields=["second_factor_failures"])
            return "wrong"
        user.totp_last_step = step
        user.second_factor_failures = 0
        user.save(update_fields=["totp_last_step", "second_factor_failures"])
        return "ok"


def record_signed_in(user, second_factor: str) -> None:
    record_event(user, "login.succeeded", object_type="user", object_id=user.pk,
                 detail={"second_factor": second_factor})
