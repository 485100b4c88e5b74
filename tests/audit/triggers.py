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
