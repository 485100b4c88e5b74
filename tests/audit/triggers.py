"""Switching the audit log's append-only triggers off and on, as only a test (or an attacker with
the database itself) would. The SQL is the migration's own, so the two cannot drift apart."""

from __future__ import annotations

import importlib
from contextlib import contextmanager

from django.db import connection

_migration = importlib.import_module("confide.audit.migrations.0002_append_only")


def _execute(statements) -> None:
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def drop() -> None:
    if connection.vendor == "sqlite":
        _execute(_migration.SQLITE_DOWN)
    else:
        _execute(["ALTER TABLE audit_event DISABLE TRIGGER USER"])


def create() -> None:
    if connection.vendor == "sqlite":
        _execute(_migration.SQLITE_UP)
    else:
        _execute(["ALTER TABLE audit_event ENABLE TRIGGER USER"])


def present() -> bool:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'audit_event'")
            return cursor.fetchone()[0] == 2
        cursor.execute("SELECT count(*) FROM pg_trigger WHERE tgrelid = 'audit_event'::regclass "
                       "AND NOT tgisinternal AND tgenabled <> 'D'")
        return cursor.fetchone()[0] == 2


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

    if not present():
        create()
    AuditHead.objects.get_or_create(pk=1, defaults={"seq": 0, "hash": GENESIS})


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
