# Steps a policy requires before information leaves (confide.policy.steps), confirmed with the request.

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('sharing', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='disclosure',
            name='before_sending',
            field=models.JSONField(blank=True, default=list),
        ),
        migrations.CreateModel(
            name='DisclosureStep',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(max_length=64)),
                ('clause', models.CharField(blank=True, max_length=100)),
                ('outcome', models.CharField(choices=[('done', 'Done'), ('skipped', 'Not done, with the reason')], max_length=16)),
                ('note_sealed', models.BinaryField()),
                ('number', models.CharField(blank=True, max_length=40)),
                ('done_at', models.DateTimeField(default=django.utils.timezone.now)),
                ('disclosure', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='steps', to='sharing.disclosure')),
                ('done_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'ordering': ['done_at', 'id'],
                'constraints': [models.UniqueConstraint(fields=('disclosure', 'kind'), name='one_confirmation_per_step')],
            },
        ),
    ]
