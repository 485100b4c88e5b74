"""Notices about a breach to act on get a kind of their own ("Breach to act on"), where they were
"Task for you"; those already given are renamed so."""

from django.db import migrations, models


def rename(apps, schema_editor, old="task_assigned", new="breach_to_act_on"):
    apps.get_model("notices", "Notice").objects.filter(kind=old, object_type="breach").update(kind=new)


def rename_back(apps, schema_editor):
    rename(apps, schema_editor, old="breach_to_act_on", new="task_assigned")


class Migration(migrations.Migration):

    dependencies = [
        ('notices', '0001_initial'),
    ]

    operations = [
        migrations.AlterField(
            model_name='notice',
            name='kind',
            field=models.CharField(choices=[('request_approved', 'Request approved'), ('request_not_approved', 'Request not approved'), ('link_downloaded', 'Link downloaded'), ('task_assigned', 'Task for you'), ('consent_ending', 'Consent ending'), ('approval_waiting', 'Approval waiting'), ('breach_to_act_on', 'Breach to act on')], max_length=32),
        ),
        migrations.RunPython(rename, rename_back),
    ]
