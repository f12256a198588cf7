"""Every form version gets its DHIS2-style dataSet UID (core.uids, from its code and version):
the column, the existing rows filled by the generator every later form gets its UID from, then
unique."""

from django.db import migrations

from core.uids import UidField, fill_missing


def fill(apps, schema_editor):
    fill_missing(apps.get_model("reports", "Form"))


class Migration(migrations.Migration):
    dependencies = [("reports", "0008_section_text")]

    operations = [
        migrations.AddField(
            "form", "uid", UidField(default="", unique=False, key_fields=("code", "version"))
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.AlterField("form", "uid", UidField(key_fields=("code", "version"))),
    ]
