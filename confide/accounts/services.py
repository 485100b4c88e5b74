"""Signing in: password, lock-out, second factor, idle lock; and the changes to an account that end
its sessions (a new set-up code, a new password, a new role or team, disabling). Each step writes
its audit event."""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass
from datetime import timedelta

import pyotp
from django.conf import settings
from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.hashers import check_password as check_password_hash
from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone

from confide.accounts.models import Organisation, Session, current_policy
from confide.audit.actions import Action
from confide.audit.services import record_event
from confide.errors import ConfideError
from confide.policy import vocab

TOTP_STEP = 30
TOTP_ISSUER = "Confide"


@dataclass(frozen=True)
class PasswordCheck:
    user: object | None
    outcome: str  # "ok", "wrong", "locked"


def do_check_password(username: str, password: str, *, success_action: Action = Action.LOGIN_PASSWORD_OK) -> PasswordCheck:
    """First step of signing in. Counts failures and locks the account after too many.

    The typed username is never written to the audit log or the logs: people type passwords into
    the wrong box. An unknown account is recorded as such, with nothing of what was typed.
    """
    User = get_user_model()
    with transaction.atomic(durable=True):
        user = User.objects.select_for_update().filter(username__iexact=username.strip(), is_active=True).first()
        if user is None:
            # Spend the same time as a real check, so timing does not reveal which usernames exist.
            User().set_password(password)
            record_event(None, Action.LOGIN_FAILED, detail={"reason": "unknown_account"})
            return PasswordCheck(None, "wrong")
        now = timezone.now()
        if user.is_locked_out(now):
            record_event(user, Action.LOGIN_REFUSED_LOCKED, object_type="user", object_id=user.pk)
            return PasswordCheck(user, "locked")
        if not user.check_password(password):
            user.failed_logins += 1
            detail = {"failures": user.failed_logins}
            if user.failed_logins >= settings.LOGIN_FAILURE_LIMIT:
                user.locked_until = now + timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES)
                user.failed_logins = 0
                user.save(update_fields=["failed_logins", "locked_until"])
                record_event(user, Action.LOGIN_FAILED, object_type="user", object_id=user.pk, detail=detail)
                record_event(user, Action.ACCOUNT_LOCKED_OUT, object_type="user", object_id=user.pk,
                             detail={"minutes": settings.LOGIN_LOCKOUT_MINUTES})
                return PasswordCheck(user, "locked")
            user.save(update_fields=["failed_logins"])
            record_event(user, Action.LOGIN_FAILED, object_type="user", object_id=user.pk, detail=detail)
            return PasswordCheck(user, "wrong")
        user.failed_logins = 0
        user.locked_until = None
        user.save(update_fields=["failed_logins", "locked_until"])
        record_event(user, success_action, object_type="user", object_id=user.pk)
        return PasswordCheck(user, "ok")


LOCKED_OUT = ("Too many wrong passwords: your account is locked for {minutes}. "
              "Ask your manager if you need it sooner.")


def locked_out_message(user) -> str:
    """What a person whose account is locked is told: how long it stays locked, and who can help."""
    now = timezone.now()
    left = (user.locked_until - now).total_seconds() if user.locked_until and user.locked_until > now else 0
    minutes = max(1, -(-int(left) // 60)) if left else settings.LOGIN_LOCKOUT_MINUTES
    return LOCKED_OUT.format(minutes=f"{minutes} minute{'' if minutes == 1 else 's'}")


def do_end_locked_out(user) -> int:
    """The account is locked while its owner is signed in (too many wrong passwords or codes when
    confirming an approval, counted as at sign-in): every session of theirs ends now, so nobody can
    go on working, or guessing, in one. The lock itself is recorded where it was counted
    (`account.locked_out`); the ended sessions are recorded here, with the reason."""
    return do_end_sessions(user, "locked_out", user)


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


SETUP_CODE_HOURS = 72
_SETUP_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O or 1/I to misread


def _normal_setup_code(code: str) -> str:
    return "".join(ch for ch in code.upper() if ch.isalnum())


def do_issue_setup_code(user, issued_by=None) -> str:
    """A new one-time set-up code for this person, valid for SETUP_CODE_HOURS. It replaces any
    earlier code and any second factor: the person sets up their phone again with it. Never by a
    person for themselves: the administrator who gives the code is the check that it is them."""
    _not_their_own(issued_by, user, "You cannot issue a set-up code for yourself: ask another administrator, "
                                    "who can check that it is you")
    code = "".join(secrets.choice(_SETUP_ALPHABET) for _ in range(12))
    with transaction.atomic():
        user.setup_code_hash = make_password(code)
        user.setup_code_expires = timezone.now() + timedelta(hours=SETUP_CODE_HOURS)
        user.totp_secret, user.totp_confirmed_at, user.totp_last_step = "", None, 0
        user.save(update_fields=["setup_code_hash", "setup_code_expires", "totp_secret_sealed", "totp_confirmed_at",
                                 "totp_last_step"])
        record_event(issued_by, Action.SECOND_FACTOR_SETUP_CODE_ISSUED, object_type="user", object_id=user.pk,
                     detail={"hours": SETUP_CODE_HOURS})
        # A lost phone: whoever has it may be signed in on it.
        do_end_sessions(user, "new_setup_code", issued_by)
    return "-".join(code[i:i + 4] for i in range(0, 12, 4))


def has_live_setup_code(user) -> bool:
    return bool(user.setup_code_hash) and user.setup_code_expires is not None and user.setup_code_expires > timezone.now()


def do_confirm_second_factor(user, secret: str, setup_code: str, code: str) -> str:
    """Set-up: the one-time set-up code proves the person is who the administrator meant, and the
    code from their app proves they hold the secret. 'ok', 'wrong', 'no_setup_code' or 'locked';
    wrong attempts count towards lock-out like wrong codes at sign-in."""
    User = get_user_model()
    with transaction.atomic(durable=True):
        user = User.objects.select_for_update().get(pk=user.pk)
        now = timezone.now()
        if user.is_locked_out(now):
            return "locked"
        if not has_live_setup_code(user):
            return "no_setup_code"
        step = _matching_step(secret, code, 0)
        if not check_password_hash(_normal_setup_code(setup_code), user.setup_code_hash) or step is None:
            return _second_factor_failed(user, now, Action.SECOND_FACTOR_SETUP_FAILED)
        user.totp_secret = secret
        user.totp_confirmed_at = now
        user.totp_last_step = step
        user.second_factor_failures = 0
        user.setup_code_hash, user.setup_code_expires = "", None  # used once
        user.save(update_fields=["totp_secret_sealed", "totp_confirmed_at", "totp_last_step", "second_factor_failures",
                                 "setup_code_hash", "setup_code_expires"])
        record_event(user, Action.SECOND_FACTOR_SET_UP, object_type="user", object_id=user.pk)
        return "ok"


def _second_factor_failed(user, now, action: Action) -> str:
    """Count a wrong code (at set-up or sign-in) and lock the account at the limit: 'wrong' or
    'locked'. Runs inside the caller's transaction, on a row it has locked."""
    user.second_factor_failures += 1
    record_event(user, action, object_type="user", object_id=user.pk, detail={"failures": user.second_factor_failures})
    if user.second_factor_failures < settings.LOGIN_FAILURE_LIMIT:
        user.save(update_fields=["second_factor_failures"])
        return "wrong"
    user.locked_until = now + timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES)
    user.second_factor_failures = 0
    user.save(update_fields=["second_factor_failures", "locked_until"])
    record_event(user, Action.ACCOUNT_LOCKED_OUT, object_type="user", object_id=user.pk,
                 detail={"minutes": settings.LOGIN_LOCKOUT_MINUTES})
    return "locked"


def do_check_second_factor(user, code: str) -> str:
    """Second step of signing in: 'ok', 'wrong' or 'locked'. Wrong codes count towards lock-out."""
    User = get_user_model()
    with transaction.atomic(durable=True):
        user = User.objects.select_for_update().get(pk=user.pk)
        now = timezone.now()
        if user.is_locked_out(now):
            record_event(user, Action.LOGIN_REFUSED_LOCKED, object_type="user", object_id=user.pk)
            return "locked"
        step = _matching_step(user.totp_secret, code, user.totp_last_step)
        if step is None:
            return _second_factor_failed(user, now, Action.SECOND_FACTOR_FAILED)
        user.totp_last_step = step
        user.second_factor_failures = 0
        user.save(update_fields=["totp_last_step", "second_factor_failures"])
        return "ok"


def do_record_signed_in(user, second_factor: str) -> None:
    record_event(user, Action.LOGIN_SUCCEEDED, object_type="user", object_id=user.pk,
                 detail={"second_factor": second_factor})


def do_record_signed_out(user) -> None:
    record_event(user, Action.LOGOUT, object_type="user", object_id=user.pk)


def do_refuse_second_factor_setup(user) -> None:
    """A person at the set-up step with no live set-up code from an administrator: refused, and recorded."""
    record_event(user, Action.SECOND_FACTOR_SETUP_REFUSED, object_type="user", object_id=user.pk,
                 detail={"reason": "no_live_setup_code"})


class AccountError(ConfideError, ValueError):
    """A change to an account that cannot be made; `field` names the part ("password", "role")."""

    code = "account_invalid"


def do_end_sessions(user, why: str, actor=None) -> int:
    """Sign this person out everywhere: delete every session of theirs, signed in or half-way through
    signing in, and record how many, in the caller's transaction. Called whenever trust in the
    person changes (a new set-up code, a new password, a new role or team, disabling). A request of
    theirs in flight must not save its session afterwards (Django then refuses the response)."""
    with transaction.atomic():
        ended, _ = Session.objects.filter(user_id=user.pk).delete()
        record_event(actor, Action.SESSIONS_ENDED, object_type="user", object_id=user.pk,
                     detail={"reason": why, "sessions": ended})
    return ended


def do_change_password(actor, user, password: str) -> None:
    """Set a new password (checked against the password rules) and end every session of the person."""
    try:
        password_validation.validate_password(password, user)
    except ValidationError as exc:
        raise AccountError(" ".join(exc.messages), field="password", code="weak_password") from None
    with transaction.atomic(durable=True):
        user.set_password(password)
        user.save(update_fields=["password"])
        record_event(actor, Action.USER_PASSWORD_CHANGED, object_type="user", object_id=user.pk)
        do_end_sessions(user, "password_changed", actor)


def do_change_role(actor, user, role: str, team) -> None:
    """Give the person a role from the organisation's pack and a team (only trustees may have none),
    and end every session of theirs: what they may see is decided afresh at their next sign-in."""
    roles = current_policy().roles
    if role not in roles:
        raise AccountError(f"expected one of {', '.join(roles)}; got {role!r}", field="role")
    if team is None and roles[role].kind not in vocab.TEAMLESS_KINDS:
        raise AccountError("every member of staff needs a team; only trustees may have none", field="team")
    _not_their_own(actor, user, "You cannot change your own role or team: ask another administrator")
    with transaction.atomic(durable=True):
        _keep_an_administrator(user, role_after=role)
        before = (user.role, user.team_id)
        user.role, user.team = role, team
        user.save(update_fields=["role", "team"])
        record_event(actor, Action.USER_ROLE_CHANGED, object_type="user", object_id=user.pk,
                     detail={"role_before": before[0], "team_before": before[1], "role": role,
                             "team": team.pk if team is not None else None})
        do_end_sessions(user, "role_changed", actor)


def do_disable_user(actor, user) -> None:
    """Disable the account: it can no longer sign in, and every session of the person ends now.
    Never one's own, and never the last administrator's (then nobody could manage staff)."""
    _not_their_own(actor, user, "You cannot disable your own account: ask another administrator")
    with transaction.atomic(durable=True):
        if not get_user_model().objects.filter(pk=user.pk, is_active=True).exists():
            raise AccountError(f"{user.get_username()!r} is already disabled", field="username",
                               code="already_disabled", status=409)
        _keep_an_administrator(user, role_after=None)
        user.is_active = False
        user.save(update_fields=["is_active"])
        record_event(actor, Action.USER_DISABLED, object_type="user", object_id=user.pk)
        do_end_sessions(user, "disabled", actor)


# Staff administration (issue 13, point 8): the pages of confide/web/staff_views.py and the `confide
# user` command (confide/users.py) make every change to an account through these functions.

def may_administer(user) -> bool:
    """Whether this person keeps the staff list and the organisation's settings: a role of an
    administrator kind in the organisation's pack (vocab.ADMINISTRATOR_KINDS). The staff pages ask
    this before anything else and refuse everyone else; the command line is the server's operator."""
    return bool(getattr(user, "is_authenticated", False)) and user.is_active and \
        user.role_kind in vocab.ADMINISTRATOR_KINDS


def _administrator_roles() -> set[str]:
    return {name for name, role in current_policy().roles.items() if role.kind in vocab.ADMINISTRATOR_KINDS}


def _not_their_own(actor, user, message: str) -> None:
    """Some changes a person may not make to their own account: they would end the very session
    that asks (a request in flight must not save its session afterwards), or lock them out."""
    if actor is not None and actor.pk == user.pk:
        raise AccountError(message, code="own_account")


def _keep_an_administrator(user, *, role_after: str | None) -> None:
    """Refuse, inside the caller's transaction, a change that would leave no active administrator
    (`role_after` None: the account is being disabled): nobody could then manage staff from the
    pages. The administrators' rows are locked, so two administrators cannot remove each other at once."""
    admin_roles = _administrator_roles()
    User = get_user_model()
    current = User.objects.filter(pk=user.pk).values_list("role", "is_active").first()
    if current is None or not current[1] or current[0] not in admin_roles or role_after in admin_roles:
        return
    others = list(User.objects.select_for_update().filter(is_active=True, role__in=admin_roles)
                  .exclude(pk=user.pk).values_list("pk", flat=True))
    if not others:
        raise AccountError(f"{user.get_username()} is the only administrator: give someone else an administrator "
                           "role first, so that someone can still manage staff", field="role",
                           code="last_administrator", status=409)


def _text(value, field: str, label: str, max_length: int, *, required: bool = False) -> str:
    text = str(value or "").strip()
    if required and not text:
        raise AccountError(f"give their {label}", field=field, code="required")
    if len(text) > max_length:
        raise AccountError(f"the {label} is too long: at most {max_length} characters", field=field, code="too_long")
    return text


def _email(value) -> str:
    text = _text(value, "email", "email address", 254)
    if text:
        try:
            validate_email(text)
        except ValidationError:
            raise AccountError("give the email address in full, for example name@example.org", field="email",
                               code="invalid_email") from None
    return text


def do_create_user(actor, username: str, *, role: str, team, first_name: str = "", last_name: str = "",
                   email: str = "", work_phone: str = "", password: str | None = None):
    """Add a member of staff with a role from the organisation's pack and a team (only trustees may
    have none), and issue their one-time set-up code. Without a password the account cannot sign in
    until one is set. Returns (user, set-up code); the code is shown once and never stored."""
    User = get_user_model()
    roles = current_policy().roles
    if role not in roles:
        raise AccountError(f"expected one of {', '.join(roles)}; got {role!r}", field="role")
    if team is None and roles[role].kind not in vocab.TEAMLESS_KINDS:
        raise AccountError("every member of staff needs a team; only trustees may have none", field="team")
    username = _text(username, "username", "username", User._meta.get_field("username").max_length, required=True)
    try:
        User.username_validator(username)
    except ValidationError:
        raise AccountError("a username may have only letters, numbers and @ . + - _ (no spaces)", field="username",
                           code="invalid_username") from None
    user = User(username=username, role=role, team=team, email=_email(email),
                first_name=_text(first_name, "first_name", "first name", 150),
                last_name=_text(last_name, "last_name", "last name", 150),
                work_phone=_text(work_phone, "work_phone", "work phone number", 40))
    if password is not None:
        try:
            password_validation.validate_password(password, user)
        except ValidationError as exc:
            raise AccountError(" ".join(exc.messages), field="password", code="weak_password") from None
        user.set_password(password)
    else:
        user.set_unusable_password()
    with transaction.atomic(durable=True):
        if User.objects.filter(username__iexact=username).exists():
            raise AccountError(f"{username!r} is taken by another account: choose another", field="username",
                               code="username_taken")
        user.save()
        record_event(actor, Action.USER_CREATED, object_type="user", object_id=user.pk, detail={"role": role})
        code = do_issue_setup_code(user, actor)
    return user, code


def do_change_details(actor, user, *, first_name: str, last_name: str, email: str, work_phone: str) -> list[str]:
    """A person's name, email and work phone (the direct line printed on what they share). Nothing
    here changes what they may see, so their sessions go on. Returns the names of what changed."""
    wanted = {"first_name": _text(first_name, "first_name", "first name", 150),
              "last_name": _text(last_name, "last_name", "last name", 150),
              "email": _email(email), "work_phone": _text(work_phone, "work_phone", "work phone number", 40)}
    changed = [name for name, value in wanted.items() if getattr(user, name) != value]
    if not changed:
        return []
    with transaction.atomic(durable=True):
        for name in changed:
            setattr(user, name, wanted[name])
        user.save(update_fields=changed)
        record_event(actor, Action.USER_DETAILS_CHANGED, object_type="user", object_id=user.pk,
                     detail={"fields": changed})
    return changed


def do_enable_user(actor, user) -> None:
    """Let a disabled account sign in again, with its password and second factor as they were."""
    with transaction.atomic(durable=True):
        if get_user_model().objects.filter(pk=user.pk, is_active=True).exists():
            raise AccountError(f"{user.get_username()!r} can already sign in", field="username",
                               code="already_enabled", status=409)
        user.is_active = True
        user.save(update_fields=["is_active"])
        record_event(actor, Action.USER_ENABLED, object_type="user", object_id=user.pk)


TASK_DUE_DAYS = (1, 90)  # the organisation's default time for a task, in days


def do_change_organisation(actor, *, phone: str, address: str, email: str, task_due_days: int,
                           email_reminders: bool) -> list[str]:
    """The organisation's call-back details (printed on what is shared), the default days a task is
    given, and whether Confide emails reminders. Returns the names of what changed; the event
    records those names, not the values."""
    low, high = TASK_DUE_DAYS
    try:
        days = int(task_due_days)
    except (TypeError, ValueError):
        days = None
    if days is None or not low <= days <= high:
        raise AccountError(f"give a number of days from {low} to {high}", field="task_due_days", code="out_of_range")
    wanted = {"phone": _text(phone, "phone", "phone number", 40), "address": _text(address, "address", "address", 1000),
              "email": _email(email), "task_due_days": days, "email_reminders": bool(email_reminders)}
    with transaction.atomic(durable=True):
        organisation = Organisation.objects.select_for_update().get(pk=1)
        changed = [name for name, value in wanted.items() if getattr(organisation, name) != value]
        if changed:
            for name in changed:
                setattr(organisation, name, wanted[name])
            organisation.save(update_fields=changed)
            record_event(actor, Action.ORGANISATION_CHANGED, object_type="organisation", object_id=1,
                         detail={"fields": changed})
    return changed
