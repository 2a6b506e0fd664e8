"""Seed Bawaslu's catalogue of indicators, so that the index works without the demo."""

from django.db import migrations


def seed(apps, schema_editor):
    from siaga.risk.catalogue import seed_rows

    seed_rows(apps.get_model("risk", "Indicator"))


class Migration(migrations.Migration):
    dependencies = [("risk", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
