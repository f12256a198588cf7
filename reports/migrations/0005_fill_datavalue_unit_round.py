from django.db import migrations
from django.db.models import OuterRef, Subquery


def fill(apps, schema_editor):
    """Copy each value's unit and round from its submission."""
    DataValue = apps.get_model("reports", "DataValue")
    Submission = apps.get_model("reports", "Submission")
    submission = Submission.objects.filter(pk=OuterRef("submission_id"))
    DataValue.objects.update(
        unit_id=Subquery(submission.values("unit_id")[:1]),
        round_id=Subquery(submission.values("round_id")[:1]),
    )


class Migration(migrations.Migration):
    dependencies = [("reports", "0004_datavalue_unit_round")]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
