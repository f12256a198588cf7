"""Every unit gets its DHIS2-style UID (core.uids): the column, the existing rows filled by the
generator every later unit gets its UID from, then unique."""

from django.db import migrations

from core.uids import UidField, fill_missing


def fill(apps, schema_editor):
    fill_missing(apps.get_model("orgs", "Unit"))


class Migration(migrations.Migration):
    dependencies = [("orgs", "0003_load_ethnic_groups")]

    operations = [
        migrations.AddField("unit", "uid", UidField(default="", unique=False)),
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.AlterField("unit", "uid", UidField()),
    ]
