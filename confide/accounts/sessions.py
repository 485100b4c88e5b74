"""Django's database sessions (settings.SESSION_ENGINE names this module), keyed by a hash.

The cookie holds the session key; the table (accounts.Session) holds only a SHA-256 hash of it, and
every lookup, save and delete goes through that hash. So a copy of the database, or anyone who can
read it, learns no key that would sign them in as anyone, and a cookie made from a row's value
matches no row. Each row also names its person, so all their sessions can be ended at once when
trust in them ends (accounts.services.do_end_sessions).

The session is read by one fixed SELECT instead of the ORM's query, which cost several times what
the database takes to answer it (bench/RESULTS.md, web). The SELECT runs through Django's cursor, so
it is logged, counted and watched like any other query. Rotating the key (cycle_key, at every
sign-in), expiry and decoding are Django's, and reach the table only through the methods below.
"""

from __future__ import annotations

import hashlib

from asgiref.sync import sync_to_async
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.backends import db as db_sessions
from django.db import connection
from django.utils import timezone

from confide.accounts.models import Session
from confide.plainrows import fixed_rows

# Who a half-signed-in session (password given, second factor not yet) belongs to: accounts/views.py.
PENDING_USER = "confide_pending_user"


def key_hash(session_key: str) -> str:
    """What the table stores for a session key: its SHA-256 (the key is 32 random characters, so
    a hash without a secret cannot be turned back into it)."""
    return hashlib.sha256(b"confide session key:" + session_key.encode()).hexdigest()


class SessionStore(db_sessions.SessionStore):
    """Django's database sessions, with the table keyed by key_hash() of the cookie's key."""

    @classmethod
    def get_model_class(cls):
        return Session

    def _get_session_from_db(self):
        if not self.session_key:
            return None
        now = connection.ops.adapt_datetimefield_value(timezone.now())
        rows = fixed_rows(_SESSION_SQL, [key_hash(self.session_key), now])
        if not rows:
            self._session_key = None  # as Django's: a missing or expired session starts again, empty
            return None
        return self.model(session_key=key_hash(self.session_key), session_data=rows[0][0])

    async def _aget_session_from_db(self):
        return await sync_to_async(self._get_session_from_db)()

    def exists(self, session_key):
        return self.model.objects.filter(session_key=key_hash(session_key)).exists()

    async def aexists(self, session_key):
        return await self.model.objects.filter(session_key=key_hash(session_key)).aexists()

    def create_model_instance(self, data):
        return self.model(session_key=key_hash(self._get_or_create_session_key()), session_data=self.encode(data),
                          expire_date=self.get_expiry_date(), user_id=_person(data))

    async def acreate_model_instance(self, data):
        return self.model(session_key=key_hash(await self._aget_or_create_session_key()),
                          session_data=self.encode(data), expire_date=await self.aget_expiry_date(),
                          user_id=_person(data))

    def delete(self, session_key=None):
        if session_key is None:
            if self.session_key is None:
                return
            session_key = self.session_key
        self.model.objects.filter(session_key=key_hash(session_key)).delete()

    async def adelete(self, session_key=None):
        if session_key is None:
            if self.session_key is None:
                return
            session_key = self.session_key
        await self.model.objects.filter(session_key=key_hash(session_key)).adelete()


def _person(data: dict) -> int | None:
    """The signed-in person, or the one half-way through signing in."""
    for name in (SESSION_KEY, PENDING_USER):
        value = data.get(name)
        if value is not None:
            try:
                return int(value)
            except (TypeError, ValueError):
                return None
    return None


_SESSION_SQL = "SELECT session_data FROM accounts_session WHERE session_key = %s AND expire_date > %s"
