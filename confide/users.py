"""Adding staff accounts from the command line (an administrator's job on a new installation)."""

from __future__ import annotations

import sys

from django.contrib.auth import get_user_model, password_validation
from django.core.exceptions import ValidationError
from django.db import transaction

from confide.accounts.models import Organisation, Team
from confide.accounts.services import SETUP_CODE_HOURS, issue_setup_code
from confide.audit.services import record_event


class UserError(Exception):
    pass


def add_user(username: str, *, role: str, team: str | None, first_name: str = "", last_name: str = "",
             password_from_stdin: bool = False) -> str:
    User = get_user_model()
    organisation = Organisation.objects.filter(pk=1).first()
    if organisation is None:
        raise UserError("there is no organisation yet: create one with 'confide demo' or 'confide manage setup'")
    roles = organisation.policy().roles
    if role not in roles:
        raise UserError(f"--role: expected one of {', '.join(roles)}; got {role!r}")
    team_obj = None
    if team:
        team_obj = Team.objects.filter(slug=team).first()
        if team_obj is None:
            known = ", ".join(Team.objects.values_list("slug", flat=True)) or "none yet"
            raise UserError(f"--team: no team {team!r} (teams: {known})")
    elif roles[role].kind != "trustee":
        raise UserError("--team: every member of staff needs a team; only trustees may have none")
    if User.objects.filter(username__iexact=username).exists():
        raise UserError(f"username: {username!r} is taken")
    password = sys.stdin.readline().rstrip("\n") if password_from_stdin else None
    user = User(username=username, role=role, team=team_obj, first_name=first_name, last_name=last_name)
    if password is not None:
        try:
            password_validation.validate_password(password, user)
        except ValidationError as exc:
            raise UserError("password: " + " ".join(exc.messages)) from None
        user.set_password(password)
    else:
        user.set_unusable_password()
    with transaction.atomic():
        user.save()
        record_event(None, "user.created", object_type="user", object_id=user.pk, detail={"role": role})
        code = issue_setup_code(user)
    note = "" if password is not None else "\nIt has no password yet: set one with 'confide manage changepassword'."
    return f"Added {username} ({roles[role].label}).{note}\n" + _setup_code_text(username, code)


def new_setup_code(username: str) -> str:
    """A new set-up code (a lost or new phone): the old second factor stops working at once."""
    user = get_user_model().objects.filter(username__iexact=username).first()
    if user is None:
        raise UserError(f"username: no account {username!r}")
    return _setup_code_text(user.get_username(), issue_setup_code(user))


def _setup_code_text(username: str, code: str) -> str:
    return (f"Set-up code for {username}: {code}\n"
            f"Give it to them in person or by phone, never by email. It works once, within {SETUP_CODE_HOURS} hours,\n"
            "to set up the authenticator app at their next sign-in.")
