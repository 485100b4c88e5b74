"""Notes become entries: a note, a document or a risk assessment on a case."""

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("records", "0002_encrypt_note_bodies"), migrations.swappable_dependency(settings.AUTH_USER_MODEL)]

    operations = [
        migrations.RenameModel("Note", "Entry"),
        migrations.AlterField("entry", "case", models.ForeignKey(on_delete=models.deletion.PROTECT,
                                                                 related_name="entries", to="records.case")),
    ]
