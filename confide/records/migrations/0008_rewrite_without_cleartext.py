"""After 0007 (and accounts 0005) sealed clients' names, dates of birth and staff TOTP secrets and
dropped their clear columns, the database is rewritten, so that no clear copy is left behind in its
free space: SQLite's VACUUM (then the write-ahead log emptied), PostgreSQL's VACUUM FULL of the two
tables (a dropped column's values otherwise stay in the table's pages). Copies and backups taken
before the upgrade still hold them: replace them (README, Backups)."""

from django.db import migrations


def rewrite(apps, schema_editor):
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("VACUUM")
            cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        elif connection.vendor == "postgresql":
            cursor.execute("VACUUM FULL records_client, accounts_user")


class Migration(migrations.Migration):
    atomic = False  # neither database vacuums inside a transaction

    dependencies = [("records", "0007_seal_client_names"), ("accounts", "0005_seal_totp_secrets")]

    operations = [migrations.RunPython(rewrite, migrations.RunPython.noop, elidable=True)]
