"""Search (the search app) reads a folded copy of the plan items' text
(core.text.FoldedField): the column, and the existing rows filled as every later save fills it."""

from django.db import migrations

from core.text import FoldedField, refold


def fill(apps, schema_editor):
    refold(apps.get_model("plans", "planitem"))


class Migration(migrations.Migration):
    dependencies = [("plans", "0004_unit_urge")]

    operations = [
        migrations.AddField(
            "planitem",
            "search",
            FoldedField(sources=("code", "text")),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
