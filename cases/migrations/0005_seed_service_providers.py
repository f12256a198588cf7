"""The referral service directory starts with the default providers of the units present (a
database that has none yet gets them when load_units runs: orgs.signals.units_loaded)."""

from django.db import migrations

from cases.services.directory import seed


def forwards(apps, schema_editor):
    seed(apps.get_model("orgs", "Unit"), apps.get_model("cases", "ServiceProvider"))


class Migration(migrations.Migration):
    dependencies = [("cases", "0004_service_provider")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
