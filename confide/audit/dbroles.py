"""PostgreSQL with two roles: the tables' owner runs the migrations, Confide serves as another.

Only a table's owner (or a superuser) can drop or disable its triggers, so a serving role that owns
nothing cannot switch off the audit log's append-only triggers, whatever SQL it is made to run. It
gets what serving needs and no more: on every table SELECT, INSERT, UPDATE and DELETE, except the
audit log, where it may only read and append (audit_event: SELECT, INSERT; audit_head: SELECT, and
UPDATE, which its triggers allow only as an append's own), and the migrations table, which it may
only read. `confide serve` (and `confide demo`) migrate as the owner and grant this when
CONFIDE_MIGRATE_DATABASE_URL is set (README, "PostgreSQL: two roles").
"""

from __future__ import annotations

AUDIT_TABLES = {"audit_event": "SELECT, INSERT", "audit_head": "SELECT, UPDATE"}
READ_ONLY_TABLES = ("django_migrations",)


def grant_serving_role(connection, role: str) -> None:
    """Grant `role` what serving needs on the tables `connection` (the owner) can see in its schema."""
    if connection.vendor != "postgresql":
        raise ValueError("two roles are for PostgreSQL only")
    name = connection.ops.quote_name(role)
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_schema()")
        schema = connection.ops.quote_name(cursor.fetchone()[0])
        statements = [
            f"GRANT USAGE ON SCHEMA {schema} TO {name}",
            f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {schema} TO {name}",
            f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {schema} TO {name}",
        ]
        for table, allowed in AUDIT_TABLES.items():
            statements += [f"REVOKE ALL ON {table} FROM {name}", f"GRANT {allowed} ON {table} TO {name}"]
        for table in READ_ONLY_TABLES:
            statements += [f"REVOKE ALL ON {table} FROM {name}", f"GRANT SELECT ON {table} TO {name}"]
        for statement in statements:
            cursor.execute(statement)


def migrate_database() -> None:
    """`migrate`, as the tables' owner when CONFIDE_MIGRATE_DATABASE_URL is set, then the serving role
    is granted its part; otherwise on the one connection there is.

    The owner's user and password stand in for the serving role's on the default connection while
    migrating, so data migrations that use the default connection run as the owner too."""
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connections

    owner = settings.DATABASES.get("owner")
    if owner is None:
        call_command("migrate", interactive=False, verbosity=0)
        return
    default = connections["default"]
    default.close()
    serving = dict(default.settings_dict)
    default.settings_dict.update(USER=owner["USER"], PASSWORD=owner["PASSWORD"])
    try:
        call_command("migrate", interactive=False, verbosity=0)
        grant_serving_role(default, serving["USER"])
    finally:
        default.close()
        default.settings_dict.update(USER=serving["USER"], PASSWORD=serving["PASSWORD"])
