import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("reports", "0005_fill_datavalue_unit_round")]

    operations = [
        migrations.AlterField(
            model_name="datavalue",
            name="unit",
            field=models.ForeignKey(
                db_index=False,
                editable=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="orgs.unit",
            ),
        ),
        migrations.AlterField(
            model_name="datavalue",
            name="round",
            field=models.ForeignKey(
                db_index=False,
                editable=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="+",
                to="reports.round",
            ),
        ),
        migrations.AddIndex(
            model_name="datavalue",
            index=models.Index(fields=["round", "unit"], name="value_round_unit"),
        ),
    ]
