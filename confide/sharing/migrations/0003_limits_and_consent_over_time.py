# Telling clients the limits of confidentiality, consent to support (JustUs 5.5), and reminders of the
# right to withdraw a consent (JustUs 5.4).

import uuid

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('records', '0006_referral_consent'),
        ('sharing', '0002_steps_before_sharing'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='ConsentReminder',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('consent', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='reminders', to='sharing.consent')),
                ('task', models.OneToOneField(on_delete=django.db.models.deletion.PROTECT, related_name='consent_reminder', to='sharing.task')),
            ],
            options={
                'ordering': ['id'],
            },
        ),
        migrations.CreateModel(
            name='LimitsTold',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('ref', models.UUIDField(default=uuid.uuid4, editable=False)),
                ('how', models.CharField(choices=[('given', 'Given to them to read and keep'), ('explained_in_person', 'Explained in person'), ('explained_by_phone', 'Explained by telephone'), ('signed', 'Signed by them')], max_length=32)),
                ('copy_given', models.BooleanField(default=False)),
                ('told_on', models.DateField()),
                ('form_filename_sealed', models.BinaryField(blank=True, null=True)),
                ('form_content_sealed', models.BinaryField(blank=True, null=True)),
                ('form_content_type', models.CharField(blank=True, max_length=100)),
                ('form_size', models.PositiveIntegerField(blank=True, null=True)),
                ('recorded_at', models.DateTimeField(default=django.utils.timezone.now)),
                ('client', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='limits_told', to='records.client')),
                ('recorded_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('wording', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='limits_told', to='sharing.formwording')),
            ],
            options={
                'ordering': ['-told_on', '-id'],
            },
        ),
        migrations.CreateModel(
            name='SupportConsent',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('how', models.CharField(choices=[('verbal', 'A verbal agreement'), ('written', 'In writing')], max_length=16)),
                ('given_on', models.DateField()),
                ('clause', models.CharField(blank=True, max_length=100)),
                ('recorded_at', models.DateTimeField(default=django.utils.timezone.now)),
                ('case', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='records.case')),
                ('client', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='support_consents', to='records.client')),
                ('recorded_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'ordering': ['-given_on', '-id'],
            },
        ),
    ]
