"""Who referred a case and how it ended, for the reports to count (issue 17). On SQLite, adding a
column with a default rebuilds records_case, which drops its triggers: the open-case counts' triggers
(0011) are made again afterwards, and the counts worked out again from the cases."""

import importlib

from django.db import migrations, models

_counts = importlib.import_module("confide.records.migrations.0011_open_case_counts")


def _triggers_again(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return  # PostgreSQL adds the column in place; its trigger stays
    for name in ("records_case_count_insert", "records_case_count_delete", "records_case_count_update"):
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {name}", params=None)
    for statement in _counts.SQLITE_UP:
        schema_editor.execute(statement, params=None)
    schema_editor.execute("DELETE FROM records_opencasecount", params=None)
    schema_editor.execute(_counts.COUNT_EXISTING, params=None)


class Migration(migrations.Migration):

    dependencies = [
        ('records', '0013_client_destroyed'),
    ]

    operations = [
        migrations.AddField(
            model_name='case',
            name='outcome',
            field=models.CharField(blank=True, choices=[('completed', 'Support completed'), ('referred_on', 'Referred on to another service'), ('disengaged', 'Stopped engaging'), ('moved_away', 'Moved away'), ('other', 'Other')], max_length=16),
        ),
        migrations.AddField(
            model_name='case',
            name='referral_source',
            field=models.CharField(blank=True, choices=[('self', 'Self-referral'), ('police', 'Police'), ('childrens_services', "Children's services"), ('health', 'Health (GP, hospital, health visitor)'), ('partner_agency', 'Another agency'), ('court', 'Court, Cafcass or probation'), ('other', 'Other')], max_length=32),
        ),
        migrations.RunPython(_triggers_again, migrations.RunPython.noop),
    ]
