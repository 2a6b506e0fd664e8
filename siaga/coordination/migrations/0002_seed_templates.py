"""Seed the standing meeting template ("Rakor TP3D jelang pemungutan suara"), so that a meeting
can be started from it without the demo."""

from django.db import migrations


def seed(apps, schema_editor):
    from siaga.coordination.catalogue import seed_rows

    seed_rows(apps.get_model("coordination", "MeetingTemplate"))


class Migration(migrations.Migration):
    dependencies = [("coordination", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
