"""Django's database sessions (settings.SESSION_ENGINE names this module), with the session read by
one fixed SELECT instead of the ORM's query, which cost several times what the database takes to
answer it (bench/RESULTS.md, web). Saving, rotating the key, expiry and decoding are Django's. The
SELECT runs through Django's cursor, so it is logged, counted and watched like any other query."""

from __future__ import annotations

from django.contrib.sessions.backends import db as db_sessions
from django.db import connection
from django.utils import timezone

from confide.plainrows import fixed_rows


class SessionStore(db_sessions.SessionStore):
    """Django's database sessions (settings.SESSION_ENGINE names this module), with the session read
    by a fixed SELECT. Saving, rotating the key, expiry and decoding are Django's."""

    def _get_session_from_db(self):
        rows = fixed_rows(_SESSION_SQL, [self.session_key, connection.ops.adapt_datetimefield_value(timezone.now())])
        row = rows[0] if rows else None
        if row is None:
            self._session_key = None  # as Django's: a missing or expired session starts again, empty
            return None
        return self.model(session_key=self.session_key, session_data=row[0])


_SESSION_SQL = "SELECT session_data FROM django_session WHERE session_key = %s AND expire_date > %s"
