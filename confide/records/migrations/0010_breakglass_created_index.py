"""The history of break-glass openings is read newest first, a page at a time, from an index rather
than by reading and sorting every opening (confide/records/break_glass.py, review_queue)."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('records', '0009_case_team_client_index'),
    ]

    operations = [
        migrations.AddIndex(
            model_name='breakglass',
            index=models.Index(fields=['created_at', 'id'], name='records_breakglass_created'),
        ),
    ]
