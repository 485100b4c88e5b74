"""Clients' names and dates of birth move from clear text to ciphertext under each client's data key,
with a blind index of names to find them by (confide/records/identity.py). Existing clients are
sealed and indexed here, one by one, before the clear columns are dropped: nothing is lost."""

from django.db import migrations, models


def seal_existing(apps, schema_editor):
    from confide.keys import KeyStore
    from confide.keys.runtime import key_store  # the installation's key store (settings)
    from confide.records.identity import index_key, name_tokens

    # The contexts Client.sealed_name and sealed_date_of_birth declare (confide/keys/sealed.py),
    # written out as they were when this ran: a migration does not follow later code.
    NAME_CONTEXT, DOB_CONTEXT = "client:name", "client:date_of_birth"

    alias = schema_editor.connection.alias
    Client = apps.get_model("records", "Client")
    Token = apps.get_model("records", "ClientNameToken")
    store = key_store()
    for client in Client.objects.using(alias).order_by("pk").iterator():
        key = store.data_key(client.pk, create=True)
        client.name_sealed = KeyStore.encrypt_with(key, client.pk, client.display_name, NAME_CONTEXT)
        born = client.date_of_birth
        client.dob_sealed = KeyStore.encrypt_with(key, client.pk, born.isoformat(), DOB_CONTEXT) if born else b""
        client.save(update_fields=["name_sealed", "dob_sealed"])
        Token.objects.using(alias).bulk_create(
            [Token(client_id=client.pk, token=found) for found in sorted(name_tokens(index_key(), client.display_name))])


class Migration(migrations.Migration):
    dependencies = [("records", "0006_referral_consent")]

    operations = [
        migrations.AddField("client", "name_sealed", models.BinaryField(default=b"", editable=False)),
        migrations.AddField("client", "dob_sealed", models.BinaryField(blank=True, default=b"", editable=False)),
        migrations.CreateModel(
            name="ClientNameToken",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("token", models.CharField(max_length=22)),
                ("client", models.ForeignKey(db_index=False, on_delete=models.deletion.CASCADE, related_name="+",
                                             to="records.client")),
            ],
            options={"indexes": [models.Index(fields=["token", "client"], name="records_client_name_token"),
                                 models.Index(fields=["client"], name="records_client_name_client")]},
        ),
        migrations.RunPython(seal_existing, migrations.RunPython.noop),
        migrations.AlterModelOptions("client", {"ordering": ["id"]}),
        migrations.RemoveField("client", "display_name"),
        migrations.RemoveField("client", "date_of_birth"),
    ]
