"""Survivor.ethnic_group: free text → the official list (orgs.EthnicGroup). A value that names a
group (its name or another name, without regard to case, diacritics, spaces or hyphens) becomes
that group; anything else ("Không rõ", "Người nước ngoài", a typo) becomes blank."""

import django.db.models.deletion
from django.db import migrations

import orgs.models
from orgs.models import ethnic_key
from orgs.services import ethnic_group_codes


def forwards(apps, schema_editor):
    Survivor = apps.get_model("cases", "Survivor")
    EthnicGroup = apps.get_model("orgs", "EthnicGroup")
    codes = ethnic_group_codes()
    for group in EthnicGroup.objects.all():  # names an admin may have edited
        codes.setdefault(ethnic_key(group.name), group.code)
    by_code = dict(EthnicGroup.objects.values_list("code", "pk"))
    for survivor in Survivor.objects.exclude(ethnic_group="").only("pk", "ethnic_group"):
        pk = by_code.get(codes.get(ethnic_key(survivor.ethnic_group), ""))
        if pk:
            Survivor.objects.filter(pk=survivor.pk).update(ethnic_group_ref_id=pk)


def backwards(apps, schema_editor):
    Survivor = apps.get_model("cases", "Survivor")
    for survivor in Survivor.objects.exclude(ethnic_group_ref=None).select_related(
        "ethnic_group_ref"
    ):
        Survivor.objects.filter(pk=survivor.pk).update(
            ethnic_group=survivor.ethnic_group_ref.name
        )


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0005_seed_service_providers"),
        ("orgs", "0003_load_ethnic_groups"),
    ]

    operations = [
        migrations.AddField(
            model_name="survivor",
            name="ethnic_group_ref",
            field=orgs.models.EthnicGroupField(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="orgs.ethnicgroup",
                verbose_name="dân tộc",
            ),
        ),
        migrations.RunPython(forwards, backwards),
        migrations.RemoveField(model_name="survivor", name="ethnic_group"),
        migrations.RenameField(
            model_name="survivor", old_name="ethnic_group_ref", new_name="ethnic_group"
        ),
    ]
