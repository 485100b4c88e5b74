"""Break-glass review notes are sealed under the client's key, like the reason they review.
Existing notes are encrypted one by one before the clear column is dropped: nothing is lost."""

from django.db import migrations, models


def seal_existing(apps, schema_editor):
    from confide.keys.runtime import key_store  # the installation's key store (settings)

    BreakGlass = apps.get_model("records", "BreakGlass")
    store = key_store()
    for glass in BreakGlass.objects.using(schema_editor.connection.alias).exclude(review_note="").iterator():
        glass.review_note_sealed = store.encrypt(glass.client_id, glass.review_note,
                                                 f"break_glass:{glass.ref}:review_note")
        glass.save(update_fields=["review_note_sealed"])


class Migration(migrations.Migration):
    dependencies = [("records", "0004_people_entries_safe_contact")]

    operations = [
        migrations.AddField("breakglass", "review_note_sealed", models.BinaryField(blank=True, default=b"")),
        migrations.RunPython(seal_existing, migrations.RunPython.noop),
        migrations.RemoveField("breakglass", "review_note"),
    ]
