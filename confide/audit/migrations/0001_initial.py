from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True
    dependencies = []

    operations = [
        migrations.CreateModel(
            name="AuditEvent",
            fields=[
                ("seq", models.BigIntegerField(help_text="1, 2, 3, … with no gaps.", primary_key=True, serialize=False)),
                ("at", models.DateTimeField()),
                ("actor_id", models.BigIntegerField(help_text="The user's id; empty for the system or an unknown person.", null=True)),
                ("actor", models.CharField(blank=True, help_text="The username at the time, kept if the account is renamed.", max_length=150)),
                ("action", models.CharField(max_length=64)),
                ("object_type", models.CharField(blank=True, max_length=64)),
                ("object_id", models.CharField(blank=True, max_length=64)),
                ("client_id", models.BigIntegerField(help_text="The client whose data this touched, for the record of access.", null=True)),
                ("purpose", models.CharField(blank=True, max_length=64)),
                ("detail", models.TextField(default="{}")),
                ("prev_hash", models.CharField(max_length=64)),
                ("hash", models.CharField(max_length=64)),
            ],
            options={
                "db_table": "audit_event",
                "ordering": ["seq"],
                "indexes": [
                    models.Index(fields=["client_id", "seq"], name="audit_client_seq"),
                                ],
            },
        ),
        migrations.CreateModel(
            name="AuditHead",
            fields=[
                ("id", models.PositiveSmallIntegerField(default=1, primary_key=True, serialize=False)),
                ("seq", models.BigIntegerField(default=0)),
                ("hash", models.CharField(max_length=64)),
            ],
            options={
                "db_table": "audit_head",
                "constraints": [models.CheckConstraint(condition=models.Q(("id", 1)), name="one_audit_head")],
            },
        ),
    ]
