# Whether the family consented to the referral, where the pack asks (Home-Start 7.1).

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('records', '0005_seal_review_notes'),
    ]

    operations = [
        migrations.AddField(
            model_name='case',
            name='referral_consent',
            field=models.BooleanField(blank=True, null=True),
        ),
    ]
