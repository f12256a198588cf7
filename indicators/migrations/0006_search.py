"""Search (the search app) reads a folded copy of the data elements' and computed indicators' text
(core.text.FoldedField): the column, and the existing rows filled as every later save fills it."""

from django.db import migrations

from core.text import FoldedField, refold


def fill(apps, schema_editor):
    refold(apps.get_model("indicators", "dataelement"))
    refold(apps.get_model("indicators", "computedindicator"))


class Migration(migrations.Migration):
    dependencies = [("indicators", "0005_uids")]

    operations = [
        migrations.AddField(
            "dataelement",
            "search",
            FoldedField(sources=("code", "name", "short_name", "national_code")),
        ),
        migrations.AddField(
            "computedindicator",
            "search",
            FoldedField(sources=("code", "name")),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
