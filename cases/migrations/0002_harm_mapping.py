from django.db import migrations

# GBVIMS type → form of harm in Law 13/2022/QH15; the coordinator can change it afterwards.
DEFAULT = {
    "rape": "sexual",
    "sexual_assault": "sexual",
    "physical": "physical",
    "forced_marriage": "mental",
    "denial": "economic",
    "psychological": "mental",
}


def load(apps, schema_editor):
    HarmMapping = apps.get_model("cases", "HarmMapping")
    for incident_type, harm_form in DEFAULT.items():
        HarmMapping.objects.get_or_create(
            incident_type=incident_type, defaults={"harm_form": harm_form}
        )


class Migration(migrations.Migration):
    dependencies = [("cases", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
