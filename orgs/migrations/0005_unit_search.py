"""Search (the search app) reads a folded copy of the units' text
(core.text.FoldedField): the column, and the existing rows filled as every later save fills it."""

from django.db import migrations

from core.text import FoldedField, refold


def fill(apps, schema_editor):
    refold(apps.get_model("orgs", "unit"))


class Migration(migrations.Migration):
    dependencies = [("orgs", "0004_unit_uid")]

    operations = [
        migrations.AddField(
            "unit",
            "search",
            FoldedField(sources=("code", "name", "short_name")),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
