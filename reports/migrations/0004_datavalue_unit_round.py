import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("orgs", "0001_initial"),
        ("reports", "0003_datavalue_number"),
    ]

    operations = [
        migrations.AddField(
            model_name="datavalue",
            name="unit",
            field=models.ForeignKey(
                db_index=False,
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="orgs.unit",
            ),
        ),
        migrations.AddField(
            model_name="datavalue",
            name="round",
            field=models.ForeignKey(
                db_index=False,
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="reports.round",
            ),
        ),
    ]
