"""Open cases per service, kept by triggers on records_case, so trustees' anonymised figures are read
from a row per service rather than by counting every case (tests/web/test_flat_pages.py). The
triggers count every insert, change of status or service, and delete of a case, however it is made,
in its own transaction; the table starts from a count of the cases already there."""

from django.db import migrations, models

SQLITE_UP = [
    "CREATE TRIGGER records_case_count_insert AFTER INSERT ON records_case WHEN NEW.status <> 'closed' "
    "BEGIN INSERT INTO records_opencasecount (service, n) VALUES (NEW.service, 1) "
    "ON CONFLICT (service) DO UPDATE SET n = n + 1; END",
    "CREATE TRIGGER records_case_count_delete AFTER DELETE ON records_case WHEN OLD.status <> 'closed' "
    "BEGIN UPDATE records_opencasecount SET n = n - 1 WHERE service = OLD.service; END",
    "CREATE TRIGGER records_case_count_update AFTER UPDATE OF status, service ON records_case "
    "BEGIN "
    "UPDATE records_opencasecount SET n = n - 1 WHERE service = OLD.service AND OLD.status <> 'closed'; "
    "INSERT INTO records_opencasecount (service, n) SELECT NEW.service, 1 WHERE NEW.status <> 'closed' "
    "ON CONFLICT (service) DO UPDATE SET n = n + 1; "
    "END",
]
SQLITE_DOWN = ["DROP TRIGGER records_case_count_insert", "DROP TRIGGER records_case_count_delete",
               "DROP TRIGGER records_case_count_update"]

POSTGRES_UP = [
    """CREATE FUNCTION records_case_count() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN
         IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.status <> 'closed' THEN
           UPDATE records_opencasecount SET n = n - 1 WHERE service = OLD.service;
         END IF;
         IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.status <> 'closed' THEN
           INSERT INTO records_opencasecount (service, n) VALUES (NEW.service, 1)
           ON CONFLICT (service) DO UPDATE SET n = records_opencasecount.n + 1;
         END IF;
         RETURN NULL;
       END $$""",
    "CREATE TRIGGER records_case_count AFTER INSERT OR DELETE OR UPDATE OF status, service ON records_case "
    "FOR EACH ROW EXECUTE FUNCTION records_case_count()",
]
POSTGRES_DOWN = ["DROP TRIGGER records_case_count ON records_case", "DROP FUNCTION records_case_count()"]

COUNT_EXISTING = ("INSERT INTO records_opencasecount (service, n) SELECT service, COUNT(*) FROM records_case "
                  "WHERE status <> 'closed' GROUP BY service")


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        statements = statements_by_vendor.get(schema_editor.connection.vendor)
        if statements is None:
            raise RuntimeError(f"Confide supports SQLite and PostgreSQL, not {schema_editor.connection.vendor}")
        for statement in statements:
            schema_editor.execute(statement, params=None)
    return run


class Migration(migrations.Migration):

    dependencies = [
        ('records', '0010_breakglass_created_index'),
    ]

    operations = [
        migrations.CreateModel(
            name='OpenCaseCount',
            fields=[
                ('service', models.CharField(max_length=64, primary_key=True, serialize=False)),
                ('n', models.BigIntegerField(default=0)),
            ],
            options={
                'db_table': 'records_opencasecount',
            },
        ),
        migrations.RunPython(
            _run({"sqlite": [*SQLITE_UP, COUNT_EXISTING], "postgresql": [*POSTGRES_UP, COUNT_EXISTING]}),
            _run({"sqlite": SQLITE_DOWN, "postgresql": POSTGRES_DOWN}),
        ),
    ]
