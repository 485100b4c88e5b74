"""Staff accounts from the command line: adding them, a new set-up code, a new password, a new role
or team, disabling. Each of the last four ends every session of the person (accounts/services.py)."""

from __future__ import annotations

import sys

from django.contrib.auth import get_user_model

from confide.accounts.models import Organisation, Team
from confide.accounts.services import (
    SETUP_CODE_HOURS,
    AccountError,
    do_change_password,
    do_change_role,
    do_create_user,
    do_disable_user,
    do_issue_setup_code,
)
from confide.errors import ConfideError


class UserError(ConfideError):
    """A `confide user` command that cannot be done; `field` is the option or argument it is about
    ("--team", "username"), which the command line prints before the message."""

    code = "user_command_invalid"


def _team(slug: str) -> Team:
    """The team with this slug, or an error that lists the teams there are."""
    team = Team.objects.filter(slug=slug).first()
    if team is None:
        known = ", ".join(Team.objects.values_list("slug", flat=True)) or "none yet"
        raise UserError(f"no team {slug!r} (teams: {known})", field="--team")
    return team


def do_add_user(username: str, *, role: str, team: str | None, first_name: str = "", last_name: str = "",
             password_from_stdin: bool = False) -> str:
    """Add a member of staff (the rules are accounts.services.do_create_user's, as on the staff pages)."""
    organisation = Organisation.objects.filter(pk=1).first()
    if organisation is None:
        raise UserError("there is no organisation yet: create one with 'confide demo' or 'confide manage setup'")
    team_obj = _team(team) if team else None
    password = sys.stdin.readline().rstrip("\n") if password_from_stdin else None
    try:
        user, code = do_create_user(None, username, role=role, team=team_obj, first_name=first_name,
                                    last_name=last_name, password=password)
    except AccountError as exc:
        raise UserError(exc.message, field=_OPTIONS.get(exc.field, exc.field), code=exc.code) from None
    note = "" if password is not None else f"\nIt has no password yet: set one with 'confide user password {username}'."
    return f"Added {user.get_username()} ({user.role_label}).{note}\n" + _setup_code_text(user.get_username(), code)


# A service's field, as the command line names it.
_OPTIONS = {"role": "--role", "team": "--team", "first_name": "--first-name", "last_name": "--last-name"}


def _account(username: str):
    user = get_user_model().objects.filter(username__iexact=username).first()
    if user is None:
        raise UserError(f"no account {username!r}", field="username")
    return user


def new_setup_code(username: str) -> str:
    """A new set-up code (a lost or new phone): the old second factor stops working at once, and
    every session of the person ends."""
    user = _account(username)
    return _setup_code_text(user.get_username(), do_issue_setup_code(user))


def change_password(username: str, password: str) -> str:
    """A new password; every session of the person ends."""
    user = _account(username)
    try:
        do_change_password(None, user, password)
    except AccountError as exc:
        raise UserError(exc.message, field=exc.field, code=exc.code) from None
    return f"Changed the password of {user.get_username()}; they are signed out everywhere."


def change_role(username: str, *, role: str, team: str | None) -> str:
    """A new role (and team); every session of the person ends."""
    user = _account(username)
    team_obj = None
    if team:
        team_obj = _team(team)
    try:
        do_change_role(None, user, role, team_obj)
    except AccountError as exc:
        raise UserError(exc.message, field=f"--{exc.field}", code=exc.code) from None
    where = f" in {team_obj.name}" if team_obj is not None else ""
    return f"{user.get_username()} is now {user.role_label}{where}; they are signed out everywhere."


def disable(username: str) -> str:
    """The account can no longer sign in; every session of the person ends."""
    user = _account(username)
    if not user.is_active:
        raise UserError(f"{user.get_username()!r} is already disabled", field="username")
    try:
        do_disable_user(None, user)
    except AccountError as exc:
        raise UserError(exc.message, field="username", code=exc.code) from None
    return f"Disabled {user.get_username()}; they are signed out everywhere and cannot sign in."


def _setup_code_text(username: str, code: str) -> str:
    return (f"Set-up code for {username}: {code}\n"
            f"Give it to them in person or by phone, never by email. It works once, within {SETUP_CODE_HOURS} hours,\n"
            "to set up the authenticator app at their next sign-in.")
