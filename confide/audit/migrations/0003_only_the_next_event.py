"""The database refuses anything but the next event, and moves the chain's head itself.

Migration 0002 refused UPDATE and DELETE of events. That left three holes: SQLite's
`INSERT OR REPLACE` (its REPLACE deletes the old row without firing DELETE triggers), an INSERT of
an event that is not the next one, and the head row, which anyone could move. Here, on SQLite and
PostgreSQL alike:

- inserting an event moves the head to it, in the database, in the same statement (Confide no
  longer moves the head itself);
- the head may be updated only to the next number, naming an event that exists with that hash and
  links to the old head. So an insert that is not the next event fails, and its whole statement
  with it: a REPLACE's deletion of the old row is undone too. And since every insert moves the head,
  nothing but an insert can;
- the head may not be deleted (or truncated), and a head row may be inserted only when there is
  none, naming the chain's last event.

One trigger on each side, so an append costs one extra lookup (the event, by its number) over the
head update Confide made itself before (bench/audit.py).

On PostgreSQL Confide can serve as a role that does not own these tables (README, "PostgreSQL:
two roles"): only the owner can drop or disable these triggers.
"""

from django.db import migrations

GENESIS = "0" * 64

# A head row may be inserted only when none exists, and only naming the chain's last event.
_SQLITE_HEAD_INSERT_OK = (
    "NOT EXISTS (SELECT 1 FROM audit_head) AND NEW.id = 1 "  # noqa: S608 -- constant SQL
    "AND NEW.seq IS coalesce((SELECT max(seq) FROM audit_event), 0) "
    f"AND NEW.hash IS coalesce((SELECT hash FROM audit_event ORDER BY seq DESC LIMIT 1), '{GENESIS}')"
)

REFUSED = "audit events are append-only: only the next event may be inserted, and the head moves only with an appended event"

SQLITE_UP = [
    "CREATE TRIGGER audit_event_moves_head AFTER INSERT ON audit_event "
    "BEGIN UPDATE audit_head SET seq = NEW.seq, hash = NEW.hash WHERE id = 1; END",
    "CREATE TRIGGER audit_head_only_append BEFORE UPDATE ON audit_head "  # noqa: S608 -- constant SQL
    "WHEN NEW.id IS NOT OLD.id OR NEW.seq IS NOT OLD.seq + 1 OR NOT EXISTS "
    "(SELECT 1 FROM audit_event WHERE seq = NEW.seq AND hash = NEW.hash AND prev_hash = OLD.hash) "
    f"BEGIN SELECT RAISE(ABORT, '{REFUSED}'); END",
    "CREATE TRIGGER audit_head_no_delete BEFORE DELETE ON audit_head "
    "BEGIN SELECT RAISE(ABORT, 'the audit head cannot be removed: DELETE refused'); END",
    f"CREATE TRIGGER audit_head_no_insert BEFORE INSERT ON audit_head WHEN NOT ({_SQLITE_HEAD_INSERT_OK}) "
    "BEGIN SELECT RAISE(ABORT, 'the audit head exists already or does not name the last event: INSERT refused'); END",
]
SQLITE_DOWN = [
    "DROP TRIGGER audit_head_no_insert",
    "DROP TRIGGER audit_head_no_delete",
    "DROP TRIGGER audit_head_only_append",
    "DROP TRIGGER audit_event_moves_head",
]

POSTGRES_UP = [
    f"""CREATE FUNCTION audit_event_moves_head() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN
         UPDATE audit_head SET seq = NEW.seq, hash = NEW.hash WHERE id = 1;
         IF NOT FOUND THEN RAISE EXCEPTION '{REFUSED}'; END IF;
         RETURN NULL;
       END $$""",  # noqa: S608 -- constant SQL
    f"""CREATE FUNCTION audit_head_only_append() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN
         IF NEW.id IS DISTINCT FROM OLD.id OR NEW.seq IS DISTINCT FROM OLD.seq + 1 OR NOT EXISTS
            (SELECT 1 FROM audit_event WHERE seq = NEW.seq AND hash = NEW.hash AND prev_hash = OLD.hash) THEN
           RAISE EXCEPTION '{REFUSED}';
         END IF;
         RETURN NEW;
       END $$""",  # noqa: S608 -- constant SQL
    """CREATE FUNCTION audit_head_no_insert() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN
         IF EXISTS (SELECT 1 FROM audit_head) OR NEW.id IS DISTINCT FROM 1
            OR NEW.seq IS DISTINCT FROM coalesce((SELECT max(seq) FROM audit_event), 0)
            OR NEW.hash IS DISTINCT FROM coalesce((SELECT hash FROM audit_event ORDER BY seq DESC LIMIT 1),
                                                  repeat('0', 64)) THEN
           RAISE EXCEPTION 'the audit head exists already or does not name the last event: INSERT refused';
         END IF;
         RETURN NEW;
       END $$""",
    """CREATE FUNCTION audit_head_fixed() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN RAISE EXCEPTION 'the audit head cannot be removed: % refused', TG_OP; END $$""",
    "CREATE TRIGGER audit_event_moves_head AFTER INSERT ON audit_event "
    "FOR EACH ROW EXECUTE FUNCTION audit_event_moves_head()",
    "CREATE TRIGGER audit_head_only_append BEFORE UPDATE ON audit_head "
    "FOR EACH ROW EXECUTE FUNCTION audit_head_only_append()",
    "CREATE TRIGGER audit_head_no_insert BEFORE INSERT ON audit_head "
    "FOR EACH ROW EXECUTE FUNCTION audit_head_no_insert()",
    "CREATE TRIGGER audit_head_no_delete BEFORE DELETE ON audit_head "
    "FOR EACH ROW EXECUTE FUNCTION audit_head_fixed()",
    "CREATE TRIGGER audit_head_no_truncate BEFORE TRUNCATE ON audit_head "
    "FOR EACH STATEMENT EXECUTE FUNCTION audit_head_fixed()",
]
POSTGRES_DOWN = [
    "DROP TRIGGER audit_head_no_truncate ON audit_head",
    "DROP TRIGGER audit_head_no_delete ON audit_head",
    "DROP TRIGGER audit_head_no_insert ON audit_head",
    "DROP TRIGGER audit_head_only_append ON audit_head",
    "DROP TRIGGER audit_event_moves_head ON audit_event",
    "DROP FUNCTION audit_head_fixed()",
    "DROP FUNCTION audit_head_no_insert()",
    "DROP FUNCTION audit_head_only_append()",
    "DROP FUNCTION audit_event_moves_head()",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        statements = statements_by_vendor.get(schema_editor.connection.vendor)
        if statements is None:
            raise RuntimeError(f"Confide supports SQLite and PostgreSQL, not {schema_editor.connection.vendor}")
        for statement in statements:
            schema_editor.execute(statement, params=None)
    return run


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_append_only")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE_UP, "postgresql": POSTGRES_UP}),
            _run({"sqlite": SQLITE_DOWN, "postgresql": POSTGRES_DOWN}),
        ),
    ]
