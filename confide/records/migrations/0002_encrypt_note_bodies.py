"""Note bodies move from clear text to ciphertext under each client's data key. Existing notes are
encrypted here, one by one, before the clear column is dropped: nothing is lost."""

import uuid

from django.db import migrations, models


def encrypt_existing(apps, schema_editor):
    from confide.keys.runtime import key_store  # the installation's key store (settings)

    Note = apps.get_model("records", "Note")
    store = key_store()
    for note in Note.objects.using(schema_editor.connection.alias).select_related("case").iterator():
        note.ref = uuid.uuid4()
        note.body_sealed = store.encrypt(note.case.client_id, note.body, f"note:{note.ref}:body")
        note.save(update_fields=["ref", "body_sealed"])


class Migration(migrations.Migration):
    dependencies = [("records", "0001_initial")]

    operations = [
        migrations.AddField("note", "ref", models.UUIDField(default=uuid.uuid4, editable=False)),
        migrations.AddField("note", "body_sealed", models.BinaryField(default=b"")),
        migrations.RunPython(encrypt_existing, migrations.RunPython.noop),
        migrations.RemoveField("note", "body"),
        migrations.AlterField("note", "body_sealed", models.BinaryField()),
    ]
