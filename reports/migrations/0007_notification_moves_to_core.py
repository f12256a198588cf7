# Notification now lives in core (core.0001 renames its table); reports only forgets it.
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0006_datavalue_unit_round_required"),
        ("core", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="Notification")],
        ),
    ]
