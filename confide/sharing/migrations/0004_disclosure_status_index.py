"""The requests waiting for approval are read by status, newest first, without reading every
request ever made (the approvals page and every home page; tests/web/test_flat_pages.py)."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('sharing', '0003_limits_and_consent_over_time'),
    ]

    operations = [
        migrations.AddIndex(
            model_name='disclosure',
            index=models.Index(fields=['status', 'requested_at', 'id'], name='sharing_disclosure_status'),
        ),
    ]
