"""The idle lock (DVIP 6.06: do not leave information on screen).

After IDLE_LOCK_MINUTES without a request the session is locked: every page but the lock screen
and sign-out redirects there until the password is entered again. In the browser, idle.js clears
an unattended screen itself, after a warning that offers to keep working (WCAG 2.2.1); without
JavaScript the page stays until the next click, which then meets the lock.
"""

from __future__ import annotations

import time
from functools import cache

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.contrib.sessions.backends import db as db_sessions
from django.db import connection
from django.shortcuts import redirect
from django.utils import timezone

from confide.accounts.models import Team
from confide.audit.services import record_event

LAST_SEEN = "confide_last_seen"
LOCKED = "confide_locked"
# The last-seen time is rewritten at most this often: each rewrite is a durable write of the session,
# and on every page it doubled the writes (bench/RESULTS.md, web). So an idle session may lock up to
# this much early; a page in use says so to the server through idle.js at least once a minute.
LAST_SEEN_RESOLUTION = 30


def lock_session(request, reason: str) -> None:
    if not request.session.get(LOCKED):
        request.session[LOCKED] = True
        record_event(request.user, "session.locked", object_type="user", object_id=request.user.pk,
                     detail={"reason": reason})


def unlock_session(request) -> None:
    request.session[LOCKED] = False
    request.session[LAST_SEEN] = time.time()


def allowed_when_locked(view):
    view.allowed_when_locked = True
    return view


class IdleLockMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if not request.user.is_authenticated:
            return None
        if getattr(view_func, "allowed_when_locked", False):
            return None
        now = time.time()
        last_seen = request.session.get(LAST_SEEN, now)
        if not request.session.get(LOCKED) and now - last_seen > settings.IDLE_LOCK_MINUTES * 60:
            lock_session(request, "idle")
        if request.session.get(LOCKED):
            return redirect("accounts:lock")
        if now - last_seen >= LAST_SEEN_RESOLUTION or LAST_SEEN not in request.session:
            request.session[LAST_SEEN] = now
        return None


# Every request reads its session and then its signed-in person. Both are read here by one fixed
# SELECT each, instead of the ORM's queries, which cost several times what the database takes to
# answer them (bench/RESULTS.md, web); what is done with them is Django's own. The SELECTs are run
# through Django's cursor, so they are logged, counted and watched like any other query.

class SessionStore(db_sessions.SessionStore):
    """Django's database sessions (settings.SESSION_ENGINE names this module), with the session read
    by a fixed SELECT. Saving, rotating the key, expiry and decoding are Django's."""

    def _get_session_from_db(self):
        with connection.cursor() as cursor:
            cursor.execute(_SESSION_SQL, [self.session_key, connection.ops.adapt_datetimefield_value(timezone.now())])
            row = cursor.fetchone()
        if row is None:
            self._session_key = None  # as Django's: a missing or expired session starts again, empty
            return None
        return self.model(session_key=self.session_key, session_data=row[0])


_SESSION_SQL = "SELECT session_data FROM django_session WHERE session_key = %s AND expire_date > %s"


class Backend(ModelBackend):
    """Django's ModelBackend (settings.AUTHENTICATION_BACKENDS), with the signed-in person read, with
    their team, by a fixed SELECT. django.contrib.auth.get_user() still checks the session's hash
    against the password, and this still refuses an inactive account, as ModelBackend does."""

    def get_user(self, user_id):
        from confide.records.access import load_instances  # not at import: the gate imports accounts

        names = _user_fields()
        with connection.cursor() as cursor:
            cursor.execute(_user_sql(), [user_id])
            rows = cursor.fetchall()
        if not rows:
            return None
        user = load_instances(get_user_model(), names, rows)[0]
        if user.team_id is not None:
            user.team = load_instances(Team, ("id", "name", "slug"), [rows[0][len(names):]])[0]
        return user if self.user_can_authenticate(user) else None


@cache
def _user_fields() -> tuple[str, ...]:
    return tuple(field.attname for field in get_user_model()._meta.concrete_fields)


@cache
def _user_sql() -> str:
    user_model = get_user_model()
    columns = ", ".join(f"u.{field.column}" for field in user_model._meta.concrete_fields)
    return (f"SELECT {columns}, t.id, t.name, t.slug FROM {user_model._meta.db_table} u "  # noqa: S608 -- names, not input
            "LEFT JOIN accounts_team t ON t.id = u.team_id WHERE u.id = %s")
