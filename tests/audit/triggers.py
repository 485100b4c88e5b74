"""Switching the audit log's append-only triggers off and on, as only a test (or an attacker with
the database itself) would. The SQL is the migration's own, so the two cannot drift apart."""

from __future__ import annotations

import importlib
from contextlib import contextmanager

from django.db import connection

_migrations = [importlib.import_module(f"confide.audit.migrations.{name}")
               for name in ("0002_append_only", "0003_only_the_next_event")]
SQLITE_TRIGGERS = 6  # on audit_event and audit_head together
POSTGRES_TRIGGERS = 8


def _execute(statements) -> None:
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def drop() -> None:
    if connection.vendor == "sqlite":
        for migration in reversed(_migrations):
            _execute(migration.SQLITE_DOWN)
    else:
        _execute(["ALTER TABLE audit_event DISABLE TRIGGER USER", "ALTER TABLE audit_head DISABLE TRIGGER USER"])


def create() -> None:
    if connection.vendor == "sqlite":
        for migration in _migrations:
            _execute(migration.SQLITE_UP)
    else:
        _execute(["ALTER TABLE audit_event ENABLE TRIGGER USER", "ALTER TABLE audit_head ENABLE TRIGGER USER"])


def present() -> bool:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT count(*) FROM sqlite_master WHERE type = 'trigger' "
                           "AND tbl_name IN ('audit_event', 'audit_head')")
            return cursor.fetchone()[0] == SQLITE_TRIGGERS
        cursor.execute("SELECT count(*) FROM pg_trigger WHERE tgrelid IN ('audit_event'::regclass, 'audit_head'::regclass) "
                       "AND NOT tgisinternal AND tgenabled <> 'D'")
        return cursor.fetchone()[0] == POSTGRES_TRIGGERS


@contextmanager
def off():
    drop()
    try:
        yield
    finally:
        create()


def ready_after_flush() -> None:
    """Triggers on, and the chain's head row back (a flush empties it too)."""
    from confide.audit.chain import GENESIS
    from confide.audit.models import AuditHead

    # The head first: with the triggers on, a head row may be inserted only when there is none.
    AuditHead.objects.get_or_create(pk=1, defaults={"seq": 0, "hash": GENESIS})
    if not present():
        create()


class FlushableAuditLogMixin:
    """For TransactionTestCase: Django empties the database after each test with a flush, which
    the append-only triggers refuse, as they should. They are switched off for the flush only,
    and the chain's head row (which the flush empties too) is put back before the next test."""

    @classmethod
    def _fixture_setup(cls):  # a classmethod in Django 5.2
        super()._fixture_setup()
        ready_after_flush()

    def _fixture_teardown(self):
        drop()
        super()._fixture_teardown()
