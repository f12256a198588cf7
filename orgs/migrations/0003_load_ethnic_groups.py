"""The 54 ethnic groups of the General Statistics Office (orgs/data/ethnic_groups.csv)."""

from django.db import migrations

from orgs.services import load_ethnic_groups


def forwards(apps, schema_editor):
    load_ethnic_groups(apps.get_model("orgs", "EthnicGroup"))


class Migration(migrations.Migration):
    dependencies = [("orgs", "0002_ethnic_group")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
