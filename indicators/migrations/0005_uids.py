"""Data elements, category option combos and computed indicators get their DHIS2-style UIDs
(core.uids): the columns, the existing rows filled by the generator every later object gets its
UID from, then unique."""

from django.db import migrations

from core.uids import UidField, fill_missing

MODELS = ("DataElement", "CategoryOptionCombo", "ComputedIndicator")


def fill(apps, schema_editor):
    for name in MODELS:
        fill_missing(apps.get_model("indicators", name))


class Migration(migrations.Migration):
    dependencies = [("indicators", "0004_rules_and_bounds_versioned")]

    operations = [
        *(
            migrations.AddField(name.lower(), "uid", UidField(default="", unique=False))
            for name in MODELS
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
        *(migrations.AlterField(name.lower(), "uid", UidField()) for name in MODELS),
    ]
