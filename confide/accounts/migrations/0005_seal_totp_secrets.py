"""Staff TOTP secrets move from clear text to ciphertext under the installation's secrets key (in the
key store, wrapped by the master key), bound to their account. Existing secrets are sealed here, one
by one, before the clear column is dropped: nobody has to set up their phone again."""

from django.db import migrations, models


def seal_existing(apps, schema_editor):
    from confide.keys.runtime import key_store  # the installation's key store (settings)

    User = apps.get_model("accounts", "User")
    store = key_store()
    for user in User.objects.using(schema_editor.connection.alias).exclude(totp_secret="").iterator():
        user.totp_secret_sealed = store.seal_installation(f"user:{user.pk}:totp_secret", user.totp_secret.encode("ascii"))
        user.save(update_fields=["totp_secret_sealed"])


class Migration(migrations.Migration):
    dependencies = [("accounts", "0004_hashed_sessions")]

    operations = [
        migrations.AddField("user", "totp_secret_sealed", models.BinaryField(blank=True, default=b"", editable=False)),
        migrations.RunPython(seal_existing, migrations.RunPython.noop),
        migrations.RemoveField("user", "totp_secret"),
    ]
