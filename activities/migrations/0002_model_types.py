from django.db import migrations

# The two models the 2025 plan names (II.1.b); the coordinator adds others as data.
NAMED = [
    "Địa chỉ tin cậy, nhà tạm lánh tại cộng đồng",
    "Ngăn ngừa, giảm thiểu tác hại của bạo lực trên cơ sở giới",
]


def load(apps, schema_editor):
    ModelType = apps.get_model("activities", "ModelType")
    for name in NAMED:
        ModelType.objects.get_or_create(name=name)


class Migration(migrations.Migration):
    dependencies = [("activities", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
