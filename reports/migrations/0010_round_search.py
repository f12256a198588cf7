"""Search (the search app) reads a folded copy of the reporting rounds' text
(core.text.FoldedField): the column, and the existing rows filled as every later save fills it."""

from django.db import migrations

from core.text import FoldedField, refold


def fill(apps, schema_editor):
    refold(apps.get_model("reports", "round"))


class Migration(migrations.Migration):
    dependencies = [("reports", "0009_form_uid")]

    operations = [
        migrations.AddField(
            "round",
            "search",
            FoldedField(sources=("code", "name", "period")),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
